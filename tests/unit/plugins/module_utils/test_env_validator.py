# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.envops.aws.plugins.module_utils.env_validator import deep_merge
from ansible_collections.envops.aws.plugins.module_utils.env_validator import validate_environment

INVENTORIES = Path(__file__).resolve().parents[4] / "inventories"
ENVIRONMENTS = ("dev", "test", "staging", "prod", "dr")


def load_spec(name):
    path = INVENTORIES / name / "host_vars" / name / "envops_spec.yml"
    return yaml.safe_load(path.read_text())["envops_spec"]


def estate():
    return dict((name, {"spec": load_spec(name), "overrides": {}}) for name in ENVIRONMENTS)


def mutate(spec, path, value):
    """Set (or with value=DELETE remove) the dotted ``path`` of a copy of ``spec``."""
    spec = copy.deepcopy(spec)
    *parents, leaf = path.split(".")
    node = spec
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return spec


DELETE = object()


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_every_inventory_environment_is_valid(name):
    result = validate_environment(name, load_spec(name), {}, estate())
    assert result.ok, [str(p) for p in result.problems]
    assert len(result.subnet_plan) == 3 * result.spec["network"]["az_count"]


def test_defaults_are_applied():
    result = validate_environment("prod", load_spec("prod"))
    assert result.spec["network"]["max_azs"] == 4
    assert result.spec["network"]["db_port"] == 5432
    assert result.spec["recovery"]["drill_frequency"] == "quarterly"


def test_overrides_merge_recursively():
    result = validate_environment("prod", load_spec("prod"), {"account": {"id": "100000000004"}})
    assert result.ok
    assert result.spec["account"] == {
        "id": "100000000004", "ou": "Production", "email": "", "access_role": "OrganizationAccountAccessRole",
        "guardrails": {"deny_leave_organization": True, "protect_security_services": True,
                       "allowed_regions_only": True, "require_encryption": True, "deny_root": True},
        "budget": {"monthly_usd": 20000, "thresholds_percent": [50, 80, 100]}}


def test_deep_merge_replaces_lists_and_scalars():
    assert deep_merge({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"c": [2]}, "d": 2}) == {"a": {"b": 1, "c": [2]}, "d": 2}


# (environment to start from, dotted field, new value, expected field, expected rule)
MALFORMED = [
    ("prod", "network.vpc_cidr", DELETE, "network.vpc_cidr", "required"),
    ("prod", "network.vpc_cdir", "10.40.0.0/16", "network.vpc_cdir", "unknown_key"),
    ("prod", "network.az_count", "three", "network.az_count", "type"),
    ("prod", "network.vpc_cidr", "10.400.0.0/16", "network.vpc_cidr", "cidr_syntax"),
    ("prod", "network.vpc_cidr", "10.40.0.1/16", "network.vpc_cidr", "cidr_syntax"),
    ("prod", "network.vpc_cidr", "10.40.0.0/20", "network.tiers", "subnets_inside_vpc"),
    ("prod", "network.vpc_cidr", "8.8.0.0/16", "network.vpc_cidr", "private_range"),
    ("prod", "network.az_count", 1, "network.az_count", "multi_az_required"),
    ("prod", "storage.multi_az", False, "storage.multi_az", "multi_az_required"),
    ("prod", "backup.pitr", False, "backup.pitr", "pitr_for_rpo"),
    ("prod", "backup.retention_days", 0, "backup.retention_days", "retention_vs_rpo"),
    ("prod", "backup.vault_lock", {"min_retention_days": 36}, "backup.vault_lock.min_retention_days",
     "vault_lock_vs_retention"),
    ("prod", "backup.vault_lock", {"min_retention_days": 7, "max_retention_days": 30},
     "backup.vault_lock.max_retention_days", "vault_lock_vs_retention"),
    ("prod", "backup.vault_lock", {"min_retention_days": 7, "compliance_after_days": 1},
     "backup.vault_lock.compliance_after_days", "minimum"),
    ("prod", "dr.region", "me-south-1", "dr.region", "dr_region_differs"),
    ("dr", "standby_for.region", "eu-central-1", "standby_for.region", "dr_region_differs"),
    ("staging", "data_masking", False, "data_masking", "masking_required"),
    ("prod", "data_masking", True, "data_masking", "live_data_unmasked"),
    ("prod", "network.nat_mode", "per-az", "network.nat_mode", "choices"),
    ("prod", "network.nat_mode", "single", "network.nat_mode", "nat_per_az_in_production"),
    ("prod", "account.id", "12345", "account.id", "pattern"),
    ("prod", "waf.enabled", False, "waf.enabled", "waf_in_production"),
    ("prod", "compute.min_capacity", 30, "compute.min_capacity", "min_le_max"),
    ("prod", "monitoring.alarms.rds_cpu_percent", {"warning": 90, "critical": 85},
     "monitoring.alarms.rds_cpu_percent", "warning_before_critical"),
    ("prod", "monitoring.alarms.api_p99_latency_ms", {"warning": 500, "critical": 500},
     "monitoring.alarms.api_p99_latency_ms", "warning_before_critical"),
    ("staging", "monitoring.alarms.rds_free_storage_percent", {"warning": 5, "critical": 15},
     "monitoring.alarms.rds_free_storage_percent", "warning_before_critical"),
    ("prod", "monitoring.alarms.api_p50_latency_ms", {"warning": 100, "critical": 200},
     "monitoring.alarms.api_p50_latency_ms", "unknown_key"),
    ("prod", "tags.env", "production", "tags.env", "matches_name"),
    ("prod", "tags.owner", DELETE, "tags.owner", "required"),
    ("prod", "logging.retention_days", 45, "logging.retention_days", "choices"),
    ("prod", "maintenance_window", "sunday 02:00", "maintenance_window", "pattern"),
    ("prod", "storage.iops", DELETE, "storage.iops", "iops_required"),
    ("prod", "network.az_count", 5, "network.az_count", "az_count_le_max_azs"),
    ("prod", "dr", DELETE, "dr", "required"),
    ("dev", "backup.retention_days", 40, "backup.retention_days", "maximum"),
    ("dev", "compute.autoscaling", "no", "compute.autoscaling", "type"),
    ("prod", "data.database.engine", "mysql", "data.database.engine", "choices"),
    ("prod", "data.database.deletion_protection", False, "data.database.deletion_protection",
     "deletion_protection_live_data"),
    ("prod", "data.database.cross_region", "none", "data.database.cross_region", "dr_copy_in_production"),
    ("staging", "data.database.cross_region", "read_replica", "data.database.cross_region", "replication_needs_dr"),
    ("prod", "data.cache.replicas", 0, "data.cache.replicas", "cache_failover_in_production"),
    ("prod", "data.buckets", [{"purpose": "assets", "name": "Bad_Bucket"}], "data.buckets[0].name", "pattern"),
    ("prod", "data.buckets", [{"purpose": "assets"}, {"purpose": "assets"}], "data.buckets[1].purpose", "unique"),
    ("prod", "data.buckets", [{"purpose": "assets", "name": "b" * 62, "critical": True}], "data.buckets[0].name",
     "bucket_name"),
    ("staging", "data.buckets", [{"purpose": "assets", "critical": True}], "data.buckets[0].critical",
     "replication_needs_dr"),
    ("prod", "data.buckets", [{"purpose": "logs", "glacier_days": 90, "expire_days": 30}], "data.buckets[0].expire_days",
     "lifecycle_order"),
    ("prod", "data.dynamodb_tables", [{"name": "events", "hash_key": "id"}, {"name": "events", "hash_key": "id"}],
     "data.dynamodb_tables[1].name", "unique"),
    ("dev", "lifecycle.ephemeral", True, "lifecycle.expires_at", "required"),
    ("prod", "lifecycle", {"ephemeral": True, "expires_at": "2026-01-01T00:00Z"}, "lifecycle.ephemeral",
     "ephemeral_only_development"),
    ("dev", "lifecycle.expires_at", "2026-01-01T00:00Z", "lifecycle.expires_at", "expiry_only_ephemeral"),
    ("dev", "lifecycle.expires_at", "tomorrow", "lifecycle.expires_at", "pattern"),
    # values accepted before that AWS, the roles or the estate's safety would refuse later
    ("prod", "isolation", "logical", "isolation", "complete_isolation_for_live_data"),
    ("dr", "isolation", "partial", "isolation", "complete_isolation_for_live_data"),
    ("prod", "storage.encrypted", False, "storage.encrypted", "encryption_always_on"),
    ("dev", "storage.encrypted", False, "storage.encrypted", "encryption_always_on"),
    ("prod", "data", None, "data", "not_null"),
    ("prod", "monitoring", None, "monitoring", "not_null"),
    ("prod", "data", {}, "data.database", "database_with_live_data"),
    ("dr", "data.database", DELETE, "data.database", "database_with_live_data"),
    ("prod", "dr.environment", "", "dr.environment", "pattern"),
    ("prod", "dr.environment", DELETE, "dr.environment", "dr_environment_required"),
    ("prod", "tags.owner", "   ", "tags.owner", "not_blank"),
    ("prod", "tags.cost_center", "", "tags.cost_center", "not_blank"),
    ("prod", "tags.service", "\t", "tags.service", "not_blank"),
    ("prod", "account.ou", " ", "account.ou", "not_blank"),
    ("prod", "region", "eu-central-9", "region", "region_exists"),
    ("prod", "dr.region", "us-moon-1", "dr.region", "region_exists"),
    ("dr", "standby_for.region", "me-north-7", "standby_for.region", "region_exists"),
    ("prod", "region", "me-south-1\n", "region", "pattern"),
    ("prod", "name", "prod\n", "name", "pattern"),
    ("prod", "dr.region", "cn-north-1", "dr.region", "same_partition"),
    ("prod", "tags.team", "x" * 257, "tags.team", "max_length"),
    ("prod", "tags.owner", "x" * 257, "tags.owner", "max_length"),
    ("prod", "tags." + "k" * 129, "v", "tags." + "k" * 129, "pattern"),
    ("prod", "tags.aws:createdBy", "me", "tags.aws:createdBy", "pattern"),
    ("prod", "tags.team", 5, "tags.team", "type"),
    ("prod", "tags.team", "a;b", "tags.team", "pattern"),
    ("prod", "maintenance_window", "sun:02:00-sun:02:20", "maintenance_window", "maintenance_window_length"),
    ("prod", "maintenance_window", "sun:23:30-mon:00:10", "maintenance_window", "maintenance_window_length"),
    ("prod", "maintenance_window", "sun:02:00-sun:02:00", "maintenance_window", "maintenance_window_length"),
    ("prod", "maintenance_window", "mon:00:00-sun:00:00", "maintenance_window", "maintenance_window_length"),
    ("prod", "maintenance_window", "sun:02:00-sun:04:00\n", "maintenance_window", "pattern"),
    ("prod", "monitoring.alarms.rds_cpu_percent", {"warning": 90, "critical": 150},
     "monitoring.alarms.rds_cpu_percent.critical", "maximum"),
    ("prod", "monitoring.alarms.api_5xx_rate_percent", {"warning": 101, "critical": 102},
     "monitoring.alarms.api_5xx_rate_percent.warning", "maximum"),
    ("prod", "compute.cpu", 0, "compute.cpu", "exclusive_minimum"),
    ("dev", "compute.memory_gb", 0, "compute.memory_gb", "exclusive_minimum"),
    ("dev", "lifecycle", {"ephemeral": True, "expires_at": "2026-02-30T00:00Z"}, "lifecycle.expires_at", "valid_time"),
    ("dev", "lifecycle", {"ephemeral": True, "expires_at": "2026-12-01T24:00Z"}, "lifecycle.expires_at", "valid_time"),
    ("prod", "account.email", "root@localhost", "account.email", "pattern"),
    ("prod", "account.email", "root@example.com\n", "account.email", "pattern"),
    ("prod", "account.email", "r" * 60 + "@example.com", "account.email", "max_length"),
    ("prod", "data.kms_key_classes", ["logs", "backups"], "data.kms_key_classes", "data_key_required"),
    ("prod", "data.kms_key_classes", ["data", "data"], "data.kms_key_classes", "unique"),
    ("prod", "data.parameters", {"../../prod/app/x": "1"}, "data.parameters.../../prod/app/x", "pattern"),
    ("prod", "data.parameters", {"timeout": 30}, "data.parameters.timeout", "type"),
    ("prod", "data.dynamodb_tables", [{"name": "events", "hash_key": ""}], "data.dynamodb_tables[0].hash_key",
     "pattern"),
    ("prod", "data.cache.engine_version", "latest", "data.cache.engine_version", "pattern"),
    ("prod", "dns.primary_target", "not a host", "dns.primary_target", "pattern"),
    ("prod", "dns.health_check_path", "/health\nHost: x", "dns.health_check_path", "pattern"),
    ("prod", "data.buckets", [{"purpose": "assets", "name": "envops-shared"}, {"purpose": "exports", "name": "envops-shared"}],
     "data.buckets[1].name", "unique_bucket_name"),
    ("prod", "data.buckets", [{"purpose": "assets", "name": "envops-x", "critical": True},
                              {"purpose": "exports", "name": "envops-x-dr"}],
     "data.buckets[1].name", "unique_bucket_name"),
    ("prod", "network.peers", ["dr", "prod"], "network.peers", "peer_not_self"),
    ("prod", "backup.vault_lock", {"min_retention_days": 7, "compliance_after_days": 40000},
     "backup.vault_lock.compliance_after_days", "maximum"),
    ("prod", "waf.managed_rules", [""], "waf.managed_rules[0]", "pattern"),
    ("prod", "compute.instance_type", "", "compute.instance_type", "pattern"),
    ("prod", "storage.throughput_mibps", 500, "storage.throughput_mibps", "throughput_only_gp3"),
    ("prod", "tags", dict([("env", "prod"), ("service", "s"), ("owner", "o"), ("cost_center", "c"),
                           ("data_class", "restricted")] + [("t%d" % i, "v") for i in range(44)]), "tags", "tag_count"),
]


@pytest.mark.parametrize("env,path,value,field,rule", MALFORMED, ids=["%s:%s:%s" % (m[0], m[1], m[4]) for m in MALFORMED])
def test_malformed_spec_names_environment_field_and_rule(env, path, value, field, rule):
    spec = mutate(load_spec(env), path, value)
    result = validate_environment(env, spec, {}, estate())
    assert not result.ok
    found = [(p.env, p.field, p.rule) for p in result.problems]
    assert (env, field, rule) in found, found
    text = str([p for p in result.problems if p.rule == rule][0])
    assert "environment '%s'" % env in text and "field '%s'" % field in text and rule in text


def test_a_preview_tags_its_resources_with_its_expiry():
    spec = mutate(load_spec("dev"), "lifecycle", {"ephemeral": True, "expires_at": "2026-12-01T00:00Z"})
    result = validate_environment("dev", spec)
    assert result.ok, [str(p) for p in result.problems]
    assert result.spec["tags"]["expires_at"] == "2026-12-01T00:00Z"


def test_name_must_match_inventory_host():
    result = validate_environment("production", load_spec("prod"))
    assert [(p.field, p.rule) for p in result.problems] == [("name", "matches_inventory")]


def test_unknown_key_suggests_the_closest_field():
    result = validate_environment("prod", mutate(load_spec("prod"), "network.vpc_cdir", "10.40.0.0/16"))
    assert "did you mean 'vpc_cidr'" in [p for p in result.problems if p.rule == "unknown_key"][0].message


def test_overlap_with_a_peer_is_refused_but_not_with_non_peers():
    environments = estate()
    environments["dr"]["spec"] = mutate(environments["dr"]["spec"], "network.vpc_cidr", "10.40.0.0/16")
    result = validate_environment("prod", load_spec("prod"), {}, environments)
    assert [(p.field, p.rule) for p in result.problems] == [("network.vpc_cidr", "no_overlap_with_peers")]

    environments["dev"]["spec"] = mutate(environments["dev"]["spec"], "network.vpc_cidr", "10.30.0.0/16")
    assert validate_environment("staging", load_spec("staging"), {}, environments).ok


def test_complete_isolation_needs_its_own_account():
    environments = estate()
    environments["dev"]["overrides"] = {"account": {"id": load_spec("prod")["account"]["id"]}}
    result = validate_environment("prod", load_spec("prod"), {}, environments)
    assert [(p.field, p.rule) for p in result.problems] == [("account.id", "own_account_when_complete")]


def test_every_problem_is_reported_at_once():
    spec = mutate(mutate(load_spec("prod"), "network.az_count", 1), "waf.enabled", False)
    rules = set(p.rule for p in validate_environment("prod", spec).problems)
    assert {"multi_az_required", "waf_in_production"} <= rules


@pytest.mark.parametrize("spec", [None, {}], ids=["null", "empty"])
def test_a_missing_or_empty_spec_names_the_environment_and_the_rule(spec):
    problems = validate_environment("dev", spec).problems
    if spec is None:
        assert [str(p) for p in problems] == [
            "environment 'dev': field '(spec)': no environment spec: envops_spec is undefined, empty or null "
            "(rule: required)"]
    else:
        assert ("dev", "name", "required") in [(p.env, p.field, p.rule) for p in problems]


def test_maintenance_windows_of_exactly_the_minimum_pass_across_the_week():
    without_cache = mutate(load_spec("dev"), "data.cache", DELETE)
    assert validate_environment("dev", mutate(without_cache, "maintenance_window", "sun:23:45-mon:00:15")).ok
    assert validate_environment("dev", mutate(load_spec("dev"), "maintenance_window", "sun:23:30-mon:00:30")).ok
    assert validate_environment("dev", mutate(load_spec("dev"), "maintenance_window", "sat:23:00-sun:23:00")).ok


def test_an_rpo_longer_than_the_rto_is_a_valid_choice():
    # they measure different things: how much data may be lost, and how long the restore may take
    spec = mutate(mutate(load_spec("dev"), "recovery.rto_minutes", 60), "recovery.rpo_minutes", 1440)
    result = validate_environment("dev", spec, {}, estate())
    assert result.ok, [str(p) for p in result.problems]


def test_spec_that_is_not_a_mapping():
    result = validate_environment("prod", ["not", "a", "mapping"])
    assert [(p.field, p.rule) for p in result.problems] == [("(spec)", "type")]


def test_regions_are_refused_rather_than_unchecked_without_botocore(monkeypatch):
    from ansible_collections.envops.aws.plugins.module_utils import env_rules

    def no_botocore(region):
        raise ImportError("No module named 'botocore'")

    monkeypatch.setattr(env_rules, "partition_of", no_botocore)
    problems = validate_environment("dev", load_spec("dev")).problems
    assert [(p.field, p.rule) for p in problems] == [("region", "region_exists")]
