"""container-src/postgres/postgresql.conf: what it declares, and that a real server runs it as written."""

import pathlib

import pytest

from_file_contract = {
    # The contract with the Pulumi program and the Agent (issue #3).
    'listen_addresses': '*',
    'logging_collector': 'off',
    'log_destination': 'stderr',
    'log_statement': 'all',
    'log_line_prefix': '%m [%p] %d %a %u %h %c ',
}


@pytest.mark.parametrize(('name', 'expected'), sorted(from_file_contract.items()))
def test_file_declares_the_container_contract(conf_settings, name, expected):
    assert conf_settings[name][0] == expected


def test_file_leaves_data_dir_and_hba_to_the_image(conf_settings):
    # The image's entrypoint owns $PGDATA and pg_hba.conf.
    for name in ('data_directory', 'hba_file', 'ident_file', 'log_directory'):
        assert name not in conf_settings


# Database Monitoring's settings for a self-hosted PostgreSQL, from Datadog's setup page
# (https://docs.datadoghq.com/database_monitoring/setup_postgres/selfhosted/), as SHOW reports them.
DBM_SETTINGS = {
    'shared_preload_libraries': 'pg_stat_statements',
    'track_activity_query_size': '4kB',
    'pg_stat_statements.track': 'all',
    'pg_stat_statements.max': '10000',
    'pg_stat_statements.track_utility': 'off',
    'track_io_timing': 'on',
}


@pytest.mark.parametrize(('name', 'expected'), sorted(DBM_SETTINGS.items()))
def test_server_runs_with_database_monitorings_settings(pg_server, name, expected):
    with pg_server.connect_super() as conn:
        (shown,) = conn.execute(f'SHOW {name}').fetchone()
    assert shown == expected


def test_server_runs_a_byte_identical_copy_of_the_file_as_its_config_file(pg_server, conf_file):
    with pg_server.connect_super() as conn:
        (config_file,) = conn.execute('SHOW config_file').fetchone()
    assert config_file == pg_server.conf_path
    assert pathlib.Path(config_file).read_bytes() == conf_file.read_bytes()


def test_every_setting_of_the_file_is_in_effect_from_its_line(pg_server, conf_settings):
    names = sorted(conf_settings)
    with pg_server.connect_super() as conn:
        rows = conn.execute(
            # Setting names are case-insensitive (pg_settings spells timezone 'TimeZone').
            'SELECT lower(name), setting, source, sourcefile, sourceline FROM pg_settings WHERE lower(name) = ANY(%s)',
            [[n.lower() for n in names]],
        ).fetchall()
    by_name = {r[0]: r[1:] for r in rows}
    assert sorted(by_name) == sorted(n.lower() for n in names), 'a setting in the file is unknown to the server'
    for name, (value, lineno) in conf_settings.items():
        setting, source, sourcefile, sourceline = by_name[name.lower()]
        if name in pg_server.overrides:  # port / listen address: the test machine's command line wins
            assert (setting, source) == (pg_server.overrides[name], 'command line'), name
        else:
            assert (setting, source, sourcefile, sourceline) == (
                value,
                'configuration file',
                pg_server.conf_path,
                lineno,
            ), name


@pytest.mark.parametrize('name', ['log_line_prefix', 'log_statement', 'logging_collector', 'log_destination'])
def test_show_reports_the_files_logging_setting(pg_server, conf_settings, name):
    with pg_server.connect_super() as conn:
        (shown,) = conn.execute(f'SHOW {name}').fetchone()
    assert shown == conf_settings[name][0] == from_file_contract[name]


def test_max_connections_in_effect_is_the_files_value(pg_server, conf_settings):
    with pg_server.connect_super() as conn:
        (shown,) = conn.execute('SHOW max_connections').fetchone()
    assert shown == conf_settings['max_connections'][0] == '100'
