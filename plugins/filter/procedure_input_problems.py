# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: procedure_input_problems
short_description: Why the variables an operator gave a procedure may not be used, before any AWS call
version_added: 0.1.0
description:
  - Checks each variable of the procedure against its strict pattern (module_utils C(procedure_inputs), which lists
    the variables of each procedure) and returns one sentence per problem, naming the variable, the value (as JSON)
    and the rule; an empty list when every value may be used.
  - Points in time (C(restore_point), C(dr_drill_point)) are C(latest) or ISO 8601 times in UTC, never in the future
    nor before the window the store keeps (the spec's C(backup.retention_days) for RDS, 35 days for DynamoDB).
  - Pure apart from reading the clock, it calls nothing, so a refusal comes before any AWS call.
positional: procedure, spec
options:
  _input:
    description: The procedure's variables, name to value; variables not given are not checked.
    type: dict
    required: true
  procedure:
    description: The procedure (refresh_masked, restore, dr_drill, failover).
    type: str
    required: true
  spec:
    description: The validated spec of the environment (C(envops_env)), for the windows of points in time.
    type: dict
"""

EXAMPLES = r"""
- name: Refuse a drill whose variables may not be used
  ansible.builtin.fail:
    msg: "refusing to drill {{ envops_env.name }}: {{ problems | join('; ') }}"
  vars:
    problems: "{{ {'dr_drill_id': dr_drill_id, 'dr_drill_point': dr_drill_point}
                  | envops.aws.procedure_input_problems('dr_drill', envops_env) }}"
  when: problems | length > 0
"""

RETURN = r"""
_value:
  description:
    - The problems, each naming the variable, its value as JSON and the rule; empty when every value may be used.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.procedure_inputs import input_problems


def procedure_input_problems(values, procedure, spec=None):
    try:
        return input_problems(procedure, dict(values), dict(spec or {}))
    except ValueError as error:
        raise AnsibleFilterError(str(error))


class FilterModule(object):
    def filters(self):
        return {"procedure_input_problems": procedure_input_problems}
