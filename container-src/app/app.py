"""The exercise's APM demo service: a small Flask app that Datadog traces.

The app holds no tracing code of its own. The container runs it under ``ddtrace-run``
(see the Dockerfile's CMD), which patches Flask so that every request becomes a trace
(a ``flask.request`` root span with resource ``GET /api/apm`` and so on) and, with
``DD_LOGS_INJECTION=true``, adds the trace and span ids of the active span to every log
record. The log format below prints them, so each log line in Datadog links to its trace.

GET /api/items reads a table from PostgreSQL with psycopg 3; ddtrace traces each query as a
``postgres.query`` span under the request's span and, with ``DD_DBM_PROPAGATION_MODE=full``,
prefixes the SQL with a comment that carries the trace context (Database Monitoring links the
query's samples to the trace). GET /api/error fails on purpose: an unhandled exception, so a 500
whose span and log line carry the stack trace (Error Tracking).

The live demo's scenarios (docs/live-demo.md) make it misbehave on cue, from the environment: with
DEMO_SLOW_PERCENT and DEMO_SLOW_MS, that share of requests waits that long first (scenario ``slow``:
the p95 latency goes above its monitor's critical); with DEMO_ERROR_PERCENT, that share fails with
a 500 (scenario ``errors``: the error rate goes above its critical and the SLO burns). /health
never does either. Unset (the default), the app serves as it is.

Configuration comes from the environment (set by the Pulumi program):
  PORT             port to listen on (default 5050)
  PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD  where and as whom to connect to PostgreSQL
                   (libpq's own variables: psycopg reads them itself)
  DD_AGENT_HOST, DD_SERVICE, DD_ENV, DD_VERSION, DD_LOGS_INJECTION, DD_DBM_PROPAGATION_MODE  read by ddtrace
"""

import logging
import os
import random
import sys
import time

from flask import Flask, got_request_exception, request
from psycopg_pool import ConnectionPool

DEFAULT_PORT = 5050

# The format from Datadog's Python log-correlation docs: ddtrace fills the dd.* attributes.
LOG_FORMAT = (
    "%(asctime)s %(levelname)s [%(name)s] [%(filename)s:%(lineno)d] "
    "[dd.service=%(dd.service)s dd.env=%(dd.env)s dd.version=%(dd.version)s "
    "dd.trace_id=%(dd.trace_id)s dd.span_id=%(dd.span_id)s] - %(message)s"
)

# What a record carries when ddtrace is absent (app run without ddtrace-run) or no span is
# active: the same values ddtrace itself uses then, so the format above never fails.
_DD_DEFAULTS = {
    "dd.service": "",
    "dd.env": "",
    "dd.version": "",
    "dd.trace_id": "0",
    "dd.span_id": "0",
}


class _DefaultDatadogFields(logging.Filter):
    """Fill in any dd.* attribute that ddtrace did not set on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _DD_DEFAULTS.items():
            record.__dict__.setdefault(key, value)
        return True


def _configure_logging() -> logging.Logger:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(_DefaultDatadogFields())
    logger = logging.getLogger("datadog_exercise.app")
    logger.setLevel(logging.INFO)
    logger.handlers[:] = [handler]
    logger.propagate = False  # one line per record, whatever the server does with the root logger
    return logger


log = _configure_logging()


def _percent(name: str) -> float:
    value = float(os.environ.get(name, "0"))
    if not 0 <= value <= 100:
        raise ValueError(f"{name} must be a percentage, 0..100 (got {value:g})")
    return value


SLOW_PERCENT = _percent("DEMO_SLOW_PERCENT")
SLOW_SECONDS = float(os.environ.get("DEMO_SLOW_MS", "0")) / 1000
ERROR_PERCENT = _percent("DEMO_ERROR_PERCENT")


class DemoError(RuntimeError):
    """The failure GET /api/error (and the errors scenario) raises on purpose."""


class _App(Flask):
    """Flask, plus one log line per request, and the scenario's waits and failures."""

    def dispatch_request(self):
        # Here rather than in a before_request hook: ddtrace records every hook as a span of its own.
        if request.path != "/health":
            if SLOW_PERCENT and random.random() * 100 < SLOW_PERCENT:
                time.sleep(SLOW_SECONDS)
            if ERROR_PERCENT and random.random() * 100 < ERROR_PERCENT:
                raise DemoError(f"the errors scenario fails {ERROR_PERCENT:g} % of requests on purpose")
        return super().dispatch_request()

    def process_response(self, response):
        # Logged while the request's span is still active, so the line carries its trace id. Here
        # rather than in an after_request hook: ddtrace records every hook call as a span of its
        # own, and this line needs none.
        response = super().process_response(response)
        log.info("%s %s -> %s", request.method, request.path, response.status_code)
        return response


app = _App(__name__)
# Flask logs an unhandled exception (GET /api/error) on app.logger: give it the correlated format.
app.logger.handlers[:] = log.handlers
app.logger.propagate = False

ROUTES = {
    "/": "this service's routes",
    "/api/apm": "a request that ddtrace turns into a trace",
    "/api/trace": "another traced request, with a resource of its own",
    "/api/items": "reads the items table from PostgreSQL (postgres.query spans)",
    "/api/error": "fails on purpose: a 500 with a stack trace, for Error Tracking",
    "/health": "liveness check for Docker's HEALTHCHECK",
}

ITEMS_QUERY = "SELECT id, name, price_cents FROM app.items ORDER BY id"

# Connections to PostgreSQL, kept open between requests: a new one per request would cost a TCP
# handshake, a SCRAM authentication and a server process each time. One pool per gunicorn worker
# (the app is imported after the fork, gunicorn.conf.py), at most one connection per worker thread
# (4), opened when first needed, so the app starts, and serves its other routes, without the
# database. Autocommit: the route's single SELECT needs no transaction (no BEGIN/COMMIT round trips).
# A request waits at most 5 s for a connection, then fails (500).
POOL_MAX_SIZE = 4
pool = ConnectionPool(
    min_size=0,
    max_size=POOL_MAX_SIZE,
    kwargs={"autocommit": True, "connect_timeout": 5, "application_name": "exercise-app"},
    timeout=5,
    name="exercise-app",
    open=True,
)


@app.get("/")
def index():
    return dict(service="datadog-exercise demo app", routes=ROUTES)


@app.get("/api/apm")
def api_apm():
    return dict(message="APM is on: this request is traced and its logs carry the trace id")


@app.get("/api/trace")
def api_trace():
    return dict(message="Trace sent: look for resource 'GET /api/trace' in Datadog APM")


@app.get("/api/items")
def api_items():
    # getconn/putconn rather than `with pool.connection()`, whose `with conn:` would also commit
    # (a no-op in autocommit mode, but one more traced call per request).
    conn = pool.getconn()
    try:
        rows = conn.execute(ITEMS_QUERY).fetchall()
    finally:
        pool.putconn(conn)
    return dict(items=[{"id": i, "name": name, "price_cents": price} for i, name, price in rows])


@app.get("/api/error")
def api_error():
    # Unhandled on purpose: Flask answers 500 and logs the traceback (app.logger, correlated).
    raise DemoError("GET /api/error fails on purpose (the demo's error route)")


@got_request_exception.connect_via(app)
def _error_on_the_request_span(sender, exception, **extra):
    """Put an unhandled exception's type, message and stack on the request's span (flask.request).
    ddtrace marks that span as an error (status 500) but records the exception only on the inner
    span where it was raised, and Error Tracking reads service entry spans only
    (https://docs.datadoghq.com/error_tracking/troubleshooting/). A no-op without ddtrace."""
    if "ddtrace" not in sys.modules:
        return
    from ddtrace.trace import tracer

    root = tracer.current_root_span()
    if root is not None:
        root.set_exc_info(type(exception), exception, exception.__traceback__)


@app.get("/health")
def health():
    return dict(status="ok")


if __name__ == "__main__":
    # Flask's development server: the seed exercise's way to run the app (`ddtrace-run
    # python app.py`), kept for comparison in tests/bench/app_bench.py. The container runs
    # gunicorn instead (Dockerfile CMD).
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", DEFAULT_PORT)))
