"""playbooks/restore.yml on a local prod estate: the real prod spec in a fresh account on moto, its database the
RDS instance prod-postgres (on the local stack a PostgreSQL server of its own), reached through AWS like every
procedure reaches it. Every restore kind goes to a new name and leaves live data alone; replacing needs the flag plus
the environment's name, keeps the live resource under its old name, and a refused request makes no AWS call. The RDS
kinds bring back the data of their moment: the rows and checksum per table the report reads through the restored
instance are the source's at the snapshot or point, not those written after it."""

import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import boto3
import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from harness import audit_records, calls_besides_the_audit, run_playbook
from tools.estate_database import database_conninfo, ensure_database, secret_id
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset
from tools.stack.state import calls, read_state, reset_calls

try:
    import ansible_collections.envops.aws  # noqa: F401  pylint: disable=unused-import
except ImportError:  # plain pytest from the checkout: the collection is linked under .scratch (make collection)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".scratch" / "collections"))

from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import read_fingerprints  # noqa: E402

SPEC = load_spec("prod")
REGION = SPEC["region"]
TABLE = "campaign-events"


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(7)


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


@pytest.fixture(scope="module")
def live_instance(inventory, stack, account, client):
    """prod-postgres as provisioning leaves it (master secret, TLS-only parameter group, database app, deletion
    protection, the db tier a restore puts its instance into); every instance of the account is deleted at the end
    (each one is a running PostgreSQL server)."""
    ec2, rds = client("ec2"), client("rds")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.%d.0/24" % index,
                                 AvailabilityZone="%s%s" % (REGION, zone))["Subnet"]["SubnetId"]
               for index, zone in enumerate("ab")]
    group = ec2.create_security_group(GroupName="prod-db-sg", Description="db", VpcId=vpc)["GroupId"]
    ec2.create_tags(Resources=[group], Tags=[{"Key": "env", "Value": "prod"}])
    rds.create_db_subnet_group(DBSubnetGroupName="envops-prod-db", DBSubnetGroupDescription="db",
                               SubnetIds=subnets)
    ensure_database(stack["moto_url"], account, REGION, "prod")
    # in the db tier with deletion protection, as role database leaves it (an instance outside any subnet group
    # is described without DBSubnetGroup, which amazon.aws.rds_instance cannot modify)
    rds.modify_db_instance(DBInstanceIdentifier="prod-postgres", DBSubnetGroupName="envops-prod-db",
                           DeletionProtection=True, ApplyImmediately=True)
    yield rds
    for found in rds.describe_db_instances()["DBInstances"]:
        name = found["DBInstanceIdentifier"]
        if found["DeletionProtection"]:
            rds.modify_db_instance(DBInstanceIdentifier=name, DeletionProtection=False, ApplyImmediately=True)
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    for snapshot in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]:
        rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])


def conninfo(stack, account, dbname="app", instance="prod-postgres"):
    """The database of any instance of the account, opened with prod's master secret (a restore keeps it)."""
    if instance == "prod-postgres":
        return database_conninfo(stack["moto_url"], account, REGION, "prod", dbname=dbname)
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                                    region_name=REGION)
    endpoint = session.client("rds", endpoint_url=stack["moto_url"]).describe_db_instances(
        DBInstanceIdentifier=instance)["DBInstances"][0]["Endpoint"]
    credentials = json.loads(session.client("secretsmanager", endpoint_url=stack["moto_url"]).get_secret_value(
        SecretId=secret_id("prod"))["SecretString"])
    return make_conninfo(host=endpoint["Address"], port=endpoint["Port"], user=credentials["username"],
                         password=credentials["password"], dbname=dbname, sslmode="verify-full",
                         sslrootcert=read_state()["ca_bundle"])


def restore(inventory, reports, expect_ok=True, env="prod", **extra):
    extra.setdefault("envops_report_dir", str(reports))
    run = run_playbook("restore.yml", inventory, limit=env, extra_vars=extra)
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
    reset_calls(private_moto)
    run = restore(directory, tmp_path_factory.mktemp("reports"), expect_ok=False, **extra)
    assert run.rc != 0 and expected in "\n".join(run.failure_messages("prod")), run.stdout[-3000:]
    assert calls_besides_the_audit(calls(private_moto)) == {}, calls(private_moto)["by_action"]
    record = audit_records(private_moto, account, REGION, "prod", "restore")[-1]
    assert record["refused"] is True and any(expected in problem for problem in record["problems"]), record


def test_a_database_restore_is_refused_where_the_spec_has_no_database(tmp_path_factory, private_moto, account):
    # production must declare its database (spec rule database_with_live_data): a test environment may have none
    test_spec = load_spec("test")
    spec = dict(test_spec, data=dict(test_spec["data"]))
    spec["data"].pop("database")
    directory = write_inventory(tmp_path_factory.mktemp("nodb"), private_moto, {"test": (spec, account)})
    reset_calls(private_moto)
    run = restore(directory, tmp_path_factory.mktemp("reports"), expect_ok=False, env="test", restore_kind="logical")
    assert "kind logical needs the spec's data.database" in "\n".join(run.failure_messages("test")), run.stdout[-3000:]
    assert calls_besides_the_audit(calls(private_moto)) == {}, calls(private_moto)["by_action"]
    record = audit_records(private_moto, account, test_spec["region"], "test", "restore")[-1]
    assert record["refused"] is True and record["problems"] == ["kind logical needs the spec's data.database."]


def test_restore_refuses_to_run_on_several_environments(tmp_path_factory, private_moto, account):
    directory = write_inventory(tmp_path_factory.mktemp("several"), private_moto,
                                {"prod": (None, account), "staging": (None, account)})
    run = run_playbook("restore.yml", directory, extra_vars={"restore_kind": "rds_pitr"})
    assert run.rc != 0 and "one environment at a time" in run.stdout


# --- logical --------------------------------------------------------------------------------------------------------

def customers(info):
    with psycopg.connect(info, autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM public.customers").fetchone()[0]


def databases(info):
    with psycopg.connect(info, autocommit=True) as connection:
        return sorted(name for (name,) in connection.execute(
            "SELECT datname FROM pg_database WHERE NOT datistemplate").fetchall())


@pytest.fixture(scope="module")
def backed_up(inventory, live_instance, stack, account):
    """app with 200 customers backed up by backup.yml, then 5 customers deleted: the live data differs."""
    create_dataset(conninfo(stack, account, "postgres"), "app", 200, 2, seed=9)
    run = run_playbook("backup.yml", inventory)
    assert run.rc == 0, run.stdout[-3000:]
    with psycopg.connect(conninfo(stack, account), autocommit=True) as connection:  # a write after the backup
        connection.execute("DELETE FROM public.orders WHERE customer_id IN "
                           "(SELECT id FROM public.customers ORDER BY id LIMIT 5)")
        connection.execute("DELETE FROM public.customers WHERE id IN "
                           "(SELECT id FROM public.customers ORDER BY id LIMIT 5)")


def test_logical_restore_goes_to_a_new_database_of_the_instance_validated_and_live_is_untouched(
        inventory, backed_up, stack, account, tmp_path):
    restore(inventory, tmp_path, restore_kind="logical", restore_id="l1")
    assert customers(conninfo(stack, account, "app_restore_l1")) == 200
    assert customers(conninfo(stack, account)) == 195
    report = report_of(tmp_path, "l1")
    assert report["outcome"]["validation"]["ok"] and report["outcome"]["resource"] == "app_restore_l1"
    assert report["outcome"]["tables"]["public.customers"] == {"rows": 200, "matches": True}
    assert report["kept_as"] is None and report["replaced"] is False


def test_logical_replace_swaps_the_restore_in_and_keeps_the_live_data(inventory, backed_up, stack, account,
                                                                      tmp_path):
    restore(inventory, tmp_path, restore_kind="logical", restore_id="l2", restore_replace=True,
            restore_confirm="prod")
    assert customers(conninfo(stack, account)) == 200 and customers(conninfo(stack, account, "app_old_l2")) == 195
    assert "app_restore_l2" not in databases(conninfo(stack, account, "postgres"))
    assert report_of(tmp_path, "l2")["kept_as"] == "app_old_l2"


def test_logical_restore_reports_beside_the_run_without_envops_report_dir(inventory, backed_up, tmp_path):
    run = run_playbook("restore.yml", inventory, limit="prod", extra_vars={"restore_kind": "logical",
                                                                           "restore_id": "l3"}, cwd=tmp_path)
    assert run.rc == 0, run.stdout[-4000:]
    report = tmp_path / "reports" / "restore-prod-l3.json"
    assert json.loads(report.read_text())["outcome"]["resource"] == "app_restore_l3"
    assert str(report) in run.facts("prod", "envops.aws.restore : Say where the restored data is")["msg"]


# --- RDS ------------------------------------------------------------------------------------------------------------

def delete_customers(info, count):
    with psycopg.connect(info, autocommit=True) as connection:
        connection.execute("DELETE FROM public.orders WHERE customer_id IN "
                           "(SELECT id FROM public.customers ORDER BY id DESC LIMIT %s)", (count,))
        connection.execute("DELETE FROM public.customers WHERE id IN "
                           "(SELECT id FROM public.customers ORDER BY id DESC LIMIT %s)", (count,))


@pytest.fixture(scope="module")
def history(live_instance, stack, account):
    """app in three states: at snapshot prod-before-release (120 customers), at snapshot prod-after-batch (112,
    taken after a point between the two), and now (105). Each state's fingerprints are taken from the live
    instance at that moment, the way an operator records them when taking a snapshot."""
    create_dataset(conninfo(stack, account, "postgres"), "app", 120, 2, seed=21)
    states = {"first": read_fingerprints(conninfo(stack, account))}
    live_instance.create_db_snapshot(DBSnapshotIdentifier="prod-before-release", DBInstanceIdentifier="prod-postgres")
    time.sleep(1.1)
    point = datetime.now(timezone.utc).replace(microsecond=0)  # whole seconds, after the first snapshot
    time.sleep(1.1)
    delete_customers(conninfo(stack, account), 8)
    states["second"] = read_fingerprints(conninfo(stack, account))
    live_instance.create_db_snapshot(DBSnapshotIdentifier="prod-after-batch", DBInstanceIdentifier="prod-postgres")
    delete_customers(conninfo(stack, account), 7)
    states["now"] = read_fingerprints(conninfo(stack, account))
    assert [state["public.customers"]["rows"] for state in states.values()] == [120, 112, 105]
    assert len({json.dumps(state, sort_keys=True) for state in states.values()}) == 3
    return states, point


def instance(rds, name):
    found = rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [name]}])["DBInstances"]
    return found[0] if found else None


def tags(found):
    return dict((tag["Key"], tag["Value"]) for tag in found["TagList"])


def test_rds_point_in_time_restore_brings_back_the_data_at_the_point_into_a_new_instance(
        inventory, live_instance, history, stack, account, tmp_path):
    states, point = history
    restore(inventory, tmp_path, restore_kind="rds_pitr", restore_id="p1", restore_point=point.isoformat())
    restored = instance(live_instance, "prod-postgres-restore-p1")
    assert restored["DBInstanceStatus"] == "available" and restored["MultiAZ"] and restored["StorageEncrypted"]
    assert restored["DBSubnetGroup"]["DBSubnetGroupName"] == "envops-prod-db"
    assert not restored["DeletionProtection"] and not restored["PubliclyAccessible"]
    assert tags(restored)["envops:restored-from"] == "prod-postgres" and tags(restored)["envops:restore-id"] == "p1"
    assert instance(live_instance, "prod-postgres")["DeletionProtection"], "live untouched"
    report = report_of(tmp_path, "p1")
    # the older snapshot's data: the report's figures, read through the new instance, are the source's then
    assert report["outcome"]["validation"]["ok"] and report["outcome"]["validation"]["data_as_of"] == point.isoformat()
    assert report["outcome"]["tables"] == states["first"] != states["second"]
    assert report["outcome"]["validation"]["rows"] == sum(table["rows"] for table in states["first"].values())
    assert customers(conninfo(stack, account, instance="prod-postgres-restore-p1")) == 120
    assert customers(conninfo(stack, account)) == 105, "live untouched"


def test_rds_point_in_time_restore_to_the_latest_time_brings_back_the_current_rows(
        inventory, live_instance, history, stack, account, tmp_path):
    states, _point = history
    asked = datetime.now(timezone.utc)
    restore(inventory, tmp_path, restore_kind="rds_pitr", restore_id="p2")
    report = report_of(tmp_path, "p2")
    assert report["point"] == "latest" and report["outcome"]["tables"] == states["now"]
    # as of the source's latest restorable time when the restore was asked for
    assert asked <= datetime.fromisoformat(report["outcome"]["validation"]["data_as_of"]) <= datetime.now(timezone.utc)
    assert customers(conninfo(stack, account, instance="prod-postgres-restore-p2")) == 105


def test_rds_snapshot_restore_brings_back_the_snapshot_data_then_replace_keeps_the_live_instance_renamed(
        inventory, live_instance, history, stack, account, tmp_path):
    states, _point = history
    restore(inventory, tmp_path, restore_kind="rds_snapshot", restore_snapshot="prod-after-batch",
            restore_id="s1", restore_replace=True, restore_confirm="prod")
    report = report_of(tmp_path, "s1")
    snapshot = live_instance.describe_db_snapshots(DBSnapshotIdentifier="prod-after-batch")["DBSnapshots"][0]
    assert datetime.fromisoformat(report["outcome"]["validation"]["data_as_of"]) == snapshot["SnapshotCreateTime"]
    # the rows deleted after the snapshot are back, those deleted before it are not
    assert report["outcome"]["tables"] == states["second"]
    assert read_fingerprints(conninfo(stack, account)) == states["second"], "now live"
    assert read_fingerprints(conninfo(stack, account, instance="prod-postgres-old-s1")) == states["now"], (
        "the replaced data is kept")
    now_live = instance(live_instance, "prod-postgres")
    kept = instance(live_instance, "prod-postgres-old-s1")
    assert instance(live_instance, "prod-postgres-restore-s1") is None
    assert now_live["DeletionProtection"], "the restore took the live name and its deletion protection"
    assert tags(now_live)["envops:restore-id"] == "s1"
    assert kept is not None and kept["DeletionProtection"]
    assert tags(kept)["envops:replaced-by-restore"] == "s1"


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
