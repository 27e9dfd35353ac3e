"""The exercise's APM demo service: a small Flask app that Datadog traces.

The app holds no tracing code of its own. The container runs it under ``ddtrace-run``
(see the Dockerfile's CMD), which patches Flask so that every request becomes a trace
(a ``flask.request`` root span with resource ``GET /api/apm`` and so on) and, with
``DD_LOGS_INJECTION=true``, adds the trace and span ids of the active span to every log
record. The log format below prints them, so each log line in Datadog links to its trace.

Configuration comes from the environment (set by the Pulumi program):
  PORT             port to listen on (default 5050)
  DD_AGENT_HOST, DD_SERVICE, DD_ENV, DD_VERSION, DD_LOGS_INJECTION  read by ddtrace
"""

import logging
import os
import sys

from flask import Flask, jsonify, request

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

app = Flask(__name__)

ROUTES = {
    "/": "this service's routes",
    "/api/apm": "a request that ddtrace turns into a trace",
    "/api/trace": "another traced request, with a resource of its own",
    "/health": "liveness check for Docker's HEALTHCHECK",
}


@app.get("/")
def index():
    return jsonify(service="datadog-exercise demo app", routes=ROUTES)


@app.get("/api/apm")
def api_apm():
    return jsonify(message="APM is on: this request is traced and its logs carry the trace id")


@app.get("/api/trace")
def api_trace():
    return jsonify(message="Trace sent: look for resource 'GET /api/trace' in Datadog APM")


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.after_request
def log_request(response):
    # Logged while the request's span is still active, so the line carries its trace id.
    log.info("%s %s -> %s", request.method, request.path, response.status_code)
    return response


if __name__ == "__main__":
    # Flask's development server: the seed exercise's way to run the app (`ddtrace-run
    # python app.py`), kept for comparison in tests/bench/app_bench.py. The container runs
    # gunicorn instead (Dockerfile CMD).
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", DEFAULT_PORT)))
