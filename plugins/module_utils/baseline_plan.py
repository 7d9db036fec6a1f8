# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the security baseline of an environment's account is made of: names and settings.

One home for them: role ``baseline`` creates what is named here and the conformance audit reads the same names
back, so the two cannot drift.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# IAM account password policy (CIS AWS Foundations 1.4: 14+ characters, reuse of the last 24 prevented, 90 days).
PASSWORD_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
    "HardExpiry": False,
}

# S3 account-level public access block: everything blocked.
ACCOUNT_PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}

# Security Hub standards enabled in every account (ARN templates; {region} is the account's primary region).
SECURITY_HUB_STANDARDS = (
    "arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
    "arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/1.4.0",
)

# AWS Config managed rules mirroring the acceptance criteria: rule name -> managed rule identifier.
CONFIG_RULES = {
    "envops-encrypted-volumes": "ENCRYPTED_VOLUMES",
    "envops-rds-storage-encrypted": "RDS_STORAGE_ENCRYPTED",
    "envops-s3-sse-enabled": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    "envops-rds-not-public": "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    "envops-dynamodb-pitr-enabled": "DYNAMODB_PITR_ENABLED",
}

CONFIG_RECORDER_NAME = "default"
CONFIG_DELIVERY_CHANNEL_NAME = "default"

# Tags whose cost is reported apart (Cost Explorer cost allocation tags).
COST_ALLOCATION_TAGS = ("env", "service", "owner", "cost_center", "data_class")


def trail_name(env_name):
    """The multi-region CloudTrail trail of an environment."""
    return "envops-%s" % env_name


def budget_name(env_name):
    """The monthly cost budget of an environment."""
    return "envops-%s-monthly" % env_name


def log_prefix(service):
    """Key prefix of a service's deliveries (cloudtrail, config) in the environment's logs bucket."""
    return service


def security_hub_standards(region):
    """The standards ARNs Security Hub is subscribed to in ``region``."""
    return [arn.format(region=region) for arn in SECURITY_HUB_STANDARDS]


# GuardDuty protection plans enabled on every detector (S3 protection, RDS login activity monitoring).
GUARDDUTY_FEATURES = ("S3_DATA_EVENTS", "RDS_LOGIN_EVENTS")
# How often updated findings reach EventBridge and Security Hub: production within 15 minutes; elsewhere hourly, as
# the alerts of those environments are looked at in working hours (AWS's default is six hours).
GUARDDUTY_FINDING_FREQUENCY = {"production": "FIFTEEN_MINUTES"}
GUARDDUTY_FINDING_FREQUENCY_DEFAULT = "ONE_HOUR"

# One finding per control across the standards (consolidated control findings).
SECURITY_HUB_CONTROL_FINDING_GENERATOR = "SECURITY_CONTROL"

# Config rules of this prefix that are no longer in CONFIG_RULES are deleted by the baseline.
CONFIG_RULE_PREFIX = "envops-"
CONFIG_SNAPSHOT_FREQUENCY = "TwentyFour_Hours"


def guardduty_finding_frequency(env_type):
    """The finding publishing frequency of the detector of an environment of ``env_type``."""
    return GUARDDUTY_FINDING_FREQUENCY.get(env_type, GUARDDUTY_FINDING_FREQUENCY_DEFAULT)


def detection_plan(region, env_type, primary_region=None):
    """GuardDuty, Security Hub and AWS Config settings of an environment's account in ``region`` (global resources
    recorded in the primary region only; ``primary_region`` None: ``region`` is the primary)."""
    return {
        "guardduty": {
            "finding_publishing_frequency": guardduty_finding_frequency(env_type),
            "features": dict((feature, True) for feature in GUARDDUTY_FEATURES),
        },
        "security_hub": {
            "standards": security_hub_standards(region),
            "control_finding_generator": SECURITY_HUB_CONTROL_FINDING_GENERATOR,
        },
        "config": {
            "recorder_name": CONFIG_RECORDER_NAME,
            "include_global_resource_types": primary_region in (None, region),
            "delivery_channel_name": CONFIG_DELIVERY_CHANNEL_NAME,
            "s3_prefix": log_prefix("config"),
            "snapshot_frequency": CONFIG_SNAPSHOT_FREQUENCY,
            "rules": dict(CONFIG_RULES),
            "rule_prefix": CONFIG_RULE_PREFIX,
        },
    }
