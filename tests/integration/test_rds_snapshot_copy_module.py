"""envops.aws.rds_snapshot_copy through ansible-playbook against the local stack; boto3 checks moto.

In a fresh fake account: an encrypted PostgreSQL instance and a manual snapshot of it (boto3). The module copies
the snapshot under another key (the masking key of a refresh) in check mode, for real and again; shares it and
changes its tags with --diff; refuses a copy under another key and bad input before any AWS call; copies to a
second Region by ARN (as a DR copy does); deletes the copies.
"""

import json
import subprocess

import pytest

from harness import VENV_BIN, PlaybookRun, REPO, aws_client, tool_env
from tools.local_inventory import fresh_account_id
from tools.stack.state import calls, reset_calls

REGION = "eu-west-1"
DR_REGION = "eu-central-1"
HOST = "localhost"
TASK = "Copy of the snapshot"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: %s
      envops.aws.rds_snapshot_copy:
        endpoint_url: "{{ moto_url }}"
        access_key: "{{ account }}"
        secret_key: local-moto-not-a-secret
        region: "{{ region | default('%s') }}"
        db_snapshot_identifier: "{{ copy }}"
        source_db_snapshot_identifier: "{{ source | default(omit) }}"
        kms_key_id: "{{ key | default(omit) }}"
        tags: "{{ tags | default(omit) }}"
        shared_accounts: "{{ shared | default(omit) }}"
        state: "{{ state | default('present') }}"
""" % (TASK, REGION)


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(4)


@pytest.fixture(scope="module")
def playbook(tmp_path_factory):
    directory = tmp_path_factory.mktemp("rds_snapshot_copy")
    (directory / "copy.yml").write_text(PLAYBOOK)
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n")
    return directory


def run_copy(playbook, moto_url, account, check=False, diff=False, **extra_vars):
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(playbook / "hosts.yml"), str(playbook / "copy.yml"),
           "-e", json.dumps(dict(extra_vars, moto_url=moto_url, account=account))]
    cmd += ["--check"] if check else []
    cmd += ["--diff"] if diff else []
    proc = subprocess.run(cmd, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=180, check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)


def result_of(run):
    return run.facts(HOST, TASK)


@pytest.fixture(scope="module")
def keys(stack, account):
    kms = aws_client(stack, "kms", account, REGION)
    data = kms.create_key()["KeyMetadata"]["Arn"]
    masking = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/envops/masking", TargetKeyId=masking)
    dr = aws_client(stack, "kms", account, DR_REGION).create_key()["KeyMetadata"]["Arn"]
    return {"data": data, "masking": masking, "dr": dr}


@pytest.fixture(scope="module")
def rds(stack, account, keys):
    client = aws_client(stack, "rds", account, REGION)
    client.create_db_instance(DBInstanceIdentifier="prod-postgres", Engine="postgres", EngineVersion="15.10",
                              DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="app_admin",
                              MasterUserPassword="not-used-locally-1", StorageEncrypted=True, KmsKeyId=keys["data"])
    client.create_db_snapshot(DBInstanceIdentifier="prod-postgres", DBSnapshotIdentifier="prod-source")
    return client


def manual_snapshots(rds):
    return sorted(s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"])


def copy(playbook, stack, account, **options):
    return run_copy(playbook, stack["moto_url"], account, **options)


MASKED = {"copy": "prod-masking", "source": "prod-source", "key": "alias/envops/masking",
          "tags": {"purpose": "masked-refresh"}}


def test_check_mode_copies_nothing(playbook, stack, account, rds):
    run = copy(playbook, stack, account, check=True, diff=True, **MASKED)
    assert run.rc == 0, run.stdout[-3000:]
    assert result_of(run)["changed"] is True
    assert manual_snapshots(rds) == ["prod-source"]


def test_copy_is_re_encrypted_with_the_given_key_and_idempotent(playbook, stack, account, rds, keys):
    first = copy(playbook, stack, account, **MASKED)
    assert first.rc == 0, first.stdout[-3000:]
    assert result_of(first)["changed"] is True
    (snapshot,) = rds.describe_db_snapshots(DBSnapshotIdentifier="prod-masking")["DBSnapshots"]
    assert snapshot["KmsKeyId"] == keys["masking"] and snapshot["Encrypted"] is True
    assert result_of(first)["snapshot"]["kms_key_id"] == keys["masking"]
    tags = rds.list_tags_for_resource(ResourceName=snapshot["DBSnapshotArn"])["TagList"]
    assert tags == [{"Key": "purpose", "Value": "masked-refresh"}]

    again = copy(playbook, stack, account, **MASKED)
    assert again.rc == 0 and result_of(again)["changed"] is False


def test_sharing_and_tags_change_in_place_with_a_diff(playbook, stack, account, rds):
    wanted = {**MASKED, "shared": ["123456789012"], "tags": {"purpose": "masked-refresh", "run": "r1"}}
    run = copy(playbook, stack, account, diff=True, **wanted)
    assert run.rc == 0, run.stdout[-3000:]
    result = result_of(run)
    assert result["changed"] is True and result["shared_accounts"] == ["123456789012"]
    assert result["diff"]["before"]["shared_accounts"] == [] and result["diff"]["after"]["tags"]["run"] == "r1"
    attributes = rds.describe_db_snapshot_attributes(DBSnapshotIdentifier="prod-masking")[
        "DBSnapshotAttributesResult"]["DBSnapshotAttributes"]
    assert {"AttributeName": "restore", "AttributeValues": ["123456789012"]} in attributes
    assert result_of(copy(playbook, stack, account, **wanted))["changed"] is False
    unshared = copy(playbook, stack, account, **{**wanted, "shared": []})
    assert result_of(unshared)["changed"] is True and result_of(unshared)["shared_accounts"] == []


def test_a_copy_under_another_key_is_refused(playbook, stack, account, rds, keys):
    run = copy(playbook, stack, account, **{**MASKED, "key": keys["data"]})
    assert run.rc != 0
    message = "\n".join(run.failure_messages(HOST))
    assert "a snapshot's key cannot change" in message and keys["masking"] in message, message


@pytest.mark.parametrize("options,expected", [
    ({"copy": "bad--name", "source": "prod-source"}, "db_snapshot_identifier 'bad--name'"),
    ({"copy": "prod-x"}, "source_db_snapshot_identifier is required"),
    ({"copy": "prod-x", "source": "arn:aws:rds:eu-west-1:12:snapshot:x"}, "is not a DB snapshot ARN"),
    ({"copy": "prod-x", "source": "prod-source", "shared": ["42"]}, "'42' is neither a 12-digit account id"),
], ids=["bad-name", "no-source", "bad-arn", "bad-account"])
def test_bad_input_is_refused_before_any_aws_call(playbook, private_moto, account, options, expected):
    reset_calls(private_moto)
    run = run_copy(playbook, private_moto, account, **options)
    assert run.rc != 0
    assert expected in "\n".join(run.failure_messages(HOST))
    assert calls(private_moto)["total"] == 0, calls(private_moto)["by_action"]


def test_cross_region_copy_by_arn_under_the_dr_key_then_delete(playbook, stack, account, rds, keys):
    source_arn = rds.describe_db_snapshots(DBSnapshotIdentifier="prod-source")["DBSnapshots"][0]["DBSnapshotArn"]
    run = copy(playbook, stack, account, region=DR_REGION, copy="prod-dr-copy", source=source_arn, key=keys["dr"])
    assert run.rc == 0, run.stdout[-3000:]
    dr = aws_client(stack, "rds", account, DR_REGION)
    (snapshot,) = dr.describe_db_snapshots(DBSnapshotIdentifier="prod-dr-copy")["DBSnapshots"]
    assert snapshot["KmsKeyId"] == keys["dr"]

    for region, name in ((DR_REGION, "prod-dr-copy"), (REGION, "prod-masking")):
        gone = copy(playbook, stack, account, region=region, copy=name, state="absent")
        assert gone.rc == 0 and result_of(gone)["changed"] is True
        assert result_of(copy(playbook, stack, account, region=region, copy=name, state="absent"))["changed"] is False
    assert manual_snapshots(rds) == ["prod-source"]
