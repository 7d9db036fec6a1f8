# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RPO markers of DR drills in DynamoDB: items (id, written_at) of one small table per environment.

The markers live in a table of their own, ``<env>-envops-drill-markers``, not in the application's tables: an item
there would be data the application and the masked refresh (which stops on any attribute it cannot classify) do
not know. A drill restores the marker table together with the application's tables, to the same point, so the
newest marker that survives shows how far the restore reached (the achieved RPO, module_utils/drill_measure.py).
"""

from datetime import datetime
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.dynamodb import TableErrorHandler

KEY = "id"
WRITTEN_AT = "written_at"


def marker_item(marker: Dict[str, str]) -> Dict[str, Dict[str, str]]:
    """The item of ``marker`` in the low-level (typed) form of the client API."""
    return {KEY: {"S": marker[KEY]}, WRITTEN_AT: {"S": marker[WRITTEN_AT]}}


def markers_from_items(items: Iterable[Dict[str, Any]], before: Optional[datetime] = None) -> List[Dict[str, str]]:
    """The markers among typed ``items``, oldest first, only those written before ``before`` when given. Items that
    are not markers (no string id or no parsable write time) are skipped: the table is ours, but a reader never
    trusts it blindly."""
    markers = []
    for item in items:
        marker_id = item.get(KEY, {}).get("S")
        written = item.get(WRITTEN_AT, {}).get("S")
        if not marker_id or not written:
            continue
        try:
            written_at = datetime.fromisoformat(written)
        except ValueError:
            continue
        if written_at.tzinfo is None:
            continue
        if before is not None and written_at >= before:
            continue
        markers.append((written_at, marker_id))
    return [{KEY: marker_id, WRITTEN_AT: written_at.isoformat()} for written_at, marker_id in sorted(markers)]


@TableErrorHandler.common_error_handler("write a drill marker")
@aws_retry()
def put_marker(client, table: str, marker: Dict[str, str]) -> None:
    # a marker id is new: the condition makes a retried write of the same marker harmless, never an overwrite
    try:
        client.put_item(TableName=table, Item=marker_item(marker), ConditionExpression="attribute_not_exists(#k)",
                        ExpressionAttributeNames={"#k": KEY})
    except client.exceptions.ConditionalCheckFailedException:
        pass
