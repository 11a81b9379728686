"""`policyflows serve`: the store as a read-only SPARQL 1.1 endpoint."""
from __future__ import annotations

import click

from policyflows.cli.store_cmd import open_store, store_option
from policyflows.errors import PolicyflowsError


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine by default; 0.0.0.0 opens it to the network.")
@click.option("--port", default=7878, show_default=True, type=int)
@click.option("--timeout", "time_limit", default=30.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="Seconds a query may run before the client gets 503.")
@click.option("--workers", default=None, type=click.IntRange(1, 256),
              help="Query worker processes, each with the store open  [default: 2 per core]")
@click.option("--verbose", "-v", is_flag=True, help="Log every request to standard error.")
def serve(store_path, host, port, time_limit, workers, verbose):
    """Serve the store as a read-only SPARQL 1.1 Protocol endpoint at /sparql.

    Also /where?term=… (the where JSON), /query/NAME?param=… (a named query) and /policies.
    Updates and SERVICE are refused. Long-lived query workers, each with the store open, accept
    the connections; a query that passes --timeout is answered 503 and stopped with its worker,
    and a warm spare takes that worker's place. /status shows the workers. Stop with Ctrl-C.

    \b
    Examples:
      policyflows serve
      curl -H 'Accept: text/csv' 'http://127.0.0.1:7878/sparql' --data-urlencode \\
           'query=SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
      curl 'http://127.0.0.1:7878/where?term=video'
    """
    import signal

    from policyflows.serve import DEFAULT_WORKERS, make_server

    store = open_store(store_path)
    try:
        server = make_server(store, host=host, port=port, time_limit=time_limit, quiet=not verbose,
                             workers=workers or DEFAULT_WORKERS)
    except OSError as exc:  # the port is taken, or the address is not this machine's
        raise PolicyflowsError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # `kill` (SIGTERM) stops the server as Ctrl-C does, so the query workers are stopped with it
    signal.signal(signal.SIGTERM, _stop)
    click.echo(f"SPARQL endpoint: http://{host}:{server.server_address[1]}/sparql  (store {store.path}; "
               f"{workers or DEFAULT_WORKERS} query workers; Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _stop(signum, frame):
    raise KeyboardInterrupt
