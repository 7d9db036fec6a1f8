#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: backup_vault_lock
version_added: 0.1.0
short_description: Lock an AWS Backup vault (minimum and maximum retention), or remove a governance lock
description:
  - Keeps the AWS Backup Vault Lock of O(backup_vault_name) as wanted. amazon.aws.backup_vault has no lock option.
  - Without O(changeable_for_days) the lock is in governance mode (a privileged user can change or remove it). With
    it the lock is in compliance mode and becomes immutable that many days later; an immutable lock that differs
    from the wanted one is refused with the reason before any change, and so is its removal.
  - A lock that already matches is left alone, so a compliance lock in its cooling-off period is not restarted.
  - Check mode and diff report the change without making it.
author:
  - envops maintainers (@envops)
options:
  backup_vault_name:
    description: The vault.
    type: str
    required: true
  min_retention_days:
    description: Recovery points are kept at least this long (1 to 36500).
    type: int
  max_retention_days:
    description: Recovery points are kept at most this long (1 to 36500).
    type: int
  changeable_for_days:
    description:
      - Compliance mode - days (at least 3) until the lock becomes immutable. Omit for governance mode.
    type: int
  state:
    description: V(present) locks, V(absent) removes the lock (refused once it is immutable).
    type: str
    default: present
    choices: [present, absent]
attributes:
  check_mode:
    description: Reads the vault and its lock, refuses what a real run would refuse (an immutable lock changed or
      removed) and reports the change, without calling PutBackupVaultLockConfiguration or
      DeleteBackupVaultLockConfiguration.
    support: full
  diff_mode:
    description: Returns the lock before and after the change (locked, minimum and maximum retention, mode).
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Nobody deletes prod's recovery points before 7 days, none lives longer than 35 (governance mode)
  envops.aws.backup_vault_lock:
    backup_vault_name: envops-prod
    min_retention_days: 7
    max_retention_days: 35

- name: The same in compliance mode, immutable after 3 days
  envops.aws.backup_vault_lock:
    backup_vault_name: envops-prod
    min_retention_days: 7
    max_retention_days: 35
    changeable_for_days: 3
"""

RETURN = r"""
vault_lock:
  description: The lock after the run - locked, min_retention_days, max_retention_days, mode (governance or
    compliance), lock_date (when a compliance lock becomes immutable), immutable.
  returned: always
  type: dict
  sample: {"locked": true, "min_retention_days": 7, "max_retention_days": 35, "mode": "governance",
           "lock_date": null, "immutable": false}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import backup_vault_lock as locks


def comparable(lock):
    return dict((key, lock.get(key)) for key in ("locked", "min_retention_days", "max_retention_days", "mode"))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            backup_vault_name=dict(type="str", required=True),
            min_retention_days=dict(type="int"),
            max_retention_days=dict(type="int"),
            changeable_for_days=dict(type="int"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    name = params["backup_vault_name"]
    days = (params["min_retention_days"], params["max_retention_days"], params["changeable_for_days"])
    if params["state"] == "present":
        problems = locks.validate(*days)
        if problems:
            module.fail_json(msg="vault lock of %s: %s" % (name, " ".join(problems)))
    client = module.client("backup")
    try:
        vault = locks.describe_vault(client, name)
        if vault is None:
            module.fail_json(msg="backup vault %s does not exist (or this identity may not read it)." % name)
        current = locks.lock_of(vault)
        if params["state"] == "present":
            desired = locks.wanted(*days)
            change = "changed"
        else:
            desired = {"locked": False, "min_retention_days": None, "max_retention_days": None, "mode": None}
            change = "removed"
        if not locks.differs(current, desired):
            module.exit_json(changed=False, vault_lock=current)
        refused = locks.refusal(name, current, change)
        if refused:
            module.fail_json(msg=refused, vault_lock=current)
        diff = {"before": comparable(current), "after": desired}
        if module.check_mode:
            module.exit_json(changed=True, vault_lock=dict(current, **desired), diff=diff)
        if params["state"] == "present":
            locks.put_lock(client, name, *days)
        else:
            locks.delete_lock(client, name)
        after = locks.lock_of(locks.describe_vault(client, name) or {})
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    module.exit_json(changed=True, vault_lock=after, diff=diff)


if __name__ == "__main__":
    main()
