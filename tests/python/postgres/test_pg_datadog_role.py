"""The `datadog` role made by the init script: it can log in and read what the Agent's postgres
check reads, and nothing more."""

import psycopg
import pytest
from psycopg import errors

INSUFFICIENT_PRIVILEGE = errors.InsufficientPrivilege.sqlstate  # 42501


@pytest.fixture
def datadog_conn(pg_server, datadog_role):
    with pg_server.connect_tcp('datadog', datadog_role, application_name='datadog-agent-test') as conn:
        yield conn


def _denied(conn, sql):
    with pytest.raises(errors.InsufficientPrivilege) as excinfo:
        conn.execute(sql)
    assert excinfo.value.sqlstate == INSUFFICIENT_PRIVILEGE
    return str(excinfo.value)


# --- authentication --------------------------------------------------------------------------------


def test_datadog_logs_in_over_tcp_with_its_password(datadog_conn):
    user, db, addr = datadog_conn.execute('SELECT current_user, current_database(), inet_client_addr()').fetchone()
    assert (user, db, str(addr)) == ('datadog', 'exercise', '127.0.0.1')


def test_tcp_login_is_authenticated_with_scram(pg_server, datadog_conn):
    with pg_server.connect_super() as conn:
        (verifier,) = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'datadog'").fetchone()
        rules = conn.execute("SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host'").fetchall()
    assert verifier.startswith('SCRAM-SHA-256$')
    assert rules and {r[0] for r in rules} == {'scram-sha-256'}


def test_wrong_password_is_rejected(pg_server, datadog_role):
    with pytest.raises(psycopg.OperationalError, match='password authentication failed for user "datadog"'):
        pg_server.connect_tcp('datadog', datadog_role + '-wrong')


# --- role definition -------------------------------------------------------------------------------


def test_role_has_login_and_no_elevated_attributes(pg_server, datadog_role):
    with pg_server.connect_super() as conn:
        row = conn.execute(
            'SELECT rolcanlogin, rolinherit, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls '
            "FROM pg_roles WHERE rolname = 'datadog'"
        ).fetchone()
    assert row == (True, True, False, False, False, False, False)


def test_role_is_a_member_of_pg_monitor_only(pg_server, datadog_role):
    with pg_server.connect_super() as conn:
        rows = conn.execute(
            'SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid '
            "WHERE m.member = 'datadog'::regrole"
        ).fetchall()
    assert rows == [('pg_monitor',)]


# --- what the Agent's postgres check reads -----------------------------------------------------------


def test_reads_max_connections_from_pg_settings(datadog_conn, conf_settings):
    # The source of the dashboard's postgresql.max_connections.
    row = datadog_conn.execute("SELECT setting FROM pg_settings WHERE name = 'max_connections'").fetchone()
    assert row == (conf_settings['max_connections'][0],)


def test_reads_pg_stat_database_rows(datadog_conn):
    # Commit a transaction of our own and flush this backend's pending statistics right away, so
    # xact_commit of `exercise` is > 0 even when this test runs alone (no sleep needed).
    datadog_conn.execute('SELECT pg_stat_force_next_flush()')
    rows = datadog_conn.execute(
        'SELECT datname, numbackends, xact_commit FROM pg_stat_database WHERE datname IS NOT NULL'
    ).fetchall()
    by_db = {r[0]: r[1:] for r in rows}
    assert {'postgres', 'exercise', 'template1'} <= set(by_db)
    numbackends, xact_commit = by_db['exercise']
    assert numbackends >= 1  # this very session
    assert xact_commit > 0


def test_reads_database_sizes(datadog_conn):
    # postgresql.database_size: needs CONNECT on each database or pg_read_all_stats (in pg_monitor).
    rows = datadog_conn.execute(
        'SELECT datname, pg_database_size(datname) FROM pg_database WHERE datallowconn'
    ).fetchall()
    assert {'postgres', 'exercise'} <= {r[0] for r in rows}
    assert all(size > 0 for _, size in rows)


def test_sees_the_query_text_of_other_users_sessions(pg_server, datadog_conn):
    with pg_server.connect_super() as other:
        other.execute("SELECT 'query-of-another-user-5b21'")
        other_pid = other.info.backend_pid

        (query,) = datadog_conn.execute('SELECT query FROM pg_stat_activity WHERE pid = %s', [other_pid]).fetchone()
        assert query == "SELECT 'query-of-another-user-5b21'"

        # Control: a role without pg_monitor gets no query text for the same session.
        with pg_server.connect_super() as plain:
            plain.execute('CREATE ROLE dd_no_monitor_probe')
            try:
                plain.execute('SET ROLE dd_no_monitor_probe')
                (hidden,) = plain.execute('SELECT query FROM pg_stat_activity WHERE pid = %s', [other_pid]).fetchone()
                plain.execute('RESET ROLE')
            finally:
                plain.execute('DROP ROLE dd_no_monitor_probe')
        assert hidden == '<insufficient privilege>'


# --- least privilege ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    'sql',
    [
        'CREATE TABLE dd_probe (id int)',
        'CREATE TABLE public.dd_probe (id int)',
        'CREATE VIEW public.dd_probe AS SELECT 1',
        'CREATE FUNCTION public.dd_probe() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
    ],
)
def test_cannot_create_objects_in_schema_public(datadog_conn, sql):
    assert 'permission denied for schema public' in _denied(datadog_conn, sql)


def test_has_no_create_privilege_on_schema_public(datadog_conn):
    row = datadog_conn.execute(
        "SELECT has_schema_privilege('public', 'CREATE'), has_schema_privilege('public', 'USAGE')"
    )
    assert row.fetchone() == (False, True)


def test_cannot_read_a_table_owned_by_the_app(datadog_conn, app_table):
    assert f'permission denied for table {app_table.split(".")[1]}' in _denied(
        datadog_conn, f'SELECT * FROM {app_table}'
    )


@pytest.mark.parametrize(
    'sql',
    [
        "INSERT INTO {t} VALUES (3, 'beer')",
        "UPDATE {t} SET item = 'water'",
        'DELETE FROM {t}',
        'TRUNCATE {t}',
    ],
    ids=['insert', 'update', 'delete', 'truncate'],
)
def test_cannot_write_a_table_owned_by_the_app(pg_server, datadog_conn, app_table, sql):
    _denied(datadog_conn, sql.format(t=app_table))
    with pg_server.connect_super() as conn:
        assert conn.execute(f'SELECT id, item FROM {app_table} ORDER BY id').fetchall() == [(1, 'coffee'), (2, 'tea')]


@pytest.mark.parametrize(
    ('sql', 'message'),
    [
        ('CREATE SCHEMA dd_probe', 'permission denied for database exercise'),
        ('CREATE DATABASE dd_probe', 'permission denied to create database'),
        ('CREATE ROLE dd_probe', 'permission denied to create role'),
        ("ALTER SYSTEM SET log_statement = 'none'", 'permission denied to set parameter "log_statement"'),
        ("SET log_statement = 'none'", 'permission denied to set parameter "log_statement"'),
    ],
    ids=['create-schema', 'create-database', 'create-role', 'alter-system', 'set-log-statement'],
)
def test_cannot_change_the_server_or_its_databases(datadog_conn, sql, message):
    assert message in _denied(datadog_conn, sql)
