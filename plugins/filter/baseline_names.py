# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: baseline_trail_name
short_description: Names of what the security baseline of an environment's account creates
version_added: 0.1.0
description:
  - The filters C(baseline_trail_name), C(baseline_budget_name) (input an environment name) and
    C(baseline_log_prefix) (input a delivering service, C(cloudtrail) or C(config)) give the names role
    C(baseline) creates and the audit reads back, from one home (module_utils C(baseline_plan)).
options:
  _input:
    description: The environment name (the service for C(baseline_log_prefix)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Name the trail of dev
  ansible.builtin.debug:
    msg: "{{ 'dev' | envops.aws.baseline_trail_name }}"
"""

RETURN = r"""
_value:
  description: The name.
  type: str
"""

from ansible_collections.envops.aws.plugins.module_utils import baseline_plan


class FilterModule(object):
    def filters(self):
        return {
            "baseline_trail_name": baseline_plan.trail_name,
            "baseline_budget_name": baseline_plan.budget_name,
            "baseline_log_prefix": baseline_plan.log_prefix,
        }
