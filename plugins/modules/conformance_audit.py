#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: conformance_audit
short_description: Read an environment's live state and check it against its spec
version_added: 0.1.0
description:
  - Reads, with Describe, Get and List calls only, what the collection provisions in the environment's account
    (VPC and flow logs, KMS keys, RDS, DynamoDB, S3, ElastiCache, AWS Backup vaults and plan) and the account's
    security baseline (CloudTrail, GuardDuty, Security Hub, AWS Config, password policy, EBS default encryption),
    then checks each property against the environment's normalised spec O(environment).
  - Each result has a check id (V(encryption.rds), V(tls.s3), V(backup.pitr.dynamodb), V(org.scp)...), a
    severity (V(high), V(medium), V(low)), a status (V(passed), V(failed), V(not_applicable) with the reason), the
    resource and the evidence read. Encryption must use the environment's key of the right class
    (C(alias/envops/<env>/data) for data stores), not just any key.
  - With O(organization) (the connection of the organization's management account), also checks that the account
    sits in the OU its spec names and that the OU carries the collection's guardrail SCP.
  - The module never fails on a failed check; the caller decides (playbook C(audit.yml) fails on a high one).
author:
  - envops maintainers (@envops)
options:
  environment:
    description: The environment's normalised spec (C(envops_env), set by role C(envops.aws.spec)).
    type: dict
    required: true
  organization:
    description:
      - How to reach the organization's management account (Organizations is read there); omitted, check
        V(org.scp) is V(not_applicable).
    type: dict
    suboptions:
      region:
        description: Region of the Organizations endpoint (its API is global).
        type: str
      endpoint_url:
        description: Endpoint URL, for a local stack.
        type: str
      access_key:
        description: Access key id of the management account.
        type: str
      secret_key:
        description: Secret access key of the management account.
        type: str
      session_token:
        description: Session token of temporary credentials.
        type: str
      profile:
        description: Named profile of the management account.
        type: str
      aws_config:
        description: botocore Config options of the Organizations client.
        type: dict
attributes:
  check_mode:
    description: Reads only, the same in check mode.
    support: full
  diff_mode:
    description: Nothing is changed.
    support: none
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
notes:
  - Evidence of the DR region (its keys, the DR vault) is read through the same credentials with the spec's
    C(dr.region).
"""

EXAMPLES = r"""
- name: Audit one environment
  envops.aws.conformance_audit:
    environment: "{{ envops_env }}"
  register: audit

- name: Audit it, SCPs included, with the management account's credentials
  envops.aws.conformance_audit:
    environment: "{{ envops_env }}"
    organization:
      access_key: "{{ management_access_key }}"
      secret_key: "{{ management_secret_key }}"
  register: audit
"""

RETURN = r"""
checks:
  description: One result per check and resource.
  returned: always
  type: list
  elements: dict
  sample:
    - id: encryption.rds
      severity: high
      status: passed
      resource: rds:prod-postgres
      message: conforms to the spec
      evidence: {storage_encrypted: true, kms_key_id: "arn:aws:kms:me-south-1:111111111111:key/0c..."}
summary:
  description: Counts per status, high failures, and the one-line summary.
  returned: always
  type: dict
  sample: {environment: prod, passed: 41, failed: 0, high_failed: 0, not_applicable: 3,
           line: "audit prod: 41 passed, 0 failed (0 high), 3 not applicable"}
evidence:
  description: Everything read, as the checks saw it.
  returned: always
  type: dict
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envops.aws.plugins.module_utils.account_client import ACCOUNT_CONNECTION_OPTIONS
from ansible_collections.envops.aws.plugins.module_utils.account_client import account_client
from ansible_collections.envops.aws.plugins.module_utils.audit_checks import run_checks
from ansible_collections.envops.aws.plugins.module_utils.audit_checks import summary
from ansible_collections.envops.aws.plugins.module_utils.audit_evidence import read_environment

from ansible_collections.envops.aws.plugins.module_utils.scp_guardrails import policy_name


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            environment=dict(type="dict", required=True),
            organization=dict(type="dict", options=ACCOUNT_CONNECTION_OPTIONS),
        ),
        supports_check_mode=True,
    )
    spec = module.params["environment"]
    organization = module.params["organization"]

    dr_region = (spec.get("dr") or {}).get("region")
    clients = {
        "ec2": module.client("ec2"), "logs": module.client("logs"), "kms": module.client("kms"),
        "rds": module.client("rds"), "dynamodb": module.client("dynamodb"), "ssm": module.client("ssm"),
        "s3": module.client("s3"), "elasticache": module.client("elasticache"), "backup": module.client("backup"),
        "cloudtrail": module.client("cloudtrail"), "guardduty": module.client("guardduty"),
        "securityhub": module.client("securityhub"), "config": module.client("config"), "iam": module.client("iam"),
        "elbv2": module.client("elbv2"), "wafv2": module.client("wafv2"),
        "cloudwatch": module.client("cloudwatch"), "sns": module.client("sns"),
        "dr_kms": module.client("kms", region=dr_region) if dr_region else None,
        "dr_backup": module.client("backup", region=dr_region) if dr_region else None,
    }

    org_client, expected_policy = None, None
    if organization is not None:
        org_client = account_client("organizations", organization, "us-east-1", module.params.get("aws_config"))
        expected_policy = policy_name(spec["account"]["ou"])
    try:
        evidence = read_environment(clients, spec, org_client, expected_policy)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the live state of %s" % spec.get("name"))
    checks = run_checks(spec, evidence)
    module.exit_json(changed=False, checks=checks, summary=summary(spec["name"], checks), evidence=evidence)


if __name__ == "__main__":
    main()
