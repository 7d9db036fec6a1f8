# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime, timezone

from ansible_collections.envops.aws.plugins.module_utils import cloudwatch_metrics as cm

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
GOOD = {"name": "AchievedRTOSeconds", "value": 312.5, "unit": "Seconds",
        "dimensions": {"Store": "postgres", "Environment": "prod"}}


def test_a_good_data_point_passes_and_becomes_metric_data_with_sorted_dimensions():
    assert cm.problems("envops/DR", [GOOD]) == []
    (batch,) = cm.metric_data([GOOD], NOW)
    assert batch == [{"MetricName": "AchievedRTOSeconds", "Value": 312.5, "Unit": "Seconds", "Timestamp": NOW,
                      "Dimensions": [{"Name": "Environment", "Value": "prod"}, {"Name": "Store", "Value": "postgres"}]}]


def test_each_problem_is_named_before_any_call():
    bad = [{"name": "", "value": float("nan"), "unit": "Hours", "dimensions": {"": "x"}},
           {"name": "X", "value": True}]
    assert cm.problems("AWS/RDS", bad) == [
        "namespace 'AWS/RDS': 1-255 characters, not starting with 'AWS/' (reserved for AWS).",
        "metrics[0].name '': 1-255 characters.",
        "metrics[0].value nan: a finite number.",
        "metrics[0].unit 'Hours': one of %s." % ", ".join(cm.UNITS),
        "metrics[0].dimensions: empty name or value (''='x').",
        "metrics[1].value True: a finite number."]
    assert cm.problems("envops/DR", []) == ["metrics: at least one data point."]


def test_many_data_points_go_in_batches_of_1000():
    batches = cm.metric_data([GOOD] * 2500, NOW)
    assert [len(batch) for batch in batches] == [1000, 1000, 500]
