# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A DynamoDB table restored to a point in time into a new table, marked as a restore, with a digest of its items.

RestoreTableToPointInTime always creates a new table and drops what a restore does not carry (streams, TTL, PITR,
auto scaling, tags): the restore marks its table with ``envops:restored-from`` / ``envops:restore-point`` so that
only such tables may be deleted again, and the caller re-applies the spec (role ``restore`` does it with module
``dynamodb_table``). The digest of a table (item count and an order-independent sum of the items' SHA-256) lets a
restore be compared with its source or with another restore without keeping any item.
"""

import base64
import hashlib
import json
from datetime import datetime
from typing import Any
from typing import Dict
from typing import Iterable
from typing import Optional

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.dynamodb import TableErrorHandler

RESTORED_FROM = "envops:restored-from"
RESTORE_POINT = "envops:restore-point"
_DIGEST_MODULUS = 1 << 64


def restore_marks(source: str, point: Optional[datetime]) -> Dict[str, str]:
    return {RESTORED_FROM: source, RESTORE_POINT: point.isoformat() if point else "latest"}


def marks_of(tags: Dict[str, str]) -> Dict[str, str]:
    return dict((key, tags[key]) for key in (RESTORED_FROM, RESTORE_POINT) if key in tags)


def is_restore_of(tags: Dict[str, str], source: Optional[str] = None) -> bool:
    if RESTORED_FROM not in tags:
        return False
    return source is None or tags[RESTORED_FROM] == source


def point_problem(continuous_backups: Dict[str, Any], source: str, point: Optional[datetime]) -> Optional[str]:
    """Why ``source`` cannot be restored to ``point`` (None: it can)."""
    pitr = continuous_backups.get("PointInTimeRecoveryDescription", {})
    if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
        return "table %s has no point-in-time recovery enabled: there is nothing to restore from." % source
    if point is None:
        return None
    earliest = pitr.get("EarliestRestorableDateTime")
    latest = pitr.get("LatestRestorableDateTime")
    if earliest and point < earliest:
        return "point %s is before the earliest restorable time of %s (%s)." % (
            point.isoformat(), source, earliest.isoformat())
    if latest and point > latest:
        return "point %s is after the latest restorable time of %s (%s)." % (
            point.isoformat(), source, latest.isoformat())
    return None


def restore_params(source: str, target: str, point: Optional[datetime], kms_key_arn: Optional[str]) -> Dict[str, Any]:
    params: Dict[str, Any] = {"SourceTableName": source, "TargetTableName": target,
                              "BillingModeOverride": "PAY_PER_REQUEST"}
    if point is None:
        params["UseLatestRestorableTime"] = True
    else:
        params["RestoreDateTime"] = point
    if kms_key_arn:
        params["SSESpecificationOverride"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key_arn}
    return params


def _canonical(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, set):
        return sorted(_canonical(element) for element in value)
    raise TypeError("unexpected %s in an item" % type(value).__name__)


def item_hash(item: Dict[str, Any]) -> int:
    text = json.dumps(item, sort_keys=True, separators=(",", ":"), default=_canonical)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def digest(items: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """Count and order-independent checksum of items in the low-level (typed) form of the client API."""
    count = 0
    total = 0
    for item in items:
        count += 1
        total = (total + item_hash(item)) % _DIGEST_MODULUS
    return {"items": count, "checksum": "%016x" % total}


@TableErrorHandler.common_error_handler("restore the table to a point in time")
@aws_retry()
def restore_table(client, **params: Any) -> Dict[str, Any]:
    return client.restore_table_to_point_in_time(**params)["TableDescription"]


@TableErrorHandler.common_error_handler("scan the table")
@aws_retry()
def _scan_page(client, **params: Any) -> Dict[str, Any]:
    return client.scan(**params)


def scan_items(client, table: str) -> Iterable[Dict[str, Any]]:
    params: Dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = _scan_page(client, **params)
        yield from page.get("Items", [])
        if not page.get("LastEvaluatedKey"):
            return
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def table_digest(client, table: str) -> Dict[str, Any]:
    return digest(scan_items(client, table))


@TableErrorHandler.list_error_handler("list the tables", [])
@aws_retry()
def table_names(client, prefix: str = "") -> list:
    names = client.get_paginator("list_tables").paginate().build_full_result().get("TableNames", [])
    return sorted(name for name in names if name.startswith(prefix))
