"""teardown.yml and expire_previews.yml against the local stack, in fresh fake accounts; boto3 checks moto.

- A dev environment (with a DR region, a replicated bucket and DR backup replication, so every step of the
  order runs) is provisioned for real, torn down, torn down again (nothing left, empty report).
- Deletion protection and a non-empty bucket stop the run before anything is removed; protection is never lifted.
- prod is refused before any AWS call, without override and with a wrong confirmation.
- expire_previews removes the expired preview of two in the same account and keeps the other (the previews are
  provisioned with their data stores only: the network teardown is covered by the dev environment).

Two provision runs in the whole file (the dev environment, and both previews in one run). The refusals of prod
run against a moto server of this module's own, so its call counter sees nothing but them.

The local stack's corrections give moto 5.2.5 what the teardown needs and it lacks (DeleteCacheSubnetGroup,
ScheduleKeyDeletion given a key ARN): the whole order runs, no step is skipped.
"""

import copy
import json

import botocore.exceptions
import pytest

from harness import aws_client, run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.stack.state import calls, reset_calls

DEV = load_spec("dev")
REGION = DEV["region"]
DR_REGION = "eu-central-1"
# every spec declares the SSE-S3 bucket its load balancer's access logs go to
ALB_LOGS = {"purpose": "alb-logs", "encryption": "s3_managed"}


def teardown(inventory, extra_vars=None, playbook="teardown.yml", tags=None):
    return run_playbook(playbook, inventory, extra_vars=extra_vars, tags=tags)


def reports(directory, env):
    return sorted(directory.glob("teardown-%s-*.json" % env))


def only_report(directory, env):
    found = reports(directory, env)
    assert len(found) == 1, found
    return json.loads(found[0].read_text())


def failure(run, host):
    return "\n".join(run.failure_messages(host))


def error_code(call, **params):
    """The AWS error code of a call, None when it succeeds."""
    try:
        call(**params)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None


def dev_with_dr():
    """dev, plus what only environments with DR have: DR keys, a replicated bucket, DR backup replication."""
    spec = copy.deepcopy(DEV)
    spec["dr"] = {"region": DR_REGION, "strategy": "backup_restore"}
    spec["data"]["buckets"][0]["critical"] = True  # assets
    spec["data"]["database"]["cross_region"] = "snapshot_copy"
    return spec


# --------------------------------------------------------------------------------------------------------------
# (a) a provisioned dev environment, torn down twice


@pytest.fixture(scope="module")
def dev_account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def dev_inventory(tmp_path_factory, stack, dev_account):
    return write_inventory(tmp_path_factory.mktemp("dev"), stack["moto_url"], {"dev": (dev_with_dr(), dev_account)})


@pytest.fixture(scope="module")
def dev_client(stack, dev_account):
    def make(service, region=REGION):
        return aws_client(stack, service, dev_account, region)
    return make


@pytest.fixture(scope="module")
def dev_provisioned(dev_inventory):
    run = run_playbook("provision.yml", dev_inventory)
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def dev_report_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("dev-reports")


def put_object(s3, bucket_name, key, body):
    """Write an object as the application would. The local stack is plain HTTP and moto evaluates the buckets'
    TLS-only policy (deny when aws:SecureTransport is false) for every object call, DeleteObjects included, so
    the policy is removed first; over TLS in AWS it denies nothing here."""
    s3.delete_bucket_policy(Bucket=bucket_name)
    s3.put_object(Bucket=bucket_name, Key=key, Body=body)


def bucket(account, purpose, suffix=""):
    return "envops-dev-%s-%s%s" % (account, purpose, suffix)


@pytest.fixture(scope="module")
def first_teardown(dev_provisioned, dev_inventory, dev_report_dir):
    run = teardown(dev_inventory, {"envops_report_dir": str(dev_report_dir)})
    assert run.rc == 0, failure(run, "dev") + run.stdout[-3000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def first_report(first_teardown, dev_report_dir):
    return only_report(dev_report_dir, "dev")


def test_nothing_tagged_env_dev_is_left(first_teardown, dev_client):
    env = [{"Name": "tag:env", "Values": ["dev"]}]
    ec2 = dev_client("ec2")
    assert ec2.describe_vpcs(Filters=env)["Vpcs"] == []
    assert ec2.describe_subnets(Filters=env)["Subnets"] == []
    assert ec2.describe_security_groups(Filters=env)["SecurityGroups"] == []
    assert ec2.describe_route_tables(Filters=env)["RouteTables"] == []
    assert ec2.describe_network_acls(Filters=env)["NetworkAcls"] == []
    assert ec2.describe_internet_gateways(Filters=env)["InternetGateways"] == []
    endpoints = ec2.describe_vpc_endpoints(Filters=env)["VpcEndpoints"]
    assert {e["State"].lower() for e in endpoints} <= {"deleted"}, "AWS lists deleted endpoints for a while"
    nats = ec2.describe_nat_gateways(Filters=env)["NatGateways"]
    assert {nat["State"] for nat in nats} <= {"deleted"}
    assert ec2.describe_addresses()["Addresses"] == [], "the NAT gateway's Elastic IP is released"

    # the account's lock table stays (not the environment's: untagged), empty once the teardown released its lock
    dynamodb = dev_client("dynamodb")
    assert dynamodb.list_tables()["TableNames"] == ["envops-locks"]
    assert dynamodb.scan(TableName="envops-locks")["Items"] == []
    for region in (REGION, DR_REGION):
        assert dev_client("s3", region).list_buckets()["Buckets"] == [], "buckets and their DR replicas"
    assert dev_client("ssm").get_parameters_by_path(Path="/dev/", Recursive=True)["Parameters"] == []
    secrets = dev_client("secretsmanager").list_secrets()["SecretList"]
    assert [s["Name"] for s in secrets if not s.get("DeletedDate")] == [], "deleted, within their recovery window"
    assert dev_client("rds").describe_db_instances()["DBInstances"] == []
    assert [g["DBParameterGroupName"] for g in dev_client("rds").describe_db_parameter_groups()["DBParameterGroups"]
            if g["DBParameterGroupName"].startswith("envops-dev")] == []
    assert error_code(dev_client("rds").describe_db_subnet_groups, DBSubnetGroupName="envops-dev-db") == \
        "DBSubnetGroupNotFoundFault"
    assert dev_client("elasticache").describe_replication_groups()["ReplicationGroups"] == []
    roles = [r["RoleName"] for r in dev_client("iam").list_roles()["Roles"] if r["RoleName"].startswith("envops-dev")]
    assert roles == []
    assert dev_client("logs").describe_log_groups(logGroupNamePrefix="/envops/dev/")["logGroups"] == []
    for region in (REGION, DR_REGION):
        assert dev_client("backup", region).list_backup_vaults()["BackupVaultList"] == []
    assert dev_client("backup").list_backup_plans()["BackupPlansList"] == []


def test_dr_backup_replication_is_stopped(first_teardown, dev_client):
    backups = dev_client("rds", DR_REGION).describe_db_instance_automated_backups()["DBInstanceAutomatedBackups"]
    assert all(b.get("Status") != "replicating" for b in backups), backups


def test_keys_are_pending_deletion_in_both_regions(first_teardown, dev_client):
    for region in (REGION, DR_REGION):
        kms = dev_client("kms", region)
        for data_class in DEV["data"]["kms_key_classes"]:
            state = kms.describe_key(KeyId="alias/envops/dev/%s" % data_class)["KeyMetadata"]["KeyState"]
            assert state == "PendingDeletion", (region, data_class)


def test_cache_subnet_group_is_removed(first_teardown, dev_client):
    groups = dev_client("elasticache").describe_cache_subnet_groups()["CacheSubnetGroups"]
    assert [g["CacheSubnetGroupName"] for g in groups] == []


def test_final_snapshots_are_kept(first_report, dev_client):
    final = {s["kind"]: s["name"] for s in first_report["final_snapshots"]}
    assert set(final) == {"rds", "elasticache"}
    assert final["rds"].startswith("dev-postgres-final-")
    assert dev_client("rds").describe_db_snapshots(DBSnapshotIdentifier=final["rds"])["DBSnapshots"]
    assert final["elasticache"].startswith("dev-redis-final-")
    assert dev_client("elasticache").describe_snapshots(SnapshotName=final["elasticache"])["Snapshots"]


def test_report_lists_what_was_removed(first_report, first_teardown, dev_account):
    removed = first_report["removed"]
    assert first_report["environment"] == "dev" and first_report["complete"] is True
    assert removed["replication_groups"] == ["dev-redis"]
    assert removed["db_backup_replications"] == ["dev-postgres -> %s" % DR_REGION]
    assert removed["db_instances"] == ["dev-postgres"]
    assert removed["db_parameter_groups"] == ["envops-dev-postgres15"]
    assert removed["db_subnet_groups"] == ["envops-dev-db"]
    assert sorted(removed["dynamodb_tables"]) == sorted("dev-" + t["name"] for t in DEV["data"]["dynamodb_tables"])
    assert removed["bucket_replications"] == [bucket(dev_account, "assets")]
    buckets = [bucket(dev_account, b["purpose"]) for b in DEV["data"]["buckets"]]
    assert sorted(removed["buckets"]) == sorted(buckets + [bucket(dev_account, "assets", "-dr")])
    assert removed["buckets"][0] == bucket(dev_account, "assets", "-dr"), "the DR replica goes first"
    assert sorted(removed["ssm_parameters"]) == sorted(
        ["/dev/app/api_timeout_seconds", "/dev/app/log_level", "/dev/database/endpoint"]
        + ["/dev/dynamodb/" + t["name"] for t in DEV["data"]["dynamodb_tables"]])  # the live-table parameters
    assert sorted(removed["secrets"]) == ["envops/dev/cache/auth-token", "envops/dev/database/master"]
    assert sorted(removed["iam_roles"]) == ["envops-dev-backup", "envops-dev-me-south-1-vpc-flow-logs",
                                            "envops-dev-s3-replication"]
    assert removed["backup_plans"] == ["envops-dev"]
    assert removed["backup_vaults"] == ["envops-dev", "envops-dev-dr"]
    assert "envops-dev-me-south-1-vpc-flow-logs/deliver-flow-logs" in removed["iam_policies"]
    assert removed["log_groups"] == ["/envops/dev/app", "/envops/dev/vpc-flow-logs"]
    assert removed["load_balancers"] == ["envops-dev"]
    assert sorted(removed["target_groups"]) == ["envops-dev-blue", "envops-dev-green"]
    assert removed["certificates"] == ["envops-dev-edge"]
    assert sorted(removed["topics"]) == ["envops-dev-p1-critical", "envops-dev-p2-high", "envops-dev-p3-warning"]
    assert len(removed["vpcs"]) == 1 and len(removed["flow_logs"]) == 1
    assert len(removed["subnets"]) == 3 * DEV["network"]["az_count"]
    assert len(removed["nat_gateways"]) == 1 and len(removed["elastic_ips"]) == 1  # nat_mode single
    assert len(removed["route_tables"]) == 2 + DEV["network"]["az_count"]  # public, db, one app table per AZ
    assert len(removed["network_acls"]) == 3 and len(removed["internet_gateways"]) == 1
    assert sorted(g.split(" ")[1] for g in removed["security_groups"]) == [
        "(dev-alb-sg)", "(dev-app-sg)", "(dev-cache-sg)", "(dev-db-sg)", "(dev-endpoints-sg)"]
    assert len(removed["vpc_endpoints"]) == 2
    assert removed["cache_subnet_groups"] == ["envops-dev-cache"]
    assert len(removed["kms_keys"]) == 2 * len(DEV["data"]["kms_key_classes"]), "both regions"
    assert first_report["removed_count"] == sum(len(names) for names in removed.values())
    # printed at the end too
    assert "dev: removed %d resource(s)" % first_report["removed_count"] in first_teardown.stdout


def test_second_teardown_removes_nothing(first_report, dev_inventory, dev_report_dir):
    run = teardown(dev_inventory, {"envops_report_dir": str(dev_report_dir)})
    assert run.rc == 0, run.stdout[-4000:]
    second = json.loads(reports(dev_report_dir, "dev")[-1].read_text())
    assert second["removed_count"] == 0 and second["final_snapshots"] == []
    assert all(names == [] for names in second["removed"].values()), second["removed"]
    assert run.changed_tasks("dev") == ["Write the report of dev"]
    # the vaults are gone: found missing by listing, not by a DescribeBackupVault that answers AccessDenied
    assert [warning for warning in run.warnings("dev") if "vault" in warning.lower()] == []


# --------------------------------------------------------------------------------------------------------------
# protection and data: the run stops before removing anything


def test_protected_resources_and_data_stop_the_run_before_any_removal(tmp_path, stack):
    account = fresh_account_id()
    spec = copy.deepcopy(DEV)
    spec["data"]["buckets"] = [{"purpose": "exports"}, ALB_LOGS]
    inventory = write_inventory(tmp_path / "inventory", stack["moto_url"], {"dev": (spec, account)})
    dynamodb = aws_client(stack, "dynamodb", account, REGION)
    dynamodb.create_table(TableName="dev-product-feeds", BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True,
                          AttributeDefinitions=[{"AttributeName": "feed_id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "feed_id", "KeyType": "HASH"}])
    dynamodb.create_table(TableName="dev-user-activity", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "user_id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}])
    rds = aws_client(stack, "rds", account, REGION)
    rds.create_db_instance(DBInstanceIdentifier="dev-postgres", Engine="postgres", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="app_admin", MasterUserPassword="x" * 20,
                           DeletionProtection=True)
    s3 = aws_client(stack, "s3", account, REGION)
    name = "envops-dev-%s-exports" % account
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "env", "Value": "dev"}]})
    s3.put_object(Bucket=name, Key="export.csv", Body=b"1\n")

    run = teardown(inventory, {"envops_report_dir": str(tmp_path / "reports"), "teardown_empty_buckets": False})

    assert run.rc != 0
    message = failure(run, "dev")
    assert "RDS instance dev-postgres has deletion protection" in message, message
    assert "DynamoDB tables with deletion protection: dev-product-feeds (" in message, message
    assert "dev-user-activity" not in message
    assert "deletion_protection: false in the spec of dev and run provision.yml again" in message
    assert "never lifts deletion protection" in message
    assert "Buckets holding objects: %s" % name in message
    # nothing removed, protection untouched
    assert rds.describe_db_instances(DBInstanceIdentifier="dev-postgres")["DBInstances"][0]["DeletionProtection"]
    described = dynamodb.describe_table(TableName="dev-product-feeds")["Table"]
    assert described["DeletionProtectionEnabled"]
    assert sorted(dynamodb.list_tables()["TableNames"]) == ["dev-product-feeds", "dev-user-activity", "envops-locks"]
    assert s3.list_objects_v2(Bucket=name)["KeyCount"] == 1
    assert not (tmp_path / "reports").exists(), "a refused run removes nothing and writes no report"


# --------------------------------------------------------------------------------------------------------------
# (b) live data: refused before any AWS call


@pytest.fixture(scope="module")
def prod_inventory(tmp_path_factory, private_moto):
    return write_inventory(tmp_path_factory.mktemp("prod"), private_moto, {"prod": (None, fresh_account_id())})


@pytest.mark.parametrize("extra_vars,expected", [
    ({}, "set teardown_allow_live_data=true and teardown_confirm=prod"),
    ({"teardown_confirm": "prod"}, "set teardown_allow_live_data=true and teardown_confirm=prod"),
    ({"teardown_allow_live_data": True}, "teardown_confirm must be the environment's name 'prod', and it is empty"),
    ({"teardown_allow_live_data": True, "teardown_confirm": "staging"},
     "teardown_confirm must be the environment's name 'prod', got 'staging'"),
], ids=["no-override", "confirmation-only", "override-without-confirmation", "wrong-confirmation"])
def test_prod_is_refused_before_any_aws_call(prod_inventory, private_moto, tmp_path, extra_vars, expected):
    reset_calls(private_moto)

    run = teardown(prod_inventory, dict(extra_vars, envops_report_dir=str(tmp_path)))

    assert calls(private_moto)["total"] == 0, calls(private_moto)["by_action"]
    assert run.rc != 0
    message = failure(run, "prod")
    assert "refusing to tear down prod: it is a production environment and holds live data." in message
    assert expected in message, message
    assert "no AWS call was made" in message
    assert list(tmp_path.iterdir()) == []


def test_prod_with_override_and_confirmation_goes_on_to_aws(prod_inventory, private_moto, tmp_path):
    reset_calls(private_moto)
    # the gate, the preflight, one step (cache: the shortest) and the report
    run = teardown(prod_inventory, {"teardown_allow_live_data": True, "teardown_confirm": "prod",
                                    "envops_report_dir": str(tmp_path)}, tags="cache")
    assert run.rc == 0, run.stdout[-4000:]
    assert calls(private_moto)["by_action"].get("elasticache:DescribeReplicationGroups")
    report = only_report(tmp_path, "prod")
    assert report["type"] == "production" and report["removed_count"] == 0  # never provisioned


# --------------------------------------------------------------------------------------------------------------
# (c) previews: two in one account, one expired


PREVIEWS = {"pr-101": ("10.101.0.0/16", "2026-01-01T00:00Z"), "pr-102": ("10.102.0.0/16", "2026-01-02T00:00:00Z")}
NOW = "2026-01-01T12:00Z"


def preview(name):
    """A small dev-type preview: one bucket, one table, one parameter, no database or cache."""
    cidr, expires_at = PREVIEWS[name]
    spec = copy.deepcopy(DEV)
    spec.update(name=name, description="preview of pull request %s" % name[3:],
                lifecycle={"ephemeral": True, "expires_at": expires_at})
    spec["tags"]["env"] = name
    spec["network"].update(vpc_cidr=cidr, az_count=1, nat_mode="none", endpoints={"gateway": ["s3"], "interface": []})
    spec["data"] = {"kms_key_classes": ["data"], "buckets": [{"purpose": "assets"}, ALB_LOGS],
                    "dynamodb_tables": [{"name": "sessions", "hash_key": "id"}], "parameters": {"api_url": "/api"}}
    return spec


@pytest.fixture(scope="module")
def preview_account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def preview_inventory(tmp_path_factory, stack, preview_account):
    # both previews in the same account, as in a shared dev account: only names and tags tell them apart
    return write_inventory(tmp_path_factory.mktemp("previews"), stack["moto_url"],
                           {name: (preview(name), preview_account) for name in PREVIEWS})


@pytest.fixture(scope="module")
def preview_client(stack, preview_account):
    return lambda service: aws_client(stack, service, preview_account, REGION)


@pytest.fixture(scope="module")
def previews_provisioned(preview_inventory, preview_client, preview_account):
    # The data stores only (their keys come with them): the network teardown is the same for every environment
    # and test (a) covers it; a preview's own rules (emptied buckets, no final snapshots) are about its data.
    run = teardown(preview_inventory, playbook="provision.yml", tags="buckets,tables,secrets")
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    put_object(preview_client("s3"), "envops-pr-101-%s-assets" % preview_account, "index.html", b"<p>")
    return run


@pytest.fixture(scope="module")
def expiry_run(previews_provisioned, preview_inventory, tmp_path_factory):
    report_dir = tmp_path_factory.mktemp("preview-reports")
    run = teardown(preview_inventory, {"expire_previews_now": NOW, "envops_report_dir": str(report_dir)},
                   playbook="expire_previews.yml")
    assert run.rc == 0, run.stdout[-6000:] + run.stderr[-2000:]
    return run, report_dir


def buckets_of(preview_client):
    return [b["Name"] for b in preview_client("s3").list_buckets()["Buckets"]]


def parameters_of(preview_client, name):
    return preview_client("ssm").get_parameters_by_path(Path="/%s/" % name, Recursive=True)["Parameters"]


def test_expired_preview_is_removed_with_its_data(expiry_run, preview_client, preview_account):
    run, report_dir = expiry_run
    assert "pr-101-sessions" not in preview_client("dynamodb").list_tables()["TableNames"]
    assert "envops-pr-101-%s-assets" % preview_account not in buckets_of(preview_client), "emptied and removed"
    assert parameters_of(preview_client, "pr-101") == []
    report = only_report(report_dir, "pr-101")
    assert report["ephemeral"] is True and report["complete"] is True and report["final_snapshots"] == []
    assert sorted(report["removed"]["buckets"]) == ["envops-pr-101-%s-%s" % (preview_account, purpose)
                                                    for purpose in ("alb-logs", "assets")]
    assert report["removed"]["dynamodb_tables"] == ["pr-101-sessions"]
    assert report["removed"]["ssm_parameters"] == ["/pr-101/app/api_url", "/pr-101/dynamodb/sessions"]


def test_unexpired_preview_is_kept_and_says_when_it_expires(expiry_run, preview_client, preview_account):
    run, report_dir = expiry_run
    assert "pr-102-sessions" in preview_client("dynamodb").list_tables()["TableNames"]
    assert "envops-pr-102-%s-assets" % preview_account in buckets_of(preview_client)
    tags = preview_client("s3").get_bucket_tagging(Bucket="envops-pr-102-%s-assets" % preview_account)["TagSet"]
    assert {"Key": "expires_at", "Value": "2026-01-02T00:00:00Z"} in tags, "the spec's expiry is on the resources too"
    assert sorted(p["Name"] for p in parameters_of(preview_client, "pr-102")) == [
        "/pr-102/app/api_url", "/pr-102/dynamodb/sessions"]
    key = preview_client("kms").describe_key(KeyId="alias/envops/pr-102/data")["KeyMetadata"]
    assert key["KeyState"] == "Enabled"
    assert reports(report_dir, "pr-102") == []
    assert "pr-102: preview, expires at 2026-01-02T00:00:00Z (now 2026-01-01T12:00:00Z), kept" in run.stdout


def test_expiry_summary(expiry_run):
    run, report_dir = expiry_run
    summary = run.facts("localhost", "Print what happened to each environment")["msg"]
    assert summary[0].startswith("pr-101: expired at 2026-01-01T00:00:00Z, removed ")
    assert str(report_dir) in summary[0]
    assert summary[1] == "pr-102: kept, expires at 2026-01-02T00:00:00Z"
