# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service control policy (SCP) of one organizational unit, computed from the specs of its environments.

One SCP per OU, named ``envops-guardrails-<ou-slug>``.  An OU's guardrails are the union of its environments'
needs: a guardrail is on when any environment of the OU enables it, and the allowed regions are every primary,
DR and standby region of those environments.  Role ``accounts`` attaches the policy; the conformance audit
recomputes it here and compares.

What an SCP cannot express (so it is not pretended here):
- an S3 bucket created without default encryption: CreateBucket has no encryption condition key (and S3 has
  encrypted every new bucket since 2023); bucket encryption is set by role buckets and checked by AWS Config.
- an object uploaded without SSE when it relies on the bucket's default encryption: the request then carries no
  ``s3:x-amz-server-side-encryption`` header, so only an explicit request for a weaker algorithm is denied.
- RDS storage encryption of read replicas and restores: those requests carry no ``rds:StorageEncrypted`` key
  (they inherit the source's encryption), so only CreateDBInstance / CreateDBCluster with it false are denied.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.envops.aws.plugins.module_utils.env_schema import GUARDRAIL_DOCS

# The guardrails a spec may switch (account.guardrails), in the order their statements appear.
GUARDRAILS = tuple(name for name, _doc in GUARDRAIL_DOCS)

POLICY_PREFIX = "envops-guardrails-"
POLICY_VERSION = "2012-10-17"
# AWS Organizations quotas: an SCP's content is at most 5120 characters, a target has at most 5 SCPs attached
# (FullAWSAccess counts).
MAX_POLICY_CHARACTERS = 5120
MAX_POLICIES_PER_TARGET = 5

# Stopping or deleting any of these turns the account's audit trail or threat detection off.
SECURITY_SERVICE_ACTIONS = (
    "cloudtrail:DeleteTrail",
    "cloudtrail:StopLogging",
    "config:DeleteConfigRule",
    "config:DeleteConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "config:StopConfigurationRecorder",
    "guardduty:DeleteDetector",
    "guardduty:DisassociateFromAdministratorAccount",
    "guardduty:DisassociateFromMasterAccount",
    "securityhub:BatchDisableStandards",
    "securityhub:DisableSecurityHub",
    "securityhub:DisassociateFromAdministratorAccount",
    "securityhub:DisassociateFromMasterAccount",
)

# Global services (their endpoints live in us-east-1 whatever the caller's region) and the calls that must work
# from any region: the region guardrail exempts them.
GLOBAL_SERVICE_ACTIONS = (
    "account:*",
    "budgets:*",
    "ce:*",
    "cloudfront:*",
    "cur:*",
    "ec2:DescribeRegions",
    "globalaccelerator:*",
    "health:*",
    "iam:*",
    "organizations:*",
    "pricing:*",
    "route53:*",
    "route53domains:*",
    "s3:GetAccountPublicAccessBlock",
    "s3:ListAllMyBuckets",
    "s3:PutAccountPublicAccessBlock",
    "shield:*",
    "sts:*",
    "support:*",
    "trustedadvisor:*",
    "waf:*",
)

# Server-side encryption S3 accepts as "with a KMS key" (the buckets of this collection use the data key).
KMS_SSE_ALGORITHMS = ("aws:kms", "aws:kms:dsse")

_ACTION_PATTERN = re.compile(r"^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$")
_SID_PATTERN = re.compile(r"^[A-Za-z0-9]*$")
_STATEMENT_KEYS = frozenset(("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"))


def policy_name(ou_name):
    """envops-guardrails-<ou-slug>: the OU name lowercased, runs of other characters as one hyphen."""
    slug = re.sub(r"[^a-z0-9]+", "-", ou_name.lower()).strip("-")
    if not slug:
        raise ValueError("OU name %r has no letter or digit to name its policy after" % ou_name)
    return POLICY_PREFIX + slug


def policy_description(ou_name):
    return "envops.aws guardrails of OU %s, generated from its environments' specs" % ou_name


def environments_by_ou(environments):
    """OU name -> the environments (specs) in it, environments sorted by name."""
    grouped = {}
    for env in sorted(environments, key=lambda e: e["name"]):
        grouped.setdefault(env["account"]["ou"], []).append(env)
    return grouped


def enabled_guardrails(environments):
    """The guardrails any of the environments enables (a guardrail missing from a spec is on, as the schema's
    default)."""
    return tuple(name for name in GUARDRAILS
                 if any(env["account"].get("guardrails", {}).get(name, True) for env in environments))


def allowed_regions(environments):
    """Every primary, DR and standby (primary of a DR environment) region of the environments, sorted."""
    regions = set()
    for env in environments:
        regions.add(env["region"])
        for section in ("dr", "standby_for"):
            if section in env:
                regions.add(env[section]["region"])
    return sorted(regions)


def _deny(sid, actions, condition=None, not_action=False):
    statement = {"Sid": sid, "Effect": "Deny", ("NotAction" if not_action else "Action"): actions, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


def _statements(guardrail, environments):
    if guardrail == "deny_leave_organization":
        return [_deny("DenyLeaveOrganization", ["organizations:LeaveOrganization"])]
    if guardrail == "protect_security_services":
        return [_deny("ProtectSecurityServices", list(SECURITY_SERVICE_ACTIONS))]
    if guardrail == "allowed_regions_only":
        return [_deny("DenyOutsideAllowedRegions", list(GLOBAL_SERVICE_ACTIONS),
                      {"StringNotEquals": {"aws:RequestedRegion": allowed_regions(environments)}}, not_action=True)]
    if guardrail == "require_encryption":
        return [
            _deny("DenyUnencryptedRds", ["rds:CreateDBCluster", "rds:CreateDBInstance"],
                  {"Bool": {"rds:StorageEncrypted": "false"}}),
            _deny("DenyUnencryptedEbs", ["ec2:CreateVolume"], {"Bool": {"ec2:Encrypted": "false"}}),
            # an upload that names an algorithm must name a KMS one; one naming none gets the bucket's default
            _deny("DenyS3UploadsWithoutKms", ["s3:PutObject"],
                  {"StringNotEquals": {"s3:x-amz-server-side-encryption": list(KMS_SSE_ALGORITHMS)},
                   "Null": {"s3:x-amz-server-side-encryption": "false"}}),
        ]
    if guardrail == "deny_root":
        return [_deny("DenyRootUser", ["*"], {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}})]
    raise ValueError("unknown guardrail %r" % guardrail)


def policy_document(environments):
    """The SCP (a dict) of one OU from the specs of the environments in it; None when no guardrail is enabled
    (an SCP needs at least one statement)."""
    environments = list(environments)
    if not environments:
        raise ValueError("an OU's policy needs at least one environment")
    statements = []
    for guardrail in enabled_guardrails(environments):
        statements.extend(_statements(guardrail, environments))
    if not statements:
        return None
    return {"Version": POLICY_VERSION, "Statement": statements}


def policy_content(document):
    """The policy as submitted to Organizations: compact JSON (whitespace counts against the size quota)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def _strings(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    return None


def _statement_problems(index, statement):
    where = "Statement[%d]" % index
    if not isinstance(statement, dict):
        return ["%s: a statement is an object" % where]
    problems = ["%s: unknown element %s" % (where, key) for key in sorted(set(statement) - _STATEMENT_KEYS)]
    if "Principal" in statement or "NotPrincipal" in statement:
        problems.append("%s: an SCP names no principal" % where)
    if statement.get("Effect") not in ("Allow", "Deny"):
        problems.append("%s: Effect must be Allow or Deny, got %r" % (where, statement.get("Effect")))
    if not isinstance(statement.get("Sid", ""), str) or not _SID_PATTERN.fullmatch(statement.get("Sid", "")):
        problems.append("%s: Sid must be letters and digits" % where)
    action_keys = [key for key in ("Action", "NotAction") if key in statement]
    if len(action_keys) != 1:
        problems.append("%s: exactly one of Action and NotAction is required" % where)
    for key in action_keys:
        actions = _strings(statement[key])
        if actions is None:
            problems.append("%s: %s must be a string or a non-empty list of strings" % (where, key))
            continue
        problems.extend("%s: %s %r is not service:action" % (where, key, action)
                        for action in actions if not _ACTION_PATTERN.fullmatch(action))
    resource_keys = [key for key in ("Resource", "NotResource") if key in statement]
    if len(resource_keys) != 1:
        problems.append("%s: exactly one of Resource and NotResource is required" % where)
    for key in resource_keys:
        if _strings(statement[key]) is None:
            problems.append("%s: %s must be a string or a non-empty list of strings" % (where, key))
    if statement.get("Effect") == "Allow" and ("Condition" in statement or statement.get("Resource", "*") != "*"):
        problems.append("%s: an Allow statement of an SCP takes Resource \"*\" and no Condition" % where)
    condition = statement.get("Condition", {})
    if not isinstance(condition, dict) or not all(isinstance(keys, dict) and keys for keys in condition.values()):
        problems.append("%s: Condition maps operators to non-empty {key: value(s)} objects" % where)
    return problems


def document_problems(document):
    """What AWS Organizations refuses in an SCP (MalformedPolicyDocument, ConstraintViolation), as messages; []
    when none.  moto accepts anything, so modules run this before any call."""
    if isinstance(document, str):
        content = document
        try:
            document = json.loads(document)
        except ValueError as error:
            return ["not JSON: %s" % error]
    else:
        content = policy_content(document)
    problems = []
    if len(content) > MAX_POLICY_CHARACTERS:
        problems.append("%d characters, above the %d AWS Organizations accepts for an SCP" % (
            len(content), MAX_POLICY_CHARACTERS))
    if not isinstance(document, dict):
        return problems + ["a policy is a JSON object"]
    problems.extend("unknown top-level element %s" % key for key in sorted(set(document) - {"Version", "Statement"}))
    if document.get("Version") != POLICY_VERSION:
        problems.append("Version must be %s, got %r" % (POLICY_VERSION, document.get("Version")))
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return problems + ["Statement must be a non-empty list"]
    for index, statement in enumerate(statements):
        problems.extend(_statement_problems(index, statement))
    sids = [s.get("Sid") for s in statements if isinstance(s, dict) and s.get("Sid")]
    problems.extend("Sid %s is used twice" % sid for sid in sorted(set(s for s in sids if sids.count(s) > 1)))
    return problems


def attachment_problems(target, attached_policy_ids, policy_id):
    """Refusal of attaching ``policy_id`` to ``target`` that already has ``attached_policy_ids`` (the quota)."""
    if policy_id in attached_policy_ids:
        return []
    if len(attached_policy_ids) >= MAX_POLICIES_PER_TARGET:
        return ["%s already has %d service control policies attached, the most AWS allows" % (
            target, len(attached_policy_ids))]
    return []
