#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dynamodb_table_restore
version_added: 0.1.0
short_description: Restore a DynamoDB table to a point in time into a new table, or delete such a restore
description:
  - Restores O(source_table) with point-in-time recovery into the new table O(target_table), on demand, encrypted
    with O(kms_key_id), at O(point) or at the latest restorable time. The point is checked against the table's
    restorable window before the call.
  - The new table carries the tags C(envops:restored-from) and C(envops:restore-point) (plus O(tags)). A target
    that exists with the same mark is reported unchanged; any other existing table of that name is refused.
  - A restore does not carry streams, TTL, point-in-time recovery, auto scaling or tags. Re-apply them with
    M(envops.aws.dynamodb_table) (role C(restore) does).
  - Returns the item count and an order-independent checksum of the restored items, and with O(compare_source)
    those of the source, so a restore of a quiet table can be proven equal to it.
  - V(state=absent) deletes O(target_table) only if it carries the restore mark and no deletion protection, so a
    cleanup can never remove a live table.
  - With O(target_prefix) instead of O(target_table), V(state=absent) deletes every table of that prefix that a
    restore made and that has no deletion protection (the reaper of scratch tables a killed drill left behind);
    other tables of the prefix are left alone.
  - Check mode reports what would be restored or deleted.
notes:
  - The local moto server ignores the point in time and the overrides of a restore; it copies the items the
    source has now. The marks, the digest and the re-applied settings are real there.
author:
  - envops maintainers (@envops)
options:
  source_table:
    description: The table to restore. Required with V(state=present).
    type: str
  target_table:
    description: The new table. Required unless O(target_prefix) is given.
    type: str
  target_prefix:
    description:
      - With V(state=absent) only, instead of O(target_table) - delete every table whose name starts with it and that
        a restore made. Tables without the restore mark, or with deletion protection, are left alone.
    type: str
  required_tag:
    description:
      - With O(target_prefix), delete only the tables that also carry this tag key (a drill's C(envops:drill-id)),
        so that a live table a restore made (and that a replace switched the application to) is never reaped.
    type: str
  point:
    description: ISO 8601 time with a time zone; the latest restorable time when omitted or V(latest).
    type: str
  kms_key_id:
    description: KMS key (id, ARN or alias) to encrypt the new table with; the AWS owned key when omitted.
    type: str
  compare_source:
    description: Also compute the digest of the source table (a full scan of it).
    type: bool
    default: false
  tags:
    description: Tags for the new table, in addition to the restore marks.
    type: dict
    aliases: [resource_tags]
  state:
    description: V(present) restores, V(absent) deletes a table a restore made.
    type: str
    default: present
    choices: [present, absent]
  wait_timeout:
    description: Seconds to wait for the new table to become active, or to be gone.
    type: int
    default: 1800
attributes:
  check_mode:
    description: Makes every check of a real run (names, marks, deletion protection, the restorable window, the KMS
      key) and reports the table it would restore or the tables it would delete, without restoring, tagging or
      deleting. The digests are computed only of a restore that already exists.
    support: full
  diff_mode:
    description: Names the table restored (with its source and point) or the tables deleted.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Restore the sessions table as it was at 09:00 into a new table
  envops.aws.dynamodb_table_restore:
    source_table: prod-sessions
    target_table: prod-sessions-restore-20261123
    point: "2026-11-23T09:00:00+00:00"
    kms_key_id: alias/envops/prod/data

- name: Remove what killed drills of prod left behind
  envops.aws.dynamodb_table_restore:
    target_prefix: prod-drill-
    required_tag: envops:drill-id
    state: absent

- name: Delete the restore again
  envops.aws.dynamodb_table_restore:
    target_table: prod-sessions-restore-20261123
    state: absent
"""

RETURN = r"""
table:
  description: Name, ARN and status of the restored table (empty after V(state=absent)).
  returned: always
  type: dict
marks:
  description:
    - The restore marks of the table (C(envops:restored-from), C(envops:restore-point)). Keep them in the tags when
      re-applying settings with tag purging, or the table no longer counts as a restore.
  returned: when state=present
  type: dict
digest:
  description: C(items) and C(checksum) of the restored table (not in check mode).
  returned: when state=present
  type: dict
  sample: {"items": 150, "checksum": "1f0c9a3b5d7e2a41"}
source_digest:
  description: C(items) and C(checksum) of the source table.
  returned: when compare_source=true
  type: dict
deleted:
  description: The tables deleted by V(state=absent) with O(target_prefix).
  returned: when O(target_prefix) is given
  type: list
  elements: str
matches_source:
  description: Whether the restored items equal the source's now.
  returned: when compare_source=true
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import dynamodb
from ansible_collections.envops.aws.plugins.module_utils import dynamodb_restore as restores
from ansible_collections.envops.aws.plugins.module_utils.restore_request import RestoreRequestError
from ansible_collections.envops.aws.plugins.module_utils.restore_request import parse_point


def summary_of(table):
    return {"name": table["TableName"], "arn": table.get("TableArn"), "status": table.get("TableStatus")}


def ensure_absent(module, client, name):
    table = dynamodb.describe_table(client, name)
    if table is None:
        module.exit_json(changed=False, table={})
    tags = dynamodb.list_tags(client, table["TableArn"])
    if not restores.is_restore_of(tags):
        module.fail_json(msg="table %s was not made by a restore (no %s tag): refusing to delete it."
                         % (name, restores.RESTORED_FROM))
    if table.get("DeletionProtectionEnabled"):
        module.fail_json(msg="table %s has deletion protection on: it may have become live; refusing to delete it."
                         % name)
    if not module.check_mode:
        dynamodb.delete_table(client, name)
        dynamodb.wait_table_deleted(client, name, module.params["wait_timeout"])
    module.exit_json(changed=True, table={}, diff={"before": {"table": name}, "after": {}})


def reap(module, client, prefix, required_tag):
    deleted = []
    for name in restores.table_names(client, prefix):
        table = dynamodb.describe_table(client, name)
        if table is None or table.get("DeletionProtectionEnabled"):
            continue
        tags = dynamodb.list_tags(client, table["TableArn"])
        if not restores.is_restore_of(tags) or (required_tag and required_tag not in tags):
            continue
        if not module.check_mode:
            dynamodb.delete_table(client, name)
        deleted.append(name)
    if not module.check_mode:
        for name in deleted:
            dynamodb.wait_table_deleted(client, name, module.params["wait_timeout"])
    module.exit_json(changed=bool(deleted), deleted=deleted, table={},
                     diff={"before": {"tables": deleted}, "after": {"tables": []}})


def with_digests(module, client, name, result):
    if module.check_mode and result["changed"]:
        return result
    result["digest"] = restores.table_digest(client, name)
    if module.params["compare_source"]:
        result["source_digest"] = restores.table_digest(client, module.params["source_table"])
        result["matches_source"] = result["source_digest"] == result["digest"]
    return result


def ensure_present(module, client, point):
    params = module.params
    source, target = params["source_table"], params["target_table"]
    existing = dynamodb.describe_table(client, target)
    if existing is not None:
        tags = dynamodb.list_tags(client, existing["TableArn"])
        if not restores.is_restore_of(tags, source):
            module.fail_json(msg="table %s exists and is not a restore of %s: a restore never overwrites a table."
                             % (target, source))
        module.exit_json(**with_digests(module, client, target, {"changed": False, "table": summary_of(existing),
                                                                 "marks": restores.marks_of(tags)}))
    if dynamodb.describe_table(client, source) is None:
        module.fail_json(msg="source table %s does not exist." % source)
    problem = restores.point_problem(dynamodb.describe_continuous_backups(client, source), source, point)
    if problem:
        module.fail_json(msg=problem)
    kms_key_arn = None
    if params["kms_key_id"]:
        kms_key_arn = dynamodb.resolve_kms_key(module.client("kms"), params["kms_key_id"])
        if kms_key_arn is None:
            module.fail_json(msg="KMS key %r (kms_key_id) does not exist in this account and region."
                             % params["kms_key_id"])
    tags = dict(params["tags"] or {})
    tags.update(restores.restore_marks(source, point))
    diff = {"before": {}, "after": {"table": target, "source": source, "point": tags[restores.RESTORE_POINT]}}
    if module.check_mode:
        module.exit_json(changed=True, table={"name": target}, marks=restores.marks_of(tags), diff=diff)
    table = restores.restore_table(client, **restores.restore_params(source, target, point, kms_key_arn))
    dynamodb.wait_table_active(client, target, params["wait_timeout"])
    dynamodb.tag_table(client, table["TableArn"], dict((key, str(value)) for key, value in tags.items()))
    table = dynamodb.describe_table(client, target) or table
    module.exit_json(**with_digests(module, client, target, {"changed": True, "table": summary_of(table),
                                                             "marks": restores.marks_of(tags), "diff": diff}))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            source_table=dict(type="str"),
            target_table=dict(type="str"),
            target_prefix=dict(type="str"),
            required_tag=dict(type="str"),
            point=dict(type="str"),
            kms_key_id=dict(type="str"),
            compare_source=dict(type="bool", default=False),
            tags=dict(type="dict", aliases=["resource_tags"]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            wait_timeout=dict(type="int", default=1800),
        ),
        required_if=[("state", "present", ["source_table"])],
        required_one_of=[("target_table", "target_prefix")],
        required_by={"required_tag": "target_prefix"},
        mutually_exclusive=[("target_table", "target_prefix")],
        supports_check_mode=True,
    )
    params = module.params
    for field in ("source_table", "target_table"):
        if params[field] is not None and not dynamodb.NAME.match(params[field]):
            module.fail_json(msg="%s %r: 3-255 letters, digits, '_', '-' and '.'." % (field, params[field]))
    if params["target_prefix"] is not None and (params["state"] != "absent" or len(params["target_prefix"]) < 3):
        module.fail_json(msg="target_prefix is for state=absent only, and needs at least 3 characters.")
    if params["state"] == "present" and params["source_table"] == params["target_table"]:
        module.fail_json(msg="target_table must be a new table, not the source.")
    try:
        point = parse_point(params["point"])
    except RestoreRequestError as error:
        module.fail_json(msg=str(error))
    client = module.client("dynamodb")
    try:
        if params["target_prefix"] is not None:
            reap(module, client, params["target_prefix"], params["required_tag"])
        if params["state"] == "absent":
            ensure_absent(module, client, params["target_table"])
        ensure_present(module, client, point)
    except dynamodb.AnsibleDynamoDBError as error:
        module.fail_json_aws_error(error)


if __name__ == "__main__":
    main()
