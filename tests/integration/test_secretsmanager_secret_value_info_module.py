"""secretsmanager_secret_value_info through a real playbook on a moto server of this module's own: a JSON secret read
as an object and never printed, a missing one failing or skipped as asked, a bad id refused before any AWS call."""

import json
import subprocess

import boto3
import pytest

from harness import PlaybookRun, VENV_BIN, localhost_playbook, tool_env
from tools.local_inventory import fresh_account_id
from tools.stack.state import calls, reset_calls

REGION = "eu-west-1"
SECRET = "local-moto-not-a-secret"
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - envops.aws.secretsmanager_secret_value_info:
        secret_id: "{{ secret_id }}"
        json: "{{ as_json | default(false) }}"
        on_missing: "{{ on_missing | default('error') }}"
        endpoint_url: "{{ moto_url }}"
        access_key: "{{ account }}"
        secret_key: %s
        region: %s
      register: read
      no_log: true
    - ansible.builtin.debug:
        msg: "{{ {'found': read.found, 'username': (read.value or {}).username | default(none)} }}"
""" % (SECRET, REGION)


@pytest.fixture(scope="module")
def playbook(tmp_path_factory):
    return localhost_playbook(tmp_path_factory.mktemp("secret_value"), "read.yml", PLAYBOOK)


@pytest.fixture(scope="module")
def account(private_moto):
    account = fresh_account_id(4)
    boto3.client("secretsmanager", endpoint_url=private_moto, region_name=REGION, aws_access_key_id=account,
                 aws_secret_access_key=SECRET).create_secret(
        Name="envops/it/database/master", SecretString=json.dumps({"username": "app", "password": "p4ss-w0rd-xyz"}))
    return account


def read(playbook, moto_url, account, **variables):
    proc = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "-i", str(playbook / "hosts.yml"), str(playbook / "read.yml"), "-e",
         json.dumps(dict(variables, moto_url=moto_url, account=account))],
        env=tool_env(), capture_output=True, text=True, timeout=300, check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)


def test_a_json_secret_is_read_and_never_printed(playbook, private_moto, account):
    run = read(playbook, private_moto, account, secret_id="envops/it/database/master", as_json=True)
    assert run.rc == 0, run.stdout[-3000:]
    assert run.facts("localhost", "ansible.builtin.debug")["msg"] == {"found": True, "username": "app"}
    assert "p4ss-w0rd-xyz" not in run.stdout + run.stderr


@pytest.mark.parametrize("on_missing,rc,found", [("error", 2, None), ("skip", 0, False)])
def test_a_missing_secret_fails_or_is_skipped_as_asked(playbook, private_moto, account, on_missing, rc, found):
    run = read(playbook, private_moto, account, secret_id="envops/it/nothing", on_missing=on_missing)
    assert run.rc == rc, run.stdout[-3000:]
    if found is not None:
        assert run.facts("localhost", "ansible.builtin.debug")["msg"]["found"] is found


def test_a_bad_secret_id_is_refused_before_any_aws_call(playbook, private_moto, account):
    reset_calls(private_moto)
    run = read(playbook, private_moto, account, secret_id="envops/it/x; rm -rf /")
    assert run.rc == 2
    assert calls(private_moto)["total"] == 0, calls(private_moto)["by_action"]
