"""Provisioning survives what real accounts answer under load: throttling in every protocol's words, and 5xx.

The faults come from the local stack's fault injection, with a fixed seed, on moto servers of this module's own (no
other test meets them). The environment is dev, provisioned with the tag `network`: with the keys and the lock,
which run whatever the tags, that is EC2, KMS and DynamoDB, the roles with the most calls (the keys' KMS calls are
where botocore's default 3 attempts gave up at 30 % throttling). A run under faults must make exactly the changes
of a clean run, leave the same resources (a create retried after a fault must not make a second one), and a re-run
under the same faults must change nothing.
"""

import contextlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import aws_client, moto_server_of_its_own, run_playbook
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


# name: (faults, seed) of the first run; the re-run meets the same faults
FAULTS = {"clean": None, "throttle-30pct": ("throttle", 0.3, 11), "5xx-10pct": ("5xx", 0.1, 12)}


def provision_under(tmp_path, moto_url, faults_of_run):
    """A fresh account provisioned, then provisioned again, under the faults: (first run, re-run, faults met by the
    first run, account)."""
    account = fresh_account_id()
    if faults_of_run:
        kind, rate, seed = faults_of_run
        set_faults(moto_url, rate=rate, kinds=[kind], seed=seed)
    try:
        inventory, first = provision(tmp_path, moto_url, account)
        met = faults(moto_url)["injected"]
        rerun = run_playbook("provision.yml", inventory, tags=TAGS)
    finally:
        clear_faults(moto_url)
    return first, rerun, met, account


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The three side by side, each on a moto server of its own (faults are per server): most of a run under faults
    is botocore's backoff, so together they take little more than the slowest."""
    with contextlib.ExitStack() as servers:
        urls = dict((name, servers.enter_context(moto_server_of_its_own())) for name in FAULTS)
        with ThreadPoolExecutor(len(FAULTS)) as pool:
            futures = dict((name, pool.submit(provision_under, tmp_path_factory.mktemp(name), urls[name],
                                              FAULTS[name])) for name in FAULTS)
            results = dict((name, future.result()) for name, future in futures.items())
        return dict((name, (first, rerun, met, resources(urls[name], account)))
                    for name, (first, rerun, met, account) in results.items())


def test_a_clean_provision_and_its_rerun(runs):
    first, rerun, met, _resources = runs["clean"]
    assert first.rc == 0, first.stdout[-5000:] + first.stderr[-2000:]
    assert met["total"] == 0 and first.changed_tasks(ENV)
    assert rerun.rc == 0 and rerun.changed_tasks(ENV) == []


@pytest.mark.parametrize("name", ["throttle-30pct", "5xx-10pct"])
def test_provision_under_faults_makes_the_clean_runs_changes_and_reruns_unchanged(runs, name):
    clean_run, _rerun, _met, clean_resources = runs["clean"]
    first, rerun, met, left = runs[name]
    assert first.rc == 0, first.stdout[-5000:] + first.stderr[-2000:]
    assert met["total"] >= 10, met  # the run really met faults, in KMS and EC2
    assert {"kms", "ec2"} <= {action.split(":")[0] for action in met["by_action"]}, met["by_action"]
    assert sorted(first.changed_tasks(ENV)) == sorted(clean_run.changed_tasks(ENV))
    assert left == clean_resources
    assert rerun.rc == 0, rerun.stdout[-5000:] + rerun.stderr[-2000:]
    assert rerun.changed_tasks(ENV) == []
