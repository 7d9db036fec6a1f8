# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from ansible_collections.envops.aws.plugins.module_utils import drill_markers
from ansible_collections.envops.aws.plugins.module_utils import s3_drill_markers as markers
from ansible_collections.envops.aws.plugins.module_utils import s3_versions

NOON = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


def test_the_key_carries_the_write_time_and_reads_back():
    first = drill_markers.new_marker(NOON + timedelta(microseconds=5))
    second = drill_markers.new_marker(NOON + timedelta(hours=1))
    key = markers.marker_key(first)
    assert key == "envops-drill-markers/20261204T120000.000005Z_%s" % first["id"]
    keys = [markers.marker_key(second), key, "envops-drill-markers/notes.txt", "other/" + key[len("envops-drill-"):],
            "envops-drill-markers/sub/20261204T120000.000005Z_m-000000000000"]
    assert markers.markers_from_keys(keys) == [first, second]
    assert markers.markers_from_keys(keys, before=NOON + timedelta(minutes=1)) == [first]
    restored = "envops-drill/20261204130000/envops-drill-markers/"
    assert markers.markers_from_keys([markers.marker_key(second, restored)], restored) == [second]
    with pytest.raises(ValueError, match="time zone"):
        drill_markers.new_marker(datetime(2026, 12, 4))


@pytest.mark.parametrize("prefix,allowed", [
    ("envops-drill/", True), ("envops-drill/20261204/", True), ("restore-abc/reports/", True),
    ("", False), ("reports/", False), ("envops-drill", False), ("restore-x/../reports/", False),
    ("envops-drill-markers/", False),
])
def test_only_restore_areas_may_be_emptied(prefix, allowed):
    assert (s3_versions.restore_area_problem(prefix) is None) == allowed


def test_deletes_go_in_batches_of_a_thousand():
    entries = [{"Key": "envops-drill/k%d" % number, "VersionId": "v%d" % number, "Size": 1} for number in range(2001)]
    batches = list(s3_versions.version_batches(entries))
    assert [len(batch) for batch in batches] == [1000, 1000, 1]
    assert batches[2] == [{"Key": "envops-drill/k2000", "VersionId": "v2000"}]
    assert list(s3_versions.version_batches([])) == []
