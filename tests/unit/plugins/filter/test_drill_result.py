# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.filter.drill_result import drill_result

START = "2026-12-04T10:00:00+00:00"


def drill(**extra):
    value = {"environment": "prod", "drill_id": "d1", "started_at": START, "rto_target_s": 600, "rpo_target_s": 300,
             "stores": [{"store": "postgres", "markers": [{"id": "m1", "written_at": "2026-12-04T09:58:00+00:00"}],
                         "found": ["m1"], "validated_at": "2026-12-04T10:01:40+00:00"},
                        {"store": "dynamodb", "markers": [{"id": "m2", "written_at": "2026-12-04T09:59:00+00:00"}],
                         "found": ["m2"], "validated_at": "2026-12-04T10:02:00+00:00"}]}
    value.update(extra)
    return value


def test_stores_overall_and_timeline_of_the_steps():
    steps = [{"store": "postgres", "phase": "restore", "started_at": "2026-12-04T10:00:05+00:00",
              "ended_at": "2026-12-04T10:01:35+00:00"},
             {"store": "dynamodb", "phase": "restore", "started_at": "2026-12-04T10:01:40+00:00",
              "ended_at": "2026-12-04T10:01:55Z"}]
    result = drill_result(drill(steps=steps))
    assert [(store["store"], store["rto_s"], store["rpo_s"]) for store in result["stores"]] == [
        ("postgres", 100.0, 120.0), ("dynamodb", 120.0, 60.0)]
    assert (result["overall"]["rto_s"], result["overall"]["rpo_s"], result["overall"]["passed"]) == (120.0, 120.0, True)
    assert [(entry["store"], entry["offset_s"], entry["seconds"]) for entry in result["timeline"]] == [
        ("postgres", 5.0, 90.0), ("dynamodb", 100.0, 15.0)]
    assert result["phase_totals"] == {"restore": 105.0}
    assert drill_result(drill())["timeline"] == []


@pytest.mark.parametrize("steps,message", [
    ([{"store": "postgres", "phase": "restore", "started_at": "10:00", "ended_at": START}], "not an ISO 8601 time"),
    ([{"store": "postgres", "phase": "nap", "started_at": START, "ended_at": START}], "unknown drill phase"),
])
def test_bad_steps_are_refused_with_the_reason(steps, message):
    with pytest.raises(AnsibleFilterError, match=message):
        drill_result(drill(steps=steps))
