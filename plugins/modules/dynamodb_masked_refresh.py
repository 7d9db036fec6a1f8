#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dynamodb_masked_refresh
version_added: 0.1.0
short_description: Refresh a DynamoDB table of a lower environment with masked data of a production table
description:
  - The environment's application finds the table through an SSM parameter (O(parameter_name)) whose value is the
    live table. The module never writes into the live table.
  - First leftovers of a killed run are removed, that is tables of the family of O(base_name) (itself and its run
    copies C(<base_name>.r<run_id>)) that the parameter does not name.
  - Then the source table (read with the O(source) connection, usually another account) is copied into the new
    table C(<base_name>.r<run_id>) by a parallel segmented scan, every item masked in Python by the rules of
    O(policy) under O(key). The same key derivation as module M(envops.aws.pg_masked_refresh) gives the same
    output for the same email in both stores.
  - An attribute path without an entry in the policy stops the copy (fail closed), the new table is deleted and
    every unclassified path is listed.
  - The copy is checked by an independent verifier (counts, every item matched by key, no source value left at a
    PII path or anywhere across items, the shape each rule promises, kept values faithful). Only a passed
    verification switches the parameter to the new table, then the old live table is deleted.
  - A failure or a kill before the switch leaves the parameter and the live table untouched. Rerunning the same
    O(run_id) after a switch changes nothing.
  - In check mode the module reads the plan (live table, new table, leftovers) and changes nothing.
author:
  - envops maintainers (@envops)
options:
  source:
    description:
      - Where the production table is. Unset keys use the normal credential chain of boto3.
    type: dict
    required: true
    suboptions:
      table_name:
        description: Name of the source table (the live production table).
        type: str
        required: true
      region:
        description: Region of the source table. Defaults to the module's region.
        type: str
      endpoint_url:
        description: Endpoint URL of the source account's DynamoDB, else the AWS one.
        type: str
      access_key:
        description: Access key of the source account.
        type: str
      secret_key:
        description: Secret key of the source account.
        type: str
      session_token:
        description: Session token of the source account.
        type: str
      profile:
        description: Named profile for the source account.
        type: str
      aws_config:
        description:
          - botocore configuration of the source client, over the module's O(aws_config), for example more
            attempts in adaptive mode with C(retries.mode=adaptive) and C(retries.max_attempts=20).
          - Its C(retries) takes C(mode) (V(legacy), V(standard) or V(adaptive)) and C(max_attempts)
            or C(total_max_attempts) (1 to 50), checked before any AWS call.
          - Parameters can be found in the AWS documentation
            U(https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html#botocore.config.Config).
          - Without either, the source client retries in adaptive mode with 10 attempts; C(retries) is merged key
            by key (a C(max_attempts) alone keeps the mode). C(max_pool_connections) is always sized to O(segments)
            and O(writers).
        type: dict
  base_name:
    description:
      - The environment's own name of the table, C(<env>-<name>) as role envops.aws.tables creates it.
      - Must not contain C(.r).
    type: str
    required: true
  parameter_name:
    description: The SSM parameter (String) whose value names the live table, created when absent.
    type: str
    required: true
  run_id:
    description: Id of the refresh run, 1-64 letters, digits, V(_) or V(-). Names the new table.
    type: str
    required: true
  policy:
    description: The masking policy (C(envops_masking_policy) of the source environment).
    type: dict
    required: true
  policy_table:
    description: Name of the table in O(policy) (C(dynamodb.tables.<policy_table>)), the spec name without prefix.
    type: str
    required: true
  kms_key_id:
    description: KMS key (id, ARN, alias) for the server-side encryption of the new table, else the AWS owned key.
    type: str
  tags:
    description: Tags of the new table.
    type: dict
  segments:
    description: Parallel scan segments (threads).
    type: int
    default: 8
  writers:
    description: BatchWriteItem threads.
    type: int
    default: 8
  progress_file:
    description: File to append progress lines to (items done, items/s, ETA).
    type: path
  wait_timeout:
    description: Seconds to wait for a table to be created or deleted.
    type: int
    default: 600
attributes:
  check_mode:
    description: Reads the plan (the live table the parameter names, the new table, the leftovers a run would
      remove) and changes nothing.
    support: partial
    details: Neither the source nor the KMS key is read, so an unclassified attribute path, a missing key or a
      failed verification, each of which stops a real run before any switch, shows only in a real run.
  diff_mode:
    description: Tables are replaced whole and the parameter switched; there is no diff.
    support: none
extends_documentation_fragment:
  - envops.aws.masking_key
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
notes:
  - The source is only read (Scan, DescribeTable, DescribeTimeToLive).
  - The new table gets the source's keys and indexes, on-demand billing, PITR, the source's TTL attribute.
"""

EXAMPLES = r"""
- name: Refresh staging's user-activity table from prod, masked
  envops.aws.dynamodb_masked_refresh:
    source:
      table_name: prod-user-activity
      region: eu-west-1
    base_name: staging-user-activity
    parameter_name: /staging/dynamodb/user-activity
    run_id: "20261123T101500"
    policy: "{{ hostvars['prod'].envops_masking_policy }}"
    policy_table: user-activity
    key_secret:  # read by the module in prod's account
      secret_id: envops/masking/key
      region: eu-west-1
    kms_key_id: alias/envops/staging/data
    tags:
      env: staging
"""

RETURN = r"""
live_table:
  description: The table the parameter names at the end.
  returned: always
  type: str
  sample: staging-user-activity.r20261123T101500
new_table:
  description: The table of this run.
  returned: always
  type: str
recovered:
  description: Leftover tables of earlier runs that were deleted (in check mode, those that would be).
  returned: always
  type: list
  elements: str
copy:
  description: Figures of the masked copy (items, seconds, items_per_second, phases, unclassified paths).
  returned: when a copy ran
  type: dict
verification:
  description:
    - The verifier's report (ok, problems naming paths and counts, never values).
    - Kept attributes and paths are scanned for the source's PII values and shapes; C(exceptions) lists the
      policy's reviewed exceptions that let a finding pass.
  returned: when a copy finished
  type: dict
switch:
  description: The switch of the parameter (old_table, new_table, old_table_deleted).
  returned: when the verification passed
  type: dict
unclassified:
  description: Attribute paths of the source without an entry in the policy.
  returned: when the copy stopped on them
  type: list
  elements: str
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils.account_client import ACCOUNT_CONNECTION_OPTIONS
from ansible_collections.envops.aws.plugins.module_utils.account_client import account_client
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import retry_problems
from ansible_collections.envops.aws.plugins.module_utils.kms_keys import resolve_kms_key
from ansible_collections.envops.aws.plugins.module_utils.masking_key import KEY_SECRET_OPTIONS
from ansible_collections.envops.aws.plugins.module_utils.masking_key import masking_key
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_refresh import TableRefreshError
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_refresh import plan_table_refresh
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_refresh import refresh_table
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_refresh import run_table_name
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb import describe_table
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import MaskingPolicyError
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy


def source_client(module, source, pool):
    """A DynamoDB client for the source account, built from O(source) only (never from the target's keys); its
    botocore configuration is the module's aws_config with the source's over it."""
    adaptive = {"retries": {"mode": "adaptive", "max_attempts": 10}}  # unless aws_config says otherwise
    return account_client("dynamodb", source, module.region, adaptive, module.params.get("aws_config"),
                          max_pool_connections=pool)


def progress_writer(path, table, total):
    """Progress lines (a second apart at most): items written of the source's ItemCount (AWS updates it about
    every six hours, so it is an estimate), items/s, ETA."""
    if not path:
        return None
    started = time.monotonic()
    last = [0.0]

    def write(figures):
        now = time.monotonic()
        if now - last[0] < 1.0:
            return
        last[0] = now
        rate = figures["written"] / max(now - started, 1e-9)
        expected = max(total, figures["scanned"])
        eta = (expected - figures["written"]) / rate if rate else 0
        with open(path, "a") as progress:
            progress.write("%s dynamodb %s: %d/%d items, %d items/s, ETA %ds\n"
                           % (time.strftime("%H:%M:%S"), table, figures["written"], expected, rate, eta))
    return write


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            source=dict(type="dict", required=True, options=dict(
                table_name=dict(type="str", required=True), **ACCOUNT_CONNECTION_OPTIONS)),
            base_name=dict(type="str", required=True),
            parameter_name=dict(type="str", required=True),
            run_id=dict(type="str", required=True),
            policy=dict(type="dict", required=True),
            policy_table=dict(type="str", required=True),
            key=dict(type="str", no_log=True),
            key_secret=dict(type="dict", no_log=False, options=KEY_SECRET_OPTIONS),  # its keys are no_log
            kms_key_id=dict(type="str"),
            tags=dict(type="dict"),
            segments=dict(type="int", default=8),
            writers=dict(type="int", default=8),
            progress_file=dict(type="path"),
            wait_timeout=dict(type="int", default=600),
        ),
        mutually_exclusive=[("key", "key_secret")],
        required_one_of=[("key", "key_secret")],
        supports_check_mode=True,
    )
    params = module.params
    # Every input is checked before the first AWS call.
    try:
        table_policy = load_policy(params["policy"]).dynamodb.get(params["policy_table"])
    except MaskingPolicyError as error:
        module.fail_json(msg="the masking policy is not valid: %s" % error)
    if table_policy is None:
        module.fail_json(msg="the masking policy has no entry for DynamoDB table %s: refusing to copy it unmasked"
                         % params["policy_table"])
    if params["segments"] < 1 or params["writers"] < 1:
        module.fail_json(msg="segments and writers must be at least 1")
    config_problems = retry_problems(params["aws_config"], "aws_config") + \
        retry_problems(params["source"]["aws_config"], "source.aws_config")
    if config_problems:
        module.fail_json(msg="; ".join(config_problems))
    try:
        run_table_name(params["base_name"], params["run_id"])
    except ValueError as error:
        module.fail_json(msg=str(error))
    key = masking_key(module)

    pool = params["segments"] + params["writers"] + 2
    target = module.client("dynamodb", config=botocore.config.Config(max_pool_connections=pool))
    ssm = module.client("ssm")
    try:
        if module.check_mode:
            plan = plan_table_refresh(ssm, target, params["parameter_name"], params["base_name"], params["run_id"])
            module.exit_json(changed=not plan["done"] or bool(plan["leftovers"]), live_table=plan["live_table"],
                             new_table=plan["new_table"], recovered=plan["leftovers"])
        kms_key_arn = None
        if params["kms_key_id"]:
            kms_key_arn = resolve_kms_key(module.client("kms"), params["kms_key_id"])
            if kms_key_arn is None:  # never fall back to the AWS owned key
                module.fail_json(msg="KMS key %r (kms_key_id) does not exist in %s"
                                 % (params["kms_key_id"], module.region))
        source = source_client(module, params["source"], pool)
        total = describe_table(source, params["source"]["table_name"]).get("ItemCount", 0)
        result = refresh_table(
            source, target, ssm, params["source"]["table_name"],
            params["parameter_name"], params["base_name"], params["run_id"], table_policy,
            key, kms_key_id=kms_key_arn, tags=params["tags"], segments=params["segments"],
            writers=params["writers"], progress=progress_writer(params["progress_file"], params["base_name"], total),
            timeout=params["wait_timeout"])
    except TableRefreshError as error:
        details = error.result or {}
        module.fail_json(msg=str(error), unclassified=list(details.get("copy", {}).get("unclassified") or []),
                         **dict((name, value) for name, value in details.items() if name != "changed"))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="masked refresh of %s failed" % params["base_name"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
