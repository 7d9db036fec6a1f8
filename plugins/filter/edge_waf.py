# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: edge_waf_names
short_description: Names and rules of an environment's WAF web ACL
version_added: 0.1.0
description:
  - C(edge_waf_names) (input an environment name) gives the names role C(edge) creates for the WAF and the audit
    reads back, from one home (module_utils C(observability_plan)) - C(web_acl), C(ip_set_allow), C(ip_set_deny),
    C(log_group), C(metric).
  - C(edge_waf_rules) (input the spec's C(waf) section; arguments the environment name and the IP sets' ARNs
    C({allow, deny})) gives the C(rules) of community.aws.wafv2_web_acl in their evaluation order (module_utils
    C(waf_rules)).
options:
  _input:
    description: The environment name (C(edge_waf_names)) or the spec's C(waf) section (C(edge_waf_rules)).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Names of the WAF of prod
  ansible.builtin.debug:
    msg: "{{ 'prod' | envops.aws.edge_waf_names }}"

- name: Rules of the web ACL of prod
  ansible.builtin.debug:
    msg: "{{ envops_env.waf | envops.aws.edge_waf_rules('prod', {'allow': allow_arn, 'deny': deny_arn}) }}"
"""

RETURN = r"""
_value:
  description: The names (a dict) or the rules (a list of dicts).
  type: raw
"""

from ansible_collections.envops.aws.plugins.module_utils import observability_plan
from ansible_collections.envops.aws.plugins.module_utils import waf_rules


def edge_waf_names(env_name):
    return {
        "web_acl": observability_plan.web_acl_name(env_name),
        "ip_set_allow": observability_plan.ip_set_name(env_name, "allow"),
        "ip_set_deny": observability_plan.ip_set_name(env_name, "deny"),
        "log_group": observability_plan.waf_log_group_name(env_name),
        "metric": waf_rules.metric_name(env_name, None),
    }


def edge_waf_rules(waf, env_name, ip_set_arns):
    return waf_rules.web_acl_rules(env_name, waf, ip_set_arns)


class FilterModule(object):
    def filters(self):
        return {"edge_waf_names": edge_waf_names, "edge_waf_rules": edge_waf_rules}
