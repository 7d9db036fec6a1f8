# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: failover_plan
short_description: The steps of a failover or failback with expected durations, and the Route 53 records after it
version_added: 0.1.0
description:
  - See module_utils C(failover_plan). Used by role C(failover) to print the plan in check mode and to put the
    measured durations next to the expected ones.
options:
  _input:
    description:
      - C(action) (failover or failback), C(strategy) (the spec's C(dr.strategy)), C(database_bytes) (size of the
        newest logical backup), C(dns) (the spec's C(dns) section), C(rto_target_s).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the failover
  ansible.builtin.set_fact:
    plan: "{{ {'action': 'failover', 'strategy': 'warm_standby', 'database_bytes': 1073741824, 'dns': envops_env.dns,
               'rto_target_s': 14400} | envops.aws.failover_plan }}"
"""

RETURN = r"""
_value:
  description: C(steps) (phase, name, expected_s, what), C(expected_s), C(rto_target_s), C(within_rto), C(lines) (the
    plan as text), C(records) (the two failover records after the action, PRIMARY first).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils import failover_plan as plans


def failover_plan(request):
    try:
        result = plans.plan(request["action"], request["strategy"], int(request["database_bytes"]),
                            int(request["dns"]["ttl"]), int(request["rto_target_s"]))
        result["records"] = plans.records(request["dns"], "standby" if request["action"] == "failover" else "primary")
    except (plans.FailoverPlanError, KeyError) as error:
        raise AnsibleFilterError("failover_plan: %s" % error)
    result["lines"] = plans.render(result)
    return result


class FilterModule(object):
    def filters(self):
        return {"failover_plan": failover_plan}
