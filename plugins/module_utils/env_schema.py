# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape of one environment spec: every key, its type, bounds and default.

Cross-field rules (prod needs multi-AZ, retention vs RPO, CIDR overlap...)
are not here: they live in ``env_rules``.  Role argument specs are generated
from this schema (``tools/gen_argument_specs.py``) so the two never drift.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envops.aws.plugins.module_utils.observability_plan import (
    ALARMS, DEFAULT_MANAGED_RULE_GROUPS, DEFAULT_REDACTED_HEADERS, SEVERITIES)
from ansible_collections.envops.aws.plugins.module_utils.spec_fields import Field

ENV_TYPES = ("development", "testing", "staging", "production", "dr")
NON_PROD_TYPES = ("development", "testing", "staging")
LIVE_DATA_TYPES = ("production", "dr")

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)

# The shape of a region; whether AWS has it is checked against botocore's partitions (rule region_exists).
REGION_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"
NAME_PATTERN = r"^[a-z][a-z0-9-]{0,30}$"
# A host name (the DNS name of a load balancer): labels of letters, digits and hyphens.
HOSTNAME_PATTERN = r"^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z0-9-]{1,63}$"
# Tag values AWS accepts: letters (any language), digits, spaces and + - = . _ : / @
TAG_VALUE_PATTERN = r"^[\w .:/=+@-]*$"
TAG_KEY_PATTERN = r"^(?!aws:)[\w .:/=+@-]{1,128}$"
# IAM role names: 1-64 of letters, digits and + = , . @ _ -
IAM_ROLE_NAME_PATTERN = r"^[A-Za-z0-9+=,.@_-]{1,64}$"
# DynamoDB attribute names as this collection creates and masks them
ATTRIBUTE_PATTERN = r"^[A-Za-z0-9_.-]{1,255}$"
ACM_CERTIFICATE_ARN_PATTERN = r"^arn:aws(-[a-z]+)*:acm:[a-z]{2}(-gov)?-[a-z]+-[0-9]:[0-9]{12}:certificate/[0-9a-f-]{36}$"
IPV4_CIDR_PATTERN = (r"^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
                     r"/([0-9]|[12][0-9]|3[0-2])$")
SSL_POLICIES = ("ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10")
HEALTH_CHECK_DOC = "Health check of both target groups (seed 003: readiness, timeout 5 s, every 10-30 s)."
WAF_RULE_ACTIONS = ("count", "block", "allow", "captcha", "challenge")
# RDS / ElastiCache maintenance window syntax: ddd:hh24:mi-ddd:hh24:mi
WINDOW_PATTERN = (r"^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-"
                  r"(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$")


# The guardrails (scp_guardrails.GUARDRAILS) and what each denies.
GUARDRAIL_DOCS = (
    ("deny_leave_organization", "Deny leaving the organization."),
    ("protect_security_services", "Deny stopping or deleting CloudTrail, GuardDuty, AWS Config and Security Hub."),
    ("allowed_regions_only", "Deny regions outside the primary, DR and standby regions (global services exempt)."),
    ("require_encryption", "Deny unencrypted RDS storage and EBS volumes, and S3 uploads asking for non-KMS SSE."),
    ("deny_root", "Deny every action of the account's root user."),
)


def _tier(doc):
    return Field("dict", required=True, doc=doc, fields={
        "prefix": Field("int", required=True, minimum=16, maximum=28, doc="Prefix length of each subnet of the tier."),
    })


def _threshold(doc, maximum=None):
    return Field("dict", doc=doc, fields={
        "warning": Field("number", required=True, minimum=0, maximum=maximum, doc="Warning threshold."),
        "critical": Field("number", required=True, minimum=0, maximum=maximum, doc="Critical threshold."),
        "period_minutes": Field("int", default=5, minimum=1, maximum=1440, doc="Evaluation period."),
    })


def _alarm_fields():
    fields = {}
    for key, alarm in ALARMS.items():
        doc = alarm["doc"]
        if alarm["direction"] == "below":
            doc += " Warning above critical."
        fields[key] = _threshold(doc, maximum=alarm["maximum"])
    return fields


ALARM_FIELDS = _alarm_fields()

# SNS subscription endpoints by protocol (checked in env_rules.notification_endpoints).
SUBSCRIPTION_PROTOCOLS = ("email", "email-json", "sms", "https", "sqs", "lambda")
NOTIFICATION_FIELDS = {
    severity: Field("list", default=[], doc="Subscriptions of the %s (%s) topic." % (severity, meta["label"]),
                    items=Field("dict", fields={
                        "protocol": Field("str", required=True, choices=SUBSCRIPTION_PROTOCOLS, doc="Protocol."),
                        "endpoint": Field("str", required=True, max_length=2048, doc="Address, URL or ARN."),
                    }))
    for severity, meta in SEVERITIES.items()
}


NETWORK = Field("dict", required=True, doc="The environment's VPC.", fields={
    "vpc_cidr": Field("cidr", required=True, doc="IPv4 CIDR of the VPC (RFC 1918, /16 to /24)."),
    "az_count": Field("int", required=True, minimum=1, maximum=6, doc="Availability zones used."),
    "max_azs": Field("int", default=4, minimum=1, maximum=8,
                     doc="AZ slots reserved per tier, so adding AZs never moves existing subnets."),
    "nat_mode": Field("str", required=True, choices=("per_az", "single", "none"),
                      doc="One NAT gateway per AZ, a single shared one, or none."),
    "tiers": Field("dict", required=True, doc="Subnet size of each tier.", fields={
        "public": _tier("Load balancer tier (routes to the internet gateway)."),
        "app": _tier("Application tier (outbound through NAT)."),
        "db": _tier("Database tier (local routes only)."),
    }),
    "app_port": Field("int", default=3000, minimum=1, maximum=65535, doc="Port the ALB forwards to."),
    "db_port": Field("int", default=5432, minimum=1, maximum=65535, doc="PostgreSQL port."),
    "cache_port": Field("int", default=6379, minimum=1, maximum=65535, doc="Redis port."),
    "peers": Field("list", default=[], items=Field("str", pattern=NAME_PATTERN),
                   doc="Environments this VPC may peer with; their CIDRs must not overlap."),
    "flow_logs": Field("dict", required=True, doc="VPC flow logs to CloudWatch Logs.", fields={
        "retention_days": Field("int", required=True, choices=LOG_RETENTION_DAYS, doc="Log retention."),
        "traffic_type": Field("str", default="ALL", choices=("ALL", "ACCEPT", "REJECT"), doc="Traffic captured."),
        "max_aggregation_interval": Field("int", default=600, choices=(60, 600), doc="Seconds per record."),
    }),
    "endpoints": Field("dict", default={}, doc="VPC endpoints.", fields={
        "gateway": Field("list", default=["s3"], items=Field("str", choices=("s3", "dynamodb")),
                         doc="Gateway endpoints (route-table based)."),
        "interface": Field("list", default=["secretsmanager"], items=Field("str", pattern=r"^[a-z0-9.-]+$"),
                           doc="Interface endpoints (ENIs in the app tier)."),
    }),
})

# S3 bucket names: 3-63 characters, lowercase letters, digits, dots and hyphens, no leading/trailing symbol.
BUCKET_PATTERN = r"^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
BUCKET_PURPOSE_PATTERN = r"^[a-z][a-z0-9-]{1,20}$"
TABLE_NAME_PATTERN = r"^[a-zA-Z0-9_.-]{3,200}$"
DATABASE_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
ISO_UTC_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z$"

DATABASE = Field("dict", doc="The RDS PostgreSQL instance.", fields={
    "engine": Field("str", default="postgres", choices=("postgres",), doc="Database engine."),
    "engine_version": Field("str", default="15.7", pattern=r"^[0-9]+(\.[0-9]+)?$", doc="Engine version."),
    "instance_class": Field("str", required=True, pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$", doc="Instance class."),
    "database_name": Field("str", default="app", pattern=DATABASE_NAME_PATTERN, doc="Initial database."),
    "master_username": Field("str", default="app_admin", pattern=r"^[a-z][a-z0-9_]{0,15}$", doc="Master user."),
    "master_secret": Field("str", pattern=r"^[A-Za-z0-9/_+=.@-]{1,512}$",
                           doc="Secrets Manager secret of the master credentials (JSON username, password) that "
                               "the instance is created with and procedures connect with; default "
                               "envops/<env>/database/master, generated by role secrets."),
    "deletion_protection": Field("bool", default=False, doc="Refuse deletion (forced on in prod and DR)."),
    "performance_insights": Field("bool", default=False, doc="Performance Insights."),
    "monitoring_interval": Field("int", default=0, choices=(0, 1, 5, 10, 15, 30, 60), doc="Enhanced monitoring (s)."),
    "secret_rotation_days": Field("int", default=0, minimum=0, maximum=365,
                                  doc="Rotate the master secret every N days (0: no rotation)."),
    "cross_region": Field("str", default="none", choices=("none", "snapshot_copy", "read_replica"),
                          doc="How the database reaches the DR region."),
})

DYNAMODB_TABLE = Field("dict", doc="One DynamoDB table.", fields={
    "name": Field("str", required=True, pattern=TABLE_NAME_PATTERN, doc="Table name (prefixed <env>-)."),
    "hash_key": Field("str", required=True, pattern=ATTRIBUTE_PATTERN, doc="Partition key attribute."),
    "hash_key_type": Field("str", default="STRING", choices=("STRING", "NUMBER", "BINARY"), doc="Its type."),
    "range_key": Field("str", pattern=ATTRIBUTE_PATTERN, doc="Sort key attribute."),
    "range_key_type": Field("str", default="STRING", choices=("STRING", "NUMBER", "BINARY"), doc="Its type."),
    "ttl_attribute": Field("str", pattern=ATTRIBUTE_PATTERN, doc="Attribute holding the expiry time."),
})

BUCKET = Field("dict", doc="One S3 bucket.", fields={
    "purpose": Field("str", required=True, pattern=BUCKET_PURPOSE_PATTERN, doc="assets, exports, logs, backups..."),
    "name": Field("str", pattern=BUCKET_PATTERN, doc="Bucket name (default envops-<env>-<account>-<purpose>)."),
    "critical": Field("bool", default=False, doc="Replicate to the DR region."),
    # Application Load Balancer access logs are delivered only to buckets encrypted with S3-managed keys
    "encryption": Field("str", default="kms", choices=("kms", "s3_managed"), doc=(
        "Default encryption: kms (SSE-KMS with the data key) or s3_managed (SSE-S3, only for the alb-logs "
        "bucket).")),
    "intelligent_tiering_days": Field("int", minimum=0, doc="Move to Intelligent-Tiering after N days."),
    "glacier_days": Field("int", minimum=1, doc="Move to Glacier after N days."),
    "expire_days": Field("int", minimum=1, doc="Expire objects after N days."),
})

DATA = Field("dict", default={}, doc="Keys, secrets, parameters and data stores.", fields={
    "kms_key_classes": Field("list", default=["data", "logs", "backups"], items=Field("str", pattern=r"^[a-z]+$"),
                             doc="One customer-managed key per data class, alias alias/envops/<env>/<class>."),
    "database": DATABASE,
    "dynamodb_tables": Field("list", default=[], doc="DynamoDB tables (on-demand, PITR, SSE with the data key).",
                             items=DYNAMODB_TABLE),
    "buckets": Field("list", default=[], doc="S3 buckets per purpose.", items=BUCKET),
    "cache": Field("dict", doc="ElastiCache Redis replication group.", fields={
        "node_type": Field("str", required=True, pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$", doc="Node type."),
        "engine_version": Field("str", default="7.1", pattern=r"^[0-9]+(\.[0-9]+){0,2}$", doc="Redis version."),
        "replicas": Field("int", default=0, minimum=0, maximum=5, doc="Replicas per node group."),
    }),
    # SSM: a name segment of letters, digits, _ . - (no "/" to climb out of /<env>/app/), a standard-tier value
    "parameters": Field("dict", default={}, extra=Field("str", max_length=4096), extra_keys=r"^[A-Za-z0-9_.-]{1,128}$",
                        doc="Application settings written to SSM under /<env>/app/ (string values)."),
})

VAULT_LOCK_FIELDS = {
    "min_retention_days": Field("int", required=True, minimum=1, maximum=36500,
                                doc="No recovery point is deleted earlier."),
    "max_retention_days": Field("int", minimum=1, maximum=36500, doc="No recovery point is kept longer."),
    "compliance_after_days": Field("int", minimum=3, maximum=36500, doc=(
        "Compliance mode: immutable this many days after it is set. Omitted: governance mode.")),
}

BUDGET_FIELDS = {
    "monthly_usd": Field("number", required=True, exclusive_minimum=0, maximum=1000000000,
                         doc="Monthly cost limit in US dollars."),
    "thresholds_percent": Field("list", default=[50, 80, 100], items=Field("int", minimum=1, maximum=1000),
                                doc="Alert thresholds in percent of the limit (unique, ascending)."),
}

SPEC = Field("dict", required=True, doc="One environment.", fields={
    "name": Field("str", required=True, pattern=NAME_PATTERN, doc="Environment name (the inventory host)."),
    "type": Field("str", required=True, choices=ENV_TYPES, doc="Environment type (seed 003)."),
    "description": Field("str", default="", doc="What the environment is for."),
    "account": Field("dict", required=True, doc="The AWS account of the environment.", fields={
        "id": Field("str", required=True, pattern=r"^[0-9]{12}$", doc="12-digit account id."),
        "ou": Field("str", required=True, not_blank=True, max_length=128,
                    doc="AWS Organizations OU the account belongs to."),
        # AWS Organizations: 6 to 64 characters, one @, a domain with a dot
        "email": Field("str", default="", max_length=64,
                       pattern=r"^$|^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$",
                       doc="Root e-mail of the account."),
        "access_role": Field("str", default="OrganizationAccountAccessRole", pattern=IAM_ROLE_NAME_PATTERN,
                             doc="IAM role in the account that playbooks assume (with envops_account_access: "
                                 "assume_role) and that the management account can assume."),
        "guardrails": Field("dict", default={}, doc=(
            "Service control policy guardrails of the account's OU (an OU's policy enables what any of its "
            "environments enables)."), fields=dict(
            (name, Field("bool", default=True, doc=doc)) for name, doc in GUARDRAIL_DOCS)),
        "budget": Field("dict", doc="Monthly AWS Budgets cost budget of the account, alerting the alerts topic.",
                        fields=BUDGET_FIELDS),
    }),
    "region": Field("str", required=True, pattern=REGION_PATTERN, doc="Primary region."),
    "dr": Field("dict", doc="Disaster recovery of this environment (primary side).", fields={
        "region": Field("str", required=True, pattern=REGION_PATTERN, doc="DR region."),
        "strategy": Field("str", required=True, choices=("backup_restore", "pilot_light", "warm_standby"),
                          doc="DR strategy."),
        "environment": Field("str", pattern=NAME_PATTERN,
                             doc="The DR environment (type dr, standing by for this one); required in production "
                                 "and with dns."),
    }),
    "standby_for": Field("dict", doc="For a DR environment: the primary it stands by for.", fields={
        "environment": Field("str", required=True, pattern=NAME_PATTERN, doc="Primary environment."),
        "region": Field("str", required=True, pattern=REGION_PATTERN, doc="Primary region."),
    }),
    "dns": Field("dict", doc="Route 53 failover of the environment's public name (primary side, with dr).", fields={
        "zone": Field("str", required=True, pattern=r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$",
                      doc="Public hosted zone (domain) of the name."),
        "record": Field("str", required=True, pattern=r"^[a-z0-9-]{1,63}$", doc="Name of the record in the zone."),
        "primary_target": Field("str", required=True, pattern=HOSTNAME_PATTERN,
                                doc="DNS name of the application endpoint in the primary region."),
        "standby_target": Field("str", required=True, pattern=HOSTNAME_PATTERN,
                                doc="DNS name of the DR environment's application endpoint."),
        "ttl": Field("int", default=60, minimum=5, maximum=3600, doc="TTL of the failover records."),
        "health_check_path": Field("str", default="/health", pattern=r"^/[A-Za-z0-9._~/%?=&+-]*$", max_length=255,
                                   doc="Health check path of the primary."),
    }),
    "isolation": Field("str", required=True, choices=("logical", "partial", "complete"), doc="Isolation level."),
    "network": NETWORK,
    "compute": Field("dict", required=True, doc="Application compute sizing.", fields={
        "instance_type": Field("str", required=True, pattern=r"^[a-z0-9][a-z0-9.-]{0,63}$",
                               doc="Instance or task size."),
        "cpu": Field("number", exclusive_minimum=0, doc="vCPU per task."),
        "memory_gb": Field("number", exclusive_minimum=0, doc="Memory per task."),
        "autoscaling": Field("bool", required=True, doc="Auto scaling on."),
        "min_capacity": Field("int", required=True, minimum=0, doc="Lower scaling bound."),
        "max_capacity": Field("int", required=True, minimum=1, doc="Upper scaling bound."),
        "scaling_triggers": Field("dict", default={}, doc="Target tracking thresholds.", fields={
            "cpu_percent": Field("int", minimum=1, maximum=100, doc="CPU utilisation trigger."),
            "memory_percent": Field("int", minimum=1, maximum=100, doc="Memory utilisation trigger."),
        }),
    }),
    "storage": Field("dict", required=True, doc="Primary database storage.", fields={
        "type": Field("str", required=True, choices=("gp2", "gp3", "io1", "io2"), doc="EBS volume type."),
        "size_gb": Field("int", required=True, minimum=20, maximum=65536, doc="Allocated storage."),
        "iops": Field("int", minimum=1000, maximum=256000, doc="Provisioned IOPS (io1/io2, optional for gp3)."),
        "throughput_mibps": Field("int", minimum=125, maximum=4000, doc="Provisioned throughput."),
        "multi_az": Field("bool", required=True, doc="Multi-AZ deployment."),
        "encrypted": Field("bool", default=True,
                           doc="Encryption at rest: always on (the data key encrypts it), false is refused."),
    }),
    "backup": Field("dict", required=True, doc="Backups.", fields={
        "schedule": Field("str", required=True, choices=("hourly", "daily", "weekly", "none"), doc="Schedule."),
        "retention_days": Field("int", required=True, minimum=0, maximum=35, doc="Automated backup retention."),
        "pitr": Field("bool", required=True, doc="Point-in-time recovery."),
        "vault_lock": Field("dict", doc="AWS Backup Vault Lock of the environment's vaults (primary and DR copy).",
                            fields=VAULT_LOCK_FIELDS),
    }),
    "recovery": Field("dict", required=True, doc="Recovery objectives.", fields={
        "rto_minutes": Field("int", required=True, minimum=1, doc="Recovery time objective."),
        "rpo_minutes": Field("int", required=True, minimum=1, doc="Recovery point objective."),
        "drill_frequency": Field("str", default="ad_hoc",
                                 choices=("ad_hoc", "monthly", "quarterly", "biannual", "annual"),
                                 doc="How often DR drills run."),
    }),
    "edge": Field("dict", default={}, doc="The internet-facing ALB in the public tier.", fields={
        "certificate_arn": Field("str", pattern=ACM_CERTIFICATE_ARN_PATTERN,
                                 doc="ACM certificate of the HTTPS listener, in the environment's region; without "
                                     "it a self-signed certificate is generated and imported (the audit flags "
                                     "that in production)."),
        "ssl_policy": Field("str", default="ELBSecurityPolicy-TLS13-1-2-2021-06", choices=SSL_POLICIES,
                            doc="TLS policy of the HTTPS listener."),
        "idle_timeout_seconds": Field("int", default=60, minimum=1, maximum=4000, doc="ALB idle timeout."),
        "deregistration_delay_seconds": Field("int", default=30, minimum=0, maximum=3600,
                                              doc="Draining time of a target leaving a target group."),
        "health_check": Field("dict", default={}, doc=HEALTH_CHECK_DOC, fields={
            "path": Field("str", default="/health/ready", pattern=r"^/[A-Za-z0-9._~/%?=&+-]*$", max_length=1024,
                          doc="Readiness path."),
            "interval_seconds": Field("int", default=15, minimum=5, maximum=300, doc="Seconds between checks."),
            "timeout_seconds": Field("int", default=5, minimum=2, maximum=120,
                                     doc="Seconds without answer that fail a check (below the interval)."),
            "healthy_threshold": Field("int", default=3, minimum=2, maximum=10, doc="Passes to become healthy."),
            "unhealthy_threshold": Field("int", default=3, minimum=2, maximum=10, doc="Fails to become unhealthy."),
            "matcher": Field("str", default="200", pattern=r"^[1-5][0-9]{2}((-|,)[1-5][0-9]{2})*$",
                             doc="HTTP codes of a healthy answer (200, 200-299, 200,204)."),
        }),
    }),
    "waf": Field("dict", required=True, doc="AWS WAF (regional web ACL on the ALB).", fields={
        "enabled": Field("bool", required=True, doc="WAF on."),
        "rate_limit": Field("int", default=2000, minimum=100, maximum=2000000000,
                            doc="Requests per 5 minutes per IP."),
        "geo_block": Field("list", default=[], items=Field("str", pattern=r"^[A-Z]{2}$"),
                           doc="ISO country codes blocked."),
        "managed_rules": Field("list", default=list(DEFAULT_MANAGED_RULE_GROUPS),
                               items=Field("str", pattern=r"^AWSManagedRules[A-Za-z0-9_]{1,113}$"),
                               doc="AWS managed rule groups (vendor AWS)."),
        "rule_overrides": Field("dict", default={}, extra_keys=r"^AWSManagedRules[A-Za-z0-9_]{1,113}$",
                                extra=Field("dict", extra_keys=r"^[A-Za-z0-9_-]{1,128}$",
                                            extra=Field("str", choices=WAF_RULE_ACTIONS)),
                                doc="Per-rule action overrides: {group: {rule: count|block|allow|captcha|"
                                    "challenge}}; the group must be in managed_rules."),
        "ip_allow": Field("list", default=[], items=Field("str", pattern=IPV4_CIDR_PATTERN),
                          doc="IPv4 CIDRs always allowed (evaluated first)."),
        "ip_deny": Field("list", default=[], items=Field("str", pattern=IPV4_CIDR_PATTERN),
                         doc="IPv4 CIDRs always blocked."),
        "log_retention_days": Field("int", choices=LOG_RETENTION_DAYS,
                                    doc="Retention of the aws-waf-logs-<env> group (default: logging.retention_days)."),
        "redacted_headers": Field("list", default=list(DEFAULT_REDACTED_HEADERS),
                                  items=Field("str", pattern=r"^[a-z0-9-]{1,64}$"),
                                  doc="Headers redacted from the WAF logs (lower case)."),
    }),
    "logging": Field("dict", required=True, doc="Application logging.", fields={
        "level": Field("str", required=True, choices=("DEBUG", "INFO", "WARN", "ERROR"), doc="Log level."),
        "retention_days": Field("int", required=True, choices=LOG_RETENTION_DAYS, doc="Log retention."),
    }),
    "monitoring": Field("dict", default={}, doc="Monitoring.", fields={
        "level": Field("str", default="standard", choices=("basic", "standard", "enhanced"), doc="Level."),
        "alarms": Field("dict", default={}, doc="Alarm thresholds (seed 003/004); an alarm exists for each key "
                                                "given, on every resource of its kind.", fields=ALARM_FIELDS),
        "error_rate_min_requests": Field("int", default=100, minimum=1, maximum=1000000,
                                         doc="Requests per period below which the 5xx rate alarm stays quiet."),
        "notifications": Field("dict", default={}, doc="Subscriptions of each severity's SNS topic.",
                               fields=NOTIFICATION_FIELDS),
    }),
    "data": DATA,
    "lifecycle": Field("dict", default={}, doc="How long the environment lives.", fields={
        "ephemeral": Field("bool", default=False, doc="A preview: torn down without final snapshots."),
        "expires_at": Field("str", pattern=ISO_UTC_PATTERN, doc="UTC time after which expire_previews.yml removes it."),
    }),
    "data_masking": Field("bool", required=True, doc="Data of this environment is masked production data."),
    "maintenance_window": Field("str", required=True, pattern=WINDOW_PATTERN, doc="ddd:hh:mm-ddd:hh:mm UTC."),
    "deployment_strategy": Field("str", required=True, choices=("blue_green", "canary", "rolling", "recreate"),
                                 doc="How releases reach the environment."),
    # AWS tags: keys up to 128 characters (aws: is reserved), values up to 256
    "tags": Field("dict", required=True, extra=Field("str", pattern=TAG_VALUE_PATTERN, max_length=256),
                  extra_keys=TAG_KEY_PATTERN, doc="Tags put on every resource.", fields={
        "env": Field("str", required=True, pattern=NAME_PATTERN, doc="Environment name."),
        "service": Field("str", required=True, not_blank=True, pattern=TAG_VALUE_PATTERN, max_length=256,
                         doc="Service name."),
        "owner": Field("str", required=True, not_blank=True, pattern=TAG_VALUE_PATTERN, max_length=256,
                       doc="Owning team."),
        "cost_center": Field("str", required=True, not_blank=True, pattern=TAG_VALUE_PATTERN, max_length=256,
                             doc="Cost center."),
        "data_class": Field("str", required=True, choices=("public", "internal", "confidential", "restricted"),
                            doc="Highest data classification held."),
    }),
})
