"""A real PostgreSQL server for the tests of container-src/postgres (postgresql.conf, init scripts)
and of the app's database route (tests/python/app). A pytest plugin (conftest.py beside it loads it),
so its fixtures serve every folder and one server serves the whole session.

Session-scoped harness:
- finds the server binaries under /usr/lib/postgresql/<major>/bin, and when they are missing installs
  them from Debian's packages (`postgresql`; needs root and apt-get, as on CI), without letting the
  package create and start a default cluster (see install_server);
- runs initdb in a temp dir (scram-sha-256 over TCP, trust on the unix socket) and starts the server
  with OUR postgresql.conf (`-c config_file=...`), overriding only port, listen address and socket dir
  on the command line; the server's stderr (where the conf sends its log) goes to a file;
- as root, runs initdb/postgres as an unprivileged user (they refuse to run as root): `postgres`
  from the Debian package, else a system user `pgtest` it creates and deletes again at the end;
- runs the real init scripts 10-datadog-user.sh and 20-app-user.sh against it, in that order, as the
  image's entrypoint would;
- stops the server (pg_ctl stop -m fast) and removes the temp dir at the end.
No sleeps: pg_ctl -w waits for the server to accept connections.
"""

import contextlib
import glob
import os
import pathlib
import pwd
import re
import secrets
import shlex
import shutil
import subprocess
import tempfile

import psycopg
import pytest
from psycopg import sql
from support import free_port

REPO = pathlib.Path(__file__).resolve().parents[2]
PG_SRC = REPO / 'container-src' / 'postgres'
CONF_FILE = PG_SRC / 'postgresql.conf'
INIT_SCRIPT = PG_SRC / '10-datadog-user.sh'
APP_INIT_SCRIPT = PG_SRC / '20-app-user.sh'

SUPERUSER = 'postgres'  # POSTGRES_USER of the image (its default)
# POSTGRES_DB as the Pulumi program runs the image (and the Agent's check's dbname): `postgres`.
APP_DB = 'postgres'
# A second database that exists before the init script runs, as the entrypoint creates
# POSTGRES_DB when it is not `postgres`: the script must lock the datadog role out of it too.
OTHER_DB = 'exercise'
NEEDED = ('initdb', 'pg_ctl', 'postgres', 'psql')
# postgresql-common (248 in bookworm) reads its pg_createcluster defaults from createcluster.conf,
# which as shipped ends with `include_dir '/etc/postgresql-common/createcluster.d'`; the server
# package's postinst asks `pg_conftool .../createcluster.conf show create_main_cluster`, which
# follows that include. So a drop-in there turns the default cluster off without editing the file.
CREATECLUSTER_CONF = pathlib.Path('/etc/postgresql-common/createcluster.conf')
CREATECLUSTER_DROPIN = pathlib.Path('/etc/postgresql-common/createcluster.d/zz-dd-exercise-tests.conf')
APT_OPTIONS = ('-o', 'DPkg::Lock::Timeout=300')  # wait for another apt/dpkg run instead of failing
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 300


def _run(cmd, timeout=RUN_TIMEOUT_S, **kwargs):
    return subprocess.run(
        cmd, check=True, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, **kwargs
    )


def find_bin_dir():
    """Newest /usr/lib/postgresql/<major>/bin that has every binary we need, or None."""
    found = []
    for d in glob.glob('/usr/lib/postgresql/*/bin'):
        major = os.path.basename(os.path.dirname(d))
        if major.isdigit() and all(os.access(os.path.join(d, b), os.X_OK) for b in NEEDED):
            found.append((int(major), d))
    return max(found)[1] if found else None


def install_server():
    """Install Debian's PostgreSQL server, as the official image's Dockerfile does: first
    postgresql-common, then the server, told not to create (and start) a default `main` cluster.
    The drop-in that says so exists only while the server package installs; if the installed
    createcluster.conf does not include createcluster.d, nothing is changed and the package may
    create its `main` cluster (harmless to these tests, which run their own server)."""
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        pytest.fail(
            'PostgreSQL server binaries (initdb, pg_ctl, postgres, psql under /usr/lib/postgresql/*/bin) '
            'are missing and cannot be installed here (needs root and apt-get): '
            'install the Debian package `postgresql`.'
        )
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')

    def apt(*args):
        try:
            _run(['apt-get', *APT_OPTIONS, *args], env=env)
        except subprocess.CalledProcessError as e:
            pytest.fail(f'apt-get {" ".join(args)} failed ({e.returncode}):\n{e.stdout[-3000:]}\n{e.stderr[-3000:]}')

    apt_install = ['install', '-y', '--no-install-recommends']
    apt('update')
    apt(*apt_install, 'postgresql-common')
    dropin = CREATECLUSTER_DROPIN
    includes_dir = CREATECLUSTER_CONF.exists() and re.search(
        rf"^\s*include_dir\s*=?\s*'{re.escape(str(dropin.parent))}'", CREATECLUSTER_CONF.read_text(), re.M
    )
    created_dir = False
    if includes_dir:
        if not dropin.parent.exists():
            dropin.parent.mkdir(mode=0o755)
            created_dir = True
        dropin.write_text('# tests/python/postgres: no default cluster while it installs the server\ncreate_main_cluster = false\n')
    try:
        apt(*apt_install, 'postgresql')
    finally:
        if includes_dir:
            dropin.unlink(missing_ok=True)
            if created_dir:
                dropin.parent.rmdir()


def parse_conf(path):
    """name -> (value, line number) for each setting in a postgresql.conf (quotes removed)."""
    settings = {}
    line_re = re.compile(r"""^\s*([A-Za-z_][\w.]*)\s*=?\s*('(?:[^']|'')*'|[^\s#]+)\s*(?:#.*)?$""")
    for lineno, line in enumerate(pathlib.Path(path).read_text(encoding='utf-8').splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        m = line_re.match(line)
        assert m, f'{path}:{lineno}: cannot parse {line!r}'
        value = m.group(2)
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'")
        settings[m.group(1)] = (value, lineno)
    return settings


class PgServer:
    def __init__(self, bin_dir, tmp, run_as):
        self.bin_dir = bin_dir
        self.tmp = tmp
        self.run_as = run_as  # None, or the unprivileged user's name when we are root
        self.data_dir = os.path.join(tmp, 'data')
        self.socket_dir = os.path.join(tmp, 'sock')
        self.conf_path = os.path.join(tmp, 'etc', 'postgresql.conf')
        self.log_path = os.path.join(tmp, 'server.log')
        self.port = None
        self.overrides = {}
        # POSTGRES_PASSWORD, which the entrypoint's environment holds while the init scripts run
        # (initdb got it; here the superuser logs in over the unix socket without one).
        # Random per run, so finding it in any output can only be a leak.
        self.superuser_password = 'su-' + secrets.token_urlsafe(24)

    def _cmd(self, binary, *args):
        cmd = [os.path.join(self.bin_dir, binary), *args]
        return ['runuser', '-u', self.run_as, '--', *cmd] if self.run_as else cmd

    def pg(self, binary, *args, timeout=RUN_TIMEOUT_S):
        return _run(self._cmd(binary, *args), cwd=self.tmp, timeout=timeout)

    def initdb(self):
        self.pg(
            'initdb',
            '-D',
            self.data_dir,
            '--username',
            SUPERUSER,
            '--auth-local=trust',
            '--auth-host=scram-sha-256',
            '--encoding=UTF8',
            '--locale=C',
            '--no-sync',
            '--no-instructions',
        )

    def start(self):
        # Our file is the whole config; the command line overrides what the test machine needs.
        last_error = None
        for _ in range(3):  # a free port can be taken between probing and binding: retry
            self.port = free_port()
            self.overrides = {
                'port': str(self.port),
                'listen_addresses': '127.0.0.1',
                'unix_socket_directories': self.socket_dir,
            }
            opts = ['-c', f'config_file={self.conf_path}']
            for name, value in self.overrides.items():
                opts += ['-c', f'{name}={value}']
            try:
                self.pg(
                    'pg_ctl',
                    'start',
                    '-w',
                    '-t',
                    str(START_TIMEOUT_S),
                    '-D',
                    self.data_dir,
                    '-l',
                    self.log_path,
                    '-o',
                    shlex.join(opts),
                    timeout=START_TIMEOUT_S + 30,
                )
                return
            except subprocess.CalledProcessError as e:
                last_error = f'{e.stdout}\n{e.stderr}\n--- server log ---\n{self.log_text()}'
        pytest.fail(f'PostgreSQL did not start:\n{last_error}')

    def stop(self):
        if os.path.exists(os.path.join(self.data_dir, 'postmaster.pid')):
            self.pg('pg_ctl', 'stop', '-w', '-m', 'fast', '-D', self.data_dir)

    def log_text(self):
        try:
            return pathlib.Path(self.log_path).read_text(encoding='utf-8', errors='replace')
        except FileNotFoundError:
            return ''

    def connect_super(self, dbname=APP_DB, **kwargs):
        """Superuser session over the unix socket (trust), autocommit."""
        return psycopg.connect(
            host=self.socket_dir, port=self.port, user=SUPERUSER, dbname=dbname, autocommit=True, **kwargs
        )

    def connect_tcp(self, user, password, dbname=APP_DB, **kwargs):
        """Password-authenticated session over TCP to 127.0.0.1 (scram-sha-256 in pg_hba.conf)."""
        return psycopg.connect(
            host='127.0.0.1',
            port=self.port,
            user=user,
            password=password,
            dbname=dbname,
            sslmode='disable',
            autocommit=True,
            connect_timeout=10,
            **kwargs,
        )

    def script_env(self, **extra):
        """Environment of the image's entrypoint for the init scripts, pointing psql at this server."""
        env = {k: v for k, v in os.environ.items() if not k.startswith('PG')}
        env.update(
            PATH=f'{self.bin_dir}:{env.get("PATH", "/usr/bin:/bin")}',
            PGHOST=self.socket_dir,
            PGPORT=str(self.port),
            POSTGRES_USER=SUPERUSER,
            POSTGRES_PASSWORD=self.superuser_password,
            POSTGRES_DB=APP_DB,
        )
        env.update(extra)
        return env

    def run_init_script(self, password, **extra_env):
        """Run the real datadog init script as the entrypoint would execute it; returns the CompletedProcess."""
        return self.run_script(INIT_SCRIPT, DATADOG_DB_PASSWORD=password, **extra_env)

    def run_app_init_script(self, password, **extra_env):
        """Run the real app init script likewise."""
        return self.run_script(APP_INIT_SCRIPT, APP_DB_PASSWORD=password, **extra_env)

    def run_script(self, script, **env):
        return subprocess.run(
            ['bash', str(script)],
            env=self.script_env(**env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
        )


FALLBACK_USER = 'pgtest'


def _unprivileged_user():
    """(name, created): `postgres` (from Debian's postgresql-common) if it exists, else the system
    user FALLBACK_USER, created now (created=True) unless it already exists."""
    for name in ('postgres', FALLBACK_USER):
        try:
            pwd.getpwnam(name)
            return name, False
        except KeyError:
            pass
    _run(['useradd', '--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_USER])
    return FALLBACK_USER, True


@contextlib.contextmanager
def running_server():
    """A started PgServer (installed first if missing), stopped and removed on exit; for the fixture
    below and for tests/bench/app_bench.py."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        install_server()
        bin_dir = find_bin_dir()
        assert bin_dir, 'installed Debian `postgresql` but found no server binaries under /usr/lib/postgresql'

    run_as, created_user = _unprivileged_user() if os.geteuid() == 0 else (None, False)
    # As root, stay out of $TMPDIR (it may sit under a directory the server user cannot enter).
    tmp = tempfile.mkdtemp(prefix='dd-exercise-pg-', dir='/tmp' if run_as else None)
    server = PgServer(bin_dir, tmp, run_as)
    try:
        os.makedirs(os.path.dirname(server.conf_path))
        os.makedirs(server.socket_dir)
        # A byte-for-byte copy of our file (the repo may not be readable by the server user), as the
        # Pulumi program uploads it to /etc/postgresql/postgresql.conf.
        shutil.copyfile(CONF_FILE, server.conf_path)
        if run_as:
            user = pwd.getpwnam(run_as)
            for root, dirs, files in os.walk(tmp):
                for p in [root, *(os.path.join(root, n) for n in dirs + files)]:
                    os.chown(p, user.pw_uid, user.pw_gid)
        server.initdb()
        server.start()
        with server.connect_super(dbname='postgres') as conn:
            conn.execute(f'CREATE DATABASE {OTHER_DB}')
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if created_user:  # its group too (useradd --user-group made it)
                _run(['userdel', run_as])


@pytest.fixture(scope='session')
def pg_server():
    with running_server() as server:
        yield server


@pytest.fixture(scope='session')
def datadog_password():
    # Random per run, so finding it anywhere (log, file, argv) can only be a leak.
    return 'dd-' + secrets.token_urlsafe(24)


@pytest.fixture(scope='session')
def first_init_run(pg_server, datadog_password):
    """The real init script's first run (it creates the role), as a CompletedProcess."""
    return pg_server.run_init_script(datadog_password)


@pytest.fixture(scope='session')
def datadog_role(first_init_run, datadog_password):
    """The `datadog` role, created by running the real init script once; returns its password."""
    assert first_init_run.returncode == 0, f'init script failed:\n{first_init_run.stdout}\n{first_init_run.stderr}'
    return datadog_password


@pytest.fixture(scope='session')
def app_password():
    return 'app-' + secrets.token_urlsafe(24)


@pytest.fixture(scope='session')
def first_app_init_run(pg_server, datadog_role, app_password):
    """The real app init script's first run, after the datadog one (as the entrypoint orders them)."""
    return pg_server.run_app_init_script(app_password)


@pytest.fixture(scope='session')
def app_role(first_app_init_run, app_password):
    """The `app` role and its table app.items, created by the real init script; returns its password."""
    assert first_app_init_run.returncode == 0, (
        f'app init script failed:\n{first_app_init_run.stdout}\n{first_app_init_run.stderr}'
    )
    return app_password


@pytest.fixture(scope='session')
def app_login(pg_server):
    """(user, password) of an ordinary login role, as an application would have: the server's
    settings apply to it as they are in postgresql.conf."""
    user, password = 'exercise_app', 'app-' + secrets.token_urlsafe(24)
    with pg_server.connect_super() as conn:
        conn.execute("SET log_statement = 'none'")  # keep the password out of the server log
        conn.execute(sql.SQL('CREATE ROLE {} LOGIN PASSWORD {}').format(sql.Identifier(user), password))
    return user, password


@pytest.fixture(scope='session')
def app_db():
    return APP_DB


@pytest.fixture(scope='session')
def other_db():
    return OTHER_DB


@pytest.fixture(scope='session')
def conf_file():
    return CONF_FILE


@pytest.fixture(scope='session')
def init_script():
    return INIT_SCRIPT


@pytest.fixture(scope='session')
def app_init_script():
    return APP_INIT_SCRIPT


@pytest.fixture(scope='session')
def conf_settings():
    return parse_conf(CONF_FILE)


@pytest.fixture(scope='session')
def app_table(pg_server):
    """A table created and owned by another application's role (neither datadog nor app), with rows
    in it. Schema `shop` is usable by everyone, so a denial on the table is the table's own privileges."""
    with pg_server.connect_super() as conn:
        conn.execute('CREATE ROLE shop_owner NOLOGIN')
        conn.execute('CREATE SCHEMA shop AUTHORIZATION shop_owner')
        conn.execute('GRANT USAGE ON SCHEMA shop TO PUBLIC')
        conn.execute('SET ROLE shop_owner')
        conn.execute('CREATE TABLE shop.orders (id int PRIMARY KEY, item text NOT NULL)')
        conn.execute("INSERT INTO shop.orders VALUES (1, 'coffee'), (2, 'tea')")
        conn.execute('RESET ROLE')
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'shop' AND tablename = 'orders'")
        assert owner.fetchone() == ('shop_owner',)
        assert conn.execute('SELECT count(*) FROM shop.orders').fetchone() == (2,)
    return 'shop.orders'


@pytest.fixture(scope='session')
def pg_harness():
    """This module, for tests of the harness itself (install_server and its settings)."""
    import sys

    return sys.modules[__name__]
