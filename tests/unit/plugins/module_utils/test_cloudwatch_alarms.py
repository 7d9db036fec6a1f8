# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alarm set module's logic: refusals, normalisation (a read-back equals what was asked), the plan and its
order, tags, check mode (botocore Stubber)."""

import datetime

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import cloudwatch_alarms as alarms

PREFIX = "envops-prod-"
TOPIC = "arn:aws:sns:eu-central-1:111111111111:envops-prod-p3-warning"
P1 = "arn:aws:sns:eu-central-1:111111111111:envops-prod-p1-critical"
ARN = "arn:aws:cloudwatch:eu-central-1:111111111111:alarm:"
NOW = datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc)

LATENCY = {"AlarmName": "envops-prod-latency-warning", "Namespace": "AWS/ApplicationELB",
           "MetricName": "TargetResponseTime", "ExtendedStatistic": "p99", "Period": 300,
           "Dimensions": [{"Name": "LoadBalancer", "Value": "app/envops-prod/1"}], "EvaluationPeriods": 5,
           "DatapointsToAlarm": 3, "Threshold": 0.4, "ComparisonOperator": "GreaterThanThreshold",
           "TreatMissingData": "notBreaching", "AlarmActions": [TOPIC], "OKActions": [TOPIC],
           "AlarmDescription": "Warning latency."}
RATE = {"AlarmName": "envops-prod-rate-critical", "EvaluationPeriods": 3, "DatapointsToAlarm": 2, "Threshold": 1,
        "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching", "AlarmActions": [TOPIC],
        "Metrics": [
            {"Id": "requests", "ReturnData": False, "MetricStat": {"Metric": {
                "Namespace": "AWS/ApplicationELB", "MetricName": "RequestCount",
                "Dimensions": [{"Name": "LoadBalancer", "Value": "app/envops-prod/1"}]}, "Period": 300, "Stat": "Sum"}},
            {"Id": "e1", "Expression": "IF(requests >= 100, 1, 0)", "Label": "rate", "ReturnData": True}]}
DOWN = {"AlarmName": "envops-prod-service-down", "AlarmRule": 'ALARM("envops-prod-rate-critical")',
        "AlarmActions": [P1], "OKActions": [P1], "AlarmDescription": "Service down."}


def params(**changes):
    base = {"alarm_prefix": PREFIX, "metric_alarms": [LATENCY, RATE], "composite_alarms": [DOWN], "purge": True,
            "tags": {"env": "prod"}, "purge_tags": True}
    base.update(changes)
    return base


def described_metric(alarm):
    """What DescribeAlarms answers for a metric alarm: state, ARN, timestamps, defaults, reordered lists."""
    read = dict(alarm, AlarmArn=ARN + alarm["AlarmName"], StateValue="OK", StateReason="x",
                StateUpdatedTimestamp=NOW, AlarmConfigurationUpdatedTimestamp=NOW, ActionsEnabled=True,
                InsufficientDataActions=[], OKActions=alarm.get("OKActions", []), Threshold=float(alarm["Threshold"]))
    if "Metrics" in alarm:
        read["Metrics"] = list(reversed(alarm["Metrics"]))
    return read


def described_composite(alarm):
    return dict(alarm, AlarmArn=ARN + alarm["AlarmName"], StateValue="OK", ActionsEnabled=True,
                InsufficientDataActions=[], StateUpdatedTimestamp=NOW)


@pytest.fixture
def cloudwatch():
    client = boto3.client("cloudwatch", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_describe(stubber, metric=(), composite=()):
    stubber.add_response("describe_alarms", {"MetricAlarms": list(metric), "CompositeAlarms": list(composite)},
                         {"AlarmNamePrefix": PREFIX, "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]})


def expect_tags(stubber, name, tags):
    stubber.add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
                         {"ResourceARN": ARN + name})


@pytest.mark.parametrize("changes,problem", [
    ({}, None),
    ({"alarm_prefix": "bad prefix"}, "alarm_prefix"),
    ({"metric_alarms": [dict(LATENCY, AlarmName="other-latency")]}, "must start with alarm_prefix"),
    ({"metric_alarms": [dict(LATENCY, Statistic="Average")]}, "exactly one of Statistic and ExtendedStatistic"),
    ({"metric_alarms": [dict(LATENCY, ExtendedStatistic="p999x")]}, "percentile"),
    ({"metric_alarms": [dict(LATENCY, ComparisonOperator="Above")]}, "ComparisonOperator"),
    ({"metric_alarms": [dict(LATENCY, TreatMissingData="sometimes")]}, "TreatMissingData"),
    ({"metric_alarms": [dict(LATENCY, AlarmActions=["not-an-arn"])]}, "is not an ARN"),
    ({"metric_alarms": [dict(RATE, MetricName="RequestCount")]}, "excludes MetricName"),
    ({"metric_alarms": [dict(RATE, Metrics=[dict(q, ReturnData=True) for q in RATE["Metrics"]])]},
     "exactly one query"),
    ({"metric_alarms": [LATENCY, RATE, LATENCY]}, "given twice: envops-prod-latency-warning"),
    ({"composite_alarms": [dict(DOWN, AlarmRule="")]}, "AlarmRule is required"),
])
def test_refusals_name_the_alarm_and_field(changes, problem):
    found = alarms.problems(params(**changes))
    assert (found == []) if problem is None else (len(found) == 1 and problem in found[0]), found


def test_what_aws_answers_normalises_to_what_was_asked():
    for alarm in (LATENCY, RATE):
        assert alarms.normalise_metric_alarm(described_metric(alarm)) == alarms.normalise_metric_alarm(alarm)
    assert alarms.normalise_composite_alarm(described_composite(DOWN)) == alarms.normalise_composite_alarm(DOWN)
    # a real difference stays one
    assert alarms.normalise_metric_alarm(dict(LATENCY, Threshold=0.5)) != alarms.normalise_metric_alarm(LATENCY)
    # DatapointsToAlarm defaults to EvaluationPeriods, TreatMissingData to missing
    bare = {k: v for k, v in LATENCY.items() if k not in ("DatapointsToAlarm", "TreatMissingData")}
    normal = alarms.normalise_metric_alarm(bare)
    assert (normal["DatapointsToAlarm"], normal["TreatMissingData"]) == (5, "missing")


def test_a_converged_set_changes_nothing(cloudwatch):
    client, stubber = cloudwatch
    expect_describe(stubber, [described_metric(LATENCY), described_metric(RATE)], [described_composite(DOWN)])
    for name in ("envops-prod-latency-warning", "envops-prod-rate-critical", "envops-prod-service-down"):
        expect_tags(stubber, name, {"env": "prod"})
    outcome = alarms.converge(client, params(), check_mode=False)
    assert outcome["changed"] is False
    assert outcome["alarm_names"] == ["envops-prod-latency-warning", "envops-prod-rate-critical",
                                      "envops-prod-service-down"]


def test_a_new_set_is_created_children_before_the_composite(cloudwatch):
    client, stubber = cloudwatch
    expect_describe(stubber)
    tags = [{"Key": "env", "Value": "prod"}]
    stubber.add_response("put_metric_alarm", {}, dict(LATENCY, Tags=tags))
    stubber.add_response("put_metric_alarm", {}, dict(RATE, Tags=tags))
    stubber.add_response("put_composite_alarm", {}, dict(DOWN, Tags=tags))
    outcome = alarms.converge(client, params(), check_mode=False)
    assert outcome["created"] == ["envops-prod-latency-warning", "envops-prod-rate-critical",
                                  "envops-prod-service-down"]


def test_stale_alarms_go_the_composite_first_and_changed_ones_are_put_again(cloudwatch):
    client, stubber = cloudwatch
    stale = dict(LATENCY, AlarmName="envops-prod-old-warning")
    old_down = dict(DOWN, AlarmName="envops-prod-old-down", AlarmRule='ALARM("envops-prod-old-warning")')
    expect_describe(stubber, [described_metric(dict(LATENCY, Threshold=0.3)), described_metric(RATE),
                              described_metric(stale)], [described_composite(DOWN), described_composite(old_down)])
    for name in ("envops-prod-latency-warning", "envops-prod-rate-critical", "envops-prod-service-down"):
        expect_tags(stubber, name, {"env": "prod"})
    stubber.add_response("delete_alarms", {}, {"AlarmNames": ["envops-prod-old-down"]})
    stubber.add_response("put_metric_alarm", {}, dict(LATENCY, Tags=[{"Key": "env", "Value": "prod"}]))
    stubber.add_response("delete_alarms", {}, {"AlarmNames": ["envops-prod-old-warning"]})
    outcome = alarms.converge(client, params(), check_mode=False)
    assert (outcome["updated"], outcome["deleted"]) == (["envops-prod-latency-warning"],
                                                        ["envops-prod-old-down", "envops-prod-old-warning"])


def test_without_purge_other_alarms_under_the_prefix_stay(cloudwatch):
    client, stubber = cloudwatch
    other = dict(LATENCY, AlarmName="envops-prod-someone-elses")
    expect_describe(stubber, [described_metric(LATENCY), described_metric(RATE), described_metric(other)],
                    [described_composite(DOWN)])
    for name in ("envops-prod-latency-warning", "envops-prod-rate-critical", "envops-prod-service-down"):
        expect_tags(stubber, name, {"env": "prod"})
    outcome = alarms.converge(client, params(purge=False), check_mode=False)
    assert outcome["changed"] is False and "envops-prod-someone-elses" in outcome["alarm_names"]


def test_tags_are_set_and_purged(cloudwatch):
    client, stubber = cloudwatch
    expect_describe(stubber, [described_metric(LATENCY)])
    expect_tags(stubber, "envops-prod-latency-warning", {"env": "staging", "old": "x"})
    stubber.add_response("tag_resource", {}, {"ResourceARN": ARN + "envops-prod-latency-warning",
                                              "Tags": [{"Key": "env", "Value": "prod"}]})
    stubber.add_response("untag_resource", {}, {"ResourceARN": ARN + "envops-prod-latency-warning",
                                                "TagKeys": ["old"]})
    outcome = alarms.converge(client, params(metric_alarms=[LATENCY], composite_alarms=[]), check_mode=False)
    assert outcome["retagged"] == ["envops-prod-latency-warning"] and outcome["changed"] is True


def test_check_mode_reads_only(cloudwatch):
    client, stubber = cloudwatch
    expect_describe(stubber, [described_metric(dict(RATE, Threshold=5))])
    expect_tags(stubber, "envops-prod-rate-critical", {"env": "prod"})
    outcome = alarms.converge(client, params(), check_mode=True)
    assert outcome["changed"] is True
    assert outcome["created"] == ["envops-prod-latency-warning", "envops-prod-service-down"]
    assert outcome["updated"] == ["envops-prod-rate-critical"]
    assert outcome["after"]["envops-prod-rate-critical"]["Threshold"] == 1.0
    assert outcome["before"]["envops-prod-rate-critical"]["Threshold"] == 5.0


def test_throttling_is_retried(cloudwatch):
    client, stubber = cloudwatch
    stubber.add_client_error("describe_alarms", "Throttling", http_status_code=400)
    expect_describe(stubber)
    assert alarms.read_alarms(client, PREFIX) == ({}, {})
