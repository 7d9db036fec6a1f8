"""envops.aws.rds_backup_replication through ansible-playbook against the local stack; boto3 checks moto.

In a fresh fake account: a KMS key in the prod Region (me-south-1) and one in the DR Region (eu-central-1), and an
encrypted PostgreSQL instance in me-south-1 keeping its automated backups 35 days. Then the replication of its
backups to eu-central-1: check mode on nothing, the real run, the no-op re-run, a retention change with --diff
(stop and start again), a key from the wrong Region refused before any call, and the stop.

moto 5.2.5 has no automated backup replication: the stack's `rds_automated_backups_replication` correction
(tools/stack/moto_corrections.py) implements it, and this test is skipped on a stack started without it.
"""

import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from harness import VENV_BIN, PlaybookRun, REPO, aws_client, tool_env
from tools.local_inventory import fresh_account_id

CORRECTION = "rds_automated_backups_replication"
PROD_REGION = "me-south-1"
DR_REGION = "eu-central-1"
DB_ID = "envops-it-orders"
HOST = "localhost"
TASK = "Replicate the prod backups to DR"

SETUP = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/amazon.aws.aws:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
  tasks:
    - name: Prod key
      amazon.aws.kms_key: {alias: rds-prod, region: %(prod)s, description: prod database}
      register: prod_key
    - name: DR key
      amazon.aws.kms_key: {alias: rds-dr, region: %(dr)s, description: DR copies of the prod backups}
    - name: Prod database
      amazon.aws.rds_instance:
        region: %(prod)s
        db_instance_identifier: %(db)s
        engine: postgres
        engine_version: "16.4"
        db_instance_class: db.t3.micro
        allocated_storage: 20
        username: orders_admin
        password: not-a-real-password-1
        storage_encrypted: true
        kms_key_id: "{{ prod_key.key_arn }}"
        backup_retention_period: 35
""" % {"prod": PROD_REGION, "dr": DR_REGION, "db": DB_ID}

REPLICATION = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    envops.aws.rds_backup_replication:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %(dr)s
  tasks:
    - name: %(task)s
      envops.aws.rds_backup_replication:
        source_db_instance_arn: "{{ source_arn }}"
        kms_key_id: "{{ key_arn }}"
        backup_retention_period: "{{ retention | default(14) }}"
        state: "{{ state | default('present') }}"
""" % {"dr": DR_REGION, "task": TASK}


@pytest.fixture(scope="module")
def corrected_stack(stack):
    if CORRECTION not in stack["corrections"]:
        pytest.skip(
            f"the local stack runs without the {CORRECTION} moto correction (moto 5.2.5 has no automated backup"
            " replication): restart it with `python -m tools.stack stop && python -m tools.stack start`"
        )
    return stack


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(4)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("rds_backup_replication")
    (directory / "setup.yml").write_text(SETUP)
    (directory / "replication.yml").write_text(REPLICATION)
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
    )
    return directory


@pytest.fixture(scope="module")
def play(workdir, corrected_stack, account):
    def run(playbook, check=False, diff=False, **extra_vars):
        cmd = [
            str(VENV_BIN / "ansible-playbook"),
            "-i",
            str(workdir / "hosts.yml"),
            str(workdir / playbook),
            "-e",
            json.dumps(dict(extra_vars, moto_url=corrected_stack["moto_url"], account=account)),
        ]
        cmd += ["--check"] if check else []
        cmd += ["--diff"] if diff else []
        proc = subprocess.run(cmd, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=180, check=False)
        return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="module")
def dr_rds(corrected_stack, account):
    return aws_client(corrected_stack, "rds", account, DR_REGION)


@pytest.fixture(scope="module")
def prod_rds(corrected_stack, account):
    return aws_client(corrected_stack, "rds", account, PROD_REGION)


@pytest.fixture(scope="module")
def source(play, prod_rds):
    run = play("setup.yml")
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return prod_rds.describe_db_instances(DBInstanceIdentifier=DB_ID)["DBInstances"][0]


@pytest.fixture(scope="module")
def keys(corrected_stack, account, source):
    def arn(region, alias):
        kms = aws_client(corrected_stack, "kms", account, region)
        return kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]

    return {"prod": arn(PROD_REGION, "alias/rds-prod"), "dr": arn(DR_REGION, "alias/rds-dr")}


@pytest.fixture(scope="module")
def replicate(play, source, keys):
    def run(check=False, diff=False, **extra_vars):
        extra_vars = dict({"source_arn": source["DBInstanceArn"], "key_arn": keys["dr"]}, **extra_vars)
        return play("replication.yml", check=check, diff=diff, **extra_vars)

    return run


def task_result(run):
    for play in run.report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == TASK:
                return task["hosts"][HOST]
    raise KeyError(TASK)


def replicated_backups(dr_rds, source):
    """What the DR Region holds for the source: ARN, status, retention and key of each replicated backup."""
    try:
        backups = dr_rds.describe_db_instance_automated_backups(DbiResourceId=source["DbiResourceId"])
    except ClientError as error:
        assert error.response["Error"]["Code"] == "DBInstanceAutomatedBackupNotFound"
        return []
    return [
        {
            "arn": item["DBInstanceAutomatedBackupsArn"],
            "status": item["Status"],
            "retention": item["BackupRetentionPeriod"],
            "kms_key_id": item.get("KmsKeyId"),
        }
        for item in backups["DBInstanceAutomatedBackups"]
        if item["DBInstanceArn"] == source["DBInstanceArn"]
    ]


def replications_listed_by(prod_rds):
    (instance,) = prod_rds.describe_db_instances(DBInstanceIdentifier=DB_ID)["DBInstances"]
    return [
        item["DBInstanceAutomatedBackupsArn"] for item in instance.get("DBInstanceAutomatedBackupsReplications", [])
    ]


@pytest.fixture(scope="module")
def runs(replicate):
    """Check mode on nothing, the real run, the re-run: in this order, each once."""
    check = replicate(check=True)
    return {"check": check, "first": replicate(), "second": replicate()}


def test_source_is_encrypted_with_35_days_of_backups(source):
    assert source["StorageEncrypted"] is True
    assert source["BackupRetentionPeriod"] == 35


def test_check_mode_starts_nothing(runs):
    check = runs["check"]
    assert check.rc == 0, check.stdout[-3000:]
    result = task_result(check)
    assert result["changed"] is True
    assert result["automated_backup"] == {}


def test_first_run_replicates_to_the_dr_region(runs, dr_rds, prod_rds, source, keys):
    first = runs["first"]
    assert first.rc == 0, first.stdout[-3000:] + first.stderr[-2000:]
    result = task_result(first)
    assert result["changed"] is True
    returned = result["automated_backup"]
    assert returned["status"] == "replicating"
    assert returned["region"] == PROD_REGION
    assert returned["db_instance_automated_backups_arn"].startswith(f"arn:aws:rds:{DR_REGION}:")
    # Nothing had been replicated before the real run: check mode started nothing.
    assert replicated_backups(dr_rds, source) == [
        {
            "arn": returned["db_instance_automated_backups_arn"],
            "status": "replicating",
            "retention": 14,
            "kms_key_id": keys["dr"],
        }
    ]
    assert replications_listed_by(prod_rds) == [returned["db_instance_automated_backups_arn"]]


def test_second_run_is_unchanged(runs):
    second = runs["second"]
    assert second.rc == 0, second.stdout[-3000:]
    assert task_result(second)["changed"] is False


@pytest.fixture(scope="module")
def retention_change(replicate, runs):
    return replicate(diff=True, retention=21), replicate(retention=21)


def test_retention_change_stops_and_starts_again(retention_change, dr_rds, prod_rds, source, keys):
    changed, again = retention_change
    assert changed.rc == 0, changed.stdout[-3000:] + changed.stderr[-2000:]
    result = task_result(changed)
    assert result["changed"] is True
    before, after = result["diff"]["before"], result["diff"]["after"]
    assert (before["backup_retention_period"], after["backup_retention_period"]) == (14, 21)
    assert {key: value for key, value in before.items() if key != "backup_retention_period"} == {
        "source_db_instance_arn": source["DBInstanceArn"],
        "destination_region": DR_REGION,
        "kms_key_id": keys["dr"],
    }
    assert task_result(again)["changed"] is False
    active = [backup for backup in replicated_backups(dr_rds, source) if backup["status"] == "replicating"]
    assert [backup["retention"] for backup in active] == [21]
    assert replications_listed_by(prod_rds) == [active[0]["arn"]]


@pytest.fixture(scope="module")
def wrong_region_key(replicate, keys, dr_rds, source, retention_change):
    before = replicated_backups(dr_rds, source)
    run = replicate(key_arn=keys["prod"], retention=7)
    return run, before, replicated_backups(dr_rds, source)


def test_key_of_the_source_region_is_refused_and_changes_nothing(wrong_region_key):
    # The main stack's call counter is shared with concurrent tests, so "before any call" is proven by the unit
    # tests (validate_params) and here only "no change"; the retention change would otherwise restart it.
    run, before, after = wrong_region_key
    assert run.rc != 0
    result = task_result(run)
    assert result["failed"] is True
    assert f"must be a key in the destination Region {DR_REGION}, not in {PROD_REGION}" in result["msg"]
    assert before == after


@pytest.fixture(scope="module")
def stop(replicate, wrong_region_key):
    check = replicate(check=True, state="absent")
    return check, replicate(diff=True, state="absent"), replicate(state="absent")


def test_absent_stops_the_replication_and_keeps_the_backups(stop, dr_rds, prod_rds, source):
    check, stopped, again = stop
    assert [task_result(run)["changed"] for run in stop] == [True, True, False], [run.stdout[-1500:] for run in stop]
    assert task_result(stopped)["diff"]["after"] == {}
    assert task_result(stopped)["diff"]["before"]["backup_retention_period"] == 21
    assert replications_listed_by(prod_rds) == []
    assert {backup["status"] for backup in replicated_backups(dr_rds, source)} == {"retained"}
