# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The weighted forward of an HTTPS listener: read, compared with the wanted weights, created or modified.

A blue/green cutover only changes the weights of the listener's default action, so the listener has one owner: a
new listener starts with the weights given; with ``keep_live_weights`` a re-provision keeps the weights a cutover set
(when the live forward names exactly the wanted target groups), and only the promotion procedure changes them.
Weights are compared by target group name, normalised (order, ARNs, stickiness left out), never as raw answers:
elb_application_lb compares the raw ForwardConfig and reports a change on every run.
"""

import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

MAX_WEIGHT = 999  # AWS: 0..999 per target group of a forward action
MAX_TARGET_GROUPS = 5  # AWS: at most 5 target groups in one forward action
TARGET_GROUP_NAME = re.compile(r"\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?\Z")
LOAD_BALANCER_ARN = re.compile(r"\Aarn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/app/"
                               r"[A-Za-z0-9-]{1,32}/[0-9a-f]+\Z")
LISTENER_ARN = re.compile(r"\Aarn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener/app/"
                          r"[A-Za-z0-9-]{1,32}/[0-9a-f]+/[0-9a-f]+\Z")
CERTIFICATE_ARN = re.compile(r"\Aarn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}\Z")
SSL_POLICY = re.compile(r"\AELBSecurityPolicy-[A-Za-z0-9-]{1,80}\Z")


def weight_problems(weights: Any) -> List[str]:
    """What is wrong with the wanted weights (empty: nothing): target group name -> integer 0..999, 1 to 5 groups,
    at least one weight above 0 (a forward to nothing drops every request)."""
    if not isinstance(weights, dict) or not weights:
        return ["weights: must name 1 to %d target groups, each with its weight." % MAX_TARGET_GROUPS]
    problems = []
    if len(weights) > MAX_TARGET_GROUPS:
        problems.append("weights: %d target groups named, AWS forwards to at most %d." % (len(weights),
                                                                                          MAX_TARGET_GROUPS))
    for name, weight in sorted(weights.items(), key=lambda item: str(item[0])):
        if not isinstance(name, str) or not TARGET_GROUP_NAME.match(name):
            problems.append("weights: %r is not a target group name (1-32 letters, digits, hyphens)." % (name,))
        elif isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= MAX_WEIGHT:
            problems.append("weights.%s: %r is not an integer from 0 to %d." % (name, weight, MAX_WEIGHT))
    if not problems and not any(weights.values()):
        problems.append("weights: at least one target group needs a weight above 0.")
    return problems


def listener_problems(load_balancer_arn: Optional[str], listener_arn: Optional[str], port: int,
                      certificate_arn: Optional[str], ssl_policy: Optional[str]) -> List[str]:
    """What is wrong with the listener's identity and TLS settings (empty: nothing)."""
    problems = []
    if load_balancer_arn is not None and not LOAD_BALANCER_ARN.match(load_balancer_arn):
        problems.append("load_balancer_arn: %r is not the ARN of an application load balancer." % load_balancer_arn)
    if listener_arn is not None and not LISTENER_ARN.match(listener_arn):
        problems.append("listener_arn: %r is not the ARN of a listener of an application load balancer."
                        % listener_arn)
    if not 1 <= port <= 65535:
        problems.append("port: %d is not a TCP port." % port)
    if certificate_arn is not None and not CERTIFICATE_ARN.match(certificate_arn):
        problems.append("certificate_arn: %r is not the ARN of an ACM certificate." % certificate_arn)
    if ssl_policy is not None and not SSL_POLICY.match(ssl_policy):
        problems.append("ssl_policy: %r is not an ELB security policy (ELBSecurityPolicy-...)." % ssl_policy)
    return problems


def forward_weights(listener: Dict[str, Any]) -> Dict[str, int]:
    """Target group ARN -> weight of the listener's default forward ({} when its default action forwards nowhere)."""
    for action in listener.get("DefaultActions") or []:
        if action.get("Type") != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups")
        if groups:
            return dict((group["TargetGroupArn"], int(group.get("Weight", 1))) for group in groups)
        if action.get("TargetGroupArn"):
            return {action["TargetGroupArn"]: 1}  # a plain forward: one target group takes everything
    return {}


def state_of(listener: Optional[Dict[str, Any]], names_by_arn: Dict[str, str]) -> Dict[str, Any]:
    """A DescribeListeners entry as compared: exists, listener_arn, port, protocol, certificate_arn, ssl_policy,
    weights (target group name -> weight; an ARN where its name is unknown)."""
    if listener is None:
        return {"exists": False, "listener_arn": None, "weights": {}}
    certificates = listener.get("Certificates") or []
    return {
        "exists": True,
        "listener_arn": listener["ListenerArn"],
        "port": listener.get("Port"),
        "protocol": listener.get("Protocol"),
        "certificate_arn": certificates[0]["CertificateArn"] if certificates else None,
        "ssl_policy": listener.get("SslPolicy"),
        "weights": dict((names_by_arn.get(arn, arn), weight) for arn, weight in forward_weights(listener).items()),
    }


def desired_state(current: Dict[str, Any], weights: Dict[str, int], keep_live_weights: bool, port: int,
                  certificate_arn: Optional[str], ssl_policy: Optional[str]) -> Dict[str, Any]:
    """The listener after a run. Live weights stay when asked to keep them and the live forward names exactly the
    wanted target groups; TLS settings not given stay as they are."""
    live = current.get("weights") or {}
    keep = keep_live_weights and current["exists"] and set(live) == set(weights) and any(live.values())
    return {
        "exists": True,
        "listener_arn": current.get("listener_arn"),
        "port": current.get("port", port),
        "protocol": "HTTPS",
        "certificate_arn": certificate_arn or current.get("certificate_arn"),
        "ssl_policy": ssl_policy or current.get("ssl_policy"),
        "weights": dict(live) if keep else dict(weights),
    }


def creation_problems(desired: Dict[str, Any]) -> List[str]:
    """What a new listener lacks (empty: nothing)."""
    return ["%s: needed to create the HTTPS listener." % field for field in ("certificate_arn", "ssl_policy")
            if not desired.get(field)]


def differing(current: Dict[str, Any], desired: Dict[str, Any]) -> List[str]:
    """The settings that ModifyListener must change (every one for a listener that does not exist)."""
    fields = ("protocol", "certificate_arn", "ssl_policy", "weights")
    if not current["exists"]:
        return list(fields)
    return [field for field in fields if current.get(field) != desired[field]]


def forward_action(weights: Dict[str, int], arns_by_name: Dict[str, str]) -> List[Dict[str, Any]]:
    """The DefaultActions of a weighted forward to the named target groups (sorted by name: one request shape)."""
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": arns_by_name[name], "Weight": weight} for name, weight in sorted(weights.items())]}}]


class ListenerErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ListenerNotFound")


@ListenerErrorHandler.list_error_handler("describe the listener", None)
@aws_retry()
def describe_listener(client, listener_arn: str) -> Optional[Dict[str, Any]]:
    return client.describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]


@ListenerErrorHandler.common_error_handler("describe the listeners of the load balancer")
@aws_retry()
def listener_on_port(client, load_balancer_arn: str, port: int) -> Optional[Dict[str, Any]]:
    for page in client.get_paginator("describe_listeners").paginate(LoadBalancerArn=load_balancer_arn):
        for listener in page.get("Listeners") or []:
            if listener.get("Port") == port:
                return listener
    return None


@ListenerErrorHandler.common_error_handler("describe the target groups")
@aws_retry()
def target_groups_by_name(client, names: List[str]) -> Dict[str, str]:
    """Name -> ARN of the named target groups (TargetGroupNotFound when one is missing)."""
    answer = client.describe_target_groups(Names=sorted(names))["TargetGroups"]
    return dict((group["TargetGroupName"], group["TargetGroupArn"]) for group in answer)


@ListenerErrorHandler.common_error_handler("describe the target groups the listener forwards to")
@aws_retry()
def target_group_names(client, arns: List[str]) -> Dict[str, str]:
    """ARN -> name of target groups given by ARN."""
    if not arns:
        return {}
    answer = client.describe_target_groups(TargetGroupArns=sorted(arns))["TargetGroups"]
    return dict((group["TargetGroupArn"], group["TargetGroupName"]) for group in answer)


@ListenerErrorHandler.common_error_handler("create the HTTPS listener")
@aws_retry()
def create_listener(client, load_balancer_arn: str, desired: Dict[str, Any], arns_by_name: Dict[str, str]) -> str:
    return client.create_listener(
        LoadBalancerArn=load_balancer_arn, Protocol="HTTPS", Port=desired["port"], SslPolicy=desired["ssl_policy"],
        Certificates=[{"CertificateArn": desired["certificate_arn"]}],
        DefaultActions=forward_action(desired["weights"], arns_by_name))["Listeners"][0]["ListenerArn"]


@ListenerErrorHandler.common_error_handler("modify the HTTPS listener")
@aws_retry()
def modify_listener(client, listener_arn: str, desired: Dict[str, Any], arns_by_name: Dict[str, str]) -> None:
    client.modify_listener(
        ListenerArn=listener_arn, Protocol="HTTPS", SslPolicy=desired["ssl_policy"],
        Certificates=[{"CertificateArn": desired["certificate_arn"]}],
        DefaultActions=forward_action(desired["weights"], arns_by_name))
