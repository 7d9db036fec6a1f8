# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RDS-snapshot kind of DR drill: which snapshot it restores, which drill instances it reaps, and what it checks.

An RDS snapshot carries no manifest: nothing outside it recorded its tables at its moment (automated snapshots are
taken by AWS while the application writes), and fingerprints of the live database read at any other moment are not
those of the snapshot. So the drill checks what can be checked consistently:

- the drill instance is available, and encrypted when the snapshot is;
- every RPO marker committed before the snapshot's moment (by more than a margin: the clocks of the database and
  of RDS, and a commit's own duration) is in the restored data: the snapshot holds what was committed before it.
  The newest surviving marker gives the achieved RPO (drill_measure);
- every table of the restored database is read whole (rows and checksum per table: every row readable), and the
  figures are compared with the manifest of the newest logical backup taken at or before the snapshot's moment.
  That comparison is evidence, not a criterion: a table equal to the backup's holds the same data by two
  independent recovery paths; a table written between the two moments legitimately differs.

Inputs are the snake_case results of amazon.aws modules (rds_snapshot_info, rds_instance_info) and of the
envops.aws pg_* modules; times are ISO 8601 texts. Pure: tested in tests/unit.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime
from datetime import timedelta
from datetime import timezone


class DrillSnapshotError(ValueError):
    """Inputs the drill cannot be judged from (times that are not ISO 8601)."""


def _time(text, what):
    if isinstance(text, datetime):
        value = text
    else:
        try:
            value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
        except ValueError:
            raise DrillSnapshotError("%s %r is not an ISO 8601 time" % (what, text))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def data_moment(snapshot):
    """When the snapshot's data was taken: its most recent transaction (SnapshotDatabaseTime) where RDS reports it
    (a replica's snapshot lags its creation), else the time the original snapshot was taken
    (OriginalSnapshotCreateTime: a copy's own SnapshotCreateTime is the time of the copy)."""
    text = (snapshot.get("snapshot_database_time") or snapshot.get("original_snapshot_create_time")
            or snapshot.get("snapshot_create_time"))
    return _time(text, "the time of snapshot %s" % snapshot.get("db_snapshot_identifier")) if text else None


def newest_snapshot(snapshots):
    """The snapshot a recovery would restore: the available one (manual or automated) holding the newest data;
    ``{"id", "type", "instance", "data_at", "created_at", "encrypted", "kms_key_id"}``, or None."""
    candidates = [snapshot for snapshot in snapshots or []
                  if snapshot.get("status") == "available" and data_moment(snapshot) is not None]
    if not candidates:
        return None
    best = max(candidates, key=lambda snapshot: (data_moment(snapshot), snapshot["db_snapshot_identifier"]))
    created = best.get("snapshot_create_time")
    return {"id": best["db_snapshot_identifier"], "type": best.get("snapshot_type"),
            "instance": best.get("db_instance_identifier"), "data_at": data_moment(best).isoformat(),
            "created_at": _time(created, "snapshot_create_time").isoformat() if created else None,
            "encrypted": bool(best.get("encrypted")), "kms_key_id": best.get("kms_key_id")}


def leftover_instances(instances, prefix, tag_key):
    """Identifiers of the instances a killed drill left: named with ``prefix``, tagged ``tag_key``, and not already
    being deleted. An instance of that name without the tag is not a drill's and is left alone."""
    return sorted(instance["db_instance_identifier"] for instance in instances or []
                  if instance["db_instance_identifier"].startswith(prefix)
                  and tag_key in (instance.get("tags") or {})
                  and instance.get("db_instance_status") != "deleting")


def _tables(fingerprints):
    """Per table rows, checksum, the backup's rows and whether the backup has the same figures (None: no backup)."""
    comparison = fingerprints.get("comparison") or {}
    tables = {}
    for name, figures in sorted((fingerprints.get("tables") or {}).items()):
        compared = comparison.get(name) or {}
        tables[name] = {"rows": figures["rows"], "checksum": figures["checksum"],
                        "backup_rows": compared.get("backup_rows"),
                        "matches": compared.get("matches") if fingerprints.get("reference") else None}
    return tables


def _reference(fingerprints):
    reference = fingerprints.get("reference")
    if not reference:
        return None
    comparison = fingerprints.get("comparison") or {}
    differing = sorted(name for name, compared in comparison.items() if not compared.get("matches"))
    return {"backup_id": reference.get("backup_id"), "created_at": reference.get("created_at"),
            "same": not differing, "differing": differing}


def snapshot_validation(instance, snapshot, markers, found, fingerprints, margin_s):
    """The verdict on a drill instance restored from ``snapshot`` (newest_snapshot's summary).

    ``instance``: rds_instance_info's entry of the drill instance; ``markers``: the markers of the live database
    written before the drill started (id, written_at); ``found``: the marker ids read from the restored database;
    ``fingerprints``: the result of module pg_table_fingerprints on the restored database; ``margin_s``: how long
    before the snapshot's moment a marker must have been written to be required in it.

    Returns ``{"ok", "problems", "snapshot", "data_at", "instance", "markers", "tables", "rows", "reference"}``;
    problems name identifiers and counts, never values."""
    data_at = _time(snapshot["data_at"], "the snapshot's data_at")
    required_before = data_at - timedelta(seconds=float(margin_s))
    found = set(found or [])
    required = [marker["id"] for marker in markers or []
                if _time(marker["written_at"], "a marker's written_at") < required_before]
    missing = [marker_id for marker_id in required if marker_id not in found]
    status = instance.get("db_instance_status")
    problems = []
    if status != "available":
        problems.append("the drill instance %s is %s, not available" % (instance.get("db_instance_identifier"), status))
    if snapshot.get("encrypted") and not instance.get("storage_encrypted"):
        problems.append("the drill instance %s is not encrypted, the snapshot %s is"
                        % (instance.get("db_instance_identifier"), snapshot["id"]))
    if missing:
        problems.append("%d of the %d markers written before the snapshot %s (%s, less %s s) are not in the restored "
                        "data: %s" % (len(missing), len(required), snapshot["id"], snapshot["data_at"], margin_s,
                                      ", ".join(missing)))
    tables = _tables(fingerprints)
    return {"ok": not problems, "problems": problems, "snapshot": snapshot["id"], "data_at": snapshot["data_at"],
            "instance": {"id": instance.get("db_instance_identifier"), "status": status,
                         "encrypted": bool(instance.get("storage_encrypted"))},
            "markers": {"required": len(required), "missing": missing, "found": len(found)},
            "tables": tables, "rows": sum(table["rows"] for table in tables.values()),
            "reference": _reference(fingerprints)}
