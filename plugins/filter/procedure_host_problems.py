# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: procedure_host_problems
short_description: Why a procedure would act on no environment
version_added: 0.1.0
description:
  - Ansible skips a play whose host pattern matches nothing with a warning and exits 0. A procedure that acted on no
    environment must fail instead; the procedures' first play (on every host --limit leaves, and localhost) uses this
    filter to name why.
  - With O(requested) (the names the operator gave in O(variable)), every name must be an environment of the
    inventory and left by --limit, and there must be at least one. Without it, --limit must leave at least one
    environment of the group C(envops_environments).
positional: procedure, variable, requested, reachable, limit
options:
  _input:
    description: The group C(envops_environments) of the inventory (C(groups['envops_environments'])).
    type: list
    elements: str
    required: true
  procedure:
    description: The procedure's name, for the message.
    type: str
    required: true
  variable:
    description: The variable holding the requested names (e.g. C(refresh_targets)); C(none) without one.
    type: str
  requested:
    description: The requested names; C(none) when the procedure runs on the whole group.
    type: list
    elements: str
  reachable:
    description: The hosts --limit leaves (C(ansible_play_hosts_all) of a play on all hosts and localhost).
    type: list
    elements: str
  limit:
    description: The --limit given (C(ansible_limit)), for the message.
    type: str
"""

EXAMPLES = r"""
- name: Refuse a refresh of no target
  ansible.builtin.fail:
    msg: "refusing to refresh: {{ problems | join('; ') }}"
  vars:
    problems: >-
      {{ groups['envops_environments'] | default([])
         | envops.aws.procedure_host_problems('refresh_masked', 'refresh_targets', refresh_targets.split(','),
                                              ansible_play_hosts_all, ansible_limit | default(none)) }}
  when: problems | length > 0
"""

RETURN = r"""
_value:
  description: The problems, as sentences; empty when the procedure has environments to act on.
  type: list
  elements: str
"""

from ansible_collections.envops.aws.plugins.module_utils.procedure_inputs import host_problems


def procedure_host_problems(inventory, procedure, variable=None, requested=None, reachable=None, limit=None):
    return host_problems(procedure, variable, None if requested is None else list(requested), list(inventory or []),
                         list(reachable or []), limit)


class FilterModule(object):
    def filters(self):
        return {"procedure_host_problems": procedure_host_problems}
