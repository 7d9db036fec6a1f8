# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.filter.edge_names import FilterModule

FILTERS = FilterModule().filters()
PREFIX = "arn:aws:elasticloadbalancing:me-south-1:111111111111:"
ALB = PREFIX + "loadbalancer/app/envops-prod/50dc6c495c0c9188"
BLUE = PREFIX + "targetgroup/envops-prod-blue/73e2d6bc24d8a067"


def test_names_of_an_environment():
    assert FILTERS["edge_names"]("prod") == {
        "load_balancer": "envops-prod", "target_groups": {"blue": "envops-prod-blue", "green": "envops-prod-green"},
        "certificate": "envops-prod-edge", "access_log_prefix": "alb",
        "initial_weights": {"envops-prod-blue": 100, "envops-prod-green": 0}}


def test_arn_suffixes_are_what_cloudwatch_dimensions_name():
    assert FILTERS["elbv2_arn_suffix"](ALB) == "app/envops-prod/50dc6c495c0c9188"
    assert FILTERS["elbv2_arn_suffix"](BLUE) == "targetgroup/envops-prod-blue/73e2d6bc24d8a067"
    with pytest.raises(AnsibleFilterError, match="not the ARN of a load balancer or target group"):
        FILTERS["elbv2_arn_suffix"]("arn:aws:s3:::bucket")


def test_the_load_balancer_fact_has_the_contract_shape():
    names = FILTERS["edge_names"]("prod")
    alb = {"load_balancer_arn": ALB, "dns_name": "envops-prod-1.me-south-1.elb.amazonaws.com",
           "canonical_hosted_zone_id": "Z3QSRYVP46NYYV"}
    listener = {"listener_arn": ALB.replace("loadbalancer", "listener") + "/f2f7",
                "weights": {"envops-prod-blue": 0, "envops-prod-green": 100}}
    fact = FILTERS["edge_load_balancer"](alb, names, [{"target_group_name": "envops-prod-blue",
                                                       "target_group_arn": BLUE}], listener)
    assert fact == {
        "name": "envops-prod", "arn": ALB, "arn_suffix": "app/envops-prod/50dc6c495c0c9188",
        "dns_name": alb["dns_name"], "zone_id": "Z3QSRYVP46NYYV", "https_listener_arn": listener["listener_arn"],
        "target_groups": {"blue": {"name": "envops-prod-blue", "arn": BLUE,
                                   "arn_suffix": "targetgroup/envops-prod-blue/73e2d6bc24d8a067"},
                          "green": {"name": "envops-prod-green", "arn": None, "arn_suffix": None}},
        "weights": {"blue": 0, "green": 100}}
    nothing = FILTERS["edge_load_balancer"]({}, names, [], {})
    assert (nothing["arn"], nothing["https_listener_arn"], nothing["weights"]) == (None, None,
                                                                                  {"blue": None, "green": None})


@pytest.mark.parametrize("region,principal", [
    ("me-south-1", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com",
                    "AWS": "arn:aws:iam::076674570225:root"}),
    ("eu-central-1", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com",
                      "AWS": "arn:aws:iam::054676820928:root"}),
    ("cn-north-1", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com",
                    "AWS": "arn:aws-cn:iam::638102146993:root"}),
    ("il-central-1", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
])
def test_log_delivery_principal_names_the_regional_account_of_older_regions(region, principal):
    assert FILTERS["elb_log_delivery_principal"](region) == principal
