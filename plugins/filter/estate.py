# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: estate
short_description: Collect the environment specs of an inventory for cross-environment rules
version_added: 0.1.0
description:
  - Returns a mapping of environment name to C(spec) (C(envops_spec), null when the host has none) and
    C(overrides) (C(envops_spec_overrides), empty when unset) for every given host.
  - Feeds the O(envops.aws.env_spec#module:estate) option, so rules that compare environments (VPC CIDR overlap,
    dedicated accounts, DR pairing, unique bucket names) see every environment of the inventory, whatever
    C(--limit) selects. A host without a spec is kept (null), so the validator refuses it by name rather than let a
    rule skip it.
positional: hosts
options:
  _input:
    description: The C(hostvars) magic variable.
    type: dict
    required: true
  hosts:
    description: Host names to collect (usually C(groups['envops_environments'])).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Validate with the whole estate in view
  envops.aws.env_spec:
    name: "{{ inventory_hostname }}"
    spec: "{{ envops_spec }}"
    estate: "{{ hostvars | envops.aws.estate(groups['envops_environments']) }}"
"""

RETURN = r"""
_value:
  description: Environment name to C(spec) and C(overrides).
  type: dict
"""


def estate(hostvars, hosts):
    collected = {}
    for host in hosts:
        host_vars = hostvars[host]
        collected[host] = {
            "spec": host_vars["envops_spec"] if "envops_spec" in host_vars else None,
            "overrides": host_vars.get("envops_spec_overrides") or {},
        }
    return collected


class FilterModule(object):
    def filters(self):
        return {"estate": estate}
