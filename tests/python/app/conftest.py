"""Fixtures for the APM demo app's tests: the app module, Datadog's APM test agent
(ddapm-test-agent), and the app run as a real process with the Dockerfile's own CMD.

pytest runs with --import-mode=importlib, so neither this folder nor container-src/app is on
sys.path: the app, the agent's wrapper and the test helpers are loaded from their files under
names of their own (support.load_module), which the test modules then import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from support import load_module

HERE = Path(__file__).resolve().parent


apm_test_agent = load_module("exercise_apm_test_agent", HERE / "apm_test_agent.py")
harness = load_module("exercise_app_harness", HERE / "harness.py")


def _agent() -> Iterator[apm_test_agent.TestAgent]:
    """A test agent for the fixture's scope; on teardown, every trace check it ran has passed."""
    agent = apm_test_agent.TestAgent().start()
    try:
        yield agent
        assert agent.check_failures() == "", "a trace check of ddapm-test-agent failed"
    finally:
        agent.stop()


@pytest.fixture(scope="module")
def trace_agent() -> Iterator[apm_test_agent.TestAgent]:
    yield from _agent()


@pytest.fixture(scope="module")
def traced_app(trace_agent) -> Iterator[harness.AppProcess]:
    """The app started with the Dockerfile's CMD, sending traces to the test agent."""
    app = harness.start_app(harness.dockerfile_cmd(), trace_agent.url)
    yield app
    app.stop()


@pytest.fixture(scope="session")
def session_agent() -> Iterator[apm_test_agent.TestAgent]:
    yield from _agent()


@pytest.fixture(scope="session")
def db_app(session_agent, pg_server, app_role) -> Iterator[harness.AppProcess]:
    """The app started with the Dockerfile's CMD against the real PostgreSQL, as the `app` role made
    by the real init script, sending traces to the session's test agent."""
    app = harness.start_app(harness.dockerfile_cmd(), session_agent.url, **harness.pg_env(pg_server.port, app_role))
    yield app
    app.stop()


@pytest.fixture(scope="session")
def app_module():
    return load_module("exercise_demo_app", harness.APP_DIR / "app.py")


@pytest.fixture()
def client(app_module):
    app_module.app.config.update(TESTING=True)
    return app_module.app.test_client()
