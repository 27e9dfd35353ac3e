"""The image's inputs: pinned requirements, a non-root user, and one default port."""

import importlib.util
import re
import shlex
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import exercise_app_harness as harness


def load_gunicorn_conf(monkeypatch, port=None):
    if port is None:
        monkeypatch.delenv("PORT", raising=False)
    else:
        monkeypatch.setenv("PORT", port)
    for var in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_WORKER_CONNECTIONS"):
        monkeypatch.delenv(var, raising=False)
    spec = importlib.util.spec_from_file_location("exercise_gunicorn_conf", harness.APP_DIR / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pins():
    lines = [ln.split("#", 1)[0].strip() for ln in (harness.APP_DIR / "requirements.txt").read_text().splitlines()]
    reqs = [ln for ln in lines if ln]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", r) for r in reqs), reqs
    return {canonicalize_name(r.split("==")[0]): r.split("==")[1] for r in reqs}


def _closure(roots):
    """The distributions the roots need on this interpreter, walking installed metadata."""
    seen, todo = set(), list(roots)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for spec in metadata.requires(name) or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


DIRECT = ["flask", "gunicorn", "ddtrace", "psycopg", "psycopg-binary", "psycopg-pool"]


def test_every_requirement_is_pinned_exactly():
    pins = _pins()
    assert set(DIRECT) <= set(pins)


def test_the_pins_lock_every_dependency_at_the_installed_version():
    pins = _pins()
    needed = _closure(DIRECT)
    assert needed == set(pins), f"missing: {needed - set(pins)}, unused: {set(pins) - needed}"
    assert {n: metadata.version(n) for n in needed} == pins


def test_image_runs_as_a_non_root_user():
    user = harness.dockerfile_instruction("USER")
    assert user not in ("root", "0") and not user.startswith(("root:", "0:"))


def test_image_user_is_the_one_the_dockerfile_creates():
    (useradd,) = [cmd for run in harness.dockerfile_instructions("RUN") for cmd in run.split("&&") if "useradd" in cmd]
    login = shlex.split(useradd)[-1]  # useradd [options] LOGIN
    assert harness.dockerfile_instruction("USER") == login == "app"


def test_every_copied_file_is_world_readable_whatever_the_checkouts_umask():
    copies = harness.dockerfile_instructions("COPY")
    assert [c.split()[0] for c in copies] == ["--chmod=0444"] * 2, copies
    copied = [name for c in copies for name in c.split()[1:-1]]
    assert sorted(copied) == ["app.py", "gunicorn.conf.py", "requirements.txt", "traffic.py"]


def test_dockerignore_lets_exactly_the_copied_files_into_the_build_context():
    lines = [ln for ln in (harness.APP_DIR / ".dockerignore").read_text().splitlines() if ln and not ln.startswith("#")]
    copied = [name for c in harness.dockerfile_instructions("COPY") for name in c.split()[1:-1]]
    assert lines[0] == "*" and sorted(ln.removeprefix("!") for ln in lines[1:]) == sorted(copied)


def test_image_turns_on_dbm_trace_propagation_and_keeps_the_apps_service_on_db_spans():
    env = harness.dockerfile_env()
    assert env["DD_DBM_PROPAGATION_MODE"] == "full"
    assert env["DD_TRACE_REMOVE_INTEGRATION_SERVICE_NAMES_ENABLED"] == "true"


def test_gunicorn_listens_on_port_from_env_on_all_interfaces(monkeypatch):
    assert load_gunicorn_conf(monkeypatch, "6123").bind == "0.0.0.0:6123"


def test_gunicorn_default_port_is_the_exposed_5050(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    assert conf.bind == "0.0.0.0:5050"
    assert harness.dockerfile_instruction("EXPOSE") == "5050"
    assert harness.dockerfile_env()["PORT"] == "5050"


def test_gunicorn_runs_two_gthread_workers_with_four_threads(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    assert (conf.worker_class, conf.workers, conf.threads) == ("gthread", 2, 4)


def test_each_worker_holds_at_most_its_share_of_16_connections(monkeypatch):
    # The cap that keeps a burst of keep-alive clients (the benchmark's 16) from all landing in one
    # worker (gunicorn.conf.py); 2 per thread, so each worker still keeps some alive between requests.
    conf = load_gunicorn_conf(monkeypatch)
    assert conf.worker_connections == 16 // conf.workers == 2 * conf.threads
