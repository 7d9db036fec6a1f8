# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Storage of an existing RDS DB instance: validation, the comparable shape, the ModifyDBInstance plan, thin boto3
wrappers.

amazon.aws.rds_instance 10.1.2 refuses ``storage_type: io2``, so the storage is managed here, after the instance
exists. The comparable shape (StorageState) has five fields: storage_type, allocated_storage (GiB), iops,
storage_throughput (MiB/s) and max_allocated_storage (GiB, None while storage autoscaling is off).

What AWS reports is normalised before it is compared:

- PendingModifiedValues is the target: a change waiting for the maintenance window, or being applied, counts as
  made, so it is not requested again.
- IOPS belong to io1, io2 and gp3 only, throughput to gp3 only. After a change of type AWS (and moto) can still
  report the value of the earlier type.
- Below the striping threshold of its engine (400 GiB for MariaDB, MySQL and PostgreSQL, 200 GiB for Oracle), gp3
  has a fixed 3,000 IOPS and 125 MiB/s. AWS refuses explicit IOPS or throughput there, even these very values, so
  they are never sent: the comparable shape holds the fixed values whatever is reported.

AWS rules that would otherwise surface late, or not at all, are checked before ModifyDBInstance: storage never
shrinks; for Db2, MariaDB, MySQL, Oracle and PostgreSQL a growth of less than 10 % is rounded up by AWS without
an error (the next run would then see a shrink), so it is refused; the autoscaling ceiling must be at least 10 %
above the allocated storage.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.rds import AnsibleRDSError
from ansible_collections.amazon.aws.plugins.module_utils.waiter import BaseWaiterFactory
from ansible_collections.amazon.aws.plugins.module_utils.waiter import custom_waiter_config
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

STORAGE_TYPES = ("gp2", "gp3", "io1", "io2", "standard")
PROVISIONED_IOPS_TYPES = ("io1", "io2")
IOPS_TYPES = ("gp3", "io1", "io2")
GP3 = "gp3"

GP3_BASELINE_IOPS = 3000
GP3_BASELINE_THROUGHPUT = 125
# Engine (prefix of the Engine AWS reports) -> allocated storage (GiB) from which gp3 IOPS and throughput can be set.
# Engines not listed (SQL Server, Db2, RDS Custom) are compared and sent as they are: AWS decides.
GP3_THRESHOLDS = (("mariadb", 400), ("mysql", 400), ("postgres", 400), ("oracle", 200))
# Engines for which AWS rounds an increase of allocated storage of less than 10 % up to 10 % (ModifyDBInstance).
TEN_PERCENT_GROWTH_ENGINES = ("db2", "mariadb", "mysql", "oracle", "postgres")

FIELDS = ("storage_type", "allocated_storage", "iops", "storage_throughput", "max_allocated_storage")
# Normalised field -> ModifyDBInstance parameter (and DescribeDBInstances / PendingModifiedValues key).
API_NAMES = {
    "storage_type": "StorageType",
    "allocated_storage": "AllocatedStorage",
    "iops": "Iops",
    "storage_throughput": "StorageThroughput",
    "max_allocated_storage": "MaxAllocatedStorage",
}
# The storage fields that PendingModifiedValues can hold (MaxAllocatedStorage is applied at once).
PENDING_FIELDS = ("storage_type", "allocated_storage", "iops", "storage_throughput")

# DB instance statuses in which a storage change is done: storage-optimization can last hours, sometimes more than
# a day, while the instance is fully operational with its new storage.
SETTLED_STATUSES = ("available", "storage-optimization")
FAILED_STATUSES = ("deleted", "deleting", "failed", "incompatible-restore", "incompatible-parameters")

StorageState = Dict[str, Any]


def _int(value: Any) -> Optional[int]:
    return int(value) if value is not None else None


def at_least_ten_percent_more(size: int) -> int:
    """The smallest whole GiB that is at least 10 % more than size."""
    return (size * 11 + 9) // 10


def gp3_threshold(engine: Optional[str]) -> Optional[int]:
    """Allocated storage (GiB) from which gp3 IOPS and throughput can be set for the engine; None if unknown."""
    for prefix, threshold in GP3_THRESHOLDS:
        if (engine or "").startswith(prefix):
            return threshold
    return None


def has_fixed_gp3_performance(engine: Optional[str], storage_type: Optional[str], allocated: Optional[int]) -> bool:
    """Whether the storage is gp3 below the engine's threshold: 3,000 IOPS and 125 MiB/s, not settable."""
    threshold = gp3_threshold(engine)
    return storage_type == GP3 and threshold is not None and allocated is not None and allocated < threshold


def validate_params(params: Dict[str, Any]) -> List[str]:
    """Checks that need no AWS call, made before any; returns the problems found."""
    problems = []
    storage_type = params["storage_type"]
    iops, throughput = params["iops"], params["storage_throughput"]
    allocated, maximum = params["allocated_storage"], params["max_allocated_storage"]

    for name in ("allocated_storage", "iops", "storage_throughput", "max_allocated_storage"):
        if params[name] is not None and params[name] < 1:
            problems.append(f"{name} must be a positive number, not {params[name]}.")

    if storage_type in PROVISIONED_IOPS_TYPES and iops is None:
        problems.append(f"storage_type {storage_type} is provisioned IOPS storage: iops is required.")
    if storage_type not in IOPS_TYPES and iops is not None:
        problems.append(f"storage_type {storage_type} has no provisioned IOPS: remove iops.")
    if storage_type != GP3 and throughput is not None:
        problems.append(f"storage_throughput can only be set for gp3 storage, not {storage_type}: remove it.")

    if (
        allocated is not None
        and maximum is not None
        and allocated >= 1
        and maximum < at_least_ten_percent_more(allocated)
    ):
        problems.append(
            f"max_allocated_storage ({maximum} GiB) must be at least 10% more than allocated_storage ({allocated} GiB):"
            f" {at_least_ten_percent_more(allocated)} GiB or more."
        )
    return problems


def normalise_instance(instance: Dict[str, Any]) -> StorageState:
    """The comparable shape of the storage of a DescribeDBInstances item, pending modifications included."""
    target = dict(instance)
    pending = instance.get("PendingModifiedValues") or {}
    for field in PENDING_FIELDS:
        if pending.get(API_NAMES[field]) is not None:
            target[API_NAMES[field]] = pending[API_NAMES[field]]

    storage_type = (target.get("StorageType") or "").lower() or None
    allocated = _int(target.get("AllocatedStorage"))
    state = {
        "storage_type": storage_type,
        "allocated_storage": allocated,
        "iops": _int(target.get("Iops")) if storage_type in IOPS_TYPES else None,
        "storage_throughput": _int(target.get("StorageThroughput")) if storage_type == GP3 else None,
        "max_allocated_storage": _int(instance.get("MaxAllocatedStorage")),
    }
    if has_fixed_gp3_performance(instance.get("Engine"), storage_type, allocated):
        state["iops"], state["storage_throughput"] = GP3_BASELINE_IOPS, GP3_BASELINE_THROUGHPUT
    return state


def pending_fields(instance: Dict[str, Any]) -> List[str]:
    """The storage fields AWS has not applied yet (PendingModifiedValues), sorted."""
    pending = instance.get("PendingModifiedValues") or {}
    return sorted(field for field in PENDING_FIELDS if pending.get(API_NAMES[field]) is not None)


def validate_instance(instance: Dict[str, Any], params: Dict[str, Any]) -> List[str]:
    """Checks against the DB instance (a DescribeDBInstances item), made before any change."""
    problems = []
    identifier = instance["DBInstanceIdentifier"]
    engine = instance.get("Engine") or ""
    if instance.get("DBClusterIdentifier"):
        problems.append(
            f"{identifier} is a member of the DB cluster {instance['DBClusterIdentifier']}, whose storage is managed"
            " by the cluster, not by the DB instance."
        )
        return problems

    applied = _int(instance.get("AllocatedStorage"))
    current = normalise_instance(instance)
    wanted = params["allocated_storage"]
    if wanted is not None and applied is not None:
        if wanted < applied:
            problems.append(
                f"AWS cannot shrink storage: allocated_storage {wanted} GiB is less than the current {applied} GiB"
                f" of {identifier}."
            )
        elif (
            applied < wanted < at_least_ten_percent_more(applied)
            and wanted != current["allocated_storage"]
            and engine.startswith(TEN_PERCENT_GROWTH_ENGINES)
        ):
            problems.append(
                f"allocated_storage {wanted} GiB is less than 10% more than the current {applied} GiB of {identifier}:"
                f" AWS would round it up to {at_least_ten_percent_more(applied)} GiB. Ask for"
                f" {at_least_ten_percent_more(applied)} GiB or more."
            )

    allocated = wanted if wanted is not None else current["allocated_storage"]
    maximum = params["max_allocated_storage"]
    if allocated is not None and wanted is None and maximum not in (None, current["max_allocated_storage"]):
        if maximum < at_least_ten_percent_more(allocated):
            problems.append(
                f"max_allocated_storage ({maximum} GiB) must be at least 10% more than the {allocated} GiB"
                f" of {identifier}: {at_least_ten_percent_more(allocated)} GiB or more."
            )
    elif wanted is not None and maximum is None and current["max_allocated_storage"] is not None:
        if current["max_allocated_storage"] < at_least_ten_percent_more(wanted):
            problems.append(
                f"{identifier} scales its storage automatically up to {current['max_allocated_storage']} GiB,"
                " which must stay at least 10% above allocated_storage: set max_allocated_storage to"
                f" {at_least_ten_percent_more(wanted)} GiB or more."
            )

    if has_fixed_gp3_performance(engine, params["storage_type"], allocated):
        fixed = {"iops": GP3_BASELINE_IOPS, "storage_throughput": GP3_BASELINE_THROUGHPUT}
        different = [name for name, value in fixed.items() if params[name] is not None and params[name] != value]
        if different:
            problems.append(
                f"gp3 storage of {engine} below {gp3_threshold(engine)} GiB has a fixed {GP3_BASELINE_IOPS} IOPS and"
                f" {GP3_BASELINE_THROUGHPUT} MiB/s, which AWS does not let you change ({', '.join(different)}): leave"
                f" {' and '.join(different)} unset, or allocate {gp3_threshold(engine)} GiB or more."
            )
    return problems


def desired_state(params: Dict[str, Any], current: StorageState, engine: Optional[str]) -> StorageState:
    """The comparable shape after the change; options left unset keep their current value.

    Where AWS chooses the value (IOPS or throughput of a new type, or of gp3 crossing the engine's threshold,
    when not given), the value is None.
    """
    storage_type = params["storage_type"]
    allocated = params["allocated_storage"] if params["allocated_storage"] is not None else current["allocated_storage"]
    fixed = has_fixed_gp3_performance(engine, storage_type, allocated)
    # IOPS and throughput left unset stay only as long as they mean the same: same type, same side of the threshold.
    kept = storage_type == current["storage_type"] and fixed == has_fixed_gp3_performance(
        engine, current["storage_type"], current["allocated_storage"]
    )

    def performance(name: str, applies: bool) -> Optional[int]:
        if not applies:
            return None
        if params[name] is not None:
            return params[name]
        return current[name] if kept else None

    desired = {
        "storage_type": storage_type,
        "allocated_storage": allocated,
        "iops": performance("iops", storage_type in IOPS_TYPES),
        "storage_throughput": performance("storage_throughput", storage_type == GP3),
        "max_allocated_storage": (
            params["max_allocated_storage"]
            if params["max_allocated_storage"] is not None
            else current["max_allocated_storage"]
        ),
    }
    if fixed:
        desired["iops"], desired["storage_throughput"] = GP3_BASELINE_IOPS, GP3_BASELINE_THROUGHPUT
    return desired


def differing_fields(current: StorageState, desired: StorageState) -> List[str]:
    """Names of the fields whose value differs, in FIELDS order."""
    return [field for field in FIELDS if current.get(field) != desired.get(field)]


def modify_params(
    identifier: str, current: StorageState, desired: StorageState, engine: Optional[str], apply_immediately: bool
) -> Dict[str, Any]:
    """ModifyDBInstance keyword arguments that turn current into desired; empty when nothing is to change.

    IOPS are sent again, unchanged, with a new type or allocated storage (AWS requires them with a new allocated
    storage of provisioned IOPS storage); throughput with a new type. Fixed gp3 values are never sent.
    """
    changes = {}
    type_changed = desired["storage_type"] != current["storage_type"]
    if type_changed:
        changes["StorageType"] = desired["storage_type"]
    if desired["allocated_storage"] != current["allocated_storage"]:
        changes["AllocatedStorage"] = desired["allocated_storage"]
    if not has_fixed_gp3_performance(engine, desired["storage_type"], desired["allocated_storage"]):
        if desired["iops"] is not None and (desired["iops"] != current["iops"] or changes):
            changes["Iops"] = desired["iops"]
        throughput = desired["storage_throughput"]
        if throughput is not None and (throughput != current["storage_throughput"] or type_changed):
            changes["StorageThroughput"] = throughput
    if desired["max_allocated_storage"] != current["max_allocated_storage"]:
        changes["MaxAllocatedStorage"] = desired["max_allocated_storage"]
    if not changes:
        return {}
    return dict(DBInstanceIdentifier=identifier, ApplyImmediately=apply_immediately, **changes)


class StorageErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleRDSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("DBInstanceNotFound")


class StorageWaiterFactory(BaseWaiterFactory):
    """db_instance_available, but also done in storage-optimization and only once no storage change is pending.

    The pending condition keeps the wait from ending at once while AWS still reports ``available`` right after
    ModifyDBInstance.
    """

    @property
    def _waiter_model_data(self):
        settled = " || ".join(f"DBInstanceStatus == '{status}'" for status in SETTLED_STATUSES)
        nothing_pending = " && ".join(
            f"PendingModifiedValues.{API_NAMES[field]} == `null`" for field in PENDING_FIELDS
        )
        return dict(
            db_instance_storage_applied=dict(
                operation="DescribeDBInstances",
                delay=30,
                maxAttempts=60,
                acceptors=[
                    dict(
                        state="success",
                        matcher="path",
                        expected=True,
                        argument=(
                            f"length(DBInstances[?({settled}) && {nothing_pending}]) == length(DBInstances)"
                            " && length(DBInstances) > `0`"
                        ),
                    ),
                ]
                + [
                    dict(state="failure", matcher="pathAny", expected=status, argument="DBInstances[].DBInstanceStatus")
                    for status in FAILED_STATUSES
                ],
            ),
        )


@StorageErrorHandler.list_error_handler("describe DB instance", None)
@aws_retry()
def describe_db_instance(client, identifier: str) -> Optional[Dict[str, Any]]:
    instances = client.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
    return instances[0] if instances else None


@StorageErrorHandler.common_error_handler("modify DB instance storage")
@aws_retry()
def modify_db_instance(client, **params: Any) -> Dict[str, Any]:
    return client.modify_db_instance(**params)["DBInstance"]


@StorageErrorHandler.common_error_handler("wait for the DB instance storage change")
@aws_retry()
def wait_storage_applied(client, identifier: str, timeout: int) -> None:
    StorageWaiterFactory().get_waiter(client, "db_instance_storage_applied").wait(
        DBInstanceIdentifier=identifier, WaiterConfig=custom_waiter_config(timeout, default_pause=15)
    )
