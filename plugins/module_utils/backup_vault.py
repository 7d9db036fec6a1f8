# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Backup vaults: found by listing, created under a KMS key, tagged, deleted.

AWS answers DescribeBackupVault of a vault that does not exist with AccessDeniedException, the same answer as for a
caller who may not read it. amazon.aws.backup_vault takes that answer for "missing" and warns on every run that
creates a vault. Listing the account's vaults tells the two apart: a missing vault is simply not listed, and a caller
without permission gets an error that says so. A vault's key is fixed when it is created (no call changes it), so a
different key is refused with the reason rather than ignored.
"""

import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

# AWS: 2 to 50 letters, digits, hyphens and underscores
VAULT_NAME = re.compile(r"^[A-Za-z0-9_-]{2,50}$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,128}$")


def validate(name: str, encryption_key_arn: Optional[str]) -> List[str]:
    """What is wrong with the request (empty: nothing), before any AWS call."""
    problems = []
    if not VAULT_NAME.match(name or ""):
        problems.append("backup_vault_name %r must be 2 to 50 letters, digits, hyphens or underscores." % name)
    if encryption_key_arn is not None and not KMS_KEY_ARN.match(encryption_key_arn):
        problems.append("encryption_key_arn %r must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<id>),"
                        " which AWS Backup stores as is." % encryption_key_arn)
    return problems


def state_of(vault: Optional[Dict[str, Any]], tags: Optional[Dict[str, str]]) -> Dict[str, Any]:
    """The comparable state of a listed vault (None: absent)."""
    if vault is None:
        return {"exists": False}
    return {"exists": True, "encryption_key_arn": vault.get("EncryptionKeyArn"), "tags": dict(tags or {})}


def desired_state(current: Dict[str, Any], encryption_key_arn: Optional[str], tags: Optional[Dict[str, Any]],
                  purge_tags: bool) -> Dict[str, Any]:
    """The state after a run: the amazon.aws tag contract (tags unset: left alone; aws: keys never purged); no
    key given keeps the vault's key (a new vault gets AWS Backup's default key)."""
    current_tags = current.get("tags") or {}
    if tags is None:
        wanted_tags = dict(current_tags)
    else:
        to_set, to_unset = compare_aws_tags(current_tags, tags, purge_tags)
        wanted_tags = dict((key, value) for key, value in current_tags.items() if key not in to_unset)
        wanted_tags.update((key, str(value)) for key, value in to_set.items())
    key = encryption_key_arn if encryption_key_arn is not None else current.get("encryption_key_arn")
    return {"exists": True, "encryption_key_arn": key, "tags": wanted_tags}


def refusal(name: str, current: Dict[str, Any], desired: Dict[str, Any]) -> Optional[str]:
    """Why the vault cannot become ``desired`` (None: it can)."""
    if current["exists"] and desired["encryption_key_arn"] != current["encryption_key_arn"]:
        return ("backup vault %s is encrypted with %s, not %s: a vault's key is fixed when it is created. Use a new "
                "vault for the new key (recovery points stay in the old one until they expire)."
                % (name, current["encryption_key_arn"], desired["encryption_key_arn"]))
    return None


def tag_changes(current: Dict[str, str], desired: Dict[str, str]):
    """(tags to set, keys to remove) that turn ``current`` into ``desired``."""
    to_set = dict((key, value) for key, value in desired.items() if current.get(key) != value)
    to_remove = sorted(key for key in current if key not in desired)
    return to_set, to_remove


class VaultErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


@VaultErrorHandler.common_error_handler("list the backup vaults")
@aws_retry()
def find_vault(client, name: str) -> Optional[Dict[str, Any]]:
    for page in client.get_paginator("list_backup_vaults").paginate():
        for vault in page["BackupVaultList"]:
            if vault["BackupVaultName"] == name:
                return vault
    return None


@VaultErrorHandler.common_error_handler("list the tags of the backup vault")
@aws_retry()
def list_tags(client, arn: str) -> Dict[str, str]:
    return client.list_tags(ResourceArn=arn).get("Tags") or {}


@VaultErrorHandler.common_error_handler("create the backup vault")
@aws_retry()
def create_vault(client, name: str, encryption_key_arn: Optional[str], tags: Dict[str, str]) -> None:
    params: Dict[str, Any] = {"BackupVaultName": name}
    if encryption_key_arn is not None:
        params["EncryptionKeyArn"] = encryption_key_arn
    if tags:
        params["BackupVaultTags"] = tags
    client.create_backup_vault(**params)


@VaultErrorHandler.common_error_handler("tag the backup vault")
@aws_retry()
def tag_vault(client, arn: str, to_set: Dict[str, str], to_remove: List[str]) -> None:
    if to_remove:
        client.untag_resource(ResourceArn=arn, TagKeyList=to_remove)
    if to_set:
        client.tag_resource(ResourceArn=arn, Tags=to_set)


@VaultErrorHandler.deletion_error_handler("delete the backup vault")
@aws_retry()
def delete_vault(client, name: str) -> bool:
    client.delete_backup_vault(BackupVaultName=name)
    return True
