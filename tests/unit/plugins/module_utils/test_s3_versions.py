# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime, timedelta, timezone

from ansible_collections.envops.aws.plugins.module_utils import s3_versions as sv

T0 = datetime(2026, 11, 23, 9, 0, 0, tzinfo=timezone.utc)


def version(key, vid, minutes, etag, latest=False):
    return {"Key": key, "VersionId": vid, "ETag": etag, "Size": 3, "LastModified": T0 + timedelta(minutes=minutes),
            "IsLatest": latest}


def marker(key, vid, minutes, latest=False):
    return {"Key": key, "VersionId": vid, "LastModified": T0 + timedelta(minutes=minutes), "IsLatest": latest}


# a: v1 at 0, v2 at 10 (current). b: v1 at 0, deleted at 10 (marker current). c: written at 10 only.
# d: v1 at 0, deleted at 5, v2 at 8 (current)
VERSIONS = [version("r/a", "a1", 0, '"e-a1"'), version("r/a", "a2", 10, '"e-a2"', latest=True),
            version("r/b", "b1", 0, '"e-b1"'), version("r/c", "c1", 10, '"e-c1"', latest=True),
            version("r/d", "d1", 0, '"e-d1"'), version("r/d", "d2", 8, '"e-d2"', latest=True)]
MARKERS = [marker("r/b", "bm", 10, latest=True), marker("r/d", "dm", 5)]


def test_state_at_picks_the_version_current_at_the_point():
    state = sv.state_at(VERSIONS, MARKERS, T0 + timedelta(minutes=6))
    assert state["r/a"]["version_id"] == "a1"
    assert state["r/b"]["version_id"] == "b1"
    assert state["r/c"] is None  # not yet written
    assert state["r/d"] is None  # deleted at 5


def test_current_state_follows_is_latest():
    current = sv.current_state(VERSIONS, MARKERS)
    assert current["r/a"]["version_id"] == "a2" and current["r/b"] is None and current["r/c"]["version_id"] == "c1"


def test_in_place_plan_copies_back_and_deletes_what_did_not_exist():
    wanted = sv.state_at(VERSIONS, MARKERS, T0 + timedelta(minutes=6))
    actions = sv.plan_restore(wanted, sv.current_state(VERSIONS, MARKERS), "r/", "r/")
    assert actions == [
        {"action": "copy", "key": "r/a", "source_key": "r/a", "version_id": "a1", "etag": '"e-a1"'},
        {"action": "copy", "key": "r/b", "source_key": "r/b", "version_id": "b1", "etag": '"e-b1"'},
        {"action": "delete", "key": "r/c"},
        {"action": "delete", "key": "r/d"},
    ]
    assert sv.summary(actions, wanted) == {"objects_at_point": 2, "copied": 2, "deleted": 2, "unchanged": 0}


def test_a_key_already_holding_the_wanted_content_is_left_alone():
    wanted = sv.state_at(VERSIONS, MARKERS, T0 + timedelta(minutes=11))
    assert sv.plan_restore(wanted, sv.current_state(VERSIONS, MARKERS), "r/", "r/") == []
    assert sv.mismatches(wanted, sv.current_state(VERSIONS, MARKERS), "r/", "r/") == []


def test_out_of_place_copies_under_the_target_prefix_and_never_deletes():
    wanted = sv.state_at(VERSIONS, MARKERS, T0 + timedelta(minutes=6))
    actions = sv.plan_restore(wanted, {}, "r/", "restore-1/r/")
    assert [(a["action"], a["key"], a["version_id"]) for a in actions] == [
        ("copy", "restore-1/r/a", "a1"), ("copy", "restore-1/r/b", "b1")]


def test_mismatches_name_missing_changed_and_resurrected_keys():
    wanted = sv.state_at(VERSIONS, MARKERS, T0 + timedelta(minutes=6))
    current = sv.current_state(VERSIONS, MARKERS)
    assert sv.mismatches(wanted, current, "r/", "r/") == [
        "r/a has ETag \"e-a2\", the point's version \"e-a1\"", "r/b is missing",
        "r/c exists but did not exist at the point", "r/d exists but did not exist at the point"]


def test_entries_of_the_same_second_prefer_the_latest():
    same = [version("k", "v1", 0, '"1"'), version("k", "v2", 0, '"2"', latest=True)]
    assert sv.state_at(same, [], T0)["k"]["version_id"] == "v2"
