"""envops.aws.rds_instance_storage through ansible-playbook against the local stack; boto3 checks moto.

In a fresh fake account: an encrypted PostgreSQL instance created by amazon.aws.rds_instance without storage
settings (200 GiB; moto makes it gp2). Then its storage: io2 with 3,000 IOPS in check mode, for real and again,
an autoscaling ceiling with --diff, a shrink refused before any change, and gp3 at 3,000 IOPS / 125 MiB/s (the
fixed gp3 performance of PostgreSQL below 400 GiB) with --diff, then again.

What moto 5.2.5 does with ModifyDBInstance storage (only the gp3 IOPS / throughput are corrected on the stack,
see tools/stack/moto_fix_rds.py rds_gp3_iops_and_throughput_reported):
- it stores and reports any StorageType, io2 as well as an invalid one, and the Iops given, without validation;
- it applies everything at once: no PendingModifiedValues, status always ``available``, ApplyImmediately ignored;
- it accepts a smaller AllocatedStorage (AWS cannot shrink storage) and then reports the creation size as
  MaxAllocatedStorage, as if storage autoscaling were on;
- it keeps the Iops of the earlier type after a change to gp2 (after a change to gp3 the correction reports
  gp3's baseline, as AWS does).
The module never sends gp3 IOPS or throughput below the threshold and ignores values that do not belong to the
type, so only the first two matter here; test_moto_storage_behaviour pins them.
"""

import json
import random
import subprocess

import pytest

from harness import VENV_BIN, PlaybookRun, REPO, aws_client, tool_env
from tools.local_inventory import fresh_account_id

REGION = "me-south-1"
DB_ID = "envops-it-storage"
HOST = "localhost"
TASK = "Storage of the database"

SETUP = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/amazon.aws.aws:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %(region)s
  tasks:
    - name: Database key
      amazon.aws.kms_key: {alias: rds-storage, description: database storage}
      register: key
    - name: Database without storage settings
      amazon.aws.rds_instance:
        db_instance_identifier: %(db)s
        engine: postgres
        engine_version: "16.4"
        db_instance_class: db.t3.micro
        allocated_storage: 200
        username: orders_admin
        password: not-a-real-password-1
        storage_encrypted: true
        kms_key_id: "{{ key.key_arn }}"
""" % {"region": REGION, "db": DB_ID}

STORAGE = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    envops.aws.rds_instance_storage:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %(region)s
  tasks:
    - name: %(task)s
      envops.aws.rds_instance_storage:
        db_instance_identifier: "{{ db | default('%(db)s') }}"
        storage_type: "{{ storage_type }}"
        allocated_storage: "{{ allocated | default(omit) }}"
        iops: "{{ iops | default(omit) }}"
        storage_throughput: "{{ throughput | default(omit) }}"
        max_allocated_storage: "{{ max_allocated | default(omit) }}"
""" % {"region": REGION, "task": TASK, "db": DB_ID}

IO2 = {"storage_type": "io2", "allocated": 200, "iops": 3000}
GP3 = {"storage_type": "gp3", "iops": 3000, "throughput": 125}


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(3)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("rds_instance_storage")
    (directory / "setup.yml").write_text(SETUP)
    (directory / "storage.yml").write_text(STORAGE)
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
    )
    return directory


@pytest.fixture(scope="module")
def play(workdir, stack, account):
    def run(playbook, check=False, diff=False, **extra_vars):
        cmd = [
            str(VENV_BIN / "ansible-playbook"),
            "-i",
            str(workdir / "hosts.yml"),
            str(workdir / playbook),
            "-e",
            json.dumps(dict(extra_vars, moto_url=stack["moto_url"], account=account)),
        ]
        cmd += ["--check"] if check else []
        cmd += ["--diff"] if diff else []
        proc = subprocess.run(cmd, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=180, check=False)
        return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="module")
def rds(stack, account):
    return aws_client(stack, "rds", account, REGION)


@pytest.fixture(scope="module")
def created(play, rds):
    run = play("setup.yml")
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return described(rds)


def described(rds, identifier=DB_ID):
    """The storage fields of DescribeDBInstances, as moto reports them."""
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
    fields = ("StorageType", "AllocatedStorage", "Iops", "StorageThroughput", "MaxAllocatedStorage")
    return {field: instance.get(field) for field in fields}


def task_result(run):
    for play in run.report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == TASK:
                return task["hosts"][HOST]
    raise KeyError(TASK)


def storage(play, check=False, diff=False, **extra_vars):
    """Run the module with the given options (storage_type, allocated, iops, throughput, max_allocated, db)."""
    return play("storage.yml", check=check, diff=diff, **extra_vars)


@pytest.fixture(scope="module")
def io2_runs(play, rds, created):
    """Check mode, the real run, the re-run: in this order, each once, with what moto holds after each."""
    runs = {}
    for name, check in (("check", True), ("first", False), ("second", False)):
        run = storage(play, check=check, **IO2)
        runs[name] = (run, described(rds))
    return runs


def test_the_database_is_created_without_storage_settings(created):
    assert created == {
        "StorageType": "gp2",
        "AllocatedStorage": 200,
        "Iops": None,
        "StorageThroughput": None,
        "MaxAllocatedStorage": None,
    }


def test_check_mode_modifies_nothing(io2_runs, created):
    run, after = io2_runs["check"]
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    result = task_result(run)
    assert result["changed"] is True
    assert result["storage"]["storage_type"] == "gp2"  # as it is before the change
    assert after == created


def test_first_run_sets_io2_with_provisioned_iops(io2_runs):
    run, after = io2_runs["first"]
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    result = task_result(run)
    assert result["changed"] is True
    assert result["storage"] == {
        "storage_type": "io2",
        "allocated_storage": 200,
        "iops": 3000,
        "storage_throughput": None,
        "max_allocated_storage": None,
    }
    assert result["pending"] == []
    assert after["StorageType"] == "io2"
    assert after["Iops"] == 3000
    assert after["AllocatedStorage"] == 200


def test_second_run_is_unchanged(io2_runs):
    run = io2_runs["second"][0]
    assert run.rc == 0, run.stdout[-3000:]
    assert task_result(run)["changed"] is False


@pytest.fixture(scope="module")
def autoscaling(play, rds, io2_runs):
    run = storage(play, diff=True, max_allocated=500, **IO2)
    return run, described(rds)


def test_autoscaling_ceiling_with_diff(autoscaling):
    run, after = autoscaling
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    result = task_result(run)
    assert result["changed"] is True
    before = {"storage_type": "io2", "allocated_storage": 200, "iops": 3000, "storage_throughput": None}
    assert result["diff"] == {
        "before": dict(before, max_allocated_storage=None),
        "after": dict(before, max_allocated_storage=500),
    }
    assert after["MaxAllocatedStorage"] == 500
    assert (after["StorageType"], after["Iops"]) == ("io2", 3000)


@pytest.fixture(scope="module")
def shrink(play, rds, autoscaling):
    before = described(rds)
    run = storage(play, storage_type="io2", allocated=100, iops=3000)
    return run, before, described(rds)


def test_shrink_is_refused_before_any_change(shrink):
    # moto would shrink (AWS cannot): the unchanged describe proves the module refused before ModifyDBInstance.
    run, before, after = shrink
    assert run.rc != 0
    result = task_result(run)
    assert result["failed"] is True
    assert result["msg"] == (
        f"AWS cannot shrink storage: allocated_storage 100 GiB is less than the current 200 GiB of {DB_ID}."
    )
    assert after == before


@pytest.fixture(scope="module")
def gp3_runs(play, rds, shrink):
    changed = storage(play, diff=True, **GP3)
    after = described(rds)
    return changed, after, storage(play, **GP3)


def test_gp3_with_its_fixed_performance(gp3_runs):
    changed, after = gp3_runs[:2]
    assert changed.rc == 0, changed.stdout[-3000:] + changed.stderr[-2000:]
    result = task_result(changed)
    assert result["changed"] is True
    diff = result["diff"]
    assert {key: (diff["before"][key], diff["after"][key]) for key in diff["before"]} == {
        "storage_type": ("io2", "gp3"),
        "allocated_storage": (200, 200),
        "iops": (3000, 3000),
        "storage_throughput": (None, 125),
        "max_allocated_storage": (500, 500),
    }
    assert result["storage"] == diff["after"]
    # Below 400 GiB AWS refuses explicit gp3 IOPS or throughput for PostgreSQL: only the type was sent, and the
    # instance reports gp3's baseline
    assert after["StorageType"] == "gp3"
    assert (after["Iops"], after["StorageThroughput"]) == (3000, 125)


def test_gp3_again_is_unchanged(gp3_runs):
    again = gp3_runs[2]
    assert again.rc == 0, again.stdout[-3000:]
    assert task_result(again)["changed"] is False


def test_missing_instance_fails_clearly(play, created):
    run = storage(play, db="envops-it-nothing", **IO2)
    assert run.rc != 0
    assert task_result(run)["msg"] == f"DB instance envops-it-nothing not found in {REGION}."


def test_moto_storage_behaviour(rds, created):
    """What moto does with ModifyDBInstance storage, on an instance of its own: see the module docstring."""
    identifier = f"envops-it-moto-{random.randrange(10**6)}"
    rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=200,
        MasterUsername="probe",
        MasterUserPassword="not-a-real-password-1",
    )
    try:
        answer = rds.modify_db_instance(
            DBInstanceIdentifier=identifier, StorageType="io2", Iops=3000, ApplyImmediately=False
        )["DBInstance"]
        assert (answer["StorageType"], answer["Iops"], answer.get("PendingModifiedValues")) == ("io2", 3000, None)
        assert described(rds, identifier)["StorageType"] == "io2"  # applied at once despite ApplyImmediately=False

        rds.modify_db_instance(DBInstanceIdentifier=identifier, AllocatedStorage=100, ApplyImmediately=True)
        shrunk = described(rds, identifier)
        assert (shrunk["AllocatedStorage"], shrunk["MaxAllocatedStorage"]) == (100, 200)  # AWS refuses a shrink
    finally:
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
