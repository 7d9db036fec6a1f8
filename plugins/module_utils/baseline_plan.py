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


def alerts_topic_name(env_name):
    """The SNS topic an environment's budget alerts and drill misses go to."""
    return "envops-%s-alerts" % env_name


def log_prefix(service):
    """Key prefix of a service's deliveries (cloudtrail, config) in the environment's logs bucket."""
    return service


def security_hub_standards(region):
    """The standards ARNs Security Hub is subscribed to in ``region``."""
    return [arn.format(region=region) for arn in SECURITY_HUB_STANDARDS]
