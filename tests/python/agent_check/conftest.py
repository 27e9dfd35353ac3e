"""Fixtures for the custom_my_metric Agent check tests (DataDog/integrations-core style).

`aggregator` and `dd_run_check` come from the pytest plugin of datadog-checks-dev
(tests/python/requirements.txt), as in DataDog/integrations-core.
"""

import pathlib
import uuid

import pytest
from support import load_module

CHECK_PATH = (
    pathlib.Path(__file__).resolve().parents[3] / 'container-src' / 'agent' / 'checks.d' / 'custom_my_metric.py'
)
CHECK_NAME = 'custom_my_metric'


def _load_check_module():
    """Import checks.d/custom_my_metric.py from its path, as the Agent does (it is not a package)."""
    return load_module('custom_my_metric_under_test_' + uuid.uuid4().hex, CHECK_PATH, keep=False)


@pytest.fixture
def load_check_module():
    """A fresh import of the check module each call (lets a test control what it imports)."""
    return _load_check_module


@pytest.fixture(scope='session')
def check_module():
    return _load_check_module()


@pytest.fixture
def make_check(check_module):
    def make(instance):
        return check_module.MyMetricCheck(CHECK_NAME, {}, [instance])

    return make
