# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from ansible_collections.envops.aws.plugins.module_utils import drill_markers
from ansible_collections.envops.aws.plugins.module_utils import dynamodb_drill_markers as markers

NOON = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def item(marker_id, written_at):
    return {"id": {"S": marker_id}, "written_at": {"S": written_at}}


def test_a_new_marker_is_unique_and_its_item_round_trips():
    first, second = drill_markers.new_marker(NOON), drill_markers.new_marker(NOON + timedelta(hours=1, minutes=30))
    assert first["id"] != second["id"] and first["id"].startswith("m-")
    assert second["written_at"] == "2026-12-04T13:30:00+00:00"
    assert markers.markers_from_items([markers.marker_item(second), markers.marker_item(first)]) == [first, second]
    local = datetime(2026, 12, 4, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    assert drill_markers.new_marker(local)["written_at"] == "2026-12-04T12:00:00+00:00"
    with pytest.raises(ValueError, match="time zone"):
        drill_markers.new_marker(datetime(2026, 12, 4, 12, 0))


def test_reading_keeps_markers_written_before_and_skips_what_is_not_a_marker():
    items = [item("m-late", "2026-12-04T12:00:00+00:00"), item("m-early", "2026-12-04T11:00:00+00:00"),
             {"id": {"S": "no-time"}}, item("m-naive", "2026-12-04T10:00:00"), item("m-bad", "yesterday"),
             {"id": {"N": "1"}, "written_at": {"S": "2026-12-04T10:00:00+00:00"}}]
    assert [marker["id"] for marker in markers.markers_from_items(items)] == ["m-early", "m-late"]
    assert markers.markers_from_items(items, before=NOON) == [{"id": "m-early", "written_at": "2026-12-04T11:00:00+00:00"}]


def test_before_must_be_an_unambiguous_time():
    assert drill_markers.parse_before(None) is None and drill_markers.parse_before("") is None
    assert drill_markers.parse_before("2026-12-04T12:00:00Z") == NOON
    for text, message in (("noon", "not an ISO 8601 time"), ("2026-12-04T12:00:00", "no time zone")):
        with pytest.raises(ValueError, match=message):
            drill_markers.parse_before(text)
