"""GET /api/items and GET /api/error in the app run as the container runs it (the Dockerfile's CMD),
against the real PostgreSQL harness as the `app` role: the spans that reach the test agent, the
trace context that reaches PostgreSQL's log, and the error that reaches Error Tracking."""

import json
import re
import uuid

import exercise_app_harness as harness

ITEMS_QUERY = "SELECT id, name, price_cents FROM app.items ORDER BY id"
# A statement line of PostgreSQL's log (log_line_prefix '%m [%p] %d %a %u %h %c ', log_statement=all),
# with the comment ddtrace puts in front of the SQL in DBM's full propagation mode.
DBM_STATEMENT = re.compile(
    r"\] (?P<db>\S+) (?P<app>\S+) (?P<user>\S+) \S+ \S+ LOG:  (?:statement|execute \S+): "
    r"/\*(?P<comment>[^*]*)\*/ (?P<sql>.*)$"
)


def _spans_of_request(agent, request_id):
    """(root span, every span of its trace) for the request that carried request_id."""
    root = agent.wait_for_span(
        lambda s: s["parent_id"] == 0 and s["meta"].get(harness.REQUEST_TAG) == request_id, timeout=harness.SPAN_TIMEOUT
    )
    query = agent.wait_for_span(
        lambda s: s["trace_id"] == root["trace_id"] and s["name"] == "postgres.query", timeout=harness.SPAN_TIMEOUT
    )
    return root, query, [s for s in agent.spans if s["trace_id"] == root["trace_id"]]


def _ancestors(span, spans):
    by_id = {s["span_id"]: s for s in spans}
    chain = []
    while span["parent_id"]:
        span = by_id[span["parent_id"]]
        chain.append(span["name"])
    return chain


def test_items_route_answers_the_seeded_items(db_app):
    status, body = db_app.get("/api/items")
    assert status == 200
    items = json.loads(body)["items"]
    assert [i["name"] for i in items] == ["espresso", "cappuccino", "flat white", "croissant", "banana bread"]
    assert items[0] == {"id": 1, "name": "espresso", "price_cents": 250}


def test_items_request_holds_a_postgres_query_span_under_flask_request(db_app, session_agent):
    request_id = uuid.uuid4().hex
    assert db_app.get("/api/items", request_id)[0] == 200

    root, query, spans = _spans_of_request(session_agent, request_id)
    assert (root["name"], root["resource"]) == ("flask.request", "GET /api/items")
    assert _ancestors(query, spans)[-1] == "flask.request"
    assert query["resource"] == ITEMS_QUERY
    assert (query["meta"]["db.system"], query["meta"]["db.name"], query["meta"]["db.user"]) == ("postgresql", "postgres", "app")
    assert query["error"] == 0


def test_postgres_query_span_has_the_apps_service_env_and_version(db_app, session_agent):
    request_id = uuid.uuid4().hex
    db_app.get("/api/items", request_id)

    root, query, _ = _spans_of_request(session_agent, request_id)
    for span in (root, query):
        assert span["service"] == harness.DD_SERVICE, span["name"]
        assert (span["meta"]["env"], span["meta"]["version"]) == (harness.DD_ENV, harness.DD_VERSION), span["name"]


def _statement_lines(pg_server, predicate):
    found = []
    for line in pg_server.log_text().splitlines():
        m = DBM_STATEMENT.search(line)
        if m and predicate(m):
            found.append(m)
    return found


def test_postgres_log_shows_the_query_with_its_trace_context_as_the_app_role(db_app, session_agent, pg_server):
    request_id = uuid.uuid4().hex
    db_app.get("/api/items", request_id)
    root, query, _ = _spans_of_request(session_agent, request_id)
    high = root["meta"].get("_dd.p.tid", "0" * 16)
    traceparent = f"00-{high}{query['trace_id']:016x}-{query['span_id']:016x}-01"

    (m,) = _statement_lines(pg_server, lambda m: traceparent in m["comment"])
    assert (m["db"], m["app"], m["user"], m["sql"]) == ("postgres", "exercise-app", "app", ITEMS_QUERY)
    comment = dict(kv.split("=", 1) for kv in m["comment"].split(","))
    assert comment == {
        "dddb": "'postgres'",
        "dddbs": f"'{harness.DD_SERVICE}'",
        "dde": f"'{harness.DD_ENV}'",
        "ddh": "'127.0.0.1'",
        "ddps": f"'{harness.DD_SERVICE}'",
        "ddpv": f"'{harness.DD_VERSION}'",
        "traceparent": f"'{traceparent}'",
    }


def test_error_route_answers_500(db_app):
    assert db_app.get("/api/error")[0] == 500


def test_error_routes_request_span_carries_the_exception_for_error_tracking(db_app, session_agent):
    request_id = uuid.uuid4().hex
    db_app.get("/api/error", request_id)

    root = session_agent.wait_for_span(
        lambda s: s["parent_id"] == 0 and s["meta"].get(harness.REQUEST_TAG) == request_id, timeout=harness.SPAN_TIMEOUT
    )
    assert (root["name"], root["resource"], root["error"]) == ("flask.request", "GET /api/error", 1)
    assert root["meta"]["http.status_code"] == "500"
    assert root["meta"]["error.type"].endswith("DemoError")
    assert root["meta"]["error.message"] == "GET /api/error fails on purpose (the demo's error route)"
    stack = root["meta"]["error.stack"]
    assert stack.startswith("Traceback (most recent call last):") and "in api_error" in stack


def test_error_routes_traceback_is_logged_with_its_trace_id(db_app, session_agent):
    request_id = uuid.uuid4().hex
    db_app.get("/api/error", request_id)
    root = session_agent.wait_for_span(
        lambda s: s["parent_id"] == 0 and s["meta"].get(harness.REQUEST_TAG) == request_id, timeout=harness.SPAN_TIMEOUT
    )
    high = root["meta"].get("_dd.p.tid")
    trace_id = f"{int(high, 16):016x}{root['trace_id']:016x}" if high else str(root["trace_id"])

    line = db_app.wait_for_line(
        "stdout", lambda ln: f"dd.trace_id={trace_id} " in ln and " ERROR " in ln, timeout=harness.SPAN_TIMEOUT
    )
    assert line.endswith("- Exception on /api/error [GET]")
    with db_app._cond:
        after = db_app.stdout[db_app.stdout.index(line) + 1:]
    assert after[0] == "Traceback (most recent call last):"
