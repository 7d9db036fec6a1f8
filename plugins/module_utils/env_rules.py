# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-field rules of an environment spec.

Each rule takes a spec that already passed the schema (types are right,
defaults applied) and yields ``(field, rule, message)`` tuples.  Rules that
compare environments with each other take the whole estate.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.envops.aws.plugins.module_utils.env_schema import LIVE_DATA_TYPES
from ansible_collections.envops.aws.plugins.module_utils.env_schema import NON_PROD_TYPES

_RFC1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
_MINUTES_PER_DAY = 24 * 60


def env_tag_matches_name(spec):
    if spec["tags"]["env"] != spec["name"]:
        yield "tags.env", "matches_name", "tag env %r differs from the environment name %r" % (
            spec["tags"]["env"], spec["name"])


def vpc_cidr_range(spec):
    vpc = ipaddress.IPv4Network(spec["network"]["vpc_cidr"])
    if not any(vpc.subnet_of(private) for private in _RFC1918):
        yield "network.vpc_cidr", "private_range", "%s is not inside an RFC 1918 private range" % vpc
    if not 16 <= vpc.prefixlen <= 24:
        yield "network.vpc_cidr", "vpc_size", "a VPC must be /16 to /24 here, got /%d" % vpc.prefixlen


def multi_az_for_live_data(spec):
    if spec["type"] not in LIVE_DATA_TYPES:
        return
    if spec["network"]["az_count"] < 2:
        yield "network.az_count", "multi_az_required", "a %s environment needs at least 2 AZs, got %d" % (
            spec["type"], spec["network"]["az_count"])
    if not spec["storage"]["multi_az"]:
        yield "storage.multi_az", "multi_az_required", "a %s environment needs a multi-AZ database" % spec["type"]


def nat_per_az_in_production(spec):
    if spec["type"] == "production" and spec["network"]["nat_mode"] != "per_az":
        yield "network.nat_mode", "nat_per_az_in_production", (
            "production needs one NAT gateway per AZ (an AZ outage must not cut egress), got %r"
            % spec["network"]["nat_mode"])


def masking_outside_production(spec):
    masked = spec["data_masking"]
    if spec["type"] in NON_PROD_TYPES and not masked:
        yield "data_masking", "masking_required", (
            "a %s environment may only hold masked data (no PII outside production)" % spec["type"])
    if spec["type"] in LIVE_DATA_TYPES and masked:
        yield "data_masking", "live_data_unmasked", "a %s environment holds live data and is never masked" % spec["type"]


def backup_covers_rpo(spec):
    backup, rpo = spec["backup"], spec["recovery"]["rpo_minutes"]
    if backup["schedule"] == "none":
        if spec["type"] in LIVE_DATA_TYPES:
            yield "backup.schedule", "backups_required", "a %s environment must be backed up" % spec["type"]
        return
    if backup["retention_days"] < 1:
        yield "backup.retention_days", "retention_vs_rpo", "backups are scheduled but retention is 0 days"
    elif backup["retention_days"] * _MINUTES_PER_DAY < rpo:
        yield "backup.retention_days", "retention_vs_rpo", (
            "retention of %d days is shorter than the RPO of %d minutes" % (backup["retention_days"], rpo))
    interval = {"hourly": 60, "daily": _MINUTES_PER_DAY, "weekly": 7 * _MINUTES_PER_DAY}[backup["schedule"]]
    if rpo < interval and not backup["pitr"]:
        yield "backup.pitr", "pitr_for_rpo", (
            "an RPO of %d minutes needs point-in-time recovery: %s backups alone lose up to %d minutes"
            % (rpo, backup["schedule"], interval))


def vault_lock_fits_retention(spec):
    # a recovery point whose lifecycle breaks the vault's lock makes its backup job fail
    backup = spec["backup"]
    lock = backup.get("vault_lock")
    if not lock or backup["schedule"] == "none":
        return
    if backup["retention_days"] < lock["min_retention_days"]:
        yield "backup.vault_lock.min_retention_days", "vault_lock_vs_retention", (
            "the vault lock keeps recovery points at least %d days, but the plan deletes them after %d"
            % (lock["min_retention_days"], backup["retention_days"]))
    if lock.get("max_retention_days") is not None and backup["retention_days"] > lock["max_retention_days"]:
        yield "backup.vault_lock.max_retention_days", "vault_lock_vs_retention", (
            "the vault lock keeps recovery points at most %d days, but the plan keeps them %d"
            % (lock["max_retention_days"], backup["retention_days"]))
    if lock.get("max_retention_days") is not None and lock["min_retention_days"] > lock["max_retention_days"]:
        yield "backup.vault_lock", "vault_lock_range", "the vault lock's minimum retention is above its maximum"


def dr_region_differs(spec):
    if "dr" in spec and spec["dr"]["region"] == spec["region"]:
        yield "dr.region", "dr_region_differs", "DR region %r equals the primary region" % spec["region"]
    if "standby_for" in spec and spec["standby_for"]["region"] == spec["region"]:
        yield "standby_for.region", "dr_region_differs", (
            "a DR environment must run outside its primary's region %r" % spec["region"])
    if spec["type"] == "dr" and "standby_for" not in spec:
        yield "standby_for", "required", "a dr environment must name the primary it stands by for"
    if spec["type"] == "production" and "dr" not in spec:
        yield "dr", "required", "a production environment must declare its DR region and strategy"
    if "dns" in spec and "dr" not in spec:
        yield "dns", "needs_dr", "DNS failover needs a DR region and strategy (dr) to fail over to"


def waf_in_production(spec):
    if spec["type"] == "production" and not spec["waf"]["enabled"]:
        yield "waf.enabled", "waf_in_production", "production must be behind AWS WAF"


def capacity_bounds(spec):
    compute = spec["compute"]
    if compute["min_capacity"] > compute["max_capacity"]:
        yield "compute.min_capacity", "min_le_max", "min_capacity %d exceeds max_capacity %d" % (
            compute["min_capacity"], compute["max_capacity"])


def storage_iops(spec):
    storage = spec["storage"]
    if storage["type"] in ("io1", "io2") and "iops" not in storage:
        yield "storage.iops", "iops_required", "%s storage needs provisioned iops" % storage["type"]
    if storage["type"] == "gp2" and "iops" in storage:
        yield "storage.iops", "iops_not_settable", "gp2 storage does not take provisioned iops"


def alarm_thresholds_ordered(spec):
    for name, threshold in spec["monitoring"]["alarms"].items():
        if threshold["warning"] >= threshold["critical"]:
            yield "monitoring.alarms.%s" % name, "warning_below_critical", (
                "warning %s must be below critical %s" % (threshold["warning"], threshold["critical"]))


def az_slots(spec):
    network = spec["network"]
    if network["az_count"] > network["max_azs"]:
        yield "network.az_count", "az_count_le_max_azs", "az_count %d exceeds max_azs %d" % (
            network["az_count"], network["max_azs"])


def bucket_name(spec, purpose):
    """The bucket of ``purpose``: its explicit name, or envops-<env>-<account>-<purpose>."""
    for bucket in spec["data"]["buckets"]:
        if bucket["purpose"] == purpose:
            return bucket.get("name") or "envops-%s-%s-%s" % (spec["name"], spec["account"]["id"], purpose)
    raise KeyError(purpose)


def buckets_valid(spec):
    seen = set()
    for index, bucket in enumerate(spec["data"]["buckets"]):
        field = "data.buckets[%d]" % index
        if bucket["purpose"] in seen:
            yield field + ".purpose", "unique", "purpose %r is declared twice" % bucket["purpose"]
        seen.add(bucket["purpose"])
        name = bucket_name(spec, bucket["purpose"])
        if bucket["critical"] and len(name + "-dr") > 63:
            yield field + ".name", "bucket_name", "the DR replica %r is %d characters, S3 allows 63" % (
                name + "-dr", len(name + "-dr"))
        if bucket["critical"] and "dr" not in spec:
            yield field + ".critical", "replication_needs_dr", "a critical bucket replicates to the DR region, but no dr is set"
        if bucket.get("glacier_days") and bucket.get("expire_days") and bucket["expire_days"] <= bucket["glacier_days"]:
            yield field + ".expire_days", "lifecycle_order", "objects expire before they reach Glacier"


def tables_unique(spec):
    seen = set()
    for index, table in enumerate(spec["data"]["dynamodb_tables"]):
        if table["name"] in seen:
            yield "data.dynamodb_tables[%d].name" % index, "unique", "table %r is declared twice" % table["name"]
        seen.add(table["name"])


def database_protected_with_live_data(spec):
    database = spec["data"].get("database")
    if not database:
        return
    if spec["type"] in LIVE_DATA_TYPES and not database["deletion_protection"]:
        yield "data.database.deletion_protection", "deletion_protection_live_data", (
            "a %s database must have deletion protection" % spec["type"])
    if database["cross_region"] != "none" and "dr" not in spec:
        yield "data.database.cross_region", "replication_needs_dr", "cross-region copies need a dr region"
    if spec["type"] == "production" and database["cross_region"] == "none":
        yield "data.database.cross_region", "dr_copy_in_production", (
            "production data must reach the DR region (snapshot_copy or read_replica)")


def cache_failover_in_production(spec):
    cache = spec["data"].get("cache")
    if cache and spec["type"] == "production" and cache["replicas"] < 1:
        yield "data.cache.replicas", "cache_failover_in_production", (
            "production Redis needs a replica for Multi-AZ automatic failover")


def previews_expire(spec):
    lifecycle = spec["lifecycle"]
    if lifecycle["ephemeral"] and spec["type"] != "development":
        yield "lifecycle.ephemeral", "ephemeral_only_development", "only development previews may be ephemeral"
    if lifecycle["ephemeral"] and not lifecycle.get("expires_at"):
        yield "lifecycle.expires_at", "required", "an ephemeral preview needs an expiry time"
    if lifecycle.get("expires_at") and not lifecycle["ephemeral"]:
        yield "lifecycle.expires_at", "expiry_only_ephemeral", "only ephemeral previews expire"


SPEC_RULES = (env_tag_matches_name, vpc_cidr_range, multi_az_for_live_data, nat_per_az_in_production,
              masking_outside_production, backup_covers_rpo, vault_lock_fits_retention, dr_region_differs,
              waf_in_production, capacity_bounds, storage_iops, alarm_thresholds_ordered, az_slots, buckets_valid, tables_unique,
              database_protected_with_live_data, cache_failover_in_production, previews_expire)


def may_peer(a, b):
    """Environments may peer when either lists the other as a peer."""
    return b["name"] in a["network"]["peers"] or a["name"] in b["network"]["peers"]


def no_overlap_with_peers(spec, estate):
    own = ipaddress.IPv4Network(spec["network"]["vpc_cidr"])
    for other in estate:
        if other["name"] == spec["name"] or not may_peer(spec, other):
            continue
        theirs = ipaddress.IPv4Network(other["network"]["vpc_cidr"])
        if own.overlaps(theirs):
            yield "network.vpc_cidr", "no_overlap_with_peers", "%s overlaps %s of peer environment %r" % (
                own, theirs, other["name"])


def own_account_when_complete(spec, estate):
    if spec["isolation"] != "complete":
        return
    for other in estate:
        if other["name"] != spec["name"] and other["account"]["id"] == spec["account"]["id"]:
            yield "account.id", "own_account_when_complete", (
                "complete isolation needs a dedicated account, but %s shares %s" % (other["name"], spec["account"]["id"]))


ESTATE_RULES = (no_overlap_with_peers, own_account_when_complete)
