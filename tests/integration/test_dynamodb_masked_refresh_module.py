"""envops.aws.dynamodb_masked_refresh through ansible-playbook against a moto server of this module's own: the source
client's botocore configuration (source.aws_config over the module's aws_config, as module_defaults gives it).

A valid source.aws_config (adaptive retries, more attempts, a timeout) is taken by the source client and the refresh
switches the parameter to a masked copy; a wrong one is refused naming its field before any AWS call."""

import json
import subprocess

import boto3
import pytest
import yaml

from harness import PlaybookRun, REPO, VENV_BIN, localhost_playbook, tool_env
from tools.local_inventory import fresh_account_id
from tools.masking_dataset import create_dynamodb_dataset, ensure_dynamodb_table
from tools.stack.state import calls
from tools.stack.state import reset_calls

REGION = "me-south-1"
HOST = "localhost"
TASK = "Refresh"
SECRET = "local-moto-not-a-secret"
ITEMS = 40
SOURCE_TABLE = "prod-product-feeds"
PARAMETER = "/it/dynamodb/product-feeds"
POLICY = {"dynamodb": yaml.safe_load((REPO / "inventories/prod/host_vars/prod/masking_policy.yml").read_text())[
    "envops_masking_policy"]["dynamodb"]}

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/envops.aws.aws:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ target_account }}"
      secret_key: %s
      region: %s
      aws_config:
        retries:
          mode: standard
          max_attempts: 10
  tasks:
    - name: %s
      envops.aws.dynamodb_masked_refresh:
        source:
          table_name: %s
          endpoint_url: "{{ moto_url }}"
          access_key: "{{ source_account }}"
          secret_key: %s
          aws_config: "{{ source_aws_config }}"
        base_name: it-product-feeds
        parameter_name: %s
        run_id: "{{ run_id }}"
        policy: "{{ policy }}"
        policy_table: product-feeds
        key: integration-masking-key-0123456789
        segments: 2
        writers: 2
""" % (SECRET, REGION, TASK, SOURCE_TABLE, SECRET, PARAMETER)


@pytest.fixture(scope="module")
def accounts():
    return {"source": fresh_account_id(4), "target": fresh_account_id(5)}


@pytest.fixture(scope="module")
def playbook(tmp_path_factory):
    return localhost_playbook(tmp_path_factory.mktemp("dynamodb_masked_refresh"), "refresh.yml", PLAYBOOK)


def client(service, moto_url, account):
    return boto3.client(service, endpoint_url=moto_url, region_name=REGION, aws_access_key_id=account,
                        aws_secret_access_key=SECRET)


@pytest.fixture(scope="module")
def source(private_moto, accounts):
    dynamodb = client("dynamodb", private_moto, accounts["source"])
    ensure_dynamodb_table(dynamodb, SOURCE_TABLE)
    create_dynamodb_dataset(dynamodb, SOURCE_TABLE, items=ITEMS, seed=5, customers=10)
    return SOURCE_TABLE


def refresh(playbook, private_moto, accounts, source_aws_config, run_id):
    variables = {"moto_url": private_moto, "source_account": accounts["source"], "target_account": accounts["target"],
                 "source_aws_config": source_aws_config, "run_id": run_id, "policy": POLICY}
    process = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "-i", str(playbook / "hosts.yml"), str(playbook / "refresh.yml"),
         "-e", json.dumps(variables)],
        cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=600, check=False)
    run = PlaybookRun(process.returncode, process.stdout, process.stderr)
    assert run.report, process.stdout[-3000:] + process.stderr[-3000:]
    return run.facts(HOST, TASK)


def test_the_source_client_takes_its_aws_config_and_the_refresh_switches(playbook, private_moto, accounts, source):
    config = {"retries": {"mode": "adaptive", "max_attempts": 20}, "connect_timeout": 5, "read_timeout": 30}
    result = refresh(playbook, private_moto, accounts, config, "1")
    assert not result.get("failed"), result.get("msg")
    assert result["changed"] and result["switch"]["new_table"] == "it-product-feeds.r1"
    ssm = client("ssm", private_moto, accounts["target"])
    assert ssm.get_parameter(Name=PARAMETER)["Parameter"]["Value"] == "it-product-feeds.r1"
    target = client("dynamodb", private_moto, accounts["target"])
    assert target.scan(TableName="it-product-feeds.r1", Select="COUNT")["Count"] == ITEMS


@pytest.mark.parametrize("config, problems", [
    ({"retries": {"mode": "fast", "max_attempts": 0}},
     ["source.aws_config.retries.mode: 'fast' is not one of legacy, standard, adaptive",
      "source.aws_config.retries.max_attempts: must be an integer from 1 to 50"]),
    ({"retry": {"mode": "adaptive"}}, ["source.aws_config: unknown botocore Config options retry"]),
    ({"retries": {"max_attempts": "many"}}, ["source.aws_config.retries.max_attempts: must be an integer from 1 to 50"]),
], ids=["mode-and-attempts", "unknown-option", "attempts-not-a-number"])
def test_a_wrong_source_aws_config_is_refused_before_any_aws_call(playbook, private_moto, accounts, source,
                                                                  config, problems):
    reset_calls(private_moto)
    result = refresh(playbook, private_moto, accounts, config, "2")
    assert result.get("failed") and result["msg"] == "; ".join(problems)
    assert calls(private_moto)["total"] == 0
