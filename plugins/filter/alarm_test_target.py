# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: alarm_test_target
short_description: The alarm the alarm test drives and the severity topic that must receive it
version_added: 0.1.0
description:
  - C(alarm_test_input_problems(env, alarm, environments)) lists the refusals of the operator's input.
  - Resolves an alarm key of the spec (its critical alarm, else its warning one) or a full alarm name against the
    environment's alarms as CloudWatch lists them, and finds the severity topic of its ALARM action. Fails naming
    the input and the rule when there is none.
options:
  _input:
    description: The environment name.
    type: str
    required: true
  requested:
    description: Alarm key or alarm name.
    type: str
    required: true
  metric_alarms:
    description: C(metric_alarms) of cloudwatch_metric_alarm_info (or DescribeAlarms).
    type: list
    required: true
  composite_alarms:
    description: C(composite_alarms) likewise.
    type: list
    required: true
  topic_arns:
    description: ARNs of the topics of the region (sns_topic_info); the severity topics are found by name.
    type: list
    required: true
"""

EXAMPLES = r"""
- name: Resolve the alarm
  ansible.builtin.set_fact:
    target: "{{ 'prod' | envops.aws.alarm_test_target('rds_cpu_percent', metric, composite, topics) }}"
"""

RETURN = r"""
_value:
  description: C(name), C(severity), C(topic_arn).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils import alarm_test


def alarm_test_target(env_name, requested, metric_alarms, composite_alarms, topic_arns):
    # the info module answers snake_case keys; the rule reads the API's names
    def api(alarm):
        return {"AlarmName": alarm.get("alarm_name", alarm.get("AlarmName")),
                "AlarmActions": alarm.get("alarm_actions", alarm.get("AlarmActions"))}
    try:
        return alarm_test.target(env_name, requested, [api(a) for a in metric_alarms],
                                 [api(a) for a in composite_alarms], topic_arns)
    except ValueError as error:
        raise AnsibleFilterError(str(error))


class FilterModule(object):
    def filters(self):
        return {"alarm_test_target": alarm_test_target, "alarm_test_input_problems": alarm_test.input_problems}
