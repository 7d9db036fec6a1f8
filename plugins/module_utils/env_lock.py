# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run at a time per environment: a leased lock, one item per environment in a DynamoDB table.

Every write is conditional, so two runs racing for one environment cannot both win. A run gets the lock when no item
is there, when the holder's lease has expired (it takes over and says whose lease it was) or when it holds it already
(a renewal: the lease is extended, the run keeps its start time). Release deletes the item only for its owner.

A run killed before it releases keeps the lock until its lease ends: the lease is the only way such a lock goes away,
so a lease must outlast the procedure it protects, or the run renews it between phases. Expiry is judged by the
clock of the run that wants the lock: the runners' clocks must agree to well within a lease (NTP).
"""

import re
import time
from dataclasses import dataclass
from datetime import datetime
from datetime import timezone
from typing import Any
from typing import Callable
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.waiter import custom_waiter_config

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.dynamodb import NAME as TABLE_NAME
from ansible_collections.envops.aws.plugins.module_utils.env_schema import NAME_PATTERN

DEFAULT_TABLE = "envops-locks"
KEY = "environment"
ENVIRONMENT = re.compile(NAME_PATTERN)
# Run ids and procedure names: AWX job ids, UUIDs, timestamps, "dr_drill", "refresh:test"...
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
MIN_LEASE_SECONDS = 30
MAX_LEASE_SECONDS = 86400
MIN_POLL_SECONDS = 1
MAX_POLL_SECONDS = 300
TABLE_ACTIVE_TIMEOUT = 300
# A write refused because the item changed since it was read is tried again at once, at most this often in a row.
MAX_CONFLICTS = 20

# The rule of the lock, checked by DynamoDB on every acquiring write whatever this code decided: nobody holds the
# environment, or the holder's lease has expired, or the holder is this run.
ACQUIRE_CONDITION = "attribute_not_exists(#environment) OR #expires_at < :now OR #owner = :owner"
# ...and the item is still the one read, so that what the new item keeps of it (start time, takeover) is true.
UNCHANGED_SINCE_READ_ABSENT = "attribute_not_exists(#environment)"
UNCHANGED_SINCE_READ = "#owner = :read_owner AND #expires_at = :read_expires_at"
RELEASE_CONDITION = "#owner = :owner"
# owner and procedure are DynamoDB reserved words: every attribute goes through a name placeholder.
NAMES = {"#environment": "environment", "#owner": "owner", "#expires_at": "expires_at"}

# What a run does about the lock it finds.
ACQUIRE = "acquire"
RENEW = "renew"
TAKE_OVER = "take_over"
WAIT = "wait"
RELEASE = "release"
NONE = "none"


class LockError(AnsibleAWSError):
    """The lock of another run is in the way (wait_timeout reached, release refused); ``holder`` is that lock."""

    def __init__(self, message: str, holder: Optional[Dict[str, Any]] = None, waited: float = 0.0):
        super().__init__(message=message)
        self.holder = holder
        self.waited_seconds = round(waited, 1)


@dataclass(frozen=True)
class LockRequest:
    table: str
    environment: str
    owner: str
    procedure: Optional[str] = None
    lease_seconds: int = 1800
    wait_timeout: int = 600
    poll_interval: int = 5
    tags: Optional[Dict[str, str]] = None


# ---------------------------------------------------------------------------------------------
# Validation: every field of a request, before any AWS call.


def _tag_problems(tags: Dict[str, Any]) -> List[str]:
    problems = []
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            problems.append("tags: key %r must be 1 to 128 characters and not start with 'aws:'." % (key,))
        if not isinstance(value, str) or len(value) > 256:
            problems.append("tags: the value of %r must be a string of at most 256 characters." % (key,))
    return problems


def validate(request: LockRequest, acquiring: bool) -> List[str]:
    """What is wrong with a request, each problem naming its field and rule (empty: nothing)."""
    problems = []
    if not TABLE_NAME.fullmatch(request.table or ""):
        problems.append("table %r must be 3 to 255 letters, digits, '_', '-' or '.'." % (request.table,))
    if not ENVIRONMENT.fullmatch(request.environment or ""):
        problems.append("environment %r must match %s (an environment name)." % (request.environment, NAME_PATTERN))
    if not IDENTIFIER.fullmatch(request.owner or ""):
        problems.append("owner %r must match %s (the id of the run)." % (request.owner, IDENTIFIER.pattern))
    if not acquiring:
        return problems
    if not IDENTIFIER.fullmatch(request.procedure or ""):
        problems.append("procedure %r must match %s (required to take the lock)."
                        % (request.procedure, IDENTIFIER.pattern))
    if not MIN_LEASE_SECONDS <= request.lease_seconds <= MAX_LEASE_SECONDS:
        problems.append("lease_seconds %s must be %d to %d."
                        % (request.lease_seconds, MIN_LEASE_SECONDS, MAX_LEASE_SECONDS))
    if request.wait_timeout < 0:
        problems.append("wait_timeout %s must be 0 or more." % request.wait_timeout)
    if not MIN_POLL_SECONDS <= request.poll_interval <= MAX_POLL_SECONDS:
        problems.append("poll_interval %s must be %d to %d."
                        % (request.poll_interval, MIN_POLL_SECONDS, MAX_POLL_SECONDS))
    problems.extend(_tag_problems(request.tags or {}))
    return problems


# ---------------------------------------------------------------------------------------------
# Items: the lock as a plain dict, and as DynamoDB stores it.


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def _holder_from_attributes(attributes: Dict[str, Any]) -> Dict[str, Any]:
    def text(name):
        return attributes.get(name, {}).get("S")

    try:
        expires_at = int(attributes.get("expires_at", {}).get("N", "0"))
    except ValueError:
        expires_at = 0  # not a lease this module wrote: counts as expired
    return {"owner": text("owner"), "procedure": text("procedure"), "started_at": text("started_at"),
            "expires_at": expires_at}


def lock_from_item(item: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The lock of a GetItem answer's Item (None: no lock)."""
    if not item:
        return None
    lock = dict(_holder_from_attributes(item), environment=item.get(KEY, {}).get("S"))
    previous = item.get("took_over_from", {}).get("M")
    lock["took_over_from"] = _holder_from_attributes(previous) if previous else None
    return lock


def _holder_attributes(holder: Dict[str, Any]) -> Dict[str, Any]:
    attributes = {"expires_at": {"N": str(holder["expires_at"])}}
    for name in ("owner", "procedure", "started_at"):
        if holder.get(name) is not None:
            attributes[name] = {"S": holder[name]}
    return attributes


def item_from_lock(lock: Dict[str, Any]) -> Dict[str, Any]:
    item = dict(_holder_attributes(lock), environment={"S": lock["environment"]})
    if lock.get("took_over_from"):
        item["took_over_from"] = {"M": _holder_attributes(lock["took_over_from"])}
    return item


def public(lock: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The lock as the module returns it: the item, with the end of the lease also in ISO form."""
    if lock is None:
        return None
    shown = dict(lock, lease_ends_at=iso(lock["expires_at"]))
    if lock.get("took_over_from"):
        shown["took_over_from"] = dict(lock["took_over_from"], lease_ends_at=iso(lock["took_over_from"]["expires_at"]))
    return shown


def describe_holder(environment: str, lock: Dict[str, Any]) -> str:
    return "environment %s is locked by %s (%s) since %s, lease until %s" % (
        environment, lock["owner"], lock["procedure"], lock["started_at"], iso(lock["expires_at"]))


def takeover_message(previous: Dict[str, Any], check_mode: bool = False) -> str:
    return "%s the lock of %s (%s), whose lease expired at %s" % (
        "would take over" if check_mode else "took over", previous["owner"], previous["procedure"],
        iso(previous["expires_at"]))


# ---------------------------------------------------------------------------------------------
# Decisions (no AWS call).


def decide(current: Optional[Dict[str, Any]], owner: str, now: int) -> str:
    """What a run of ``owner`` does at ``now`` about the lock it read: acquire, renew, take_over or wait."""
    if current is None:
        return ACQUIRE
    if current["owner"] == owner:
        return RENEW
    if current["expires_at"] < now:  # the same comparison as ACQUIRE_CONDITION
        return TAKE_OVER
    return WAIT


def new_lock(request: LockRequest, current: Optional[Dict[str, Any]], action: str, now: int) -> Dict[str, Any]:
    """The lock ``action`` writes. A renewal keeps the start time and the takeover record of the run's tenure."""
    lock = {"environment": request.environment, "owner": request.owner, "procedure": request.procedure,
            "started_at": iso(now), "expires_at": now + request.lease_seconds, "took_over_from": None}
    if action == RENEW:
        lock.update(started_at=current["started_at"] or iso(now), took_over_from=current["took_over_from"])
    elif action == TAKE_OVER:
        lock["took_over_from"] = dict((key, current[key]) for key in ("owner", "procedure", "started_at", "expires_at"))
    return lock


def write_condition(request: LockRequest, current: Optional[Dict[str, Any]], now: int) -> Dict[str, Any]:
    """ConditionExpression and its placeholders for the write that replaces ``current`` (None: no item read)."""
    values = {":now": {"N": str(now)}, ":owner": {"S": request.owner}}
    if current is None:
        unchanged = UNCHANGED_SINCE_READ_ABSENT
    else:
        unchanged = UNCHANGED_SINCE_READ
        values.update({":read_owner": {"S": current["owner"] or ""},
                       ":read_expires_at": {"N": str(current["expires_at"])}})
    return {"ConditionExpression": "(%s) AND (%s)" % (ACQUIRE_CONDITION, unchanged),
            "ExpressionAttributeNames": dict(NAMES), "ExpressionAttributeValues": values}


def is_changed(action: str, current: Optional[Dict[str, Any]], request: LockRequest) -> bool:
    """A renewal for the same procedure only extends the lease: who holds the environment, and for what, is unchanged."""
    return action != RENEW or current["procedure"] != request.procedure


def holder_view(lock: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The fields of a lock a diff shows."""
    if lock is None:
        return {}
    return {"owner": lock["owner"], "procedure": lock["procedure"], "started_at": lock["started_at"],
            "lease_ends_at": iso(lock["expires_at"])}


# ---------------------------------------------------------------------------------------------
# AWS calls


class LockTableErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


@LockTableErrorHandler.list_error_handler("describe the lock table", None)
@aws_retry()
def describe_table(client, table: str) -> Optional[Dict[str, Any]]:
    return client.describe_table(TableName=table)["Table"]


@LockTableErrorHandler.common_error_handler("create the lock table")
@aws_retry()
def create_table(client, table: str, tags: Optional[Dict[str, str]]) -> bool:
    """Create the table; False when another run created it first."""
    params = {
        "TableName": table,
        "AttributeDefinitions": [{"AttributeName": KEY, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": KEY, "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True},
    }
    if tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    try:
        client.create_table(**params)
    except is_boto3_error_code("ResourceInUseException"):
        return False
    return True


@LockTableErrorHandler.common_error_handler("wait for the lock table to be active")
@aws_retry()
def wait_table_active(client, table: str) -> None:
    client.get_waiter("table_exists").wait(
        TableName=table, WaiterConfig=custom_waiter_config(TABLE_ACTIVE_TIMEOUT, default_pause=2))


@LockTableErrorHandler.list_error_handler("read the lock", None)
@aws_retry()
def read_lock(client, table: str, environment: str) -> Optional[Dict[str, Any]]:
    """The lock of ``environment`` (None: no lock, or no lock table)."""
    answer = client.get_item(TableName=table, Key={KEY: {"S": environment}}, ConsistentRead=True)
    return lock_from_item(answer.get("Item"))


@LockTableErrorHandler.common_error_handler("write the lock")
@aws_retry()
def put_lock(client, table: str, lock: Dict[str, Any], condition: Dict[str, Any]) -> bool:
    """Write ``lock`` if ``condition`` holds; False when it does not (nothing written)."""
    try:
        client.put_item(TableName=table, Item=item_from_lock(lock), **condition)
    except is_boto3_error_code("ConditionalCheckFailedException"):
        return False
    return True


@LockTableErrorHandler.common_error_handler("delete the lock")
@aws_retry()
def delete_lock(client, table: str, environment: str, owner: str) -> bool:
    """Delete the lock if ``owner`` holds it; False when it does not (nothing deleted)."""
    try:
        client.delete_item(TableName=table, Key={KEY: {"S": environment}}, ConditionExpression=RELEASE_CONDITION,
                           ExpressionAttributeNames={"#owner": "owner"},
                           ExpressionAttributeValues={":owner": {"S": owner}})
    except is_boto3_error_code("ConditionalCheckFailedException"):
        return False
    return True


def ensure_table(client, request: LockRequest, check_mode: bool) -> bool:
    """Make sure the lock table exists and is active; True when it exists (in check mode: already)."""
    table = describe_table(client, request.table)
    if table is None:
        if check_mode:
            return False
        create_table(client, request.table, request.tags)
    elif table.get("TableStatus") == "ACTIVE":
        return True
    wait_table_active(client, request.table)
    return True


# ---------------------------------------------------------------------------------------------
# Acquire and release


def _outcome(changed, action, lock, msg, took_over=None, waited=0.0, diff=None):
    return {"changed": changed, "lock_action": action, "lock": public(lock), "took_over": public(took_over),
            "waited_seconds": round(waited, 1), "msg": msg, "diff": diff}


def _acquire_message(action: str, request: LockRequest, current: Optional[Dict[str, Any]], lock: Dict[str, Any],
                     now: int, check_mode: bool) -> str:
    if action == TAKE_OVER:
        return takeover_message(current, check_mode)
    if action == ACQUIRE:
        return "%s the lock of environment %s" % ("would acquire" if check_mode else "acquired", request.environment)
    verb = "would renew" if check_mode else "renewed"
    msg = "%s the lock of environment %s until %s" % (verb, request.environment, iso(lock["expires_at"]))
    if current["expires_at"] < now:
        msg += " (its lease had expired at %s: a longer lease_seconds fits this procedure)" % iso(current["expires_at"])
    return msg


def acquire(client, request: LockRequest, check_mode: bool = False,
            clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep) -> Dict[str, Any]:
    """Take the lock of ``request.environment`` for ``request.owner``, waiting up to ``wait_timeout`` for a live
    holder. In check mode only reads, and says what it would do. Raises LockError naming the holder when the wait
    ends without the lock."""
    table_exists = ensure_table(client, request, check_mode)
    started = clock()
    conflicts = 0
    while True:
        now = int(clock())
        current = read_lock(client, request.table, request.environment) if table_exists else None
        action = decide(current, request.owner, now)
        waited = clock() - started
        if action == WAIT:
            holder = describe_holder(request.environment, current)
            if check_mode:
                return _outcome(True, WAIT, current, "would wait up to %d s for the lock: %s"
                                % (request.wait_timeout, holder))
            if waited >= request.wait_timeout:
                raise LockError("%s (waited %d s, wait_timeout %d s)" % (holder, waited, request.wait_timeout),
                                public(current), waited)
            sleep(min(request.poll_interval, request.wait_timeout - waited))
            continue
        lock = new_lock(request, current, action, now)
        took_over = current if action == TAKE_OVER else None
        changed = is_changed(action, current, request)
        msg = _acquire_message(action, request, current, lock, now, check_mode)
        diff = {"before": holder_view(current), "after": holder_view(lock)} if changed else None
        if check_mode:
            if not table_exists:
                msg = "would create lock table %s, then %s" % (request.table, msg[len("would "):])
            return _outcome(changed, action, lock, msg, took_over, waited, diff)
        if put_lock(client, request.table, lock, write_condition(request, current, now)):
            return _outcome(changed, action, lock, msg, took_over, clock() - started, diff)
        # The item changed between the read and the write (another run was quicker): read it again at once.
        conflicts += 1
        if conflicts >= MAX_CONFLICTS:
            raise LockError("the lock item of environment %s kept changing between its read and its write (%d times)"
                            % (request.environment, conflicts), public(current), clock() - started)


def release(client, request: LockRequest, check_mode: bool = False) -> Dict[str, Any]:
    """Release the lock of ``request.environment`` if ``request.owner`` holds it. A lock held by another run is never
    deleted: LockError names its holder. No lock (or no lock table) is no change."""
    current = read_lock(client, request.table, request.environment)
    if current is not None and current["owner"] == request.owner:
        diff = {"before": holder_view(current), "after": {}}
        if check_mode:
            return _outcome(True, RELEASE, None, "would release the lock of environment %s" % request.environment,
                            diff=diff)
        if delete_lock(client, request.table, request.environment, request.owner):
            return _outcome(True, RELEASE, None, "released the lock of environment %s" % request.environment,
                            diff=diff)
        # Refused: the lease had expired and another run took the lock over since the read.
        current = read_lock(client, request.table, request.environment)
    if current is None:
        return _outcome(False, NONE, None, "environment %s is not locked" % request.environment)
    raise LockError("%s: not released by %s" % (describe_holder(request.environment, current), request.owner),
                    public(current))
