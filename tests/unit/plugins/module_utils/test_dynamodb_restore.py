# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime, timedelta, timezone

from ansible_collections.envops.aws.plugins.module_utils import dynamodb_restore as dr

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
WINDOW = {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED",
                                             "EarliestRestorableDateTime": NOW - timedelta(days=35),
                                             "LatestRestorableDateTime": NOW - timedelta(minutes=5)}}


def test_a_point_inside_the_window_is_accepted():
    assert dr.point_problem(WINDOW, "prod-t", NOW - timedelta(hours=1)) is None
    assert dr.point_problem(WINDOW, "prod-t", None) is None


def test_points_outside_the_window_and_tables_without_pitr_are_refused():
    assert "before the earliest restorable time" in dr.point_problem(WINDOW, "prod-t", NOW - timedelta(days=40))
    assert "after the latest restorable time" in dr.point_problem(WINDOW, "prod-t", NOW)
    off = {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    assert dr.point_problem(off, "prod-t", None) == ("table prod-t has no point-in-time recovery enabled: there is "
                                                     "nothing to restore from.")


def test_restore_params_latest_or_point_with_the_key():
    latest = dr.restore_params("a-t", "a-t-restore-1", None, None)
    assert latest == {"SourceTableName": "a-t", "TargetTableName": "a-t-restore-1",
                      "BillingModeOverride": "PAY_PER_REQUEST", "UseLatestRestorableTime": True}
    at = dr.restore_params("a-t", "a-t-restore-1", NOW, "arn:aws:kms:x:1:key/k")
    assert at["RestoreDateTime"] == NOW and "UseLatestRestorableTime" not in at
    assert at["SSESpecificationOverride"] == {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "arn:aws:kms:x:1:key/k"}


def test_marks_say_what_was_restored_from_when():
    assert dr.restore_marks("prod-t", NOW) == {dr.RESTORED_FROM: "prod-t", dr.RESTORE_POINT: NOW.isoformat()}
    assert dr.is_restore_of(dr.restore_marks("prod-t", None), "prod-t")
    assert not dr.is_restore_of(dr.restore_marks("prod-t", None), "prod-u")
    assert not dr.is_restore_of({"env": "prod"})


def test_the_digest_ignores_order_and_sees_any_changed_value():
    items = [{"k": {"S": "a"}, "n": {"N": "1"}}, {"k": {"S": "b"}, "b": {"B": b"\x00\x01"}, "ss": {"SS": ["x", "y"]}}]
    digest = dr.digest(items)
    assert digest["items"] == 2 and len(digest["checksum"]) == 16
    assert dr.digest(list(reversed(items))) == digest
    changed = [{"k": {"S": "a"}, "n": {"N": "2"}}, items[1]]
    assert dr.digest(changed)["checksum"] != digest["checksum"]
    assert dr.digest([]) == {"items": 0, "checksum": "0" * 16}
