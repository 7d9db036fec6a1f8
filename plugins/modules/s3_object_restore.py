#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: s3_object_restore
version_added: 0.1.0
short_description: Bring the objects under a prefix of a versioned S3 bucket back to a point in time
description:
  - Lists the versions and delete markers under O(prefix) and works out, per key, the version that was current at
    O(point).
  - Copies that version to O(target_prefix) (the same prefix by default, in place), where it becomes the current
    version. In place, keys that did not exist at O(point) are deleted, which only adds a delete marker; the
    replaced versions stay as noncurrent versions, so nothing is lost. Under another prefix nothing is deleted.
  - A key whose current object already has the wanted content (same ETag) is left alone, so a second run reports
    no change. After the copies the target is listed again and every key is checked against the point's version;
    a mismatch fails the module.
  - Check mode and diff show the copies and deletes without making them.
  - Objects larger than 5 GiB cannot be copied with a single CopyObject and are refused by S3.
  - V(state=absent) deletes every version and delete marker under O(target_prefix), which must be a restore area
    (a prefix under C(restore-) or C(envops-drill/), ending in C(/)), so that a cleanup never removes live objects.
author:
  - envops maintainers (@envops)
options:
  bucket:
    description: The bucket. Versioning must be (or have been) enabled on it.
    type: str
    required: true
  prefix:
    description: Key prefix of the objects to restore; all objects when empty.
    type: str
    default: ""
  point:
    description: The time to restore to, ISO 8601 with a time zone. Required with V(state=present).
    type: str
  target_prefix:
    description:
      - Where the restored objects are written, replacing O(prefix) in each key. Defaults to O(prefix) (in place).
    type: str
  kms_key_id:
    description: KMS key for the written copies (SSE-KMS); the bucket's default encryption when omitted.
    type: str
  state:
    description: V(present) restores, V(absent) deletes a restore area (O(target_prefix)) with all its versions.
    type: str
    default: present
    choices: [present, absent]
attributes:
  check_mode:
    description: Lists the versions and returns the copies and deletes a real run would make (RV(actions)), without
      making them; the check of the restored keys against the point (RV(validated)) is not run.
    support: full
  diff_mode:
    description: Returns the current keys before, and the keys copied and deleted after.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Put the exports back as they were before the bad batch job, in place
  envops.aws.s3_object_restore:
    bucket: envops-prod-210000000004-exports
    prefix: reports/
    point: "2026-11-23T09:00:00+00:00"

- name: Restore them under another prefix to compare first
  envops.aws.s3_object_restore:
    bucket: envops-prod-210000000004-exports
    prefix: reports/
    point: "2026-11-23T09:00:00+00:00"
    target_prefix: restore-20261123/reports/

- name: Delete that restore area again, every version of it
  envops.aws.s3_object_restore:
    bucket: envops-prod-210000000004-exports
    target_prefix: restore-20261123/
    state: absent
"""

RETURN = r"""
actions:
  description: The copies (target key, source key, version id) and deletes made, or in check mode to be made.
  returned: always
  type: list
  elements: dict
summary:
  description: C(objects_at_point), C(copied), C(deleted), C(unchanged).
  returned: always
  type: dict
  sample: {"objects_at_point": 12, "copied": 3, "deleted": 1, "unchanged": 9}
validated:
  description: Whether the target was listed again and matched the point's versions (false in check mode).
  returned: when state=present
  type: bool
deleted_versions:
  description: How many object versions and delete markers V(state=absent) deleted (or would delete).
  returned: when state=absent
  type: int
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import s3_versions
from ansible_collections.envops.aws.plugins.module_utils.restore_request import RestoreRequestError
from ansible_collections.envops.aws.plugins.module_utils.restore_request import parse_point


def target_state(client, params):
    versions, markers = s3_versions.list_versions(client, params["bucket"], params["target_prefix"])
    return s3_versions.current_state(versions, markers)


def delete_area(module, client, params):
    problem = s3_versions.restore_area_problem(params["target_prefix"] or "")
    if problem:
        module.fail_json(msg=problem)
    versions, markers = s3_versions.list_versions(client, params["bucket"], params["target_prefix"])
    entries = versions + markers
    if entries and not module.check_mode:
        for batch in s3_versions.version_batches(entries):
            errors = s3_versions.delete_versions(client, params["bucket"], batch)
            if errors:
                module.fail_json(msg="could not delete %d versions under s3://%s/%s, e.g. %s" % (
                    len(errors), params["bucket"], params["target_prefix"], errors[0]))
    module.exit_json(changed=bool(entries), deleted_versions=len(entries),
                     diff={"before": {"keys": sorted(set(entry["Key"] for entry in entries))}, "after": {"keys": []}})


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            prefix=dict(type="str", default=""),
            point=dict(type="str"),
            target_prefix=dict(type="str"),
            kms_key_id=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        required_if=[("state", "present", ["point"]), ("state", "absent", ["target_prefix"])],
        supports_check_mode=True,
    )
    params = module.params
    if params["state"] == "absent":
        try:
            delete_area(module, module.client("s3"), params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            module.fail_json_aws(error, msg="could not delete s3://%s/%s" % (params["bucket"], params["target_prefix"]))
    if params["target_prefix"] is None:
        params["target_prefix"] = params["prefix"]
    try:
        point = parse_point(params["point"])
    except RestoreRequestError as error:
        module.fail_json(msg=str(error))
    if point is None:
        module.fail_json(msg="point: the time to restore the objects to is required ('latest' is what is there).")
    in_place = params["target_prefix"] == params["prefix"]
    if not in_place and params["prefix"].startswith(params["target_prefix"]):
        module.fail_json(msg="target_prefix %r contains prefix %r: the restored copies would overwrite the objects."
                         % (params["target_prefix"], params["prefix"]))
    client = module.client("s3")
    try:
        if s3_versions.versioning_status(client, params["bucket"]) not in ("Enabled", "Suspended"):
            module.fail_json(msg="bucket %s has never had versioning enabled: it keeps no earlier versions."
                             % params["bucket"])
        versions, markers = s3_versions.list_versions(client, params["bucket"], params["prefix"])
        wanted = s3_versions.state_at(versions, markers, point)
        if not in_place:  # restore areas (this one, earlier restores, drills) are not restored again
            wanted = dict((key, entry) for key, entry in wanted.items()
                          if not key.startswith((params["target_prefix"],) + s3_versions.RESTORE_AREAS))
        current = s3_versions.current_state(versions, markers) if in_place else target_state(client, params)
        actions = s3_versions.plan_restore(wanted, current, params["prefix"], params["target_prefix"])
        result = {"changed": bool(actions), "actions": actions, "summary": s3_versions.summary(actions, wanted),
                  "validated": False,
                  "diff": {"before": {"keys": sorted(key for key, entry in current.items() if entry)},
                           "after": {"copied": [a["key"] for a in actions if a["action"] == "copy"],
                                     "deleted": [a["key"] for a in actions if a["action"] == "delete"]}}}
        if module.check_mode:
            module.exit_json(**result)
        for action in actions:
            if action["action"] == "copy":
                action["new_version_id"] = s3_versions.copy_version(client, params["bucket"], action,
                                                                    params["kms_key_id"])
            else:
                s3_versions.delete_key(client, params["bucket"], action["key"])
        problems = s3_versions.mismatches(wanted, target_state(client, params), params["prefix"],
                                          params["target_prefix"])
        if problems:
            module.fail_json(msg="the restored objects do not match the point in time: " + "; ".join(problems[:20]),
                             **result)
        result["validated"] = True
        module.exit_json(**result)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not restore s3://%s/%s" % (params["bucket"], params["prefix"]))


if __name__ == "__main__":
    main()
