# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: observability_alarm_names
short_description: Names of an environment's severity topics and alarms
version_added: 0.1.0
description:
  - Gives, from one home (module_utils C(observability_plan)), the names role C(observability) creates for the
    severity topics and the alarms of an environment, and the names of what the alarms watch (ALB, target groups),
    so that no task re-spells them.
options:
  _input:
    description: The environment name.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The P1 topic of prod
  ansible.builtin.debug:
    msg: "{{ ('prod' | envops.aws.observability_alarm_names).topics.P1 }}"
"""

RETURN = r"""
_value:
  description:
    - C(topics) (severity -> topic name), C(budget_severity), C(budget_topic), C(drill_severity), C(drill_topic),
      C(alarm_prefix), C(service_down_alarm),
      C(load_balancer), C(target_groups) (colour -> name).
  type: dict
"""

from ansible_collections.envops.aws.plugins.module_utils import observability_plan as plan


def observability_alarm_names(env_name):
    topics = {severity: plan.topic_name(env_name, severity) for severity in plan.SEVERITIES}
    return {
        "topics": topics,
        "budget_severity": plan.BUDGET_SEVERITY,
        "budget_topic": topics[plan.BUDGET_SEVERITY],
        "drill_severity": plan.DRILL_SEVERITY,
        "drill_topic": topics[plan.DRILL_SEVERITY],
        "alarm_prefix": plan.alarm_prefix(env_name),
        "service_down_alarm": plan.service_down_alarm_name(env_name),
        "load_balancer": plan.alb_name(env_name),
        "target_groups": {colour: plan.target_group_name(env_name, colour) for colour in plan.TARGET_COLOURS},
    }


class FilterModule(object):
    def filters(self):
        return {"observability_alarm_names": observability_alarm_names}
