"""playbooks/refresh_masked.yml against the local stack: moto for the key, the audit log and the flow refusals, the
real PostgreSQL for the data (a generated prod database of 1,500 customers and 4,500 orders).

Each test module run uses its own database name (the policy's ``database``), so the local estate's own
prod_app / staging_app are never touched: the databases are prod_<db>, staging_<db>, test_<db>.
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

from harness import REPO, VENV_BIN, run_playbook, tool_env
from tools.collection_path import import_collection
from tools.local_inventory import fresh_account_id, write_inventory
from tools.masking_dataset import create_dataset, drop_database, recreate_database
from tools.stack.state import calls, pg_dsn, read_state, reset_calls

masking_pg_refresh = import_collection("plugins.module_utils.masking_pg_refresh")

POLICY = yaml.safe_load((REPO / "inventories/prod/host_vars/prod/masking_policy.yml").read_text())[
    "envops_masking_policy"]
SECRET = "local-moto-not-a-secret"


@pytest.fixture(scope="module")
def database():
    return "t%s" % secrets.token_hex(3)


@pytest.fixture(scope="module")
def admin(stack):
    return pg_dsn("postgres")


@pytest.fixture(scope="module")
def prod_db(admin, database):
    create_dataset(admin, "prod_%s" % database, 1500, 3, seed=3)
    yield make_conninfo(admin, dbname="prod_%s" % database)
    for env in ("prod", "staging", "test"):
        with psycopg.connect(admin, autocommit=True) as connection:
            for (name,) in connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                              ("%s\\_%s%%" % (env, database),)).fetchall():
                drop_database(admin, name)


def accounts():
    return {name: fresh_account_id() for name in ("prod", "staging", "test", "dr")}


def inventory_for(tmp_path_factory, moto_url, database, name="inventory"):
    directory = write_inventory(tmp_path_factory.mktemp(name), moto_url,
                                {env: (None, account) for env, account in accounts().items()})
    policy = json.loads(json.dumps(POLICY))
    policy["postgresql"]["database"] = database
    (directory / "host_vars" / "prod" / "masking_policy.yml").write_text(
        yaml.safe_dump({"envops_masking_policy": policy}))
    (directory / "group_vars" / "all" / "local_postgres.yml").write_text(yaml.safe_dump(
        {"envops_local_postgres": read_state()}))
    return directory


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, database):
    return inventory_for(tmp_path_factory, stack["moto_url"], database)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("reports")


def refresh(inventory, targets, report_dir, **extra):
    return run_playbook("refresh_masked.yml", inventory,
                        extra_vars=dict(extra, refresh_targets=targets, refresh_masked_report_dir=str(report_dir)))


def rows(conninfo, query, params=None):
    with psycopg.connect(conninfo, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def checksum(conninfo):
    return rows(conninfo, "SELECT md5(string_agg(c::text, '' ORDER BY id)) FROM customers c")[0][0]


def databases_like(admin, prefix):
    return sorted(name for (name,) in rows(admin, "SELECT datname FROM pg_database WHERE datname LIKE %s",
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
# refused flows: before any AWS call


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
    assert calls(private_moto)["total"] == 0, calls(private_moto)["by_action"]


# ------------------------------------------------------------------------------------------------------------
# a refresh of staging and test


@pytest.fixture(scope="module")
def refreshed(inventory, prod_db, report_dir, admin, database):
    # staging holds older data first: the swap replaces it
    create_dataset(admin, "staging_%s" % database, 200, 1, seed=9)
    run = refresh(inventory, "staging,test", report_dir)
    assert run.rc == 0, run.stdout[-6000:] + run.stderr[-2000:]
    return run


def test_targets_hold_masked_data(refreshed, prod_db, admin, database):
    source_emails = {email for (email,) in rows(prod_db, "SELECT email FROM customers")}
    for env in ("staging", "test"):
        target = make_conninfo(admin, dbname="%s_%s" % (env, database))
        assert rows(target, "SELECT count(*) FROM customers")[0][0] == 1500
        assert rows(target, "SELECT count(*) FROM orders")[0][0] == 4500
        masked = {email for (email,) in rows(target, "SELECT email FROM customers")}
        assert not masked & source_emails
        assert all(email.endswith("@example.invalid") for email in masked)
        assert databases_like(admin, "%s_%s__" % (env, database)) == [], "no scratch database left"
    # the same key: the same masked emails in both targets
    staging, test = ("%s_%s" % (env, database) for env in ("staging", "test"))
    assert rows(make_conninfo(admin, dbname=staging), "SELECT email FROM customers ORDER BY id") == \
        rows(make_conninfo(admin, dbname=test), "SELECT email FROM customers ORDER BY id")


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
        refreshed, inventory, prod_db, admin, database, tmp_path):
    staging = make_conninfo(admin, dbname="staging_%s" % database)
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


def test_killed_refresh_leaves_staging_untouched_and_a_rerun_completes(
        refreshed, inventory, admin, database, tmp_path):
    staging = make_conninfo(admin, dbname="staging_%s" % database)
    before = checksum(staging)
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(REPO / "playbooks" / "refresh_masked.yml"),
           "-e", json.dumps({"refresh_targets": "staging", "refresh_masked_report_dir": str(tmp_path)})]
    proc = subprocess.Popen(cmd, cwd=REPO, env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not databases_like(admin, "staging_%s__refresh_" % database):
        time.sleep(0.2)
    time.sleep(0.5)  # inside the copy
    crash(proc.pid)  # ansible-playbook, its workers and the module
    proc.wait()
    leftovers = databases_like(admin, "staging_%s__refresh_" % database)
    assert leftovers, "killed while the scratch database existed"
    assert checksum(staging) == before

    run = refresh(inventory, "staging", tmp_path)

    assert run.rc == 0, run.stdout[-4000:]
    report = json.loads(sorted(tmp_path.glob("refresh-staging-*.json"))[-1].read_text())
    assert "dropped the leftover %s" % leftovers[0] in report["recovered"]
    assert databases_like(admin, "staging_%s__" % database) == []
    assert rows(staging, "SELECT count(*) FROM customers")[0][0] == 1500


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
