"""Helpers for the APM demo app's tests: the Dockerfile's CMD and HEALTHCHECK, and the app
run as a real process with its output collected.

conftest.py loads this file as the module `exercise_app_harness` (pytest runs with
--import-mode=importlib, so this folder is not on sys.path); tests import it by that name.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator, Optional

from support import free_port

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
APP_DIR = REPO / "container-src" / "app"
DOCKERFILE = APP_DIR / "Dockerfile"

# Values the tests give ddtrace, and then look for on spans and log lines.
DD_SERVICE = "exercise-app-test"
DD_ENV = "pytest"
DD_VERSION = "1.2.3-test"
# Each test request carries this header with a fresh value; ddtrace copies it onto the
# request's span as the tag below, so a test finds the span of its own request.
REQUEST_HEADER = "X-Test-Request-Id"
REQUEST_TAG = "test.request_id"

START_TIMEOUT = 30.0  # ddtrace-run + gunicorn boot in ~2 s here; generous for a slow CI
SPAN_TIMEOUT = 15.0  # the writer flushes every 0.2 s in these tests
STOP_TIMEOUT = 15.0
START_TRIES = 3  # a probed free port can be taken before the server binds it: retry on a new one
# How gunicorn ("connection to ... failed: [Errno 98] Address already in use", after its own
# "Connection in use") and Python's own servers (OSError: [Errno 98] ...) say so.
PORT_TAKEN = re.compile(r"\[Errno 98\] Address already in use")


def dockerfile_instructions(keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction in the Dockerfile, continuations joined."""
    logical, current = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    return [ln[len(keyword):].strip() for ln in logical if ln.upper().startswith(keyword.upper() + " ")]


def dockerfile_instruction(keyword: str) -> str:
    """The arguments of the last `keyword` instruction in the Dockerfile."""
    found = dockerfile_instructions(keyword)
    if not found:
        raise AssertionError(f"no {keyword} instruction in {DOCKERFILE}")
    return found[-1]


def dockerfile_cmd() -> list[str]:
    """The Dockerfile's CMD, which must be exec form (a JSON array of strings)."""
    cmd = json.loads(dockerfile_instruction("CMD"))
    assert isinstance(cmd, list) and cmd and all(isinstance(a, str) for a in cmd), cmd
    return cmd


def dockerfile_env() -> dict[str, str]:
    """The image's environment: every `ENV key=value` pair of the Dockerfile (values unquoted)."""
    import shlex

    return dict(pair.split("=", 1) for env in dockerfile_instructions("ENV") for pair in shlex.split(env))


def pg_env(port: int, password: str) -> dict[str, str]:
    """What the Pulumi program gives the app's container to reach PostgreSQL as the `app` role
    (libpq's own variables; here the test server on loopback) and Database Monitoring's trace
    propagation."""
    return {
        "PGHOST": "127.0.0.1",
        "PGPORT": str(port),
        "PGDATABASE": "postgres",
        "PGUSER": "app",
        "PGPASSWORD": password,
        "DD_DBM_PROPAGATION_MODE": "full",
    }


def healthcheck_cmd() -> list[str]:
    """The HEALTHCHECK's command (exec form), without its options."""
    args = dockerfile_instruction("HEALTHCHECK")
    match = re.search(r"\bCMD\s+(\[.*\])\s*$", args)
    assert match, f"HEALTHCHECK is not `... CMD [json array]`: {args}"
    return json.loads(match.group(1))


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port where nothing listens: bound (so no one else takes it) but never
    listening, so a connection to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


def venv_env(**overrides: str) -> dict[str, str]:
    """The environment for a process of the app: this venv's bin first on PATH, no DD_*, OTEL_* or
    PG* settings inherited from the machine, the image's own ENV (the Dockerfile's), then `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DD_", "OTEL_", "PG"))}
    env.update(dockerfile_env())
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


class AppProcess:
    """A server process whose stdout and stderr lines are collected as they arrive."""

    def __init__(self, cmd: list[str], env: dict[str, str], port: int, cwd: Path = APP_DIR):
        self.cmd, self.port = cmd, port
        self._cond = threading.Condition()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        # A session of its own: gunicorn's workers (and anything ddtrace spawns) form one
        # process group that stop() can end together.
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _read(self, stream, sink: list[str]) -> None:
        for line in stream:
            with self._cond:
                sink.append(line.rstrip("\n"))
                self._cond.notify_all()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        with self._cond:
            return "--- stdout\n" + "\n".join(self.stdout) + "\n--- stderr\n" + "\n".join(self.stderr)

    def wait_ready(self, bound: re.Pattern, timeout: float = START_TIMEOUT) -> None:
        """Wait for the server's own word that it holds the port (a stderr line matching `bound`),
        then poll GET /health until it answers 200; fail at once if the process exits. The line
        comes first so that another process on the same port can never pass for this one."""
        deadline = time.monotonic() + timeout
        while not self._has_line(self.stderr, bound):
            self._fail_if_exited_or_late(deadline, timeout, "said it listens")
        while True:
            try:
                with urllib.request.urlopen(self.base_url + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            self._fail_if_exited_or_late(deadline, timeout, "was ready")

    def _has_line(self, sink: list[str], pattern: re.Pattern) -> bool:
        with self._cond:
            return any(pattern.search(line) for line in sink)

    def _fail_if_exited_or_late(self, deadline: float, timeout: float, what: str) -> None:
        if time.monotonic() > deadline:
            raise AssertionError(f"{self.cmd} not ready within {timeout}s\n{self.output()}")
        try:  # the pause between tries doubles as the check that the server is still running
            code = self.proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            return
        raise AssertionError(f"{self.cmd} exited with {code} before it {what}\n{self.output()}")

    def wait_for_line(self, stream: str, predicate: Callable[[str], bool], timeout: float) -> str:
        sink = self.stdout if stream == "stdout" else self.stderr
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in sink:
                    if predicate(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching {stream} line within {timeout}s\n{self.output()}")
                self._cond.wait(remaining)

    def get(self, path: str, request_id: Optional[str] = None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.base_url + path)
        if request_id:
            req.add_header(REQUEST_HEADER, request_id)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def stop(self) -> None:
        """End the server and all it started (its process group) at once, with SIGKILL: the tests
        need it gone, not a graceful shutdown, which under ddtrace-run takes about 3 s (ddtrace's
        exit hooks in each worker) and which no test asserts on."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # the whole group has exited already
            pass
        self.proc.wait(timeout=STOP_TIMEOUT)
        for t in self._readers:
            t.join(timeout=5)


class PortTaken(AssertionError):
    """The server exited before it was ready because its port was taken."""


def gunicorn_bound(port: int) -> re.Pattern:
    """gunicorn's stderr line once it holds the port: "Listening at: http://0.0.0.0:<port> (<pid>)"."""
    return re.compile(rf"Listening at: http://\S+:{port} \(\d+\)")


def start_app(
    cmd: list[str], agent_url: str, bound: Callable[[int], re.Pattern] = gunicorn_bound, **extra_env: str
) -> AppProcess:
    """Start `cmd` on a free port and wait until it says it listens (`bound(port)` on stderr) and
    /health answers; on a port taken meanwhile, retry (START_TRIES in all) on a new port."""
    for attempt in range(1, START_TRIES + 1):
        try:
            return _start_app_once(cmd, agent_url, free_port(), bound, **extra_env)
        except PortTaken:
            if attempt == START_TRIES:
                raise
    raise AssertionError("unreachable")


def _start_app_once(
    cmd: list[str], agent_url: str, port: int, bound: Callable[[int], re.Pattern], **extra_env: str
) -> AppProcess:
    env = venv_env(
        PORT=str(port),
        DD_SERVICE=DD_SERVICE,
        DD_ENV=DD_ENV,
        DD_VERSION=DD_VERSION,
        DD_LOGS_INJECTION="true",
        DD_TRACE_AGENT_URL=agent_url,
        # Flush spans every 0.2 s instead of every 1 s, so the tests wait less.
        DD_TRACE_WRITER_INTERVAL_SECONDS="0.2",
        DD_TRACE_HEADER_TAGS=f"{REQUEST_HEADER}:{REQUEST_TAG}",
        # Instrumentation telemetry and remote configuration stay on, as in the container:
        # ddtrace sends both to DD_TRACE_AGENT_URL, i.e. the test agent (or, in the fault
        # test, the closed port), so they reach no network and need no switch here.
        **extra_env,
    )
    app = AppProcess(cmd, env, port)
    try:
        app.wait_ready(bound(port))
    except AssertionError as err:
        exited_by_itself = app.proc.poll() is not None
        app.stop()
        if exited_by_itself and PORT_TAKEN.search(app.output()):
            raise PortTaken(f"port {port} taken\n{app.output()}") from err
        raise
    except BaseException:
        app.stop()
        raise
    return app
