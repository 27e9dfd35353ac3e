"""The harness's install path (install_server), run with apt-get replaced by a stub that records
its calls, so CI exercises it without installing anything."""

import os
import pathlib
import shutil
import subprocess

import pytest

FAKE_APT_GET = """#!/usr/bin/env bash
# Stand-in for apt-get: appends its arguments and DEBIAN_FRONTEND to $FAKE_APT_DIR/calls (one call a
# line); installing postgresql-common writes the createcluster.conf in $FAKE_APT_CONF_TEXT (as the
# package does); installing postgresql records the drop-in's content at that moment (what the
# server package's postinst would read). Exits with $FAKE_APT_RC for `install postgresql`.
echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> "$FAKE_APT_DIR/calls"
case " $* " in
  *" postgresql-common "*) printf '%s' "$FAKE_APT_CONF_TEXT" > "$FAKE_APT_CONF" ;;
  *" postgresql "*)
    cat "$FAKE_APT_DROPIN" > "$FAKE_APT_DIR/dropin-during-install" 2>/dev/null || echo absent > "$FAKE_APT_DIR/dropin-during-install"
    exit "${FAKE_APT_RC:-0}" ;;
esac
"""

OPTS = '-o DPkg::Lock::Timeout=300'
EXPECTED_CALLS = [
    f'DEBIAN_FRONTEND=noninteractive {OPTS} update',
    f'DEBIAN_FRONTEND=noninteractive {OPTS} install -y --no-install-recommends postgresql-common',
    f'DEBIAN_FRONTEND=noninteractive {OPTS} install -y --no-install-recommends postgresql',
]


@pytest.fixture
def fake_apt(tmp_path, monkeypatch, pg_harness):
    """apt-get stubbed on PATH; /etc/postgresql-common replaced by tmp_path/etc."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'apt-get').write_text(FAKE_APT_GET)
    (bin_dir / 'apt-get').chmod(0o755)
    etc = tmp_path / 'etc'
    etc.mkdir()
    conf, dropin = etc / 'createcluster.conf', etc / 'createcluster.d' / 'zz-dd-exercise-tests.conf'
    monkeypatch.setattr(pg_harness, 'CREATECLUSTER_CONF', conf)
    monkeypatch.setattr(pg_harness, 'CREATECLUSTER_DROPIN', dropin)
    monkeypatch.setattr(os, 'geteuid', lambda: 0)  # install_server insists on root
    monkeypatch.setenv('PATH', f'{bin_dir}{os.pathsep}{os.environ["PATH"]}')
    monkeypatch.setenv('FAKE_APT_DIR', str(tmp_path))
    monkeypatch.setenv('FAKE_APT_CONF', str(conf))
    monkeypatch.setenv('FAKE_APT_DROPIN', str(dropin))
    monkeypatch.setenv('FAKE_APT_CONF_TEXT', f"ssl = on\ninclude_dir '{dropin.parent}'\n")
    return tmp_path


def _calls(fake_apt):
    return (fake_apt / 'calls').read_text().splitlines()


def test_installs_common_then_server_with_a_lock_timeout_and_no_default_cluster(fake_apt, pg_harness):
    pg_harness.install_server()

    assert _calls(fake_apt) == EXPECTED_CALLS
    assert (fake_apt / 'dropin-during-install').read_text().splitlines()[-1] == 'create_main_cluster = false'
    # Nothing of ours is left behind, and the package's own file is untouched.
    assert not (fake_apt / 'etc' / 'createcluster.d').exists()
    assert (fake_apt / 'etc' / 'createcluster.conf').read_text() == os.environ['FAKE_APT_CONF_TEXT']


def test_an_existing_createcluster_d_is_kept_and_only_the_drop_in_removed(fake_apt, pg_harness):
    other = fake_apt / 'etc' / 'createcluster.d' / 'site.conf'
    other.parent.mkdir()
    other.write_text("initdb_options = '--data-checksums'\n")

    pg_harness.install_server()

    assert (fake_apt / 'dropin-during-install').read_text().endswith('create_main_cluster = false\n')
    assert sorted(p.name for p in other.parent.iterdir()) == ['site.conf']


def test_without_the_include_dir_it_writes_nothing(fake_apt, pg_harness, monkeypatch):
    monkeypatch.setenv('FAKE_APT_CONF_TEXT', 'ssl = on\n')

    pg_harness.install_server()

    assert _calls(fake_apt) == EXPECTED_CALLS
    assert (fake_apt / 'dropin-during-install').read_text() == 'absent\n'
    assert not (fake_apt / 'etc' / 'createcluster.d').exists()


def test_a_failed_install_fails_the_session_and_still_removes_the_drop_in(fake_apt, pg_harness, monkeypatch):
    monkeypatch.setenv('FAKE_APT_RC', '100')

    with pytest.raises(pytest.fail.Exception, match=r'apt-get install -y --no-install-recommends postgresql failed \(100\)'):
        pg_harness.install_server()

    assert not (fake_apt / 'etc' / 'createcluster.d').exists()


def test_postgresql_common_reads_the_drop_in_as_no_default_cluster(pg_server, tmp_path):
    # The mechanism install_server relies on, asked of the real postgresql-common (installed here,
    # as on CI, by the pg_server fixture): its pg_conftool follows createcluster.conf's include_dir.
    pg_conftool = shutil.which('pg_conftool')
    assert pg_conftool, 'postgresql-common is installed but has no pg_conftool'
    shipped = pathlib.Path('/usr/share/postgresql-common/createcluster.conf').read_text()
    assert "include_dir '/etc/postgresql-common/createcluster.d'" in shipped
    (tmp_path / 'createcluster.d').mkdir()
    (tmp_path / 'createcluster.conf').write_text(
        shipped.replace('/etc/postgresql-common/createcluster.d', str(tmp_path / 'createcluster.d'))
    )

    def create_main_cluster():
        return subprocess.run(
            [pg_conftool, str(tmp_path / 'createcluster.conf'), 'show', '-bs', 'create_main_cluster'],
            capture_output=True, text=True, timeout=30,
        )

    assert create_main_cluster().returncode != 0  # not set: the default (true) applies
    (tmp_path / 'createcluster.d' / 'zz-dd-exercise-tests.conf').write_text('create_main_cluster = false\n')
    result = create_main_cluster()
    assert (result.returncode, result.stdout.strip()) == (0, 'off')
