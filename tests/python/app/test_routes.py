"""The app's routes, through Flask's test client (no server, no tracer)."""

import io
import logging
import re

ROUTES = {"/", "/api/apm", "/api/trace", "/api/items", "/api/error", "/health"}


def test_index_lists_every_route(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert set(resp.get_json()["routes"]) == ROUTES


def test_api_apm_answers_its_message(client):
    resp = client.get("/api/apm")
    assert resp.status_code == 200
    assert resp.get_json() == {
        "message": "APM is on: this request is traced and its logs carry the trace id"
    }


def test_api_trace_answers_its_message(client):
    resp = client.get("/api/trace")
    assert resp.status_code == 200
    assert resp.get_json() == {
        "message": "Trace sent: look for resource 'GET /api/trace' in Datadog APM"
    }


def test_health_reports_ok(client):
    resp = client.get("/health")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_unknown_path_is_404(client):
    assert client.get("/no/such/page").status_code == 404


def test_post_to_a_get_route_is_405(client):
    assert client.post("/api/apm").status_code == 405


def test_untraced_request_still_logs_a_line_with_zero_trace_id(app_module, client):
    # Without ddtrace-run no dd.* attributes exist; the log format must still work.
    # The app's own handler (pytest adds capture handlers of its own next to it).
    (handler,) = [h for h in app_module.log.handlers if type(h) is logging.StreamHandler]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        client.get("/api/trace")
    finally:
        handler.setStream(previous)
    (line,) = buffer.getvalue().splitlines()
    assert line.endswith("- GET /api/trace -> 200")
    assert re.search(r"dd\.trace_id=0 dd\.span_id=0\]", line), line
