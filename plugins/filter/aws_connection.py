# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: aws_connection
short_description: How modules reach another environment's account
version_added: 0.1.0
description:
  - For tasks that act in another environment's account and region (the source of a masked refresh, the standby of a
    failover), its region and only what its inventory sets of C(envops_endpoint_url), C(envops_aws_access_key) and
    C(envops_aws_secret_key) (on real AWS the normal credential chain applies), with C(envops_aws_session_token)
    when role P(envops.aws.account_session#role) assumed a role in that account, and its botocore retry
    configuration (filter P(envops.aws.aws_config#filter)).
options:
  _input:
    description: The other environment's host variables (C(hostvars[name])), its spec validated (C(envops_env)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the source's tables
  envops.aws.dynamodb_masked_refresh:
    source: "{{ hostvars['prod'] | envops.aws.aws_connection | combine({'table_name': 'prod-orders'}) }}"
"""

RETURN = r"""
_value:
  description: >-
    C(region), C(aws_config) and, when set, C(endpoint_url), C(access_key), C(secret_key), C(session_token).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import botocore_config


def aws_connection(host_vars):
    try:
        connection = {"region": host_vars["envops_env"]["region"]}
    except (KeyError, TypeError):
        raise AnsibleFilterError("aws_connection: the environment has no validated spec (envops_env)") from None
    if "envops_endpoint_url" in host_vars:
        connection["endpoint_url"] = host_vars["envops_endpoint_url"]
    if "envops_aws_access_key" in host_vars:
        connection["access_key"] = host_vars["envops_aws_access_key"]
        connection["secret_key"] = host_vars["envops_aws_secret_key"]
    # an assumed-role session (role account_session) is three values: keys without their token are refused by AWS
    if "envops_aws_session_token" in host_vars:
        connection["session_token"] = host_vars["envops_aws_session_token"]
    try:
        connection["aws_config"] = botocore_config(host_vars.get("envops_aws_config"))
    except ValueError as error:
        raise AnsibleFilterError(str(error)) from None
    return connection


class FilterModule(object):
    def filters(self):
        return {"aws_connection": aws_connection}
