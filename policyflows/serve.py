"""A read-only SPARQL 1.1 Protocol endpoint over a FlowStore, plus JSON for `where` and the named queries.

    GET  /sparql?query=…                     POST /sparql (form: query=…, or application/sparql-query)
    GET  /where?term=video&policy=ID         the where-json.md answer
    GET  /query                              the named queries, with their parameters
    GET  /query/NAME?param=value…            a named query's rows as JSON
    GET  /policies                           the policies, as `policies --format json`

SELECT and ASK results come as SPARQL JSON, XML, CSV or TSV by the Accept header; CONSTRUCT and
DESCRIBE as Turtle or N-Triples. Updates are refused (403), and so is SERVICE, which would let a
query make this machine fetch other URLs. Every answer carries CORS headers so a notebook or web
page on another origin can ask. The standard library's ThreadingHTTPServer is enough: pyoxigraph
stores are safe to share between threads, and the endpoint is meant for one team, not the internet.
"""
from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from policyflows.errors import PolicyflowsError, UnknownTermError

DEFAULT_TIMEOUT = 30.0
MAX_BODY = 1 << 20

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


class HttpError(Exception):
    def __init__(self, status: HTTPStatus, message: str, extra: dict | None = None):
        super().__init__(message)
        self.status = status
        self.extra = extra or {}


def negotiate(accept: str | None, offers: list[tuple[str, object]]):
    """The offer that the Accept header prefers (q-values honoured); the first offer for */* or none."""
    if not accept:
        return offers[0]
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
    for _, _, media in sorted(ranked):
        if media in ("*/*", "application/*", "text/*"):
            return offers[0]
        for offer in offers:
            if offer[0] == media:
                return offer
    raise HttpError(HTTPStatus.NOT_ACCEPTABLE, f"cannot answer in {accept}; offered: {', '.join(o[0] for o in offers)}")


class FlowRequestHandler(BaseHTTPRequestHandler):
    server_version = "policyflows"
    protocol_version = "HTTP/1.1"

    # set by make_server
    flow_store = None
    time_limit = DEFAULT_TIMEOUT
    pool: ThreadPoolExecutor | None = None
    quiet = True

    def log_message(self, fmt, *args):
        if not self.quiet:
            super().log_message(fmt, *args)

    # --- HTTP methods -------------------------------------------------------------------------

    def do_OPTIONS(self):
        self._send(HTTPStatus.NO_CONTENT, b"", None)

    def do_GET(self):
        self._dispatch(self._query_args(), None)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._error(HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large"))
        body = self.rfile.read(length) if length else b""
        self._dispatch(self._query_args(), body)

    def do_PUT(self):
        self._refuse_write()

    def do_DELETE(self):
        self._refuse_write()

    def do_PATCH(self):
        self._refuse_write()

    def _refuse_write(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, MAX_BODY))
        self._error(HttpError(HTTPStatus.METHOD_NOT_ALLOWED, "this endpoint is read-only"))

    # --- routing ------------------------------------------------------------------------------

    def _query_args(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    def _dispatch(self, args: dict, body: bytes | None):
        path = urlsplit(self.path).path.rstrip("/") or "/"
        try:
            if path == "/sparql":
                self._sparql(args, body)
            elif path == "/where":
                text = self._call(lambda: self.flow_store.where_json(
                    _one(args, "term"), policies=args.get("policy") or None))
                self._send(HTTPStatus.OK, text.encode("utf-8"), "application/json")
            elif path == "/policies":
                self._json(self._call(self.flow_store.policies))
            elif path == "/query":
                from policyflows import queries

                self._json([q.describe() for q in queries.library().values()])
            elif path.startswith("/query/"):
                self._named(path[len("/query/"):], args)
            elif path == "/":
                self._json({"sparql": "/sparql", "where": "/where?term=…", "queries": "/query",
                            "policies": "/policies"})
            else:
                raise HttpError(HTTPStatus.NOT_FOUND, f"no resource {path}; try /sparql, /where, /query, /policies")
        except HttpError as exc:
            self._error(exc)
        except UnknownTermError as exc:
            self._error(HttpError(HTTPStatus.NOT_FOUND, str(exc), {"suggestions": exc.suggestions}))
        except PolicyflowsError as exc:
            self._error(HttpError(HTTPStatus.BAD_REQUEST, str(exc)))

    def _named(self, name: str, args: dict):
        from policyflows import queries

        if name not in queries.library():
            raise HttpError(HTTPStatus.NOT_FOUND, f"no query named {name!r}; GET /query lists them")
        params = {k: v[0] if len(v) == 1 else v for k, v in args.items()}
        result = self._call(lambda: self.flow_store.run_query(name, params))
        self._json({"query": name, "columns": result.columns, "rows": result.rows})

    def _sparql(self, args: dict, body: bytes | None):
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
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
        accept = self.headers.get("Accept")
        if self.flow_store.path is not None:
            media, payload = self._in_child_process(text, accept)
        else:
            media, payload = self._call(lambda: answer_sparql(self.flow_store.store, text, accept))
        self._send(HTTPStatus.OK, payload, media + ("; charset=utf-8" if media.startswith("text/") else ""))

    def _in_child_process(self, text: str, accept: str | None):
        """Run a user's query in a child process that is killed at the time limit.

        pyoxigraph holds the GIL while it evaluates, and cannot cancel a query, so a thread cannot
        enforce the limit; a process can. The forkserver start method forks from a small
        single-threaded server process, which is quick and safe from this threaded one.
        """
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")
        receiver, sender = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child_query, args=(str(self.flow_store.path), text, accept, sender), daemon=True)
        child.start()
        sender.close()
        try:
            if not receiver.poll(self.time_limit):
                raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE,
                                f"the query ran past the time limit of {self.time_limit:g} s")
            outcome = receiver.recv()
        except EOFError:
            raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, "the query process died") from None
        finally:
            if child.is_alive():
                child.kill()
            child.join(5)
            receiver.close()
        if outcome[0] == "ok":
            return outcome[1], outcome[2]
        raise HttpError(HTTPStatus(outcome[1]), outcome[2])

    def _call(self, fn):
        """Run one of the project's own queries (or, on an in-memory store, the user's) in a worker
        thread. The limit is checked only when pyoxigraph lets go of the GIL, so it is a safety net
        here; on-disk stores run users' queries in a child process (_in_child_process) instead."""
        future = self.pool.submit(fn)
        try:
            return future.result(timeout=self.time_limit)
        except FutureTimeout:
            raise HttpError(HTTPStatus.SERVICE_UNAVAILABLE,
                            f"the query ran past the time limit of {self.time_limit:g} s") from None
        except SyntaxError as exc:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            raise HttpError(HTTPStatus.INTERNAL_SERVER_ERROR, f"store error: {exc}") from None

    # --- responses ----------------------------------------------------------------------------

    def _json(self, obj):
        self._send(HTTPStatus.OK, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json")

    def _error(self, exc: HttpError):
        body = json.dumps({"error": str(exc), **exc.extra}, ensure_ascii=False).encode("utf-8")
        self._send(exc.status, body, "application/json")

    def _send(self, status: HTTPStatus, body: bytes, content_type: str | None):
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


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


def _child_query(path: str, text: str, accept: str | None, sender) -> None:
    try:
        media, payload = answer_sparql(ox.Store.read_only(path), text, accept)
        sender.send(("ok", media, payload))
    except HttpError as exc:
        sender.send(("error", int(exc.status), str(exc)))
    except PolicyflowsError as exc:
        sender.send(("error", int(HTTPStatus.BAD_REQUEST), str(exc)))
    except Exception as exc:  # reported to the client, not swallowed
        sender.send(("error", int(HTTPStatus.INTERNAL_SERVER_ERROR), f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def _one(args: dict, name: str) -> str:
    values = args.get(name)
    if not values or not values[0].strip():
        raise HttpError(HTTPStatus.BAD_REQUEST, f"missing parameter {name!r}")
    if len(values) > 1:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"give {name!r} once")
    return values[0]


def make_server(flow_store, host: str = "127.0.0.1", port: int = 7878, time_limit: float = DEFAULT_TIMEOUT,
                quiet: bool = True, workers: int = 8) -> ThreadingHTTPServer:
    """A server ready to ``serve_forever()``; port 0 picks a free port (``server.server_address``)."""
    handler = type("Handler", (FlowRequestHandler,), {
        "flow_store": flow_store, "time_limit": time_limit, "quiet": quiet,
        "pool": ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sparql"),
    })
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve_in_thread(flow_store, **kwargs) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Start a server in a daemon thread (for notebooks and tests); stop it with ``server.shutdown()``."""
    server = make_server(flow_store, **kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
