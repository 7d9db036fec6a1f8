# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: routes_to_purge
short_description: The routes of a route table that are not declared and would be purged
version_added: 0.1.0
description:
  - Of the route table that carries O(tags), the routes amazon.aws.ec2_vpc_route_table would remove with
    C(purge_routes) given the O(declared) routes - routes made by CreateRoute with an IPv4 destination none of the
    declared routes has. The local route, propagated routes and the prefix-list routes of gateway endpoints are never among them.
  - Route tables that carry gateway endpoint routes purge only when this is not empty, since the module warns about
    those routes on every purge. See module_utils C(route_tables).
options:
  _input:
    description: The route tables of the VPC (C(route_tables) of amazon.aws.ec2_vpc_route_table_info).
    type: list
    elements: dict
    required: true
  tags:
    description: The tags the task finds its route table by (its C(tags) option); a table not found (not created
      yet) has nothing to purge.
    type: dict
    required: true
  declared:
    description: The routes the task declares (its C(routes) option, dicts with C(dest)).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Ensure the db route table, purging only what is there to purge
  amazon.aws.ec2_vpc_route_table:
    vpc_id: "{{ vpc_id }}"
    tags: {Name: prod-db}
    routes: []
    purge_routes: >-
      {{ route_tables_info.route_tables | envops.aws.routes_to_purge({'Name': 'prod-db'}, []) | length > 0 }}
"""

RETURN = r"""
_value:
  description: The routes that would be removed, as the info module returns them.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.route_tables import find_table
from ansible_collections.envops.aws.plugins.module_utils.route_tables import routes_to_purge as undeclared


def routes_to_purge(tables, tags, declared):
    try:
        return undeclared(find_table(tables, tags), declared)
    except ValueError as error:
        raise AnsibleFilterError(str(error))


class FilterModule(object):
    def filters(self):
        return {"routes_to_purge": routes_to_purge}
