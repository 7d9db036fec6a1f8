#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: elbv2_listener_weights
version_added: 0.1.0
short_description: The HTTPS listener of an application load balancer and the weights of its default forward
description:
  - Owns the HTTPS listener of an application load balancer whose default action forwards to target groups by
    weight (blue/green): creates it when absent, keeps its certificate and TLS policy, and sets or keeps its weights.
  - A blue/green cutover changes only the weights. With O(keep_live_weights) a provision keeps the weights a
    cutover set; the weights given then apply only to a new listener, or to one forwarding to other target groups.
  - Weights are compared by target group name, not as the raw C(ForwardConfig) AWS answers, so a run that changes
    nothing reports no change (M(amazon.aws.elb_application_lb) reports a weighted default forward as changed on
    every run).
  - Every input is checked before any AWS call.
author:
  - envops maintainers (@envops)
options:
  load_balancer_arn:
    description: The application load balancer; its listener on O(port) is managed (created when absent).
    type: str
  listener_arn:
    description: The listener itself (an existing one, for example when a procedure shifts weights).
    type: str
  port:
    description: The listener's port when it is found by O(load_balancer_arn).
    type: int
    default: 443
  certificate_arn:
    description:
      - The listener's default ACM certificate. Needed to create the listener; omitted, an existing listener keeps
        its own.
    type: str
  ssl_policy:
    description:
      - The listener's TLS security policy (C(ELBSecurityPolicy-...)). Needed to create the listener; omitted, an
        existing listener keeps its own.
    type: str
  weights:
    description:
      - Target group name to weight (an integer from 0 to 999) of the default forward; 1 to 5 target groups, at
        least one weight above 0. Every target group named must exist.
    type: dict
    required: true
  keep_live_weights:
    description:
      - Keep the listener's live weights when its default action already forwards to exactly the target groups
        named in O(weights) (V(true) in a provision, so that it never undoes a cutover); O(weights) then applies
        only to a new listener. V(false) sets O(weights).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
attributes:
  check_mode:
    description: Reads the listener and the target groups, refuses what a real run refuses and reports the listener
      and weights that would result, without calling CreateListener or ModifyListener.
    support: full
  diff_mode:
    description: The listener before and after (port, protocol, certificate, TLS policy, weights by target group
      name; C(exists) false when there was none).
    support: full
notes:
  - Listener rules, other listeners and the load balancer's attributes are left alone.
"""

EXAMPLES = r"""
- name: HTTPS listener of a new environment, all traffic to blue; a re-provision keeps the live weights
  envops.aws.elbv2_listener_weights:
    load_balancer_arn: "{{ alb.load_balancer_arn }}"
    certificate_arn: "{{ certificate_arn }}"
    ssl_policy: ELBSecurityPolicy-TLS13-1-2-2021-06
    weights: {envops-prod-blue: 100, envops-prod-green: 0}
    keep_live_weights: true

- name: Cut over to green
  envops.aws.elbv2_listener_weights:
    listener_arn: "{{ edge_load_balancer.https_listener_arn }}"
    weights: {envops-prod-blue: 0, envops-prod-green: 100}
"""

RETURN = r"""
listener:
  description: The listener after the run (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    exists:
      description: Whether the listener exists (false only in check mode when it would be created).
      type: bool
    listener_arn:
      description: Its ARN (null in check mode when it would be created).
      type: str
    port:
      description: Its port.
      type: int
    protocol:
      description: HTTPS.
      type: str
    certificate_arn:
      description: Its default certificate.
      type: str
    ssl_policy:
      description: Its TLS security policy.
      type: str
    weights:
      description: Target group name to weight of its default forward.
      type: dict
  sample: {"exists": true, "listener_arn": "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/envops-prod/50dc6c495c0c9188/f2f7dc8efc522ab2",
           "port": 443, "protocol": "HTTPS", "certificate_arn": "arn:aws:acm:eu-central-1:123456789012:certificate/0f8c2b3e-1d2a-4c5b-9e8f-7a6b5c4d3e2f",
           "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "weights": {"envops-prod-blue": 100, "envops-prod-green": 0}}
weights_before:
  description: Target group name to weight before the run ({} when there was no listener).
  returned: always
  type: dict
  sample: {"envops-prod-blue": 100, "envops-prod-green": 0}
weights_after:
  description: Target group name to weight after the run.
  returned: always
  type: dict
  sample: {"envops-prod-blue": 0, "envops-prod-green": 100}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import listener_weights as listeners


def read(client, params):
    if params["listener_arn"]:
        return listeners.describe_listener(client, params["listener_arn"])
    return listeners.listener_on_port(client, params["load_balancer_arn"], params["port"])


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            load_balancer_arn=dict(type="str"),
            listener_arn=dict(type="str"),
            port=dict(type="int", default=443),
            certificate_arn=dict(type="str"),
            ssl_policy=dict(type="str"),
            weights=dict(type="dict", required=True),
            keep_live_weights=dict(type="bool", default=False),
        ),
        mutually_exclusive=[["load_balancer_arn", "listener_arn"]],
        required_one_of=[["load_balancer_arn", "listener_arn"]],
        supports_check_mode=True,
    )
    params = module.params
    problems = listeners.weight_problems(params["weights"]) + listeners.listener_problems(
        params["load_balancer_arn"], params["listener_arn"], params["port"], params["certificate_arn"],
        params["ssl_policy"])
    if problems:
        module.fail_json(msg="HTTPS listener: %s" % " ".join(problems))
    client = module.client("elbv2")
    try:
        arns_by_name = listeners.target_groups_by_name(client, list(params["weights"]))
        listener = read(client, params)
        if listener is None and params["listener_arn"]:
            module.fail_json(msg="HTTPS listener: %s does not exist." % params["listener_arn"])
        live_arns = set(listeners.forward_weights(listener or {})) - set(arns_by_name.values())
        names_by_arn = dict((arn, name) for name, arn in arns_by_name.items())
        names_by_arn.update(listeners.target_group_names(client, sorted(live_arns)))
        current = listeners.state_of(listener, names_by_arn)
        desired = listeners.desired_state(current, params["weights"], params["keep_live_weights"], params["port"],
                                          params["certificate_arn"], params["ssl_policy"])
        missing = listeners.creation_problems(desired)
        if not current["exists"] and missing:
            module.fail_json(msg="HTTPS listener: %s" % " ".join(missing))
        result = dict(weights_before=current["weights"], weights_after=desired["weights"])
        if not listeners.differing(current, desired):
            module.exit_json(changed=False, listener=current, **result)
        diff = {"before": current, "after": desired}
        if module.check_mode:
            module.exit_json(changed=True, listener=desired, diff=diff, **result)
        if current["exists"]:
            listener_arn = current["listener_arn"]
            listeners.modify_listener(client, listener_arn, desired, arns_by_name)
        else:
            listener_arn = listeners.create_listener(client, params["load_balancer_arn"], desired, arns_by_name)
        after = listeners.state_of(listeners.describe_listener(client, listener_arn), names_by_arn)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    diff["after"] = after
    module.exit_json(changed=True, listener=after, diff=diff, weights_before=current["weights"],
                     weights_after=after["weights"])


if __name__ == "__main__":
    main()
