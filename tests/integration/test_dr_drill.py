"""playbooks/backup.yml, drill_markers.yml and dr_drill.yml on a local prod estate: the real prod spec in a fresh
account (backups bucket, keys, the spec's DynamoDB tables and critical buckets on moto, and the instance
prod-postgres as role database leaves it: on the local stack a PostgreSQL server of its own, reached through AWS,
TLS only), with the spec's database app. A marker written before the backup survives the drill's restore and one
written after it does not, so the achieved RPO is exactly the drill start minus the first marker's write time. The
DynamoDB tables are restored into scratch tables (moto copies what the table holds now, whatever the point: both
markers survive there); a drill with an RTO target of 0 s fails and says why; the scratch resources are gone after
both, and those a killed drill left are reaped.

The rds_snapshot kind restores the newest snapshot of prod-postgres (not an older automated one, nor a newer copy of
an old snapshot) into a drill instance, finds the markers written before the snapshot and not the one after it,
reads every table whole and compares it with the backup taken before the snapshot, and deletes the instance, also
when its validation fails.

The inventory also holds dev without a database: drill_markers.yml and backup.yml over the whole inventory skip it.

The markers, the backup and the first drill run at 20 % throttling (the stack's fault injection, fixed seed, on a moto
server of this module's own so no other test meets it): every figure above must come out exactly as without faults."""

import copy
import json
from datetime import datetime, timedelta
from xml.etree import ElementTree

import boto3
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from harness import audit_records, calls_besides_the_audit, run_playbook
from tools.estate_database import database_conninfo, ensure_database
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset, drop_database
from tools.stack.state import calls, clear_faults, faults, reset_calls, set_faults

SPEC = load_spec("prod")
REGION = SPEC["region"]
# dev as a spec without a database (every spec of the estate has one)
NO_DATABASE = copy.deepcopy(load_spec("dev"))
del NO_DATABASE["data"]["database"]
KEY_TYPES = {"STRING": "S", "NUMBER": "N"}
CRITICAL = [bucket["purpose"] for bucket in SPEC["data"]["buckets"] if bucket.get("critical")]


THROTTLING = {"rate": 0.2, "kinds": ["throttle"]}


@pytest.fixture(scope="module")
def stack(stack, private_moto):
    """The local stack with a moto server of this module's own: the faults injected here reach no other test."""
    return dict(stack, moto_url=private_moto)


def under_throttling(stack, seed, run):
    """run() at 20 % throttling; its result and the faults it met."""
    set_faults(stack["moto_url"], seed=seed, **THROTTLING)
    try:
        result = run()
        return result, faults(stack["moto_url"])["injected"]
    finally:
        clear_faults(stack["moto_url"])


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(6)


@pytest.fixture(scope="module")
def dev_account():
    return fresh_account_id(6)


@pytest.fixture(scope="module")
def aws(stack, account):
    """A boto3 client of the prod account."""
    return lambda service, owner=None: boto3.client(
        service, endpoint_url=stack["moto_url"], region_name=NO_DATABASE["region"] if owner else REGION,
        aws_access_key_id=owner or account, aws_secret_access_key="local-moto-not-a-secret")


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, aws, account, dev_account):
    directory = write_inventory(tmp_path_factory.mktemp("drill"), stack["moto_url"],
                                {"prod": (None, account), "dev": (NO_DATABASE, dev_account)})
    kms = aws("kms")
    for key_class in ("backups", "data"):
        kms.create_alias(AliasName="alias/envops/prod/%s" % key_class,
                         TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    dev_kms = aws("kms", dev_account)  # dev's DynamoDB marker table is kept under its data key
    dev_kms.create_alias(AliasName="alias/envops/dev/data", TargetKeyId=dev_kms.create_key()["KeyMetadata"]["KeyId"])
    dynamodb = aws("dynamodb")
    for table in SPEC["data"]["dynamodb_tables"]:
        create_table(dynamodb, table)
    s3 = aws("s3")
    for purpose in CRITICAL:
        bucket = "envops-prod-%s-%s" % (account, purpose)
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    create_db_tier(aws("ec2"), aws("rds"))
    return directory


def create_db_tier(ec2, rds):
    """The db tier a drill instance is placed in, as roles network and database leave it."""
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.50.%d.0/24" % index,
                                 AvailabilityZone="%s%s" % (REGION, zone))["Subnet"]["SubnetId"]
               for index, zone in enumerate("ab")]
    group = ec2.create_security_group(GroupName="prod-db-sg", Description="db", VpcId=vpc)["GroupId"]
    ec2.create_tags(Resources=[group], Tags=[{"Key": "env", "Value": "prod"}])
    rds.create_db_subnet_group(DBSubnetGroupName="envops-prod-db", DBSubnetGroupDescription="db", SubnetIds=subnets)


@pytest.fixture(scope="module")
def admin(stack, account, aws):
    """prod-postgres (secret, TLS-only parameter group, instance) holding database app; the conninfo of its maintenance
    database. Its instances and snapshots are deleted at the end: their servers and base backups are real."""
    ensure_database(stack["moto_url"], account, REGION, "prod")
    conninfo = database_conninfo(stack["moto_url"], account, REGION, "prod", dbname="postgres")
    create_dataset(conninfo, "app", 300, 2, seed=8)
    yield conninfo
    rds = aws("rds")
    for instance in rds.describe_db_instances()["DBInstances"]:
        rds.delete_db_instance(DBInstanceIdentifier=instance["DBInstanceIdentifier"], SkipFinalSnapshot=True)
    for snapshot in rds.describe_db_snapshots()["DBSnapshots"]:
        rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])


def create_table(dynamodb, table, items=5):
    """A spec table as provisioning leaves it (PITR on), with a few items."""
    keys = [(table["hash_key"], table.get("hash_key_type", "STRING"), "HASH")]
    if table.get("range_key"):
        keys.append((table["range_key"], table.get("range_key_type", "STRING"), "RANGE"))
    name = "prod-%s" % table["name"]
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": key, "KeyType": role} for key, _type, role in keys],
                          AttributeDefinitions=[{"AttributeName": key, "AttributeType": KEY_TYPES[kind]}
                                                for key, kind, _role in keys])
    dynamodb.update_continuous_backups(TableName=name,
                                       PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for number in range(items):
        dynamodb.put_item(TableName=name, Item=dict((key, {KEY_TYPES[kind]: str(number)}) for key, kind, _role in keys))


def scratch_tables(aws):
    return [name for name in aws("dynamodb").list_tables()["TableNames"] if name.startswith("prod-drill-")]


def drill_instances(aws):
    return sorted(instance["DBInstanceIdentifier"] for instance in aws("rds").describe_db_instances()["DBInstances"]
                  if instance["DBInstanceIdentifier"].startswith("prod-drill-"))


def databases_like(admin, prefix):
    """Databases of the prod instance's server whose name starts with prefix."""
    query = "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY datname"
    with psycopg.connect(admin, autocommit=True) as connection:
        return [name for (name,) in connection.execute(query, (prefix + "%",)).fetchall()]


def task_result(run, host, name_start):
    """The result for host of the one task whose name starts with name_start (names are templated per play, so the
    environment named in them is that of the play's first host)."""
    found = [task["hosts"][host] for play in run.report.get("plays", []) for task in play["tasks"]
             if task["task"]["name"].split(" : ")[-1].startswith(name_start) and host in task["hosts"]]
    assert len(found) == 1, (name_start, len(found))
    return found[0]


def hosts_of(run, name_start):
    """The hosts a task ran for (or was skipped on)."""
    return sorted(host for play in run.report.get("plays", []) for task in play["tasks"]
                  if task["task"]["name"].split(" : ")[-1].startswith(name_start) for host in task["hosts"])


def marker(inventory):
    """drill_markers.yml over the whole inventory; the markers written in prod (PostgreSQL, DynamoDB, and those of
    the critical buckets). dev has no database: it is skipped with a word, its DynamoDB marker is written."""
    run = run_playbook("drill_markers.yml", inventory)
    assert run.rc == 0, run.stdout[-3000:]
    assert task_result(run, "dev", "Say ")["msg"] == "dev: no database in the spec, no database marker"
    assert task_result(run, "dev", "Write a marker into the database of").get("skipped")
    assert task_result(run, "dev", "Write a marker into the DynamoDB marker table of")["marker"]["id"]
    assert task_result(run, "prod", "Say ").get("skipped")
    buckets = task_result(run, "prod", "Write a marker into the critical buckets of")["results"]
    return (task_result(run, "prod", "Write a marker into the database of")["marker"],
            task_result(run, "prod", "Write a marker into the DynamoDB marker table of")["marker"],
            [result["marker"] for result in buckets])


def bucket_keys(aws, account, purpose, prefix):
    listing = aws("s3").list_object_versions(Bucket="envops-prod-%s-%s" % (account, purpose), Prefix=prefix)
    return [entry["Key"] for entry in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def create_database(admin, name, comment=None):
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if comment:
            statement = sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(comment))
            connection.execute(statement)


def restored_table(aws, name, tags):
    dynamodb = aws("dynamodb")
    arn = dynamodb.restore_table_to_point_in_time(SourceTableName="prod-product-feeds", TargetTableName=name,
                                                  UseLatestRestorableTime=True)["TableDescription"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=arn, Tags=[{"Key": key, "Value": value} for key, value in tags.items()])


def report_in(directory):
    (report_file,) = directory.glob("dr-drill-prod-*.json")
    return json.loads(report_file.read_text())


def seconds_since(report, marker_written):
    started = datetime.fromisoformat(report["started_at"])
    return round((started - datetime.fromisoformat(marker_written["written_at"])).total_seconds(), 3)


@pytest.fixture(scope="module")
def backed_up_under_throttling(inventory, admin, aws, stack):
    """Markers, a backup over the whole inventory, markers again, at 20 % throttling: ((before the backup, after it,
    the backup run), the faults met)."""
    def markers_backup_markers():
        before_backup = marker(inventory)
        backup = run_playbook("backup.yml", inventory)
        assert backup.rc == 0, backup.stdout[-3000:]
        return before_backup, marker(inventory), backup
    return under_throttling(stack, 21, markers_backup_markers)


@pytest.fixture(scope="module")
def backed_up(backed_up_under_throttling):
    return backed_up_under_throttling[0]


@pytest.fixture(scope="module")
def drilled(inventory, admin, backed_up, tmp_path_factory, aws, account, stack):
    # what a killed drill leaves (a restored scratch database and table), and a database and a restored table of
    # those prefixes that are not a drill's
    create_database(admin, "app_drill_killed1", "envops:restored:20261122T0100Z")
    create_database(admin, "app_drill_notmine")
    mark = {"envops:restored-from": "prod-product-feeds", "envops:restore-point": "latest"}
    restored_table(aws, "prod-drill-19991231-product-feeds", dict(mark, **{"envops:drill-id": "19991231"}))
    restored_table(aws, "prod-drill-notmine", mark)
    aws("s3").put_object(Bucket="envops-prod-%s-assets" % account, Key="envops-drill/19991231/envops-drill-markers/x",
                         Body=b"")
    reports = tmp_path_factory.mktemp("drill-reports")
    run, met = under_throttling(stack, 22, lambda: run_playbook("dr_drill.yml", inventory, limit="prod",
                                                                extra_vars={"envops_report_dir": str(reports)}))
    return run, reports, met


def test_markers_backup_and_drill_met_throttling_in_every_store(backed_up_under_throttling, drilled):
    """The runs above really met faults, in the APIs of every store (the figures they produce are checked below)."""
    for met in (backed_up_under_throttling[1], drilled[2]):
        services = {action.split(":")[0] for action in met["by_action"]}
        assert met["total"] >= 5 and {"dynamodb", "s3"} <= services, met
    assert {"rds", "kms"} & {action.split(":")[0] for action in drilled[2]["by_action"]}, drilled[2]


def test_markers_and_backup_skip_an_environment_without_a_database(backed_up, aws, dev_account):
    _before, _after, backup = backed_up
    assert task_result(backup, "dev", "Say there is nothing to back up in")["msg"] == (
        "dev: no database in the spec, nothing to back up")
    backed_up = [host for host in hosts_of(backup, "Back up the database to the backups bucket")
                 if not task_result(backup, host, "Back up the database to the backups bucket").get("skipped")]
    assert backed_up == ["prod"], "nothing was backed up for dev"
    assert task_result(backup, "prod", "Back up the database to the backups bucket")["changed"]
    assert backup.stats("dev")["failures"] == 0 and backup.stats("dev")["ok"] > 0
    assert aws("rds", dev_account).describe_db_instances()["DBInstances"] == []


def test_the_drill_passes_and_measures_rpo_from_the_newest_surviving_marker(drilled, backed_up):
    run, reports, _met = drilled
    before_backup, after_backup, _backup = backed_up
    assert run.rc == 0, run.stdout[-4000:]
    report = report_in(reports)
    store, tables, *buckets = report["stores"]
    assert report["kind"] == "logical" and report["snapshot"] is None and report["instance"] is None
    assert [entry["store"] for entry in report["stores"]] == ["postgres", "dynamodb"] + ["s3 " + p for p in CRITICAL]
    assert store["newest_marker"]["id"] == before_backup[0]["id"]
    assert (store["markers_written"], store["markers_found"]) == (2, 1), "the marker after the backup is lost"
    assert store["rpo_s"] == seconds_since(report, before_backup[0]) > 0
    assert 0 < store["rto_s"] < 120 and report["overall"]["passed"] and report["error"] == ""
    assert report["validation"]["ok"] and report["validation"]["rows"] == 300 * 3 + 2 - 1  # + markers kept
    assert len(report["validation_sha256"]) == 64
    # moto restores what a table holds now: both DynamoDB markers survive, the newest bounds the loss
    assert (tables["markers_written"], tables["markers_found"]) == (2, 2)
    assert tables["newest_marker"]["id"] == after_backup[1]["id"]
    assert tables["rpo_s"] == seconds_since(report, after_backup[1]) > 0 and tables["rto_s"] >= store["rto_s"]
    assert report["overall"]["rpo_s"] == store["rpo_s"]
    # the buckets are restored to the drill start: both of their markers existed then
    for bucket, written in zip(buckets, after_backup[2]):
        assert (bucket["markers_written"], bucket["markers_found"]) == (2, 2), bucket
        assert bucket["newest_marker"]["id"] == written["id"]
        assert bucket["rpo_s"] == seconds_since(report, written)
    assert report["overall"]["rto_s"] == max(entry["rto_s"] for entry in report["stores"])
    assert [(b["validated"], b["summary"]["objects_at_point"]) for b in report["buckets"]] == [(True, 2)] * len(CRITICAL)


def test_the_tables_are_restored_whole_and_the_phases_timed(drilled):
    _run, reports, _met = drilled
    report = report_in(reports)
    restored = dict((table["live"], table) for table in report["tables"])
    assert sorted(restored) == sorted(["prod-%s" % table["name"] for table in SPEC["data"]["dynamodb_tables"]]
                                      + ["prod-envops-drill-markers"])
    for name, table in restored.items():
        assert table["restored"] == "prod-drill-%s-%s" % (report["drill_id"], name[len("prod-"):])
        if name != "prod-envops-drill-markers":
            assert table["digest"] == table["live_now"] and table["digest"]["items"] == 5, table
    phases = [(entry["store"], entry["phase"]) for entry in report["timeline"]]
    assert phases == [("environment", "detect"), ("postgres", "decide"), ("postgres", "restore"),
                      ("postgres", "validate"), ("dynamodb", "restore"), ("dynamodb", "validate"), ("s3", "restore")]
    offsets = [entry["offset_s"] for entry in report["timeline"]]
    assert offsets == sorted(offsets) and all(entry["seconds"] >= 0 for entry in report["timeline"])
    assert set(report["phase_totals"]) == {"detect", "decide", "restore", "validate"}


def test_the_figures_are_published_as_cloudwatch_metrics(drilled, aws):
    _run, reports, _met = drilled
    report = report_in(reports)
    cloudwatch = aws("cloudwatch")
    names = {(m["MetricName"], tuple(sorted((d["Name"], d["Value"]) for d in m["Dimensions"])))
             for m in cloudwatch.list_metrics(Namespace="envops/DR")["Metrics"]}
    for scope in ["postgres", "dynamodb", "all"] + ["s3 " + purpose for purpose in CRITICAL]:
        for metric in ("AchievedRTOSeconds", "AchievedRPOSeconds", "DrillPassed"):
            assert (metric, (("Environment", "prod"), ("Store", scope))) in names
    stats = cloudwatch.get_metric_statistics(
        Namespace="envops/DR", MetricName="AchievedRPOSeconds", Statistics=["Maximum"], Period=60,
        Dimensions=[{"Name": "Environment", "Value": "prod"}, {"Name": "Store", "Value": "postgres"}],
        StartTime=datetime(2000, 1, 1), EndTime=datetime(2100, 1, 1))["Datapoints"]
    assert [point["Maximum"] for point in stats] == [report["stores"][0]["rpo_s"]]


def test_the_reports_are_well_formed(drilled):
    _run, reports, _met = drilled
    suite = ElementTree.parse(next(reports.glob("dr-drill-prod-*.xml"))).getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures")) == ("testsuite", str(3 * (2 + len(CRITICAL)) + 2), "0")
    html = next(reports.glob("dr-drill-prod-*.html")).read_text()
    assert "Result: <b>passed</b>" in html and "public.customers" in html
    assert "Timeline of the phases" in html and "prod-envops-drill-markers" in html
    assert "Validation against the backup manifest" in html


def test_the_scratch_resources_are_gone_and_leftovers_of_killed_drills_are_reaped(drilled, admin, aws, account):
    _run, reports, _met = drilled
    report = report_in(reports)
    assert report["reaped"] == ["app_drill_killed1", "prod-drill-19991231-product-feeds",
                                "envops-prod-%s-assets/envops-drill/" % account]
    for purpose in CRITICAL:
        assert bucket_keys(aws, account, purpose, "envops-drill/") == [], "no version of any drill scratch is left"
    assert databases_like(admin, "app_drill_") == ["app_drill_notmine"], "not a restore: kept"
    assert scratch_tables(aws) == ["prod-drill-notmine"], "a restore, but not a drill's: kept"
    drop_database(admin, "app_drill_notmine")
    aws("dynamodb").delete_table(TableName="prod-drill-notmine")


def test_a_drill_that_misses_its_rto_target_fails_and_says_why(drilled, inventory, admin, tmp_path, aws):
    sns, sqs = aws("sns"), aws("sqs")
    topic = sns.create_topic(Name="envops-prod-p2-high")["TopicArn"]  # drill misses are P2, role observability's topic
    queue = sqs.create_queue(QueueName="drill-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    run = run_playbook("dr_drill.yml", inventory, limit="prod",
                       extra_vars={"dr_drill_rto_target_s": 0, "envops_report_dir": str(tmp_path)})
    assert run.rc != 0
    message = "\n".join(run.failure_messages("prod"))
    assert "postgres: RTO" in message and "exceeds the target 0s" in message, message
    suite = ElementTree.parse(next(tmp_path.glob("dr-drill-prod-*.xml"))).getroot()
    failures = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failures == ["postgres RTO", "dynamodb RTO"] + ["s3 %s RTO" % purpose for purpose in CRITICAL] + ["RTO"]
    assert databases_like(admin, "app_drill_") == [] and scratch_tables(aws) == []
    notified = run.facts("prod", "envops.aws.dr_drill : Notify the topic of the missed target")
    assert notified.get("changed"), notified
    (notice,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2)["Messages"]
    assert "failed: postgres: RTO" in notice["Body"] and "exceeds the target 0s" in notice["Body"], notice["Body"]


def test_a_drill_to_a_point_loses_the_objects_written_after_it(drilled, backed_up, inventory, tmp_path):
    """moto keeps S3 versions with their times, so a restore to a point really drops what came later: the marker
    written after the point is missing and the RPO of the buckets grows to the first marker's age."""
    before_backup, after_backup, _backup = backed_up
    point = before_backup[2][0]["written_at"]
    later = after_backup[2][0]["written_at"]
    middle = datetime.fromisoformat(point) + (datetime.fromisoformat(later) - datetime.fromisoformat(point)) / 2
    run = run_playbook("dr_drill.yml", inventory, limit="prod", extra_vars={
        "dr_drill_dynamodb": False, "dr_drill_point": middle.isoformat(), "envops_report_dir": str(tmp_path)})
    assert run.rc == 0, run.stdout[-4000:]
    report = report_in(tmp_path)
    buckets = [store for store in report["stores"] if store["store"].startswith("s3 ")]
    for bucket, written in zip(buckets, before_backup[2]):
        assert (bucket["markers_written"], bucket["markers_found"]) == (2, 1), bucket
        assert bucket["rpo_s"] == seconds_since(report, written)
    assert all(entry["point"] == middle.isoformat() for entry in report["buckets"])


@pytest.mark.parametrize("extra,expected", [
    ({"dr_drill_id": "x-1"}, 'dr_drill_id "x-1": 1-32 letters and digits'),
    ({"dr_drill_kind": "pitr"}, "dr_drill_kind must be one of: logical, rds_snapshot"),
], ids=["bad-id", "bad-kind"])
def test_a_bad_drill_request_is_refused_before_any_aws_call(tmp_path, private_moto, extra, expected):
    account = fresh_account_id(6)
    inventory = write_inventory(tmp_path / "inventory", private_moto, {"prod": (None, account)})
    reset_calls(private_moto)
    run = run_playbook("dr_drill.yml", inventory, extra_vars=dict(extra, envops_report_dir=str(tmp_path)))
    assert run.rc != 0 and expected in "\n".join(run.failure_messages("prod")), run.stdout[-3000:]
    assert calls_besides_the_audit(calls(private_moto)) == {}, calls(private_moto)["by_action"]
    (record,) = audit_records(private_moto, account, REGION, "prod", "dr-drill")
    assert record["refused"] is True and any(expected in problem for problem in record["problems"]), record


# -- the rds_snapshot kind ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def snapshot_drilled(drilled, backed_up, inventory, aws, tmp_path_factory):
    """After the backup and the second marker: a manual snapshot of prod-postgres, a copy (newer, of the old
    automated snapshot taken when the instance was created, without data), a third marker after the snapshot, and
    the instances a killed snapshot drill left (and one of that name that is not a drill's); then the drill."""
    rds = aws("rds")
    (automated,) = rds.describe_db_snapshots(DBInstanceIdentifier="prod-postgres", SnapshotType="automated")[
        "DBSnapshots"]
    rds.create_db_snapshot(DBInstanceIdentifier="prod-postgres", DBSnapshotIdentifier="prod-postgres-manual-1")
    rds.copy_db_snapshot(SourceDBSnapshotIdentifier=automated["DBSnapshotIdentifier"],
                         TargetDBSnapshotIdentifier="prod-postgres-copy-of-first")
    for name, tags in (("prod-drill-19991231", {"envops:drill-id": "19991231"}), ("prod-drill-notmine", {})):
        rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
                               MasterUsername="app_admin", MasterUserPassword="not-a-secret-1", AllocatedStorage=20,
                               Tags=[{"Key": key, "Value": value} for key, value in tags.items()])
    after_snapshot = marker(inventory)
    reports = tmp_path_factory.mktemp("snapshot-drill-reports")
    run = run_playbook("dr_drill.yml", inventory, limit="prod", extra_vars={
        "dr_drill_kind": "rds_snapshot", "dr_drill_snapshot_margin_s": 1, "envops_report_dir": str(reports)})
    return run, report_in(reports), after_snapshot, reports


def test_the_snapshot_drill_restores_the_newest_data_into_a_drill_instance(snapshot_drilled, backed_up):
    run, report, after_snapshot, _reports = snapshot_drilled
    before_backup, after_backup, _backup = backed_up
    assert run.rc == 0, run.stdout[-4000:]
    assert report["kind"] == "rds_snapshot" and report["error"] == "" and report["overall"]["passed"]
    snapshot = report["snapshot"]
    assert (snapshot["id"], snapshot["type"], snapshot["encrypted"]) == ("prod-postgres-manual-1", "manual", True)
    assert snapshot["data_at"] == snapshot["created_at"], "not a copy: its data is of its own time"
    assert report["instance"] == "prod-drill-%s" % report["drill_id"] and report["backup_id"] is None
    store = report["stores"][0]
    assert store["store"] == "postgres"
    # markers: two before the snapshot (both found), one after it (lost): the RPO is the second one's age
    assert (store["markers_written"], store["markers_found"]) == (3, 2)
    assert store["newest_marker"]["id"] == after_backup[0]["id"] != after_snapshot[0]["id"]
    assert store["rpo_s"] == seconds_since(report, after_backup[0]) > 0 and 0 < store["rto_s"] < 300
    validation = report["validation"]
    assert validation["ok"] and validation["snapshot"] == "prod-postgres-manual-1"
    assert validation["markers"] == {"required": 2, "missing": [], "found": 2}
    assert validation["instance"] == {"id": report["instance"], "status": "available", "encrypted": True}
    phases = [(entry["store"], entry["phase"]) for entry in report["timeline"]][:4]
    assert phases == [("environment", "detect"), ("postgres", "decide"), ("postgres", "restore"),
                      ("postgres", "validate")]
    assert [store["store"] for store in report["stores"]] == ["postgres", "dynamodb"] + ["s3 " + p for p in CRITICAL]
    assert before_backup[0]["id"] not in (after_backup[0]["id"], after_snapshot[0]["id"])


def test_the_snapshot_drill_reads_every_table_and_compares_with_the_backup_before_it(snapshot_drilled, backed_up):
    """The restored tables are the data of the snapshot's moment: customers and orders as in the backup taken
    before it (nothing wrote them since), the marker table one row further (the marker written after the backup)."""
    _run, report, _after, reports = snapshot_drilled
    _before, _after_backup, backup = backed_up
    backup_id = task_result(backup, "prod", "Back up the database to the backups bucket")["manifest"]["backup_id"]
    tables = report["validation"]["tables"]
    assert sorted(tables) == ["envops_drill.markers", "public.customers", "public.orders"]
    assert [(tables[name]["rows"], tables[name]["backup_rows"], tables[name]["matches"])
            for name in sorted(tables)] == [(2, 1, False), (300, 300, True), (600, 600, True)]
    assert all(len(table["checksum"]) > 0 for table in tables.values())
    assert report["validation"]["rows"] == 902
    assert report["validation"]["reference"] == {
        "backup_id": backup_id, "created_at": report["validation"]["reference"]["created_at"], "same": False,
        "differing": ["envops_drill.markers"]}
    html = next(reports.glob("dr-drill-prod-*.html")).read_text()
    assert "Tables of the restored snapshot" in html and "prod-postgres-manual-1" in html


def test_the_drill_instance_is_placed_like_the_live_one_and_deleted(snapshot_drilled, aws):
    run, report, _after, _reports = snapshot_drilled
    restored = task_result(run, "prod", "Restore the newest snapshot into the drill instance")
    assert restored["db_instance_identifier"] == report["instance"]
    assert restored["db_subnet_group"]["db_subnet_group_name"] == "envops-prod-db"
    group = aws("ec2").describe_security_groups(Filters=[{"Name": "group-name", "Values": ["prod-db-sg"]}])
    assert [sg["vpc_security_group_id"] for sg in restored["vpc_security_groups"]] == [
        group["SecurityGroups"][0]["GroupId"]]
    assert [pg["db_parameter_group_name"] for pg in restored["db_parameter_groups"]] == ["envops-prod-postgres15"]
    assert restored["tags"]["envops:drill-id"] == report["drill_id"]
    assert restored["tags"]["envops:snapshot"] == "prod-postgres-manual-1" and not restored["publicly_accessible"]
    # the drill's own password never shows: censored where it is chosen, hidden where it is set
    assert "ansible_facts" not in task_result(run, "prod", "Choose a master password for the drill instance")
    password_set = task_result(run, "prod", "Give the drill instance its master password")
    assert password_set["invocation"]["module_args"]["master_user_password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    # gone after the drill, and the instance a killed drill left reaped; the one without the drill's tag kept
    assert report["reaped"] == ["prod-drill-19991231"]
    assert drill_instances(aws) == ["prod-drill-notmine"]
    assert aws("rds").describe_db_instances(DBInstanceIdentifier="prod-postgres")["DBInstances"][0][
        "DBInstanceStatus"] == "available", "live untouched"


def test_a_snapshot_without_a_marker_written_before_it_fails_and_its_instance_is_deleted(
        snapshot_drilled, inventory, admin, tmp_path, aws):
    """A marker the live database says was written an hour before the snapshot, but that the snapshot lacks (here
    written afterwards with that time: a snapshot older than it claims looks the same to the drill)."""
    _run, report, _after, _reports = snapshot_drilled
    back_then = datetime.fromisoformat(report["snapshot"]["data_at"]) - timedelta(hours=1)
    with psycopg.connect(make_conninfo(admin, dbname="app"), autocommit=True) as connection:
        connection.execute("INSERT INTO envops_drill.markers (id, written_at) VALUES ('m-backdated', %s)",
                           (back_then,))
    run = run_playbook("dr_drill.yml", inventory, limit="prod", extra_vars={
        "dr_drill_kind": "rds_snapshot", "dr_drill_snapshot_margin_s": 1, "dr_drill_dynamodb": False,
        "dr_drill_s3": False, "envops_report_dir": str(tmp_path)})
    assert run.rc != 0
    failed = report_in(tmp_path)
    assert "1 of the 3 markers written before the snapshot prod-postgres-manual-1" in failed["error"]
    assert failed["error"].endswith("are not in the restored data: m-backdated"), failed["error"]
    assert failed["validation"]["markers"]["missing"] == ["m-backdated"] and not failed["overall"]["passed"]
    assert failed["stores"][0]["rto_s"] is None, "no validated data, no RTO"
    assert drill_instances(aws) == ["prod-drill-notmine"], "the drill instance is deleted after a failure too"
