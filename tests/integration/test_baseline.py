"""The security baseline of prod's account (it has a DR region), built by the role on the local stack, read back
with boto3; re-run changed=0; --check on a fresh account changes nothing.

One fresh fake account: --check first (nothing may exist after it), then spec, lock, keys, buckets and the
baseline for real, then again (changed=0).
"""

import json

import pytest

from harness import REPO, aws_client, run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

ENV = "prod"
SPEC = load_spec(ENV)
REGION = SPEC["region"]
DR_REGION = SPEC["dr"]["region"]
PLAYBOOK = str(REPO / "tests" / "integration" / "data" / "provision_baseline.yml")
BUDGET = {"monthly_usd": 20000, "thresholds_percent": [50, 80, 100]}


@pytest.fixture(scope="module")
def account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account):
    # only the buckets the baseline touches (the logs bucket, and another to show it alone gets the delivery
    # statements) and the access logs one every spec declares, none critical: replication is role buckets' to test
    buckets = [dict(bucket, critical=False) for bucket in SPEC["data"]["buckets"]
               if bucket["purpose"] in ("logs", "backups", "alb-logs")]
    spec = dict(SPEC, account=dict(SPEC["account"], budget=BUDGET), data=dict(SPEC["data"], buckets=buckets))
    return write_inventory(tmp_path_factory.mktemp("inventory"), stack["moto_url"], {ENV: (spec, account)})


@pytest.fixture(scope="module")
def client(stack, account):
    def make(service, region=REGION):
        return aws_client(stack, service, account, region)
    return make


@pytest.fixture(scope="module")
def check_run(inventory):
    """--check on the fresh account (the baseline alone: the keys role always runs, in check mode too)."""
    return run_playbook(PLAYBOOK, inventory, tags="baseline", check=True)


@pytest.fixture(scope="module")
def provisioned(inventory, check_run):
    run = run_playbook(PLAYBOOK, inventory, tags="buckets,baseline")
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def rerun(inventory, provisioned):
    return run_playbook(PLAYBOOK, inventory, tags="buckets,baseline")


def key_arn(client, region, data_class):
    return client("kms", region).describe_key(KeyId="alias/envops/prod/%s" % data_class)["KeyMetadata"]["Arn"]


def test_check_mode_on_a_fresh_account_creates_nothing(check_run, client, account):
    assert check_run.rc == 0, check_run.stdout[-5000:] + check_run.stderr[-2000:]
    assert "Ensure the account-level S3 public access block" in check_run.changed_tasks(ENV)
    iam = client("iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_account_password_policy()
    for region in (REGION, DR_REGION):
        assert client("ec2", region).get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is False
    assert client("cloudtrail").describe_trails()["trailList"] == []
    assert client("budgets", "us-east-1").describe_budgets(AccountId=account).get("Budgets", []) == []
    assert client("sns").list_topics()["Topics"] == []
    assert not [alias for alias in client("kms").list_aliases()["Aliases"]
                if alias["AliasName"].startswith("alias/envops/")]


def test_rerun_changes_nothing(rerun):
    assert rerun.rc == 0, rerun.stdout[-5000:] + rerun.stderr[-2000:]
    assert rerun.changed_tasks(ENV) == []


def test_password_policy_is_the_baseline(client, provisioned):
    policy = client("iam").get_account_password_policy()["PasswordPolicy"]
    assert (policy["MinimumPasswordLength"], policy["MaxPasswordAge"], policy["PasswordReusePrevention"]) == (14, 90, 24)
    assert all(policy[field] for field in ("RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
                                           "RequireLowercaseCharacters", "AllowUsersToChangePassword"))
    assert policy["HardExpiry"] is False


def test_ebs_encrypted_by_default_with_the_data_key_in_both_regions(client, provisioned):
    for region in (REGION, DR_REGION):
        ec2 = client("ec2", region)
        assert ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"] is True
        assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == key_arn(client, region, "data")


def test_account_public_access_block(client, account, provisioned):
    s3control = client("s3control")
    s3control.meta.events.register("before-send.s3-control", _strip_account(account))
    block = s3control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
    assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                     "RestrictPublicBuckets": True}


def _strip_account(account):
    def handler(request, **kwargs):
        request.url = request.url.replace("//%s." % account, "//", 1)
    return handler


def test_trail_multi_region_validated_encrypted_into_the_logs_bucket(client, account, provisioned):
    cloudtrail = client("cloudtrail")
    trail = cloudtrail.get_trail(Name="envops-prod")["Trail"]
    assert trail["S3BucketName"] == "envops-prod-%s-logs" % account
    assert trail["S3KeyPrefix"] == "cloudtrail"
    assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"] and trail["IncludeGlobalServiceEvents"]
    assert trail["KmsKeyId"] == key_arn(client, REGION, "logs")
    assert cloudtrail.get_trail_status(Name="envops-prod")["IsLogging"] is True


def test_logs_bucket_and_logs_key_let_cloudtrail_and_config_deliver(client, account, provisioned):
    bucket = "envops-prod-%s-logs" % account
    statements = json.loads(client("s3").get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    by_sid = {statement["Sid"]: statement for statement in statements}
    trail_put = by_sid["CloudTrailDeliversUnderItsPrefix"]
    assert trail_put["Resource"] == "arn:aws:s3:::%s/cloudtrail/AWSLogs/%s/*" % (bucket, account)
    assert trail_put["Condition"]["StringEquals"] == {"s3:x-amz-acl": "bucket-owner-full-control",
                                                      "aws:SourceAccount": account}
    assert by_sid["ConfigDeliversUnderItsPrefix"]["Resource"].startswith("arn:aws:s3:::%s/config/" % bucket)
    assert by_sid["CloudTrailAndConfigCheckTheBucketOfThisAccount"]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": account}}
    assert "DenyInsecureTransport" in by_sid
    other = json.loads(client("s3").get_bucket_policy(Bucket="envops-prod-%s-backups" % account)["Policy"])
    assert [statement["Sid"] for statement in other["Statement"]] == ["DenyInsecureTransport"]

    kms = client("kms")
    policy = json.loads(kms.get_key_policy(KeyId=key_arn(client, REGION, "logs"), PolicyName="default")["Policy"])
    trail_key = {statement["Sid"]: statement for statement in policy["Statement"]}["CloudTrailEncryptsTheTrailsOfThisAccount"]
    assert trail_key["Condition"]["StringLike"] == {
        "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:%s:trail/*" % account}
    data_policy = json.loads(kms.get_key_policy(KeyId=key_arn(client, REGION, "data"), PolicyName="default")["Policy"])
    assert not any("cloudtrail" in json.dumps(statement) for statement in data_policy["Statement"])


def test_budget_with_thresholds_notifying_the_budget_severity_topic(client, account, provisioned):
    budgets = client("budgets", "us-east-1")
    budget = budgets.describe_budget(AccountId=account, BudgetName="envops-prod-monthly")["Budget"]
    assert float(budget["BudgetLimit"]["Amount"]) == 20000 and budget["TimeUnit"] == "MONTHLY"
    assert budget["CostFilters"] == {"TagKeyValue": ["user:env$prod"]}
    notifications = budgets.describe_notifications_for_budget(AccountId=account,
                                                              BudgetName="envops-prod-monthly")["Notifications"]
    assert sorted((n["NotificationType"], n["Threshold"]) for n in notifications) == [
        ("ACTUAL", 50), ("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 100)]
    topic = "arn:aws:sns:%s:%s:envops-prod-p3-warning" % (REGION, account)  # budgets warn: P3
    for notification in notifications:
        subscribers = budgets.describe_subscribers_for_notification(
            AccountId=account, BudgetName="envops-prod-monthly", Notification=notification)["Subscribers"]
        assert subscribers == [{"SubscriptionType": "SNS", "Address": topic}]
    attributes = client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["DisplayName"] == "envops prod P3"
    assert attributes["KmsMasterKeyId"] == key_arn(client, REGION, "logs")
