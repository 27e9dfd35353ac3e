#!/usr/bin/env python3
"""Benchmark: the APM demo app served three ways, measured with wrk on loopback.

  (a) seed      the seed exercise's way: `ddtrace-run python app.py` (Flask's dev server)
  (b) container our Dockerfile's CMD, parsed from the Dockerfile: gunicorn under ddtrace-run
  (c) untraced  the same CMD without its first element (gunicorn alone, no ddtrace)

All three send traces (if any) to Datadog's APM test agent (ddapm-test-agent, as the app's tests
run it: tests/python/app/apm_test_agent.py), on 127.0.0.1, a process of its own (as the real
Agent is): its work is not done inside this script and counted against nobody; its CPU time per
way is printed, so its share of the machine is visible.
For each path (/api/apm, and /api/items, which reads PostgreSQL) and each way: start the server,
wait for /health, a warm-up wrk run, then one measured run (2 threads, 16 connections, 10 s by
default, --latency). Prints requests per second and p50/p99 latency, and the ratios b/a and c/b.
All three ways reach a real PostgreSQL (tests/python/postgres_harness.py: Debian's server on
loopback with our postgresql.conf and both init scripts) as the `app` role. Every wrk run is bounded in time, and only
loopback addresses are used. wrk and the test agent share the machine's cores with the server,
so the figures compare the three ways with each other; they are not the capacity of a
dedicated host.

Needs:
  - wrk, from Debian's packages: `apt-get update && apt-get install -y wrk`
  - a Python with the app's requirements and ddapm-test-agent, e.g. the test venv:
      .venv/bin/python tests/bench/app_bench.py   (after tests/run.sh, or
      python3 -m venv .venv && .venv/bin/pip install -r tests/python/requirements.txt)
Options: --duration SECONDS (10), --warmup SECONDS (3), --connections N (16),
         --threads N (2), --path PATH (repeatable; default /api/apm and /api/items).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
APP_DIR = REPO / "container-src" / "app"
TESTS_PY = REPO / "tests" / "python"
TEST_DIR = TESTS_PY / "app"
sys.path.insert(0, str(TESTS_PY))  # for support (what pytest.ini's `pythonpath = .` does)

import secrets  # noqa: E402

import postgres_harness  # noqa: E402
from support import load_module, stop_process  # noqa: E402

harness = load_module("exercise_app_harness", TEST_DIR / "harness.py")  # Dockerfile parsing, env
apm_test_agent = load_module("exercise_apm_test_agent", TEST_DIR / "apm_test_agent.py")

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}  # to milliseconds


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    """Requests/sec and the 50%/99% latencies (ms) from `wrk --latency` output."""
    rps = float(re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": rps,
        "p50_ms": _ms(lat["50"]),
        "p99_ms": _ms(lat["99"]),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else "",
    }


def run_wrk(url: str, threads: int, connections: int, seconds: float) -> str:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--timeout", "5s", "--latency", url]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=seconds + 30).stdout


class Server:
    """One way of running the app; stdout (one log line per request) goes to /dev/null so
    the benchmark process spends no CPU reading it."""

    def __init__(self, cmd: list[str], agent_url: str, bound, db_env: dict[str, str]):
        self.port = harness.free_port()
        self.cmd = cmd
        self.bound = bound(self.port)  # its stderr line once it holds the port
        env = harness.venv_env(
            PORT=str(self.port),
            DD_SERVICE="exercise-app-bench",
            DD_ENV="bench",
            DD_VERSION="bench",
            DD_LOGS_INJECTION="true",
            DD_TRACE_AGENT_URL=agent_url,
            **db_env,
        )
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            cmd, cwd=APP_DIR, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._stderr, start_new_session=True,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Its own word that it holds the port first (so no other process on it passes for this
        one), then /health."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.bound.search(self.stderr()):
                self._check_running()
                continue
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            self._check_running()
        raise RuntimeError(f"{self.cmd} not ready within {timeout}s:\n{self.stderr()}")

    def _check_running(self) -> None:
        """Waits 0.05 s; raises if the server has exited."""
        try:
            code = self.proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            return
        raise RuntimeError(f"{self.cmd} exited with {code}:\n{self.stderr()}")

    def stderr(self) -> str:
        # pread: the server writes through the same open file, so moving its offset (seek) would
        # make the server's next line land over the start of the file.
        fd = self._stderr.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def stop(self) -> None:
        stop_process(self.proc, 15, group=True)
        self._stderr.close()


class AgentProcess:
    """ddapm-test-agent in a process of its own, on a free port; read back over HTTP."""

    def __init__(self):
        self.agent = apm_test_agent.TestAgent().start()
        self.proc = self.agent.proc
        self.url = self.agent.url

    def stats(self) -> dict:
        requests = self.agent.get("/test/session/requests")
        payloads = sum(1 for r in requests if re.search(r"/v0\.[45]/traces$", r["url"].split("?")[0]))
        return {"payloads": payloads, "spans": len(self.agent.spans), "errors": self.agent.check_failures()}

    def cpu_seconds(self) -> float:
        """User + system CPU time the agent process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.agent.stop()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def measure(agent: "AgentProcess", cmd: list[str], bound, db_env: dict[str, str], path: str, args) -> dict:
    before, cpu_before = agent.stats(), agent.cpu_seconds()
    server = Server(cmd, agent.url, bound, db_env)
    try:
        server.wait_ready()
        run_wrk(server.url + path, args.threads, args.connections, args.warmup)
        out = run_wrk(server.url + path, args.threads, args.connections, args.duration)
    finally:
        server.stop()  # ddtrace flushes its last traces on exit
    after = agent.stats()
    res = parse_wrk(out)
    res["spans"] = after["spans"] - before["spans"]
    res["payloads"] = after["payloads"] - before["payloads"]
    res["agent_cpu"] = agent.cpu_seconds() - cpu_before
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--path", action="append", dest="paths")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        print("wrk not found: apt-get update && apt-get install -y wrk", file=sys.stderr)
        return 2

    container_cmd = harness.dockerfile_cmd()
    def flask_bound(port: int) -> re.Pattern:
        return re.compile(rf"Running on http://\S+:{port}\b")

    ways = [
        ("a", "seed: ddtrace-run python app.py (Flask dev server)", ["ddtrace-run", "python", "app.py"], flask_bound),
        ("b", "container: " + " ".join(container_cmd), container_cmd, harness.gunicorn_bound),
        ("c", "untraced: " + " ".join(container_cmd[1:]), container_cmd[1:], harness.gunicorn_bound),
    ]
    paths = args.paths or ["/api/apm", "/api/items"]
    print(f"host: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"python {platform.python_version()}; wrk -t{args.threads} -c{args.connections} "
          f"-d{int(args.duration)}s --latency (after a {int(args.warmup)} s warm-up)")

    with postgres_harness.running_server() as pg:
        app_password = "bench-" + secrets.token_urlsafe(16)
        for result in (pg.run_init_script("bench-dd-" + secrets.token_urlsafe(16)), pg.run_app_init_script(app_password)):
            if result.returncode != 0:
                raise RuntimeError(f"init script failed:\n{result.stderr}")
        db_env = harness.pg_env(pg.port, app_password)
        agent = AgentProcess()
        try:
            for path in paths:
                print(f"--- GET {path}")
                results = {}
                for key, label, cmd, bound in ways:
                    results[key] = measure(agent, cmd, bound, db_env, path, args)
                    res = results[key]
                    print(f"({key}) {label}\n    {res['rps']:9.1f} req/s   p50 {res['p50_ms']:7.2f} ms   "
                          f"p99 {res['p99_ms']:7.2f} ms   non-2xx {res['non_2xx']}   "
                          f"test agent (warm-up included): {res['spans']} spans in {res['payloads']} payloads, "
                          f"{res['agent_cpu']:.2f} s CPU"
                          + (f"   {res['socket_errors']}" if res["socket_errors"] else ""), flush=True)
                a, b, c = results["a"], results["b"], results["c"]
                print(f"b/a (container vs seed, both traced): req/s x{b['rps'] / a['rps']:.2f}, "
                      f"p50 x{b['p50_ms'] / a['p50_ms']:.2f}, p99 x{b['p99_ms'] / a['p99_ms']:.2f}")
                print(f"c/b (untraced vs traced gunicorn):    req/s x{c['rps'] / b['rps']:.2f}, "
                      f"p50 x{c['p50_ms'] / b['p50_ms']:.2f}, p99 x{c['p99_ms'] / b['p99_ms']:.2f}", flush=True)
            errors = agent.stats()["errors"]
            if errors:
                print(f"test agent trace check failures: {errors}")
        finally:
            agent.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
