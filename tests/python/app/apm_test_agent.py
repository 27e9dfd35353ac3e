"""Datadog's APM test agent (`ddapm-test-agent`, PyPI, pinned in tests/python/requirements.txt), the
agent Datadog's tracer libraries are tested against, run as its own process on loopback.

It receives what ddtrace sends (traces in every format, client-side stats, telemetry, remote
config), answers /info as an agent does, and runs its trace checks on every payload. All its
checks are on (CHECKS); with failures pooled, /test/trace_check/failures answers 400 with each
failure, which `check_failures` returns. The app's fixtures assert that it is empty.

Spans come back from its /test/session/traces as dicts in the v0.4 shape (service, name, resource,
trace_id, span_id, parent_id, start, duration, error, meta, metrics, type).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from support import free_port, stop_process

# Every check ddapm-test-agent 1.69.1 has (ddapm_test_agent.agent: the Checks it registers). Which
# of them run on ddtrace's payloads, and which skip: docs/testing.md.
CHECKS = (
    "meta_tracer_version_header",
    "trace_count_header",
    "trace_content_length",
    "trace_stall",
    "trace_peer_service",
    "trace_dd_service",
    "meta_events_is_valid_json",
)
EXECUTABLE = Path(sys.executable).with_name("ddapm-test-agent")
START_TIMEOUT = 30.0
POLL = 0.1  # another process: its state is read over HTTP


class TestAgent:
    """ddapm-test-agent on 127.0.0.1, on free ports of its own (traces, OTLP HTTP and gRPC)."""

    __test__ = False  # not a pytest test class

    def __init__(self, **env: str):
        self.port = free_port()
        self._env = {
            **os.environ,
            "ENABLED_CHECKS": ",".join(CHECKS),
            "DD_POOL_TRACE_CHECK_FAILURES": "true",
            # It keeps the last MAX_REQUESTS requests (200 by default): a session fixture serves more.
            "MAX_REQUESTS": "100000",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        self.proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "TestAgent":
        cmd = [
            str(EXECUTABLE), "--host", "127.0.0.1", "--port", str(self.port),
            "--otlp-http-port", str(free_port()), "--otlp-grpc-port", str(free_port()),
        ]
        self.proc = subprocess.Popen(cmd, env=self._env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"ddapm-test-agent exited {self.proc.returncode}: {self.proc.stderr.read()}")
            try:
                self.get("/info")
                return self
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"ddapm-test-agent did not answer /info within {START_TIMEOUT}s")
                time.sleep(POLL)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, 10)
            self.proc.stderr.close()

    def get(self, path: str):
        with urllib.request.urlopen(self.url + path, timeout=10) as resp:
            return json.load(resp) if resp.headers.get_content_type() == "application/json" else resp.read().decode()

    @property
    def spans(self) -> list[dict]:
        """Every span received since the agent started."""
        return [span for trace in self.get("/test/session/traces") for span in trace]

    def stats(self) -> list[dict]:
        """The client-side stats payloads received (v0.6: Env, Version, Stats: [bucket, ...])."""
        return self.get("/test/session/stats")

    def check_summary(self) -> dict:
        """Per check: {"Passed_Checks": n, "Failed_Checks": n, "Skipped_Checks": n}."""
        return self.get("/test/trace_check/summary?return_all=true")

    def check_failures(self) -> str:
        """The trace checks' failures so far, as the agent words them; "" when none."""
        try:
            self.get("/test/trace_check/failures?return_all=true")
            return ""
        except urllib.error.HTTPError as err:
            if err.code != 400:
                raise
            return err.read().decode()

    def wait_for(self, read: Callable[[], list], predicate: Callable[[dict], bool], timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            items = read()
            for item in items:
                if predicate(item):
                    return item
            if time.monotonic() > deadline:
                raise TimeoutError(f"none of {len(items)} received matched within {timeout}s")
            time.sleep(POLL)

    def wait_for_span(self, predicate: Callable[[dict], bool], timeout: float) -> dict:
        """The first span received that matches predicate; waits for it up to timeout seconds."""
        return self.wait_for(lambda: self.spans, predicate, timeout)

    def wait_for_spans(self, predicate: Callable[[dict], bool], count: int, timeout: float) -> list[dict]:
        """The spans that match predicate, once there are `count` of them (or as many as arrived by timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [s for s in self.spans if predicate(s)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(POLL)
