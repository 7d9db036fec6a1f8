# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: backup_plan_rules
short_description: The AWS Backup plan of an environment from its spec
version_added: 0.1.0
description:
  - The rules (for M(amazon.aws.backup_plan)), the vault names and ARNs, and the tag conditions of the selection
    (for M(amazon.aws.backup_selection)) of an environment. See module_utils C(backup_rules).
options:
  _input:
    description: The validated environment spec (C(envops_env)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the backups
  ansible.builtin.set_fact:
    plan: "{{ envops_env | envops.aws.backup_plan_rules }}"
"""

RETURN = r"""
_value:
  description: C(rules), C(vault), C(dr_vault) (none without a DR region), C(dr_vault_arn), C(selection_tags).
  type: dict
"""

from ansible_collections.envops.aws.plugins.module_utils import backup_rules


def backup_plan_rules(spec):
    dr = spec.get("dr")
    return {
        "rules": backup_rules.plan_rules(spec),
        "vault": backup_rules.vault_name(spec["name"]),
        "dr_vault": backup_rules.vault_name(spec["name"], dr=True) if dr else None,
        "dr_vault_arn": backup_rules.vault_arn(spec["name"], spec["account"]["id"], dr["region"], dr=True)
        if dr else None,
        "selection_tags": backup_rules.selection_tags(spec),
    }


class FilterModule(object):
    def filters(self):
        return {"backup_plan_rules": backup_plan_rules}
