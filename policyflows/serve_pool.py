"""A pool of long-lived worker processes, each holding the store open read-only, that answer the
endpoint's queries one at a time each; a worker whose query passes the time limit is killed and a
warm spare takes its place.

Why processes: pyoxigraph cannot cancel a running query, and the Oxigraph server's own time limit
did not stop a cross product of three GRAPH patterns within minutes (benchmarks/serve_bench.py
shows it), so the only sure stop is to kill the process running the query. Starting a process per
query (the earlier design) cost seconds per answer under load; opening the store once per worker
and reusing the worker costs nothing per query, and killing one only loses the runaway query.

The pool knows nothing about SPARQL or HTTP: a worker calls ``open_state(path)`` once and then
``answer(state, job)`` for every job it is sent; both must be module-level functions (the worker
processes import them by name).
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable


class PoolError(Exception):
    """The pool could not answer: ``reason`` is 'time limit', 'busy', 'died' or 'closed'."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Worker:
    process: multiprocessing.Process
    conn: object  # multiprocessing.connection.Connection, the parent's end
    pid: int
    jobs: int = 0


@dataclass
class PoolStats:
    workers: int
    spares: int
    started: int = 0
    replaced: int = 0  # workers killed because their query passed the limit or that died
    start_failures: int = 0
    pids_killed: deque = field(default_factory=lambda: deque(maxlen=64))


class WorkerPool:
    """``size`` workers answering jobs, plus ``spares`` started ahead to replace a killed one at once."""

    def __init__(self, path, open_state: Callable, answer: Callable, size: int = 4, spares: int = 1,
                 time_limit: float = 30.0, start_timeout: float = 120.0):
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.path = str(path)
        self.time_limit = time_limit
        self.start_timeout = start_timeout
        self._open_state = open_state
        self._answer = answer
        self._ctx = _context()
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._spares: queue.Queue[Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._all: set[int] = set()  # pids of every live worker, to kill them all on close
        self._workers: dict[int, Worker] = {}
        self._closed = False
        self.stats = PoolStats(workers=size, spares=spares)
        # start the first workers in parallel; the endpoint answers once they are all ready
        first = [self._start_worker() for _ in range(size + spares)]
        for i, started in enumerate(first):
            worker = self._await_ready(started)
            (self._idle if i < size else self._spares).put(worker)

    # --- asking -------------------------------------------------------------------------------

    def ask(self, job):
        """The worker's answer to ``job``.

        :raises PoolError: 'busy' when no worker came free within the time limit, 'time limit'
            when the query ran past it (its worker is killed and replaced), 'died' when the
            worker died under it.
        """
        if self._closed:
            raise PoolError("closed", "the endpoint is shutting down")
        try:
            worker = self._idle.get(timeout=self.time_limit)
        except queue.Empty:
            raise PoolError("busy", f"all {self.stats.workers} query workers stayed busy for the time limit "
                                    f"of {self.time_limit:g} s; try again") from None
        try:
            worker.conn.send(job)
            answered = worker.conn.poll(self.time_limit)
            answer = worker.conn.recv() if answered else None
        except (EOFError, OSError):
            self._replace(worker)
            raise PoolError("died", "the query worker died while answering (out of memory?); "
                                    "a new one has taken its place") from None
        except BaseException:  # the worker's state is unknown: do not hand it out again
            self._replace(worker)
            raise
        if not answered:
            self._replace(worker)
            raise PoolError("time limit", f"the query ran past the time limit of {self.time_limit:g} s "
                                          "and was stopped")
        worker.jobs += 1
        self._idle.put(worker)
        return answer

    def status(self) -> dict:
        return {"workers": self.stats.workers, "idle": self._idle.qsize(), "spares_ready": self._spares.qsize(),
                "spares": self.stats.spares, "started": self.stats.started, "replaced": self.stats.replaced,
                "time_limit_s": self.time_limit, "pids": sorted(self._workers)}

    def close(self) -> None:
        """Kill every worker (a runaway query included) and wait for them."""
        self._closed = True
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            _kill(worker)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- workers ------------------------------------------------------------------------------

    def _start_worker(self):
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker_main, args=(child, self._open_state, self._answer, self.path),
                                    daemon=True, name="policyflows-query-worker")
        process.start()
        child.close()
        return process, parent

    def _await_ready(self, started) -> Worker:
        process, conn = started
        try:
            if not conn.poll(self.start_timeout):
                raise RuntimeError(f"a query worker did not open the store within {self.start_timeout:g} s")
            message = conn.recv()
        except (EOFError, OSError):
            message = ("failed", f"the query worker exited with code {process.exitcode}")
        except RuntimeError as exc:
            message = ("failed", str(exc))
        if message[0] != "ready":
            process.kill()
            process.join(5)
            conn.close()
            self.stats.start_failures += 1
            raise RuntimeError(message[1])
        worker = Worker(process, conn, process.pid)
        with self._lock:
            self._workers[worker.pid] = worker
            self.stats.started += 1
        return worker

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker``; a ready spare takes its place at once, and a new spare is started behind it."""
        with self._lock:
            self._workers.pop(worker.pid, None)
            self.stats.replaced += 1
            self.stats.pids_killed.append(worker.pid)
        _kill(worker)
        if self._closed:
            return
        try:
            self._idle.put(self._spares.get_nowait())
            refill = self._spares
        except queue.Empty:  # several runaways in a row used the spares up: start a worker itself
            refill = self._idle
        threading.Thread(target=self._refill, args=(refill,), daemon=True, name="pool-refill").start()

    def _refill(self, into: queue.Queue) -> None:
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
            else:
                into.put(worker)
            return


def _kill(worker: Worker) -> None:
    try:
        worker.process.kill()
        worker.process.join(10)
    except Exception:
        pass
    worker.conn.close()


def _context():
    """forkserver: workers fork from a small single-threaded process with the heavy modules already
    imported, which is quick, and safe from the threaded HTTP server (fork from threads is not)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["pyoxigraph", "policyflows.serve"])
    return ctx


def _worker_main(conn, open_state, answer, path: str) -> None:
    # Ctrl-C in a terminal reaches the whole process group: the server closes the pool itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        state = open_state(path)
    except BaseException as exc:  # reported to the pool, which does not hand out this worker
        conn.send(("failed", f"a query worker could not open the store: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the server went away
            return
        conn.send(answer(state, job))


def _die_with_parent() -> None:
    """If the server is killed outright, its forkserver exits and this worker must not live on
    burning a core on a runaway query: ask Linux to kill it when its parent dies."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
