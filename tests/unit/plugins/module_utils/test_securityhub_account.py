# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import securityhub_account as hubs

REGION = "me-south-1"
FSBP = "arn:aws:securityhub:%s::standards/aws-foundational-security-best-practices/v/1.0.0" % REGION
CIS = "arn:aws:securityhub:%s::standards/cis-aws-foundations-benchmark/v/1.4.0" % REGION
CIS_12 = "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0"
HUB_ARN = "arn:aws:securityhub:%s:111111111111:hub/default" % REGION
SUB = "arn:aws:securityhub:%s:111111111111:subscription/" % REGION


def subscription(standard, path, status="READY"):
    return {"StandardsArn": standard, "StandardsSubscriptionArn": SUB + path, "StandardsStatus": status,
            "StandardsInput": {}}


@pytest.fixture
def client():
    securityhub = boto3.client("securityhub", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(securityhub) as stubber:
        yield securityhub, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("arn,valid", [
    (FSBP, True), (CIS, True), (CIS_12, True),
    ("arn:aws:securityhub:me-south-1::standards/x; rm", False), ("FSBP", False),
    ("arn:aws:securityhub:me-south-1:111111111111:subscription/pci-dss/v/3.2.1", False),
])
def test_validate_takes_standards_arns_only(arn, valid):
    assert (hubs.validate([arn]) == []) is valid


def test_unknown_standards_are_named():
    assert hubs.unknown_standards([FSBP], [FSBP, CIS], REGION) is None
    assert hubs.unknown_standards([FSBP, "arn:aws:securityhub:me-south-1::standards/x/v/1"], [FSBP], REGION) == (
        "Security Hub in me-south-1 offers no standard arn:aws:securityhub:me-south-1::standards/x/v/1 "
        "(DescribeStandards).")


def test_a_hub_not_enabled_gets_the_wanted_standards_and_generator():
    current = hubs.state_of(None, None, [])
    assert current == {"enabled": False}
    desired = hubs.desired_state(current, None, [CIS, FSBP, FSBP], True, {"env": "prod"}, True)
    assert desired == {"enabled": True, "hub_arn": None, "control_finding_generator": "SECURITY_CONTROL",
                       "tags": {"env": "prod"}, "standards": [FSBP, CIS]}
    assert hubs.standards_changes(current, desired, []) == ([FSBP, CIS], [])


def test_standards_not_wanted_are_ended_by_subscription_and_deleting_ones_count_as_gone():
    subscriptions = [subscription(FSBP, "aws-foundational-security-best-practices/v/1.0.0"),
                     subscription(CIS_12, "cis-aws-foundations-benchmark/v/1.2.0"),
                     subscription(CIS, "cis-aws-foundations-benchmark/v/1.4.0", "DELETING")]
    current = hubs.state_of({"HubArn": HUB_ARN, "ControlFindingGenerator": "STANDARD_CONTROL"}, {"env": "prod"},
                            subscriptions)
    assert current["standards"] == sorted([FSBP, CIS_12])
    desired = hubs.desired_state(current, "SECURITY_CONTROL", [FSBP, CIS], True, None, True)
    assert hubs.standards_changes(current, desired, subscriptions) == (
        [CIS], [SUB + "cis-aws-foundations-benchmark/v/1.2.0"])
    kept = hubs.desired_state(current, None, [FSBP, CIS], False, None, True)
    assert kept["standards"] == sorted([FSBP, CIS, CIS_12]), "without purge, others stay"
    assert kept["control_finding_generator"] == "STANDARD_CONTROL", "not asked: kept"
    assert hubs.desired_state(current, None, None, True, None, True) == current, "nothing asked, nothing changes"


def test_calls_enable_read_subscribe_and_end(client):
    securityhub, stubber = client
    stubber.add_client_error("describe_hub", "InvalidAccessException", http_status_code=401)
    stubber.add_response("enable_security_hub", {}, {"EnableDefaultStandards": False,
                                                     "ControlFindingGenerator": "SECURITY_CONTROL",
                                                     "Tags": {"env": "prod"}})
    stubber.add_response("describe_hub", {"HubArn": HUB_ARN, "ControlFindingGenerator": "SECURITY_CONTROL"}, {})
    stubber.add_response("list_tags_for_resource", {"Tags": {"env": "prod"}}, {"ResourceArn": HUB_ARN})
    stubber.add_response("describe_standards", {"Standards": [{"StandardsArn": FSBP}, {"StandardsArn": CIS}]}, {})
    stubber.add_response("get_enabled_standards", {"StandardsSubscriptions": [
        subscription(FSBP, "aws-foundational-security-best-practices/v/1.0.0")]}, {})
    stubber.add_response("batch_enable_standards", {"StandardsSubscriptions": []},
                         {"StandardsSubscriptionRequests": [{"StandardsArn": CIS}]})
    stubber.add_response("batch_disable_standards", {"StandardsSubscriptions": []},
                         {"StandardsSubscriptionArns": [SUB + "x"]})
    stubber.add_response("update_security_hub_configuration", {}, {"ControlFindingGenerator": "STANDARD_CONTROL"})
    stubber.add_response("untag_resource", {}, {"ResourceArn": HUB_ARN, "TagKeys": ["old"]})
    stubber.add_response("tag_resource", {}, {"ResourceArn": HUB_ARN, "Tags": {"env": "prod"}})
    assert hubs.describe_hub(securityhub) is None, "a hub not enabled reads as none"
    hubs.enable_hub(securityhub, "SECURITY_CONTROL", {"env": "prod"})
    assert hubs.describe_hub(securityhub)["HubArn"] == HUB_ARN
    assert hubs.list_tags(securityhub, HUB_ARN) == {"env": "prod"}
    assert hubs.available_standards(securityhub) == [FSBP, CIS]
    assert [s["StandardsArn"] for s in hubs.enabled_standards(securityhub)] == [FSBP]
    hubs.enable_standards(securityhub, [CIS])
    hubs.disable_standards(securityhub, [SUB + "x"])
    hubs.update_generator(securityhub, "STANDARD_CONTROL")
    hubs.tag_hub(securityhub, HUB_ARN, {"env": "prod"}, ["old"])
