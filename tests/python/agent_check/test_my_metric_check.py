"""Tests for container-src/agent/checks.d/custom_my_metric.py against the real datadog-checks-base."""

import random

import pytest
import yaml
from datadog_checks.base import AgentCheck

METRIC = 'my_metric'
BASE_TAG = 'metric:my_metric'
RUNS = 20_000


def _values(aggregator):
    return [m.value for m in aggregator.metrics(METRIC)]


@pytest.fixture
def seeded_random():
    """Seed the process-wide random source (what random.randint uses) and restore it afterwards."""
    state = random.getstate()
    random.seed(20240603)
    yield
    random.setstate(state)


def test_check_subclasses_the_agent_check_from_datadog_checks_base(check_module):
    assert check_module.AgentCheck is AgentCheck
    assert issubclass(check_module.MyMetricCheck, AgentCheck)


def test_one_run_submits_one_my_metric_gauge_with_the_check_tag(aggregator, dd_run_check, make_check):
    dd_run_check(make_check({}))

    aggregator.assert_metric(METRIC, metric_type=aggregator.GAUGE, tags=[BASE_TAG], count=1)
    aggregator.assert_all_metrics_covered()
    (value,) = _values(aggregator)
    assert 0 <= value <= 1000
    assert value == int(value)


def test_instance_tags_are_sent_after_the_check_tag(aggregator, dd_run_check, make_check):
    dd_run_check(make_check({'tags': ['exercise:datadog', 'team:se']}))

    aggregator.assert_metric(
        METRIC, metric_type=aggregator.GAUGE, tags=[BASE_TAG, 'exercise:datadog', 'team:se'], count=1
    )
    aggregator.assert_all_metrics_covered()


def test_values_are_integers_within_0_and_1000_over_many_runs(aggregator, dd_run_check, make_check, seeded_random):
    check = make_check({})
    for _ in range(RUNS):
        dd_run_check(check)

    values = _values(aggregator)
    assert len(values) == RUNS
    assert all(v == int(v) for v in values)
    assert min(values) >= 0
    assert max(values) <= 1000
    # Random, not a constant: with 20k draws from 1001 values almost all values occur.
    assert len(set(values)) > 990


def test_both_ends_of_the_range_occur_with_the_real_random_source(aggregator, dd_run_check, make_check, seeded_random):
    # P(a given endpoint never occurs in 20k uniform draws from 1001 values) = (1000/1001)**20000 ~ 2e-9;
    # an off-by-one (randint(0, 999), randrange(0, 1000), randint(1, 1000)) misses one end with certainty.
    check = make_check({})
    for _ in range(RUNS):
        dd_run_check(check)

    values = set(_values(aggregator))
    assert 0 in values
    assert 1000 in values


@pytest.mark.parametrize(
    ('pick', 'expected'),
    [
        pytest.param(lambda n: 0, 0, id='lowest-draw-gives-0'),
        pytest.param(lambda n: n - 1, 1000, id='highest-draw-gives-1000'),
    ],
)
def test_extreme_draws_of_the_random_source_map_to_0_and_1000(
    aggregator, dd_run_check, make_check, monkeypatch, pick, expected
):
    # random.randint/randrange/choice all draw through the module-level Random instance's
    # _randbelow(n); forcing it to its lowest/highest outcome proves the exact bounds the check asks for.
    monkeypatch.setattr(random._inst, '_randbelow', pick)
    # The patch really drives the public API to the extremes (else this test would prove nothing):
    assert random.randint(0, 999) == (0 if expected == 0 else 999)
    assert random.randrange(1, 1001) == (1 if expected == 0 else 1000)

    dd_run_check(make_check({}))

    aggregator.assert_metric(METRIC, value=expected, metric_type=aggregator.GAUGE, tags=[BASE_TAG], count=1)
    aggregator.assert_all_metrics_covered()


# generated_check_yaml: conf.d/custom_my_metric.yaml from the Pulumi program's own checkConfYaml
# (components/docker/agentContainer.ts), run by Node (conftest.py).


def test_generated_yaml_sets_the_interval_on_the_one_instance(generated_check_yaml, check_interval_s):
    # The Agent's scheduler, not the check, reads min_collection_interval from the instance
    # (datadog_checks.base 36.15 itself never reads it): a whole number of seconds.
    assert yaml.safe_load(generated_check_yaml) == {
        'init_config': {},
        'instances': [{'min_collection_interval': check_interval_s}],
    }


def test_runs_with_the_yaml_the_pulumi_program_generates(aggregator, dd_run_check, check_module, generated_check_yaml):
    conf = yaml.safe_load(generated_check_yaml)
    check = check_module.MyMetricCheck('custom_my_metric', conf['init_config'], conf['instances'])

    dd_run_check(check)

    # One gauge per run; the interval is scheduler configuration, not a tag.
    aggregator.assert_metric(METRIC, metric_type=aggregator.GAUGE, tags=[BASE_TAG], count=1)
    aggregator.assert_all_metrics_covered()


def test_the_check_class_defines_no_collection_interval(check_module):
    # The interval lives only in the yaml (the exercise's bonus question): the class sets none.
    assert [k for k in vars(check_module.MyMetricCheck) if 'interval' in k.lower()] == []
