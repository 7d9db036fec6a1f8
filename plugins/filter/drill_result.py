# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: drill_result
short_description: The achieved RTO and RPO of a DR drill, per store and overall, against the targets
version_added: 0.1.0
description:
  - Achieved RTO of a store is the time from the drill start until its restored data validated. Achieved RPO is the
    drill start minus the write time of the newest marker found in the restored data. The environment takes the
    slowest store and the largest loss. See module_utils C(drill_measure).
  - Also renders the JUnit XML of the drill (one test case per store and target).
options:
  _input:
    description:
      - C(environment), C(drill_id), C(started_at) (UTC ISO 8601), C(rto_target_s), C(rpo_target_s), and C(stores),
        a list of C(store), C(markers) (id, written_at, as module M(envops.aws.pg_drill_markers) returns them,
        written before the start), C(found) (ids found in the restored data), C(validated_at) (UTC ISO 8601, or
        none when the validation failed).
      - Optionally C(steps), the phases as they ran, each C(store), C(phase) (detect, decide, restore, validate,
        cut_over), C(started_at) and C(ended_at) (UTC ISO 8601), for the timeline.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Measure the drill
  ansible.builtin.set_fact:
    drill: "{{ drill_input | envops.aws.drill_result }}"
"""

RETURN = r"""
_value:
  description: C(stores) (per store rto_s, rpo_s, targets, met flags, newest marker, problems), C(overall) (rto_s,
    rpo_s, met flags, passed, problems), C(junit) (the XML text), C(metrics) (CloudWatch data points),
    C(timeline) (store, phase, offset_s, seconds, in start order) and C(phase_totals) (seconds per phase).
  type: dict
"""

from datetime import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.drill_junit import junit_xml
from ansible_collections.envops.aws.plugins.module_utils.drill_measure import DrillMeasureError
from ansible_collections.envops.aws.plugins.module_utils.drill_measure import measure_store
from ansible_collections.envops.aws.plugins.module_utils.drill_measure import metric_points
from ansible_collections.envops.aws.plugins.module_utils.drill_measure import overall
from ansible_collections.envops.aws.plugins.module_utils.drill_measure import timeline


def _time(text, what):
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise AnsibleFilterError("drill_result: %s %r is not an ISO 8601 time" % (what, text))
    if value.tzinfo is None:
        raise AnsibleFilterError("drill_result: %s %r has no time zone" % (what, text))
    return value


def drill_result(drill):
    started = _time(drill["started_at"], "started_at")
    rto_target, rpo_target = int(drill["rto_target_s"]), int(drill["rpo_target_s"])
    stores = []
    try:
        for store in drill["stores"]:
            markers = [{"id": marker["id"], "written_at": _time(marker["written_at"], "a marker's written_at")}
                       for marker in store.get("markers") or []]
            validated = store.get("validated_at")
            stores.append(measure_store(store["store"], started, markers, store.get("found") or [],
                                        _time(validated, "validated_at") if validated else None, rto_target,
                                        rpo_target))
        steps = [{"store": step["store"], "phase": step["phase"], "started": _time(step["started_at"], "a step's started_at"),
                  "ended": _time(step["ended_at"], "a step's ended_at")} for step in drill.get("steps") or []]
        entries, totals = timeline(started, steps)
    except DrillMeasureError as error:
        raise AnsibleFilterError("drill_result: %s" % error)
    result = overall(stores, rto_target, rpo_target)
    return {"stores": stores, "overall": result, "timeline": entries, "phase_totals": totals,
            "junit": junit_xml(drill["environment"], drill["drill_id"], stores, result),
            "metrics": metric_points(drill["environment"], stores, result)}


class FilterModule(object):
    def filters(self):
        return {"drill_result": drill_result}
