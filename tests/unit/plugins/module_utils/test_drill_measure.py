# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.envops.aws.plugins.module_utils import drill_measure as measure

START = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)
MARKERS = [{"id": "m%d" % minutes, "written_at": START - timedelta(minutes=minutes)} for minutes in (90, 60, 30, 5)]


def store(found, validated_after_min=30, rto_target_min=240, rpo_target_min=60, markers=MARKERS):
    validated = None if validated_after_min is None else START + timedelta(minutes=validated_after_min)
    return measure.measure_store("postgres", START, markers, found, validated, rto_target_min * 60,
                                 rpo_target_min * 60)


def test_rpo_is_the_gap_to_the_newest_surviving_marker_and_rto_the_time_to_validation():
    result = store(["m90", "m60", "m30"])  # m5 was written after the recovery point
    assert (result["rpo_s"], result["rto_s"]) == (1800.0, 1800.0)
    assert result["rpo_met"] and result["rto_met"] and result["problems"] == []
    assert result["newest_marker"] == {"id": "m30", "written_at": "2026-11-23T11:30:00+00:00"}
    assert (result["markers_written"], result["markers_found"]) == (4, 3)


def test_missed_targets_say_by_how_much():
    result = store(["m90"], validated_after_min=300)
    assert not result["rto_met"] and not result["rpo_met"]
    assert result["problems"] == ["postgres: RTO 5h 0m 0s exceeds the target 4h 0m 0s",
                                  "postgres: RPO 1h 30m 0s exceeds the target 1h 0m 0s (newest surviving marker m90)"]


def test_no_surviving_marker_or_no_validation_fails_closed():
    lost = store([])
    assert lost["rpo_s"] is None and not lost["rpo_met"]
    assert "none of the 4 markers survived" in lost["problems"][0]
    unvalidated = store(["m5"], validated_after_min=None)
    assert unvalidated["rto_s"] is None and not unvalidated["rto_met"] and unvalidated["rpo_met"]
    nothing_written = store([], markers=[])
    assert "no marker was written" in nothing_written["problems"][0]


def test_ids_found_that_were_never_written_do_not_count():
    assert store(["m30", "other"])["markers_found"] == 1


def test_inputs_out_of_order_are_refused():
    with pytest.raises(measure.DrillMeasureError, match="before the drill starts"):
        store(["m5"], markers=[{"id": "late", "written_at": START + timedelta(seconds=1)}])
    with pytest.raises(measure.DrillMeasureError, match="validated before"):
        store(["m5"], validated_after_min=-1)


def test_overall_is_the_slowest_store_and_the_largest_loss():
    fast = store(["m5"], validated_after_min=10)
    slow = measure.measure_store("dynamodb", START, MARKERS, ["m30"], START + timedelta(minutes=50), 14400, 3600)
    result = measure.overall([fast, slow], 14400, 3600)
    assert (result["rto_s"], result["rpo_s"]) == (3000.0, 1800.0)
    assert result["passed"] and result["rto_met"] and result["rpo_met"]
    failed = measure.overall([fast, store([], validated_after_min=None)], 14400, 3600)
    assert failed["rto_s"] is None and not failed["passed"] and len(failed["problems"]) == 2
    assert measure.overall([], 1, 1)["problems"] == ["the drill restored no store"]


def step(store, phase, start_s, end_s):
    return {"store": store, "phase": phase, "started": START + timedelta(seconds=start_s),
            "ended": START + timedelta(seconds=end_s)}


def test_timeline_in_start_order_with_totals_per_phase():
    steps = [step("dynamodb", "restore", 70, 100), step("postgres", "restore", 5, 65),
             step("postgres", "detect", 0, 5), step("dynamodb", "detect", 0, 1)]
    entries, totals = measure.timeline(START, steps)
    assert entries == [
        {"store": "dynamodb", "phase": "detect", "offset_s": 0.0, "seconds": 1.0},
        {"store": "postgres", "phase": "detect", "offset_s": 0.0, "seconds": 5.0},
        {"store": "postgres", "phase": "restore", "offset_s": 5.0, "seconds": 60.0},
        {"store": "dynamodb", "phase": "restore", "offset_s": 70.0, "seconds": 30.0}]
    assert list(totals.items()) == [("detect", 6.0), ("restore", 90.0)]
    assert measure.timeline(START, []) == ([], {})


@pytest.mark.parametrize("bad,message", [
    (step("postgres", "coffee", 0, 1), "unknown drill phase"),
    (step("postgres", "validate", 2, 1), "ends before it starts"),
    (step("postgres", "validate", -1, 1), "starts before the drill"),
])
def test_timeline_refuses_what_cannot_be_a_step(bad, message):
    with pytest.raises(measure.DrillMeasureError, match=message):
        measure.timeline(START, [bad])


@pytest.mark.parametrize("seconds,text", [(None, "n/a"), (0, "0s"), (59.6, "1m 0s"), (3725, "1h 2m 5s"),
                                          (7200, "2h 0m 0s"), (-61, "-1m 1s")])
def test_human_durations(seconds, text):
    assert measure.human(seconds) == text


def test_evidence_digest_is_sha256():
    assert measure.evidence_digest("abc") == measure.evidence_digest(b"abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")


def test_metric_points_per_store_and_overall_skip_what_was_not_measured():
    measured = store(["m30"])
    failed = measure.measure_store("dynamodb", START, MARKERS, [], None, 240 * 60, 60 * 60)
    result = measure.overall([measured, failed], 240 * 60, 60 * 60)
    points = measure.metric_points("prod", [measured, failed], result)
    by_key = dict(((p["dimensions"]["Store"], p["name"]), p["value"]) for p in points)
    assert by_key[("postgres", "AchievedRTOSeconds")] == 30 * 60
    assert by_key[("postgres", "AchievedRPOSeconds")] == 30 * 60
    assert by_key[("postgres", "DrillPassed")] == 1
    assert ("dynamodb", "AchievedRTOSeconds") not in by_key and by_key[("dynamodb", "DrillPassed")] == 0
    assert by_key[("all", "DrillPassed")] == 0 and ("all", "AchievedRTOSeconds") not in by_key
    assert {p["dimensions"]["Environment"] for p in points} == {"prod"}
