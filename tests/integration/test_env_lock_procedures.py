"""One run at a time per environment, through the real playbooks: two DR drills of prod started together. The second
waits for the lock the first holds, then fails naming it, before it has read or removed anything; the first drill's
scratch database is never dropped under it, and it passes. The lock is released at the end, so a third run gets it."""

import json
import subprocess
import time

import boto3
import pytest

from harness import REPO, VENV_BIN, run_playbook, tool_env
from tools.estate_database import database_conninfo, ensure_database
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset

SPEC = load_spec("prod")
SECRET = "local-moto-not-a-secret"
# the drill's PostgreSQL part only: the DynamoDB and S3 parts are the drill suite's
ONLY_POSTGRES = {"dr_drill_dynamodb": False, "dr_drill_s3": False, "drill_markers_dynamodb": False,
                 "drill_markers_s3": False}


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(5)


@pytest.fixture(scope="module")
def session(account):
    return boto3.session.Session(aws_access_key_id=account, aws_secret_access_key=SECRET, region_name=SPEC["region"])


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account, session):
    directory = write_inventory(tmp_path_factory.mktemp("locked"), stack["moto_url"], {"prod": (None, account)})
    kms = session.client("kms", endpoint_url=stack["moto_url"])
    for key_class in ("backups", "data"):
        kms.create_alias(AliasName="alias/envops/prod/%s" % key_class,
                         TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    session.client("s3", endpoint_url=stack["moto_url"]).create_bucket(
        Bucket="envops-prod-%s-backups" % account, CreateBucketConfiguration={"LocationConstraint": SPEC["region"]})
    ensure_database(stack["moto_url"], account, SPEC["region"], "prod")
    create_dataset(database_conninfo(stack["moto_url"], account, SPEC["region"], "prod", dbname="postgres"), "app",
                   2000, 3, seed=4)
    for playbook in ("drill_markers.yml", "backup.yml"):
        run = run_playbook(playbook, directory, extra_vars=ONLY_POSTGRES)
        assert run.rc == 0, run.stdout[-3000:]
    return directory


def lock_item(stack, session):
    dynamodb = session.client("dynamodb", endpoint_url=stack["moto_url"])
    try:
        return dynamodb.get_item(TableName="envops-locks", Key={"environment": {"S": "prod"}}).get("Item")
    except dynamodb.exceptions.ResourceNotFoundException:
        return None


def test_a_second_drill_waits_then_fails_naming_the_first_which_passes(inventory, stack, session, tmp_path):
    first_reports = tmp_path / "first"
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(REPO / "playbooks" / "dr_drill.yml"), "-e",
           json.dumps(dict(ONLY_POSTGRES, envops_report_dir=str(first_reports), dr_drill_id="first"))]
    first = subprocess.Popen(cmd, cwd=REPO, env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    deadline = time.monotonic() + 300
    while lock_item(stack, session) is None and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    holder = lock_item(stack, session)
    assert holder is not None, "the first drill took the lock"
    assert holder["procedure"]["S"] == "dr_drill"

    second = run_playbook("dr_drill.yml", inventory, extra_vars=dict(
        ONLY_POSTGRES, envops_report_dir=str(tmp_path / "second"), dr_drill_id="second", env_lock_wait_timeout=5))
    output = first.communicate(timeout=600)[0]

    assert second.rc != 0
    message = "\n".join(second.failure_messages("prod"))
    assert "environment prod is locked by %s (dr_drill)" % holder["owner"]["S"] in message, message
    assert second.stats("prod").get("changed", 0) == 0, "the second drill changed nothing"
    assert not (tmp_path / "second").exists(), "nor wrote a report"
    assert first.returncode == 0, output[-4000:]
    report = json.loads(next(first_reports.glob("dr-drill-prod-first.json")).read_text())
    assert report["overall"]["passed"] and report["validation"]["ok"], report
    assert lock_item(stack, session) is None, "the first drill released the lock"
