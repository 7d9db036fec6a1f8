# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils import listener_weights as listeners

PREFIX = "arn:aws:elasticloadbalancing:me-south-1:111111111111:"
ALB = PREFIX + "loadbalancer/app/envops-prod/50dc6c495c0c9188"
LISTENER = PREFIX + "listener/app/envops-prod/50dc6c495c0c9188/f2f7dc8efc522ab2"
BLUE = PREFIX + "targetgroup/envops-prod-blue/73e2d6bc24d8a067"
GREEN = PREFIX + "targetgroup/envops-prod-green/2453ed029918f21f"
OLD = PREFIX + "targetgroup/envops-prod-old/1111ed029918f21f"
CERT = "arn:aws:acm:me-south-1:111111111111:certificate/0f8c2b3e-1d2a-4c5b-9e8f-7a6b5c4d3e2f"
POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
NAMES = {BLUE: "envops-prod-blue", GREEN: "envops-prod-green"}
ARNS = {"envops-prod-blue": BLUE, "envops-prod-green": GREEN}


def weighted(blue, green):
    return {"ListenerArn": LISTENER, "LoadBalancerArn": ALB, "Port": 443, "Protocol": "HTTPS", "SslPolicy": POLICY,
            "Certificates": [{"CertificateArn": CERT}],
            "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                {"TargetGroupArn": GREEN, "Weight": green}, {"TargetGroupArn": BLUE, "Weight": blue}],
                "TargetGroupStickinessConfig": {"Enabled": False}}}]}


@pytest.fixture
def client():
    elbv2 = boto3.client("elbv2", region_name="me-south-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(elbv2) as stubber:
        yield elbv2, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("weights,problem", [
    ({"envops-prod-blue": 100, "envops-prod-green": 0}, None),
    ({"envops-prod-blue": 999}, None),
    ({}, "must name 1 to 5 target groups"),
    (None, "must name 1 to 5 target groups"),
    ({"envops-prod-blue": 0, "envops-prod-green": 0}, "at least one target group needs a weight above 0"),
    ({"envops-prod-blue": 1000}, "weights.envops-prod-blue: 1000 is not an integer from 0 to 999"),
    ({"envops-prod-blue": -1}, "is not an integer from 0 to 999"),
    ({"envops-prod-blue": "100"}, "'100' is not an integer"),
    ({"envops-prod-blue": True}, "True is not an integer"),
    ({"envops-prod-blue": 50.5}, "50.5 is not an integer"),
    ({"-blue": 1}, "'-blue' is not a target group name"),
    ({"a" * 33: 1}, "is not a target group name"),
    ({"blue\n": 1}, "is not a target group name"),
    (dict(("tg-%d" % index, 1) for index in range(6)), "6 target groups named, AWS forwards to at most 5"),
])
def test_weights_are_strict(weights, problem):
    problems = listeners.weight_problems(weights)
    assert (problems == []) if problem is None else any(problem in text for text in problems), problems


def test_listener_identity_and_tls_settings_are_checked():
    assert listeners.listener_problems(ALB, None, 443, CERT, POLICY) == []
    assert listeners.listener_problems(None, LISTENER, 443, None, None) == []
    problems = listeners.listener_problems(ALB + "\n", LISTENER.replace("listener/app", "listener/net"), 0,
                                           CERT.replace("acm", "iam"), "TLS13")
    assert [problem.split(":")[0] for problem in problems] == ["load_balancer_arn", "listener_arn", "port",
                                                               "certificate_arn", "ssl_policy"]


def test_a_listener_is_compared_by_target_group_name_and_weight():
    current = listeners.state_of(weighted(100, 0), NAMES)
    assert current == {"exists": True, "listener_arn": LISTENER, "port": 443, "protocol": "HTTPS",
                       "certificate_arn": CERT, "ssl_policy": POLICY,
                       "weights": {"envops-prod-blue": 100, "envops-prod-green": 0}}
    same = listeners.desired_state(current, {"envops-prod-green": 0, "envops-prod-blue": 100}, False, 443, CERT,
                                   POLICY)
    assert listeners.differing(current, same) == [], "order, stickiness and ARNs do not count"
    assert listeners.state_of(None, NAMES) == {"exists": False, "listener_arn": None, "weights": {}}
    plain = dict(weighted(1, 1), DefaultActions=[{"Type": "forward", "TargetGroupArn": OLD}])
    assert listeners.state_of(plain, NAMES)["weights"] == {OLD: 1}, "a group of unknown name shows by its ARN"


def test_live_weights_survive_a_provision_and_a_cutover_sets_them():
    after_cutover = listeners.state_of(weighted(0, 100), NAMES)
    initial = {"envops-prod-blue": 100, "envops-prod-green": 0}
    kept = listeners.desired_state(after_cutover, initial, True, 443, CERT, POLICY)
    assert kept["weights"] == {"envops-prod-blue": 0, "envops-prod-green": 100}
    assert listeners.differing(after_cutover, kept) == []
    forced = listeners.desired_state(after_cutover, initial, False, 443, None, None)
    assert listeners.differing(after_cutover, forced) == ["weights"]
    assert (forced["certificate_arn"], forced["ssl_policy"]) == (CERT, POLICY), "TLS settings not given stay"


def test_live_weights_to_other_groups_or_a_new_listener_take_the_given_weights():
    initial = {"envops-prod-blue": 100, "envops-prod-green": 0}
    elsewhere = listeners.state_of(dict(weighted(1, 1), DefaultActions=[
        {"Type": "forward", "TargetGroupArn": OLD}]), NAMES)
    assert listeners.desired_state(elsewhere, initial, True, 443, CERT, POLICY)["weights"] == initial
    new = listeners.desired_state(listeners.state_of(None, NAMES), initial, True, 443, CERT, POLICY)
    assert new["weights"] == initial and new["port"] == 443
    assert listeners.differing({"exists": False}, new) == ["protocol", "certificate_arn", "ssl_policy", "weights"]
    assert listeners.creation_problems(new) == []
    bare = listeners.desired_state(listeners.state_of(None, NAMES), initial, True, 443, None, None)
    assert listeners.creation_problems(bare) == ["certificate_arn: needed to create the HTTPS listener.",
                                                 "ssl_policy: needed to create the HTTPS listener."]
    tls_changed = listeners.desired_state(listeners.state_of(weighted(100, 0), NAMES), initial, True, 443, CERT,
                                          "ELBSecurityPolicy-TLS13-1-3-2021-06")
    assert listeners.differing(listeners.state_of(weighted(100, 0), NAMES), tls_changed) == ["ssl_policy"]


def test_forward_action_is_one_request_shape():
    assert listeners.forward_action({"envops-prod-green": 0, "envops-prod-blue": 100}, ARNS) == [
        {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": BLUE, "Weight": 100},
                                                               {"TargetGroupArn": GREEN, "Weight": 0}]}}]


def test_calls_read_resolve_create_and_modify(client):
    elbv2, stubber = client
    stubber.add_response("describe_target_groups", {"TargetGroups": [
        {"TargetGroupName": "envops-prod-blue", "TargetGroupArn": BLUE},
        {"TargetGroupName": "envops-prod-green", "TargetGroupArn": GREEN}]},
        {"Names": ["envops-prod-blue", "envops-prod-green"]})
    stubber.add_response("describe_listeners", {"Listeners": [dict(weighted(100, 0), Port=80)]},
                         {"LoadBalancerArn": ALB})
    stubber.add_response("describe_listeners", {"Listeners": [weighted(100, 0)]}, {"ListenerArns": [LISTENER]})
    stubber.add_response("describe_target_groups", {"TargetGroups": [
        {"TargetGroupName": "envops-prod-old", "TargetGroupArn": OLD}]}, {"TargetGroupArns": [OLD]})
    desired = {"port": 443, "certificate_arn": CERT, "ssl_policy": POLICY,
               "weights": {"envops-prod-blue": 0, "envops-prod-green": 100}}
    action = listeners.forward_action(desired["weights"], ARNS)
    stubber.add_response("create_listener", {"Listeners": [{"ListenerArn": LISTENER}]}, {
        "LoadBalancerArn": ALB, "Protocol": "HTTPS", "Port": 443, "SslPolicy": POLICY,
        "Certificates": [{"CertificateArn": CERT}], "DefaultActions": action})
    stubber.add_response("modify_listener", {"Listeners": []}, {
        "ListenerArn": LISTENER, "Protocol": "HTTPS", "SslPolicy": POLICY,
        "Certificates": [{"CertificateArn": CERT}], "DefaultActions": action})
    assert listeners.target_groups_by_name(elbv2, ["envops-prod-green", "envops-prod-blue"]) == ARNS
    assert listeners.listener_on_port(elbv2, ALB, 443) is None, "only the listener on the port counts"
    assert listeners.describe_listener(elbv2, LISTENER)["ListenerArn"] == LISTENER
    assert listeners.target_group_names(elbv2, [OLD]) == {OLD: "envops-prod-old"}
    assert listeners.target_group_names(elbv2, []) == {}
    assert listeners.create_listener(elbv2, ALB, desired, ARNS) == LISTENER
    listeners.modify_listener(elbv2, LISTENER, desired, ARNS)


def test_a_missing_listener_reads_as_none_and_a_missing_target_group_fails(client):
    elbv2, stubber = client
    stubber.add_client_error("describe_listeners", "ListenerNotFound", http_status_code=400,
                             expected_params={"ListenerArns": [LISTENER]})
    stubber.add_client_error("describe_target_groups", "TargetGroupNotFound", http_status_code=400,
                             expected_params={"Names": ["envops-prod-blue"]})
    assert listeners.describe_listener(elbv2, LISTENER) is None
    with pytest.raises(AnsibleAWSError, match="describe the target groups"):
        listeners.target_groups_by_name(elbv2, ["envops-prod-blue"])
