"""Bad environment specs stop provision.yml before any AWS call, naming environment, field and rule.

Every case runs the real playbook against the local moto server and reads moto's own call counter.
"""

import copy

import pytest

from harness import run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.stack.state import calls, reset_calls

DELETE = object()


def mutated(env, path, value):
    spec = copy.deepcopy(load_spec(env))
    *parents, leaf = path.split(".")
    node = spec
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return spec


# (environment, dotted field, new value, field named in the error, rule named in the error)
CASES = [
    ("prod", "network.vpc_cidr", DELETE, "network.vpc_cidr", "required"),
    ("prod", "network.vpc_cdir", "10.40.0.0/16", "network.vpc_cdir", "unknown_key"),
    ("prod", "network.az_count", "three", "network.az_count", "type"),
    ("prod", "network.vpc_cidr", "10.400.0.0/16", "network.vpc_cidr", "cidr_syntax"),
    ("prod", "network.vpc_cidr", "10.40.0.0/21", "network.tiers.app.prefix", "subnets_inside_vpc"),
    ("prod", "network.vpc_cidr", "52.95.0.0/16", "network.vpc_cidr", "private_range"),
    ("prod", "network.az_count", 1, "network.az_count", "multi_az_required"),
    ("prod", "storage.multi_az", False, "storage.multi_az", "multi_az_required"),
    ("prod", "backup.pitr", False, "backup.pitr", "pitr_for_rpo"),
    ("prod", "backup.retention_days", 0, "backup.retention_days", "retention_vs_rpo"),
    ("prod", "dr.region", "me-south-1", "dr.region", "dr_region_differs"),
    ("staging", "data_masking", False, "data_masking", "masking_required"),
    ("prod", "network.nat_mode", "single", "network.nat_mode", "nat_per_az_in_production"),
    ("prod", "account.ou", DELETE, "account.ou", "required"),
    ("prod", "waf.enabled", False, "waf.enabled", "waf_in_production"),
    ("prod", "monitoring.alarms.api_p99_latency_ms", {"warning": 500, "critical": 400},
     "monitoring.alarms.api_p99_latency_ms", "warning_below_critical"),
    ("prod", "tags.env", "production", "tags.env", "matches_name"),
    ("prod", "logging.retention_days", 45, "logging.retention_days", "choices"),
    ("prod", "data.database.engine", "oracle", "data.database.engine", "choices"),
    ("prod", "data.buckets", [{"purpose": "assets", "name": "Assets_Bucket"}], "data.buckets[0].name", "pattern"),
    ("prod", "data.database.deletion_protection", False, "data.database.deletion_protection",
     "deletion_protection_live_data"),
]


@pytest.fixture(scope="module")
def moto_url(private_moto):
    # a server of this module's own: its call counter sees only these runs (other modules run in parallel)
    return private_moto


@pytest.mark.parametrize("env,path,value,field,rule", CASES, ids=["%s-%s-%s" % (c[0], c[1], c[4]) for c in CASES])
def test_bad_spec_fails_before_any_aws_call(tmp_path, moto_url, env, path, value, field, rule):
    inventory = write_inventory(tmp_path, moto_url, {env: (mutated(env, path, value), fresh_account_id())})
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory)

    assert calls(moto_url)["total"] == 0, calls(moto_url)["by_action"]
    assert run.rc != 0
    message = "\n".join(run.failure_messages(env))
    assert "environment '%s': field '%s'" % (env, field) in message, message
    assert "(rule: %s)" % rule in message, message


def test_peer_overlap_is_caught_across_the_estate(tmp_path, moto_url):
    dr = mutated("dr", "network.vpc_cidr", "10.40.0.0/16")
    inventory = write_inventory(tmp_path, moto_url, {"prod": (None, fresh_account_id()),
                                                     "dr": (dr, fresh_account_id())})
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory)

    assert calls(moto_url)["total"] == 0
    assert run.rc != 0
    for env in ("prod", "dr"):
        assert "(rule: no_overlap_with_peers)" in "\n".join(run.failure_messages(env))


@pytest.mark.parametrize("inventory", ["dev", "test", "staging", "prod", "dr", "local"])
def test_every_inventory_validates(inventory, stack):
    run = run_playbook("validate.yml", "inventories/%s" % inventory)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    hosts = run.report["stats"]
    assert set(hosts) == ({"dev", "test", "staging", "prod", "dr"} if inventory == "local" else {inventory})
    assert all(stats["failures"] == 0 for stats in hosts.values())
