# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import config_recorder as recording

ROLE = "arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
CHANNEL = {"name": "default", "s3_bucket": "envops-prod-111111111111-logs", "s3_prefix": "config",
           "s3_kms_key_arn": None, "sns_topic_arn": None, "delivery_frequency": "TwentyFour_Hours"}


def stubbed(service):
    return boto3.client(service, region_name="me-south-1", aws_access_key_id="a", aws_secret_access_key="b")


@pytest.mark.parametrize("name,role,channel,problem", [
    ("default", None, CHANNEL, None), ("default", ROLE, dict(CHANNEL, s3_prefix=None), None),
    ("bad name!", None, CHANNEL, "name: 'bad name!' must be"),
    ("default", "arn:aws:iam::1:role/x", CHANNEL, "role_arn: "),
    ("default", None, dict(CHANNEL, s3_bucket="Logs_Bucket"), "delivery_channel.s3_bucket: "),
    ("default", None, dict(CHANNEL, s3_prefix="config/"), "must not start or end with '/'"),
    ("default", None, dict(CHANNEL, s3_prefix="AWSLogs"), "nor contain AWSLogs"),
    ("default", None, dict(CHANNEL, s3_prefix="a b"), "delivery_channel.s3_prefix: 'a b' must be"),
    ("default", None, dict(CHANNEL, s3_kms_key_arn="alias/envops/prod/logs"), "delivery_channel.s3_kms_key_arn"),
    ("default", None, dict(CHANNEL, sns_topic_arn="envops-prod-p3-warning"), "delivery_channel.sns_topic_arn"),
])
def test_validate_names_the_field_and_its_rule(name, role, channel, problem):
    problems = recording.validate(name, role, channel)
    assert (problems == []) if problem is None else any(problem in text for text in problems), problems


def test_a_recorder_or_channel_of_another_name_is_refused_naming_it():
    assert recording.others("configuration recorder", [], "default", "me-south-1") is None
    assert recording.others("configuration recorder", ["default"], "default", "me-south-1") is None
    message = recording.others("delivery channel", ["legacy"], "default", "me-south-1")
    assert message.startswith("AWS Config in me-south-1 already has the delivery channel legacy, not default")


def test_state_is_normalised_and_nothing_is_a_full_change():
    nothing = recording.state_of(None, None, None)
    assert nothing == {"recorder": None, "recording": False, "delivery_channel": None}
    recorder = {"name": "default", "roleARN": ROLE, "recordingGroup": {
        "allSupported": True, "includeGlobalResourceTypes": True, "resourceTypes": [],
        "recordingStrategy": {"useOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}}}
    channel = {"name": "default", "s3BucketName": CHANNEL["s3_bucket"], "s3KeyPrefix": "config",
               "configSnapshotDeliveryProperties": {"deliveryFrequency": "TwentyFour_Hours"}}
    current = recording.state_of(recorder, {"recording": True, "lastStatus": "SUCCESS"}, channel)
    assert current == recording.desired_state("default", ROLE, True, True, CHANNEL)
    assert current != recording.desired_state("default", ROLE, False, True, CHANNEL), "global types: a change"
    assert current != recording.desired_state("default", ROLE, True, False, CHANNEL), "stopping: a change"


def test_the_service_linked_role_arn():
    assert recording.service_linked_role_arn("aws", "111111111111") == ROLE


def test_calls_in_the_order_aws_requires():
    config, iam, sts = stubbed("config"), stubbed("iam"), stubbed("sts")
    with Stubber(config) as stub, Stubber(iam) as iam_stub, Stubber(sts) as sts_stub:
        iam_stub.add_client_error("get_role", "NoSuchEntity", http_status_code=404)
        iam_stub.add_response("create_service_linked_role", {"Role": {
            "Path": "/aws-service-role/config.amazonaws.com/", "RoleName": "AWSServiceRoleForConfig",
            "RoleId": "AROAEXAMPLEEXAMPLE123", "Arn": ROLE, "CreateDate": "2026-12-07T00:00:00Z"}},
            {"AWSServiceName": "config.amazonaws.com"})
        sts_stub.add_response("get_caller_identity", {"Arn": "arn:aws:iam::111111111111:user/x"}, {})
        stub.add_response("describe_configuration_recorders", {"ConfigurationRecorders": []}, {})
        stub.add_response("describe_delivery_channels", {"DeliveryChannels": []}, {})
        stub.add_client_error("describe_configuration_recorder_status", "NoSuchConfigurationRecorderException",
                              http_status_code=400)
        stub.add_response("put_configuration_recorder", {}, {"ConfigurationRecorder": {
            "name": "default", "roleARN": ROLE,
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}}})
        stub.add_response("put_delivery_channel", {}, {"DeliveryChannel": {
            "name": "default", "s3BucketName": CHANNEL["s3_bucket"], "s3KeyPrefix": "config",
            "configSnapshotDeliveryProperties": {"deliveryFrequency": "TwentyFour_Hours"}}})
        stub.add_response("start_configuration_recorder", {}, {"ConfigurationRecorderName": "default"})
        stub.add_response("stop_configuration_recorder", {}, {"ConfigurationRecorderName": "default"})

        assert recording.service_linked_role(iam) is None
        assert recording.create_service_linked_role(iam) == ROLE
        assert recording.caller_arn(sts).split(":")[4] == "111111111111"
        assert recording.recorders(config) == [] and recording.delivery_channels(config) == []
        assert recording.recorder_status(config, "default") is None
        desired = recording.desired_state("default", ROLE, True, True, CHANNEL)
        recording.put_recorder(config, desired["recorder"])
        recording.put_channel(config, desired["delivery_channel"])
        recording.start_recorder(config, "default")
        recording.stop_recorder(config, "default")
        for stubber in (stub, iam_stub, sts_stub):
            stubber.assert_no_pending_responses()
