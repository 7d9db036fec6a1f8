# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every store's RPO markers share: a new marker (id, UTC write time) and the ``before`` of a read.
Where a store keeps them: dynamodb_drill_markers.py, s3_drill_markers.py (pg_drill_markers writes rows in SQL)."""

import uuid
from datetime import datetime
from datetime import timezone
from typing import Dict
from typing import Optional


def new_marker(now: Optional[datetime] = None) -> Dict[str, str]:
    written_at = now or datetime.now(timezone.utc)
    if written_at.tzinfo is None:
        raise ValueError("a marker's write time needs a time zone")
    return {"id": "m-" + uuid.uuid4().hex[:12], "written_at": written_at.astimezone(timezone.utc).isoformat()}


def parse_before(text: Optional[str]) -> Optional[datetime]:
    """``before`` of a read: None, or an ISO 8601 time with a time zone (ValueError otherwise)."""
    if text in (None, ""):
        return None
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("before %r is not an ISO 8601 time (e.g. 2026-12-04T10:15:00+00:00)." % (text,))
    if value.tzinfo is None:
        raise ValueError("before %r has no time zone: give UTC." % (text,))
    return value
