# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: observability_resources
short_description: What the alarms of an environment watch, from the answers of the AWS info modules
version_added: 0.1.0
description:
  - Shapes the results of elb_application_lb_info, elb_target_group_info, rds_instance_info, the live table
    names, elasticache_info and ec2_vpc_nat_gateway_info into the fact C(observability_resources) of role
    C(observability); a kind the environment does not have is null (one resource) or an empty list.
options:
  _input:
    description: The environment name.
    type: str
    required: true
  load_balancers:
    description: C(load_balancers) of elb_application_lb_info.
    type: list
  target_groups:
    description: C(target_groups) of elb_target_group_info.
    type: list
  database_instances:
    description: C(instances) of rds_instance_info.
    type: list
  database_identifier:
    description: The environment's DB instance identifier.
    type: str
  tables:
    description: Live DynamoDB table names.
    type: list
  cache_clusters:
    description: C(elasticache_clusters) of elasticache_info.
    type: list
  cache_replication_group_id:
    description: The environment's replication group.
    type: str
  gateways:
    description: C(result) of ec2_vpc_nat_gateway_info.
    type: list
"""

EXAMPLES = r"""
- name: Note what to watch
  ansible.builtin.set_fact:
    observability_resources: "{{ 'prod' | envops.aws.observability_resources(gateways=nat.result) }}"
"""

RETURN = r"""
_value:
  description: C(load_balancer), C(database), C(tables), C(cache), C(nat_gateways).
  type: dict
"""

from ansible_collections.envops.aws.plugins.module_utils import watched_resources


class FilterModule(object):
    def filters(self):
        return {"observability_resources": watched_resources.resources}
