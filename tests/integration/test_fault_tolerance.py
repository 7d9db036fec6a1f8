"""Provisioning survives what real accounts answer under load: throttling in every protocol's words, and 5xx.

The faults come from the local stack's fault injection on a moto server of this module's own (no other test meets
them), with a fixed seed. The environment is dev, provisioned with the tag `network`: with the keys and the lock,
which run whatever the tags, that is EC2, KMS and DynamoDB, the roles with the most calls (the keys' KMS calls are
where botocore's default 3 attempts gave up at 30 % throttling). A run under faults must make exactly the changes
of a clean run, leave the same resources (a create retried after a fault must not make a second one), and a re-run
under the same faults must change nothing.
"""

import pytest

from harness import aws_client, run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.stack.state import clear_faults, faults, set_faults

ENV = "dev"
REGION = load_spec(ENV)["region"]
TAGS = "network"


def provision(tmp_path, moto_url, account):
    inventory = write_inventory(tmp_path, moto_url, {ENV: (None, account)})
    return inventory, run_playbook("provision.yml", inventory, tags=TAGS)


def resources(moto_url, account):
    """What provisioning leaves, counted: a duplicate made by a retried create shows here."""
    stack = {"moto_url": moto_url}
    ec2 = aws_client(stack, "ec2", account, REGION)
    kms = aws_client(stack, "kms", account, REGION)
    return {
        "vpcs": len(ec2.describe_vpcs()["Vpcs"]),
        "subnets": len(ec2.describe_subnets()["Subnets"]),
        "route_tables": len(ec2.describe_route_tables()["RouteTables"]),
        "internet_gateways": len(ec2.describe_internet_gateways()["InternetGateways"]),
        "nat_gateways": len([gateway for gateway in ec2.describe_nat_gateways()["NatGateways"]
                             if gateway["State"] != "deleted"]),
        "security_groups": len(ec2.describe_security_groups()["SecurityGroups"]),
        "kms_aliases": sorted(alias["AliasName"] for alias in kms.list_aliases()["Aliases"]
                              if alias["AliasName"].startswith("alias/envops/")),
        "kms_keys": len(kms.list_keys()["Keys"]),
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory, private_moto):
    account = fresh_account_id()
    _, run = provision(tmp_path_factory.mktemp("clean"), private_moto, account)
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run, resources(private_moto, account)


@pytest.mark.parametrize("kinds,rate,seed", [(["throttle"], 0.3, 11), (["5xx"], 0.1, 12)],
                         ids=["throttle-30pct", "5xx-10pct"])
def test_provision_under_faults_makes_the_clean_runs_changes_and_reruns_unchanged(tmp_path, private_moto, clean,
                                                                                  kinds, rate, seed):
    clean_run, clean_resources = clean
    account = fresh_account_id()
    set_faults(private_moto, rate=rate, kinds=kinds, seed=seed)
    try:
        inventory, run = provision(tmp_path, private_moto, account)
        injected = faults(private_moto)["injected"]
        rerun = run_playbook("provision.yml", inventory, tags=TAGS)
    finally:
        clear_faults(private_moto)

    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    assert injected["total"] >= 10, injected  # the run really met faults
    assert any(action.startswith("kms:") for action in injected["by_action"]), injected["by_action"]
    assert any(action.startswith("ec2:") for action in injected["by_action"]), injected["by_action"]
    assert sorted(run.changed_tasks(ENV)) == sorted(clean_run.changed_tasks(ENV))
    assert resources(private_moto, account) == clean_resources
    assert rerun.rc == 0, rerun.stdout[-5000:] + rerun.stderr[-2000:]
    assert rerun.changed_tasks(ENV) == []
