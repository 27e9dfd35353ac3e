"""Database Monitoring's setup for a self-hosted PostgreSQL, as Datadog documents it
(https://docs.datadoghq.com/database_monitoring/setup_postgres/selfhosted/): pg_stat_statements, the
schema `datadog` and datadog.explain_statement, in every database; what the datadog role can do
with them, and what neither it nor the app role can."""

import json
import uuid

import pytest
from psycopg import errors

ALL_DBS = ['postgres', 'exercise', 'template1']


@pytest.fixture
def datadog_conn(pg_server, datadog_role):
    with pg_server.connect_tcp('datadog', datadog_role) as conn:
        yield conn


def _app_marked_query(pg_server, app_role):
    """The app role runs the route's query under a fresh column alias (pg_stat_statements replaces
    constants by $n in the text it keeps, but not names); returns the alias."""
    marker = f'dbm_{uuid.uuid4().hex}'
    with pg_server.connect_tcp('app', app_role) as conn:
        conn.execute(f'SELECT id AS {marker} FROM app.items ORDER BY id').fetchall()
    return marker


@pytest.mark.parametrize('dbname', ALL_DBS)
def test_pg_stat_statements_is_created_in_every_database(pg_server, datadog_role, dbname):
    with pg_server.connect_super(dbname=dbname) as conn:
        rows = conn.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements'")
        assert rows.fetchall() == [('public',)]


@pytest.mark.parametrize('dbname', ALL_DBS)
def test_explain_function_exists_in_every_database_owned_by_the_superuser(pg_server, datadog_role, dbname):
    with pg_server.connect_super(dbname=dbname) as conn:
        row = conn.execute(
            "SELECT pg_get_userbyid(proowner), prosecdef, nspname, pg_get_userbyid(nspowner) FROM pg_proc "
            "JOIN pg_namespace n ON n.oid = pronamespace WHERE proname = 'explain_statement'"
        ).fetchall()
    assert row == [('postgres', True, 'datadog', 'postgres')]


def test_only_the_datadog_role_may_execute_the_explain_function(pg_server, datadog_role):
    with pg_server.connect_super() as conn:
        (acl,) = conn.execute("SELECT proacl::text[] FROM pg_proc WHERE proname = 'explain_statement'").fetchone()
    assert sorted(acl) == ['datadog=X/postgres', 'postgres=X/postgres']


def test_datadog_reads_other_roles_query_texts_from_pg_stat_statements(pg_server, datadog_conn, app_role):
    marker = _app_marked_query(pg_server, app_role)

    rows = datadog_conn.execute(
        'SELECT r.rolname, s.query, s.calls FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid '
        'WHERE s.query LIKE %s',
        [f'%{marker}%'],
    ).fetchall()
    assert rows == [('app', f'SELECT id AS {marker} FROM app.items ORDER BY id', 1)]


def test_datadog_cannot_reset_pg_stat_statements(datadog_conn):
    with pytest.raises(errors.InsufficientPrivilege, match='permission denied for function pg_stat_statements_reset'):
        datadog_conn.execute('SELECT pg_stat_statements_reset()')


@pytest.mark.parametrize(
    'prefix',
    ['', "/*dddbs='exercise-app',traceparent='00-0000000000000000000000000000002a-000000000000002b-01'*/ "],
    ids=['plain', 'with-the-propagated-trace-comment'],
)
def test_datadog_gets_a_json_plan_of_the_apps_query(datadog_conn, app_role, prefix):
    # The Agent explains query samples as pg_stat_activity shows them: with the app's trace comment.
    (plan,) = datadog_conn.execute(
        'SELECT datadog.explain_statement(%s)', [prefix + 'SELECT id, name, price_cents FROM app.items ORDER BY id']
    ).fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    (top,) = plan
    assert top['Plan']['Node Type'] in ('Sort', 'Index Scan')
    assert 'items' in json.dumps(plan)


def test_explaining_a_write_plans_it_and_changes_nothing(pg_server, datadog_conn, app_role):
    with pg_server.connect_super() as conn:
        before = conn.execute('SELECT count(*) FROM app.items').fetchone()
    (plan,) = datadog_conn.execute("SELECT datadog.explain_statement('DELETE FROM app.items')").fetchone()
    if isinstance(plan, str):
        plan = json.loads(plan)
    assert plan[0]['Plan']['Node Type'] == 'ModifyTable'
    with pg_server.connect_super() as conn:
        assert conn.execute('SELECT count(*) FROM app.items').fetchone() == before != (0,)


@pytest.mark.parametrize(
    ('query', 'error', 'message'),
    [
        ('ANALYZE DELETE FROM app.items', errors.SyntaxError, 'syntax error at or near "ANALYZE"'),
        ('SELECT 1; DELETE FROM app.items', errors.InvalidCursorDefinition, 'cannot open multi-query plan as cursor'),
    ],
    ids=['explain-analyze', 'second-statement'],
)
def test_the_explain_function_runs_no_statement(pg_server, datadog_conn, app_role, query, error, message):
    with pytest.raises(error, match=message):
        datadog_conn.execute('SELECT datadog.explain_statement(%s)', [query])
    with pg_server.connect_super() as conn:
        assert conn.execute('SELECT count(*) FROM app.items').fetchone() != (0,)


def test_the_app_role_cannot_call_the_explain_function(pg_server, app_role):
    with pg_server.connect_tcp('app', app_role) as conn:
        with pytest.raises(errors.InsufficientPrivilege, match='permission denied for schema datadog'):
            conn.execute("SELECT datadog.explain_statement('SELECT 1')")
