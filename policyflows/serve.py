"""A read-only SPARQL 1.1 Protocol endpoint over a FlowStore, plus JSON for `where` and the named queries.

    GET  /sparql?query=…                     POST /sparql (form: query=…, or application/sparql-query)
    GET  /where?term=video&policy=ID         the where-json.md answer
    GET  /query                              the named queries, with their parameters
    GET  /query/NAME?param=value…            a named query's rows as JSON
    GET  /policies                           the policies, as `policies --format json`
    GET  /status                             the query workers: how many, busy, replaced

SELECT and ASK results come as SPARQL JSON, XML, CSV or TSV by the Accept header; CONSTRUCT and
DESCRIBE as Turtle or N-Triples. Updates are refused (403), and so is SERVICE, which would let a
query make this machine fetch other URLs. Every answer carries CORS headers so a notebook or web
page on another origin can ask.

An on-disk store is served by long-lived query workers (policyflows.serve_pool): processes that
each hold the store open read-only and accept connections on one listening socket that this
process holds; each answers its connections in threads (ConnectionHandler frames a request;
Request, route and http_response answer it). pyoxigraph cannot cancel a query, so when one passes
the time limit the worker's watch thread answers 503, a warm spare starts accepting in its place,
and the worker stops accepting, finishes the requests it has in hand, closes its idle keep-alive
connections and exits, which stops the query. A request crosses no other process on its way.

An in-memory store (a notebook's) cannot be shared with other processes: its requests run in
threads of this process, where the limit is only a safety net. The endpoint is meant for one
team, not the internet.
"""
from __future__ import annotations

import functools
import json
import os
import re
import socket
import socketserver
import threading
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from policyflows.errors import PolicyflowsError, UnknownTermError
from policyflows.serve_pool import WorkerPool

DEFAULT_TIMEOUT = 30.0
MAX_BODY = 1 << 20
MAX_HEAD = 64 << 10  # request line and headers; http.server's own limits are per line
CORS = ("Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Methods: GET, POST, OPTIONS\r\n"
        "Access-Control-Allow-Headers: Content-Type, Accept\r\n")
# Two query workers per core: light queries still find a free worker while one runs a heavy query
# to its limit (2 and 4 workers answered the light load alike here); one warm spare replaces a
# killed worker at once. Measured: benchmarks/serve_bench.py, docs/serve.md.
DEFAULT_WORKERS = max(2, 2 * (os.cpu_count() or 1))
DEFAULT_SPARES = 1

SOLUTION_TYPES = [  # (media type, pyoxigraph format); the first is the default
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ("application/json", ox.QueryResultsFormat.JSON),
    ("application/xml", ox.QueryResultsFormat.XML),
]
GRAPH_TYPES = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
]
UPDATE = re.compile(r"^\s*(?:(?:PREFIX|BASE)\s[^\n]*\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
                    re.IGNORECASE)


JSON = "application/json"


class HttpError(Exception):
    def __init__(self, status: HTTPStatus, message: str, extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.extra = extra or {}


def negotiate(accept: str | None, offers: list[tuple[str, object]]):
    """The offer that the Accept header prefers (q-values honoured); the first offer for */* or none."""
    if not accept:
        return offers[0]
    for media in _preferred(accept):
        if media in ("*/*", "application/*", "text/*"):
            return offers[0]
        for offer in offers:
            if offer[0] == media:
                return offer
    raise HttpError(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer in {accept}; offered: {', '.join(o[0] for o in offers)}")


@functools.lru_cache(maxsize=256)  # a client sends the same Accept header with every request
def _preferred(accept: str) -> tuple[str, ...]:
    """The media types of an Accept header, most preferred first (by q-value, then by order)."""
    ranked = []
    for i, part in enumerate(accept.split(",")):
        media, *opts = [x.strip() for x in part.split(";")]
        q = 1.0
        for opt in opts:
            if opt.startswith("q="):
                try:
                    q = float(opt[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, media.lower()))
    return tuple(media for _, _, media in sorted(ranked))


class Request:
    """One HTTP request as ConnectionHandler framed it: request line, headers (lower-cased names), body."""

    __slots__ = ("method", "path", "args", "headers", "body", "close")

    def __init__(self, raw: bytes):
        head, blank, self.body = raw.partition(b"\r\n\r\n")
        if not blank:  # bare LF line ends, which http.server also accepts
            head, blank, self.body = raw.partition(b"\n\n")
        lines = head.decode("latin-1").splitlines()
        parts = lines[0].split() if lines else []
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise HttpError(HTTPStatus.BAD_REQUEST, f"not an HTTP/1.x request line: {lines[0][:100] if lines else ''!r}")
        self.method, target, version = parts
        self.headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise HttpError(HTTPStatus.BAD_REQUEST, f"not a header line: {line[:100]!r}")
            self.headers[name.strip().lower()] = value.strip()
        url = urlsplit(target)
        self.path = url.path.rstrip("/") or "/"
        self.args = parse_qs(url.query, keep_blank_values=True)
        connection = self.headers.get("connection", "").lower()
        self.close = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")


def answer_http(flow_store, raw: bytes) -> tuple[bytes, bool]:
    """The whole HTTP answer to one framed request, and whether the connection closes after it."""
    try:
        request = Request(raw)
    except HttpError as exc:
        return http_response(exc.status, error_body(str(exc)), JSON, close=True), True
    try:
        status, content_type, body = route(flow_store, request)
    except HttpError as exc:
        status, content_type, body = exc.status, JSON, error_body(str(exc), exc.extra)
    except PolicyflowsError as exc:
        status, content_type, body = HTTPStatus.BAD_REQUEST, JSON, error_body(str(exc))
    except Exception as exc:  # reported to the client, not swallowed, and the worker lives on
        status, content_type, body = HTTPStatus.INTERNAL_SERVER_ERROR, JSON, error_body(f"{type(exc).__name__}: {exc}")
    return http_response(status, body, content_type, close=request.close), request.close


def route(flow_store, request: Request) -> tuple[int, str | None, bytes]:
    """(status, content type, body) of a request: what needs no store is answered here, the rest
    is a job for :func:`answer`."""
    method, path, args = request.method, request.path, request.args
    if method == "OPTIONS":
        return HTTPStatus.NO_CONTENT, None, b""
    if method in ("PUT", "DELETE", "PATCH"):
        raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only")
    if method not in ("GET", "POST"):
        raise HttpError(HTTPStatus.NOT_IMPLEMENTED, f"unsupported method {method}")
    body = request.body if method == "POST" else None
    if path == "/sparql":
        return answer(flow_store, sparql_job(request.headers, args, body))
    if path == "/where":
        return answer(flow_store, ("where", _one(args, "term"), args.get("policy") or None))
    if path == "/policies":
        return answer(flow_store, ("policies",))
    if path == "/query":
        from policyflows import queries

        return HTTPStatus.OK, JSON, _dumps([q.describe() for q in queries.library().values()])
    if path.startswith("/query/"):
        return answer(flow_store, named_job(path[len("/query/"):], args))
    if path == "/":
        return HTTPStatus.OK, JSON, _dumps({"sparql": "/sparql", "where": "/where?term=…", "queries": "/query",
                                            "policies": "/policies", "status": "/status"})
    raise HttpError(HTTPStatus.NOT_FOUND, f"no resource {path}; try /sparql, /where, /query, /policies")


def named_job(name: str, args: dict):
    from policyflows import queries

    if name not in queries.library():
        raise HttpError(HTTPStatus.NOT_FOUND, f"no query named {name!r}; GET /query lists them")
    return ("query", name, {k: v[0] if len(v) == 1 else v for k, v in args.items()})


def sparql_job(headers: dict, args: dict, body: bytes | None):
    """The SPARQL 1.1 Protocol's three ways to send a query; updates refused before any work."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if body is not None and content_type == "application/sparql-update":
        raise HttpError(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
    if body is not None and content_type == "application/sparql-query":
        text = body.decode("utf-8")
    else:
        if body is not None and content_type == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            if "update" in form:
                raise HttpError(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
            args = {**args, **form}
        if "update" in args:
            raise HttpError(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
        text = _one(args, "query")
    if UPDATE.match(text):
        raise HttpError(HTTPStatus.FORBIDDEN, "SPARQL Update is not allowed: this endpoint is read-only")
    accept = headers.get("accept")
    negotiate(accept, SOLUTION_TYPES + GRAPH_TYPES)  # 406 before any work when nothing can be offered
    return ("sparql", text, accept)


def http_response(status: int, body: bytes, content_type: str | None, close: bool = False) -> bytes:
    """An HTTP/1.1 answer in one piece, with the CORS headers every answer carries."""
    status = HTTPStatus(status)
    head = [f"HTTP/1.1 {status.value} {status.phrase}\r\nServer: policyflows\r\n"
            f"Date: {_http_date(int(time.time()))}\r\n{CORS}"]
    if content_type:
        head.append(f"Content-Type: {content_type}\r\n")
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        head.append("Retry-After: 1\r\n")
    if close:
        head.append("Connection: close\r\n")
    head.append(f"Content-Length: {len(body)}\r\n\r\n")
    return "".join(head).encode("latin-1") + body


# --- the store: every call the endpoint makes to it is here, run inside a query worker -------------

def open_for_worker(path: str):
    """What a query worker holds: the store opened read-only, once for the worker's life, and the
    lexicon that resolves /where's terms read ahead, so that no client waits for it."""
    from policyflows.ontology import Lexicon
    from policyflows.store import FlowStore

    Lexicon.load()
    return FlowStore.open(path)


def answer(flow_store, job) -> tuple[int, str, bytes]:
    """(HTTP status, content type, body) of one job: ("sparql", text, accept), ("where", term,
    policies), ("query", name, params) or ("policies",). Errors are answers too, never raised."""
    try:
        kind = job[0]
        if kind == "sparql":
            media, payload = answer_sparql(flow_store.store, job[1], job[2])
            return 200, media + ("; charset=utf-8" if media.startswith("text/") else ""), payload
        if kind == "where":
            return 200, JSON, flow_store.where_json(job[1], policies=job[2]).encode("utf-8")
        if kind == "query":
            result = flow_store.run_query(job[1], job[2])
            return 200, JSON, _dumps({"query": job[1], "columns": result.columns, "rows": result.rows})
        if kind == "policies":
            return 200, JSON, _dumps(flow_store.policies())
        raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, f"unknown job {kind!r}")
    except HttpError as exc:
        return int(exc.status), JSON, error_body(str(exc), exc.extra)
    except UnknownTermError as exc:
        return 404, JSON, error_body(str(exc), {"suggestions": exc.suggestions})
    except (PolicyflowsError, SyntaxError, ValueError) as exc:
        return 400, JSON, error_body(str(exc))
    except Exception as exc:  # reported to the client, not swallowed
        return 500, JSON, error_body(f"{type(exc).__name__}: {exc}")


def answer_sparql(store: ox.Store, text: str, accept: str | None) -> tuple[str, bytes]:
    """(media type, payload) of a read-only query, in the format the Accept header prefers."""
    from policyflows.store import check_read_only

    check_read_only(text)
    try:
        results = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"SPARQL syntax error: {exc}") from None
    if isinstance(results, ox.QueryTriples):
        media, fmt = negotiate(accept, GRAPH_TYPES)
    else:
        media, fmt = negotiate(accept, SOLUTION_TYPES)
    return media, results.serialize(format=fmt)


def error_body(message: str, extra: dict | None = None) -> bytes:
    return _dumps({"error": message, **(extra or {})})


def _dumps(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


class InProcess:
    """The backend for an in-memory store, which other processes cannot open: requests run in
    threads. pyoxigraph cannot be interrupted, so past the limit the client gets 503 while the
    query finishes in its thread: a safety net, not a stop."""

    def __init__(self, flow_store, time_limit: float, threads: int):
        self.flow_store = flow_store
        self.time_limit = time_limit
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sparql")
        self._size = threads

    def ask(self, request: bytes):
        future = self._threads.submit(answer_http, self.flow_store, request)
        try:
            return future.result(timeout=self.time_limit)
        except FutureTimeout:
            raise TimeoutError(f"the query ran past the time limit of {self.time_limit:g} s") from None

    def status(self) -> dict:
        return {"workers": self._size, "in_process": True, "time_limit_s": self.time_limit}

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)


@functools.lru_cache(maxsize=4)
def _http_date(second: int) -> str:
    """The Date header, formatted once a second rather than for every answer."""
    return formatdate(second, usegmt=True)


def _one(args: dict, name: str) -> str:
    values = args.get(name)
    if not values or not values[0].strip():
        raise HttpError(HTTPStatus.BAD_REQUEST, f"missing parameter {name!r}")
    if len(values) > 1:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"give {name!r} once")
    return values[0]


class ConnectionHandler(socketserver.BaseRequestHandler):
    """A client connection: frame each request (request line, headers, a Content-Length body),
    have the server answer it, write the answer; keep-alive until the client or the answer ends it.

    It reads the socket itself into one buffer, with fewer Python calls per request than file
    objects read line by line; what a client sends after a request (pipelining) stays in the
    buffer for the next one."""

    busy = False  # between reading a request and writing its answer

    def setup(self):
        self.connection = self.request
        # the answer is written in one piece; without TCP_NODELAY a 100 Continue or a previous
        # answer could wait for the keep-alive client's delayed ACK, 40 ms on Linux
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, True)
        self._pending = b""
        self.server.opened(self)

    def finish(self):
        self.server.closed(self)

    def handle(self):
        while True:
            head = self._read_head()
            if not head:
                return
            length, expects_continue, chunked = _framing(head)
            if chunked or length < 0:
                return self._write(_own_answer(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length"))
            if length > MAX_BODY:
                return self._write(_own_answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large"))
            if expects_continue and len(self._pending) < length:
                self._write(b"HTTP/1.1 100 Continue\r\n\r\n")
            body = self._read_body(length)
            if body is None:
                return
            started = time.monotonic()
            self.busy = True
            if _is_status(head):
                answered = _own_answer(HTTPStatus.OK, self.server.status(), json_body=True), False
            else:
                answered = self.server.answer(self, head + body)
            if answered is None:  # the time limit was answered for it; the connection is closed
                return
            response, close = answered
            self._write(response)
            self.busy = False
            if self.server.verbose:
                self.server.log(self.client_address, head, response, time.monotonic() - started)
            if close:
                return

    def _read_head(self) -> bytes:
        """The request line and headers, up to the blank line; b"" when the client has gone."""
        data = self._pending
        while True:
            data = data.lstrip(b"\r\n")  # stray blank lines between requests
            end = _head_end(data)
            if end > MAX_HEAD or (end < 0 and len(data) > MAX_HEAD):
                self._write(_own_answer(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large"))
                return b""
            if end >= 0:
                self._pending = data[end:]
                return data[:end]
            chunk = self._recv()
            if not chunk:
                return b""
            data += chunk

    def _read_body(self, length: int) -> bytes | None:
        """The body's ``length`` bytes; None when the client went before sending them."""
        data = self._pending
        while len(data) < length:
            chunk = self._recv()
            if not chunk:
                return None
            data += chunk
        self._pending = data[length:]
        return data[:length]

    def _recv(self) -> bytes:
        try:
            return self.connection.recv(65536)
        except OSError:
            return b""

    def _write(self, response: bytes) -> None:
        try:
            self.connection.sendall(response)
        except OSError:
            pass


def _head_end(data: bytes) -> int:
    """Where the head of a request ends (after its blank line), or -1 when it has not all come;
    a line may end with CRLF or a bare LF, as http.server also accepts."""
    crlf, lf = data.find(b"\n\r\n"), data.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf < lf):
        return crlf + 3
    return lf + 2 if lf >= 0 else -1


def _framing(head: bytes) -> tuple[int, bool, bool]:
    """(Content-Length, or -1 when unreadable; Expect: 100-continue?; chunked?) of a request head."""
    length, expects, chunked = 0, False, False
    for line in head.split(b"\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                length = -1
        elif name == b"expect":
            expects = value.strip().lower() == b"100-continue" and b"HTTP/1.1" in head.split(b"\n", 1)[0]
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    return length, expects, chunked


def _is_status(head: bytes) -> bool:
    parts = head.split(b"\n", 1)[0].split()
    return len(parts) == 3 and parts[0] == b"GET" and parts[1].split(b"?")[0].rstrip(b"/") == b"/status"


def _own_answer(status: HTTPStatus, message, json_body: bool = False) -> bytes:
    """An answer given without a route: the pool's state, or a request that cannot be framed."""
    return http_response(status, _dumps(message) if json_body else error_body(message), JSON)


class _Server(socketserver.ThreadingTCPServer):
    """A thread per connection (ConnectionHandler) framing requests; ``answer`` says how one is answered."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # 16 clients connecting at once must not overflow the listen backlog
    verbose = False

    def answer(self, handler, request: bytes) -> tuple[bytes, bool] | None:
        raise NotImplementedError

    def status(self) -> dict:
        raise NotImplementedError

    def opened(self, handler) -> None:
        pass

    def closed(self, handler) -> None:
        pass

    def log(self, client, head: bytes, response: bytes, seconds: float) -> None:
        import sys

        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        status = response[9:12].decode("ascii", "replace")
        print(f"{client[0]} - [{_http_date(int(time.time()))}] \"{line}\" {status} {len(response)} "
              f"{1000 * seconds:.1f} ms", file=sys.stderr, flush=True)


class InMemoryServer(_Server):
    """An in-memory store's endpoint: requests answered in threads of this process."""

    def __init__(self, address, backend: "InProcess", verbose: bool = False):
        self.backend = backend
        self.verbose = verbose
        super().__init__(address, ConnectionHandler)

    def answer(self, handler, request: bytes):
        try:
            return self.backend.ask(request)
        except TimeoutError as exc:
            return _own_answer(HTTPStatus.SERVICE_UNAVAILABLE, str(exc)), False

    def status(self) -> dict:
        return self.backend.status()

    def server_close(self):
        super().server_close()
        self.backend.close()


class _Running:
    __slots__ = ("handler", "deadline", "claimed", "lock")

    def __init__(self, handler, deadline: float):
        self.handler, self.deadline, self.claimed, self.lock = handler, deadline, False, threading.Lock()

    def claim(self) -> bool:
        """Whether this caller is the one to answer (the request's thread, or the time limit)."""
        with self.lock:
            if self.claimed:
                return False
            self.claimed = True
            return True


class WorkerServer(_Server):
    """One query worker: it accepts connections on the pool's listening socket and answers them in
    threads, with the store it opened. A request past the time limit is answered 503 by a watch
    thread; then the worker retires: the pool puts a spare in its place, this one stops accepting,
    answers the requests it has in hand (closing their connections), closes its idle connections,
    and exits, which is the only way to stop the runaway query."""

    def __init__(self, listener: socket.socket, flow_store, control, time_limit: float, verbose: bool):
        super().__init__(listener.getsockname()[:2], ConnectionHandler, bind_and_activate=False)
        self.socket.close()
        self.socket = listener
        listener.setblocking(False)  # the workers race to accept; a loser must not block in accept()
        self.flow_store, self.control, self.time_limit, self.verbose = flow_store, control, time_limit, verbose
        self._lock = threading.Lock()
        self._running: set[_Running] = set()
        self._connections: set = set()
        self._status_lock = threading.Lock()
        self._replies: list = []
        self._reply = threading.Condition()
        self._go = threading.Event()
        self.retiring = False

    def run(self) -> None:
        threading.Thread(target=self._read_control, daemon=True, name="control").start()
        self._go.wait()
        threading.Thread(target=self._watch, daemon=True, name="time-limit").start()
        self.serve_forever(poll_interval=0.5)
        self._drain()
        os._exit(0)

    def answer(self, handler, request: bytes):
        job = _Running(handler, time.monotonic() + self.time_limit)
        with self._lock:
            self._running.add(job)
        try:
            response, close = answer_http(self.flow_store, request)
        finally:
            with self._lock:
                self._running.discard(job)
        if not job.claim():
            return None
        if self.retiring and not close:  # the connection ends with this answer: say so
            response = response.replace(b"\r\nContent-Length:", b"\r\nConnection: close\r\nContent-Length:", 1)
            close = True
        return response, close

    def status(self) -> dict:
        with self._status_lock, self._reply:
            self.control.send(("status?",))
            if not self._reply.wait_for(lambda: self._replies, timeout=10):
                return {"error": "the pool did not answer"}
            return self._replies.pop()

    def opened(self, handler) -> None:
        with self._lock:
            self._connections.add(handler)

    def closed(self, handler) -> None:
        with self._lock:
            self._connections.discard(handler)

    def _read_control(self) -> None:
        while True:
            try:
                message = self.control.recv()
            except (EOFError, OSError):
                os._exit(0)  # the pool is gone
            if message[0] == "go":
                self._go.set()
            elif message[0] == "status":
                with self._reply:
                    self._replies.append(message[1])
                    self._reply.notify_all()

    def _watch(self, every: float = 0.05) -> None:
        while True:
            time.sleep(every)
            now = time.monotonic()
            with self._lock:
                overdue = [job for job in self._running if job.deadline <= now]
            for job in overdue:
                if job.claim():
                    handler = job.handler
                    handler._write(http_response(HTTPStatus.SERVICE_UNAVAILABLE, error_body(
                        f"the query ran past the time limit of {self.time_limit:g} s and was stopped"),
                        JSON, close=True))
                    _shut(handler.connection)
                    self._retire()

    def _retire(self) -> None:
        with self._lock:
            if self.retiring:
                return
            self.retiring = True
        try:
            self.control.send(("retiring",))
        except OSError:
            pass
        threading.Thread(target=self.shutdown, daemon=True).start()  # ends serve_forever in run()

    def _drain(self, limit: float = 60.0) -> None:
        """Stop accepting; let the requests in hand be answered (each within its own limit), close
        the idle keep-alive connections (a client must be ready for that, as with any server)."""
        self.socket.close()
        deadline = time.monotonic() + self.time_limit + limit
        while time.monotonic() < deadline:
            with self._lock:
                claimed = {job.handler for job in self._running if job.claimed}
                idle = [h for h in self._connections if not h.busy]
                busy = [h for h in self._connections if h.busy and h not in claimed]
            for handler in idle:
                _shut(handler.connection)
            if not busy:
                return
            time.sleep(0.02)


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def serve_worker(listener: socket.socket, control, path: str, time_limit: str, verbose: str) -> None:
    """A query worker's life (policyflows.serve_pool runs it): open the store, say ready, serve."""
    try:
        flow_store = open_for_worker(path)
        server = WorkerServer(listener, flow_store, control, float(time_limit), verbose == "1")
    except BaseException as exc:  # reported to the pool, which does not use this worker
        control.send(("failed", f"a query worker could not open the store: {type(exc).__name__}: {exc}"))
        return
    control.send(("ready", os.getpid()))
    server.run()


class PoolServer:
    """An on-disk store's endpoint: this process holds the listening socket and the pool; the
    query workers accept the connections and answer them (WorkerServer)."""

    def __init__(self, address, path, time_limit: float, workers: int, spares: int, verbose: bool = False):
        self.socket = socket.create_server(address, backlog=128)
        self.server_address = self.socket.getsockname()[:2]
        try:
            self.pool = WorkerPool(self.socket, serve_worker, [path, time_limit, int(verbose)], size=workers,
                                   spares=spares, extra_status={"time_limit_s": time_limit})
        except BaseException:
            self.socket.close()
            raise
        self._stopped = threading.Event()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        while not self._stopped.wait(poll_interval):
            pass

    def shutdown(self) -> None:
        self._stopped.set()

    def server_close(self) -> None:
        self.pool.close()
        self.socket.close()


def make_server(flow_store, host: str = "127.0.0.1", port: int = 7878, time_limit: float = DEFAULT_TIMEOUT,
                quiet: bool = True, workers: int = DEFAULT_WORKERS, spares: int = DEFAULT_SPARES):
    """A server ready to ``serve_forever()``; port 0 picks a free port (``server.server_address``).

    An on-disk store is answered by ``workers`` query processes plus ``spares`` warm spares, started
    here (each opens the store once); ``server.server_close()`` stops them.
    """
    if flow_store.path is not None:
        return PoolServer((host, port), str(flow_store.path), time_limit, workers, spares, verbose=not quiet)
    return InMemoryServer((host, port), InProcess(flow_store, time_limit, threads=workers), verbose=not quiet)


def serve_in_thread(flow_store, **kwargs):
    """Start a server in a daemon thread (for notebooks and tests); stop it with ``server.shutdown()``
    and ``server.server_close()``."""
    server = make_server(flow_store, **kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
