# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cross-Region replication of RDS automated backups: validation, the comparable shape, thin boto3 wrappers.

A replication is started and stopped in the destination Region, naming the source DB instance by its ARN.
AWS cannot modify a replication, so a different retention period or KMS key means stop, then start again.
Stopping keeps the backups already replicated (status ``retained``), so nothing is lost by that.

The replicated backup is found in the destination Region by the source's DbiResourceId and then by its
DBInstanceArn: several replicated backups can share a DbiResourceId (a retained one of an earlier replication,
and on the local moto stack the backups of every source), the ARN picks ours.

AWS reports the status as ``pending``, ``replicating`` or ``retained`` but has changed its capitalisation over time,
so statuses are compared in lower case; that is also why the waits below poll instead of using a botocore waiter
model, whose matchers compare exactly.
"""

import time
from typing import Any
from typing import Callable
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_message
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.rds import AnsibleRDSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

PENDING = "pending"
REPLICATING = "replicating"
RETAINED = "retained"

DEFAULT_BACKUP_RETENTION_PERIOD = 7
MIN_BACKUP_RETENTION_PERIOD = 1
MAX_BACKUP_RETENTION_PERIOD = 35

# How often the waits ask AWS; replication takes minutes to leave pending.
POLL_DELAY = 15

# What StopDBInstanceAutomatedBackupsReplication says (InvalidDBInstanceState) when there is nothing to stop.
NOT_REPLICATING_MESSAGE = "not replicating to the current region"

ReplicationState = Dict[str, Any]


def parse_source_arn(arn: str) -> Optional[Dict[str, str]]:
    """Region, account and identifier of an RDS DB instance ARN, or None if it is not one."""
    details = parse_aws_arn(arn or "")
    if (
        not details
        or details["service"] != "rds"
        or details["resource_type"] != "db"
        or not details["region"]
        or len(details["account_id"]) != 12
        or not details["resource_id"]
    ):
        return None
    return {"region": details["region"], "account_id": details["account_id"], "identifier": details["resource_id"]}


def validate_params(params: Dict[str, Any], destination_region: Optional[str]) -> List[str]:
    """Checks that need no AWS call, made before any; returns the problems found."""
    problems = []
    if not destination_region:
        problems.append("region (the destination Region of the replicated backups) is required.")
    source = parse_source_arn(params["source_db_instance_arn"])
    if source is None:
        problems.append(
            f"source_db_instance_arn {params['source_db_instance_arn']!r} is not an RDS DB instance ARN"
            " (arn:aws:rds:<region>:<account>:db:<identifier>)."
        )
    elif source["region"] == destination_region:
        problems.append(
            f"The source DB instance is in {destination_region}: region must be another Region, the one the"
            " backups are replicated to."
        )

    retention = params["backup_retention_period"]
    if not MIN_BACKUP_RETENTION_PERIOD <= retention <= MAX_BACKUP_RETENTION_PERIOD:
        problems.append(
            f"backup_retention_period must be between {MIN_BACKUP_RETENTION_PERIOD} and"
            f" {MAX_BACKUP_RETENTION_PERIOD} days, not {retention}."
        )

    kms_key_id = params["kms_key_id"]
    if kms_key_id is not None:
        key = parse_aws_arn(kms_key_id)
        if not key or key["service"] != "kms" or key["resource_type"] != "key" or not key["resource_id"]:
            problems.append(
                f"kms_key_id {kms_key_id!r} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>);"
                " AWS reports the key ARN, so a key id or an alias could never compare equal."
            )
        elif destination_region and key["region"] != destination_region:
            problems.append(
                f"kms_key_id must be a key in the destination Region {destination_region}, not in {key['region']}:"
                " KMS keys do not leave their Region."
            )
    return problems


def validate_source(source: Dict[str, Any], params: Dict[str, Any]) -> List[str]:
    """Checks against the source DB instance (a DescribeDBInstances item), made before any change."""
    problems = []
    identifier = source["DBInstanceIdentifier"]
    if source.get("StorageEncrypted"):
        if params["kms_key_id"] is None:
            problems.append(
                f"{identifier} is encrypted: kms_key_id (a key in the destination Region) is required to replicate"
                " its backups."
            )
    elif params["kms_key_id"] is not None:
        problems.append(f"{identifier} is not encrypted, so are its replicated backups: remove kms_key_id.")
    if not source.get("BackupRetentionPeriod"):
        problems.append(
            f"{identifier} has automated backups turned off (backup retention period 0): nothing to replicate."
        )
    return problems


def is_active(backup: Dict[str, Any]) -> bool:
    """A replicated backup still being replicated (not one retained after the replication stopped)."""
    return (backup.get("Status") or "").lower() != RETAINED


def matching_replications(backups: List[Dict[str, Any]], source_arn: str) -> List[Dict[str, Any]]:
    """The active replicated backups of this source (DescribeDBInstanceAutomatedBackups items of one Region)."""
    return [backup for backup in backups if backup.get("DBInstanceArn") == source_arn and is_active(backup)]


def _comparable(source_arn: str, destination: str, retention: Any, kms_key_id: Optional[str]) -> ReplicationState:
    return {
        "source_db_instance_arn": source_arn,
        "destination_region": destination,
        "backup_retention_period": int(retention) if retention is not None else DEFAULT_BACKUP_RETENTION_PERIOD,
        "kms_key_id": kms_key_id,
    }


def _same_key(reported: Optional[str], wanted: Optional[str]) -> Optional[str]:
    # The API reference calls KmsKeyId a "key identifier": accept a bare key id that is the one of our key ARN.
    if reported and wanted and not reported.startswith("arn:"):
        key = parse_aws_arn(wanted)
        if key and key["resource_id"] == reported:
            return wanted
    return reported


def normalise_backup(
    backup: Dict[str, Any], destination_region: str, wanted_kms_key_id: Optional[str] = None
) -> ReplicationState:
    """The comparable shape of a replicated backup (a DescribeDBInstanceAutomatedBackups item)."""
    kms_key_id = _same_key(backup.get("KmsKeyId"), wanted_kms_key_id) if backup.get("Encrypted") else None
    return _comparable(backup["DBInstanceArn"], destination_region, backup.get("BackupRetentionPeriod"), kms_key_id)


def normalise_params(params: Dict[str, Any], destination_region: str) -> ReplicationState:
    """The comparable shape of the module parameters."""
    return _comparable(
        params["source_db_instance_arn"], destination_region, params["backup_retention_period"], params["kms_key_id"]
    )


def differing_fields(current: ReplicationState, desired: ReplicationState) -> List[str]:
    """Names of the fields whose value differs, sorted."""
    return sorted(key for key in set(current) | set(desired) if current.get(key) != desired.get(key))


def start_params(desired: ReplicationState) -> Dict[str, Any]:
    """StartDBInstanceAutomatedBackupsReplication keyword arguments for a normalised desired state."""
    params = {
        "SourceDBInstanceArn": desired["source_db_instance_arn"],
        "BackupRetentionPeriod": desired["backup_retention_period"],
    }
    if desired["kms_key_id"]:
        params["KmsKeyId"] = desired["kms_key_id"]
    return params


class ReplicationErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleRDSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["DBInstanceNotFound", "DBInstanceAutomatedBackupNotFound"])


@ReplicationErrorHandler.list_error_handler("describe source DB instance", None)
@aws_retry()
def describe_db_instance(client, db_instance_arn: str) -> Optional[Dict[str, Any]]:
    # DBInstanceIdentifier also takes the ARN, which pins the account and Region too.
    instances = client.describe_db_instances(DBInstanceIdentifier=db_instance_arn)["DBInstances"]
    return instances[0] if instances else None


@ReplicationErrorHandler.list_error_handler("describe automated backups", [])
@aws_retry()
def describe_automated_backups(client, **params: Any) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("describe_db_instance_automated_backups")
    return paginator.paginate(**params).build_full_result()["DBInstanceAutomatedBackups"]


@ReplicationErrorHandler.common_error_handler("start automated backups replication")
@aws_retry()
def start_replication(client, **params: Any) -> Dict[str, Any]:
    return client.start_db_instance_automated_backups_replication(**params)["DBInstanceAutomatedBackup"]


@ReplicationErrorHandler.deletion_error_handler("stop automated backups replication")
@aws_retry()
def stop_replication(client, source_arn: str) -> bool:
    try:
        client.stop_db_instance_automated_backups_replication(SourceDBInstanceArn=source_arn)
    except is_boto3_error_message(NOT_REPLICATING_MESSAGE):
        return False
    return True


def _poll(description: str, done: Callable[[], bool], timeout: int, sleep: Callable[[float], None]) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() >= deadline:
            raise AnsibleRDSError(message=f"Timeout after {timeout} s waiting for {description}")
        sleep(POLL_DELAY)


def wait_replicating(client, backup_arn: str, timeout: int, sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait until the replicated backup leaves ``pending``; fail if it ends up ``retained``."""

    def replicating() -> bool:
        backups = describe_automated_backups(client, DBInstanceAutomatedBackupsArn=backup_arn)
        status = (backups[0].get("Status") or "").lower() if backups else PENDING
        if status == RETAINED:
            raise AnsibleRDSError(message=f"Replication to {backup_arn} stopped while it was starting")
        return status == REPLICATING

    _poll(f"{backup_arn} to replicate", replicating, timeout, sleep)


def wait_stopped(
    source_client, source_arn: str, backup_arn: str, timeout: int, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Wait until the source DB instance no longer lists the replication (it can be started again then)."""

    def stopped() -> bool:
        source = describe_db_instance(source_client, source_arn) or {}
        replications = source.get("DBInstanceAutomatedBackupsReplications") or []
        return all(item.get("DBInstanceAutomatedBackupsArn") != backup_arn for item in replications)

    _poll(f"the replication of {source_arn} to stop", stopped, timeout, sleep)
