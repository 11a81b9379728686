"""Long-lived worker processes that share one listening socket, each holding the store open
read-only, with warm spares that take over at once from a worker that is stopped.

Why processes: pyoxigraph cannot cancel a running query, and the Oxigraph server's own time limit
did not stop a cross product of three GRAPH patterns within minutes (benchmarks/serve_bench.py
shows it), so the only sure stop is to end the process running the query. Starting a process per
query (the earlier design) cost seconds per answer under load; opening the store once per worker
and reusing the worker costs nothing per query. And why the workers accept the connections
themselves: a request then crosses no other process, which halves the work per light query
against handing each request through a front process (measured: docs/serve.md).

The pool knows nothing about HTTP: a worker is a fresh `python` (started with subprocess, not
multiprocessing: it imports only what it needs, never the program's main script, so a script or
notebook that starts the endpoint needs no ``if __name__ == "__main__"`` guard) that runs
``serve(listener, control, *args)``, a module-level function named as "module:function". It
talks to the pool over ``control``, a Channel of pickled messages:

    worker -> pool   ("ready", pid)     the store is open; a spare then waits for "go"
                     ("retiring",)      it stops accepting (a query passed the limit): promote a spare
                     ("status?",)       for /status
    pool -> worker   ("go",)            start accepting connections
                     ("status", dict)   the answer to "status?"

A worker that exits, for whatever reason, is replaced: by a ready spare at once, and a new spare
is started behind it.
"""
from __future__ import annotations

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
    """The pool could not start its workers."""


class Channel:
    """Pickled messages over a socket, each a 4-byte length and the pickle; safe to send from
    several threads (one lock), read from one."""

    _LENGTH = struct.Struct("!I")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self._send_lock = threading.Lock()

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, obj) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        with self._send_lock:
            self.sock.sendall(self._LENGTH.pack(len(data)) + data)

    def wait(self, timeout: float) -> bool:
        """Whether a message (or the end: the other side died) arrived within ``timeout``."""
        return bool(select.select([self.sock], [], [], timeout)[0])

    def recv(self):
        (length,) = self._LENGTH.unpack(self._exactly(4))
        return pickle.loads(self._exactly(length))

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
        try:
            self.sock.close()
        except OSError:
            pass


@dataclass(eq=False)
class Worker:
    process: subprocess.Popen
    control: Channel
    pid: int
    serving: bool = False
    retiring: bool = False


@dataclass
class PoolStats:
    workers: int
    spares: int
    started: int = 0
    replaced: int = 0  # workers that stopped (a query passed the limit) or died, and were replaced
    pids_replaced: deque = field(default_factory=lambda: deque(maxlen=64))


class WorkerPool:
    """``size`` workers serving ``listener``, plus ``spares`` started ahead to take over at once."""

    def __init__(self, listener: socket.socket, serve: Callable, args: list[str], size: int = 4,
                 spares: int = 1, start_timeout: float = 120.0, extra_status: dict | None = None):
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.listener = listener
        self.start_timeout = start_timeout
        self._serve = f"{serve.__module__}:{serve.__qualname__}"
        self._args = [str(a) for a in args]
        self._lock = threading.Lock()
        self._workers: dict[int, Worker] = {}  # started and ready, serving or spare
        self._closed = False
        self.stats = PoolStats(workers=size, spares=spares)
        self.extra_status = extra_status or {}
        started = [self._start() for _ in range(size + spares)]  # all at once: they open the store in parallel
        try:
            ready = [self._await_ready(s) for s in started]
        except BaseException:
            for process, control in started:
                _kill(Worker(process, control, process.pid))
            raise
        for worker in ready[:size]:
            self._go(worker)

    def status(self) -> dict:
        with self._lock:
            serving = sorted(w.pid for w in self._workers.values() if w.serving and not w.retiring)
            spares = sorted(w.pid for w in self._workers.values() if not w.serving)
        return {"workers": self.stats.workers, "serving": len(serving), "spares": self.stats.spares,
                "spares_ready": len(spares), "started": self.stats.started, "replaced": self.stats.replaced,
                "pids": sorted(serving + spares), **self.extra_status}

    def close(self) -> None:
        """Kill every worker (a runaway query included)."""
        with self._lock:
            self._closed = True
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            _kill(worker)

    # --- the workers' lives -------------------------------------------------------------------

    def _start(self):
        ours, theirs = socket.socketpair()
        argv = [sys.executable, "-c", "from policyflows.serve_pool import worker_main; worker_main()",
                str(theirs.fileno()), str(self.listener.fileno()), self._serve, *self._args]
        try:
            process = subprocess.Popen(argv, pass_fds=[theirs.fileno(), self.listener.fileno()],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=_worker_env())
        finally:
            theirs.close()
        return process, Channel(ours)

    def _await_ready(self, started) -> Worker:
        process, control = started
        try:
            message = control.recv() if control.wait(self.start_timeout) else (
                "failed", f"a query worker did not open the store within {self.start_timeout:g} s")
        except (EOFError, OSError):
            message = ("failed", f"a query worker exited with code {process.poll()} before it was ready")
        if message[0] != "ready":
            _kill(Worker(process, control, process.pid))
            raise PoolError(message[1])
        worker = Worker(process, control, process.pid)
        with self._lock:
            if self._closed:
                _kill(worker)
                raise PoolError("the endpoint is shutting down")
            self._workers[worker.pid] = worker
            self.stats.started += 1
        threading.Thread(target=self._listen, args=(worker,), daemon=True, name="pool-worker").start()
        return worker

    def _go(self, worker: Worker) -> None:
        with self._lock:
            worker.serving = True
        _send_go(worker)

    def _listen(self, worker: Worker) -> None:
        """The pool's side of one worker's channel, until the worker is gone."""
        while True:
            try:
                message = worker.control.recv()
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            if message[0] == "retiring":
                self._replace(worker)
            elif message[0] == "status?":
                try:
                    worker.control.send(("status", self.status()))
                except OSError:
                    break
        worker.process.wait()
        worker.control.close()
        self._replace(worker)

    def _replace(self, worker: Worker) -> None:
        """``worker`` stops serving (it said it retires, or it exited): a ready spare takes its place
        now, and a new spare is started behind it. Called again when a retiring worker exits."""
        with self._lock:
            if worker.process.poll() is not None:
                self._workers.pop(worker.pid, None)
            if worker.retiring or self._closed:
                return
            worker.retiring = True
            self.stats.replaced += 1
            self.stats.pids_replaced.append(worker.pid)
            spare = None
            if worker.serving:
                spare = next((w for w in self._workers.values() if not w.serving and not w.retiring), None)
                if spare is not None:
                    spare.serving = True
            serve_replacement = worker.serving and spare is None  # the spares are used up
        if spare is not None:
            _send_go(spare)
        _background(lambda: self._start_replacement(serve=serve_replacement))

    def _start_replacement(self, serve: bool) -> None:
        delay = 0.5
        while not self._closed:
            try:
                worker = self._await_ready(self._start())
            except PoolError:  # the store may be briefly unavailable (a rebuild swapping it in)
                time.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            if serve:
                self._go(worker)
            return


def _send_go(worker: Worker) -> None:
    try:
        worker.control.send(("go",))
    except OSError:  # it died as a spare: its listener thread replaces it
        pass


def _background(fn: Callable) -> None:
    threading.Thread(target=fn, daemon=True, name="pool-start").start()


def _kill(worker: Worker) -> None:
    try:
        worker.process.kill()
        worker.process.wait(10)
    except Exception:  # already gone
        pass
    worker.control.close()


def _resolve(name: str) -> Callable:
    import importlib

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
    """A worker process: the channel and the listening socket it was given, then its serve function."""
    control_fd, listener_fd, serve_name, *args = sys.argv[1:]
    control = Channel(socket.socket(fileno=int(control_fd)))
    listener = socket.socket(fileno=int(listener_fd))
    # Ctrl-C in a terminal reaches the whole process group: the server stops its workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_when_orphaned(os.getppid())
    try:
        serve = _resolve(serve_name)
    except BaseException as exc:
        control.send(("failed", f"a query worker could not start: {type(exc).__name__}: {exc}"))
        return
    serve(listener, control, *args)


def _exit_when_orphaned(parent: int) -> None:
    """If the server is killed outright, its workers must not live on burning a core on a runaway
    query. pyoxigraph lets go of the GIL while it evaluates, so a thread can watch the parent."""
    def watch():
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="orphan-watch").start()
