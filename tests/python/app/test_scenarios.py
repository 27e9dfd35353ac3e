"""The live demo's app scenarios, for real: the app under its Dockerfile's CMD with the environment
the Pulumi program gives it for each scenario (components, run by Node), its spans at Datadog's APM
test agent (ddapm-test-agent); and the traffic container's command against it, which keeps its rate in each one."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

import exercise_app_harness as harness
from support import load_module

# The traffic tests' own helpers: start traffic.py as the container does, stop it, read its summaries.
_traffic = load_module("exercise_traffic_tests", harness.HERE / "test_traffic.py")
start_traffic, stop, summaries = _traffic.start_traffic, _traffic.stop, _traffic.summaries

NODE = harness.REPO / "node_modules" / ".bin" / "node"
# The stack config for a scenario, then the app's scenario environment, as the program builds them.
APP_ENV_JS = """
const { loadStackConfig } = require('./components/config/stackConfig');
const { scenarioEnvironment } = require('./components/docker/appContainer');
const values = {
  'datadog:apiKey': '0'.repeat(32), 'datadog:appKey': '0'.repeat(40),
  'datadog-exercise:notifyEmail': 'se@example.com', 'datadog-exercise:downtimeStartDate': '2030-01-01',
  ...JSON.parse(process.argv[1]),
};
const c = loadStackConfig({ stack: 'dev', get: (k) => values[k], isSecret: () => true });
process.stdout.write(JSON.stringify(scenarioEnvironment({ slow: c.scenario.slow, errorPercent: c.scenario.errorPercent })));
"""
# Non-default thresholds, so what the app does comes from config: the latency critical 200 ms
# (10 requests/s x 10 % x 250 ms: the most the traffic container's rate allows), errors above 30 %.
CONFIG = {
    "datadog-exercise:latencyP95WarningMs": "100",
    "datadog-exercise:latencyP95CriticalMs": "200",
    "datadog-exercise:errorRateWarningPercent": "20",
    "datadog-exercise:errorRateCriticalPercent": "30",
    "datadog-exercise:trafficRequestsPerSecond": "10",
}
CRITICAL_MS, CRITICAL_PERCENT = 200, 30
REQUESTS = 400  # 10 % slow: about 40, and the p95 needs more than 20


def scenario_env(name: str) -> dict[str, str]:
    result = subprocess.run(
        [str(NODE), "--require", "tsx/cjs", "-e", APP_ENV_JS, json.dumps({**CONFIG, "datadog-exercise:scenario": name})],
        cwd=harness.REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(entry.split("=", 1) for entry in json.loads(result.stdout))


@pytest.fixture(scope="module", params=["exercise", "slow", "errors"])
def scenario_app(request, session_agent, pg_server, app_role):
    env = scenario_env(request.param)
    app = harness.start_app(harness.dockerfile_cmd(), session_agent.url, **harness.pg_env(pg_server.port, app_role), **env)
    yield request.param, env, app
    app.stop()


@pytest.fixture(scope="module")
def spans(scenario_app, session_agent):
    """The flask.request spans of REQUESTS requests to /api/apm, 2 at a time (more would measure the
    test machine's queue, not the app)."""
    name, _, app = scenario_app
    ids = [uuid.uuid4().hex for _ in range(REQUESTS)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda rid: app.get("/api/apm", rid), ids))
    wanted = set(ids)
    found = session_agent.wait_for_spans(
        lambda s: s["name"] == "flask.request" and s["meta"].get(harness.REQUEST_TAG) in wanted, REQUESTS, harness.SPAN_TIMEOUT
    )
    assert len(found) == REQUESTS, f"{len(found)} of {REQUESTS} spans arrived"
    return name, found


def p95_ms(spans: list[dict]) -> float:
    durations = sorted(s["duration"] / 1e6 for s in spans)
    return durations[int(len(durations) * 0.95)]


def error_percent(spans: list[dict]) -> float:
    return 100 * sum(s["error"] for s in spans) / len(spans)


def test_the_scenario_environment_is_the_programs(scenario_app):
    name, env, _ = scenario_app
    assert env == {
        "exercise": {},
        "slow": {"DEMO_SLOW_PERCENT": "10", "DEMO_SLOW_MS": "250"},
        "errors": {"DEMO_ERROR_PERCENT": "40"},
    }[name]


def test_p95_of_flask_request_is_above_the_critical_only_in_slow(spans):
    name, found = spans
    if name == "slow":
        # More than 5 % of the requests waited DEMO_SLOW_MS (250 ms): the p95 is at least that.
        assert p95_ms(found) >= 250 > CRITICAL_MS
    else:
        assert p95_ms(found) < CRITICAL_MS, "as it is now: the latency monitor stays quiet"


def test_error_share_is_above_the_critical_only_in_errors(spans):
    name, found = spans
    if name == "errors":
        assert error_percent(found) > CRITICAL_PERCENT
        failed = next(s for s in found if s["error"])
        assert failed["meta"]["http.status_code"] == "500"
    else:
        assert error_percent(found) == 0, "as it is now: /api/apm never fails"


def test_health_never_fails(scenario_app):
    # Docker's HEALTHCHECK asks /health: the errors scenario must not make the container unhealthy.
    _, _, app = scenario_app
    assert {app.get("/health")[0] for _ in range(100)} == {200}


def test_the_traffic_container_keeps_its_rate(scenario_app):
    _, _, app = scenario_app
    rate, seconds = 10, 8.0
    proc = start_traffic(app.base_url, rate)
    time.sleep(seconds)  # the run itself is what is measured: a fixed span of it
    code, _, out, err = stop(proc)
    (last,) = summaries(out)[-1:]
    assert code == 0, err
    assert last["requests"] / last["seconds"] >= 0.9 * rate, last
