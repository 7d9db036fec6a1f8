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
     "monitoring.alarms.api_p99_latency_ms", "warning_before_critical"),
    ("prod", "tags.env", "production", "tags.env", "matches_name"),
    ("prod", "logging.retention_days", 45, "logging.retention_days", "choices"),
    ("prod", "data.database.engine", "oracle", "data.database.engine", "choices"),
    ("prod", "data.buckets", [{"purpose": "assets", "name": "Assets_Bucket"}], "data.buckets[0].name", "pattern"),
    ("prod", "data.database.deletion_protection", False, "data.database.deletion_protection",
     "deletion_protection_live_data"),
    # accepted before, refused now: values the roles would ignore or AWS refuse later, and live data left unguarded
    ("prod", "isolation", "logical", "isolation", "complete_isolation_for_live_data"),
    ("prod", "storage.encrypted", False, "storage.encrypted", "encryption_always_on"),
    ("prod", "data", None, "data", "not_null"),
    ("prod", "dr.environment", "", "dr.environment", "pattern"),
    ("prod", "tags.owner", "   ", "tags.owner", "not_blank"),
    ("prod", "tags.cost_center", "", "tags.cost_center", "not_blank"),
    ("prod", "region", "me-south-9", "region", "region_exists"),
    ("prod", "region", "me-south-1\n", "region", "pattern"),
    ("prod", "tags.team", "x" * 257, "tags.team", "max_length"),
    ("prod", "maintenance_window", "sun:02:00-sun:02:20", "maintenance_window", "maintenance_window_length"),
    ("prod", "monitoring.alarms.rds_cpu_percent", {"warning": 90, "critical": 150},
     "monitoring.alarms.rds_cpu_percent.critical", "maximum"),
    ("prod", "compute.cpu", 0, "compute.cpu", "exclusive_minimum"),
    ("dev", "lifecycle", {"ephemeral": True, "expires_at": "2026-02-30T00:00Z"}, "lifecycle.expires_at", "valid_time"),
    ("prod", "data.buckets", [{"purpose": "assets", "name": "envops-shared"}, {"purpose": "exports", "name": "envops-shared"}],
     "data.buckets[1].name", "unique_bucket_name"),
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


def estate_inventory(tmp_path, moto_url, specs=None, accounts=None):
    """The five environments of the estate (real specs unless ``specs`` replaces some), each in a fresh account
    unless ``accounts`` names one."""
    specs, accounts = specs or {}, accounts or {}
    return write_inventory(tmp_path, moto_url, dict(
        (env, (specs.get(env), accounts.get(env) or fresh_account_id())) for env in ("dev", "test", "staging", "prod", "dr")))


def assert_refused(run, moto_url, env, field, rule):
    assert calls(moto_url)["total"] == 0, calls(moto_url)["by_action"]
    assert run.rc != 0
    message = "\n".join(run.failure_messages(env))
    assert "environment '%s': field '%s'" % (env, field) in message, message
    assert "(rule: %s)" % rule in message, message


def test_a_dev_spec_naming_prods_account_is_refused_under_limit_dev(tmp_path, moto_url):
    # dev is logically isolated: only prod's complete isolation forbids the sharing, and prod is not in the run
    prod_account = fresh_account_id()
    inventory = estate_inventory(tmp_path, moto_url, accounts={"prod": prod_account, "dev": prod_account})
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory, limit="dev")

    assert_refused(run, moto_url, "dev", "account.id", "own_account_when_complete")
    assert set(run.report["stats"]) == {"dev"}


@pytest.mark.parametrize("limit,field", [("staging", "type"), ("prod", "dr.environment"),
                                         ("dr", "standby_for.environment")])
def test_prod_naming_staging_as_its_dr_environment_refuses_each_of_them(tmp_path, moto_url, limit, field):
    inventory = estate_inventory(tmp_path, moto_url, specs={"prod": mutated("prod", "dr.environment", "staging")})
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory, limit=limit)

    assert_refused(run, moto_url, limit, field, "dr_pairing")


def test_a_bucket_name_of_another_environment_is_refused(tmp_path, moto_url):
    prod_account = fresh_account_id()
    staging = mutated("staging", "data.buckets", [{"purpose": "assets", "name": "envops-prod-%s-assets" % prod_account}])
    inventory = estate_inventory(tmp_path, moto_url, specs={"staging": staging}, accounts={"prod": prod_account})
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory, limit="staging")

    assert_refused(run, moto_url, "staging", "data.buckets[0].name", "unique_bucket_name")


def test_an_invalid_spec_of_another_environment_refuses_the_run_naming_it(tmp_path, moto_url):
    inventory = estate_inventory(tmp_path, moto_url, specs={"prod": mutated("prod", "network.az_count", "three")})
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory, limit="dev")

    assert_refused(run, moto_url, "dev", "(estate)", "estate_valid")
    message = "\n".join(run.failure_messages("dev"))
    assert "environment 'prod' of the inventory is invalid" in message, message
    assert "environment 'prod': field 'network.az_count'" in message and "(rule: type)" in message, message


@pytest.mark.parametrize("text", ["", "---\n", "envops_spec:\n", "---\nenvops_spec: null\n"],
                         ids=["empty", "document-only", "no-value", "null"])
def test_an_empty_or_null_spec_names_the_environment_field_and_rule(tmp_path, moto_url, text):
    inventory = write_inventory(tmp_path, moto_url, {"dev": (load_spec("dev"), fresh_account_id())})
    (inventory / "host_vars" / "dev" / "envops_spec.yml").write_text(text)
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory)

    assert_refused(run, moto_url, "dev", "(spec)", "required")


def test_a_spec_file_with_a_duplicate_key_is_refused(tmp_path, moto_url):
    # both values are valid: the second region would silently win and dev be built in another region
    inventory = write_inventory(tmp_path, moto_url, {"dev": (load_spec("dev"), fresh_account_id())})
    spec_file = inventory / "host_vars" / "dev" / "envops_spec.yml"
    text = spec_file.read_text()
    assert "  region: me-south-1\n" in text
    spec_file.write_text(text.replace("  region: me-south-1\n", "  region: me-south-1\n  region: eu-west-1\n"))
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory)

    assert calls(moto_url)["total"] == 0, calls(moto_url)["by_action"]
    assert run.rc != 0
    output = run.stdout + run.stderr
    assert "YAML parsing failed: Found duplicate mapping key 'region'" in output, output[-3000:]


@pytest.mark.parametrize("inventory", ["dev", "test", "staging", "prod", "dr", "local"])
def test_every_inventory_validates(inventory, stack):
    run = run_playbook("validate.yml", "inventories/%s" % inventory)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    hosts = run.report["stats"]
    assert set(hosts) == ({"dev", "test", "staging", "prod", "dr"} if inventory == "local" else {inventory})
    assert all(stats["failures"] == 0 for stats in hosts.values())


def test_a_wrong_botocore_retry_setting_is_refused_before_any_aws_call(tmp_path, moto_url):
    inventory = write_inventory(tmp_path, moto_url, {"dev": (load_spec("dev"), fresh_account_id())})
    (inventory / "host_vars" / "dev" / "aws_config.yml").write_text(
        "envops_aws_config:\n  retries:\n    mode: fastest\n")
    reset_calls(moto_url)

    run = run_playbook("provision.yml", inventory)

    assert calls(moto_url)["total"] == 0, calls(moto_url)["by_action"]
    assert run.rc != 0
    message = "\n".join(run.failure_messages("dev"))
    assert "envops_aws_config.retries.mode: 'fastest' is not one of legacy, standard, adaptive" in message, message
