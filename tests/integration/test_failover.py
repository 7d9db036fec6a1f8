"""playbooks/failover.yml on a local prod estate: the real prod spec (warm standby, DNS section) in a fresh account on
moto, the primary's and the standby's databases on the real local PostgreSQL. Check mode prints the plan and changes
nothing; a failover loads the newest backup into the standby (validated) and makes the DR target PRIMARY; the
standby's writes go back to the primary with the failback, which makes the primary PRIMARY again."""

import json
import secrets

import boto3
import psycopg
import pytest

from harness import run_playbook, write_postgres_vars
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset, drop_database
from tools.stack.state import pg_dsn

SPEC = load_spec("prod")
NAME = "%s.%s." % (SPEC["dns"]["record"], SPEC["dns"]["zone"])


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(8)


@pytest.fixture(scope="module")
def database():
    return "f%s" % secrets.token_hex(3)


@pytest.fixture(scope="module")
def aws(stack, account):
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                                    region_name=SPEC["region"])
    return lambda service: session.client(service, endpoint_url=stack["moto_url"])


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account, aws, database):
    directory = write_inventory(tmp_path_factory.mktemp("failover"), stack["moto_url"], {"prod": (None, account)})
    write_postgres_vars(directory)
    kms = aws("kms")
    kms.create_alias(AliasName="alias/envops/prod/backups", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    aws("s3").create_bucket(Bucket="envops-prod-%s-backups" % account,
                            CreateBucketConfiguration={"LocationConstraint": SPEC["region"]})
    primary = "prod_%s" % database
    create_dataset(pg_dsn("postgres"), primary, 150, 2, seed=11)
    run = run_playbook("backup.yml", directory, extra_vars={"logical_backup_database": database})
    assert run.rc == 0, run.stdout[-3000:]
    yield directory
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as connection:
        names = [name for (name,) in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s OR datname LIKE %s",
            ("prod_%s%%" % database, "dr_%s%%" % database)).fetchall()]
    for name in names:
        drop_database(pg_dsn("postgres"), name)


def names(database, **extra):
    return dict(failover_primary_database="prod_%s" % database, failover_standby_database="dr_%s" % database,
                failover_backups_prefix="postgres/%s/" % database, **extra)


def customers(dbname):
    with psycopg.connect(pg_dsn(dbname), autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM public.customers").fetchone()[0]


def databases_like(pattern):
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as connection:
        return sorted(name for (name,) in connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (pattern,)).fetchall())


def primary_answer(aws):
    route53 = aws("route53")
    zones = [zone for zone in route53.list_hosted_zones()["HostedZones"] if zone["Name"] == SPEC["dns"]["zone"] + "."]
    if not zones:
        return None
    records = route53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
    answers = dict((r.get("Failover"), r["ResourceRecords"][0]["Value"]) for r in records if r["Name"] == NAME)
    return answers


def test_check_mode_prints_the_plan_against_the_rto_and_changes_nothing(inventory, database, aws):
    run = run_playbook("failover.yml", inventory, limit="prod", check=True, extra_vars=names(database))
    assert run.rc == 0, run.stdout[-3000:]
    lines = run.facts("prod", "envops.aws.failover : Show the plan")["msg"]
    assert lines[0].startswith("failover (warm_standby): expected ")
    assert any("[restore] newest backup loaded" in line for line in lines)
    assert lines[-1] == "RTO target 4h 0m 0s: fits"
    # A failover always changes the standby's data and the records: the plan reports that one change; reading the
    # newest backup's manifest changes nothing
    assert run.changed_tasks("prod") == ["Show the plan"] and run.stats("prod")["changed"] == 1
    assert any("[cut over] records switched" in line for line in lines)
    assert primary_answer(aws) is None and databases_like("dr_%s%%" % database) == []


def test_a_failover_without_the_confirmation_is_refused(inventory, database):
    run = run_playbook("failover.yml", inventory, limit="prod", extra_vars=names(database))
    assert run.rc != 0 and "failover_confirm=prod" in "\n".join(run.failure_messages("prod"))


def test_failover_then_failback(inventory, database, aws, tmp_path):
    run = run_playbook("failover.yml", inventory, limit="prod", extra_vars=names(
        database, failover_confirm="prod", failover_id="f1", failover_report_dir=str(tmp_path)))
    assert run.rc == 0, run.stdout[-4000:]
    assert customers("dr_%s" % database) == 150, "the standby holds the newest backup"
    assert primary_answer(aws) == {"PRIMARY": SPEC["dns"]["standby_target"],
                                   "SECONDARY": SPEC["dns"]["primary_target"]}
    report = json.loads((tmp_path / "failover-prod-f1.json").read_text())
    assert report["validation"]["ok"] and report["database"] == {"live": "dr_%s" % database, "kept_as": None}
    phases = dict((row["phase"], row) for row in report["outcome"]["phases"])
    assert phases["restore"]["actual_s"] > 0 and phases["cut over"]["actual_s"] > 0
    assert phases["detect"]["actual_s"] is None and report["outcome"]["within_rto"]

    with psycopg.connect(pg_dsn("dr_%s" % database), autocommit=True) as connection:  # writes during the outage
        connection.execute("DELETE FROM public.orders WHERE customer_id IN "
                           "(SELECT id FROM public.customers ORDER BY id LIMIT 4)")
        connection.execute("DELETE FROM public.customers WHERE id IN "
                           "(SELECT id FROM public.customers ORDER BY id LIMIT 4)")
    run = run_playbook("failover.yml", inventory, limit="prod", extra_vars=names(
        database, failover_action="failback", failover_confirm="prod", failover_id="b1",
        failover_report_dir=str(tmp_path)))
    assert run.rc == 0, run.stdout[-4000:]
    assert customers("prod_%s" % database) == 146, "the primary got the standby's writes"
    assert customers("prod_%s_old_b1" % database) == 150, "and keeps its old data"
    assert primary_answer(aws) == {"PRIMARY": SPEC["dns"]["primary_target"],
                                   "SECONDARY": SPEC["dns"]["standby_target"]}
    report = json.loads((tmp_path / "failback-prod-b1.json").read_text())
    assert report["backup_id"] == "failback-b1" and report["validation"]["ok"]
