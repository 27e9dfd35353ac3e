"""container-src/app/traffic.py, the traffic generator's container command, run against the real
app (the Dockerfile's CMD, on the real PostgreSQL) for a few seconds."""

import json
import re
import signal
import subprocess
import sys
import time

import pytest

import exercise_app_harness as harness
from support import read_line

TRAFFIC = harness.APP_DIR / "traffic.py"
TRAFFIC_CMD = ["python", "traffic.py"]  # the command the Pulumi program gives the traffic container
ROUTES = {"/", "/api/apm", "/api/trace", "/api/items", "/api/error"}
REQUEST_LINE = re.compile(r"- GET (\S+) -> (\d+)$")  # the app's own log line per request


def start_traffic(target, rate, **env):
    return subprocess.Popen(
        TRAFFIC_CMD, cwd=harness.APP_DIR, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=harness.venv_env(TARGET_URL=target, REQUESTS_PER_SECOND=str(rate), **env),
    )


def stop(proc, timeout=5.0):
    """SIGTERM, then the exit code, the time it took and the output. A process still running after
    `timeout` is killed (so no test leaves one behind) and fails the test."""
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"traffic.py still running {timeout}s after SIGTERM; its stderr:\n{err}") from None
    return proc.returncode, time.monotonic() - started, out, err


def summaries(stdout):
    return [json.loads(ln.removeprefix("traffic: ")) for ln in stdout.splitlines() if ln.startswith("traffic: {")]


def wait_until_every_route_was_served(app, since, timeout=20.0):
    """(route, status) of each request the app logged after line `since`, once every route is among
    them and one more request came after: the generator (one request at a time) then has the
    response of the request that completed the set, and counts it even if stopped at once."""
    deadline = time.monotonic() + timeout
    while True:
        with app._cond:
            lines = app.stdout[since:]
        # The harness's last readiness probe (GET /health) can be logged after `since` was taken:
        # it is not the generator's (which never calls /health: see the tests of its mix).
        seen = [m.groups() for m in map(REQUEST_LINE.search, lines) if m and m.group(1) != "/health"]
        complete_at = next((i for i in range(len(seen)) if {r for r, _ in seen[: i + 1]} >= ROUTES), None)
        if complete_at is not None and len(seen) > complete_at + 1:
            return seen
        assert time.monotonic() < deadline, f"routes not reached within {timeout}s: {sorted(ROUTES - {r for r, _ in seen})}"
        with app._cond:
            app._cond.wait(0.2)


@pytest.fixture(scope="module")
def traffic_run(db_app):
    """The generator at 40 requests/s against the real app until every route was served; then stopped."""
    with db_app._cond:
        since = len(db_app.stdout)
    proc = start_traffic(db_app.base_url, 40)
    try:
        served = wait_until_every_route_was_served(db_app, since)
    finally:
        code, took, out, err = stop(proc)
    return {"served": served, "code": code, "took": took, "stdout": out, "stderr": err}


def test_reaches_every_route(traffic_run):
    assert {route for route, _ in traffic_run["served"]} == ROUTES


def test_only_the_error_route_answers_errors(traffic_run):
    statuses = {}
    for route, status in traffic_run["served"]:
        statuses.setdefault(route, set()).add(status)
    assert statuses == {route: {"500"} if route == "/api/error" else {"200"} for route in ROUTES}


def test_calls_the_database_route_most_and_the_error_route_least(traffic_run):
    (last,) = summaries(traffic_run["stdout"])[-1:]
    counts = {route: sum(by_status.values()) for route, by_status in last["responses"].items()}
    assert max(counts, key=counts.get) == "/api/items"
    assert counts["/api/error"] == min(counts.values())


def test_sigterm_stops_it_promptly_with_exit_code_0(traffic_run):
    assert traffic_run["code"] == 0, traffic_run["stderr"]
    assert traffic_run["took"] < 2.0


@pytest.mark.parametrize("rate", [0, 200])
def test_sigterm_at_any_moment_stops_it(db_app, rate):
    # 20 signals at different points of its loop (idle, between requests, inside one): a handler
    # that took a lock the interrupted code held would hang some of them (it did, with an Event).
    for _ in range(20):
        proc = start_traffic(db_app.base_url, rate)
        read_line(proc, timeout=10)
        code, _, out, err = stop(proc)
        assert (code, err) == (0, ""), err
        assert out.startswith("traffic: {")


def test_its_log_is_a_start_line_and_one_summary_per_interval(traffic_run):
    lines = traffic_run["stdout"].splitlines()
    assert lines[0].startswith("traffic: 40 requests/s to http://127.0.0.1:")
    # A run shorter than SUMMARY_SECONDS (60) prints only the summary at exit; no line per request.
    assert len(lines) == 2 and lines[1].startswith("traffic: {")
    assert traffic_run["stderr"] == ""


def test_summary_counts_every_response_it_got(traffic_run):
    (last,) = summaries(traffic_run["stdout"])
    assert last["requests"] == sum(sum(c.values()) for c in last["responses"].values()) >= len(ROUTES)
    assert last["responses"]["/api/error"] == {"500": last["responses"]["/api/error"]["500"]}


def test_prints_a_summary_every_summary_seconds(db_app):
    proc = start_traffic(db_app.base_url, 20, SUMMARY_SECONDS="0.5")
    try:
        first = read_line(proc, timeout=10)
        second = read_line(proc, timeout=10)  # the first periodic summary
    finally:
        code, _, rest, _ = stop(proc)
    assert first.startswith("traffic: 20 requests/s")
    (summary,) = summaries(second)
    assert summary["seconds"] >= 0.5 and summary["requests"] > 0, second
    assert code == 0


def test_zero_requests_per_second_sends_nothing_and_stops_cleanly(db_app):
    with db_app._cond:
        since = len(db_app.stdout)
    proc = start_traffic(db_app.base_url, 0)
    first = read_line(proc, timeout=10)  # it has read its settings and installed its signal handlers
    code, took, out, err = stop(proc)

    assert first.startswith("traffic: 0 requests/s") and "off" in first
    assert (code, err) == (0, "")
    assert summaries(out) == [{"seconds": summaries(out)[0]["seconds"], "requests": 0, "responses": {}}]
    with db_app._cond:
        assert not any(REQUEST_LINE.search(ln) for ln in db_app.stdout[since:])


def test_counts_an_unreachable_app_as_errors_and_keeps_going():
    with harness.closed_port() as port:
        proc = start_traffic(f"http://127.0.0.1:{port}", 50, SUMMARY_SECONDS="0.2")
        try:
            read_line(proc, timeout=10)
            (summary,) = summaries(read_line(proc, timeout=10))
        finally:
            code, *_ = stop(proc)
    assert set(summary["responses"]["/api/items"]) == {"error"}
    assert code == 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TARGET_URL": ""}, "TARGET_URL must be the app's http(s) URL"),
        ({"TARGET_URL": "http://app:5050", "REQUESTS_PER_SECOND": "fast"}, "must be numbers"),
        ({"TARGET_URL": "http://app:5050", "REQUESTS_PER_SECOND": "-1"}, "REQUESTS_PER_SECOND must be 0..1000"),
    ],
    ids=["no-target", "not-a-number", "negative"],
)
def test_bad_settings_fail_at_once_with_the_reason(env, message):
    result = subprocess.run(
        TRAFFIC_CMD, cwd=harness.APP_DIR, env=harness.venv_env(**env), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_uses_the_standard_library_only():
    # The image installs nothing for it; python without site-packages must be able to import it.
    result = subprocess.run(
        [sys.executable, "-S", "-c", "import sys; sys.path.insert(0, '.'); import traffic"],
        cwd=harness.APP_DIR, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost Stopped, as Python reports it
def test_a_stop_signal_lost_in_a_finalizer_still_ends_the_run():
    """Python only prints an exception raised while a finalizer runs: the run must still end."""
    from support import load_module

    traffic = load_module("traffic_under_test", TRAFFIC, keep=False)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    calls = []

    class Finalized:
        def __del__(self):
            traffic._on_stop_signal(signal.SIGTERM, None)  # the signal lands here: Stopped is lost

    def call(url):
        calls.append(url)
        assert len(calls) < 3, "the run went on after the stop signal"
        Finalized()  # created and collected at once, its finalizer runs
        return "200"

    traffic.call = call
    try:
        traffic.run("http://127.0.0.1:9", rate=1000, summary_every=60)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert calls == ["http://127.0.0.1:9/api/items"]


IMPORT_PROBE = """
import json, sys
import traffic

imported, calls, real_call = [], [], traffic.call

def call(url):
    if not calls:  # from the first request on, record every import
        sys.addaudithook(lambda event, args: event == "import" and imported.append(args[0]))
    calls.append(url)
    if len(calls) == 2 * len(traffic.CYCLE):  # every route, the error route's 500 included, twice
        traffic._stopping = True
    return real_call(url)

traffic.call = call
traffic.run(sys.argv[1], rate=1000, summary_every=60)
print(json.dumps(imported))
"""


def test_its_loop_imports_nothing(db_app):
    """A stop signal that lands while a module is imported can be lost in importlib's lock callback
    (Python prints "Exception ignored in: <function _get_module_lock.<locals>.cb>" and goes on), so
    every module the requests need is imported before the first one (it was: encodings.idna)."""
    result = subprocess.run(
        ["python", "-c", IMPORT_PROBE, db_app.base_url], cwd=harness.APP_DIR, env=harness.venv_env(),
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def drive(rate, seconds, slow=None):
    """The routes traffic.run calls at `rate` over `seconds` of a fake clock (its time and call
    stubbed: no app, no sleeping), and the fake times of the calls. `slow` maps a call's index to
    the seconds its response takes."""
    from types import SimpleNamespace

    from support import load_module

    traffic = load_module("traffic_driven", TRAFFIC, keep=False)
    clock = [0.0]
    calls = []

    def sleep(s):
        assert s >= 0
        clock[0] += s

    def call(url):
        calls.append((url.removeprefix("http://app:5050"), clock[0]))
        clock[0] += (slow or {}).get(len(calls) - 1, 0)
        if clock[0] >= seconds - 1e-6:  # float steps: 50 x 0.02 is a hair under 1
            traffic._stopping = True
        return "200"

    traffic.time = SimpleNamespace(monotonic=lambda: clock[0], sleep=sleep)
    traffic.call = call
    traffic.run("http://app:5050", rate, summary_every=3600)
    return calls


def test_the_mix_is_twelve_database_three_apm_three_trace_one_index_one_error_in_every_twenty():
    routes = [route for route, _ in drive(rate=10, seconds=40)][:400]
    assert len(routes) == 400
    for start in range(0, 400, 20):
        window = routes[start : start + 20]
        assert {r: window.count(r) for r in ROUTES} == {"/api/items": 12, "/api/apm": 3, "/api/trace": 3, "/": 1, "/api/error": 1}, start


def test_any_twenty_requests_in_a_row_hold_exactly_one_error():
    # The error-rate monitor's window sees a run of requests, not whole cycles: wherever it starts,
    # 1 in 20 fail (5 %), not two in a row now and then.
    routes = [route for route, _ in drive(rate=10, seconds=20)]
    assert len(routes) >= 200
    assert {sum(r == "/api/error" for r in routes[i : i + 20]) for i in range(len(routes) - 19)} == {1}


def test_its_error_share_is_the_5_percent_pulumi_yaml_says_below_the_default_warning():
    import yaml

    config = yaml.safe_load((harness.REPO / "Pulumi.yaml").read_text())["config"]
    routes = [route for route, _ in drive(rate=10, seconds=20)][:200]
    share = 100 * routes.count("/api/error") / len(routes)
    assert share == 5
    assert "about 5 %" in config["errorRateWarningPercent"]["description"]
    assert share < config["errorRateWarningPercent"]["default"]


@pytest.mark.parametrize("rate", [4, 11, 50])
def test_it_sends_the_configured_rate_evenly(rate):
    times = [t for _, t in drive(rate=rate, seconds=10)]
    assert len(times) == 10 * rate + 1  # at 0 s, then every 1/rate s up to 10 s
    gaps = {round(b - a, 9) for a, b in zip(times, times[1:])}
    assert gaps == {round(1 / rate, 9)}


def test_after_a_slow_response_it_catches_up_then_keeps_its_pace():
    # The rate holds in the `slow` scenario: after a 1 s response at 10 requests/s, the 9 requests
    # it missed go at once, then every 0.1 s again, so the count over the run is the rate's.
    times = [t for _, t in drive(rate=10, seconds=3, slow={5: 1.0})]
    gaps = [round(b - a, 6) for a, b in zip(times, times[1:])]
    assert gaps[:5] == [0.1] * 5 and gaps[5] == 1.0
    assert gaps[6:15] == [0.0] * 9
    assert set(gaps[15:]) == {0.1}
    assert len(times) == 3 * 10 + 1


def test_it_catches_up_at_most_its_bound_after_a_very_slow_response():
    # A response of 20 s (the app's timeout) is not followed by 200 requests at once: at most
    # CATCH_UP_S worth, then the pace again.
    times = [t for _, t in drive(rate=10, seconds=30, slow={5: 20.0})]
    gaps = [round(b - a, 6) for a, b in zip(times, times[1:])]
    from support import load_module

    catch_up_s = load_module("traffic_bound", TRAFFIC, keep=False).CATCH_UP_S
    burst = gaps[6:].index(0.1)
    assert burst == 10 * catch_up_s
    assert set(gaps[6 + burst :]) == {0.1}


def test_sigint_stops_it_as_sigterm_does(db_app):
    proc = start_traffic(db_app.base_url, 20)
    read_line(proc, timeout=10)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=5)
    assert (proc.returncode, err) == (0, "")
    assert summaries(out)[-1]["requests"] >= 0
