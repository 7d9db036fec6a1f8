"""The CloudWatch Logs and EventBridge corrections of moto (log group KMS keys, SNS targets of rules), shown through
boto3 against a moto server of this module's own."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.local_inventory import fresh_account_id

REGION = "eu-central-1"


def client(url, service, account):
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=account,
                        aws_secret_access_key="local-moto-not-a-secret")


def test_a_log_group_gets_and_loses_its_kms_key(private_moto):
    account = fresh_account_id()
    logs = client(private_moto, "logs", account)
    key_arn = client(private_moto, "kms", account).create_key()["KeyMetadata"]["Arn"]
    logs.create_log_group(logGroupName="/envops/x/flow")
    logs.associate_kms_key(logGroupName="/envops/x/flow", kmsKeyId=key_arn)
    assert logs.describe_log_groups(logGroupNamePrefix="/envops/x/flow")["logGroups"][0]["kmsKeyId"] == key_arn
    logs.disassociate_kms_key(logGroupName="/envops/x/flow")
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix="/envops/x/flow")["logGroups"][0]
    with pytest.raises(ClientError) as caught:
        logs.associate_kms_key(logGroupName="/envops/x/none", kmsKeyId=key_arn)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_rule_publishes_matching_events_to_its_topic(private_moto):
    account = fresh_account_id()
    sns, sqs, events = (client(private_moto, service, account) for service in ("sns", "sqs", "events"))
    topic_arn = sns.create_topic(Name="findings")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="findings")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    events.put_rule(Name="high", EventPattern=json.dumps({"source": ["test.app"],
                                                          "detail": {"severity": [{"numeric": [">=", 7]}]}}))
    events.put_targets(Rule="high", Targets=[{"Id": "topic", "Arn": topic_arn}])
    entries = [{"Source": "test.app", "DetailType": "t", "Detail": json.dumps({"severity": severity})}
               for severity in (8.5, 2)]
    assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(message["Body"])["detail"]["severity"] for message in messages] == [8.5]


def test_an_unreachable_https_subscriber_does_not_stop_the_other_subscribers(private_moto):
    account = fresh_account_id()
    sns, sqs = client(private_moto, "sns", account), client(private_moto, "sqs", account)
    topic_arn = sns.create_topic(Name="paging")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="https", Endpoint="https://pager.invalid/enqueue")
    queue_url = sqs.create_queue(QueueName="paging")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic_arn, Message="service down")
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=queue_url)["Messages"]] == ["service down"]
