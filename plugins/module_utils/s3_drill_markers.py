# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""RPO markers of DR drills in S3: empty objects ``envops-drill-markers/<written_at>_<id>`` in a versioned bucket.

The write time is in the key, so the markers are read by listing, without a GET per marker. A drill restores the
marker prefix to its point in time (module s3_object_restore, under ``envops-drill/<id>/``); the markers found there
are those that existed at the point, and the newest bounds the data lost (module_utils/drill_measure.py).
"""

import re
from datetime import datetime
from datetime import timezone
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

MARKER_PREFIX = "envops-drill-markers/"
SCRATCH_PREFIX = "envops-drill/"  # module s3_object_restore deletes restore areas: restore-* and this
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_KEY = re.compile(r"^(?P<stamp>\d{8}T\d{6}\.\d{6}Z)_(?P<id>m-[0-9a-f]{12})$")


def marker_key(marker: Dict[str, str], prefix: str = MARKER_PREFIX) -> str:
    stamp = datetime.fromisoformat(marker["written_at"]).astimezone(timezone.utc).strftime(_STAMP)
    return "%s%s_%s" % (prefix, stamp, marker["id"])


def markers_from_keys(keys: Iterable[str], prefix: str = MARKER_PREFIX,
                      before: Optional[datetime] = None) -> List[Dict[str, str]]:
    """The markers among ``keys`` directly under ``prefix``, oldest first, only those written before ``before``."""
    markers = []
    for key in keys:
        if not key.startswith(prefix):
            continue
        match = _KEY.match(key[len(prefix):])
        if not match:
            continue
        written_at = datetime.strptime(match.group("stamp"), _STAMP).replace(tzinfo=timezone.utc)
        if before is not None and written_at >= before:
            continue
        markers.append((written_at, match.group("id")))
    return [{"id": marker_id, "written_at": written_at.isoformat()} for written_at, marker_id in sorted(markers)]


@aws_retry()
def put_marker(client, bucket: str, key: str) -> None:
    client.put_object(Bucket=bucket, Key=key, Body=b"")


@aws_retry()
def _keys_page(client, **params):
    return client.list_objects_v2(**params)


def current_keys(client, bucket: str, prefix: str) -> List[str]:
    keys: List[str] = []
    params = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = _keys_page(client, **params)
        keys.extend(item["Key"] for item in page.get("Contents", []))
        if not page.get("IsTruncated"):
            return keys
        params["ContinuationToken"] = page["NextContinuationToken"]
