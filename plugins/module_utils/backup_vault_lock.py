# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Backup Vault Lock: what a vault's lock is, what the spec wants, and whether it may still change.

A lock keeps every recovery point of the vault for at least MinRetentionDays (and at most MaxRetentionDays), so that
nobody, an attacker with the account's keys included, can delete backups early. Governance mode (no
ChangeableForDays) can be removed by a privileged user; compliance mode (ChangeableForDays >= 3) becomes immutable at
its LockDate: after it, no call can change or remove the lock, so a change is refused here with the reason instead
of failing at AWS. A compliance lock in its cooling-off period that already matches is left alone: putting it again
would restart the grace period.
"""

from datetime import datetime
from datetime import timezone
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

MAX_RETENTION_DAYS = 36500
MIN_CHANGEABLE_DAYS = 3


def validate(min_days: Optional[int], max_days: Optional[int], changeable_for_days: Optional[int]) -> List[str]:
    """What is wrong with a wanted lock, in AWS's own limits (empty: nothing)."""
    problems = []
    if min_days is not None and not 1 <= min_days <= MAX_RETENTION_DAYS:
        problems.append("min_retention_days must be 1 to %d." % MAX_RETENTION_DAYS)
    if max_days is not None and not 1 <= max_days <= MAX_RETENTION_DAYS:
        problems.append("max_retention_days must be 1 to %d." % MAX_RETENTION_DAYS)
    if min_days is not None and max_days is not None and min_days > max_days:
        problems.append("min_retention_days %d is more than max_retention_days %d." % (min_days, max_days))
    if min_days is None and max_days is None:
        problems.append("a lock needs min_retention_days or max_retention_days.")
    if changeable_for_days is not None and changeable_for_days < MIN_CHANGEABLE_DAYS:
        problems.append("changeable_for_days must be at least %d (the cooling-off of compliance mode)."
                        % MIN_CHANGEABLE_DAYS)
    return problems


def _as_datetime(value: Any) -> Optional[datetime]:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.fromtimestamp(float(value), timezone.utc)


def lock_of(vault: Dict[str, Any], now: Optional[datetime] = None) -> Dict[str, Any]:
    """The lock of a DescribeBackupVault answer: locked, min/max retention days, mode, lock_date, immutable."""
    now = now or datetime.now(timezone.utc)
    lock_date = _as_datetime(vault.get("LockDate"))
    locked = bool(vault.get("Locked"))
    return {
        "locked": locked,
        "min_retention_days": vault.get("MinRetentionDays") if locked else None,
        "max_retention_days": vault.get("MaxRetentionDays") if locked else None,
        "mode": ("compliance" if lock_date else "governance") if locked else None,
        "lock_date": lock_date.isoformat() if lock_date else None,
        "immutable": bool(locked and lock_date and lock_date <= now),
    }


def wanted(min_days: Optional[int], max_days: Optional[int], changeable_for_days: Optional[int]) -> Dict[str, Any]:
    return {"locked": True, "min_retention_days": min_days, "max_retention_days": max_days,
            "mode": "compliance" if changeable_for_days is not None else "governance"}


def differs(current: Dict[str, Any], desired: Dict[str, Any]) -> bool:
    return any(current.get(key) != value for key, value in desired.items())


def refusal(vault_name: str, current: Dict[str, Any], change: str) -> Optional[str]:
    """Why the lock of ``vault_name`` cannot be ``change``d (None: it can)."""
    if current["immutable"]:
        return ("the vault lock of %s is in compliance mode and immutable since %s: it cannot be %s by anyone; "
                "the spec must follow the lock." % (vault_name, current["lock_date"], change))
    return None


class VaultErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["ResourceNotFoundException", "AccessDeniedException"])


@VaultErrorHandler.list_error_handler("describe the backup vault", None)
@aws_retry()
def describe_vault(client, name: str) -> Optional[Dict[str, Any]]:
    # a vault that does not exist answers AccessDenied to DescribeBackupVault (as moto's correction does too)
    return client.describe_backup_vault(BackupVaultName=name)


@VaultErrorHandler.common_error_handler("put the vault lock configuration")
@aws_retry()
def put_lock(client, name: str, min_days: Optional[int], max_days: Optional[int],
             changeable_for_days: Optional[int]) -> None:
    params: Dict[str, Any] = {"BackupVaultName": name}
    for key, value in (("MinRetentionDays", min_days), ("MaxRetentionDays", max_days),
                       ("ChangeableForDays", changeable_for_days)):
        if value is not None:
            params[key] = value
    client.put_backup_vault_lock_configuration(**params)


@VaultErrorHandler.common_error_handler("delete the vault lock configuration")
@aws_retry()
def delete_lock(client, name: str) -> None:
    client.delete_backup_vault_lock_configuration(BackupVaultName=name)
