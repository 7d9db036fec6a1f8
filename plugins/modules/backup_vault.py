#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: backup_vault
version_added: 0.1.0
short_description: An AWS Backup vault under a KMS key, with its tags
description:
  - Creates, tags or deletes the AWS Backup vault O(backup_vault_name).
  - The vault is found by listing the account's vaults. amazon.aws.backup_vault reads it with DescribeBackupVault,
    which AWS answers with AccessDeniedException for a vault that does not exist, and so warns on every run that
    creates one (and takes a real lack of permission for a missing vault).
  - A vault's key is fixed when it is created. A vault with another key than O(encryption_key_arn) is refused with
    the reason (amazon.aws.backup_vault ignores the difference).
  - Vault Lock is the business of M(envops.aws.backup_vault_lock).
  - Check mode and diff report the change without making it.
author:
  - envops maintainers (@envops)
options:
  backup_vault_name:
    description: The vault (2 to 50 letters, digits, hyphens and underscores).
    type: str
    required: true
  encryption_key_arn:
    description:
      - The ARN of the KMS key that encrypts the vault's recovery points (not an alias).
      - Omitted, a new vault is encrypted with AWS Backup's default key and an existing vault keeps its key.
    type: str
  state:
    description: V(present) creates the vault, V(absent) deletes it (AWS refuses a vault that holds recovery points).
    type: str
    default: present
    choices: [present, absent]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    description: Reports the vault that would be created, tagged or deleted, changes nothing.
    support: full
  diff_mode:
    description: The vault's key and tags before and after (C(exists) false when absent).
    support: full
"""

EXAMPLES = r"""
- name: The vault of prod under its backups key
  envops.aws.backup_vault:
    backup_vault_name: envops-prod
    encryption_key_arn: arn:aws:kms:me-south-1:111111111111:key/0d2b6f3e-6a1c-4e43-9d0a-2c1a5e1b7f10
    tags:
      env: prod

- name: Delete it
  envops.aws.backup_vault:
    backup_vault_name: envops-prod
    state: absent
"""

RETURN = r"""
vault:
  description: The vault after the run (empty when absent); in check mode, what it would be.
  returned: always
  type: dict
  contains:
    backup_vault_name:
      description: The vault's name.
      type: str
    backup_vault_arn:
      description: Its ARN (not known yet in check mode for a new vault).
      type: str
    encryption_key_arn:
      description: The ARN of its KMS key.
      type: str
    tags:
      description: Its tags.
      type: dict
    number_of_recovery_points:
      description: How many recovery points it holds.
      type: int
  sample: {"backup_vault_name": "envops-prod",
           "backup_vault_arn": "arn:aws:backup:me-south-1:111111111111:backup-vault:envops-prod",
           "encryption_key_arn": "arn:aws:kms:me-south-1:111111111111:key/0d2b6f3e-6a1c-4e43-9d0a-2c1a5e1b7f10",
           "tags": {"env": "prod"}, "number_of_recovery_points": 0}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import backup_vault as vaults


def result_of(name, listed, tags):
    if listed is None:
        return {}
    return {"backup_vault_name": name, "backup_vault_arn": listed.get("BackupVaultArn"),
            "encryption_key_arn": listed.get("EncryptionKeyArn"), "tags": tags,
            "number_of_recovery_points": listed.get("NumberOfRecoveryPoints", 0)}


def read(client, name):
    listed = vaults.find_vault(client, name)
    tags = vaults.list_tags(client, listed["BackupVaultArn"]) if listed else None
    return listed, tags


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            backup_vault_name=dict(type="str", required=True),
            encryption_key_arn=dict(type="str", no_log=False),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    name = params["backup_vault_name"]
    problems = vaults.validate(name, params["encryption_key_arn"])
    if problems:
        module.fail_json(msg="backup vault: %s" % " ".join(problems))
    client = module.client("backup")
    try:
        listed, tags = read(client, name)
        current = vaults.state_of(listed, tags)
        if params["state"] == "absent":
            desired = {"exists": False}
        else:
            desired = vaults.desired_state(current, params["encryption_key_arn"], params["tags"],
                                           params["purge_tags"])
        if desired == current:
            module.exit_json(changed=False, vault=result_of(name, listed, tags))
        refused = vaults.refusal(name, current, desired) if desired["exists"] else None
        if refused:
            module.fail_json(msg=refused, vault=result_of(name, listed, tags))
        diff = {"before": current, "after": desired}
        if module.check_mode:
            preview = {} if not desired["exists"] else dict(
                result_of(name, listed or {}, desired["tags"]), backup_vault_name=name,
                encryption_key_arn=desired["encryption_key_arn"])
            module.exit_json(changed=True, vault=preview, diff=diff)
        if not desired["exists"]:
            vaults.delete_vault(client, name)
        elif not current["exists"]:
            vaults.create_vault(client, name, desired["encryption_key_arn"], desired["tags"])
        else:
            vaults.tag_vault(client, listed["BackupVaultArn"], *vaults.tag_changes(current["tags"], desired["tags"]))
        listed, tags = read(client, name)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    module.exit_json(changed=True, vault=result_of(name, listed, tags), diff=diff)


if __name__ == "__main__":
    main()
