# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime, timezone

import pytest

from ansible_collections.envops.aws.plugins.module_utils import restore_request as rr


def request(**changes):
    base = {"kind": "rds_pitr", "environment": "prod", "live": "prod-postgres", "restore_id": "20261123101500",
            "point": "latest", "replace": False, "confirm": "", "snapshot": "", "table": "", "bucket_purpose": ""}
    base.update(changes)
    return base


def test_a_plain_request_restores_to_a_new_name_and_keeps_nothing():
    plan = rr.plan(request())
    assert plan["restored"] == "prod-postgres-restore-20261123101500"
    assert plan["old"] is None and plan["replace"] is False and plan["point"] == "latest"


def test_replace_needs_the_environment_name_as_confirmation():
    problems = rr.check_request(request(replace=True))
    assert problems == ["restore_replace replaces live data of prod: set restore_confirm=prod to confirm."]
    assert rr.check_request(request(replace=True, confirm="staging")) == problems
    plan = rr.plan(request(replace=True, confirm="prod"))
    assert plan["old"] == "prod-postgres-old-20261123101500"


def test_a_confirmation_without_replace_is_refused_so_intent_is_never_guessed():
    assert rr.check_request(request(confirm="prod")) == ["restore_confirm is only for restore_replace=true."]


def test_a_drill_never_replaces():
    problems = rr.check_request(request(replace=True, confirm="prod", drill=True))
    assert problems == ["a drill never replaces live data: restore_replace is refused in a drill."]


def test_logical_names_use_underscores_and_dynamodb_keeps_the_live_table():
    plan = rr.plan(request(kind="logical", live="prod_app", replace=True, confirm="prod"))
    assert (plan["restored"], plan["old"]) == ("prod_app_restore_20261123101500", "prod_app_old_20261123101500")
    plan = rr.plan(request(kind="dynamodb_pitr", live="prod-sessions", table="sessions", replace=True, confirm="prod"))
    assert (plan["restored"], plan["old"]) == ("prod-sessions-restore-20261123101500", "prod-sessions")


def test_s3_restores_under_a_restore_prefix_or_in_place():
    out = rr.plan(request(kind="s3_versions", live="reports/", bucket_purpose="exports",
                          point="2026-11-23T09:00:00Z"))
    assert out["restored"] == "restore-20261123101500/reports/" and out["old"] is None
    in_place = rr.plan(request(kind="s3_versions", live="reports/", bucket_purpose="exports",
                               point="2026-11-23T09:00:00Z", replace=True, confirm="prod"))
    assert in_place["restored"] == "reports/" and in_place["old"] is None


@pytest.mark.parametrize("changes, expected", [
    ({"kind": "snapshot"}, "restore_kind 'snapshot': one of logical, rds_snapshot, rds_pitr, dynamodb_pitr, "
                           "s3_versions."),
    ({"restore_id": "2026-11-23"}, "restore_id '2026-11-23': 1-20 lower case letters and digits."),
    ({"point": "yesterday"}, "point 'yesterday' is not an ISO 8601 time (e.g. 2026-11-23T10:15:00+00:00) nor "
                             "'latest'."),
    ({"point": "2026-11-23T09:00:00"}, "point '2026-11-23T09:00:00' has no time zone: a restore point must be "
                                       "unambiguous."),
    ({"kind": "rds_snapshot"}, "kind rds_snapshot needs the snapshot to restore (restore_snapshot)."),
    ({"kind": "rds_snapshot", "snapshot": "s1", "point": "2026-11-23T09:00:00Z"},
     "kind rds_snapshot restores a snapshot: a point in time is for rds_pitr."),
    ({"kind": "dynamodb_pitr"}, "kind dynamodb_pitr needs the table's spec name (restore_table)."),
    ({"kind": "logical", "point": "2026-11-23T09:00:00Z"},
     "kind logical restores a backup (restore_backup_id): a point in time is for rds_pitr and dynamodb_pitr."),
    ({"live": "p" * 50}, "the restored name '%s-restore-20261123101500' would be longer than 63 characters: use a "
                         "shorter restore_id." % ("p" * 50)),
])
def test_each_bad_request_is_named(changes, expected):
    assert rr.check_request(request(**changes)) == [expected]


def test_s3_needs_a_point_and_a_bucket():
    assert rr.check_request(request(kind="s3_versions", live="")) == [
        "kind s3_versions needs the time to restore the objects to (restore_point).",
        "kind s3_versions needs the bucket's purpose (restore_bucket_purpose)."]


def test_plan_raises_on_a_bad_request():
    with pytest.raises(rr.RestoreRequestError, match="restore_confirm=prod"):
        rr.plan(request(replace=True))


def test_points_parse_with_their_zone():
    assert rr.parse_point("latest") is None and rr.parse_point(None) is None
    assert rr.parse_point("2026-11-23T09:00:00Z") == datetime(2026, 11, 23, 9, tzinfo=timezone.utc)


def test_a_restore_id_with_a_trailing_newline_is_refused():
    assert rr.check_request(request(restore_id="p1\n")) == ["restore_id 'p1\\n': 1-20 lower case letters and digits."]
