# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: refresh_problems
short_description: Why a masked refresh from one environment to another is not allowed
version_added: 0.1.0
description:
  - Returns every reason the masked refresh from the source environment to the target environment must not run,
    an empty list when it may.
  - The source must be production; the target must be a lower environment (staging, testing, development) that
    declares C(data_masking); data never flows from lower to higher; the masking policy must be valid.
  - Pure, it reads nothing, so a refused refresh stops before any AWS call and before any data is read.
positional: target, policy
options:
  _input:
    description: The validated spec of the source environment (C(envops_env) of the source host).
    type: dict
    required: true
  target:
    description: The validated spec of the target environment.
    type: dict
    required: true
  policy:
    description: The masking policy (C(envops_masking_policy)); C(none) when the source defines none.
    type: dict
"""

EXAMPLES = r"""
- name: Refuse a refresh that is not allowed
  ansible.builtin.fail:
    msg: "{{ problems | join('; ') }}"
  vars:
    problems: "{{ hostvars['prod'].envops_env | envops.aws.refresh_problems(envops_env, hostvars['prod'].envops_masking_policy) }}"
  when: problems | length > 0
"""

RETURN = r"""
_value:
  description: The problems, as sentences; empty when the refresh is allowed.
  type: list
  elements: str
"""

from ansible_collections.envops.aws.plugins.module_utils.masking_policy import MaskingPolicyError
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy
from ansible_collections.envops.aws.plugins.module_utils.refresh_flow import flow_problems


def refresh_problems(source, target, policy=None):
    problems = flow_problems(source, target)
    if not policy:
        problems.append("the source %r has no masking policy (envops_masking_policy): every field must be "
                        "classified before anything is copied" % source["name"])
    else:
        try:
            load_policy(policy)
        except MaskingPolicyError as error:
            problems.append("the masking policy is not valid: %s" % error)
    return problems


class FilterModule(object):
    def filters(self):
        return {"refresh_problems": refresh_problems}
