"""container-src/postgres/10-datadog-user.sh: how it handles the datadog password, how it runs
under the image's entrypoint (executed or sourced), and that rerunning it is safe."""

import re
import subprocess

import psycopg
import pytest

FAKE_PSQL = """#!/usr/bin/env bash
# Stand-in for psql: records each call's argv and the SQL it is fed (call.N.argv, call.N.sql),
# prints $FAKE_PSQL_STDOUT (the database list the script asks for), exits with $FAKE_PSQL_RC.
n=$(( $(ls "$FAKE_PSQL_DIR" | grep -c '\\.argv$') + 1 ))
printf '%s\\n' "$@" > "$FAKE_PSQL_DIR/call.$n.argv"
cat > "$FAKE_PSQL_DIR/call.$n.sql"
printf '%s' "${FAKE_PSQL_STDOUT:-}"
exit "${FAKE_PSQL_RC:-0}"
"""


@pytest.fixture
def fake_psql(tmp_path):
    (tmp_path / 'psql').write_text(FAKE_PSQL)
    (tmp_path / 'psql').chmod(0o755)
    return tmp_path


def _calls(fake_psql):
    """[(argv, sql)] of each psql call, in order."""
    n = len(list(fake_psql.glob('call.*.argv')))
    return [
        ((fake_psql / f'call.{i}.argv').read_text().splitlines(), (fake_psql / f'call.{i}.sql').read_text())
        for i in range(1, n + 1)
    ]


def _opt(argv, name):
    return argv[argv.index(name) + 1]


def _run_with_fake_psql(init_script, fake_psql, password, mode='execute', psql_rc=0, unset=False, databases=''):
    env = {
        'PATH': f'{fake_psql}:/usr/bin:/bin',
        'FAKE_PSQL_DIR': str(fake_psql),
        'FAKE_PSQL_RC': str(psql_rc),
        'FAKE_PSQL_STDOUT': databases,
        'POSTGRES_USER': 'postgres',
        'POSTGRES_DB': 'postgres',
    }
    if not unset:
        env['DATADOG_DB_PASSWORD'] = password
    if mode == 'execute':
        cmd = ['bash', str(init_script)]
    else:  # what the entrypoint does with a non-executable *.sh: source it into its own `set -Eeo pipefail` shell
        cmd = ['bash', '-c', 'set -Eeo pipefail; . "$1"; echo ENTRYPOINT-CONTINUES', 'entrypoint', str(init_script)]
    return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_script_text_contains_no_password_and_reads_it_with_getenv(init_script):
    text = init_script.read_text(encoding='utf-8')
    assert re.search(r"PASSWORD\s+'", text, re.I) is None, 'a literal password in the script'
    assert r'\getenv datadog_pw DATADOG_DB_PASSWORD' in text
    assert "PASSWORD :'datadog_pw'" in text


def test_statement_logging_is_off_before_the_statement_with_the_password(init_script):
    text = init_script.read_text(encoding='utf-8')
    password_at = text.index("PASSWORD :'datadog_pw'")
    for setting in (
        "SET log_statement = 'none';",
        "SET log_min_error_statement = 'panic';",
        'SET log_min_duration_statement = -1;',
    ):
        assert -1 < text.index(setting) < password_at, setting


def test_password_is_neither_on_psqls_command_line_nor_in_the_sql_it_is_fed(init_script, fake_psql):
    password = 'pw-in-env-only-3f9c'
    result = _run_with_fake_psql(init_script, fake_psql, password, databases='postgres\nmy db\n')

    assert result.returncode == 0, result.stderr
    calls = _calls(fake_psql)
    # The role session, the database list, then one session per listed database.
    assert [(_opt(argv, '--username'), _opt(argv, '--dbname')) for argv, _ in calls] == [
        ('postgres', 'postgres'),
        ('postgres', 'postgres'),
        ('postgres', 'postgres'),
        ('postgres', 'my db'),
    ]
    assert all(argv[:2] == ['-v', 'ON_ERROR_STOP=1'] for argv, _ in calls)
    for argv, sql in calls:
        assert password not in '\n'.join(argv)
        assert password not in sql
    assert r'\getenv datadog_pw DATADOG_DB_PASSWORD' in calls[0][1]


@pytest.mark.parametrize('mode', ['execute', 'source'])
@pytest.mark.parametrize('unset', [False, True], ids=['empty', 'unset'])
def test_missing_password_fails_loudly_before_running_psql(init_script, fake_psql, mode, unset):
    result = _run_with_fake_psql(init_script, fake_psql, '', mode=mode, unset=unset)

    assert result.returncode != 0
    assert 'DATADOG_DB_PASSWORD must be set' in result.stderr
    assert 'ENTRYPOINT-CONTINUES' not in result.stdout
    assert _calls(fake_psql) == [], 'psql ran without a password'


@pytest.mark.parametrize('mode', ['execute', 'source'])
def test_a_psql_failure_fails_the_script(init_script, fake_psql, mode):
    result = _run_with_fake_psql(init_script, fake_psql, 'some-password', mode=mode, psql_rc=3)

    assert result.returncode == 3
    assert 'ENTRYPOINT-CONTINUES' not in result.stdout


def test_sourced_by_the_entrypoint_it_returns_and_lets_the_entrypoint_continue(init_script, fake_psql):
    result = _run_with_fake_psql(init_script, fake_psql, 'some-password', mode='source')

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith('ENTRYPOINT-CONTINUES')


def test_rerun_succeeds_and_leaves_one_working_datadog_role(pg_server, datadog_role):
    result = pg_server.run_init_script(datadog_role)

    assert result.returncode == 0, result.stderr
    with pg_server.connect_super() as conn:
        assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'datadog'").fetchone() == (1,)
    with pg_server.connect_tcp('datadog', datadog_role) as conn:
        assert conn.execute('SELECT current_user').fetchone() == ('datadog',)


def test_rerun_with_a_new_password_rotates_it(pg_server, datadog_role):
    new_password = datadog_role + '-rotated'
    try:
        assert pg_server.run_init_script(new_password).returncode == 0
        with pg_server.connect_tcp('datadog', new_password) as conn:
            assert conn.execute('SELECT current_user').fetchone() == ('datadog',)
        with pytest.raises(psycopg.OperationalError, match='password authentication failed'):
            pg_server.connect_tcp('datadog', datadog_role)
    finally:
        assert pg_server.run_init_script(datadog_role).returncode == 0


def test_script_output_shows_neither_password(pg_server, first_init_run, datadog_role):
    # The container's stdout/stderr, which the Agent ships to Datadog as logs: the first run
    # (creates the role) and a rerun (role exists), with both passwords in the environment.
    rerun = pg_server.run_init_script(datadog_role)

    for result in (first_init_run, rerun):
        assert result.returncode == 0
        output = result.stdout + result.stderr
        assert 'ALTER ROLE' in result.stdout  # psql's command tags: the output was captured
        secrets_in_env = {'DATADOG_DB_PASSWORD': datadog_role, 'POSTGRES_PASSWORD': pg_server.superuser_password}
        assert [name for name, value in secrets_in_env.items() if value in output] == []


def test_password_never_reaches_the_server_log(pg_server, datadog_role):
    # Every path that handles the password: the init script (again, so this test is self-contained),
    # a successful login and a failed one.
    assert pg_server.run_init_script(datadog_role).returncode == 0
    with pg_server.connect_tcp('datadog', datadog_role) as conn:
        conn.execute('SELECT 1')
    with pytest.raises(psycopg.OperationalError):
        pg_server.connect_tcp('datadog', datadog_role + 'x')

    log = pg_server.log_text()
    # The script's session was being logged statement by statement until it turned that off ...
    assert re.search(r"LOG:  statement: SET log_statement = 'none';", log)
    # ... and the datadog logins were logged, but the password appears nowhere.
    assert re.search(r'LOG:  connection authorized: user=datadog database=postgres', log)
    assert datadog_role not in log


def test_the_same_statement_without_the_logging_guard_would_leak_the_password(pg_server):
    # Control for the test above: with the server's log_statement = 'all', a role password set by
    # psql's \getenv + :'var' IS written to the log unless the session turns logging off.
    canary = 'canary-password-7d1e0b'
    sql = "\\getenv pw CANARY_PW\nCREATE ROLE dd_log_canary LOGIN PASSWORD :'pw';\nDROP ROLE dd_log_canary;\n"
    result = subprocess.run(
        ['psql', '-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '--username', 'postgres', '--dbname', 'postgres'],
        input=sql,
        env=pg_server.script_env(CANARY_PW=canary),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert canary in pg_server.log_text()
