#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_snapshot_copy
version_added: 0.1.0
short_description: Copy an RDS DB snapshot under a chosen KMS key, from this or another Region, and share it
description:
  - Copies a DB snapshot (manual or automated, by name or ARN) into a new manual snapshot of this Region, encrypted
    with O(kms_key_id). M(amazon.aws.rds_instance_snapshot) copies without a key option, which a re-encryption (the
    masking key of a masked refresh) or an encrypted cross-Region copy (the DR Region's key) needs.
  - Manages the copy's tags and the accounts allowed to restore it (the C(restore) attribute).
  - Idempotent. An existing copy is kept; a copy under another key than O(kms_key_id) fails with both keys, since
    a snapshot's key cannot change.
  - Check mode reports the changes with a diff of the tags and shared accounts.
author:
  - envops maintainers (@envops)
options:
  db_snapshot_identifier:
    description: Name of the copy.
    type: str
    required: true
    aliases: [id, snapshot_id]
  source_db_snapshot_identifier:
    description:
      - The snapshot to copy, its name in this Region, or its ARN (required for another Region or account).
      - Required with O(state=present).
    type: str
    aliases: [source_id]
  source_region:
    description: Region of the source, checked against the ARN. The Region is taken from the ARN anyway.
    type: str
  kms_key_id:
    description:
      - KMS key of the copy (id, ARN, alias name or alias ARN), resolved to its ARN before the copy.
      - Required by AWS to copy an encrypted snapshot to another Region.
    type: str
  copy_tags:
    description: Copy the source's tags (only when O(tags) is empty, as AWS does).
    type: bool
    default: false
  shared_accounts:
    description:
      - Accounts (12 digits) allowed to restore the copy, or V(all) for public. Unset leaves them as they are.
      - AWS refuses to share a snapshot encrypted with the default RDS key.
    type: list
    elements: str
  purge_shared_accounts:
    description: Remove the accounts not in O(shared_accounts).
    type: bool
    default: true
  state:
    description: V(present) copies, V(absent) deletes the copy.
    type: str
    default: present
    choices: [present, absent]
  wait:
    description: Wait until the copy is available (or deleted).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 3600
attributes:
  check_mode:
    description: Reads the copy, its tags, the accounts it is shared with and the KMS key, and reports what would
      change without copying, tagging, sharing or deleting. For a copy that does not exist yet the source snapshot
      is not read, so a missing source shows only in a real run.
    support: full
  diff_mode:
    description: Returns the tags and shared accounts before and after the change, and the snapshot created or
      deleted.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Re-encrypt the production snapshot with the masking key
  envops.aws.rds_snapshot_copy:
    db_snapshot_identifier: envops-refresh-staging-20261123-masking
    source_db_snapshot_identifier: envops-refresh-staging-20261123
    kms_key_id: alias/envops/masking
    tags:
      purpose: masked-refresh

- name: Copy to the DR Region under the DR key, shared with the DR account
  envops.aws.rds_snapshot_copy:
    region: eu-central-1
    db_snapshot_identifier: prod-postgres-dr-20261123
    source_db_snapshot_identifier: arn:aws:rds:eu-west-1:111122223333:snapshot:prod-postgres-20261123
    kms_key_id: alias/envops/prod/data
    shared_accounts: ["444455556666"]
"""

RETURN = r"""
snapshot:
  description: The copy as DescribeDBSnapshots reports it (snake_case), with its tags; empty when absent.
  returned: always
  type: dict
  sample:
    db_snapshot_identifier: envops-refresh-staging-20261123-masking
    kms_key_id: arn:aws:kms:eu-west-1:111122223333:key/0d1e...
    status: available
shared_accounts:
  description: Accounts allowed to restore the copy.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import rds_snapshot_copy as copies
from ansible_collections.envops.aws.plugins.module_utils.kms_keys import resolve_kms_key


def result_of(snapshot, shared, tags):
    if not snapshot:
        return {"snapshot": {}, "shared_accounts": []}
    described = camel_dict_to_snake_dict(snapshot)
    described["tags"] = tags
    return {"snapshot": described, "shared_accounts": shared}


def ensure_absent(module, client, snapshot):
    if not snapshot:
        module.exit_json(changed=False, snapshot={}, shared_accounts=[])
    if not module.check_mode:
        copies.delete_snapshot(client, snapshot["DBSnapshotIdentifier"])
        if module.params["wait"]:
            copies.wait_for(client, snapshot["DBSnapshotIdentifier"], "db_snapshot_deleted",
                            module.params["wait_timeout"])
    module.exit_json(changed=True, snapshot={}, shared_accounts=[],
                     diff={"before": {"snapshot": snapshot["DBSnapshotIdentifier"]}, "after": {}})


def ensure_present(module, client, snapshot):
    params = module.params
    identifier = params["db_snapshot_identifier"]
    kms_key_arn = None
    if params["kms_key_id"]:
        kms_key_arn = resolve_kms_key(module.client("kms"), params["kms_key_id"])
        if kms_key_arn is None:
            module.fail_json(msg="KMS key %r (kms_key_id) does not exist in %s."
                             % (params["kms_key_id"], module.region))
    changed = False
    before = {}
    if snapshot:
        problem = copies.key_problem(snapshot, kms_key_arn)
        if problem:
            module.fail_json(msg=problem)
        tags = copies.tags_of(client, snapshot["DBSnapshotArn"])
        shared = copies.shared_accounts_of(client, identifier)
        before = {"tags": tags, "shared_accounts": shared}
    else:
        changed = True
        if module.check_mode:
            module.exit_json(changed=True, snapshot={}, shared_accounts=sorted(params["shared_accounts"] or []),
                             diff={"before": {}, "after": {"snapshot": identifier,
                                                           "tags": params["tags"] or {},
                                                           "shared_accounts": params["shared_accounts"] or []}})
        snapshot = copies.copy_snapshot(client, **copies.copy_params(params, module.region, kms_key_arn))
        if params["wait"]:
            copies.wait_for(client, identifier, "db_snapshot_available", params["wait_timeout"])
            snapshot = copies.describe_snapshot(client, identifier) or snapshot
        tags = copies.tags_of(client, snapshot["DBSnapshotArn"])
        shared = []

    set_tags, unset_tags = copies.tag_changes(tags, params["tags"], params["purge_tags"])
    shares = copies.share_changes(shared, params["shared_accounts"], params["purge_shared_accounts"])
    if set_tags or unset_tags or shares["add"] or shares["remove"]:
        changed = True
        if not module.check_mode:
            if unset_tags:
                copies.remove_tags(client, snapshot["DBSnapshotArn"], unset_tags)
            if set_tags:
                copies.add_tags(client, snapshot["DBSnapshotArn"], set_tags)
            if shares["add"] or shares["remove"]:
                copies.modify_shares(client, identifier, shares["add"], shares["remove"])
        tags = dict((key, value) for key, value in tags.items() if key not in unset_tags)
        tags.update(set_tags)
        shared = sorted(set(shared) - set(shares["remove"]) | set(shares["add"]))
    after = {"tags": tags, "shared_accounts": shared}
    module.exit_json(changed=changed, diff={"before": before, "after": after},
                     **result_of(snapshot, shared, tags))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            db_snapshot_identifier=dict(type="str", required=True, aliases=["id", "snapshot_id"]),
            source_db_snapshot_identifier=dict(type="str", aliases=["source_id"]),
            source_region=dict(type="str"),
            kms_key_id=dict(type="str"),
            copy_tags=dict(type="bool", default=False),
            shared_accounts=dict(type="list", elements="str"),
            purge_shared_accounts=dict(type="bool", default=True),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=3600),
        ),
        supports_check_mode=True,
    )
    problems = copies.validate_params(module.params, module.region)
    if problems:
        module.fail_json(msg=" ".join(problems))
    client = module.client("rds")
    try:
        snapshot = copies.describe_snapshot(client, module.params["db_snapshot_identifier"])
        if module.params["state"] == "absent":
            ensure_absent(module, client, snapshot)
        ensure_present(module, client, snapshot)
    except botocore.exceptions.WaiterError as error:  # a BotoCoreError too: first
        module.fail_json(msg="snapshot %s did not settle in %d s: %s"
                         % (module.params["db_snapshot_identifier"], module.params["wait_timeout"], error))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not copy snapshot %s" % module.params["db_snapshot_identifier"])


if __name__ == "__main__":
    main()
