"""A pool of long-lived worker processes, each holding the store open read-only, that answer the
endpoint's queries one at a time each; a worker whose query passes the time limit is killed and a
warm spare takes its place.

Why processes: pyoxigraph cannot cancel a running query, and the Oxigraph server's own time limit
did not stop a cross product of three GRAPH patterns within minutes (benchmarks/serve_bench.py
shows it), so the only sure stop is to kill the process running the query. Starting a process per
query (the earlier design) cost seconds per answer under load; opening the store once per worker
and reusing the worker costs nothing per query, and killing one only loses the runaway query.

The pool knows nothing about SPARQL or HTTP: a worker calls ``open_state(path)`` once and then
``answer(state, job)`` for every job it is sent; both must be module-level functions, which the
worker imports by name. A worker is a fresh `python` started with subprocess (not multiprocessing):
it imports only what it needs, never the program's own main script, so a script or notebook that
starts the endpoint needs no ``if __name__ == "__main__"`` guard; jobs and answers are pickled over
a socket pair.
"""
from __future__ import annotations

import importlib
import os
import pickle
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from policyflows.errors import PolicyflowsError


class PoolError(PolicyflowsError):
    """The pool could not start, or answer: ``reason`` is 'start', 'time limit', 'busy', 'died' or 'closed'."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Worker:
    process: subprocess.Popen
    conn: Channel  # the pool's end of the socket pair
    pid: int
    jobs: int = 0


class Job:
    """One payload on its way through the pool. A job that found no idle worker waits, in the
    asking thread, on ``_assigned``: a lock that the thread which freed a worker releases once it
    has sent it this job. (A lock, not an Event, on this hot path: it is lighter.)"""

    __slots__ = ("payload", "worker", "sent", "_assigned")

    def __init__(self, payload):
        self.payload = payload
        self.worker: Worker | None = None
        self.sent = 0.0
        self._assigned = threading.Lock()
        self._assigned.acquire()

    def assigned(self) -> None:
        self._assigned.release()

    def wait_assigned(self, timeout: float | None) -> bool:
        return self._assigned.acquire(timeout=-1 if timeout is None else timeout)


@dataclass
class PoolStats:
    workers: int
    spares: int
    started: int = 0
    replaced: int = 0  # workers killed because their query passed the limit, or that died
    pids_killed: deque = field(default_factory=lambda: deque(maxlen=64))


class WorkerPool:
    """``size`` workers answering jobs, plus ``spares`` started ahead to replace a killed one at once.

    The thread that asks sends its job to an idle worker and waits for the answer on the worker's
    socket, up to the time limit. When no worker is idle the job waits in line, and the thread
    that next frees a worker sends it the job at once, before it answers its own client: a worker
    never waits for a sleeping thread to be scheduled, and a request crosses no thread but its own.
    """

    def __init__(self, path, open_state: Callable, answer: Callable, size: int = 4, spares: int = 1,
                 time_limit: float = 30.0, start_timeout: float = 120.0):
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.path = str(path)
        self.time_limit = time_limit
        self.start_timeout = start_timeout
        self._open_state = open_state
        self._answer = answer
        self._lock = threading.Lock()  # guards everything below
        self._idle: list[Worker] = []
        self._waiting: deque[Job] = deque()
        self._spares: list[Worker] = []
        self._workers: dict[int, Worker] = {}  # every live worker, to kill them all on close
        self._closed = False
        self.stats = PoolStats(workers=size, spares=spares)
        # start the first workers at once; the endpoint answers when all have opened the store
        started = [self._start_worker() for _ in range(size + spares)]
        try:
            ready = [self._await_ready(s) for s in started]
        except BaseException:
            for process, conn in started:
                _kill(Worker(process, conn, process.pid))
            raise
        self._idle, self._spares = ready[:size], ready[size:]
        _background(self._watch)

    # --- asking -------------------------------------------------------------------------------

    def ask(self, payload):
        """The worker's answer to ``payload``.

        :raises PoolError: 'busy' when no worker came free within the time limit, 'time limit'
            when the query ran past it (its worker is killed and replaced), 'died' when the
            worker died under it, 'closed' when the pool is closing.
        """
        job = Job(payload)
        with self._lock:
            if self._closed:
                raise PoolError("closed", "the endpoint is shutting down")
            worker = self._idle.pop() if self._idle else None
            if worker is None:
                self._waiting.append(job)
        if worker is not None:
            self._send(worker, job)
        elif not job.wait_assigned(self.time_limit):
            with self._lock:
                if job in self._waiting:
                    self._waiting.remove(job)
                    raise PoolError("busy", f"all {self.stats.workers} query workers stayed busy for the time "
                                            f"limit of {self.time_limit:g} s; try again")
            job.wait_assigned(None)  # a worker is being sent it this moment
        if job.worker is None:
            raise PoolError("closed", "the endpoint is shutting down")
        return self._collect(job)

    def _send(self, worker: Worker, job: Job) -> None:
        """Send ``job`` to ``worker``, which the caller owns; a worker found dead (killed from
        outside while idle, which is not this job's doing) is replaced first."""
        while worker is not None and worker.process.poll() is not None:
            worker = self._replacement(worker, wait=True)
        job.worker, job.sent = worker, time.monotonic()
        if worker is not None:
            try:
                worker.conn.send(job.payload)
            except OSError:  # died this instant: _collect finds the socket closed
                pass

    def _collect(self, job: Job):
        worker = job.worker
        try:
            left = job.sent + self.time_limit - time.monotonic()
            answered = worker.conn.wait(max(0.0, left))
            answer = worker.conn.recv() if answered else None
        except (EOFError, OSError):
            self._replacement(worker, wait=False)
            raise PoolError("died", "the query worker died while answering (out of memory?); "
                                    "a new one has taken its place") from None
        except BaseException:  # the worker's state is unknown: it is not handed out again
            self._replacement(worker, wait=False)
            raise
        if not answered:
            self._replacement(worker, wait=False)
            raise PoolError("time limit", f"the query ran past the time limit of {self.time_limit:g} s "
                                          "and was stopped")
        self._free(worker)
        return answer

    def _free(self, worker: Worker) -> None:
        """A worker is free: the next waiting job gets it now, sent from this thread; else it idles."""
        with self._lock:
            if self._closed:
                job = None
            elif self._waiting:
                job = self._waiting.popleft()
            else:
                self._idle.append(worker)
                return
        if job is None:
            _kill(worker)
            return
        self._send(worker, job)
        job.assigned()

    def status(self) -> dict:
        with self._lock:
            return {"workers": self.stats.workers, "busy": self.stats.workers - len(self._idle),
                    "waiting": len(self._waiting), "spares": self.stats.spares, "spares_ready": len(self._spares),
                    "started": self.stats.started, "replaced": self.stats.replaced,
                    "time_limit_s": self.time_limit, "pids": sorted(self._workers)}

    def close(self) -> None:
        """Kill every worker (a runaway query included); waiting jobs get 'closed'."""
        with self._lock:
            self._closed = True
            waiting = list(self._waiting)
            self._waiting.clear()
            workers = list(self._workers.values())
            self._workers.clear()
            self._idle, self._spares = [], []
        for job in waiting:
            job.assigned()  # with no worker: 'closed'
        for worker in workers:
            _kill(worker)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- replacing ----------------------------------------------------------------------------

    def _watch(self, every: float = 1.0) -> None:
        """Replace idle workers and spares that died (an operator's kill, the OOM killer) before
        a job finds them, so that the pool is whole again without a request to notice."""
        while not self._closed:
            time.sleep(every)
            with self._lock:
                dead = [w for w in self._idle + self._spares if w.process.poll() is not None]
                for worker in dead:
                    if worker in self._idle:
                        self._idle.remove(worker)
                        refill = self._refill_worker
                    else:
                        self._spares.remove(worker)
                        refill = self._refill_spare
                    self._workers.pop(worker.pid, None)
                    self.stats.replaced += 1
                    self.stats.pids_killed.append(worker.pid)
                    worker.conn.close()
                    _background(refill)

    def _replacement(self, worker: Worker, wait: bool) -> Worker | None:
        """Kill ``worker``; a ready spare takes its place at once and a new spare is started behind
        it. With no spare left, a new worker is started: returned (``wait``) or, in the background,
        freed into the pool when ready. None when the pool is closing or nothing is returned."""
        with self._lock:
            self._workers.pop(worker.pid, None)
            self.stats.replaced += 1
            self.stats.pids_killed.append(worker.pid)
            spare = self._spares.pop() if self._spares and not self._closed else None
        _kill(worker)
        if spare is not None:
            _background(self._refill_spare)
            if wait:
                return spare
            self._free(spare)
            return None
        if wait:
            return self._new_worker()
        _background(self._refill_worker)
        return None

    def _refill_spare(self) -> None:
        worker = self._new_worker()
        if worker is not None:
            with self._lock:
                if not self._closed:
                    self._spares.append(worker)
                    return
            _kill(worker)

    def _refill_worker(self) -> None:
        worker = self._new_worker()
        if worker is not None:
            self._free(worker)

    def _new_worker(self) -> Worker | None:
        delay = 0.5
        while not self._closed:
            try:
                worker = self._await_ready(self._start_worker())
            except PoolError:  # the store may be briefly unavailable (a rebuild swapping it in)
                time.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            if self._closed:
                _kill(worker)
                return None
            return worker
        return None

    # --- workers ------------------------------------------------------------------------------

    def _start_worker(self):
        ours, theirs = socket.socketpair()
        argv = [sys.executable, "-c", "from policyflows.serve_pool import worker_main; worker_main()",
                str(theirs.fileno()), _qualname(self._open_state), _qualname(self._answer), self.path]
        try:
            process = subprocess.Popen(argv, pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, env=_worker_env())
        finally:
            theirs.close()
        return process, Channel(ours)

    def _await_ready(self, started) -> Worker:
        process, conn = started
        try:
            message = conn.recv() if conn.wait(self.start_timeout) else (
                "failed", f"a query worker did not open the store within {self.start_timeout:g} s")
        except (EOFError, OSError):
            message = ("failed", f"a query worker exited with code {process.poll()} before it was ready")
        if message[0] != "ready":
            _kill(Worker(process, conn, process.pid))
            raise PoolError("start", message[1])
        worker = Worker(process, conn, process.pid)
        with self._lock:
            self._workers[worker.pid] = worker
            self.stats.started += 1
        return worker


class Channel:
    """Pickled messages over a socket, each a 4-byte length and the pickle: one send, and for
    the small messages of this pool one recv (multiprocessing's Connection makes two of each)."""

    _LENGTH = struct.Struct("!I")

    def __init__(self, sock: socket.socket):
        self.sock = sock

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, obj) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self.sock.sendall(self._LENGTH.pack(len(data)) + data)

    def wait(self, timeout: float) -> bool:
        """Whether a message (or the end: the other side died) arrived within ``timeout``."""
        return bool(select.select([self.sock], [], [], timeout)[0])

    def recv(self):
        chunk = self.sock.recv(1 << 16)
        if len(chunk) < 4:
            chunk += self._exactly(4 - len(chunk))
        (length,) = self._LENGTH.unpack_from(chunk)
        data = chunk[4:]
        if len(data) < length:
            data += self._exactly(length - len(data))
        return pickle.loads(data)

    def _exactly(self, n: int) -> bytes:
        parts = []
        while n:
            part = self.sock.recv(min(n, 1 << 20))
            if not part:
                raise EOFError("the other end closed the channel")
            parts.append(part)
            n -= len(part)
        return b"".join(parts)

    def close(self) -> None:
        self.sock.close()


def _background(fn: Callable) -> None:
    threading.Thread(target=fn, daemon=True, name="pool-refill").start()


def _kill(worker: Worker) -> None:
    try:
        worker.process.kill()
        worker.process.wait(10)
    except Exception:  # already gone
        pass
    worker.conn.close()


def _qualname(fn: Callable) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def _resolve(name: str) -> Callable:
    module, _, qualname = name.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _worker_env() -> dict:
    """The worker imports this package as the server does, also from a source checkout."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def worker_main() -> None:
    """A worker's life: open the state, say ready, then answer job after job until the pool goes."""
    fd, open_name, answer_name, path = sys.argv[1:5]
    conn = Channel(socket.socket(fileno=int(fd)))
    # Ctrl-C in a terminal reaches the whole process group: the server stops its workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_when_orphaned(os.getppid())
    try:
        answer = _resolve(answer_name)
        state = _resolve(open_name)(path)
    except BaseException as exc:  # reported to the pool, which does not hand out this worker
        conn.send(("failed", f"a query worker could not start: {type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, pickle.UnpicklingError):  # the server went away
            return
        conn.send(answer(state, job))


def _exit_when_orphaned(parent: int) -> None:
    """If the server is killed outright, this worker must not live on burning a core on a runaway
    query. pyoxigraph lets go of the GIL while it evaluates, so a thread can watch the parent."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="orphan-watch").start()
