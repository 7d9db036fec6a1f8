"""The Security Hub corrections of moto, shown through boto3 against a moto server of this module's own."""

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.local_inventory import fresh_account_id

REGION = "eu-central-1"
FSBP = "arn:aws:securityhub:%s::standards/aws-foundational-security-best-practices/v/1.0.0" % REGION
CIS_14 = "arn:aws:securityhub:%s::standards/cis-aws-foundations-benchmark/v/1.4.0" % REGION


def client(url, account, region=REGION):
    return boto3.client("securityhub", endpoint_url=url, region_name=region, aws_access_key_id=account,
                        aws_secret_access_key="local-moto-not-a-secret")


def error_code(call, **params):
    with pytest.raises(ClientError) as caught:
        call(**params)
    return caught.value.response["Error"]["Code"]


def test_the_standards_of_the_region_are_described(private_moto):
    arns = [standard["StandardsArn"] for standard in client(private_moto, fresh_account_id()).describe_standards()
            ["Standards"]]
    assert FSBP in arns and CIS_14 in arns
    assert "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0" in arns


def test_standards_are_subscribed_read_back_and_unsubscribed_per_account_and_region(private_moto):
    account = fresh_account_id()
    hub = client(private_moto, account)
    assert error_code(hub.get_enabled_standards) == "InvalidAccessException", "no hub, no standards"
    assert error_code(hub.batch_enable_standards,
                      StandardsSubscriptionRequests=[{"StandardsArn": FSBP}]) == "InvalidAccessException"
    hub.enable_security_hub(EnableDefaultStandards=False)
    assert hub.get_enabled_standards()["StandardsSubscriptions"] == []
    answered = hub.batch_enable_standards(
        StandardsSubscriptionRequests=[{"StandardsArn": FSBP}, {"StandardsArn": CIS_14}])
    subscriptions = {s["StandardsArn"]: s for s in answered["StandardsSubscriptions"]}
    assert subscriptions[FSBP]["StandardsSubscriptionArn"] == (
        "arn:aws:securityhub:%s:%s:subscription/aws-foundational-security-best-practices/v/1.0.0" % (REGION, account))
    enabled = hub.get_enabled_standards()["StandardsSubscriptions"]
    assert sorted(s["StandardsArn"] for s in enabled) == sorted([FSBP, CIS_14])
    assert {s["StandardsStatus"] for s in enabled} == {"READY"}
    asked = hub.get_enabled_standards(StandardsSubscriptionArns=[subscriptions[CIS_14]["StandardsSubscriptionArn"]])
    assert [s["StandardsArn"] for s in asked["StandardsSubscriptions"]] == [CIS_14]

    assert client(private_moto, fresh_account_id()).describe_standards()["Standards"], "described without a hub"
    other_region = client(private_moto, account, "eu-west-1")
    other_region.enable_security_hub(EnableDefaultStandards=False)
    assert other_region.get_enabled_standards()["StandardsSubscriptions"] == [], "subscriptions are per region"

    disabled = hub.batch_disable_standards(
        StandardsSubscriptionArns=[subscriptions[CIS_14]["StandardsSubscriptionArn"]])["StandardsSubscriptions"]
    assert [s["StandardsStatus"] for s in disabled] == ["DELETING"]
    assert [s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]] == [FSBP]


def test_unknown_standards_and_subscriptions_are_refused(private_moto):
    hub = client(private_moto, fresh_account_id())
    hub.enable_security_hub(EnableDefaultStandards=False)
    assert error_code(hub.batch_enable_standards, StandardsSubscriptionRequests=[
        {"StandardsArn": "arn:aws:securityhub:%s::standards/made-up/v/1.0.0" % REGION}]) == "InvalidInputException"
    assert error_code(hub.batch_disable_standards, StandardsSubscriptionArns=[
        "arn:aws:securityhub:%s:111111111111:subscription/pci-dss/v/3.2.1" % REGION]) == "InvalidInputException"
    assert hub.get_enabled_standards()["StandardsSubscriptions"] == [], "a refused batch subscribes nothing"


def test_a_second_enable_is_a_conflict_and_disabling_ends_the_subscriptions(private_moto):
    hub = client(private_moto, fresh_account_id())
    hub.enable_security_hub(EnableDefaultStandards=False)
    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": FSBP}])
    assert error_code(hub.enable_security_hub) == "ResourceConflictException"
    hub.disable_security_hub()
    hub.enable_security_hub(EnableDefaultStandards=False)
    assert hub.get_enabled_standards()["StandardsSubscriptions"] == []


def test_hub_tags_and_finding_generator(private_moto):
    account = fresh_account_id()
    hub = client(private_moto, account)
    hub.enable_security_hub(EnableDefaultStandards=False, Tags={"env": "dev", "old": "x"},
                            ControlFindingGenerator="STANDARD_CONTROL")
    arn = hub.describe_hub()["HubArn"]
    assert arn == "arn:aws:securityhub:%s:%s:hub/default" % (REGION, account)
    assert "Tags" not in hub.describe_hub()
    assert hub.describe_hub()["ControlFindingGenerator"] == "STANDARD_CONTROL"
    assert hub.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev", "old": "x"}
    hub.tag_resource(ResourceArn=arn, Tags={"owner": "ops"})
    hub.untag_resource(ResourceArn=arn, TagKeys=["old"])
    assert hub.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev", "owner": "ops"}
    assert error_code(hub.list_tags_for_resource, ResourceArn=arn.replace(account, "111111111111")) == \
        "ResourceNotFoundException"
    hub.update_security_hub_configuration(ControlFindingGenerator="SECURITY_CONTROL", AutoEnableControls=True)
    assert hub.describe_hub()["ControlFindingGenerator"] == "SECURITY_CONTROL"
