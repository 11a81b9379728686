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
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
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
    conn: Connection  # the pool's end of the socket pair
    pid: int
    jobs: int = 0


class Job:
    """One payload on its way through the pool; the asking thread waits on ``_done``, a lock the
    lane releases when the answer (or the error) is in: lighter than an Event on this hot path."""

    __slots__ = ("payload", "queued", "answer", "error", "_done")

    def __init__(self, payload):
        self.payload = payload
        self.queued = time.monotonic()
        self.answer = None
        self.error: PoolError | None = None
        self._done = threading.Lock()
        self._done.acquire()

    def finish(self, answer=None, error: PoolError | None = None) -> None:
        self.answer, self.error = answer, error
        self._done.release()

    def wait(self, timeout: float) -> bool:
        return self._done.acquire(timeout=timeout)


@dataclass
class PoolStats:
    workers: int
    spares: int
    started: int = 0
    replaced: int = 0  # workers killed because their query passed the limit, or that died
    pids_killed: deque = field(default_factory=lambda: deque(maxlen=64))


class WorkerPool:
    """``size`` workers answering jobs, plus ``spares`` started ahead to replace a killed one at once.

    Each worker has a lane: a thread here that takes the next waiting job the moment the worker's
    previous answer arrives, sends it, and waits for the answer up to the time limit. The thread
    that asked only waits for its job to be done, so handing the worker its next job never waits
    for that thread to be scheduled.
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
        self._waiting: deque[Job] = deque()
        self._cond = threading.Condition()
        self._spares: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: dict[int, Worker] = {}  # every live worker, to kill them all on close
        self._busy = 0
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
        for worker in ready[size:]:
            self._spares.put(worker)
        for worker in ready[:size]:
            threading.Thread(target=self._lane, args=(worker,), daemon=True, name="pool-lane").start()

    # --- asking -------------------------------------------------------------------------------

    def ask(self, payload):
        """The worker's answer to ``payload``.

        :raises PoolError: 'busy' when no worker came free within the time limit, 'time limit'
            when the query ran past it (its worker is killed and replaced), 'died' when the
            worker died under it, 'closed' when the pool is closing.
        """
        job = Job(payload)
        with self._cond:
            if self._closed:
                raise PoolError("closed", "the endpoint is shutting down")
            self._waiting.append(job)
            self._cond.notify()
        # a lane answers within the time limit of taking the job, and fails a job that waited
        # longer than the limit for a worker ('busy'); the margin covers a machine too loaded to
        # schedule the lane on time
        if not job.wait(2 * self.time_limit + 30):
            raise PoolError("died", "no query worker answered")
        if job.error is not None:
            raise job.error
        return job.answer

    def status(self) -> dict:
        with self._cond:
            waiting, busy = len(self._waiting), self._busy
        return {"workers": self.stats.workers, "busy": busy, "waiting": waiting,
                "spares": self.stats.spares, "spares_ready": self._spares.qsize(), "started": self.stats.started,
                "replaced": self.stats.replaced, "time_limit_s": self.time_limit, "pids": sorted(self._workers)}

    def close(self) -> None:
        """Kill every worker (a runaway query included); waiting jobs get 'closed'."""
        with self._cond:
            self._closed = True
            waiting = list(self._waiting)
            self._waiting.clear()
            self._cond.notify_all()
        for job in waiting:
            job.finish(error=PoolError("closed", "the endpoint is shutting down"))
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            _kill(worker)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- a worker's lane ----------------------------------------------------------------------

    def _lane(self, worker: Worker) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job = self._waiting.popleft()
                self._busy += 1
            if time.monotonic() - job.queued > self.time_limit:
                job.finish(error=PoolError("busy", f"all {self.stats.workers} query workers stayed busy for "
                                                   f"the time limit of {self.time_limit:g} s; try again"))
                with self._cond:
                    self._busy -= 1
                continue
            try:
                worker = self._run(worker, job)
            finally:
                with self._cond:
                    self._busy -= 1
            if worker is None:
                return

    def _run(self, worker: Worker, job: Job) -> Worker | None:
        """Run one job on ``worker``; the worker to go on with (a replacement if this one was
        killed), or None when the pool is closing."""
        while worker.process.poll() is not None:  # died while idle (killed from outside): not this job's doing
            worker = self._replace(worker)  # a spare may have died too: looked at again
            if worker is None:
                job.finish(error=PoolError("closed", "the endpoint is shutting down"))
                return None
        try:
            worker.conn.send(job.payload)
            # select on the pipe itself: Connection.poll builds a selector on every call
            answered = bool(select.select([worker.conn], [], [], self.time_limit)[0])
            answer = worker.conn.recv() if answered else None
        except (EOFError, OSError):
            job.finish(error=PoolError("died", "the query worker died while answering (out of memory?); "
                                               "a new one has taken its place"))
            return self._replace(worker)
        except BaseException as exc:  # e.g. a job that cannot be pickled: the worker's state is unknown
            job.finish(error=PoolError("died", f"the query could not be handed to a worker: {exc}"))
            return self._replace(worker)
        if not answered:
            job.finish(error=PoolError("time limit", f"the query ran past the time limit of "
                                                     f"{self.time_limit:g} s and was stopped"))
            return self._replace(worker)
        worker.jobs += 1
        job.finish(answer)
        return worker

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
        return process, Connection(ours.detach())

    def _await_ready(self, started) -> Worker:
        process, conn = started
        try:
            message = conn.recv() if conn.poll(self.start_timeout) else (
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

    def _replace(self, worker: Worker) -> Worker | None:
        """Kill ``worker`` and return the one that takes its lane: a ready spare at once (and a new
        spare started behind it), or, when the spares are used up, a worker started now."""
        with self._lock:
            self._workers.pop(worker.pid, None)
            self.stats.replaced += 1
            self.stats.pids_killed.append(worker.pid)
        _kill(worker)
        try:
            spare = self._spares.get_nowait()
        except queue.Empty:
            return self._new_worker()
        threading.Thread(target=self._refill_spare, daemon=True, name="pool-spare").start()
        return spare

    def _new_worker(self) -> Worker | None:
        delay = 0.5
        while not self._closed:
            try:
                worker = self._await_ready(self._start_worker())
            except Exception:  # the store may be briefly unavailable (a rebuild swapping it in)
                time.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            if self._closed:
                _kill(worker)
                return None
            return worker
        return None

    def _refill_spare(self) -> None:
        worker = self._new_worker()
        if worker is not None:
            self._spares.put(worker)


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
    conn = Connection(int(fd))
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
