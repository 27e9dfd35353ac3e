"""Fixtures for the custom_my_metric Agent check tests (DataDog/integrations-core style).

`aggregator` and `dd_run_check` come from the pytest plugin of datadog-checks-dev
(tests/python/requirements.txt), as in DataDog/integrations-core.
"""

import os
import pathlib
import subprocess

import pytest
from support import load_module

REPO = pathlib.Path(__file__).resolve().parents[3]
CHECK_PATH = REPO / 'container-src' / 'agent' / 'checks.d' / 'custom_my_metric.py'
CHECK_NAME = 'custom_my_metric'
# The interval the yaml is generated with (the stack config's default, Pulumi.yaml).
CHECK_INTERVAL_S = 45
NODE = REPO / 'node_modules' / '.bin' / 'node'
# The Pulumi program's own function (a pure one), run by Node 22 from node_modules through tsx,
# the TypeScript loader of the unit suite.
CHECK_CONF_YAML_JS = (
    "process.stdout.write(require('./components/docker/agentContainer').checkConfYaml(Number(process.argv[1])))"
)


@pytest.fixture(scope='session')
def check_module():
    """checks.d/custom_my_metric.py imported from its path, as the Agent does (it is not a package)."""
    return load_module('custom_my_metric_under_test', CHECK_PATH, keep=False)


@pytest.fixture
def make_check(check_module):
    def make(instance):
        return check_module.MyMetricCheck(CHECK_NAME, {}, [instance])

    return make


@pytest.fixture(scope='session')
def check_interval_s():
    return CHECK_INTERVAL_S


@pytest.fixture(scope='session')
def generated_check_yaml():
    """conf.d/custom_my_metric.yaml exactly as the Pulumi program writes it:
    checkConfYaml(CHECK_INTERVAL_S) of components/docker/agentContainer.ts (one Node start per session)."""
    if not (NODE.exists() and (REPO / 'node_modules' / 'tsx').is_dir()):
        message = f'{REPO / "node_modules"} lacks node or tsx: run `npm ci` in {REPO} first (tests/run.sh does).'
        if os.environ.get('CI') == 'true':
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [str(NODE), '--require', 'tsx/cjs', '-e', CHECK_CONF_YAML_JS, str(CHECK_INTERVAL_S)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f'checkConfYaml failed:\n{result.stderr}'
    return result.stdout
