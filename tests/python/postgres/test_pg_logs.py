"""The server log (stderr) that the Agent collects: every line carries the prefix
'%m [%p] %d %a %u %h %c ' and parses into its fields; every statement is logged, except those of
the `datadog` role (the Agent's own queries, every check run)."""

import datetime
import re
import uuid

import pytest

# '%m [%p] %d %a %u %h %c ' then '<LEVEL>:  <message>'.
LOG_LINE = re.compile(
    r'^(?P<timestamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} [A-Z]+) '
    r'\[(?P<pid>\d+)\] '
    r'(?P<db>\S*) (?P<app>\S*) (?P<user>\S*) (?P<host>\S*) '
    r'(?P<session>[0-9a-f]+\.[0-9a-f]+) '
    r'(?P<level>[A-Z]+\d?):  (?P<message>.*)$'
)


def _parsed_lines(log_text, needle):
    return [LOG_LINE.match(line) for line in log_text.splitlines() if needle in line]


@pytest.fixture
def logged_session(pg_server, app_login):
    """An application's session over TCP that ran one marked statement; its identity from the server."""
    app = f'dd-log-test-{uuid.uuid4().hex[:8]}'
    marker = f'log-marker-{uuid.uuid4().hex}'
    before = datetime.datetime.now(datetime.timezone.utc)
    with pg_server.connect_tcp(*app_login, application_name=app) as conn:
        conn.execute(f"SELECT '{marker}'")
        pid, start_epoch = conn.execute(
            'SELECT pid, floor(extract(epoch FROM backend_start))::bigint FROM pg_stat_activity '
            'WHERE pid = pg_backend_pid()'
        ).fetchone()
    after = datetime.datetime.now(datetime.timezone.utc)
    return {'app': app, 'marker': marker, 'pid': pid, 'start_epoch': start_epoch, 'before': before, 'after': after}


def test_statement_line_parses_into_the_prefix_fields(pg_server, logged_session, app_login):
    s = logged_session
    (m,) = _parsed_lines(pg_server.log_text(), f"statement: SELECT '{s['marker']}'")

    assert m, 'statement line does not match the log_line_prefix regex'
    assert m['level'] == 'LOG'
    assert m['message'] == f"statement: SELECT '{s['marker']}'"
    assert int(m['pid']) == s['pid']
    assert (m['db'], m['app'], m['user'], m['host']) == ('postgres', s['app'], app_login[0], '127.0.0.1')
    # %c is the session id: backend start time (epoch seconds) and pid, both in hex.
    assert m['session'] == f"{s['start_epoch']:x}.{s['pid']:x}"


def test_statement_line_timestamp_is_utc_with_milliseconds_at_the_time_it_ran(pg_server, logged_session):
    s = logged_session
    (m,) = _parsed_lines(pg_server.log_text(), f"statement: SELECT '{s['marker']}'")

    stamp, zone = m['timestamp'].rsplit(' ', 1)
    assert zone == 'UTC'
    logged_at = datetime.datetime.strptime(stamp, '%Y-%m-%d %H:%M:%S.%f').replace(tzinfo=datetime.timezone.utc)
    # Milliseconds are truncated in the log, hence the 1 ms slack.
    assert s['before'] - datetime.timedelta(milliseconds=1) <= logged_at <= s['after']


def test_connection_of_the_session_is_logged_with_the_same_prefix(pg_server, logged_session, app_login):
    s = logged_session
    session = f"{s['start_epoch']:x}.{s['pid']:x}"
    lines = [m for m in _parsed_lines(pg_server.log_text(), f'[{s["pid"]}]') if m and m['session'] == session]

    authorized = [m for m in lines if m['message'].startswith('connection authorized: ')]
    assert len(authorized) == 1
    assert f'user={app_login[0]} database=postgres application_name={s["app"]}' in authorized[0]['message']
    assert (authorized[0]['user'], authorized[0]['host'], authorized[0]['db']) == (app_login[0], '127.0.0.1', 'postgres')


def test_every_line_of_the_server_log_matches_the_prefix(pg_server, logged_session):
    # Background processes have empty %d %a %u %h fields; the regex must still parse them.
    lines = [line for line in pg_server.log_text().splitlines() if line and not line.startswith('\t')]
    assert len(lines) > 10
    unparsed = [line for line in lines if not LOG_LINE.match(line)]
    assert unparsed == []


# --- whose statements are logged -------------------------------------------------------------------


def _run_marked_statement(pg_server, user, password):
    """One session of `user` that runs a statement carrying a fresh marker; returns (app name, marker)."""
    app = f'dd-log-test-{uuid.uuid4().hex[:8]}'
    marker = f'log-marker-{uuid.uuid4().hex}'
    with pg_server.connect_tcp(user, password, application_name=app) as conn:
        conn.execute(f"SELECT '{marker}'")
    return app, marker


def test_statements_of_an_application_role_are_logged(pg_server, app_login):
    app, marker = _run_marked_statement(pg_server, *app_login)

    (m,) = _parsed_lines(pg_server.log_text(), marker)
    assert (m['app'], m['user'], m['message']) == (app, app_login[0], f"statement: SELECT '{marker}'")


def test_statements_of_the_datadog_role_are_not_logged(pg_server, datadog_role):
    app, marker = _run_marked_statement(pg_server, 'datadog', datadog_role)

    log = pg_server.log_text()
    # The session is in the log (its connection is), so this is the log it wrote to ...
    authorized = [m for m in _parsed_lines(log, app) if m['message'].startswith('connection authorized: ')]
    assert len(authorized) == 1
    assert f'user=datadog database=postgres application_name={app}' in authorized[0]['message']
    # ... but its statement is not.
    assert marker not in log


def test_log_statement_is_the_only_log_setting_the_datadog_role_changes(pg_server, datadog_role):
    # Slow statements and failing ones of the datadog role are still logged: rare, and worth seeing.
    query = "SELECT name, setting FROM pg_settings WHERE name LIKE 'log%' ORDER BY name"
    with pg_server.connect_super() as conn:  # the superuser sees every setting, as datadog (pg_monitor) does
        server = dict(conn.execute(query).fetchall())
    with pg_server.connect_tcp('datadog', datadog_role) as conn:
        datadog = dict(conn.execute(query).fetchall())

    assert server['log_statement'] == 'all'
    assert datadog.keys() == server.keys()
    assert {k: v for k, v in datadog.items() if server[k] != v} == {'log_statement': 'none'}
