# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: alarm_plan
short_description: Every CloudWatch alarm of an environment, as PutMetricAlarm / PutCompositeAlarm parameters
version_added: 0.1.0
description:
  - From the spec's C(monitoring) section, what the alarms watch (fact C(observability_resources)) and the
    severity topics, the metric alarms at the spec's warning and critical thresholds (warning to P3, critical to
    P2) and the "service down" composite alarm of the critical ones (P1); input of envops.aws.cloudwatch_alarms.
options:
  _input:
    description: The environment name.
    type: str
    required: true
  monitoring:
    description: The normalised C(monitoring) section of the spec.
    type: dict
    required: true
  resources:
    description: What the alarms watch (C(observability_resources)).
    type: dict
    required: true
  topic_arns:
    description: Severity (P1, P2, P3) to topic ARN.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the alarms of prod
  ansible.builtin.set_fact:
    observability_alarms: >-
      {{ 'prod' | envops.aws.alarm_plan(envops_env.monitoring, observability_resources, observability_topic_arns) }}
"""

RETURN = r"""
_value:
  description: C(metric_alarms) and C(composite_alarms), lists of API parameters.
  type: dict
"""

from ansible_collections.envops.aws.plugins.module_utils import alarm_plan


class FilterModule(object):
    def filters(self):
        return {"alarm_plan": alarm_plan.alarms}
