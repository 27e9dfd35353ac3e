"""The `app` role made by 20-app-user.sh: it logs in and reads app.items (what GET /api/items
does), and nothing more; its password stays out of the script, its output and the server log."""

import pathlib
import re
import subprocess

import psycopg
import pytest
from psycopg import errors

APP_PY = pathlib.Path(__file__).resolve().parents[3] / 'container-src' / 'app' / 'app.py'
ITEMS_QUERY = 'SELECT id, name, price_cents FROM app.items ORDER BY id'  # the route's query (app.py)


@pytest.fixture
def app_conn(pg_server, app_role):
    with pg_server.connect_tcp('app', app_role) as conn:
        yield conn


@pytest.fixture
def read_write_conn(pg_server, app_role):
    """An app session that turned its read-only default off, as any session may: what is left to stop
    a write is privileges alone."""
    with pg_server.connect_tcp('app', app_role) as conn:
        conn.execute('SET default_transaction_read_only = off')
        yield conn


def test_app_logs_in_over_tcp_and_reads_the_seeded_items(app_conn):
    assert app_conn.execute('SELECT current_user, current_database()').fetchone() == ('app', 'postgres')
    rows = app_conn.execute(ITEMS_QUERY).fetchall()
    assert [r[1] for r in rows] == ['espresso', 'cappuccino', 'flat white', 'croissant', 'banana bread']
    assert all(isinstance(r[2], int) and r[2] > 0 for r in rows)


def test_the_query_above_is_the_routes():
    assert f'"{ITEMS_QUERY}"' in APP_PY.read_text(encoding='utf-8')


def test_role_has_login_no_elevated_attributes_and_no_memberships(pg_server, app_role):
    with pg_server.connect_super() as conn:
        row = conn.execute(
            'SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, '
            "(SELECT count(*) FROM pg_auth_members WHERE member = r.oid) FROM pg_roles r WHERE rolname = 'app'"
        ).fetchone()
    assert row == (True, False, False, False, False, False, 0)


def test_its_only_table_privilege_anywhere_is_select_on_app_items(pg_server, app_role, app_table):
    # app_table: another application's table exists in this database, so the answer is not empty by luck.
    with pg_server.connect_super() as conn:
        rows = conn.execute(
            "SELECT table_schema, table_name, privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = 'app'"
        ).fetchall()
    assert rows == [('app', 'items', 'SELECT')]


def test_its_schema_privilege_is_usage_only(pg_server, app_role):
    with pg_server.connect_super() as conn:
        row = conn.execute(
            "SELECT has_schema_privilege('app', 'app', 'USAGE'), has_schema_privilege('app', 'app', 'CREATE'), "
            "pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'app'"
        ).fetchone()
    assert row == (True, False, 'postgres')


def test_sessions_start_read_only(app_conn):
    assert app_conn.execute('SHOW transaction_read_only').fetchone() == ('on',)


@pytest.mark.parametrize(
    'sql',
    [
        "INSERT INTO app.items VALUES (99, 'probe', 1)",
        "UPDATE app.items SET price_cents = 0",
        'DELETE FROM app.items',
        'TRUNCATE app.items',
    ],
    ids=['insert', 'update', 'delete', 'truncate'],
)
def test_cannot_write_its_table(pg_server, read_write_conn, sql):
    with pytest.raises(errors.InsufficientPrivilege, match='permission denied for table items'):
        read_write_conn.execute(sql)
    with pg_server.connect_super() as conn:
        assert conn.execute('SELECT count(*), min(price_cents) > 0 FROM app.items').fetchone() == (5, True)


@pytest.mark.parametrize(
    ('sql', 'message'),
    [
        ('CREATE TABLE probe (id int)', 'permission denied for schema app'),  # "$user" = app comes first
        ('CREATE TABLE public.probe (id int)', 'permission denied for schema public'),
        ('CREATE TEMP TABLE probe (id int)', 'permission denied to create temporary tables'),
        ('CREATE SCHEMA probe', 'permission denied for database postgres'),
        ('CREATE ROLE probe', 'permission denied to create role'),
        ('ALTER TABLE app.items ADD COLUMN probe int', 'must be owner of table items'),
        ("SELECT lo_from_bytea(0, 'probe')", 'permission denied for function lo_from_bytea'),
    ],
    ids=['create-table', 'create-in-public', 'temp-table', 'create-schema', 'create-role', 'alter-table', 'large-object'],
)
def test_cannot_create_or_change_anything(read_write_conn, sql, message):
    with pytest.raises(errors.InsufficientPrivilege, match=message):
        read_write_conn.execute(sql)


def test_cannot_read_another_applications_table(app_conn, app_table):
    with pytest.raises(errors.InsufficientPrivilege, match='permission denied for table orders'):
        app_conn.execute(f'SELECT * FROM {app_table}')


def test_sees_no_query_text_of_other_roles_sessions(pg_server, app_conn):
    with pg_server.connect_super() as other:
        other.execute("SELECT 'query-of-another-role-8c1f'")
        (query,) = app_conn.execute(
            'SELECT query FROM pg_stat_activity WHERE pid = %s', [other.info.backend_pid]
        ).fetchone()
    assert query == '<insufficient privilege>'


# --- the password ----------------------------------------------------------------------------------


def test_script_reads_the_password_with_getenv_and_holds_none(app_init_script):
    text = app_init_script.read_text(encoding='utf-8')
    assert re.search(r"PASSWORD\s+'", text, re.I) is None, 'a literal password in the script'
    assert r'\getenv app_pw APP_DB_PASSWORD' in text
    # Statement logging is off before the statement that carries it.
    assert -1 < text.index("SET log_statement = 'none';") < text.index("PASSWORD :'app_pw'")


@pytest.mark.parametrize('unset', [False, True], ids=['empty', 'unset'])
def test_missing_password_fails_loudly_before_running_psql(pg_server, tmp_path, app_init_script, unset):
    (tmp_path / 'psql').write_text('#!/bin/sh\ntouch "$0.ran"\n')
    (tmp_path / 'psql').chmod(0o755)
    env = {'PATH': f'{tmp_path}:/usr/bin:/bin', 'POSTGRES_USER': 'postgres', 'POSTGRES_DB': 'postgres'}
    if not unset:
        env['APP_DB_PASSWORD'] = ''
    result = subprocess.run(['bash', str(app_init_script)], env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0
    assert 'APP_DB_PASSWORD must be set' in result.stderr
    assert not (tmp_path / 'psql.ran').exists()


def test_password_is_stored_as_a_scram_verifier(pg_server, app_role):
    with pg_server.connect_super() as conn:
        (verifier,) = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'app'").fetchone()
    assert verifier.startswith('SCRAM-SHA-256$4096:')


def test_script_output_shows_no_password(pg_server, first_app_init_run, app_role, datadog_role):
    # The entrypoint runs both scripts with every password in its environment.
    rerun = pg_server.run_app_init_script(app_role, DATADOG_DB_PASSWORD=datadog_role)

    for result in (first_app_init_run, rerun):
        assert result.returncode == 0
        assert 'ALTER ROLE' in result.stdout  # psql's command tags: the output was captured
        output = result.stdout + result.stderr
        secrets_in_env = {'APP_DB_PASSWORD': app_role, 'DATADOG_DB_PASSWORD': datadog_role,
                          'POSTGRES_PASSWORD': pg_server.superuser_password}
        assert [name for name, value in secrets_in_env.items() if value in output] == []


def test_password_never_reaches_the_server_log(pg_server, app_role):
    assert pg_server.run_app_init_script(app_role).returncode == 0
    with pg_server.connect_tcp('app', app_role) as conn:
        conn.execute('SELECT 1')
    with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "app"'):
        pg_server.connect_tcp('app', app_role + 'x')

    log = pg_server.log_text()
    assert re.search(r'LOG:  connection authorized: user=app database=postgres', log)
    assert app_role not in log


def test_rerun_keeps_one_role_and_the_five_rows(pg_server, app_role):
    assert pg_server.run_app_init_script(app_role).returncode == 0
    with pg_server.connect_super() as conn:
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'app'").fetchone() == (1,)
        assert conn.execute('SELECT count(*) FROM app.items').fetchone() == (5,)


def test_rerun_with_a_new_password_rotates_it(pg_server, app_role):
    try:
        assert pg_server.run_app_init_script(app_role + '-rotated').returncode == 0
        with pg_server.connect_tcp('app', app_role + '-rotated') as conn:
            assert conn.execute('SELECT current_user').fetchone() == ('app',)
        with pytest.raises(psycopg.OperationalError, match='password authentication failed'):
            pg_server.connect_tcp('app', app_role)
    finally:
        assert pg_server.run_app_init_script(app_role).returncode == 0
