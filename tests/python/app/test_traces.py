"""The app run exactly as the container runs it (the Dockerfile's CMD: gunicorn under
ddtrace-run), sending its traces to a fake trace agent on loopback."""

import re
import subprocess
import uuid

import pytest

import support
import exercise_app_harness as harness
import exercise_fake_trace_agent as fake_trace_agent

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
def test_each_route_sends_a_flask_request_span(traced_app, fake_agent, path):
    request_id = uuid.uuid4().hex
    status, _ = traced_app.get(path, request_id)
    assert status == 200

    span = request_span(fake_agent, request_id)
    assert span["name"] == "flask.request"
    assert span["resource"] == f"GET {path}"
    assert span["service"] == harness.DD_SERVICE
    assert span["meta"]["env"] == harness.DD_ENV
    assert span["meta"]["version"] == harness.DD_VERSION
    assert span["meta"]["http.status_code"] == "200"
    assert span["error"] == 0


def test_unknown_path_sends_a_404_span(traced_app, fake_agent):
    request_id = uuid.uuid4().hex
    status, _ = traced_app.get("/no/such/page", request_id)
    assert status == 404

    span = request_span(fake_agent, request_id)
    assert span["name"] == "flask.request"
    assert span["meta"]["http.status_code"] == "404"


def test_request_log_line_on_stdout_carries_its_spans_trace_id(traced_app, fake_agent):
    request_id = uuid.uuid4().hex
    status, _ = traced_app.get("/api/apm", request_id)
    assert status == 200
    trace_id = full_trace_id(request_span(fake_agent, request_id))
    assert int(trace_id, 16 if len(trace_id) == 32 else 10) != 0

    line = traced_app.wait_for_line(
        "stdout", lambda ln: f"dd.trace_id={trace_id} " in ln, timeout=harness.SPAN_TIMEOUT
    )
    assert line.endswith("- GET /api/apm -> 200")
    assert f"dd.service={harness.DD_SERVICE} " in line
    assert f"dd.env={harness.DD_ENV} " in line
    assert f"dd.version={harness.DD_VERSION} " in line
    assert re.search(r"dd\.span_id=[1-9][0-9]*\]", line), line


def test_traces_arrive_in_the_v05_string_table_format(traced_app, fake_agent):
    request_id = uuid.uuid4().hex
    traced_app.get("/api/trace", request_id)
    request_span(fake_agent, request_id)
    # ddtrace's default for a plain agent; the fake agent decoded it (the span was found).
    assert "/v0.5/traces" in fake_agent.payloads
    assert fake_agent.errors == []


def test_v04_traces_are_decoded_too(fake_agent):
    app = harness.start_app(harness.dockerfile_cmd(), fake_agent.url, DD_TRACE_API_VERSION="v0.4")
    try:
        request_id = uuid.uuid4().hex
        assert app.get("/api/apm", request_id)[0] == 200
        span = request_span(fake_agent, request_id)
    finally:
        app.stop()
    assert span["resource"] == "GET /api/apm"
    assert "/v0.4/traces" in fake_agent.payloads


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


def test_fake_agent_decodes_a_hand_built_v05_payload():
    import msgpack

    strings = ["", "svc", "flask.request", "GET /x", "env", "prod", "web", "_sampling_priority_v1"]
    span = [1, 2, 3, 11, 22, 0, 1000, 50, 0, {4: 5}, {7: 1.0}, 6]
    (trace,) = fake_trace_agent.decode_v05(msgpack.packb([strings, [[span]]]))
    assert trace == [{
        "service": "svc", "name": "flask.request", "resource": "GET /x",
        "trace_id": 11, "span_id": 22, "parent_id": 0, "start": 1000, "duration": 50,
        "error": 0, "meta": {"env": "prod"}, "metrics": {"_sampling_priority_v1": 1.0}, "type": "web",
    }]


def test_fake_agent_run_alone_counts_payloads_and_spans_for_another_process():
    # How the benchmark runs it: its own process on a free port, read back over HTTP.
    import json
    import sys
    import urllib.request

    import msgpack

    proc = subprocess.Popen(
        [sys.executable, fake_trace_agent.__file__, "0"], stdout=subprocess.PIPE, text=True,
    )
    try:
        first = support.read_line(proc, timeout=30)
        assert first.startswith("fake trace agent at http://127.0.0.1:"), first
        url = first.split(" at ", 1)[1].strip()
        span = [1, 1, 1, 11, 22, 0, 1000, 50, 0, {}, {}, 1]
        payload = msgpack.packb([["", "svc"], [[span, span], [span]]])
        req = urllib.request.Request(url + "/v0.5/traces", data=payload, method="PUT")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert (resp.status, json.load(resp)) == (200, {"rate_by_service": {}})
        with urllib.request.urlopen(url + fake_trace_agent.STATS_PATH, timeout=10) as resp:
            assert json.load(resp) == {"payloads": 1, "spans": 3, "errors": []}
    finally:
        support.stop_process(proc, 10)
        proc.stdout.close()
    assert proc.returncode == 0, "the agent exits cleanly on SIGTERM"


def test_a_request_records_no_span_for_the_log_line_or_the_json_body(traced_app, fake_agent):
    # ddtrace records each after_request hook and each flask.jsonify call as a span of its own; the
    # app logs in process_response and returns dicts, so a request costs two spans less (README,
    # "Benchmark"). What the trace still shows: the request, Flask's steps, the view.
    request_id = uuid.uuid4().hex
    traced_app.get("/api/apm", request_id)
    root = request_span(fake_agent, request_id)
    fake_agent.wait_for_span(lambda s: s["trace_id"] == root["trace_id"] and s["name"] == "flask.response", timeout=harness.SPAN_TIMEOUT)
    names = sorted(s["name"] for s in fake_agent.spans if s["trace_id"] == root["trace_id"])
    assert names == sorted([
        "flask.request", "flask.application", "flask.preprocess_request", "flask.dispatch_request", "app.api_apm",
        "flask.process_response", "flask.do_teardown_request", "flask.do_teardown_appcontext", "flask.response",
    ])
