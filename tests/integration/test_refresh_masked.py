"""playbooks/refresh_masked.yml against the local stack: moto for the key, the audit log and the flow refusals, the
environments' RDS instances (real PostgreSQL servers on the stack) for the data: a generated prod database of 1,500
customers and 4,500 orders in prod's instance, staging's and test's instances as provisioning leaves them, each
environment in a fresh account. Every database is reached the way the procedure reaches it: through AWS.

The first refresh (staging and test) runs at 20 % throttling (the stack's fault injection, fixed seed, on a moto server
of this module's own so no other test meets it): every property below must hold as without faults.
"""

import json
import os
import secrets
import signal
import subprocess
import time

import boto3
import psycopg
import pytest
import yaml
from psycopg import sql
from psycopg.conninfo import make_conninfo

from harness import REPO, VENV_BIN, audit_records, calls_besides_the_audit, run_playbook, tool_env
from tools.collection_path import import_collection
from tools.local_inventory import fresh_account_id, write_inventory
from tools.estate_database import database_conninfo, ensure_database
from tools.masking_dataset import (DYNAMODB_TABLES, create_dataset, create_dynamodb_dataset, drop_database,
                                   ensure_dynamodb_table, recreate_database)
from tools.stack.state import calls, clear_faults, faults, pg_dsn, reset_calls, set_faults

masking_pg_refresh = import_collection("plugins.module_utils.masking_pg_refresh")

POLICY = yaml.safe_load((REPO / "inventories/prod/host_vars/prod/masking_policy.yml").read_text())[
    "envops_masking_policy"]
SECRET = "local-moto-not-a-secret"
ITEMS = 150  # per DynamoDB table; item i belongs to customer 1 + i % 1500 of the prod database (seed 3)


@pytest.fixture(scope="module")
def stack(stack, private_moto):
    """The local stack with a moto server of this module's own: the faults injected here reach no other test."""
    return dict(stack, moto_url=private_moto)


@pytest.fixture(scope="module")
def database():
    return POLICY["postgresql"]["database"]


@pytest.fixture(scope="module")
def admin(stack):
    """The stack's own PostgreSQL, for the module-level recovery tests only."""
    return pg_dsn("postgres")


def conninfo_of(stack, inventory, env, dbname=None):
    """The environment's database, reached like the procedure reaches it: RDS endpoint and master secret."""
    spec, account = host_of(inventory, env)
    return database_conninfo(stack["moto_url"], account, spec["region"], env, dbname=dbname)


GIFT_ORDER = 7  # its notes quote its customer: "Happy birthday <first name>! Call me at <phone>"


@pytest.fixture(scope="module")
def prod_db(stack, inventory, prod_instance, database):
    create_dataset(conninfo_of(stack, inventory, "prod", "postgres"), database, 1500, 3, seed=3)
    conninfo = conninfo_of(stack, inventory, "prod")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("UPDATE orders o SET notes = format('Happy birthday %%s! Call me at %%s', c.first_name, "
                           "c.phone) FROM customers c WHERE c.id = o.customer_id AND o.id = %s", (GIFT_ORDER,))
    return conninfo


@pytest.fixture(scope="module")
def target_db(stack, inventory):
    """staging's and test's instances as provisioning leaves them: {env: conninfo of the spec's database}."""
    targets = {}
    for env in ("staging", "test"):
        spec, account = host_of(inventory, env)
        targets[env] = ensure_database(stack["moto_url"], account, spec["region"], env)
    return targets


def accounts():
    return {name: fresh_account_id() for name in ("prod", "staging", "test", "dr")}


def inventory_for(tmp_path_factory, moto_url, database, name="inventory"):
    directory = write_inventory(tmp_path_factory.mktemp(name), moto_url,
                                {env: (None, account) for env, account in accounts().items()})
    policy = json.loads(json.dumps(POLICY))
    policy["postgresql"]["database"] = database
    (directory / "host_vars" / "prod" / "masking_policy.yml").write_text(
        yaml.safe_dump({"envops_masking_policy": policy}))
    return directory


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, database):
    return inventory_for(tmp_path_factory, stack["moto_url"], database)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("reports")


def refresh(inventory, targets, report_dir, check=False, **extra):
    return run_playbook("refresh_masked.yml", inventory, check=check,
                        extra_vars=dict(extra, refresh_targets=targets, envops_report_dir=str(report_dir)))


def rows(conninfo, query, params=None):
    with psycopg.connect(conninfo, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def checksum(conninfo):
    return rows(conninfo, "SELECT md5(string_agg(c::text, '' ORDER BY id)) FROM customers c")[0][0]


def databases_like(server, prefix):
    return sorted(name for (name,) in rows(server, "SELECT datname FROM pg_database WHERE datname LIKE %s",
                                           (prefix.replace("_", "\\_") + "%",)))


def process_tree(root):
    """root and every process descended from it (whatever session or group Ansible put them in)."""
    parents = {}
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit():
                stat = open("/proc/%s/stat" % entry).read()
                parents[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            continue
    tree, added = {root}, True
    while added:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= children
        added = bool(children)
    return tree


def crash(root):
    """SIGKILL a process tree at once, as a crash of the controller would."""
    for pid in process_tree(root):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def host_of(inventory, env):
    spec = yaml.safe_load((inventory / "host_vars" / env / "envops_spec.yml").read_text())["envops_spec"]
    account = yaml.safe_load((inventory / "host_vars" / env / "local_overrides.yml").read_text())[
        "envops_spec_overrides"]["account"]["id"]
    return spec, account


def client(stack, inventory, env, service):
    spec, account = host_of(inventory, env)
    return boto3.client(service, endpoint_url=stack["moto_url"], region_name=spec["region"],
                        aws_access_key_id=account, aws_secret_access_key=SECRET)


# ------------------------------------------------------------------------------------------------------------
# refused flows: before any AWS call but the audit record's


@pytest.fixture(scope="module")
def private_inventory(tmp_path_factory, private_moto, database):
    return inventory_for(tmp_path_factory, private_moto, database, "private")


@pytest.mark.parametrize("source,targets,expected", [
    ("prod", "dr", "the target 'dr' is a dr environment: it holds live data"),
    ("staging", "test", "the source must be a production environment, 'staging' is staging"),
    ("test", "staging", "test (testing) -> staging (staging) is not downward"),
    ("prod", "prod", "source and target are the same environment 'prod'"),
], ids=["to-dr", "from-staging", "upward", "into-itself"])
def test_refused_before_any_aws_call(private_inventory, private_moto, tmp_path, source, targets, expected):
    reset_calls(private_moto)
    run = refresh(private_inventory, targets, tmp_path, refresh_masked_source=source)
    assert run.rc != 0
    message = "\n".join(run.failure_messages(targets))
    assert "refusing to refresh %s from %s, nothing was read or changed" % (targets, source) in message, message
    assert expected in message, message
    # the only calls: the refusal's audit record in the target's account, read back here
    assert calls_besides_the_audit(calls(private_moto)) == {}, calls(private_moto)["by_action"]
    spec, account = host_of(private_inventory, targets)
    record = audit_records(private_moto, account, spec["region"], targets, "refresh-masked")[-1]
    assert record["refused"] is True and record["source"] == source and record["target"] == targets
    assert any(expected in problem for problem in record["problems"]), record


# ------------------------------------------------------------------------------------------------------------
# a refresh of staging and test


def scan_all(dynamodb, table):
    return [item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]]


def family(dynamodb, base):
    return sorted(name for name in dynamodb.list_tables()["TableNames"] if name == base or name.startswith(base + "."))


def prod_activity_emails(stack, inventory):
    return {item["email"]["S"] for item in scan_all(client(stack, inventory, "prod", "dynamodb"), "prod-user-activity")}


def live_table(stack, inventory, env, name):
    return client(stack, inventory, env, "ssm").get_parameter(Name="/%s/dynamodb/%s" % (env, name))["Parameter"][
        "Value"]


@pytest.fixture(scope="module")
def prod_tables(stack, inventory):
    """prod's DynamoDB tables with items of the prod database's customers; the targets' data keys; staging with
    an older live user-activity table (named by its parameter) that the switch must remove."""
    prod = client(stack, inventory, "prod", "dynamodb")
    for name in DYNAMODB_TABLES:
        ensure_dynamodb_table(prod, "prod-%s" % name)
        create_dynamodb_dataset(prod, "prod-%s" % name, ITEMS, seed=3, customers=1500)
    for env in ("staging", "test"):
        kms = client(stack, inventory, env, "kms")
        kms.create_alias(AliasName="alias/envops/%s/data" % env, TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    staging = client(stack, inventory, "staging", "dynamodb")
    ensure_dynamodb_table(staging, "staging-user-activity")
    create_dynamodb_dataset(staging, "staging-user-activity", 20, seed=9, customers=200)
    client(stack, inventory, "staging", "ssm").put_parameter(
        Name="/staging/dynamodb/user-activity", Value="staging-user-activity", Type="String")
    return prod


LEFTOVER_SNAPSHOT = "envops-refresh-staging-19990101000000"  # of a run killed long ago


@pytest.fixture(scope="module")
def prod_instance(stack, inventory):
    """prod's RDS instance (encrypted, deletion-protected, Multi-AZ, in a DB subnet group of a VPC) the refresh
    snapshots, and a snapshot left by a killed refresh of staging, which the next one must remove."""
    spec, account = host_of(inventory, "prod")
    ec2, rds = client(stack, inventory, "prod", "ec2"), client(stack, inventory, "prod", "rds")
    kms = client(stack, inventory, "prod", "kms")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.%d.0/24" % index,
                                 AvailabilityZone="%s%s" % (spec["region"], zone))["Subnet"]["SubnetId"]
               for index, zone in enumerate("ab")]
    rds.create_db_subnet_group(DBSubnetGroupName="envops-prod-db", DBSubnetGroupDescription="prod",
                               SubnetIds=subnets)
    # as prod's: deletion-protected and Multi-AZ, which the scratch copy must not inherit
    ensure_database(stack["moto_url"], account, spec["region"], "prod", DBSubnetGroupName="envops-prod-db",
                    KmsKeyId=kms.create_key()["KeyMetadata"]["Arn"], DeletionProtection=True, MultiAZ=True)
    rds.create_db_snapshot(DBInstanceIdentifier="prod-postgres", DBSnapshotIdentifier=LEFTOVER_SNAPSHOT)
    return rds


def table_reads(conninfo):
    """Scans, index scans and rows read of prod's tables, as PostgreSQL's statistics count them."""
    return rows(conninfo, "SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), coalesce(idx_tup_fetch, 0) "
                          "FROM pg_stat_user_tables ORDER BY relname")


@pytest.fixture(scope="module")
def prod_reads_before(prod_db):
    """Once the statistics of the data's creation have settled (a backend reports its counts as it exits)."""
    reads, deadline = table_reads(prod_db), time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
        reads, previous = table_reads(prod_db), reads
        if reads == previous:
            break
    return reads


@pytest.fixture(scope="module")
def refreshed_under_throttling(inventory, prod_db, prod_tables, prod_instance, target_db, prod_reads_before,
                               report_dir, stack, database):
    # staging holds older data first: the swap replaces it
    create_dataset(conninfo_of(stack, inventory, "staging", "postgres"), database, 200, 1, seed=9)
    set_faults(stack["moto_url"], rate=0.2, kinds=["throttle"], seed=31)
    try:
        run = refresh(inventory, "staging,test", report_dir)
        met = faults(stack["moto_url"])["injected"]
    finally:
        clear_faults(stack["moto_url"])
    assert run.rc == 0, run.stdout[-6000:] + run.stderr[-2000:]
    return run, met


@pytest.fixture(scope="module")
def refreshed(refreshed_under_throttling):
    return refreshed_under_throttling[0]


def test_the_refresh_met_throttling_in_every_service_it_calls(refreshed_under_throttling):
    met = refreshed_under_throttling[1]
    services = {action.split(":")[0] for action in met["by_action"]}
    assert met["total"] >= 10 and {"rds", "dynamodb", "secretsmanager"} <= services, met


def test_the_live_prod_database_is_never_read(refreshed, prod_db, prod_reads_before):
    """The copy reads the scratch instance restored from prod's snapshot, with a password of the run: the live
    database's tables are not scanned once by two refreshes (a snapshot copies files, it reads no table)."""
    assert table_reads(prod_db) == prod_reads_before


def test_targets_hold_masked_data(refreshed, prod_db, stack, inventory, database):
    source_emails = {email for (email,) in rows(prod_db, "SELECT email FROM customers")}
    for env in ("staging", "test"):
        target = conninfo_of(stack, inventory, env)
        assert rows(target, "SELECT count(*) FROM customers")[0][0] == 1500
        assert rows(target, "SELECT count(*) FROM orders")[0][0] == 4500
        masked = {email for (email,) in rows(target, "SELECT email FROM customers")}
        assert not masked & source_emails
        assert all(email.endswith("@example.invalid") for email in masked)
        assert databases_like(target, "%s__" % database) == [], "no scratch database left"
    # the same key: the same masked emails in both targets
    assert rows(conninfo_of(stack, inventory, "staging"), "SELECT email FROM customers ORDER BY id") == \
        rows(conninfo_of(stack, inventory, "test"), "SELECT email FROM customers ORDER BY id")


def test_order_notes_lose_their_customers_name_and_phone(refreshed, prod_db, stack, inventory):
    """The copy itself scrubs an order's notes of its customer's row (orders.notes declares it related)."""
    (first_name, phone, notes), = rows(prod_db, "SELECT c.first_name, c.phone, o.notes FROM orders o "
                                                "JOIN customers c ON c.id = o.customer_id WHERE o.id = %s", (GIFT_ORDER,))
    assert first_name in notes and phone in notes
    for env in ("staging", "test"):
        (masked,), = rows(conninfo_of(stack, inventory, env), "SELECT notes FROM orders WHERE id = %s", (GIFT_ORDER,))
        assert masked.startswith("Happy birthday [redacted]! Call me at "), masked
        assert first_name not in masked and phone not in masked and phone[-4:] not in masked, masked


def test_evidence_reports_hold_no_pii(refreshed, report_dir, prod_db):
    reports = sorted(report_dir.glob("refresh-staging-*.json"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text())
    assert report["result"] == "succeeded" and report["swapped"] is True
    assert report["verification"]["passed"] is True
    assert report["key_id"] == "envops/masking/key" and len(report["policy_hash"]) == 64
    assert set(report["copy"]["tables"]) == {"public.customers", "public.orders"}
    html = reports[0].with_suffix(".html").read_text()
    assert "Verification passed" in html
    values = [value for (value,) in rows(prod_db, "SELECT email FROM customers UNION ALL SELECT last_name FROM "
                                                  "customers UNION ALL SELECT phone FROM customers")]
    for text in (reports[0].read_text(), html, refreshed.stdout):
        assert not [value for value in values if value in text]
    progress = reports[0].with_suffix(".progress").read_text()
    assert "public.customers: 1500/1500 rows" in progress


def test_dynamodb_tables_are_switched_to_verified_masked_copies(refreshed, stack, inventory, report_dir):
    source_emails = prod_activity_emails(stack, inventory)
    for env in ("staging", "test"):
        dynamodb = client(stack, inventory, env, "dynamodb")
        report = json.loads(sorted(report_dir.glob("refresh-%s-*.json" % env))[-1].read_text())
        for name in DYNAMODB_TABLES:
            live = live_table(stack, inventory, env, name)
            assert live == "%s-%s.r%s" % (env, name, report["run_id"])
            assert family(dynamodb, "%s-%s" % (env, name)) == [live], "the old live table is removed"
            assert len(scan_all(dynamodb, live)) == ITEMS
            described = dynamodb.describe_table(TableName=live)["Table"]
            assert described["SSEDescription"]["KMSMasterKeyArn"].startswith("arn:aws:kms:")
            assert dynamodb.describe_continuous_backups(TableName=live)["ContinuousBackupsDescription"][
                "PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        emails = {item["email"]["S"] for item in scan_all(dynamodb, live_table(stack, inventory, env, "user-activity"))}
        assert emails and not emails & source_emails
        assert all(email.endswith("@example.invalid") for email in emails)
        summary = dict((entry["table"], entry) for entry in report["dynamodb"])
        assert set(summary) == set(DYNAMODB_TABLES)
        assert all(entry["verified"] and entry["items"] == ITEMS and not entry["problems"]
                   for entry in summary.values()), summary
    staging_report = json.loads(sorted(report_dir.glob("refresh-staging-*.json"))[-1].read_text())
    switched = [entry for entry in staging_report["dynamodb"] if entry["table"] == "user-activity"][0]
    assert switched["old_table"] == "staging-user-activity" and switched["old_table_deleted"] is True


def test_an_email_masks_to_the_same_value_in_postgresql_and_dynamodb(refreshed, stack, inventory, prod_db):
    """The customers of the prod DynamoDB items, masked in staging's PostgreSQL, are exactly the masked emails of
    staging's DynamoDB table: one key, one derivation, in both stores."""
    source_emails = prod_activity_emails(stack, inventory)
    ids = [customer_id for (customer_id, email) in rows(prod_db, "SELECT id, email FROM customers")
           if email in source_emails]
    assert len(ids) == len(source_emails) > 100
    staging = conninfo_of(stack, inventory, "staging")
    query = "SELECT email FROM customers WHERE id = ANY(%s)"
    masked_in_postgresql = {email for (email,) in rows(staging, query, (ids,))}
    dynamodb = client(stack, inventory, "staging", "dynamodb")
    masked_in_dynamodb = {item["email"]["S"] for item in
                          scan_all(dynamodb, live_table(stack, inventory, "staging", "user-activity"))}
    assert masked_in_dynamodb == masked_in_postgresql


def test_unclassified_dynamodb_attribute_stops_its_switch(refreshed, stack, inventory, prod_tables, tmp_path):
    test_ddb = client(stack, inventory, "test", "dynamodb")
    before = live_table(stack, inventory, "test", "product-feeds")
    prod_tables.put_item(TableName="prod-product-feeds",
                         Item={"feed_id": {"S": "feed-unclassified"}, "passport_no": {"S": "X1234567"}})
    try:
        run = refresh(inventory, "test", tmp_path)
    finally:
        prod_tables.delete_item(TableName="prod-product-feeds", Key={"feed_id": {"S": "feed-unclassified"}})
    assert run.rc != 0
    assert "passport_no" in "\n".join(run.failure_messages("test"))
    assert live_table(stack, inventory, "test", "product-feeds") == before
    assert family(test_ddb, "test-product-feeds") == [before], "the half copy is deleted"
    report = json.loads(next(tmp_path.glob("refresh-test-*.json")).read_text())
    failed = [entry for entry in report["dynamodb"] if entry["table"] == "product-feeds"][0]
    assert report["result"] == "failed" and failed["unclassified"] == ["passport_no"]
    assert "X1234567" not in next(tmp_path.glob("refresh-test-*.json")).read_text() + run.stdout


def test_the_source_snapshot_is_restored_as_a_scratch_instance_then_removed(refreshed, prod_instance, stack,
                                                                            inventory, report_dir):
    report = json.loads(sorted(report_dir.glob("refresh-staging-*.json"))[-1].read_text())
    scratch = "envops-refresh-staging-%s" % report["run_id"]
    assert report["source_instance"] == "prod-postgres" and report["scratch_instance"] == scratch
    assert report["source_snapshot"].endswith(":snapshot:%s" % scratch)
    assert report["masking_kms_key"].startswith("arn:aws:kms:")
    for env in ("staging", "test"):
        assert [name for name in refreshed.changed_tasks(env) if name.startswith("Restore the scratch instance")]
    # nothing holding production data is left: the run's instance and snapshots, and the leftover of a killed run
    instances = [db["DBInstanceIdentifier"] for db in prod_instance.describe_db_instances()["DBInstances"]]
    snapshots = [snap["DBSnapshotIdentifier"] for snap in prod_instance.describe_db_snapshots()["DBSnapshots"]]
    assert instances == ["prod-postgres"]
    assert [name for name in snapshots if name.startswith("envops-refresh-")] == []
    groups = client(stack, inventory, "prod", "ec2").describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["envops-prod-refresh-scratch"]}])["SecurityGroups"]
    assert len(groups) == 1 and groups[0]["IpPermissions"] == [] and groups[0]["IpPermissionsEgress"] == []


def test_check_mode_reads_and_reports_but_changes_nothing(refreshed, stack, inventory, prod_instance, tmp_path):
    staging = conninfo_of(stack, inventory, "staging")
    before = checksum(staging)
    live = dict((name, live_table(stack, inventory, "staging", name)) for name in DYNAMODB_TABLES)
    snapshots = prod_instance.describe_db_snapshots()["DBSnapshots"]

    run = refresh(inventory, "staging", tmp_path, check=True)

    assert run.rc == 0, run.stdout[-4000:]
    plans = [task["hosts"]["staging"] for play in run.report["plays"] for task in play["tasks"]
             if task["task"]["name"].split(" : ")[-1].startswith("Mask, verify and swap the database")]
    assert plans and plans[0]["unclassified"] == [] and plans[0]["leftovers"] == [] and plans[0]["target_exists"]
    tables = [task["hosts"]["staging"] for play in run.report["plays"] for task in play["tasks"]
              if task["task"]["name"].split(" : ")[-1].startswith("Mask, verify and switch the DynamoDB tables")]
    assert dict((item["item"], item["live_table"]) for item in tables[0]["results"]) == live
    assert all(item["changed"] and item["recovered"] == [] for item in tables[0]["results"])
    assert checksum(staging) == before
    assert dict((name, live_table(stack, inventory, "staging", name)) for name in DYNAMODB_TABLES) == live
    assert prod_instance.describe_db_snapshots()["DBSnapshots"] == snapshots
    assert list(tmp_path.glob("refresh-staging-*.json")) == [], "check mode writes no report"


def test_key_is_generated_in_the_source_account_and_never_printed(refreshed, stack, inventory):
    key = client(stack, inventory, "prod", "secretsmanager").get_secret_value(SecretId="envops/masking/key")
    assert len(key["SecretString"]) == 64
    assert key["SecretString"] not in refreshed.stdout + refreshed.stderr


def test_audit_record_in_the_target_account(refreshed, stack, inventory):
    logs = client(stack, inventory, "staging", "logs")
    events = logs.get_log_events(logGroupName="/envops/staging/audit", logStreamName="refresh-masked")["events"]
    record = json.loads(events[-1]["message"])
    assert record["result"] == "succeeded" and record["verified"] is True
    assert record["source"] == "prod" and record["target"] == "staging" and record["key_id"] == "envops/masking/key"


# ------------------------------------------------------------------------------------------------------------
# fail closed, and a run killed half-way


def test_unclassified_column_stops_the_refresh_and_staging_keeps_its_data(
        refreshed, stack, inventory, prod_db, tmp_path):
    staging = conninfo_of(stack, inventory, "staging")
    before = checksum(staging)
    with psycopg.connect(prod_db, autocommit=True) as connection:
        connection.execute("ALTER TABLE customers ADD COLUMN passport_no text DEFAULT 'X1234567'")
    try:
        run = refresh(inventory, "staging", tmp_path)
    finally:
        with psycopg.connect(prod_db, autocommit=True) as connection:
            connection.execute("ALTER TABLE customers DROP COLUMN passport_no")
    assert run.rc != 0
    message = "\n".join(run.failure_messages("staging"))
    assert "public.customers.passport_no" in message, message
    assert checksum(staging) == before
    report = json.loads(next(tmp_path.glob("refresh-staging-*.json")).read_text())
    assert report["result"] == "failed" and report["swapped"] is False
    assert "public.customers.passport_no" in report["unclassified"]


def test_incomplete_policy_is_refused_before_anything_is_created(refreshed, stack, inventory, prod_db, database,
                                                                 tmp_path):
    """Checked against the live source's catalog first (read-only): no snapshot, copy, restore, database or
    extension anywhere; every unclassified column and every entry the source lacks named with its rule."""
    policy = json.loads(json.dumps(POLICY))
    policy["postgresql"]["database"] = database
    customers = policy["postgresql"]["tables"]["public.customers"]
    del customers["tier"], customers["ssn"]
    customers["nickname"] = {"rule": "substitute", "list": "first_name"}
    policy["postgresql"]["tables"]["public.invoices"] = {"id": "keep"}
    prod_server = conninfo_of(stack, inventory, "prod", "postgres")
    catalog = ("SELECT (SELECT array_agg(datname::text ORDER BY datname) FROM pg_database), "
               "(SELECT array_agg(extname::text ORDER BY extname) FROM pg_extension)")
    before = rows(prod_db, catalog)
    reset_calls(stack["moto_url"])

    run = refresh(inventory, "staging", tmp_path, envops_masking_policy=policy)

    actions = calls(stack["moto_url"])["by_action"]
    assert run.rc != 0
    message = "\n".join(run.failure_messages("staging"))
    for expected in ("refused before any copy: 4 problem(s)", "public.customers.ssn", "public.customers.tier",
                     "public.customers.nickname (rule substitute): no such column in the source",
                     "public.invoices (1 rule): no such table in the source"):
        assert expected in message, message
    assert [action for action in ("rds:CreateDBSnapshot", "rds:CopyDBSnapshot", "rds:RestoreDBInstanceFromDBSnapshot",
                                  "rds:CreateDBInstance") if actions.get(action)] == [], actions
    assert rows(prod_db, catalog) == before and "pgcrypto" not in before[0][1]
    assert databases_like(prod_server, database) == [database]
    report = json.loads(next(tmp_path.glob("refresh-staging-*.json")).read_text())
    assert report["result"] == "failed" and report["swapped"] is False
    assert report["unclassified"] == ["public.customers.ssn", "public.customers.tier"]


def test_killed_refresh_leaves_staging_untouched_and_a_rerun_completes(
        refreshed, stack, inventory, database, tmp_path):
    staging = conninfo_of(stack, inventory, "staging")
    before = checksum(staging)
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(REPO / "playbooks" / "refresh_masked.yml"),
           "-e", json.dumps({"refresh_targets": "staging", "envops_report_dir": str(tmp_path),
                             # a killed run keeps the target's lock until its lease ends: the next run takes it over
                             "env_lock_lease_seconds": 30})]
    proc = subprocess.Popen(cmd, cwd=REPO, env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not databases_like(staging, "%s__refresh_" % database):
        time.sleep(0.02)
    crash(proc.pid)  # ansible-playbook, its workers and the module, inside the copy
    proc.wait()
    leftovers = databases_like(staging, "%s__refresh_" % database)
    assert leftovers, "killed while the scratch database existed"
    assert checksum(staging) == before

    run = refresh(inventory, "staging", tmp_path)

    assert run.rc == 0, run.stdout[-4000:]
    report = json.loads(sorted(tmp_path.glob("refresh-staging-*.json"))[-1].read_text())
    assert "dropped the leftover %s" % leftovers[0] in report["recovered"]
    assert databases_like(staging, "%s__" % database) == []
    assert rows(staging, "SELECT count(*) FROM customers")[0][0] == 1500
    dynamodb = client(stack, inventory, "staging", "dynamodb")
    for name in DYNAMODB_TABLES:
        live = live_table(stack, inventory, "staging", name)
        assert live.endswith(".r" + report["run_id"]) and family(dynamodb, "staging-" + name) == [live]


def source_side_leftovers(rds, scratch):
    """The run's scratch instance and snapshots in prod's account, with their tags."""
    found = [(db["DBInstanceIdentifier"], db["DBInstanceArn"]) for db in rds.describe_db_instances()["DBInstances"]]
    found += [(snap["DBSnapshotIdentifier"], snap["DBSnapshotArn"]) for snap in rds.describe_db_snapshots()["DBSnapshots"]]
    return dict((name, dict((tag["Key"], tag["Value"]) for tag in rds.list_tags_for_resource(ResourceName=arn)["TagList"]))
                for name, arn in found if name.startswith(scratch))


@pytest.mark.parametrize("moment", ["snapshot-taken", "scratch-instance-up"])
def test_killed_on_the_source_side_leaves_expiring_copies_that_the_reaper_removes(
        refreshed, stack, inventory, prod_instance, tmp_path, moment):
    staging = conninfo_of(stack, inventory, "staging")
    before = checksum(staging)
    run_id = "k" + secrets.token_hex(4)
    scratch = "envops-refresh-staging-" + run_id
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(REPO / "playbooks" / "refresh_masked.yml"),
           "-e", json.dumps({"refresh_targets": "staging", "envops_report_dir": str(tmp_path),
                             "refresh_masked_run_id": run_id, "env_lock_lease_seconds": 30})]
    proc = subprocess.Popen(cmd, cwd=REPO, env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    wanted = scratch if moment == "snapshot-taken" else "%s (instance)" % scratch

    def reached():
        if moment == "snapshot-taken":
            return scratch in [snap["DBSnapshotIdentifier"] for snap in prod_instance.describe_db_snapshots()["DBSnapshots"]]
        return scratch in [db["DBInstanceIdentifier"] for db in prod_instance.describe_db_instances()["DBInstances"]]

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and not reached():
        time.sleep(0.05)
    crash(proc.pid)
    proc.wait()
    assert reached(), "killed once %s existed" % wanted
    assert checksum(staging) == before, "the target keeps its data"
    leftovers = source_side_leftovers(prod_instance, scratch)
    assert leftovers and all(tags.get("purpose") == "masked-refresh" and tags.get("envops:expires-at", "") > "2026"
                             for tags in leftovers.values()), leftovers

    # no refresh runs again: the scheduled reaper removes them once their time is up, and only them
    run = run_playbook("expire_previews.yml", inventory, extra_vars={"expire_previews_now": "2100-01-01T00:00:00Z"})

    assert run.rc == 0, run.stdout[-4000:]
    assert source_side_leftovers(prod_instance, scratch) == {}
    assert "prod-postgres" in [db["DBInstanceIdentifier"] for db in prod_instance.describe_db_instances()["DBInstances"]]


# ------------------------------------------------------------------------------------------------------------
# recovery of a run killed between the two renames of the swap


@pytest.mark.parametrize("verified", [True, False], ids=["verified-copy-completes", "old-is-renamed-back"])
def test_recover_between_the_renames(admin, verified):
    name = "rcv_%s" % secrets.token_hex(3)
    scratch, old = masking_pg_refresh.names(name, "r1")
    try:
        for database, marker in ((scratch, "copy"), (old, "old")):
            target = recreate_database(admin, database)
            with psycopg.connect(target, autocommit=True) as connection:
                connection.execute("CREATE TABLE marker AS SELECT %s::text AS what", (marker,))
        if verified:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(sql.SQL("COMMENT ON DATABASE {} IS 'envops:verified:r1'").format(
                    sql.Identifier(scratch)))
        with psycopg.connect(admin, autocommit=True) as connection:
            done = masking_pg_refresh.recover(connection, name)
        assert rows(make_conninfo(admin, dbname=name), "SELECT what FROM marker") == [("copy" if verified else "old",)]
        assert databases_like(admin, name + "__") == []
        assert len(done) == 2, done
    finally:
        for database in (name, scratch, old):
            drop_database(admin, database)


def test_killed_during_the_dynamodb_copy_the_parameters_keep_the_live_tables_and_a_rerun_completes(
        refreshed, stack, inventory, tmp_path):
    dynamodb = client(stack, inventory, "staging", "dynamodb")
    live = dict((name, live_table(stack, inventory, "staging", name)) for name in DYNAMODB_TABLES)
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(REPO / "playbooks" / "refresh_masked.yml"),
           "-e", json.dumps({"refresh_targets": "staging", "envops_report_dir": str(tmp_path),
                             # a killed run keeps the target's lock until its lease ends: the next run takes it over
                             "env_lock_lease_seconds": 30})]
    proc = subprocess.Popen(cmd, cwd=REPO, env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    half_copies = []
    while time.monotonic() < deadline and not half_copies and proc.poll() is None:
        half_copies = [name for name in dynamodb.list_tables()["TableNames"]
                       if ".r" in name and name not in live.values()]
        time.sleep(0.1)
    crash(proc.pid)
    proc.wait()
    assert half_copies, "killed while a new table was being filled"
    assert dict((name, live_table(stack, inventory, "staging", name)) for name in DYNAMODB_TABLES) == live

    run = refresh(inventory, "staging", tmp_path)

    assert run.rc == 0, run.stdout[-4000:]
    report = json.loads(sorted(tmp_path.glob("refresh-staging-*.json"))[-1].read_text())
    recovered = [table for entry in report["dynamodb"] for table in entry["recovered"]]
    assert set(half_copies) <= set(recovered)
    for name in DYNAMODB_TABLES:
        now_live = live_table(stack, inventory, "staging", name)
        assert now_live.endswith(".r" + report["run_id"]) and family(dynamodb, "staging-" + name) == [now_live]
