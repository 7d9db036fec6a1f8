# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: drill_plan
short_description: What a DR drill of an environment restores besides its database
version_added: 0.1.0
description:
  - The DynamoDB tables (each spec table, then the marker table) with the live table to restore and the scratch table
    to restore it into, and the critical S3 buckets (those replicated to the DR region) with their names. See
    module_utils C(drill_plan).
options:
  _input:
    description: The validated environment spec (C(envops_env)).
    type: dict
    required: true
  live_tables:
    description: Spec table name to the live table the environment's parameter names; a table missing here is
      C(<env>-<name>).
    type: dict
    required: true
  marker_table:
    description: The spec name of the marker table, restored after the spec's tables.
    type: str
    required: true
  table_prefix:
    description: The prefix of this drill's scratch tables.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Plan the drill
  ansible.builtin.set_fact:
    plan: "{{ envops_env | envops.aws.drill_plan({}, 'envops-drill-markers', 'prod-drill-d1-') }}"
"""

RETURN = r"""
_value:
  description: C(tables), a list of C(name) (spec name), C(source) (live table) and C(restore_into) (the scratch table); C(buckets), a list of
    C(purpose) and C(bucket) (name).
  type: dict
"""

from ansible_collections.envops.aws.plugins.filter.bucket_name import bucket_name
from ansible_collections.envops.aws.plugins.module_utils.drill_plan import critical_buckets
from ansible_collections.envops.aws.plugins.module_utils.drill_plan import scratch_tables


def drill_plan(env, live_tables, marker_table, table_prefix):
    data = env.get("data") or {}
    tables = [table["name"] for table in data.get("dynamodb_tables") or []]
    return {"tables": scratch_tables(env["name"], tables, marker_table, live_tables, table_prefix),
            "buckets": critical_buckets(data.get("buckets"), lambda purpose: bucket_name(env, purpose))}


class FilterModule(object):
    def filters(self):
        return {"drill_plan": drill_plan}
