# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: account_plan
short_description: The Organizations structure of an estate, its OUs, accounts and guardrails policies
version_added: 0.1.0
description:
  - >-
    From every environment of the inventory (filter P(envops.aws.estate#filter)), validated, one entry per OU (the
    specs' C(account.ou)) with its environments, its accounts, and its guardrails policy (name, description,
    document; none when no guardrail is enabled), the union of its environments' needs.
  - An account named in two OUs, or an environment whose spec has problems, fails the filter naming them.
options:
  _input:
    description: The estate, C(hostvars | envops.aws.estate(groups['envops_environments'])).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the estate's OUs
  ansible.builtin.set_fact:
    accounts_plan: "{{ hostvars | envops.aws.estate(groups['envops_environments']) | envops.aws.account_plan }}"
"""

RETURN = r"""
_value:
  description: >-
    C(ous) (name, environments, accounts, policy_name, policy_description, policy_document, guardrails,
    allowed_regions) and C(accounts) (id, ou, environments).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils import account_plan as plans


def account_plan(estate):
    try:
        return plans.plan(estate)
    except plans.AccountPlanError as error:
        raise AnsibleFilterError(str(error)) from None


class FilterModule(object):
    def filters(self):
        return {"account_plan": account_plan}
