# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils import guardduty_detector as detectors

ID = "12abc34d567e8fa901bc2d34e56789f0"
ROLE = "arn:aws:iam::111111111111:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"
DETECTOR = {"Status": "ENABLED", "FindingPublishingFrequency": "SIX_HOURS", "ServiceRole": ROLE,
            "Features": [{"Name": "CLOUD_TRAIL", "Status": "ENABLED"},
                         {"Name": "S3_DATA_EVENTS", "Status": "DISABLED"}],
            "Tags": {"env": "prod", "old": "x", "aws:cloudformation:stack-name": "s"}}


@pytest.fixture
def client():
    guardduty = boto3.client("guardduty", region_name="me-south-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(guardduty) as stubber:
        yield guardduty, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("features,problem", [
    ({"S3_DATA_EVENTS": True, "RDS_LOGIN_EVENTS": False}, None), (None, None),
    ({"CLOUD_TRAIL": True}, "'CLOUD_TRAIL' is not one of"), ({"S3_DATA_EVENTS": "yes"}, "must be true or false"),
])
def test_validate_names_the_feature(features, problem):
    problems = detectors.validate(features)
    assert (problems == []) if problem is None else any(problem in text for text in problems), problems


def test_one_detector_or_none_is_fine_and_more_are_refused_naming_each():
    assert detectors.refusal("me-south-1", []) is None
    assert detectors.refusal("me-south-1", [ID]) is None
    message = detectors.refusal("me-south-1", ["bbb", "aaa"])
    assert message.startswith("2 GuardDuty detectors in me-south-1: aaa, bbb.")
    assert "one per account and region" in message


def test_a_detector_is_compared_by_its_normalised_state():
    current = detectors.state_of(ID, DETECTOR)
    assert current == {"exists": True, "detector_id": ID, "enabled": True, "finding_publishing_frequency": "SIX_HOURS",
                       "features": {"CLOUD_TRAIL": True, "S3_DATA_EVENTS": False}, "tags": DETECTOR["Tags"]}
    desired = detectors.desired_state(current, True, "FIFTEEN_MINUTES", {"S3_DATA_EVENTS": True}, {"env": "prod"},
                                      True)
    assert desired["features"] == {"CLOUD_TRAIL": True, "S3_DATA_EVENTS": True}, "features not named stay"
    assert desired["tags"] == {"env": "prod", "aws:cloudformation:stack-name": "s"}, "aws: keys never purged"
    assert detectors.settings_differ(current, desired)
    assert not detectors.settings_differ(current, detectors.desired_state(current, True, None, None, None, True))
    assert detectors.state_of(None, None) == {"exists": False}
    new = detectors.desired_state({"exists": False}, True, None, None, {"env": "dev"}, True)
    assert (new["finding_publishing_frequency"], new["features"]) == ("SIX_HOURS", {}), "AWS's defaults"


def test_feature_configurations_name_only_what_the_api_takes():
    assert detectors.feature_configurations({"S3_DATA_EVENTS": True, "RDS_LOGIN_EVENTS": False, "CLOUD_TRAIL": True}) \
        == [{"Name": "RDS_LOGIN_EVENTS", "Status": "DISABLED"}, {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}]


def test_the_arn_comes_from_the_service_role():
    assert detectors.detector_arn(ROLE, "me-south-1", ID) == "arn:aws:guardduty:me-south-1:111111111111:detector/" + ID


def test_calls_list_read_create_update_and_tag(client):
    guardduty, stubber = client
    stubber.add_response("list_detectors", {"DetectorIds": [ID]}, {})
    stubber.add_response("get_detector", dict(DETECTOR), {"DetectorId": ID})
    desired = {"enabled": True, "finding_publishing_frequency": "ONE_HOUR", "features": {"S3_DATA_EVENTS": True},
               "tags": {"env": "dev"}}
    stubber.add_response("create_detector", {"DetectorId": ID}, {
        "Enable": True, "FindingPublishingFrequency": "ONE_HOUR",
        "Features": [{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}], "Tags": {"env": "dev"}})
    stubber.add_response("update_detector", {}, {
        "DetectorId": ID, "Enable": True, "FindingPublishingFrequency": "ONE_HOUR",
        "Features": [{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}]})
    arn = "arn:aws:guardduty:me-south-1:111111111111:detector/" + ID
    stubber.add_response("untag_resource", {}, {"ResourceArn": arn, "TagKeys": ["old"]})
    stubber.add_response("tag_resource", {}, {"ResourceArn": arn, "Tags": {"env": "dev"}})
    assert detectors.list_detector_ids(guardduty) == [ID]
    assert detectors.get_detector(guardduty, ID)["Status"] == "ENABLED"
    assert detectors.create_detector(guardduty, desired) == ID
    detectors.update_detector(guardduty, ID, desired)
    detectors.tag_detector(guardduty, arn, {"env": "dev"}, ["old"])


def test_a_detector_gone_reads_as_none_and_other_errors_raise(client):
    guardduty, stubber = client
    stubber.add_client_error("get_detector", "BadRequestException", http_status_code=400)
    stubber.add_client_error("list_detectors", "AccessDeniedException", http_status_code=403)
    assert detectors.get_detector(guardduty, ID) is None
    with pytest.raises(AnsibleAWSError):
        detectors.list_detector_ids(guardduty)
