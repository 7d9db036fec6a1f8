# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alarm test's refusals and which alarm and topic it drives; waiting for the message (Stubber)."""

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import alarm_test
from ansible_collections.envops.aws.plugins.module_utils import sqs_messages

TOPIC = "arn:aws:sns:me-south-1:111111111111:envops-prod-%s"
TOPICS = [TOPIC % "p1-critical", TOPIC % "p2-high", TOPIC % "p3-warning", TOPIC % "other"]
METRIC = [{"AlarmName": "envops-prod-rds-cpu-percent-warning", "AlarmActions": [TOPIC % "p3-warning"]},
          {"AlarmName": "envops-prod-rds-cpu-percent-critical", "AlarmActions": [TOPIC % "p2-high"]},
          {"AlarmName": "envops-prod-cache-evictions-prod-redis-002-warning", "AlarmActions": [TOPIC % "p3-warning"]},
          {"AlarmName": "envops-prod-cache-evictions-prod-redis-001-warning", "AlarmActions": [TOPIC % "p3-warning"]},
          {"AlarmName": "envops-prod-orphan-critical", "AlarmActions": ["arn:aws:sns:me-south-1:1:elsewhere"]}]
COMPOSITE = [{"AlarmName": "envops-prod-service-down", "AlarmActions": [TOPIC % "p1-critical"]}]


@pytest.mark.parametrize("env,alarm,environments,problem", [
    ("prod", "rds_cpu_percent", ["prod"], None),
    ("prod", "envops-prod-service-down", ["prod"], None),
    ("Prod", "rds_cpu_percent", ["prod"], "alarm_test_env 'Prod' must be an environment name"),
    ("qa", "rds_cpu_percent", ["prod"], "is not an environment of the inventory (prod)"),
    (None, "rds_cpu_percent", ["prod"], "alarm_test_env None"),
    ("prod", "x;rm -rf /", ["prod"], "alarm_test_alarm 'x;rm -rf /' must be"),
    ("prod", None, ["prod"], "alarm_test_alarm None"),
])
def test_input_refusals(env, alarm, environments, problem):
    found = alarm_test.input_problems(env, alarm, environments)
    assert (found == []) if problem is None else (len(found) == 1 and problem in found[0]), found


@pytest.mark.parametrize("requested,name,severity", [
    ("rds_cpu_percent", "envops-prod-rds-cpu-percent-critical", "P2"),
    ("cache_evictions", "envops-prod-cache-evictions-prod-redis-001-warning", "P3"),
    ("envops-prod-rds-cpu-percent-warning", "envops-prod-rds-cpu-percent-warning", "P3"),
    ("envops-prod-service-down", "envops-prod-service-down", "P1"),
])
def test_the_alarm_and_its_severity_topic(requested, name, severity):
    found = alarm_test.target("prod", requested, METRIC, COMPOSITE, TOPICS)
    assert found == {"name": name, "severity": severity,
                     "topic_arn": TOPIC % {"P1": "p1-critical", "P2": "p2-high", "P3": "p3-warning"}[severity]}


@pytest.mark.parametrize("requested,message", [
    ("nat_port_allocation_errors", "environment prod has no alarm of this key"),
    ("envops-prod-unknown", "is neither an alarm key"),
    ("envops-staging-rds-cpu-percent-critical", "is neither an alarm key"),
    ("envops-prod-orphan-critical", "notifies none of the severity topics of prod"),
])
def test_an_alarm_the_environment_does_not_have_is_refused(requested, message):
    with pytest.raises(ValueError, match=message):
        alarm_test.target("prod", requested, METRIC, COMPOSITE, TOPICS)


@pytest.fixture
def sqs():
    client = boto3.client("sqs", region_name="me-south-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_waits_for_the_message_naming_the_alarm_and_deletes_what_it_reads(sqs):
    client, stubber = sqs
    url = "https://sqs.me-south-1.amazonaws.com/111111111111/q"
    ticks = iter([0.0, 0.0, 1.0, 2.0])
    receive = {"QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 5}
    stubber.add_response("receive_message", {"Messages": [{"ReceiptHandle": "a", "Body": "other alarm"}]}, receive)
    stubber.add_response("delete_message", {}, {"QueueUrl": url, "ReceiptHandle": "a"})
    stubber.add_response("receive_message", {"Messages": [{"ReceiptHandle": "b", "Body": "ALARM: envops-prod-x"}]},
                         receive)
    stubber.add_response("delete_message", {}, {"QueueUrl": url, "ReceiptHandle": "b"})
    assert sqs_messages.wait_for(client, url, "envops-prod-x", 30, clock=lambda: next(ticks)) == (
        "ALARM: envops-prod-x", 2.0)


def test_gives_up_at_the_timeout(sqs):
    client, stubber = sqs
    url = "https://sqs.me-south-1.amazonaws.com/111111111111/q"
    ticks = iter([0.0, 0.0, 3.0, 3.0])
    stubber.add_response("receive_message", {}, {"QueueUrl": url, "MaxNumberOfMessages": 10, "WaitTimeSeconds": 3})
    assert sqs_messages.wait_for(client, url, "envops-prod-x", 3, clock=lambda: next(ticks)) == (None, 3.0)
