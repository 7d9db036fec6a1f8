# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A copy of an RDS DB snapshot under a chosen KMS key, in this or from another Region, with tags and the accounts
it is shared with.

amazon.aws.rds_instance_snapshot copies snapshots but takes no KMS key: a copy that must be re-encrypted (the
masking key of a refresh, the DR Region's key of a cross-Region copy, which AWS requires for an encrypted snapshot)
is made here. Validation happens before any AWS call; the plan (what to change on an existing copy) is pure.

A snapshot's key and source are fixed at copy time: a copy with another key is refused with the field, never
replaced (the name is free only after the old copy is deleted).
"""

import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.waiter import custom_waiter_config
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

# Letters, digits and hyphens; a letter first; no two hyphens in a row, none at the end; 1-255 characters.
_SNAPSHOT_ID = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$")
_SNAPSHOT_ARN = re.compile(r"^arn:aws[a-z-]*:rds:([a-z0-9-]+):([0-9]{12}):snapshot:(.+)$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")
RESTORE = "restore"
# A snapshot still being made or copied, or too many copies at once: tried again.
SNAPSHOT_BUSY_CODES = ["InvalidDBSnapshotState", "SnapshotQuotaExceeded"]


def valid_snapshot_id(identifier: str) -> bool:
    return bool(identifier) and len(identifier) <= 255 and bool(_SNAPSHOT_ID.match(identifier)) \
        and not identifier.endswith("-")


def parse_snapshot_arn(arn: str) -> Optional[Dict[str, str]]:
    match = _SNAPSHOT_ARN.match(arn or "")
    if not match:
        return None
    return {"region": match.group(1), "account": match.group(2), "snapshot": match.group(3)}


def validate_params(params: Dict[str, Any], region: Optional[str]) -> List[str]:
    """Every problem of the module's parameters that AWS would refuse later, or not at all."""
    problems = []
    if not valid_snapshot_id(params["db_snapshot_identifier"]):
        problems.append("db_snapshot_identifier %r: 1-255 letters, digits and hyphens, a letter first, no '--' and no "
                        "hyphen at the end." % params["db_snapshot_identifier"])
    source = params.get("source_db_snapshot_identifier")
    if params["state"] == "present":
        if not source:
            problems.append("source_db_snapshot_identifier is required with state=present.")
        elif source.startswith("arn:"):
            arn = parse_snapshot_arn(source)
            if arn is None:
                problems.append("source_db_snapshot_identifier %r is not a DB snapshot ARN "
                                "(arn:aws:rds:<region>:<account>:snapshot:<name>)." % source)
            elif params.get("source_region") and arn["region"] != params["source_region"]:
                problems.append("source_region %s differs from the Region of the source ARN (%s)."
                                % (params["source_region"], arn["region"]))
        elif not valid_snapshot_id(source) and not source.startswith("rds:"):
            problems.append("source_db_snapshot_identifier %r is neither a snapshot name nor an ARN." % source)
        elif params.get("source_region") and params["source_region"] != region:
            problems.append("a copy from another Region (source_region %s) needs the source snapshot's ARN."
                            % params["source_region"])
    for account in params.get("shared_accounts") or []:
        if account != "all" and not _ACCOUNT.match(str(account)):
            problems.append("shared_accounts: %r is neither a 12-digit account id nor 'all'." % account)
    return problems


def source_region_of(params: Dict[str, Any], region: str) -> Optional[str]:
    """The Region to name in CopyDBSnapshot's SourceRegion (boto3 then signs the pre-signed URL), None when local."""
    arn = parse_snapshot_arn(params.get("source_db_snapshot_identifier") or "")
    if arn and arn["region"] != region:
        return arn["region"]
    return None


def copy_params(params: Dict[str, Any], region: str, kms_key_arn: Optional[str]) -> Dict[str, Any]:
    """CopyDBSnapshot arguments."""
    call = dict(SourceDBSnapshotIdentifier=params["source_db_snapshot_identifier"],
                TargetDBSnapshotIdentifier=params["db_snapshot_identifier"],
                CopyTags=bool(params.get("copy_tags")))
    if kms_key_arn:
        call["KmsKeyId"] = kms_key_arn
    if params.get("tags"):
        call["Tags"] = [{"Key": key, "Value": str(value)} for key, value in sorted(params["tags"].items())]
    source_region = source_region_of(params, region)
    if source_region:
        call["SourceRegion"] = source_region
    return call


def key_problem(snapshot: Dict[str, Any], kms_key_arn: Optional[str]) -> Optional[str]:
    """Why the existing copy cannot be the wanted one (its key is fixed), or None."""
    if kms_key_arn and snapshot.get("KmsKeyId") != kms_key_arn:
        return ("snapshot %s is encrypted with %s, not %s: a snapshot's key cannot change; delete it or choose "
                "another db_snapshot_identifier." % (snapshot["DBSnapshotIdentifier"],
                                                     snapshot.get("KmsKeyId") or "no key", kms_key_arn))
    return None


def share_changes(current: List[str], wanted: Optional[List[str]], purge: bool) -> Dict[str, List[str]]:
    """ModifyDBSnapshotAttribute(restore) ValuesToAdd / ValuesToRemove; nothing when ``wanted`` is None."""
    if wanted is None:
        return {"add": [], "remove": []}
    wanted = sorted(set(str(account) for account in wanted))
    add = [account for account in wanted if account not in current]
    remove = sorted(account for account in current if account not in wanted) if purge else []
    return {"add": add, "remove": remove}


def tag_changes(current: Dict[str, str], wanted: Optional[Dict[str, Any]], purge: bool):
    """(tags to set, keys to remove); nothing when ``wanted`` is None."""
    if wanted is None:
        return {}, []
    return compare_aws_tags(current, dict((key, str(value)) for key, value in wanted.items()), purge_tags=purge)


# --- AWS calls --------------------------------------------------------------------------------------------------

@aws_retry(extra_codes=SNAPSHOT_BUSY_CODES)
def _describe(client, identifier):
    return client.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"]


def describe_snapshot(client, identifier: str) -> Optional[Dict[str, Any]]:
    try:
        snapshots = _describe(client, identifier)
    except is_boto3_error_code("DBSnapshotNotFound"):
        return None
    return snapshots[0] if snapshots else None


@aws_retry(extra_codes=SNAPSHOT_BUSY_CODES)
def tags_of(client, arn: str) -> Dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn).get("TagList", []))


@aws_retry(extra_codes=SNAPSHOT_BUSY_CODES)
def shared_accounts_of(client, identifier: str) -> List[str]:
    result = client.describe_db_snapshot_attributes(DBSnapshotIdentifier=identifier)["DBSnapshotAttributesResult"]
    for attribute in result.get("DBSnapshotAttributes", []):
        if attribute.get("AttributeName") == RESTORE:
            return sorted(attribute.get("AttributeValues") or [])
    return []


@aws_retry(extra_codes=SNAPSHOT_BUSY_CODES)
def copy_snapshot(client, **params) -> Dict[str, Any]:
    return client.copy_db_snapshot(**params)["DBSnapshot"]


@aws_retry(extra_codes=SNAPSHOT_BUSY_CODES)
def delete_snapshot(client, identifier: str) -> None:
    client.delete_db_snapshot(DBSnapshotIdentifier=identifier)


@aws_retry(extra_codes=SNAPSHOT_BUSY_CODES)
def modify_shares(client, identifier: str, add: List[str], remove: List[str]) -> None:
    client.modify_db_snapshot_attribute(DBSnapshotIdentifier=identifier, AttributeName=RESTORE,
                                        ValuesToAdd=add, ValuesToRemove=remove)


@aws_retry(extra_codes=SNAPSHOT_BUSY_CODES)
def add_tags(client, arn: str, tags: Dict[str, str]) -> None:
    client.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())])


@aws_retry(extra_codes=SNAPSHOT_BUSY_CODES)
def remove_tags(client, arn: str, keys: List[str]) -> None:
    client.remove_tags_from_resource(ResourceName=arn, TagKeys=sorted(keys))


def wait_for(client, identifier: str, waiter: str, timeout: int) -> None:
    client.get_waiter(waiter).wait(DBSnapshotIdentifier=identifier,
                                   WaiterConfig=custom_waiter_config(timeout, default_pause=15))
