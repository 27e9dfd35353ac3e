"""The app when PostgreSQL refuses it: /api/items fails within the pool's 5 s and the log says why;
the other routes keep serving."""

import time

import exercise_app_harness as harness


def test_wrong_password_fails_items_with_the_reason_in_the_log_and_the_rest_still_serves(trace_agent, pg_server, app_role):
    app = harness.start_app(harness.dockerfile_cmd(), trace_agent.url, **harness.pg_env(pg_server.port, app_role + "-wrong"))
    try:
        started = time.monotonic()
        assert app.get("/api/items")[0] == 500
        assert time.monotonic() - started < 5 + 3
        app.wait_for_line("stderr", lambda ln: 'password authentication failed for user "app"' in ln, timeout=10)
        assert app.get("/api/apm")[0] == 200
    finally:
        app.stop()
