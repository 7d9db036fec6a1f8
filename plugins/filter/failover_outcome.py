# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: failover_outcome
short_description: The measured phases of a failover or failback next to the plan's expected ones
version_added: 0.1.0
description:
  - See C(outcome) in module_utils C(failover_plan).
options:
  _input:
    description:
      - C(plan) (the result of filter C(failover_plan)), C(started_at) (UTC ISO 8601), C(phases) (a phase name to a
        list of its start and end, UTC ISO 8601).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Measure the failover
  ansible.builtin.set_fact:
    outcome: "{{ {'plan': plan, 'started_at': started, 'phases': phases} | envops.aws.failover_outcome }}"
"""

RETURN = r"""
_value:
  description: C(phases) (phase, expected_s, actual_s), C(actual_s), C(rto_target_s), C(within_rto).
  type: dict
"""

from datetime import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.failover_plan import outcome


def _time(text):
    value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError("time %r has no time zone" % text)
    return value


def failover_outcome(request):
    try:
        phases = dict((phase, (_time(times[0]), _time(times[1]))) for phase, times in request["phases"].items())
        return outcome(request["plan"], _time(request["started_at"]), phases)
    except (KeyError, ValueError, TypeError) as error:
        raise AnsibleFilterError("failover_outcome: %s" % error)


class FilterModule(object):
    def filters(self):
        return {"failover_outcome": failover_outcome}
