# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict

from ansible_collections.community.aws.plugins.module_utils.wafv2 import wafv2_snake_dict_to_camel_dict
from ansible_collections.envops.aws.plugins.filter.edge_waf import edge_waf_names
from ansible_collections.envops.aws.plugins.module_utils import waf_rules
from ansible_collections.envops.aws.plugins.module_utils.observability_plan import DEFAULT_MANAGED_RULE_GROUPS

ARNS = {"allow": "arn:aws:wafv2:eu-central-1:100000000004:regional/ipset/envops-prod-allow/1",
        "deny": "arn:aws:wafv2:eu-central-1:100000000004:regional/ipset/envops-prod-deny/2"}


def spec(**fields):
    waf = {"enabled": True, "rate_limit": 2000, "geo_block": [], "managed_rules": list(DEFAULT_MANAGED_RULE_GROUPS),
           "rule_overrides": {}, "ip_allow": [], "ip_deny": []}
    waf.update(fields)
    return waf


def test_rules_are_allow_deny_rate_then_managed_groups_in_priority_order():
    rules = waf_rules.web_acl_rules("prod", spec(), ARNS)
    assert [(r["priority"], r["name"]) for r in rules] == [
        (0, "ip-allow"), (1, "ip-deny"), (2, "rate-limit"), (3, "AWSManagedRulesCommonRuleSet"),
        (4, "AWSManagedRulesSQLiRuleSet"), (5, "AWSManagedRulesKnownBadInputsRuleSet"),
        (6, "AWSManagedRulesAmazonIpReputationList")]
    assert rules[0]["action"] == {"allow": {}} and rules[1]["action"] == {"block": {}}
    assert rules[0]["statement"] == {"ip_set_reference_statement": {"arn": ARNS["allow"]}}
    assert rules[2]["statement"] == {"rate_based_statement": {"limit": 2000, "aggregate_key_type": "IP",
                                                              "evaluation_window_sec": 300}}
    assert rules[2]["action"] == {"block": {}}
    for managed in rules[3:]:
        assert managed["override_action"] == {"none": {}} and "action" not in managed
        assert managed["statement"] == {"managed_rule_group_statement": {"vendor_name": "AWS",
                                                                         "name": managed["name"]}}


def test_geo_block_comes_after_the_rate_rule_only_when_countries_are_listed():
    rules = waf_rules.web_acl_rules("prod", spec(geo_block=["KP", "IR"], managed_rules=[]), ARNS)
    assert [r["name"] for r in rules] == ["ip-allow", "ip-deny", "rate-limit", "geo-block"]
    assert rules[3] == {"name": "geo-block", "priority": 3, "action": {"block": {}},
                        "statement": {"geo_match_statement": {"country_codes": ["KP", "IR"]}},
                        "visibility_config": {"sampled_requests_enabled": True, "cloud_watch_metrics_enabled": True,
                                              "metric_name": "envops-prod-geo-block"}}


def test_overrides_are_sorted_rule_action_overrides_of_their_group_only():
    rules = waf_rules.web_acl_rules("prod", spec(rule_overrides={"AWSManagedRulesCommonRuleSet": {
        "SizeRestrictions_BODY": "count", "CrossSiteScripting_BODY": "challenge"}}), ARNS)
    common = rules[3]["statement"]["managed_rule_group_statement"]
    assert common["rule_action_overrides"] == [
        {"name": "CrossSiteScripting_BODY", "action_to_use": {"challenge": {}}},
        {"name": "SizeRestrictions_BODY", "action_to_use": {"count": {}}}]
    assert all("rule_action_overrides" not in r["statement"]["managed_rule_group_statement"] for r in rules[4:])


def test_every_rule_has_its_own_metric_with_sampled_requests():
    rules = waf_rules.web_acl_rules("staging", spec(geo_block=["RU"]), ARNS)
    metrics = [r["visibility_config"]["metric_name"] for r in rules]
    assert len(set(metrics)) == len(rules) and all(m.startswith("envops-staging-") for m in metrics)
    assert all(r["visibility_config"]["sampled_requests_enabled"] and
               r["visibility_config"]["cloud_watch_metrics_enabled"] for r in rules)


def test_the_rules_become_the_api_shapes_the_upstream_module_sends():
    rules = waf_rules.web_acl_rules("prod", spec(rule_overrides={"AWSManagedRulesSQLiRuleSet": {"SQLi_BODY": "count"}}),
                                    ARNS)
    api = [wafv2_snake_dict_to_camel_dict(snake_dict_to_camel_dict(r, capitalize_first=True)) for r in rules]
    assert api[0]["Statement"] == {"IPSetReferenceStatement": {"ARN": ARNS["allow"]}}
    assert api[0]["VisibilityConfig"] == {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                          "MetricName": "envops-prod-ip-allow"}
    assert api[2]["Statement"]["RateBasedStatement"] == {"Limit": 2000, "AggregateKeyType": "IP",
                                                         "EvaluationWindowSec": 300}
    assert api[4]["OverrideAction"] == {"None": {}}
    assert api[4]["Statement"]["ManagedRuleGroupStatement"] == {
        "VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet",
        "RuleActionOverrides": [{"Name": "SQLi_BODY", "ActionToUse": {"Count": {}}}]}


@pytest.mark.parametrize("arns", [{}, {"allow": ARNS["allow"]}, {"allow": ARNS["allow"], "deny": ""}])
def test_rules_are_refused_without_both_ip_sets(arns):
    with pytest.raises(ValueError, match="IP set"):
        waf_rules.web_acl_rules("prod", spec(), arns)


def test_names_come_from_the_plan():
    assert edge_waf_names("prod") == {"web_acl": "envops-prod", "ip_set_allow": "envops-prod-allow",
                                      "ip_set_deny": "envops-prod-deny", "log_group": "aws-waf-logs-prod",
                                      "metric": "envops-prod"}
