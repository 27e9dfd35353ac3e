"""The test venv is fully locked: constraints.txt pins every distribution installed in it."""

import re
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

HERE = Path(__file__).resolve().parent
# Installed with the venv itself (python -m venv), not by our requirements.
VENV_OWN = {'pip', 'setuptools', 'wheel'}


def _pins(path):
    pins = {}
    for raw in path.read_text().splitlines():
        line = raw.split('#', 1)[0].strip()
        if not line or line.startswith('-'):
            continue
        m = re.fullmatch(r'([A-Za-z0-9_.-]+)(\[[\w,-]+\])?==([0-9][0-9A-Za-z.+!-]*)', line)
        assert m, f'{path.name}: not an exact pin: {raw!r}'
        pins[canonicalize_name(m.group(1))] = m.group(3)
    return pins


def _installed():
    return {
        canonicalize_name(d.metadata['Name']): d.version
        for d in metadata.distributions()
        if canonicalize_name(d.metadata['Name']) not in VENV_OWN
    }


def test_constraints_pin_every_installed_distribution_at_its_installed_version():
    assert _pins(HERE / 'constraints.txt') == _installed()


def test_every_direct_requirement_is_pinned_at_the_locked_version():
    locked = _pins(HERE / 'constraints.txt')
    direct = _pins(HERE / 'requirements.txt')
    assert {'pytest', 'packaging', 'psycopg', 'datadog-checks-base'} <= set(direct)
    assert {name: locked.get(name) for name in direct} == direct
