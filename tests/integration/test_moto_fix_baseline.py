"""The moto corrections the account baseline needs (EBS default key, Budgets, cost allocation tags), through boto3."""

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.local_inventory import fresh_account_id

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def connect(private_moto):
    account = fresh_account_id()

    def client(service, region=REGION):
        return boto3.client(service, region_name=region, endpoint_url=private_moto, aws_access_key_id=account,
                            aws_secret_access_key="local")
    client.account = account
    return client


def test_ebs_default_key_is_the_aws_managed_one_until_modified_and_after_a_reset(connect):
    ec2 = connect("ec2")
    key_arn = connect("kms").create_key()["KeyMetadata"]["Arn"]
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == "alias/aws/ebs"
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key_arn)
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == key_arn
    assert connect("ec2", "eu-west-1").get_ebs_default_kms_key_id()["KmsKeyId"] == "alias/aws/ebs"  # per region
    assert ec2.reset_ebs_default_kms_key_id()["KmsKeyId"] == "alias/aws/ebs"
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == "alias/aws/ebs"


ACTUAL_80 = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 80,
             "ThresholdType": "PERCENTAGE"}
TOPIC = {"SubscriptionType": "SNS", "Address": "arn:aws:sns:eu-central-1:111111111111:alerts"}
MAIL = {"SubscriptionType": "EMAIL", "Address": "finops@example.com"}


def test_budget_update_and_subscribers(connect):
    budgets = connect("budgets", "us-east-1")
    account = connect.account
    budget = {"BudgetName": "b", "BudgetLimit": {"Amount": "500", "Unit": "USD"}, "TimeUnit": "MONTHLY",
              "BudgetType": "COST", "CostFilters": {"TagKeyValue": ["user:env$dev"]}}
    budgets.create_budget(AccountId=account, Budget=budget,
                          NotificationsWithSubscribers=[{"Notification": ACTUAL_80, "Subscribers": [TOPIC]}])

    budgets.update_budget(AccountId=account, NewBudget=dict(budget, BudgetLimit={"Amount": "800", "Unit": "USD"},
                                                            CostFilters={}))
    updated = budgets.describe_budget(AccountId=account, BudgetName="b")["Budget"]
    assert (updated["BudgetLimit"]["Amount"], updated["CostFilters"]) == ("800", {})
    assert budgets.describe_notifications_for_budget(AccountId=account, BudgetName="b")["Notifications"] == [
        ACTUAL_80]

    def subscribers():
        return budgets.describe_subscribers_for_notification(AccountId=account, BudgetName="b",
                                                             Notification=ACTUAL_80)["Subscribers"]
    assert subscribers() == [TOPIC]
    budgets.create_subscriber(AccountId=account, BudgetName="b", Notification=ACTUAL_80, Subscriber=MAIL)
    assert subscribers() == [TOPIC, MAIL]
    with pytest.raises(ClientError, match="DuplicateRecordException"):
        budgets.create_subscriber(AccountId=account, BudgetName="b", Notification=ACTUAL_80, Subscriber=MAIL)
    budgets.delete_subscriber(AccountId=account, BudgetName="b", Notification=ACTUAL_80, Subscriber=TOPIC)
    assert subscribers() == [MAIL]

    with pytest.raises(ClientError, match="NotFoundException"):
        budgets.update_budget(AccountId=account, NewBudget=dict(budget, BudgetName="missing"))
    with pytest.raises(ClientError, match="NotFoundException"):
        budgets.describe_subscribers_for_notification(AccountId=account, BudgetName="b",
                                                      Notification=dict(ACTUAL_80, Threshold=90))


def test_cost_allocation_tags_activated_and_listed(connect):
    ce = connect("ce", "us-east-1")
    assert ce.list_cost_allocation_tags()["CostAllocationTags"] == []
    assert ce.update_cost_allocation_tags_status(CostAllocationTagsStatus=[
        {"TagKey": "env", "Status": "Active"}, {"TagKey": "owner", "Status": "Inactive"}])["Errors"] == []
    listed = ce.list_cost_allocation_tags()["CostAllocationTags"]
    assert [(row["TagKey"], row["Type"], row["Status"]) for row in listed] == [
        ("env", "UserDefined", "Active"), ("owner", "UserDefined", "Inactive")]
    assert [row["TagKey"] for row in ce.list_cost_allocation_tags(Status="Active")["CostAllocationTags"]] == ["env"]
    assert [row["TagKey"] for row in ce.list_cost_allocation_tags(TagKeys=["owner"])["CostAllocationTags"]] == [
        "owner"]
    with pytest.raises(ClientError, match="ValidationException"):
        ce.update_cost_allocation_tags_status(CostAllocationTagsStatus=[
            {"TagKey": "t%d" % number, "Status": "Active"} for number in range(21)])
