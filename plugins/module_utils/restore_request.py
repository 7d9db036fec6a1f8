# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a restore request of ``restore.yml`` means, checked before any AWS call or connection.

A restore goes to a new name by default (``<live>-restore-<id>``, ``<db>_restore_<id>`` for a database). Replacing
the live resource needs ``replace`` plus the environment's name typed again as ``confirm``; the live resource is
then kept under ``<live>-old-<id>`` (a DynamoDB table keeps its name: the environment's parameter is switched
instead). The names are computed here so that the role, the report and the tests agree on them.
"""

import re
from datetime import datetime
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

KINDS = ("logical", "rds_snapshot", "rds_pitr", "dynamodb_pitr", "s3_versions")
# Lower case letters and digits: part of RDS identifiers, table and database names alike.
_RESTORE_ID = re.compile(r"[a-z0-9]{1,20}")  # fullmatch: "$" would let a trailing newline through
_RDS_ID_MAX = 63
_PG_NAME_MAX = 63


class RestoreRequestError(Exception):
    pass


def parse_point(text: Optional[str]) -> Optional[datetime]:
    """An ISO 8601 time with a time zone, or None for "the latest restorable point"."""
    if text in (None, "", "latest"):
        return None
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise RestoreRequestError("point %r is not an ISO 8601 time (e.g. 2026-11-23T10:15:00+00:00) "
                                  "nor 'latest'." % (text,))
    if value.tzinfo is None:
        raise RestoreRequestError("point %r has no time zone: a restore point must be unambiguous." % (text,))
    return value


def _separator(kind: str) -> str:
    return "_" if kind == "logical" else "-"


def restored_name(kind: str, live: str, restore_id: str) -> str:
    sep = _separator(kind)
    return "%s%srestore%s%s" % (live, sep, sep, restore_id)


def old_name(kind: str, live: str, restore_id: str) -> str:
    sep = _separator(kind)
    return "%s%sold%s%s" % (live, sep, sep, restore_id)


def _name_problems(kind: str, live: str, restore_id: str) -> List[str]:
    longest = max(len(restored_name(kind, live, restore_id)), len(old_name(kind, live, restore_id)))
    limit = _PG_NAME_MAX if kind == "logical" else _RDS_ID_MAX
    if kind in ("logical", "rds_snapshot", "rds_pitr") and longest > limit:
        return ["the restored name %r would be longer than %d characters: use a shorter restore_id."
                % (restored_name(kind, live, restore_id), limit)]
    return []


def _kind_problems(kind: str, request: Dict[str, Any]) -> List[str]:
    problems = []
    point = request.get("point")
    if kind == "rds_snapshot" and not request.get("snapshot"):
        problems.append("kind rds_snapshot needs the snapshot to restore (restore_snapshot).")
    if kind == "rds_snapshot" and point not in (None, "", "latest"):
        problems.append("kind rds_snapshot restores a snapshot: a point in time is for rds_pitr.")
    if kind == "s3_versions":
        if point in (None, "", "latest"):
            problems.append("kind s3_versions needs the time to restore the objects to (restore_point).")
        if not request.get("bucket_purpose"):
            problems.append("kind s3_versions needs the bucket's purpose (restore_bucket_purpose).")
    if kind == "dynamodb_pitr" and not request.get("table"):
        problems.append("kind dynamodb_pitr needs the table's spec name (restore_table).")
    if kind == "logical" and point not in (None, "", "latest"):
        problems.append("kind logical restores a backup (restore_backup_id): a point in time is for rds_pitr "
                        "and dynamodb_pitr.")
    return problems


def check_request(request: Dict[str, Any]) -> List[str]:
    """Every problem of the request, in the words of the playbook's variables. Empty when it may run."""
    kind = request.get("kind")
    environment = request.get("environment") or ""
    if kind not in KINDS:
        return ["restore_kind %r: one of %s." % (kind, ", ".join(KINDS))]
    problems = []
    restore_id = str(request.get("restore_id") or "")
    if not _RESTORE_ID.fullmatch(restore_id):
        problems.append("restore_id %r: 1-20 lower case letters and digits." % restore_id)
    try:
        parse_point(request.get("point"))
    except RestoreRequestError as error:
        problems.append(str(error))
    problems.extend(_kind_problems(kind, request))
    if request.get("replace"):
        if request.get("confirm") != environment:
            problems.append("restore_replace replaces live data of %s: set restore_confirm=%s to confirm."
                            % (environment, environment))
        if request.get("drill"):
            problems.append("a drill never replaces live data: restore_replace is refused in a drill.")
    elif request.get("confirm"):
        problems.append("restore_confirm is only for restore_replace=true.")
    if _RESTORE_ID.fullmatch(restore_id) and request.get("live"):
        problems.extend(_name_problems(kind, request["live"], restore_id))
    return problems


def plan(request: Dict[str, Any]) -> Dict[str, Any]:
    """The names and steps of a checked request (raises RestoreRequestError when it may not run)."""
    problems = check_request(request)
    if problems:
        raise RestoreRequestError(" ".join(problems))
    kind = request["kind"]
    live = request["live"]
    restore_id = str(request["restore_id"])
    replace = bool(request.get("replace"))
    result = {
        "kind": kind,
        "environment": request.get("environment"),
        "live": live,
        "restored": restored_name(kind, live, restore_id),
        "replace": replace,
        "old": None,
        "point": request.get("point") or "latest",
    }
    if kind == "s3_versions":
        # Objects come back under their own prefix (replace: as new current versions, the replaced ones stay as
        # noncurrent versions) or under restore-<id>/.
        result["restored"] = live if replace else "restore-%s/%s" % (restore_id, live)
    elif replace:
        # DynamoDB tables cannot be renamed: the live name moves with the environment's parameter instead.
        result["old"] = live if kind == "dynamodb_pitr" else old_name(kind, live, restore_id)
    return result
