# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: baseline_detection
short_description: GuardDuty, Security Hub and AWS Config settings of an environment's account in a region
version_added: 0.1.0
description:
  - The settings role C(baseline) applies and the conformance audit reads back, from one home
    (module_utils/baseline_plan.py) - the detector's finding frequency and protection plans, the Security Hub
    standards of the region and finding generator, the Config recorder, delivery channel and managed rules.
options:
  _input:
    description: The region.
    type: str
    required: true
  env_type:
    description: The environment's type (C(production) publishes GuardDuty findings every 15 minutes, the others
      hourly).
    type: str
    required: true
  primary_region:
    description: The environment's primary region, the one where AWS Config records global resources. Omitted, the
      input region.
    type: str
"""

EXAMPLES = r"""
- name: The Security Hub standards of the environment's region
  ansible.builtin.debug:
    msg: "{{ (envops_env.region | envops.aws.baseline_detection(envops_env.type)).security_hub.standards }}"
"""

RETURN = r"""
_value:
  description: guardduty (finding_publishing_frequency, features), security_hub (standards,
    control_finding_generator), config (recorder_name, include_global_resource_types, delivery_channel_name,
    s3_prefix, snapshot_frequency, rules, rule_prefix).
  type: dict
"""

from ansible_collections.envops.aws.plugins.module_utils import baseline_plan


def baseline_detection(region, env_type, primary_region=None):
    return baseline_plan.detection_plan(region, env_type, primary_region)


class FilterModule(object):
    def filters(self):
        return {"baseline_detection": baseline_detection}
