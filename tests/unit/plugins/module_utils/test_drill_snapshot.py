# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import DrillSnapshotError
from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import leftover_instances
from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import newest_snapshot
from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import snapshot_validation


def snapshot(name, created, original=None, kind="manual", status="available", encrypted=True):
    return {"db_snapshot_identifier": name, "snapshot_create_time": created,
            "original_snapshot_create_time": original or created, "snapshot_type": kind, "status": status,
            "db_instance_identifier": "prod-postgres", "encrypted": encrypted, "kms_key_id": "k"}


def test_the_newest_data_wins_manual_or_automated_and_a_copy_is_as_old_as_its_original():
    snapshots = [
        snapshot("rds:prod-postgres-2026-12-01-03-00", "2026-12-01T03:00:00+00:00", kind="automated"),
        snapshot("rds:prod-postgres-2026-12-02-03-00", "2026-12-02T03:00:00+00:00", kind="automated"),
        snapshot("before-release", "2026-12-01T12:00:00+00:00"),
        # copied after everything else, of the oldest data
        snapshot("copy-of-first", "2026-12-03T09:00:00+00:00", original="2026-12-01T03:00:00+00:00"),
        snapshot("still-creating", "2026-12-04T00:00:00+00:00", status="creating"),
    ]
    assert newest_snapshot(snapshots) == {
        "id": "rds:prod-postgres-2026-12-02-03-00", "type": "automated", "instance": "prod-postgres",
        "data_at": "2026-12-02T03:00:00+00:00", "created_at": "2026-12-02T03:00:00+00:00", "encrypted": True,
        "kms_key_id": "k"}
    newer = snapshot("after-release", "2026-12-02T05:30:00.250000Z")
    assert newest_snapshot(snapshots + [newer])["data_at"] == "2026-12-02T05:30:00.250000+00:00"
    copy = newest_snapshot([snapshots[3]])
    assert (copy["data_at"], copy["created_at"]) == ("2026-12-01T03:00:00+00:00", "2026-12-03T09:00:00+00:00")
    # a replica's snapshot: its data is that of its most recent transaction, older than the snapshot itself
    lagging = dict(snapshot("of-replica", "2026-12-02T06:00:00+00:00"),
                   snapshot_database_time="2026-12-02T02:00:00+00:00")
    assert newest_snapshot(snapshots + [lagging])["id"] == "rds:prod-postgres-2026-12-02-03-00"
    assert newest_snapshot([lagging])["data_at"] == "2026-12-02T02:00:00+00:00"


def test_no_available_snapshot_is_none_and_a_bad_time_is_named():
    assert newest_snapshot([]) is None and newest_snapshot(None) is None
    assert newest_snapshot([snapshot("s", "2026-12-01T00:00:00+00:00", status="creating")]) is None
    with pytest.raises(DrillSnapshotError, match="the time of snapshot s 'yesterday' is not an ISO 8601 time"):
        newest_snapshot([snapshot("s", "yesterday")])


def test_only_tagged_drill_instances_not_yet_being_deleted_are_leftovers():
    instances = [
        {"db_instance_identifier": "prod-drill-2", "tags": {"envops:drill-id": "2"}, "db_instance_status": "available"},
        {"db_instance_identifier": "prod-drill-1", "tags": {"envops:drill-id": "1"}, "db_instance_status": "failed"},
        {"db_instance_identifier": "prod-drill-3", "tags": {"envops:drill-id": "3"}, "db_instance_status": "deleting"},
        {"db_instance_identifier": "prod-drill-mine", "tags": {"env": "prod"}, "db_instance_status": "available"},
        {"db_instance_identifier": "prod-postgres", "tags": {"envops:drill-id": "x"},
         "db_instance_status": "available"},
        {"db_instance_identifier": "staging-drill-4", "db_instance_status": "available"},
    ]
    assert leftover_instances(instances, "prod-drill-", "envops:drill-id") == ["prod-drill-1", "prod-drill-2"]
    assert leftover_instances(None, "prod-drill-", "envops:drill-id") == []


SNAPSHOT = {"id": "prod-postgres-manual-1", "data_at": "2026-12-07T10:00:00+00:00", "encrypted": True}
INSTANCE = {"db_instance_identifier": "prod-drill-7", "db_instance_status": "available", "storage_encrypted": True}
MARKERS = [{"id": "m-1", "written_at": "2026-12-07T09:00:00+00:00"},
           {"id": "m-2", "written_at": "2026-12-07T09:58:00+00:00"},
           {"id": "m-3", "written_at": "2026-12-07T09:59:30+00:00"},   # within the margin: not required
           {"id": "m-4", "written_at": "2026-12-07T10:05:00+00:00"}]   # after the snapshot: the loss
FINGERPRINTS = {
    "tables": {"public.orders": {"rows": 600, "checksum": "12"}, "envops_drill.markers": {"rows": 2, "checksum": "7"}},
    "rows": 602,
    "reference": {"backup_id": "b1", "created_at": "2026-12-07T09:30:00+00:00"},
    "comparison": {"public.orders": {"rows": 600, "backup_rows": 600, "matches": True},
                   "envops_drill.markers": {"rows": 2, "backup_rows": 1, "matches": False}},
}


def test_a_snapshot_holding_every_marker_written_before_it_validates_and_its_tables_are_compared():
    validation = snapshot_validation(INSTANCE, SNAPSHOT, MARKERS, ["m-1", "m-2"], FINGERPRINTS, 60)
    assert validation == {
        "ok": True, "problems": [], "snapshot": "prod-postgres-manual-1", "data_at": "2026-12-07T10:00:00+00:00",
        "instance": {"id": "prod-drill-7", "status": "available", "encrypted": True},
        "markers": {"required": 2, "missing": [], "found": 2},
        "tables": {"envops_drill.markers": {"rows": 2, "checksum": "7", "backup_rows": 1, "matches": False},
                   "public.orders": {"rows": 600, "checksum": "12", "backup_rows": 600, "matches": True}},
        "rows": 602,
        "reference": {"backup_id": "b1", "created_at": "2026-12-07T09:30:00+00:00", "same": False,
                      "differing": ["envops_drill.markers"]}}


def test_a_marker_written_before_the_snapshot_and_missing_from_it_fails_the_validation():
    validation = snapshot_validation(INSTANCE, SNAPSHOT, MARKERS, ["m-2", "m-4"], FINGERPRINTS, 60)
    assert not validation["ok"] and validation["markers"] == {"required": 2, "missing": ["m-1"], "found": 2}
    assert validation["problems"] == [
        "1 of the 2 markers written before the snapshot prod-postgres-manual-1 (2026-12-07T10:00:00+00:00, less 60 s)"
        " are not in the restored data: m-1"]
    # a smaller margin requires m-3 too
    assert snapshot_validation(INSTANCE, SNAPSHOT, MARKERS, ["m-1", "m-2"], FINGERPRINTS, 1)["markers"] == {
        "required": 3, "missing": ["m-3"], "found": 2}


def test_an_unavailable_or_unencrypted_instance_fails_and_no_backup_means_no_comparison():
    instance = dict(INSTANCE, db_instance_status="incompatible-restore", storage_encrypted=False)
    without_backup = {"tables": FINGERPRINTS["tables"], "rows": 602}
    validation = snapshot_validation(instance, SNAPSHOT, [], [], without_backup, 60)
    assert validation["problems"] == [
        "the drill instance prod-drill-7 is incompatible-restore, not available",
        "the drill instance prod-drill-7 is not encrypted, the snapshot prod-postgres-manual-1 is"]
    assert validation["reference"] is None
    assert validation["tables"]["public.orders"] == {"rows": 600, "checksum": "12", "backup_rows": None,
                                                     "matches": None}
    assert snapshot_validation(dict(INSTANCE, storage_encrypted=False), dict(SNAPSHOT, encrypted=False), [], [],
                               without_backup, 60)["ok"]
