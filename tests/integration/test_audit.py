"""audit.yml against a provisioned local prod: read-only, the reports of each run, then properties broken out of band
with boto3, each caught naming the check and the resource; compare mode and its refusal.

One provisioning of prod in a fresh fake account of a moto server of the file's own, shared by the file (staging sits in the inventory, unprovisioned,
for compare mode). provision.yml builds the account baseline too, so a fresh prod passes every check that applies.
"""

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from harness import aws_client, run_playbook
from tools.bench_audit import READ_ONLY
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.stack.state import calls, reset_calls

ENV = "prod"
SPEC = load_spec(ENV)
REGION = SPEC["region"]

BASELINE_CHECKS = {"baseline.cloudtrail", "baseline.guardduty", "baseline.securityhub", "baseline.config",
                   "baseline.password_policy", "baseline.ebs_encryption"}
NOT_APPLICABLE = {"org.scp"}
# the local estate has no CA-issued certificate: prod serves the generated one, which the audit reports (medium)
GENERATED_CERTIFICATE = ("edge.certificate", "acm:envops-prod-edge")


@pytest.fixture(scope="module")
def stack(stack, private_moto):
    """The stack's PostgreSQL servers, and a moto server of the file's own: its call counter sees this file's calls
    only, so "no write call" and "no call at all" mean what they say."""
    return dict(stack, moto_url=private_moto)


@pytest.fixture(scope="module")
def account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account):
    return write_inventory(tmp_path_factory.mktemp("inventory"), stack["moto_url"],
                           {ENV: (None, account), "staging": (None, fresh_account_id())})


@pytest.fixture(scope="module")
def provisioned(inventory):
    run = run_playbook("provision.yml", inventory, limit=ENV)
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def client(stack, account, provisioned):
    def make(service, region=REGION):
        return aws_client(stack, service, account, region)
    return make


def audit(inventory, tmp_path, **extra_vars):
    extra_vars.setdefault("envops_report_dir", str(tmp_path / "reports"))
    return run_playbook("audit.yml", inventory, limit=extra_vars.pop("limit", ENV), extra_vars=extra_vars)


def flat(run):
    """The run's output with every run of whitespace as one space (the YAML callback folds long lines)."""
    return " ".join((run.stdout + run.stderr).split())


def refusal(run):
    """The failure messages of the refusal (it runs once, on whichever host comes first)."""
    return " ".join(message for host in ("prod", "staging", "localhost") for message in run.failure_messages(host))


def report_of(tmp_path):
    [directory] = (tmp_path / "reports").glob("audit-*")
    return directory, json.loads((directory / "audit.json").read_text())


def failed_checks(document, env=ENV):
    return {(r["id"], r["resource"]) for r in document["environments"][env] if r["status"] == "failed"}


def test_a_freshly_provisioned_environment_passes_and_the_audit_writes_nothing(
        stack, inventory, provisioned, tmp_path):
    reset_calls(stack["moto_url"])
    run = audit(inventory, tmp_path)
    counted = calls(stack["moto_url"])
    writes = sorted(action for action in counted["by_action"] if not READ_ONLY.match(action))
    assert writes == [], writes
    assert counted["total"] > 30

    assert run.rc == 0, flat(run)[-4000:]
    directory, document = report_of(tmp_path)
    results = document["environments"][ENV]
    assert failed_checks(document) == {GENERATED_CERTIFICATE}
    assert {r["id"] for r in results if r["status"] == "not_applicable"} == NOT_APPLICABLE
    passed = {r["id"] for r in results if r["status"] == "passed"}
    assert {"encryption.rds", "encryption.dynamodb", "encryption.s3", "encryption.elasticache",
            "encryption.backup_vault", "tls.s3", "tls.rds", "tls.elasticache", "public.s3", "public.rds",
            "backup.pitr.dynamodb", "backup.retention.rds", "backup.plan", "backup.vault_lock", "network.flow_logs",
            "network.flow_logs.retention", "tags.required", "edge.alb", "edge.target_groups", "edge.waf",
            "monitoring.alarms", "monitoring.topics"} | BASELINE_CHECKS == passed
    # every alarm key of the spec at both levels, and the composite
    assert len([r for r in results if r["id"] == "monitoring.alarms"]) == 2 * len(SPEC["monitoring"]["alarms"]) + 1
    summary = document["summaries"][0]
    line = "audit prod: %d passed, 1 failed (0 high), 1 not applicable" % summary["passed"]
    assert summary["line"] == line and line in flat(run)

    suites = ElementTree.parse(directory / "audit.junit.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["audit prod"]
    assert int(suites[0].get("tests")) == len(results) and suites[0].get("failures") == "1"
    page = (directory / "audit.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and line in page
    assert not any(external in page for external in ("<script", "src=", "<link", "url("))


def test_broken_properties_are_each_caught_naming_the_check_and_the_resource(
        stack, inventory, client, account, tmp_path):
    bucket = "envops-prod-%s-%%s" % account
    ec2, logs, rds, dynamodb, s3, backup = (client(s) for s in ("ec2", "logs", "rds", "dynamodb", "s3", "backup"))
    [vpc] = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["prod-vpc"]}])["Vpcs"]
    vpc_id = vpc["VpcId"]
    tables = dict((t, dynamodb.describe_table(TableName="prod-%s" % t)["Table"]["TableArn"])
                  for t in ("campaign-events", "product-feeds", "user-activity"))
    logs_key = client("kms").describe_key(KeyId="alias/envops/prod/logs")["KeyMetadata"]["Arn"]

    dynamodb.update_continuous_backups(TableName="prod-campaign-events",
                                       PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    dynamodb.untag_resource(ResourceArn=tables["product-feeds"], TagKeys=["owner"])
    dynamodb.update_table(TableName="prod-user-activity",
                          SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": logs_key})
    s3.put_bucket_policy(Bucket=bucket % "exports", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::%s/*" % (bucket % "exports")}]}))
    s3.delete_public_access_block(Bucket=bucket % "assets")
    s3.delete_bucket_encryption(Bucket=bucket % "logs")
    for flow_log in ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]:
        ec2.delete_flow_logs(FlowLogIds=[flow_log["FlowLogId"]])
    logs.delete_retention_policy(logGroupName="/envops/prod/vpc-flow-logs")
    ec2.delete_tags(Resources=[vpc_id], Tags=[{"Key": "cost_center"}])
    backup.delete_backup_vault_lock_configuration(BackupVaultName="envops-prod")
    rds.modify_db_instance(DBInstanceIdentifier="prod-postgres", PubliclyAccessible=True, BackupRetentionPeriod=1,
                           ApplyImmediately=True)
    rds.modify_db_parameter_group(DBParameterGroupName="envops-prod-postgres15", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}])
    client("cloudtrail").stop_logging(Name="envops-prod")
    client("config").delete_config_rule(ConfigRuleName="envops-dynamodb-pitr-enabled")
    client("ec2").disable_ebs_encryption_by_default()
    client("iam").delete_account_password_policy()
    [detector] = client("guardduty").list_detectors()["DetectorIds"]
    client("guardduty").update_detector(DetectorId=detector, Enable=False)
    elbv2 = client("elbv2")
    [alb] = elbv2.describe_load_balancers(Names=["envops-prod"])["LoadBalancers"]
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"], Attributes=[
        {"Key": "deletion_protection.enabled", "Value": "false"}])
    client("wafv2").disassociate_web_acl(ResourceArn=alb["LoadBalancerArn"])
    client("cloudwatch").delete_alarms(AlarmNames=["envops-prod-rds-cpu-percent-critical"])
    sns = client("sns")
    [p2] = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(":envops-prod-p2-high")]
    sns.set_topic_attributes(TopicArn=p2, AttributeName="KmsMasterKeyId", AttributeValue="")

    reset_calls(stack["moto_url"])
    run = audit(inventory, tmp_path)
    writes = sorted(a for a in calls(stack["moto_url"])["by_action"] if not READ_ONLY.match(a))
    assert writes == [], writes
    assert run.rc != 0
    document = report_of(tmp_path)[1]
    caught = failed_checks(document)
    expected = {
        ("backup.pitr.dynamodb", "dynamodb:prod-campaign-events"),
        ("tags.required", "dynamodb:prod-product-feeds"),
        ("encryption.dynamodb", "dynamodb:prod-user-activity"),
        ("tls.s3", "s3:" + bucket % "exports"),
        ("public.s3", "s3:" + bucket % "exports"),
        ("public.s3", "s3:" + bucket % "assets"),
        ("encryption.s3", "s3:" + bucket % "logs"),
        ("network.flow_logs", "vpc:" + vpc_id),
        ("network.flow_logs.retention", "log-group:/envops/prod/vpc-flow-logs"),
        ("tags.required", "vpc:" + vpc_id),
        ("backup.vault_lock", "backup-vault:envops-prod (%s)" % REGION),
        ("public.rds", "rds:prod-postgres"),
        ("backup.retention.rds", "rds:prod-postgres"),
        ("tls.rds", "rds:prod-postgres"),
        ("baseline.cloudtrail", "cloudtrail:envops-prod"),
        ("baseline.config", "config:%s" % REGION),
        ("baseline.ebs_encryption", "ec2:ebs-encryption-by-default (%s)" % REGION),
        ("baseline.password_policy", "iam:account-password-policy"),
        ("baseline.guardduty", "guardduty:%s" % REGION),
        ("edge.alb", "elbv2:envops-prod"),
        ("edge.waf", "wafv2:envops-prod"),
        ("monitoring.alarms", "cloudwatch:envops-prod-rds-cpu-percent-critical"),
        ("monitoring.topics", "sns:envops-prod-p2-high"),
    }
    assert caught == expected | {GENERATED_CERTIFICATE}
    output = flat(run)
    medium = ("tags.", "network.flow_logs.", "baseline.config", "baseline.password_policy", "monitoring.")
    high = [(check, resource) for check, resource in expected if not check.startswith(medium)]
    for check, resource in high:  # the failure message names every high one
        assert "prod %s %s:" % (check, resource) in output
    assert "audit failed: %d check(s) of severity high failed" % len(high) in output


def test_compare_mode_prints_declared_differences_apart_from_drift(stack, inventory, provisioned, tmp_path):
    run = audit(inventory, tmp_path, audit_compare="staging,prod", limit="staging,prod")
    document = report_of(tmp_path)[1]
    assert sorted(document["environments"]) == ["prod", "staging"]
    parity = document["parity"]
    declared = {row["field"]: (row["a"], row["b"]) for row in parity["declared"]}
    assert declared["data.database.instance_class"] == (load_spec("staging")["data"]["database"]["instance_class"],
                                                        SPEC["data"]["database"]["instance_class"])
    # staging was never provisioned: everything of it is drift, none of it is a declared difference
    assert ("encryption.rds", "rds:staging-postgres") in {(r["id"], r["resource"]) for r in parity["drift"]["staging"]}
    output = flat(run)
    assert "parity staging vs prod: %d declared differences" % len(parity["declared"]) in output
    assert "declared data.database.instance_class: staging=" in output
    assert "drift staging encryption.rds (high) rds:staging-postgres: the instance does not exist" in output


@pytest.mark.parametrize("value,rule", [
    ("prod,prod", "two distinct environments: prod is compared with itself"),
    ("prod", "two distinct environment names separated by a comma"),
    ("prod,../etc", "two distinct environment names separated by a comma"),
])
def test_a_malformed_compare_request_is_refused_before_any_aws_call(stack, inventory, tmp_path, value, rule):
    reset_calls(stack["moto_url"])
    run = audit(inventory, tmp_path, audit_compare=value, limit="staging,prod")
    assert calls(stack["moto_url"])["total"] == 0
    assert run.rc != 0
    assert "refusing to audit, nothing was read: audit_compare %s: " % json.dumps(value) in refusal(run)
    assert rule in refusal(run)
    assert not Path(tmp_path / "reports").exists()


def test_a_compared_environment_outside_the_inventory_is_refused(stack, inventory, tmp_path):
    reset_calls(stack["moto_url"])
    run = audit(inventory, tmp_path, audit_compare="dev,prod", limit="staging,prod")
    assert calls(stack["moto_url"])["total"] == 0
    assert run.rc != 0 and "audit_compare names no environment of the inventory: dev" in refusal(run)
