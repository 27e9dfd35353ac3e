"""A fake Datadog trace agent for tests and the benchmark: loopback HTTP, msgpack decoding.

It accepts trace payloads the way the real agent's receiver does:
  PUT/POST /v0.4/traces  msgpack: [trace, ...], trace = [span map, ...]
  PUT/POST /v0.5/traces  msgpack: [strings, [trace, ...]], trace = [span array, ...], where
                         each span is a 12-element array whose string fields are indices
                         into `strings` (the agent's "string table" format)
and answers {"rate_by_service":{}} as the agent does. Decoded spans are kept as dicts in
the v0.4 shape (service, name, resource, trace_id, span_id, parent_id, start, duration,
error, meta, metrics, type).

Other endpoints ddtrace calls are answered like an agent without those features:
  GET /info             404: ddtrace then assumes a plain agent, sends v0.5 traces and
                        computes no client-side stats
  POST /v0.7/config     404: remote configuration off (the real agent's answer when it is)
  POST /telemetry/...   202 {} (instrumentation telemetry is accepted and dropped)
  GET /fake-agent/stats 200 {"payloads": n, "spans": n, "errors": [...]}: this fake's own
                        counters, for a caller in another process (the benchmark)
  anything else         404 {}
Every request's method and path is recorded in `requests`. With ddtrace 4.16 under
ddtrace-run (gunicorn or Flask's server) the calls seen are: GET /info (polled),
POST /telemetry/proxy/api/v2/apmtelemetry and POST /v0.5/traces (/v0.4/traces with
DD_TRACE_API_VERSION=v0.4); /v0.7/config is not asked for once /info says 404.

Usable as a module (FakeTraceAgent) or run alone: python fake_trace_agent.py [port] (port 0:
any free one); it then prints "fake trace agent at <url>" and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

import msgpack

TRACE_PATHS = ("/v0.4/traces", "/v0.5/traces")
STATS_PATH = "/fake-agent/stats"

# Field order of a span in the v0.5 format (datadog-agent pkg/trace/api, "v05").
V05_FIELDS = (
    "service", "name", "resource", "trace_id", "span_id", "parent_id",
    "start", "duration", "error", "meta", "metrics", "type",
)
_V05_STRING_FIELDS = ("service", "name", "resource", "type")


# v0.4 encoders leave out empty or zero fields (a root span has no parent_id); the agent
# reads a missing field as its zero value, and so does this decoder.
_V04_ZERO = {"parent_id": 0, "error": 0, "meta": {}, "metrics": {}, "type": "", "resource": ""}


def decode_v04(payload: bytes) -> list[list[dict]]:
    """Decode a v0.4 payload into a list of traces, each a list of span dicts."""
    traces = msgpack.unpackb(payload, raw=False, strict_map_key=False)
    return [[{**_V04_ZERO, **span} for span in trace] for trace in traces]


def decode_v05(payload: bytes) -> list[list[dict]]:
    """Decode a v0.5 (string table) payload into the same shape as decode_v04."""
    strings, traces = msgpack.unpackb(payload, raw=False, strict_map_key=False)
    out = []
    for trace in traces:
        spans = []
        for fields in trace:
            if len(fields) != len(V05_FIELDS):
                raise ValueError(f"v0.5 span has {len(fields)} fields, expected {len(V05_FIELDS)}")
            span = dict(zip(V05_FIELDS, fields))
            for key in _V05_STRING_FIELDS:
                span[key] = strings[span[key]]
            span["meta"] = {strings[k]: strings[v] for k, v in span["meta"].items()}
            span["metrics"] = {strings[k]: v for k, v in span["metrics"].items()}
            spans.append(span)
        out.append(spans)
    return out


DECODERS = {"/v0.4/traces": decode_v04, "/v0.5/traces": decode_v05}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as ddtrace's HTTP client expects of the agent
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002 - silence per-request stderr lines
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after each chunk
        return self.rfile.read(int(self.headers.get("Content-Length", "0") or "0"))

    def _reply(self, status: int, obj: dict) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        path = self.path.split("?", 1)[0]
        body = self._body()
        agent = self.server.agent
        agent._record_request(self.command, path)
        if path in TRACE_PATHS and self.command in ("PUT", "POST"):
            try:
                traces = DECODERS[path](body)
            except Exception as exc:  # a payload we cannot decode is a test failure, not a crash
                agent._record_error(f"{path}: {exc!r}")
                self._reply(400, {"error": "undecodable payload"})
                return
            agent._record_traces(path, traces)
            self._reply(200, {"rate_by_service": {}})
        elif path.startswith("/telemetry/"):
            self._reply(202, {})
        elif path == STATS_PATH and self.command == "GET":
            self._reply(200, agent.stats())
        else:
            self._reply(404, {})

    do_GET = do_PUT = do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    agent: "FakeTraceAgent"


class FakeTraceAgent:
    """A trace agent on 127.0.0.1 that keeps every span it receives."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._server = _Server((host, port), _Handler)
        self._server.agent = self
        self._cond = threading.Condition()
        self.spans: list[dict] = []
        self.payloads: list[str] = []  # endpoint of each trace payload received
        self.requests: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self._thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FakeTraceAgent":
        # serve_forever checks for shutdown() every poll_interval: 0.05 s, not the default 0.5 s
        # that each stop() would wait.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-trace-agent", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeTraceAgent":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _record_request(self, method: str, path: str) -> None:
        with self._cond:
            self.requests.append((method, path))

    def _record_error(self, message: str) -> None:
        with self._cond:
            self.errors.append(message)
            self._cond.notify_all()

    def _record_traces(self, path: str, traces: list[list[dict]]) -> None:
        with self._cond:
            self.payloads.append(path)
            for trace in traces:
                self.spans.extend(trace)
            self._cond.notify_all()

    def span_count(self) -> int:
        with self._cond:
            return len(self.spans)

    def stats(self) -> dict:
        with self._cond:
            return {"payloads": len(self.payloads), "spans": len(self.spans), "errors": list(self.errors)}

    def wait_for_span(self, predicate: Callable[[dict], bool], timeout: float) -> dict:
        """Return the first received span matching predicate; wait for it up to timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for span in self.spans:
                    if predicate(span):
                        return span
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({(s.get("name"), s.get("resource")) for s in self.spans})
                    raise TimeoutError(
                        f"no matching span within {timeout}s; received (name, resource): {seen}; "
                        f"decode errors: {self.errors}"
                    )
                self._cond.wait(remaining)


def _serve_until_signalled(port: int) -> None:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with FakeTraceAgent(port=port) as fake:
        print(f"fake trace agent at {fake.url}", flush=True)
        stop.wait()


if __name__ == "__main__":
    _serve_until_signalled(int(sys.argv[1]) if len(sys.argv) > 1 else 8126)
