"""The app run exactly as the container runs it (the Dockerfile's CMD: gunicorn under
ddtrace-run), sending its traces to Datadog's APM test agent (ddapm-test-agent) on loopback, with
all its trace checks on."""

import re
import subprocess
import time
import uuid

import urllib.error
import urllib.request

import pytest

import support
import exercise_app_harness as harness
import exercise_apm_test_agent as apm_test_agent

ROUTES = ["/", "/api/apm", "/api/trace", "/health"]


def request_span(agent, request_id: str) -> dict:
    """The root span of the request that carried `request_id`."""
    return agent.wait_for_span(
        lambda s: s["parent_id"] == 0 and s["meta"].get(harness.REQUEST_TAG) == request_id,
        timeout=harness.SPAN_TIMEOUT,
    )


def full_trace_id(span: dict) -> str:
    """The trace id as ddtrace prints it in logs: 128-bit ids as 32 hex digits (the high
    64 bits travel in the _dd.p.tid tag), 64-bit ids in decimal."""
    high = span["meta"].get("_dd.p.tid")
    if high:
        return f"{int(high, 16):016x}{span['trace_id']:016x}"
    return str(span["trace_id"])


def test_container_cmd_is_gunicorn_under_ddtrace_run():
    cmd = harness.dockerfile_cmd()
    assert cmd[0] == "ddtrace-run"
    assert cmd[1] == "gunicorn"
    assert cmd[-1] == "app:app"


@pytest.mark.parametrize("path", ROUTES)
def test_each_route_sends_a_flask_request_span(traced_app, trace_agent, path):
    request_id = uuid.uuid4().hex
    status, _ = traced_app.get(path, request_id)
    assert status == 200

    span = request_span(trace_agent, request_id)
    assert span["name"] == "flask.request"
    assert span["resource"] == f"GET {path}"
    assert span["service"] == harness.DD_SERVICE
    assert span["meta"]["env"] == harness.DD_ENV
    assert span["meta"]["version"] == harness.DD_VERSION
    assert span["meta"]["http.status_code"] == "200"
    assert span["error"] == 0


def test_unknown_path_sends_a_404_span(traced_app, trace_agent):
    request_id = uuid.uuid4().hex
    status, _ = traced_app.get("/no/such/page", request_id)
    assert status == 404

    span = request_span(trace_agent, request_id)
    assert span["name"] == "flask.request"
    assert span["meta"]["http.status_code"] == "404"


def test_request_log_line_on_stdout_carries_its_spans_trace_id(traced_app, trace_agent):
    request_id = uuid.uuid4().hex
    status, _ = traced_app.get("/api/apm", request_id)
    assert status == 200
    trace_id = full_trace_id(request_span(trace_agent, request_id))
    assert int(trace_id, 16 if len(trace_id) == 32 else 10) != 0

    line = traced_app.wait_for_line(
        "stdout", lambda ln: f"dd.trace_id={trace_id} " in ln, timeout=harness.SPAN_TIMEOUT
    )
    assert line.endswith("- GET /api/apm -> 200")
    assert f"dd.service={harness.DD_SERVICE} " in line
    assert f"dd.env={harness.DD_ENV} " in line
    assert f"dd.version={harness.DD_VERSION} " in line
    assert re.search(r"dd\.span_id=[1-9][0-9]*\]", line), line


def test_healthcheck_command_passes_against_the_running_app(traced_app):
    # Run as written in the Dockerfile; `python` is this venv's, first on PATH.
    result = subprocess.run(
        harness.healthcheck_cmd(),
        env=harness.venv_env(PORT=str(traced_app.port)), capture_output=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr


def test_healthcheck_command_fails_when_nothing_listens():
    with harness.closed_port() as port:
        result = subprocess.run(
            harness.healthcheck_cmd(),
            env=harness.venv_env(PORT=str(port)), capture_output=True, timeout=30,
        )
    assert result.returncode != 0


def test_app_serves_and_stays_up_when_the_agent_is_unreachable():
    with harness.closed_port() as port:
        app = harness.start_app(harness.dockerfile_cmd(), f"http://127.0.0.1:{port}")
        try:
            for path in ROUTES:
                assert app.get(path)[0] == 200, path
            # ddtrace's writer has tried to send those traces and failed ...
            # (This relies on ddtrace logging "failed to send ..." to stderr when a flush fails:
            # true of ddtrace 4.16.0, pinned in container-src/app/requirements.txt; re-check the
            # wording when upgrading it.)
            app.wait_for_line("stderr", lambda ln: "failed to send" in ln, timeout=harness.SPAN_TIMEOUT)
            # ... and the app still answers, in the same process.
            for path in ROUTES:
                assert app.get(path)[0] == 200, path
            assert app.proc.poll() is None, app.output()
        finally:
            app.stop()


def test_a_request_records_no_span_for_the_log_line_or_the_json_body(traced_app, trace_agent):
    # ddtrace records each after_request hook and each flask.jsonify call as a span of its own; the
    # app logs in process_response and returns dicts, so a request costs two spans less (README,
    # "Benchmark"). What the trace still shows: the request, Flask's steps, the view.
    request_id = uuid.uuid4().hex
    traced_app.get("/api/apm", request_id)
    root = request_span(trace_agent, request_id)
    trace_agent.wait_for_span(lambda s: s["trace_id"] == root["trace_id"] and s["name"] == "flask.response", timeout=harness.SPAN_TIMEOUT)
    names = sorted(s["name"] for s in trace_agent.spans if s["trace_id"] == root["trace_id"])
    assert names == sorted([
        "flask.request", "flask.application", "flask.preprocess_request", "flask.dispatch_request", "app.api_apm",
        "flask.process_response", "flask.do_teardown_request", "flask.do_teardown_appcontext", "flask.response",
    ])


def test_the_test_agent_runs_its_trace_checks_on_the_apps_payloads_and_they_pass(traced_app, trace_agent):
    request_id = uuid.uuid4().hex
    traced_app.get("/api/apm", request_id)
    request_span(trace_agent, request_id)
    summary = trace_agent.check_summary()
    ran = {name for name, r in summary.items() if r["Passed_Checks"] > 0}
    # The header and payload checks run on every payload ddtrace sends; trace_peer_service and
    # trace_dd_service skip under ddtrace's default span attribute schema (v0), trace_stall only stalls.
    assert {"meta_tracer_version_header", "trace_count_header", "trace_content_length", "meta_events_is_valid_json"} <= ran, summary
    assert set(summary) == set(apm_test_agent.CHECKS), "every check is on"
    assert all(summary[c]["Skipped_Checks"] > 0 and summary[c]["Passed_Checks"] == 0 for c in ("trace_peer_service", "trace_dd_service")), summary
    assert all(r["Failed_Checks"] == 0 for r in summary.values()), summary
    assert trace_agent.check_failures() == ""


def test_a_payload_that_breaks_a_check_is_reported_as_a_failure():
    # A v0.4 payload of one trace that says it holds two: trace_count_header fails, and
    # check_failures (which every agent fixture asserts empty on teardown) says so.
    import msgpack

    agent = apm_test_agent.TestAgent().start()
    try:
        span = {"service": "svc", "name": "n", "resource": "r", "trace_id": 1, "span_id": 2, "parent_id": 0,
                "start": 1, "duration": 1, "error": 0, "meta": {}, "metrics": {}, "type": "web"}
        body = msgpack.packb([[span]])
        headers = {"Content-Type": "application/msgpack", "X-Datadog-Trace-Count": "2",
                   "Datadog-Meta-Tracer-Version": "4.16.0", "Content-Length": str(len(body))}
        req = urllib.request.Request(agent.url + "/v0.4/traces", data=body, method="PUT", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code == 400, "the agent refuses the payload, as it would ddtrace's"
        failures = agent.check_failures()
    finally:
        agent.stop()
    assert "trace_count_header" in failures or "X-Datadog-Trace-Count" in failures, failures


STATS_TIMEOUT = 45.0  # ddtrace sends a 10 s bucket once it has closed: about 20 s after the requests


def _stats_by_resource(agent) -> tuple[dict, set, set]:
    """flask.request's (hits, errors) per resource over every stats payload received (one per
    gunicorn worker and bucket), the services they name, and the payloads' (env, version)."""
    by_resource: dict = {}
    services, env_versions = set(), set()
    for payload in agent.stats():
        for bucket in payload["Stats"]:
            for group in bucket["Stats"]:
                if group["Name"] != "flask.request":
                    continue
                hits, errors = by_resource.get(group["Resource"], (0, 0))
                by_resource[group["Resource"]] = (hits + group["Hits"], errors + group["Errors"])
                services.add(group["Service"])
                env_versions.add((payload["Env"], payload["Version"]))
    return by_resource, services, env_versions


def test_client_side_stats_count_flask_request_hits_and_errors_per_resource_with_service_env_and_version(trace_agent):
    # ddtrace computes stats when told to (DD_TRACE_STATS_COMPUTATION_ENABLED) and the agent's /info
    # lists /v0.6/stats, as the test agent's does.
    app = harness.start_app(harness.dockerfile_cmd(), trace_agent.url, DD_TRACE_STATS_COMPUTATION_ENABLED="true")
    expected = {"GET /api/apm": (3, 0), "GET 404": (1, 0), "GET /api/error": (2, 2)}
    try:
        for _ in range(3):
            assert app.get("/api/apm")[0] == 200
        assert app.get("/no/such/page")[0] == 404
        for _ in range(2):
            assert app.get("/api/error")[0] == 500
        deadline = time.monotonic() + STATS_TIMEOUT
        while True:
            by_resource, services, env_versions = _stats_by_resource(trace_agent)
            seen = {r: by_resource.get(r) for r in expected}
            if seen == expected or time.monotonic() > deadline:
                break
            time.sleep(apm_test_agent.POLL)
    finally:
        app.stop()
    assert seen == expected, by_resource
    assert services == {harness.DD_SERVICE}
    assert env_versions == {(harness.DD_ENV, harness.DD_VERSION)}
