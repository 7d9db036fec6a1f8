"""playbooks/restore.yml on a local prod estate: the real prod spec in a fresh account on moto, its database on the
real local PostgreSQL. Every restore kind goes to a new name and leaves live data alone; replacing needs the flag
plus the environment's name, keeps the live resource under its old name, and a refused request makes no AWS call."""

import json
import secrets
import time
from datetime import datetime, timezone

import boto3
import psycopg
import pytest

from harness import run_playbook, write_postgres_vars
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset, drop_database
from tools.stack.state import calls, pg_dsn, reset_calls

SPEC = load_spec("prod")
REGION = SPEC["region"]
TABLE = "campaign-events"


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(7)


@pytest.fixture(scope="module")
def database():
    return "r%s" % secrets.token_hex(3)


@pytest.fixture(scope="module")
def session(stack, account):
    return boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                                 region_name=REGION)


@pytest.fixture(scope="module")
def client(stack, session):
    return lambda service: session.client(service, endpoint_url=stack["moto_url"])


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account, client):
    directory = write_inventory(tmp_path_factory.mktemp("restore"), stack["moto_url"], {"prod": (None, account)})
    write_postgres_vars(directory)
    kms = client("kms")
    for key_class in ("backups", "data"):
        kms.create_alias(AliasName="alias/envops/prod/%s" % key_class,
                         TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    s3 = client("s3")
    for purpose in ("backups", "exports"):
        s3.create_bucket(Bucket="envops-prod-%s-%s" % (account, purpose),
                         CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket="envops-prod-%s-exports" % account,
                             VersioningConfiguration={"Status": "Enabled"})
    return directory


def restore(inventory, reports, expect_ok=True, **extra):
    extra.setdefault("envops_report_dir", str(reports))
    run = run_playbook("restore.yml", inventory, limit="prod", extra_vars=extra)
    if expect_ok:
        assert run.rc == 0, run.stdout[-4000:]
    return run


def report_of(reports, restore_id):
    return json.loads((reports / ("restore-prod-%s.json" % restore_id)).read_text())


# --- refusals -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("extra, expected", [
    ({"restore_kind": "rds_pitr", "restore_replace": True}, "set restore_confirm=prod to confirm"),
    ({"restore_kind": "rds_pitr", "restore_replace": True, "restore_confirm": "staging"},
     "set restore_confirm=prod to confirm"),
    ({"restore_kind": "s3_versions", "restore_bucket_purpose": "exports"}, "needs the time to restore"),
    ({"restore_kind": "dynamodb_pitr", "restore_table": "no-such-table"}, "the spec has no table no-such-table"),
    ({"restore_kind": "rds_pitr", "restore_point": "2026-11-23T09:00:00"}, "has no time zone"),
], ids=["replace-unconfirmed", "replace-wrong-env", "s3-no-point", "unknown-table", "naive-point"])
def test_a_bad_request_is_refused_before_any_aws_call(tmp_path_factory, private_moto, account, extra, expected):
    directory = write_inventory(tmp_path_factory.mktemp("refused"), private_moto, {"prod": (None, account)})
    write_postgres_vars(directory)
    reset_calls(private_moto)
    run = restore(directory, tmp_path_factory.mktemp("reports"), expect_ok=False, **extra)
    assert run.rc != 0 and expected in "\n".join(run.failure_messages("prod")), run.stdout[-3000:]
    assert calls(private_moto)["total"] == 0


def test_restore_refuses_to_run_on_several_environments(tmp_path_factory, private_moto, account):
    directory = write_inventory(tmp_path_factory.mktemp("several"), private_moto,
                                {"prod": (None, account), "staging": (None, account)})
    run = run_playbook("restore.yml", directory, extra_vars={"restore_kind": "rds_pitr"})
    assert run.rc != 0 and "one environment at a time" in run.stdout


# --- logical --------------------------------------------------------------------------------------------------------

def rows(dbname):
    with psycopg.connect(pg_dsn(dbname), autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM public.customers").fetchone()[0]


def exists(dbname):
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone() is not None


@pytest.fixture(scope="module")
def backed_up(inventory, database):
    live = "prod_%s" % database
    create_dataset(pg_dsn("postgres"), live, 200, 2, seed=9)
    run = run_playbook("backup.yml", inventory, extra_vars={"logical_backup_database": database})
    assert run.rc == 0, run.stdout[-3000:]
    with psycopg.connect(pg_dsn(live), autocommit=True) as connection:  # a write after the backup
        connection.execute("DELETE FROM public.orders WHERE customer_id IN "
                           "(SELECT id FROM public.customers ORDER BY id LIMIT 5)")
        connection.execute("DELETE FROM public.customers WHERE id IN "
                           "(SELECT id FROM public.customers ORDER BY id LIMIT 5)")
    yield live
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as connection:
        names = [name for (name,) in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (live + "%",)).fetchall()]
    for name in names:
        drop_database(pg_dsn("postgres"), name)


def logical_vars(database, restore_id, **extra):
    return dict(restore_kind="logical", restore_id=restore_id, restore_database="prod_%s" % database,
                restore_backups_prefix="postgres/%s/" % database, **extra)


def test_logical_restore_goes_to_a_new_database_validated_and_live_is_untouched(inventory, backed_up, database,
                                                                                tmp_path):
    restore(inventory, tmp_path, **logical_vars(database, "l1"))
    restored = "%s_restore_l1" % backed_up
    assert rows(restored) == 200 and rows(backed_up) == 195
    report = report_of(tmp_path, "l1")
    assert report["outcome"]["validation"]["ok"] and report["outcome"]["resource"] == restored
    assert report["kept_as"] is None and report["replaced"] is False


def test_logical_replace_swaps_the_restore_in_and_keeps_the_live_data(inventory, backed_up, database, tmp_path):
    restore(inventory, tmp_path, **logical_vars(database, "l2", restore_replace=True, restore_confirm="prod"))
    kept = "%s_old_l2" % backed_up
    assert rows(backed_up) == 200 and rows(kept) == 195
    assert not exists("%s_restore_l2" % backed_up)
    assert report_of(tmp_path, "l2")["kept_as"] == kept


def test_logical_restore_reports_beside_the_run_without_envops_report_dir(inventory, backed_up, database, tmp_path):
    run = run_playbook("restore.yml", inventory, limit="prod", extra_vars=logical_vars(database, "l3"), cwd=tmp_path)
    assert run.rc == 0, run.stdout[-4000:]
    report = tmp_path / "reports" / "restore-prod-l3.json"
    assert json.loads(report.read_text())["outcome"]["resource"] == "%s_restore_l3" % backed_up
    assert str(report) in run.facts("prod", "envops.aws.restore : Say where the restored data is")["msg"]


# --- RDS ------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live_instance(inventory, client):
    ec2, rds = client("ec2"), client("rds")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.%d.0/24" % index,
                                 AvailabilityZone="%s%s" % (REGION, zone))["Subnet"]["SubnetId"]
               for index, zone in enumerate("ab")]
    group = ec2.create_security_group(GroupName="prod-db-sg", Description="db", VpcId=vpc)["GroupId"]
    ec2.create_tags(Resources=[group], Tags=[{"Key": "env", "Value": "prod"}])
    rds.create_db_subnet_group(DBSubnetGroupName="envops-prod-db", DBSubnetGroupDescription="db",
                               SubnetIds=subnets)
    rds.create_db_parameter_group(DBParameterGroupName="envops-prod-postgres15", DBParameterGroupFamily="postgres15",
                                  Description="tls")
    key = client("kms").describe_key(KeyId="alias/envops/prod/data")["KeyMetadata"]["Arn"]
    rds.create_db_instance(DBInstanceIdentifier="prod-postgres", Engine="postgres", EngineVersion="15.7",
                           DBInstanceClass="db.m5.large", MasterUsername="app_admin",
                           MasterUserPassword="not-a-secret-1", AllocatedStorage=200, StorageEncrypted=True,
                           KmsKeyId=key, MultiAZ=True, BackupRetentionPeriod=35, DeletionProtection=True,
                           DBSubnetGroupName="envops-prod-db", VpcSecurityGroupIds=[group],
                           Tags=[{"Key": "env", "Value": "prod"}])
    return rds


def instance(rds, name):
    found = rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [name]}])["DBInstances"]
    return found[0] if found else None


def test_rds_point_in_time_restore_makes_a_new_instance_like_the_spec(inventory, live_instance, tmp_path):
    restore(inventory, tmp_path, restore_kind="rds_pitr", restore_id="p1")
    restored = instance(live_instance, "prod-postgres-restore-p1")
    assert restored["DBInstanceStatus"] == "available" and restored["MultiAZ"] and restored["StorageEncrypted"]
    assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == "envops-prod-db"
    assert not restored["DeletionProtection"] and not restored["PubliclyAccessible"]
    tags = dict((tag["Key"], tag["Value"]) for tag in restored["TagList"])
    assert tags["envops:restored-from"] == "prod-postgres" and tags["envops:restore-id"] == "p1"
    assert instance(live_instance, "prod-postgres")["DeletionProtection"], "live untouched"
    assert report_of(tmp_path, "p1")["outcome"]["validation"]["ok"]


def test_rds_snapshot_restore_then_replace_keeps_the_live_instance_renamed(inventory, live_instance, tmp_path):
    live_instance.create_db_snapshot(DBSnapshotIdentifier="prod-before-release",
                                     DBInstanceIdentifier="prod-postgres")
    restore(inventory, tmp_path, restore_kind="rds_snapshot", restore_snapshot="prod-before-release",
            restore_id="s1", restore_replace=True, restore_confirm="prod")
    now_live = instance(live_instance, "prod-postgres")
    kept = instance(live_instance, "prod-postgres-old-s1")
    assert instance(live_instance, "prod-postgres-restore-s1") is None
    assert now_live["DeletionProtection"], "the restore took the live name and its deletion protection"
    assert dict((t["Key"], t["Value"]) for t in now_live["TagList"])["envops:restore-id"] == "s1"
    assert kept is not None and kept["DeletionProtection"]
    assert dict((t["Key"], t["Value"]) for t in kept["TagList"])["envops:replaced-by-restore"] == "s1"


# --- DynamoDB -------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def live_table(inventory, client):
    ddb = client("dynamodb")
    name = "prod-%s" % TABLE
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "merchant_id", "KeyType": "HASH"},
                                {"AttributeName": "event_id", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "merchant_id", "AttributeType": "S"},
                                           {"AttributeName": "event_id", "AttributeType": "S"}])
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for index in range(40):
        ddb.put_item(TableName=name, Item={"merchant_id": {"S": "m%d" % (index % 4)}, "event_id": {"S": "e%d" % index},
                                           "clicks": {"N": str(index)}})
    return ddb


def test_check_mode_says_what_it_would_restore_and_creates_nothing(inventory, live_table, tmp_path):
    run = run_playbook("restore.yml", inventory, limit="prod", check=True,
                       extra_vars={"restore_kind": "dynamodb_pitr", "restore_table": TABLE, "restore_id": "c1",
                                   "envops_report_dir": str(tmp_path)})
    assert run.rc == 0, run.stdout[-3000:]
    said = run.facts("prod", "envops.aws.restore : Say what will be restored")["msg"]
    assert "prod-%s at latest -> prod-%s-restore-c1" % (TABLE, TABLE) in said
    assert "prod-%s-restore-c1" % TABLE not in live_table.list_tables()["TableNames"]
    assert list(tmp_path.iterdir()) == []


def test_dynamodb_restore_gets_the_spec_back_and_equals_its_source(inventory, live_table, client, tmp_path):
    restore(inventory, tmp_path, restore_kind="dynamodb_pitr", restore_table=TABLE, restore_id="d1")
    name = "prod-%s-restore-d1" % TABLE
    table = live_table.describe_table(TableName=name)["Table"]
    data_key = client("kms").describe_key(KeyId="alias/envops/prod/data")["KeyMetadata"]["Arn"]
    assert table["ItemCount"] == 40 or live_table.scan(TableName=name, Select="COUNT")["Count"] == 40
    assert table["SSEDescription"]["KMSMasterKeyArn"] == data_key
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert live_table.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = live_table.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    tags = dict((t["Key"], t["Value"]) for t in live_table.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"])
    assert tags["envops:restored-from"] == "prod-%s" % TABLE and tags["service"] == "merchant-ads"
    validation = report_of(tmp_path, "d1")["outcome"]["validation"]
    assert validation["items"] == 40 and validation["matches_source"] is True


def test_dynamodb_replace_switches_the_parameter_and_keeps_the_old_table(inventory, live_table, client, tmp_path):
    restore(inventory, tmp_path, restore_kind="dynamodb_pitr", restore_table=TABLE, restore_id="d2",
            restore_replace=True, restore_confirm="prod")
    value = client("ssm").get_parameter(Name="/prod/dynamodb/%s" % TABLE)["Parameter"]["Value"]
    assert value == "prod-%s-restore-d2" % TABLE
    assert live_table.describe_table(TableName=value)["Table"]["DeletionProtectionEnabled"]
    assert live_table.describe_table(TableName="prod-%s" % TABLE)["Table"]["TableStatus"] == "ACTIVE"


# --- S3 -------------------------------------------------------------------------------------------------------------

def wait_next_second():
    time.sleep(1.1)  # S3 listings give whole seconds


@pytest.fixture(scope="module")
def exports(inventory, client, account):
    s3, bucket = client("s3"), "envops-prod-%s-exports" % account
    for key in ("reports/a.csv", "reports/b.csv", "other/x.csv"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"v1 of " + key.encode())
    wait_next_second()
    point = datetime.now(timezone.utc).isoformat()
    wait_next_second()
    s3.put_object(Bucket=bucket, Key="reports/a.csv", Body=b"v2 bad batch")
    s3.delete_object(Bucket=bucket, Key="reports/b.csv")
    s3.put_object(Bucket=bucket, Key="reports/c.csv", Body=b"written after")
    return s3, bucket, point


def body(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def current_keys(s3, bucket, prefix):
    return sorted(obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


def test_s3_restore_writes_the_point_in_time_under_a_restore_prefix(inventory, exports, tmp_path):
    s3, bucket, point = exports
    restore(inventory, tmp_path, restore_kind="s3_versions", restore_bucket_purpose="exports",
            restore_prefix="reports/", restore_point=point, restore_id="o1")
    assert current_keys(s3, bucket, "restore-o1/") == ["restore-o1/reports/a.csv", "restore-o1/reports/b.csv"]
    assert body(s3, bucket, "restore-o1/reports/a.csv") == b"v1 of reports/a.csv"
    assert body(s3, bucket, "reports/a.csv") == b"v2 bad batch", "live untouched"
    assert report_of(tmp_path, "o1")["outcome"]["validation"] == {
        "ok": True, "objects_at_point": 2, "copied": 2, "deleted": 0, "unchanged": 0}


def test_s3_replace_restores_in_place_and_keeps_every_version(inventory, exports, tmp_path):
    s3, bucket, point = exports
    versions_before = len(s3.list_object_versions(Bucket=bucket, Prefix="reports/")["Versions"])
    restore(inventory, tmp_path, restore_kind="s3_versions", restore_bucket_purpose="exports",
            restore_prefix="reports/", restore_point=point, restore_id="o2", restore_replace=True,
            restore_confirm="prod")
    assert current_keys(s3, bucket, "reports/") == ["reports/a.csv", "reports/b.csv"]
    assert body(s3, bucket, "reports/a.csv") == b"v1 of reports/a.csv"
    assert body(s3, bucket, "reports/b.csv") == b"v1 of reports/b.csv"
    assert len(s3.list_object_versions(Bucket=bucket, Prefix="reports/")["Versions"]) == versions_before + 2
    assert report_of(tmp_path, "o2")["outcome"]["validation"]["deleted"] == 1
    again = restore(inventory, tmp_path, restore_kind="s3_versions", restore_bucket_purpose="exports",
                    restore_prefix="reports/", restore_point=point, restore_id="o3", restore_replace=True,
                    restore_confirm="prod")
    assert report_of(tmp_path, "o3")["outcome"]["validation"]["copied"] == 0
    assert not [name for name in again.changed_tasks("prod") if name.startswith("Restore the objects")]
