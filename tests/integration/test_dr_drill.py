"""playbooks/backup.yml, drill_markers.yml and dr_drill.yml on a local prod estate: the real prod spec in a fresh
account (backups bucket, keys and the spec's DynamoDB tables on moto), its database on the real local PostgreSQL (a
database name of the test's own). A marker written before the backup survives the drill's restore and one written
after it does not, so the achieved RPO is exactly the drill start minus the first marker's write time. The DynamoDB
tables are restored into scratch tables (moto copies what the table holds now, whatever the point: both markers
survive there); a drill with an RTO target of 0 s fails and says why; the scratch resources are gone after both, and
those a killed drill left are reaped."""

import json
import secrets
from datetime import datetime
from xml.etree import ElementTree

import boto3
import psycopg
import pytest
from psycopg import sql

from harness import run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset, drop_database
from tools.stack.state import pg_dsn, read_state

SPEC = load_spec("prod")


@pytest.fixture(scope="module")
def database():
    return "d%s" % secrets.token_hex(3)


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(6)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account):
    directory = write_inventory(tmp_path_factory.mktemp("drill"), stack["moto_url"], {"prod": (None, account)})
    (directory / "group_vars" / "all" / "local_postgres.yml").write_text(
        json.dumps({"envops_local_postgres": read_state()}))
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                                    region_name=SPEC["region"])
    kms = session.client("kms", endpoint_url=stack["moto_url"])
    for key_class in ("backups", "data"):
        kms.create_alias(AliasName="alias/envops/prod/%s" % key_class,
                         TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    dynamodb = session.client("dynamodb", endpoint_url=stack["moto_url"])
    for table in SPEC["data"]["dynamodb_tables"]:
        create_table(dynamodb, table)
    s3 = session.client("s3", endpoint_url=stack["moto_url"])
    for purpose in CRITICAL:
        bucket = "envops-prod-%s-%s" % (account, purpose)
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": SPEC["region"]})
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return directory


@pytest.fixture(scope="module")
def source(stack, database):
    name = "prod_%s" % database
    create_dataset(pg_dsn("postgres"), name, 300, 2, seed=8)
    yield name
    drop_database(pg_dsn("postgres"), name)


KEY_TYPES = {"STRING": "S", "NUMBER": "N"}
CRITICAL = [bucket["purpose"] for bucket in SPEC["data"]["buckets"] if bucket.get("critical")]


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


def scratch_tables(stack, account):
    dynamodb = boto3.client("dynamodb", endpoint_url=stack["moto_url"], region_name=SPEC["region"],
                            aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret")
    return [name for name in dynamodb.list_tables()["TableNames"] if name.startswith("prod-drill-")]


def names(database):
    return {"logical_backup_database": database, "dr_drill_database": database, "drill_markers_database": database}


def databases_like(prefix):
    query = "SELECT datname FROM pg_database WHERE datname LIKE %s"
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as connection:
        return [name for (name,) in connection.execute(query, (prefix + "%",)).fetchall()]


def marker(inventory, database):
    """The markers written (PostgreSQL, DynamoDB, and those of the critical buckets)."""
    run = run_playbook("drill_markers.yml", inventory, extra_vars=names(database))
    assert run.rc == 0, run.stdout[-3000:]
    buckets = run.facts("prod", "Write a marker into the critical buckets of prod")["results"]
    return (run.facts("prod", "Write a marker into the database of prod")["marker"],
            run.facts("prod", "Write a marker into the DynamoDB marker table of prod")["marker"],
            [result["marker"] for result in buckets])


def bucket_keys(stack, account, purpose, prefix):
    s3 = boto3.client("s3", endpoint_url=stack["moto_url"], region_name=SPEC["region"], aws_access_key_id=account,
                      aws_secret_access_key="local-moto-not-a-secret")
    listing = s3.list_object_versions(Bucket="envops-prod-%s-%s" % (account, purpose), Prefix=prefix)
    return [entry["Key"] for entry in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def create_database(name, comment=None):
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if comment:
            statement = sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(comment))
            connection.execute(statement)


def restored_table(stack, account, name, tags):
    dynamodb = boto3.client("dynamodb", endpoint_url=stack["moto_url"], region_name=SPEC["region"],
                            aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret")
    arn = dynamodb.restore_table_to_point_in_time(SourceTableName="prod-product-feeds", TargetTableName=name,
                                                  UseLatestRestorableTime=True)["TableDescription"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=arn, Tags=[{"Key": key, "Value": value} for key, value in tags.items()])


@pytest.fixture(scope="module")
def drilled(inventory, source, database, tmp_path_factory, stack, account):
    # what a killed drill leaves (a restored scratch database and table), and a database and a restored table of
    # those prefixes that are not a drill's
    create_database("prod_%s_drill_killed1" % database, "envops:restored:20261122T0100Z")
    create_database("prod_%s_drill_notmine" % database)
    mark = {"envops:restored-from": "prod-product-feeds", "envops:restore-point": "latest"}
    restored_table(stack, account, "prod-drill-19991231-product-feeds", dict(mark, **{"envops:drill-id": "19991231"}))
    restored_table(stack, account, "prod-drill-notmine", mark)
    boto3.client("s3", endpoint_url=stack["moto_url"], region_name=SPEC["region"], aws_access_key_id=account,
                 aws_secret_access_key="local-moto-not-a-secret").put_object(
        Bucket="envops-prod-%s-assets" % account, Key="envops-drill/19991231/envops-drill-markers/x", Body=b"")
    before_backup = marker(inventory, database)
    backup = run_playbook("backup.yml", inventory, extra_vars=names(database))
    assert backup.rc == 0, backup.stdout[-3000:]
    after_backup = marker(inventory, database)
    reports = tmp_path_factory.mktemp("drill-reports")
    run = run_playbook("dr_drill.yml", inventory, extra_vars=dict(names(database), envops_report_dir=str(reports)))
    return run, reports, before_backup, after_backup


def test_the_drill_passes_and_measures_rpo_from_the_newest_surviving_marker(drilled):
    run, reports, before_backup, after_backup = drilled
    assert run.rc == 0, run.stdout[-4000:]
    (report_file,) = reports.glob("dr-drill-prod-*.json")
    report = json.loads(report_file.read_text())
    store, tables, *buckets = report["stores"]
    assert [entry["store"] for entry in report["stores"]] == ["postgres", "dynamodb"] + ["s3 " + p for p in CRITICAL]
    assert store["newest_marker"]["id"] == before_backup[0]["id"]
    assert (store["markers_written"], store["markers_found"]) == (2, 1), "the marker after the backup is lost"
    started = datetime.fromisoformat(report["started_at"])
    expected_rpo = round((started - datetime.fromisoformat(before_backup[0]["written_at"])).total_seconds(), 3)
    assert store["rpo_s"] == expected_rpo > 0
    assert 0 < store["rto_s"] < 120 and report["overall"]["passed"] and report["error"] == ""
    assert report["validation"]["ok"] and report["validation"]["rows"] == 300 * 3 + 2 - 1  # + markers kept
    assert len(report["validation_sha256"]) == 64
    # moto restores what a table holds now: both DynamoDB markers survive, the newest bounds the loss
    assert (tables["markers_written"], tables["markers_found"]) == (2, 2)
    assert tables["newest_marker"]["id"] == after_backup[1]["id"]
    expected_rpo = round((started - datetime.fromisoformat(after_backup[1]["written_at"])).total_seconds(), 3)
    assert tables["rpo_s"] == expected_rpo > 0 and tables["rto_s"] >= store["rto_s"]
    assert report["overall"]["rpo_s"] == store["rpo_s"]
    # the buckets are restored to the drill start: both of their markers existed then
    for bucket, written in zip(buckets, after_backup[2]):
        assert (bucket["markers_written"], bucket["markers_found"]) == (2, 2), bucket
        assert bucket["newest_marker"]["id"] == written["id"]
        assert bucket["rpo_s"] == round((started - datetime.fromisoformat(written["written_at"])).total_seconds(), 3)
    assert report["overall"]["rto_s"] == max(entry["rto_s"] for entry in report["stores"])
    assert [(b["validated"], b["summary"]["objects_at_point"]) for b in report["buckets"]] == [(True, 2)] * len(CRITICAL)


def test_the_tables_are_restored_whole_and_the_phases_timed(drilled):
    _run, reports, _before, _after = drilled
    report = json.loads(next(reports.glob("dr-drill-prod-*.json")).read_text())
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


def test_the_figures_are_published_as_cloudwatch_metrics(drilled, stack, account):
    run, reports, _before, _after = drilled
    report = json.loads(next(reports.glob("dr-drill-prod-*.json")).read_text())
    cloudwatch = boto3.client("cloudwatch", endpoint_url=stack["moto_url"], region_name=SPEC["region"],
                              aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret")
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
    _run, reports, _before, _after = drilled
    suite = ElementTree.parse(next(reports.glob("dr-drill-prod-*.xml"))).getroot()
    assert (suite.tag, suite.get("tests"), suite.get("failures")) == ("testsuite", str(3 * (2 + len(CRITICAL)) + 2), "0")
    html = next(reports.glob("dr-drill-prod-*.html")).read_text()
    assert "Result: <b>passed</b>" in html and "public.customers" in html
    assert "Timeline of the phases" in html and "prod-envops-drill-markers" in html


def test_the_scratch_resources_are_gone_and_leftovers_of_killed_drills_are_reaped(drilled, database, stack, account):
    _run, reports, _before, _after = drilled
    report = json.loads(next(reports.glob("dr-drill-prod-*.json")).read_text())
    assert report["reaped"] == ["prod_%s_drill_killed1" % database, "prod-drill-19991231-product-feeds",
                                "envops-prod-%s-assets/envops-drill/" % account]
    for purpose in CRITICAL:
        assert bucket_keys(stack, account, purpose, "envops-drill/") == [], "no version of any drill scratch is left"
    assert databases_like("prod_%s_drill_" % database) == ["prod_%s_drill_notmine" % database], "not a restore: kept"
    assert scratch_tables(stack, account) == ["prod-drill-notmine"], "a restore, but not a drill's: kept"
    drop_database(pg_dsn("postgres"), "prod_%s_drill_notmine" % database)
    boto3.client("dynamodb", endpoint_url=stack["moto_url"], region_name=SPEC["region"], aws_access_key_id=account,
                 aws_secret_access_key="local-moto-not-a-secret").delete_table(TableName="prod-drill-notmine")


def test_a_drill_that_misses_its_rto_target_fails_and_says_why(drilled, inventory, database, tmp_path, stack,
                                                               account):
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                                    region_name=SPEC["region"])
    sns, sqs = (session.client(name, endpoint_url=stack["moto_url"]) for name in ("sns", "sqs"))
    topic = sns.create_topic(Name="envops-prod-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="drill-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    run = run_playbook("dr_drill.yml", inventory, extra_vars=dict(names(database), dr_drill_rto_target_s=0,
                                                                  envops_report_dir=str(tmp_path)))
    assert run.rc != 0
    message = "\n".join(run.failure_messages("prod"))
    assert "postgres: RTO" in message and "exceeds the target 0s" in message, message
    suite = ElementTree.parse(next(tmp_path.glob("dr-drill-prod-*.xml"))).getroot()
    failures = [case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failures == ["postgres RTO", "dynamodb RTO"] + ["s3 %s RTO" % purpose for purpose in CRITICAL] + ["RTO"]
    assert databases_like("prod_%s_drill_" % database) == [] and scratch_tables(stack, account) == []
    notified = run.facts("prod", "envops.aws.dr_drill : Notify the topic of the missed target")
    assert notified.get("changed"), notified
    (notice,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=2)["Messages"]
    assert "failed: postgres: RTO" in notice["Body"] and "exceeds the target 0s" in notice["Body"], notice["Body"]


def test_a_drill_to_a_point_loses_the_objects_written_after_it(drilled, inventory, database, tmp_path):
    """moto keeps S3 versions with their times, so a restore to a point really drops what came later: the marker
    written after the point is missing and the RPO of the buckets grows to the first marker's age."""
    _run, _reports, before_backup, after_backup = drilled
    point = before_backup[2][0]["written_at"]
    later = after_backup[2][0]["written_at"]
    middle = datetime.fromisoformat(point) + (datetime.fromisoformat(later) - datetime.fromisoformat(point)) / 2
    run = run_playbook("dr_drill.yml", inventory, extra_vars=dict(
        names(database), dr_drill_dynamodb=False, dr_drill_point=middle.isoformat(), envops_report_dir=str(tmp_path)))
    assert run.rc == 0, run.stdout[-4000:]
    report = json.loads(next(tmp_path.glob("dr-drill-prod-*.json")).read_text())
    started = datetime.fromisoformat(report["started_at"])
    buckets = [store for store in report["stores"] if store["store"].startswith("s3 ")]
    for bucket, written in zip(buckets, before_backup[2]):
        assert (bucket["markers_written"], bucket["markers_found"]) == (2, 1), bucket
        assert bucket["rpo_s"] == round((started - datetime.fromisoformat(written["written_at"])).total_seconds(), 3)
    assert all(entry["point"] == middle.isoformat() for entry in report["buckets"])
