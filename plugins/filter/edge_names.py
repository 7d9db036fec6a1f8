# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: edge_names
short_description: Names of what role edge creates for an environment, and the ARN suffixes CloudWatch uses
version_added: 0.1.0
description:
  - C(edge_names) (input an environment name) gives the names of the environment's load balancer (C(load_balancer)),
    target groups (C(target_groups.blue), C(target_groups.green)), generated certificate (C(certificate)) and the key
    prefix of the access logs (C(access_log_prefix)), from one home (module_utils C(observability_plan)), and the
    weights of a new HTTPS listener by target group name (C(initial_weights): blue 100, green 0).
  - C(edge_load_balancer) (input the result of M(amazon.aws.elb_application_lb); arguments the C(edge_names) of the
    environment, the target groups of M(community.aws.elb_target_group_info) and the C(listener) of
    M(envops.aws.elbv2_listener_weights)) gives the fact C(edge_load_balancer) role edge sets; what does not exist
    (in check mode on a new environment) is null.
  - C(elb_log_delivery_principal) (input a region) gives the C(Principal) of the bucket policy statement that lets
    the region's load balancers deliver access logs (module_utils C(elb_log_delivery)).
  - C(elbv2_arn_suffix) (input a load balancer or target group ARN) gives the part CloudWatch dimensions name it by
    (C(app/<name>/<id>), C(targetgroup/<name>/<id>)).
options:
  _input:
    description: The environment name (an Elastic Load Balancing ARN for C(elbv2_arn_suffix)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Name the load balancer of prod
  ansible.builtin.debug:
    msg: "{{ ('prod' | envops.aws.edge_names).load_balancer }}"
"""

RETURN = r"""
_value:
  description: The names (a dict) or the ARN suffix (a string).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils import observability_plan as plan
from ansible_collections.envops.aws.plugins.module_utils.elb_log_delivery import log_delivery_principal

# A new HTTPS listener sends everything to blue; only a cutover moves weight to green.
INITIAL_WEIGHTS = {"blue": 100, "green": 0}


def edge_names(env_name):
    return {
        "load_balancer": plan.alb_name(env_name),
        "target_groups": dict((colour, plan.target_group_name(env_name, colour)) for colour in plan.TARGET_COLOURS),
        "certificate": plan.certificate_name(env_name),
        "access_log_prefix": plan.alb_log_prefix(),
        "initial_weights": dict((plan.target_group_name(env_name, colour), INITIAL_WEIGHTS[colour])
                                for colour in plan.TARGET_COLOURS),
    }


def _suffix(arn):
    return elbv2_arn_suffix(arn) if arn else None


def edge_load_balancer(alb, names, target_groups, listener):
    """The fact ``edge_load_balancer``: name, arn, arn_suffix, dns_name, zone_id, https_listener_arn, target_groups
    (colour -> name, arn, arn_suffix), weights (colour -> weight of the HTTPS listener's forward)."""
    arns_by_name = dict((group["target_group_name"], group["target_group_arn"]) for group in target_groups or [])
    live = (listener or {}).get("weights") or {}
    colours = sorted(names["target_groups"].items())
    return {
        "name": names["load_balancer"],
        "arn": alb.get("load_balancer_arn"),
        "arn_suffix": _suffix(alb.get("load_balancer_arn")),
        "dns_name": alb.get("dns_name"),
        "zone_id": alb.get("canonical_hosted_zone_id"),
        "https_listener_arn": (listener or {}).get("listener_arn"),
        "target_groups": dict((colour, {"name": name, "arn": arns_by_name.get(name),
                                        "arn_suffix": _suffix(arns_by_name.get(name))}) for colour, name in colours),
        "weights": dict((colour, live.get(name)) for colour, name in colours),
    }


def elbv2_arn_suffix(arn):
    for marker in (":loadbalancer/", ":targetgroup/"):
        if isinstance(arn, str) and marker in arn:
            kind, rest = marker.strip(":/"), arn.split(marker, 1)[1]
            return rest if kind == "loadbalancer" else "targetgroup/" + rest
    raise AnsibleFilterError("elbv2_arn_suffix: %r is not the ARN of a load balancer or target group" % (arn,))


class FilterModule(object):
    def filters(self):
        return {"edge_names": edge_names, "edge_load_balancer": edge_load_balancer,
                "elb_log_delivery_principal": log_delivery_principal, "elbv2_arn_suffix": elbv2_arn_suffix}
