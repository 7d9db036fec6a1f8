# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: drill_leftover_instances
short_description: The RDS instances that killed DR drills left behind
version_added: 0.1.0
description:
  - The identifiers of the instances named with the drill prefix B(and) tagged with the drill's tag key, except
    those already being deleted. An instance of such a name without the tag is not a drill's and is never listed.
    See module_utils C(drill_snapshot).
options:
  _input:
    description: The C(instances) of M(amazon.aws.rds_instance_info) (with their tags).
    type: list
    elements: dict
    required: true
  prefix:
    description: The prefix of drill instances, C(<env>-drill-).
    type: str
    required: true
  tag_key:
    description: The tag every drill instance carries, C(envops:drill-id).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Name the drill instances to remove
  ansible.builtin.set_fact:
    leftovers: "{{ found.instances | envops.aws.drill_leftover_instances('prod-drill-', 'envops:drill-id') }}"
"""

RETURN = r"""
_value:
  description: Instance identifiers, sorted.
  type: list
  elements: str
"""

from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import leftover_instances


def drill_leftover_instances(instances, prefix, tag_key):
    return leftover_instances(instances, prefix, tag_key)


class FilterModule(object):
    def filters(self):
        return {"drill_leftover_instances": drill_leftover_instances}
