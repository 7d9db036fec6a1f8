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
import re

from ansible_collections.envops.aws.plugins.module_utils.aws_regions import partition_of
from ansible_collections.envops.aws.plugins.module_utils.env_schema import LIVE_DATA_TYPES
from ansible_collections.envops.aws.plugins.module_utils.env_schema import NON_PROD_TYPES
from ansible_collections.envops.aws.plugins.module_utils.expiry import parse_utc
from ansible_collections.envops.aws.plugins.module_utils.observability_plan import ALARMS

_RFC1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
_MINUTES_PER_DAY = 24 * 60
_MINUTES_PER_WEEK = 7 * _MINUTES_PER_DAY
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ISOLATION_RANK = {"logical": 0, "partial": 1, "complete": 2}
_DATA_CLASS_RANK = {"public": 0, "internal": 1, "confidential": 2, "restricted": 3}
# RDS takes a maintenance window of at least 30 minutes, ElastiCache of at least 60; neither more than 24 hours
_WINDOW_MINUTES_RDS = 30
_WINDOW_MINUTES_CACHE = 60
# AWS allows 50 tags per resource; the roles add Name and purpose to the spec's tags
_MAX_SPEC_TAGS = 48


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


def regions_exist(spec):
    regions = [("region", spec["region"])]
    if "dr" in spec:
        regions.append(("dr.region", spec["dr"]["region"]))
    if "standby_for" in spec:
        regions.append(("standby_for.region", spec["standby_for"]["region"]))
    try:
        partition_of(spec["region"])
    except ImportError:
        yield "region", "region_exists", "botocore (with boto3, which every AWS module needs) is not installed: the " \
                                         "regions cannot be checked"
        return
    for field, region in regions:
        if partition_of(region) is None:
            yield field, "region_exists", "AWS has no region %r (botocore's partitions list the regions)" % region
    # replication, snapshot copies and failover records do not cross partitions (aws, aws-cn, aws-us-gov...)
    for field, region in regions[1:]:
        if None not in (partition_of(region), partition_of(spec["region"])) and (
                partition_of(region) != partition_of(spec["region"])):
            yield field, "same_partition", "%s is in partition %s, the primary region %s in %s" % (
                region, partition_of(region), spec["region"], partition_of(spec["region"]))


def complete_isolation_for_live_data(spec):
    if spec["type"] in LIVE_DATA_TYPES and spec["isolation"] != "complete":
        yield "isolation", "complete_isolation_for_live_data", (
            "a %s environment holds live data and needs complete isolation (its own account), got %r"
            % (spec["type"], spec["isolation"]))


def dr_environment_named(spec):
    # the failover restores into the DR environment: without one named, it has no target
    if "dr" not in spec or spec["dr"].get("environment"):
        return
    if spec["type"] == "production":
        yield "dr.environment", "dr_environment_required", (
            "production must name its DR environment (the environment of type dr that stands by for it)")
    elif "dns" in spec:
        yield "dr.environment", "dr_environment_required", (
            "DNS failover needs the DR environment to fail over to")


def database_with_live_data(spec):
    # the DR copy, the failover and deletion protection all hang off the database: leaving it out (or data: {})
    # would switch them off unnoticed
    if spec["type"] in LIVE_DATA_TYPES and "database" not in spec["data"]:
        yield "data.database", "database_with_live_data", "a %s environment must declare its database" % spec["type"]


def encryption_always_on(spec):
    if not spec["storage"]["encrypted"]:
        yield "storage.encrypted", "encryption_always_on", (
            "storage is always encrypted with the environment's data key: false would be ignored, so it is refused")


def kms_data_key(spec):
    classes = spec["data"]["kms_key_classes"]
    if "data" not in classes:
        yield "data.kms_key_classes", "data_key_required", (
            "the database, buckets, tables and cache are encrypted with the 'data' key: the list must hold it")
    if len(set(classes)) != len(classes):
        yield "data.kms_key_classes", "unique", "a key class is listed twice"


def window_minutes(window):
    """Length in minutes of a ddd:hh:mm-ddd:hh:mm window (one that ends before it starts wraps over the week)."""
    def minute_of_week(point):
        day, hour, minute = point.split(":")
        return _WEEKDAYS.index(day) * _MINUTES_PER_DAY + int(hour) * 60 + int(minute)
    start, end = window.split("-")
    return (minute_of_week(end) - minute_of_week(start)) % _MINUTES_PER_WEEK


def maintenance_window_length(spec):
    minutes = window_minutes(spec["maintenance_window"])
    cache = bool(spec["data"].get("cache"))
    needed = _WINDOW_MINUTES_CACHE if cache else _WINDOW_MINUTES_RDS
    if minutes < needed:
        yield "maintenance_window", "maintenance_window_length", "%d minutes: %s" % (
            minutes, "ElastiCache (data.cache) needs at least 60" if cache else "RDS needs at least 30")
    elif minutes > _MINUTES_PER_DAY:
        yield "maintenance_window", "maintenance_window_length", "%d minutes: at most 24 hours" % minutes


def expiry_is_a_date(spec):
    expires_at = spec["lifecycle"].get("expires_at")
    if expires_at is None:
        return
    try:
        parse_utc(expires_at)
    except ValueError as exc:
        yield "lifecycle.expires_at", "valid_time", "%r is no UTC time: %s" % (expires_at, exc)


def tag_count(spec):
    if len(spec["tags"]) > _MAX_SPEC_TAGS:
        yield "tags", "tag_count", "%d tags: AWS allows 50 per resource and the roles add Name and purpose, so at " \
                                   "most %d" % (len(spec["tags"]), _MAX_SPEC_TAGS)


def peers_named(spec):
    if spec["name"] in spec["network"]["peers"]:
        yield "network.peers", "peer_not_self", "an environment does not peer with itself"


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
    if storage["type"] != "gp3" and "throughput_mibps" in storage:
        yield "storage.throughput_mibps", "throughput_only_gp3", (
            "only gp3 storage takes a provisioned throughput, not %s" % storage["type"])


def _worse(key, a, b):
    """Whether threshold ``a`` of alarm ``key`` is worse (further into trouble) than ``b``."""
    return a < b if ALARMS[key]["direction"] == "below" else a > b


def alarm_thresholds_ordered(spec):
    for name, threshold in spec["monitoring"]["alarms"].items():
        if not _worse(name, threshold["critical"], threshold["warning"]):
            relation = "above" if ALARMS[name]["direction"] == "below" else "below"
            yield "monitoring.alarms.%s" % name, "warning_before_critical", (
                "warning %s must be %s critical %s (%s)" % (
                    threshold["warning"], relation, threshold["critical"], ALARMS[name]["doc"]))


def _has_resource(spec, resource):
    if resource == "load_balancer":
        return True  # every environment serves its API through its ALB
    if resource == "database":
        return "database" in spec["data"]
    if resource == "cache":
        return "cache" in spec["data"]
    if resource == "tables":
        return bool(spec["data"]["dynamodb_tables"])
    return spec["network"]["nat_mode"] != "none"


def alarms_watch_existing_resources(spec):
    # an alarm on a resource the environment does not have would sit in INSUFFICIENT_DATA forever
    for name in sorted(spec["monitoring"]["alarms"]):
        resource = ALARMS[name]["resource"]
        if not _has_resource(spec, resource):
            yield "monitoring.alarms.%s" % name, "alarm_resource_exists", (
                "the environment has no %s to watch" % resource.replace("_", " "))


_SUBSCRIPTION_ENDPOINTS = {
    "email": (r"^[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$", "an e-mail address"),
    "email-json": (r"^[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$", "an e-mail address"),
    "sms": (r"^\+[1-9][0-9]{6,14}$", "an E.164 phone number (+ and 7-15 digits)"),
    "https": (r"^https://[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?(/[A-Za-z0-9._~/%?=&+:@!$'()*,;-]*)?$", "an https:// URL"),
    "sqs": (r"^arn:aws(-[a-z]+)*:sqs:[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9]{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$",
            "an SQS queue ARN"),
    "lambda": (r"^arn:aws(-[a-z]+)*:lambda:[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}"
               r"(:[A-Za-z0-9_$-]{1,128})?$", "a Lambda function ARN"),
}


def notification_endpoints(spec):
    for severity, subscriptions in sorted(spec["monitoring"]["notifications"].items()):
        seen = set()
        for index, subscription in enumerate(subscriptions):
            field = "monitoring.notifications.%s[%d].endpoint" % (severity, index)
            pattern, what = _SUBSCRIPTION_ENDPOINTS[subscription["protocol"]]
            # the endpoint may be an on-call address: the message names its protocol, never the value
            if not re.fullmatch(pattern, subscription["endpoint"]):
                yield field, "subscription_endpoint", "a %s subscription needs %s" % (subscription["protocol"], what)
            key = (subscription["protocol"], subscription["endpoint"])
            if key in seen:
                yield field, "unique_subscription", "the same %s subscription is listed twice" % (
                    subscription["protocol"])
            seen.add(key)


def health_check_timeout(spec):
    check = spec["edge"]["health_check"]
    if check["timeout_seconds"] >= check["interval_seconds"]:
        yield "edge.health_check.timeout_seconds", "timeout_below_interval", (
            "timeout %d s must be below the interval %d s" % (check["timeout_seconds"], check["interval_seconds"]))


def certificate_in_region(spec):
    arn = spec["edge"].get("certificate_arn")
    if arn and arn.split(":")[3] != spec["region"]:
        # ACM certificates are regional: an ALB only takes one from its own region
        yield "edge.certificate_arn", "certificate_in_region", (
            "the certificate is in %s, the environment in %s" % (arn.split(":")[3], spec["region"]))


def waf_lists(spec):
    waf = spec["waf"]
    for group in sorted(waf["rule_overrides"]):
        if group not in waf["managed_rules"]:
            yield "waf.rule_overrides.%s" % group, "override_of_used_group", (
                "%s is not in waf.managed_rules" % group)
    for field in ("managed_rules", "geo_block", "ip_allow", "ip_deny", "redacted_headers"):
        if len(set(waf[field])) != len(waf[field]):
            yield "waf.%s" % field, "unique", "an entry is listed twice"
    networks = {}
    for field in ("ip_allow", "ip_deny"):
        for index, cidr in enumerate(waf[field]):
            try:
                networks[(field, index)] = ipaddress.IPv4Network(cidr, strict=True)
            except ValueError as exc:
                yield "waf.%s[%d]" % (field, index), "cidr_syntax", "%r is not a network CIDR: %s" % (cidr, exc)
    for (field, index), network in sorted(networks.items()):
        if field != "ip_deny":
            continue
        for (other_field, other_index), other in sorted(networks.items()):
            if other_field == "ip_allow" and network.overlaps(other):
                yield "waf.ip_deny[%d]" % index, "allow_deny_disjoint", (
                    "%s overlaps ip_allow[%d] %s (allow is evaluated first)" % (network, other_index, other))


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


def bucket_names(spec):
    """Every S3 bucket name the spec creates, DR replicas included: (field, name)."""
    for index, bucket in enumerate(spec["data"]["buckets"]):
        name = bucket.get("name") or "envops-%s-%s-%s" % (spec["name"], spec["account"]["id"], bucket["purpose"])
        yield "data.buckets[%d].name" % index, name
        if bucket["critical"] and "dr" in spec:
            yield "data.buckets[%d].name" % index, name + "-dr"


def buckets_valid(spec):
    seen = set()
    for index, bucket in enumerate(spec["data"]["buckets"]):
        field = "data.buckets[%d]" % index
        if bucket["purpose"] in seen:
            yield field + ".purpose", "unique", "purpose %r is declared twice" % bucket["purpose"]
            continue
        seen.add(bucket["purpose"])
        name = bucket_name(spec, bucket["purpose"])
        if bucket["critical"] and len(name + "-dr") > 63:
            yield field + ".name", "bucket_name", "the DR replica %r is %d characters, S3 allows 63" % (
                name + "-dr", len(name + "-dr"))
        if bucket["critical"] and "dr" not in spec:
            yield field + ".critical", "replication_needs_dr", "a critical bucket replicates to the DR region, but no dr is set"
        if bucket.get("glacier_days") and bucket.get("expire_days") and bucket["expire_days"] <= bucket["glacier_days"]:
            yield field + ".expire_days", "lifecycle_order", "objects expire before they reach Glacier"
    names = {}
    for field, name in bucket_names(spec):
        if name in names and names[name] != field:
            yield field, "unique_bucket_name", "bucket %r is also the name of %s" % (name, names[name])
        names.setdefault(name, field)


# ModifyLoadBalancerAttributes writes a test object and refuses a bucket whose default encryption is not SSE-S3
ALB_LOGS_PURPOSE = "alb-logs"


def s3_managed_only_for_access_logs(spec):
    for index, bucket in enumerate(spec["data"]["buckets"]):
        if bucket["encryption"] != "s3_managed":
            continue
        field = "data.buckets[%d].encryption" % index
        if bucket["purpose"] != ALB_LOGS_PURPOSE:
            yield field, "s3_managed_only_for_access_logs", (
                "s3_managed encryption is allowed only on the bucket of purpose %r, which AWS requires for load "
                "balancer access logs; bucket %r must be encrypted with the data key (kms)" % (
                    ALB_LOGS_PURPOSE, bucket["purpose"]))
        elif bucket["critical"]:
            yield "data.buckets[%d].critical" % index, "s3_managed_only_for_access_logs", (
                "an s3_managed bucket cannot be critical: DR replication is built for objects under the data key "
                "(replicas re-encrypted with the DR region's data key); set critical: false on the access logs "
                "bucket")


def alb_logs_bucket(spec):
    buckets = spec["data"]["buckets"]
    logs = [b for b in buckets if b["purpose"] == ALB_LOGS_PURPOSE]
    if not logs:
        yield "data.buckets", "alb_logs_bucket", (
            "every environment has a load balancer, and AWS delivers its access logs only to a bucket with "
            "S3-managed encryption: declare {purpose: %s, encryption: s3_managed}" % ALB_LOGS_PURPOSE)
    elif logs[0]["encryption"] != "s3_managed":
        yield "data.buckets[%d].encryption" % buckets.index(logs[0]), "alb_logs_bucket", (
            "AWS delivers load balancer access logs only to a bucket with S3-managed encryption: the %s bucket "
            "must be encryption: s3_managed, not %s" % (ALB_LOGS_PURPOSE, logs[0]["encryption"]))


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


def budget_thresholds(spec):
    # two alerts at one threshold send the same mail twice; unordered ones read as a typo of the other
    budget = spec["account"].get("budget")
    if not budget:
        return
    thresholds = budget["thresholds_percent"]
    if not thresholds:
        yield "account.budget.thresholds_percent", "not_empty", "a budget alerts at one threshold at least"
    elif len(set(thresholds)) != len(thresholds):
        yield "account.budget.thresholds_percent", "unique", "a threshold is listed twice: %s" % thresholds
    elif thresholds != sorted(thresholds):
        yield "account.budget.thresholds_percent", "ascending", "thresholds must ascend: %s" % thresholds


SPEC_RULES = (env_tag_matches_name, vpc_cidr_range, multi_az_for_live_data, nat_per_az_in_production,
              masking_outside_production, backup_covers_rpo, vault_lock_fits_retention, dr_region_differs,
              regions_exist, complete_isolation_for_live_data, dr_environment_named, database_with_live_data,
              encryption_always_on, kms_data_key, maintenance_window_length, expiry_is_a_date, tag_count, peers_named,
              waf_in_production, capacity_bounds, storage_iops, alarm_thresholds_ordered, az_slots, buckets_valid,
              tables_unique, database_protected_with_live_data, cache_failover_in_production, previews_expire,
              budget_thresholds, alarms_watch_existing_resources, notification_endpoints, health_check_timeout,
              certificate_in_region, waf_lists, s3_managed_only_for_access_logs, alb_logs_bucket)


# Estate rules: each takes the spec it reports on and one other environment of the estate, and yields problems of
# the first one's fields. The validator runs every rule over every ordered pair, so a rule that binds two
# environments refuses the run of either, whichever host --limit selects.


def may_peer(a, b):
    """Environments may peer when either lists the other as a peer."""
    return b["name"] in a["network"]["peers"] or a["name"] in b["network"]["peers"]


def no_overlap_with_peers(spec, other):
    if not may_peer(spec, other):
        return
    own = ipaddress.IPv4Network(spec["network"]["vpc_cidr"])
    theirs = ipaddress.IPv4Network(other["network"]["vpc_cidr"])
    if own.overlaps(theirs):
        yield "network.vpc_cidr", "no_overlap_with_peers", "%s overlaps %s of peer environment %r" % (
            own, theirs, other["name"])


def own_account_when_complete(spec, other):
    # either side's complete isolation forbids the sharing: a dev spec naming prod's account sends dev's calls there
    if other["account"]["id"] != spec["account"]["id"]:
        return
    if spec["isolation"] == "complete":
        yield "account.id", "own_account_when_complete", (
            "complete isolation needs a dedicated account, but %s shares %s" % (other["name"], spec["account"]["id"]))
    elif other["isolation"] == "complete":
        yield "account.id", "own_account_when_complete", (
            "%s is the account of %s, whose complete isolation needs it dedicated" % (
                spec["account"]["id"], other["name"]))


def live_ou_not_shared(spec, other):
    # an OU's guardrails are the union of its environments' needs: a shared OU ties production's guardrails to
    # what a development account needs, and lets a policy change made for one reach the other
    if spec["account"]["ou"] != other["account"]["ou"]:
        return
    live, other_live = spec["type"] in LIVE_DATA_TYPES, other["type"] in LIVE_DATA_TYPES
    if live and not other_live:
        yield "account.ou", "live_ou_not_shared", (
            "the OU %r of a %s environment is shared with %s (%s)" % (
                spec["account"]["ou"], spec["type"], other["name"], other["type"]))
    elif other_live and not live:
        yield "account.ou", "live_ou_not_shared", (
            "%r is the OU of %s (%s): a %s environment needs an OU of its own class" % (
                spec["account"]["ou"], other["name"], other["type"], spec["type"]))


def account_email_unique(spec, other):
    email = spec["account"]["email"]
    if email and email.lower() == other["account"]["email"].lower() and other["account"]["id"] != spec["account"]["id"]:
        yield "account.email", "account_email_unique", (
            "%s is also the root e-mail of account %s (%s): AWS gives each account its own" % (
                email, other["account"]["id"], other["name"]))


def _dr_link_checks(primary, standby):
    """(side, field, rule, message) of a primary and the environment linked to it as its standby."""
    p, d = primary["name"], standby["name"]
    named = primary.get("dr", {}).get("environment")
    stands_for = standby.get("standby_for", {}).get("environment")
    if named != d:
        yield "primary", "dr.environment", "dr_pairing", "%s stands by for this environment, but dr.environment is %r" % (
            d, named)
        yield "standby", "standby_for.environment", "dr_pairing", "%s names %r as its DR environment, not this one" % (
            p, named)
    if stands_for != p:
        yield "primary", "dr.environment", "dr_pairing", "%s stands by for %r, not for this environment" % (d, stands_for)
        yield "standby", "standby_for.environment", "dr_pairing", (
            "%s names this environment as its DR environment: standby_for.environment must be %r, got %r"
            % (p, p, stands_for))
    if primary["type"] != "production":
        yield "primary", "type", "dr_pairing", "%s (type dr) stands by for production only, this is %s" % (
            d, primary["type"])
        yield "standby", "standby_for.environment", "dr_pairing", (
            "%s is a %s environment: a DR environment stands by for production only" % (p, primary["type"]))
    if standby["type"] != "dr":
        yield "primary", "dr.environment", "dr_pairing", (
            "%s is a %s environment: the DR environment must be of type dr (a failover copies this environment's "
            "unmasked live data into it)" % (d, standby["type"]))
        yield "standby", "type", "dr_pairing", (
            "%s names it as its DR environment (a failover copies %s's unmasked live data here), but it is %s, not dr"
            % (p, p, standby["type"]))
    if "standby_for" in standby and standby["standby_for"]["region"] != primary["region"]:
        yield "primary", "region", "dr_pairing", "%s expects its primary in %s (standby_for.region)" % (
            d, standby["standby_for"]["region"])
        yield "standby", "standby_for.region", "dr_pairing", "%s runs in %s" % (p, primary["region"])
    if "dr" in primary and primary["dr"]["region"] != standby["region"]:
        yield "primary", "dr.region", "dr_pairing", "the DR environment %s runs in %s" % (d, standby["region"])
        yield "standby", "region", "dr_pairing", "%s expects its DR environment in %s (dr.region)" % (
            p, primary["dr"]["region"])
    if _ISOLATION_RANK[standby["isolation"]] < _ISOLATION_RANK[primary["isolation"]]:
        yield "primary", "dr.environment", "dr_as_strict", "%s has isolation %s, weaker than this environment's %s" % (
            d, standby["isolation"], primary["isolation"])
        yield "standby", "isolation", "dr_as_strict", "%s weaker than the %s of %s, whose data it holds" % (
            standby["isolation"], primary["isolation"], p)
    if _DATA_CLASS_RANK[standby["tags"]["data_class"]] < _DATA_CLASS_RANK[primary["tags"]["data_class"]]:
        yield "primary", "dr.environment", "dr_as_strict", "%s is tagged data_class %s, below this environment's %s" % (
            d, standby["tags"]["data_class"], primary["tags"]["data_class"])
        yield "standby", "tags.data_class", "dr_as_strict", "%s below the %s of %s, whose data it holds" % (
            standby["tags"]["data_class"], primary["tags"]["data_class"], p)


def _dr_linked(primary, standby):
    return (primary.get("dr", {}).get("environment") == standby["name"]
            or standby.get("standby_for", {}).get("environment") == primary["name"])


def dr_pairing(spec, other):
    # the failover trusts this pairing: prod's data goes to whatever dr.environment names
    if _dr_linked(spec, other):
        for side, field, rule, message in _dr_link_checks(spec, other):
            if side == "primary":
                yield field, rule, message
    if _dr_linked(other, spec):
        for side, field, rule, message in _dr_link_checks(other, spec):
            if side == "standby":
                yield field, rule, message


def unique_bucket_names(spec, other):
    # S3 bucket names are global: the second environment's provision would fail, or write into the first's bucket
    theirs = dict((name, field) for field, name in bucket_names(other))
    for field, name in bucket_names(spec):
        if name in theirs:
            yield field, "unique_bucket_name", "bucket %r is also %s's %s" % (name, other["name"], theirs[name])


def unique_table_names(spec, other):
    # tables are named <env>-<table>: dev's "a-events" and dev-a's "events" are one table in a shared account
    if (spec["account"]["id"], spec["region"]) != (other["account"]["id"], other["region"]):
        return
    theirs = set("%s-%s" % (other["name"], table["name"]) for table in other["data"]["dynamodb_tables"])
    for index, table in enumerate(spec["data"]["dynamodb_tables"]):
        name = "%s-%s" % (spec["name"], table["name"])
        if name in theirs:
            yield "data.dynamodb_tables[%d].name" % index, "unique_table_name", (
                "table %s is also a table of %s in the same account and region" % (name, other["name"]))


def alarm_prefixes_disjoint(spec, other):
    # each environment's alarms live under envops-<env>- and a provision deletes the stale ones there: prod's purge
    # would delete prod-eu's alarms (envops-prod-eu-...) in a shared account and region
    if (spec["account"]["id"], spec["region"]) != (other["account"]["id"], other["region"]):
        return
    if other["name"].startswith(spec["name"] + "-"):
        yield "name", "alarm_prefixes_disjoint", (
            "%s shares the account and region of %s, whose alarms (envops-%s-...) lie under this environment's "
            "alarm prefix envops-%s-: rename one or give it its own account" % (
                spec["name"], other["name"], other["name"], spec["name"]))


def alarms_not_stricter_than_production(spec, other):
    # a smaller, quieter environment with tighter thresholds than production pages on noise production tolerates
    if spec["type"] not in NON_PROD_TYPES or other["type"] != "production":
        return
    theirs = other["monitoring"]["alarms"]
    for name, threshold in sorted(spec["monitoring"]["alarms"].items()):
        for level in ("warning", "critical"):
            if name in theirs and _worse(name, theirs[name][level], threshold[level]):
                yield "monitoring.alarms.%s.%s" % (name, level), "alarms_not_stricter_than_production", (
                    "%s is stricter than production %s's %s" % (threshold[level], other["name"], theirs[name][level]))


ESTATE_RULES = (no_overlap_with_peers, own_account_when_complete, live_ou_not_shared, account_email_unique,
                dr_pairing, unique_bucket_names, unique_table_names, alarms_not_stricter_than_production,
                alarm_prefixes_disjoint)
