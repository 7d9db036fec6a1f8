# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: account_report
short_description: One report line per OU of a run of playbook accounts.yml
version_added: 0.1.0
description:
  - The OU's id, each account's state (C(member), C(invited) until the account accepts, C(unknown) in check mode
    before the OU exists) with its environments, and the OU's guardrails policy, its targets, guardrails and regions.
positional: ou_results, account_results, policy_results
options:
  _input:
    description: The C(ous) of filter P(envops.aws.account_plan#filter).
    type: list
    elements: dict
    required: true
  ou_results:
    description: The C(results) of the looped M(envops.aws.organizations_ou) task.
    type: list
    elements: dict
    required: true
  account_results:
    description: The C(results) of the looped M(envops.aws.organizations_account) task.
    type: list
    elements: dict
    required: true
  policy_results:
    description: The C(results) of the looped M(envops.aws.organizations_policy) task.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Report each OU
  ansible.builtin.debug:
    msg: "{{ plan.ous | envops.aws.account_report(ous.results, accounts.results, policies.results) }}"
"""

RETURN = r"""
_value:
  description: One line per OU.
  type: list
  elements: str
"""

from ansible_collections.envops.aws.plugins.module_utils.account_plan import report_lines


def account_report(ous, ou_results, account_results, policy_results):
    return report_lines(ous, ou_results, account_results, policy_results)


class FilterModule(object):
    def filters(self):
        return {"account_report": account_report}
