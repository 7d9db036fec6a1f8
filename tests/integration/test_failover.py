"""playbooks/failover.yml on a local prod estate: the real prod spec (warm standby, DNS section) and the real dr spec,
each in a fresh account of its own on moto, each with its RDS instance (on the local stack a PostgreSQL server of its
own) reached through AWS. Check mode prints the plan and changes nothing; a failover loads prod's newest backup into
the DR environment's database (validated) from the DR account and makes the DR target PRIMARY; the standby's writes
go back to the primary with the failback (through the DR environment's backups bucket), which makes the primary
PRIMARY again. The failover and the failback run at 20 % throttling in both accounts (the stack's fault injection,
fixed seed, on a moto server of this module's own so no other test meets it)."""

import json

import boto3
import psycopg
import pytest

from harness import audit_records, calls_besides_the_audit, run_playbook
from tools.estate_database import database_conninfo, ensure_database
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset
from tools.stack.state import calls, clear_faults, faults, reset_calls, set_faults

SPEC = load_spec("prod")
DR_SPEC = load_spec("dr")
NAME = "%s.%s." % (SPEC["dns"]["record"], SPEC["dns"]["zone"])


@pytest.fixture(scope="module")
def stack(stack, private_moto):
    """The local stack with a moto server of this module's own: the faults injected here reach no other test."""
    return dict(stack, moto_url=private_moto)


def under_throttling(stack, seed, playbook, inventory, extra_vars):
    """The playbook run at 20 % throttling, and the faults it met."""
    set_faults(stack["moto_url"], rate=0.2, kinds=["throttle"], seed=seed)
    try:
        return run_playbook(playbook, inventory, limit="prod", extra_vars=extra_vars), \
            faults(stack["moto_url"])["injected"]
    finally:
        clear_faults(stack["moto_url"])


@pytest.fixture(scope="module")
def accounts():
    return {"prod": fresh_account_id(8), "dr": fresh_account_id(6)}


def session(account, region):
    return boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                                 region_name=region)


@pytest.fixture(scope="module")
def aws(stack, accounts):
    """aws(service) in prod's account and region, aws(service, "dr") in the DR environment's."""
    sessions = {"prod": session(accounts["prod"], SPEC["region"]), "dr": session(accounts["dr"], DR_SPEC["region"])}
    return lambda service, env="prod": sessions[env].client(service, endpoint_url=stack["moto_url"])


def conninfo(stack, accounts, env, dbname="app"):
    region = SPEC["region"] if env == "prod" else DR_SPEC["region"]
    return database_conninfo(stack["moto_url"], accounts[env], region, env, dbname=dbname)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, accounts, aws):
    """prod and dr as provisioning leaves their data tier (backups key and bucket, master secret, instance with the
    database app); prod's app holds 150 customers and a logical backup of them. The instances (running servers) are
    deleted at the end."""
    directory = write_inventory(tmp_path_factory.mktemp("failover"), stack["moto_url"],
                                {"prod": (None, accounts["prod"]), "dr": (None, accounts["dr"])})
    for env, spec in (("prod", SPEC), ("dr", DR_SPEC)):
        kms = aws("kms", env)
        kms.create_alias(AliasName="alias/envops/%s/backups" % env,
                         TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
        aws("s3", env).create_bucket(Bucket="envops-%s-%s-backups" % (env, accounts[env]),
                                     CreateBucketConfiguration={"LocationConstraint": spec["region"]})
        ensure_database(stack["moto_url"], accounts[env], spec["region"], env)
    create_dataset(conninfo(stack, accounts, "prod", "postgres"), "app", 150, 2, seed=11)
    run = run_playbook("backup.yml", directory, limit="prod")
    assert run.rc == 0, run.stdout[-3000:]
    yield directory
    for env in ("prod", "dr"):
        rds = aws("rds", env)
        for found in rds.describe_db_instances()["DBInstances"]:
            rds.delete_db_instance(DBInstanceIdentifier=found["DBInstanceIdentifier"], SkipFinalSnapshot=True)


def customers(info):
    with psycopg.connect(info, autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM public.customers").fetchone()[0]


def databases(info):
    with psycopg.connect(info, autocommit=True) as connection:
        return sorted(name for (name,) in connection.execute(
            "SELECT datname FROM pg_database WHERE NOT datistemplate").fetchall())


def primary_answer(aws):
    route53 = aws("route53")
    zones = [zone for zone in route53.list_hosted_zones()["HostedZones"] if zone["Name"] == SPEC["dns"]["zone"] + "."]
    if not zones:
        return None
    records = route53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
    answers = dict((r.get("Failover"), r["ResourceRecords"][0]["Value"]) for r in records if r["Name"] == NAME)
    return answers


def test_check_mode_prints_the_plan_against_the_rto_and_changes_nothing(inventory, stack, accounts, aws):
    run = run_playbook("failover.yml", inventory, limit="prod", check=True)
    assert run.rc == 0, run.stdout[-3000:]
    lines = run.facts("prod", "envops.aws.failover : Show the plan")["msg"]
    assert lines[0].startswith("failover (warm_standby): expected ")
    assert any("[restore] newest backup loaded" in line for line in lines)
    assert lines[-1] == "RTO target 4h 0m 0s: fits"
    # A failover always changes the standby's data and the records: the plan reports that one change; reading the
    # newest backup's manifest changes nothing
    assert run.changed_tasks("prod") == ["Show the plan"] and run.stats("prod")["changed"] == 1
    assert any("[cut over] records switched" in line for line in lines)
    assert primary_answer(aws) is None
    assert databases(conninfo(stack, accounts, "dr", "postgres")) == ["app", "postgres"]


def test_a_failover_without_the_confirmation_is_refused(inventory):
    run = run_playbook("failover.yml", inventory, limit="prod")
    assert run.rc != 0 and "failover_confirm=prod" in "\n".join(run.failure_messages("prod"))


def test_a_failover_without_the_dr_environment_in_the_inventory_is_refused_before_any_aws_call(
        tmp_path_factory, private_moto):
    account = fresh_account_id(8)  # its audit log holds this refusal only
    directory = write_inventory(tmp_path_factory.mktemp("no-dr"), private_moto, {"prod": (None, account)})
    reset_calls(private_moto)
    run = run_playbook("failover.yml", directory, limit="prod", extra_vars={"failover_confirm": "prod"})
    assert run.rc != 0
    messages = "\n".join(run.failure_messages("prod"))
    assert "its DR environment dr is not in the inventory" in messages, run.stdout[-3000:]
    assert calls_besides_the_audit(calls(private_moto)) == {}, calls(private_moto)["by_action"]
    (record,) = audit_records(private_moto, account, load_spec("prod")["region"], "prod", "failover")
    assert record["refused"] is True and any("is not in the inventory" in problem for problem in record["problems"])


def test_failover_then_failback(inventory, stack, accounts, aws, tmp_path):
    run, met = under_throttling(stack, 41, "failover.yml", inventory, {
        "failover_confirm": "prod", "failover_id": "f1", "envops_report_dir": str(tmp_path)})
    assert run.rc == 0, run.stdout[-4000:]
    assert met["total"] >= 3 and {"rds", "s3", "route53"} & {action.split(":")[0] for action in met["by_action"]}, met
    assert customers(conninfo(stack, accounts, "dr")) == 150, "the DR environment's database holds the newest backup"
    assert "app_old_f1" in databases(conninfo(stack, accounts, "dr", "postgres")), "its previous data is kept"
    assert customers(conninfo(stack, accounts, "prod")) == 150, "the primary is untouched"
    assert primary_answer(aws) == {"PRIMARY": SPEC["dns"]["standby_target"],
                                   "SECONDARY": SPEC["dns"]["primary_target"]}
    report = json.loads((tmp_path / "failover-prod-f1.json").read_text())
    assert report["validation"]["ok"] and report["database"] == {"live": "app", "kept_as": "app_old_f1"}
    phases = dict((row["phase"], row) for row in report["outcome"]["phases"])
    assert phases["restore"]["actual_s"] > 0 and phases["cut over"]["actual_s"] > 0
    assert phases["detect"]["actual_s"] is None and report["outcome"]["within_rto"]

    with psycopg.connect(conninfo(stack, accounts, "dr"), autocommit=True) as connection:  # writes during the outage
        connection.execute("DELETE FROM public.orders WHERE customer_id IN "
                           "(SELECT id FROM public.customers ORDER BY id LIMIT 4)")
        connection.execute("DELETE FROM public.customers WHERE id IN "
                           "(SELECT id FROM public.customers ORDER BY id LIMIT 4)")
    run, met = under_throttling(stack, 42, "failover.yml", inventory, {
        "failover_action": "failback", "failover_confirm": "prod", "failover_id": "b1",
        "envops_report_dir": str(tmp_path)})
    assert run.rc == 0, run.stdout[-4000:]
    assert met["total"] >= 3, met
    assert customers(conninfo(stack, accounts, "prod")) == 146, "the primary got the standby's writes"
    assert customers(conninfo(stack, accounts, "prod", "app_old_b1")) == 150, "and keeps its old data"
    assert primary_answer(aws) == {"PRIMARY": SPEC["dns"]["primary_target"],
                                   "SECONDARY": SPEC["dns"]["standby_target"]}
    report = json.loads((tmp_path / "failback-prod-b1.json").read_text())
    assert report["backup_id"] == "failback-b1" and report["validation"]["ok"]
    # the standby's backup is the DR environment's, in its own account's bucket
    keys = [item["Key"] for item in aws("s3", "dr").list_objects_v2(
        Bucket="envops-dr-%s-backups" % accounts["dr"], Prefix="postgres/app/failback-b1/")["Contents"]]
    assert "postgres/app/failback-b1/manifest.json" in keys
