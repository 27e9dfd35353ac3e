"""The live demo's scenarios on the real AgentCheck: the check's instance, as the Pulumi program's
checkConfYaml writes it for each scenario (run by Node, as conftest.py does), decides its values."""

import json
import pathlib
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
NODE = REPO / 'node_modules' / '.bin' / 'node'

RUNS = 2_000
# The Pulumi program's own functions: the stack config for a scenario (default thresholds:
# warning 500, critical 800, recoveries 250 / 650), then the conf.d file it uploads.
SCENARIO_YAML_JS = """
const { loadStackConfig } = require('./components/config/stackConfig');
const { checkConfYaml } = require('./components/docker/agentContainer');
const { SCENARIOS } = require('./components/config/scenario');
const out = {};
for (const scenario of SCENARIOS) {
  const values = {
    'datadog:apiKey': '0'.repeat(32), 'datadog:appKey': '0'.repeat(40),
    'datadog-exercise:notifyEmail': 'se@example.com', 'datadog-exercise:downtimeStartDate': '2030-01-01',
    'datadog-exercise:scenario': scenario,
  };
  const c = loadStackConfig({ stack: 'dev', get: (k) => values[k], isSecret: () => true });
  out[scenario] = checkConfYaml(c.checkIntervalSeconds, c.scenario.myMetric ?? 'none');
}
process.stdout.write(JSON.stringify(out));
"""
# What each scenario must send at the default thresholds: (lowest allowed, highest allowed).
RANGES = {'exercise': (0, 1000), 'alert': (801, 1000), 'warning': (501, 650), 'calm': (0, 250)}


@pytest.fixture(scope='module')
def scenario_yaml():
    """name -> the conf.d file of that scenario, parsed (one Node start for all of them)."""
    result = subprocess.run(
        [str(NODE), '--require', 'tsx/cjs', '-e', SCENARIO_YAML_JS],
        cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    files = {name: yaml.safe_load(text) for name, text in json.loads(result.stdout).items()}
    return files.__getitem__


def _run(check_module, dd_run_check, conf, runs):
    check = check_module.MyMetricCheck('custom_my_metric', conf['init_config'], conf['instances'])
    for _ in range(runs):
        dd_run_check(check)


@pytest.mark.parametrize('name', sorted(RANGES))
def test_each_scenario_sends_values_in_its_range(aggregator, dd_run_check, check_module, scenario_yaml, name, monkeypatch):
    # The draw's bounds, recorded as the check asks for them: both ends are in the range by
    # construction, where asserting that random draws reached both ends failed now and then
    # ((1000/1001)^2000 is 13 % for each end of the exercise's range).
    draws = []
    real = check_module.random.randint
    monkeypatch.setattr(check_module.random, 'randint', lambda a, b: draws.append((a, b)) or real(a, b))
    _run(check_module, dd_run_check, scenario_yaml(name), RUNS)
    values = [m.value for m in aggregator.metrics('my_metric')]
    low, high = RANGES[name]
    assert len(values) == RUNS
    assert set(draws) == {(low, high)}
    assert low <= min(values) and max(values) <= high


def test_nodata_submits_nothing(aggregator, dd_run_check, check_module, scenario_yaml):
    conf = scenario_yaml('nodata')
    assert conf['instances'][0]['submit'] is False
    _run(check_module, dd_run_check, conf, 50)
    aggregator.assert_all_metrics_covered()
    assert aggregator.metrics('my_metric') == []


@pytest.mark.parametrize('name', ['slow', 'errors'])
def test_the_app_scenarios_leave_the_check_as_the_exercise_has_it(scenario_yaml, name):
    assert scenario_yaml(name) == scenario_yaml('exercise')
