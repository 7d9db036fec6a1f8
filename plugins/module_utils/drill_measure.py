# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a DR drill achieved: RTO and RPO per store and overall, compared with the environment's targets.

No AWS service measures the achieved RPO; a drill does, with *markers*: before the drill starts, small marker
records (rows, items, objects) are written to each store at known times. After the restore, the markers found in
the restored data say up to when data survived:

- achieved RPO of a store = drill start (the moment of the simulated loss) - write time of the newest marker found
  in the restored store. No marker found: the RPO cannot be shown, and the store fails its RPO target.
- achieved RTO of a store = the moment its restored data was validated - drill start. A store whose validation
  failed has no RTO and fails its RTO target.
- overall: the environment is back when its last store is validated (RTO = the largest of the stores'), and it
  lost the largest window of any store (RPO = the largest).

Times are timezone-aware datetimes (UTC); durations are seconds. Pure: tested in tests/unit.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

PHASES = ("detect", "decide", "restore", "validate", "cut_over")


class DrillMeasureError(ValueError):
    """Inputs a drill cannot be measured from (times out of order, unknown phases)."""


def _seconds(later, earlier):
    return round((later - earlier).total_seconds(), 3)


def human(seconds):
    """``3725.0`` -> ``1h 2m 5s``; None -> ``n/a``."""
    if seconds is None:
        return "n/a"
    whole = int(round(seconds))
    hours, rest = divmod(abs(whole), 3600)
    minutes, secs = divmod(rest, 60)
    parts = ["%dh" % hours] if hours else []
    if hours or minutes:
        parts.append("%dm" % minutes)
    parts.append("%ds" % secs)
    return ("-" if whole < 0 else "") + " ".join(parts)


def timeline(drill_started, steps):
    """``steps``: ``[{"store", "phase", "started", "ended"}]`` (phases of PHASES, datetimes); returns the timeline of
    the report, ``[{"store", "phase", "offset_s", "seconds"}]`` in the order the steps started (offset from the drill
    start), and the seconds spent per phase over all stores (``{phase: seconds}`` in the order of PHASES)."""
    unknown = sorted(set(step["phase"] for step in steps) - set(PHASES))
    if unknown:
        raise DrillMeasureError("unknown drill phase(s) %s: the phases are %s" % (", ".join(unknown), ", ".join(PHASES)))
    entries = []
    for step in sorted(steps, key=lambda step: (step["started"], PHASES.index(step["phase"]), step["store"])):
        if step["ended"] < step["started"] or step["started"] < drill_started:
            raise DrillMeasureError("%s phase %s ends before it starts, or starts before the drill"
                                    % (step["store"], step["phase"]))
        entries.append({"store": step["store"], "phase": step["phase"],
                        "offset_s": _seconds(step["started"], drill_started),
                        "seconds": _seconds(step["ended"], step["started"])})
    totals = {}
    for name in PHASES:
        spent = [entry["seconds"] for entry in entries if entry["phase"] == name]
        if spent:
            totals[name] = round(sum(spent), 3)
    return entries, totals


def newest_surviving_marker(markers, found_ids):
    """The newest of ``markers`` (``[{"id", "written_at"}]``) whose id is in ``found_ids``, or None."""
    found = set(found_ids)
    surviving = [marker for marker in markers if marker["id"] in found]
    return max(surviving, key=lambda marker: marker["written_at"]) if surviving else None


def measure_store(store, drill_started, markers, found_ids, validated_at, rto_target_s, rpo_target_s):
    """One store's result: ``{"store", "rto_s", "rpo_s", "rto_target_s", "rpo_target_s", "rto_met", "rpo_met",
    "newest_marker", "markers_written", "markers_found", "problems"}``; ``validated_at`` None = validation failed."""
    if any(marker["written_at"] > drill_started for marker in markers):
        raise DrillMeasureError("store %s: markers must be written before the drill starts" % store)
    if validated_at is not None and validated_at < drill_started:
        raise DrillMeasureError("store %s: validated before the drill started" % store)
    newest = newest_surviving_marker(markers, found_ids)
    rto = _seconds(validated_at, drill_started) if validated_at is not None else None
    rpo = _seconds(drill_started, newest["written_at"]) if newest is not None else None
    problems = []
    if rto is None:
        problems.append("%s: the restored data did not validate, so there is no RTO" % store)
    elif rto > rto_target_s:
        problems.append("%s: RTO %s exceeds the target %s" % (store, human(rto), human(rto_target_s)))
    if not markers:
        problems.append("%s: no marker was written before the drill, so the RPO cannot be measured" % store)
    elif rpo is None:
        problems.append("%s: none of the %d markers survived the restore, so the data loss is unbounded"
                        % (store, len(markers)))
    elif rpo > rpo_target_s:
        problems.append("%s: RPO %s exceeds the target %s (newest surviving marker %s)"
                        % (store, human(rpo), human(rpo_target_s), newest["id"]))
    return {
        "store": store,
        "rto_s": rto,
        "rpo_s": rpo,
        "rto_target_s": rto_target_s,
        "rpo_target_s": rpo_target_s,
        "rto_met": rto is not None and rto <= rto_target_s,
        "rpo_met": rpo is not None and rpo <= rpo_target_s,
        "newest_marker": None if newest is None else {"id": newest["id"],
                                                      "written_at": newest["written_at"].isoformat()},
        "markers_written": len(markers),
        "markers_found": len(set(found_ids) & set(marker["id"] for marker in markers)),
        "problems": problems,
    }


def overall(stores, rto_target_s, rpo_target_s):
    """The environment's result from its stores' (see the module doc)."""
    rtos = [store["rto_s"] for store in stores]
    rpos = [store["rpo_s"] for store in stores]
    rto = None if not stores or None in rtos else max(rtos)
    rpo = None if not stores or None in rpos else max(rpos)
    problems = [problem for store in stores for problem in store["problems"]]
    if not stores:
        problems.append("the drill restored no store")
    return {
        "rto_s": rto, "rpo_s": rpo, "rto_target_s": rto_target_s, "rpo_target_s": rpo_target_s,
        "rto_met": rto is not None and rto <= rto_target_s,
        "rpo_met": rpo is not None and rpo <= rpo_target_s,
        "passed": bool(stores) and all(store["rto_met"] and store["rpo_met"] for store in stores),
        "problems": problems,
    }


def evidence_digest(text):
    """SHA-256 of a validation output (bytes or text), the evidence a report keeps instead of the output."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def metric_points(environment, stores, result):
    """CloudWatch data points of a drill (module cloudwatch_metric_data): achieved RTO / RPO per store and for the
    environment, where measured, and DrillPassed 1 or 0, so alarms can follow drills over time."""
    points = []
    for scope, figures, passed in [(store["store"], store, store["rto_met"] and store["rpo_met"]) for store in stores] \
            + [("all", result, result["passed"])]:
        dimensions = {"Environment": environment, "Store": scope}
        for name, key in (("AchievedRTOSeconds", "rto_s"), ("AchievedRPOSeconds", "rpo_s")):
            if figures[key] is not None:
                points.append({"name": name, "value": figures[key], "unit": "Seconds", "dimensions": dimensions})
        points.append({"name": "DrillPassed", "value": 1 if passed else 0, "unit": "Count", "dimensions": dimensions})
    return points
