"""The CloudWatch corrections, shown through boto3 against a moto server of this module's own."""

import boto3
import pytest
from botocore.exceptions import ClientError

REGION = "eu-central-1"
ACCOUNT = "100000000031"


@pytest.fixture(scope="module")
def aws(private_moto):
    def make(service):
        return boto3.client(service, endpoint_url=private_moto, region_name=REGION, aws_access_key_id=ACCOUNT,
                            aws_secret_access_key="local-moto-not-a-secret")
    return make


def put_metric_alarm(cloudwatch, name, actions=()):
    cloudwatch.put_metric_alarm(AlarmName=name, EvaluationPeriods=3, DatapointsToAlarm=2, Threshold=1.0,
                                ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
                                AlarmActions=list(actions), OKActions=list(actions), Tags=[{"Key": "env", "Value": "t"}],
                                Metrics=[{"Id": "errors", "ReturnData": False, "MetricStat": {"Metric": {
                                    "Namespace": "AWS/ApplicationELB", "MetricName": "HTTPCode_Target_5XX_Count",
                                    "Dimensions": [{"Name": "LoadBalancer", "Value": "app/x/1"}]},
                                    "Period": 300, "Stat": "Sum"}},
                                    {"Id": "e1", "Expression": "FILL(errors, 0)", "Label": "5xx", "ReturnData": True}])


def test_composite_alarms_are_put_and_described_by_type(aws):
    cloudwatch = aws("cloudwatch")
    put_metric_alarm(cloudwatch, "fix-rate")
    cloudwatch.put_composite_alarm(AlarmName="fix-down", AlarmRule='ALARM("fix-rate")', AlarmActions=[],
                                   Tags=[{"Key": "env", "Value": "t"}])
    default = cloudwatch.describe_alarms(AlarmNamePrefix="fix-")
    assert [a["AlarmName"] for a in default["MetricAlarms"]] == ["fix-rate"] and default["CompositeAlarms"] == []
    composite = cloudwatch.describe_alarms(AlarmNamePrefix="fix-", AlarmTypes=["CompositeAlarm"])
    assert composite["MetricAlarms"] == []
    (down,) = composite["CompositeAlarms"]
    assert down["AlarmRule"] == 'ALARM("fix-rate")'
    assert cloudwatch.list_tags_for_resource(ResourceARN=down["AlarmArn"])["Tags"] == [{"Key": "env", "Value": "t"}]
    # a metric-math alarm reads back as it was put (the comparison of envops.aws.cloudwatch_alarms relies on it)
    (rate,) = default["MetricAlarms"]
    assert [q["Id"] for q in rate["Metrics"]] == ["errors", "e1"]
    assert rate["Metrics"][1]["Expression"] == "FILL(errors, 0)" and rate["TreatMissingData"] == "notBreaching"


def test_a_composite_alarm_naming_a_missing_alarm_is_refused(aws):
    with pytest.raises(ClientError) as raised:
        aws("cloudwatch").put_composite_alarm(AlarmName="fix-broken", AlarmRule='ALARM("fix-missing")')
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert "fix-missing" in raised.value.response["Error"]["Message"]


def test_a_state_change_reaches_the_subscribers_of_the_actions_topic(aws):
    sns, sqs, cloudwatch = aws("sns"), aws("sqs"), aws("cloudwatch")
    topic = sns.create_topic(Name="fix-alarms")["TopicArn"]
    queue = sqs.create_queue(QueueName="fix-alarms")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    put_metric_alarm(cloudwatch, "fix-notified", actions=[topic])
    cloudwatch.set_alarm_state(AlarmName="fix-notified", StateValue="ALARM", StateReason="test")
    (message,) = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]
    assert '\\"AlarmName\\": \\"fix-notified\\"' in message["Body"]
    assert '\\"NewStateValue\\": \\"ALARM\\"' in message["Body"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    # the same state again changes nothing and publishes nothing
    cloudwatch.set_alarm_state(AlarmName="fix-notified", StateValue="ALARM", StateReason="again")
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", []) == []
    # a subscriber that is gone does not fail the state change
    sqs.delete_queue(QueueUrl=queue)
    cloudwatch.set_alarm_state(AlarmName="fix-notified", StateValue="OK", StateReason="back")
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=["fix-notified"])["MetricAlarms"]
    assert alarm["StateValue"] == "OK"
