# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The spec's edge, WAF and monitoring fields: what a careless or hostile author writes is refused, naming the
environment, field and rule, before any AWS call."""
import copy

import pytest

from ansible_collections.envops.aws.plugins.module_utils.env_validator import validate_environment
from ansible_collections.envops.aws.plugins.module_utils.observability_plan import ALARMS

from test_env_validator import DELETE, estate, load_spec, mutate

CERT = "arn:aws:acm:%s:210000000004:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"


def problems_of(name, spec):
    world = estate()
    world[name] = {"spec": spec, "overrides": {}}
    return {(p.env, p.field, p.rule) for p in validate_environment(name, spec, {}, world).problems}


@pytest.mark.parametrize("name, path, value, field, rule", [
    # thresholds: the warning comes first, whichever way the metric gets worse
    ("prod", "monitoring.alarms.api_p99_latency_ms", {"warning": 500, "critical": 500},
     "monitoring.alarms.api_p99_latency_ms", "warning_before_critical"),
    ("prod", "monitoring.alarms.rds_free_storage_percent", {"warning": 10, "critical": 20},
     "monitoring.alarms.rds_free_storage_percent", "warning_before_critical"),
    ("prod", "monitoring.alarms.api_5xx_rate_percent", {"warning": 50, "critical": 101},
     "monitoring.alarms.api_5xx_rate_percent.critical", "maximum"),
    ("prod", "monitoring.alarms.api_p95_latency_ms", {"warning": 1, "critical": 2},
     "monitoring.alarms.api_p95_latency_ms", "unknown_key"),
    ("prod", "monitoring.alarms.rds_cpu_percent", {"warning": "70", "critical": 85},
     "monitoring.alarms.rds_cpu_percent.warning", "type"),
    ("prod", "monitoring.error_rate_min_requests", 0, "monitoring.error_rate_min_requests", "minimum"),
    # subscriptions: the message names the protocol, never the endpoint (an on-call address)
    ("prod", "monitoring.notifications", {"P1": [{"protocol": "email", "endpoint": "oncall at example"}]},
     "monitoring.notifications.P1[0].endpoint", "subscription_endpoint"),
    ("prod", "monitoring.notifications", {"P1": [{"protocol": "sms", "endpoint": "0044 20 1234"}]},
     "monitoring.notifications.P1[0].endpoint", "subscription_endpoint"),
    ("prod", "monitoring.notifications", {"P1": [{"protocol": "https", "endpoint": "http://pager.example.com/x"}]},
     "monitoring.notifications.P1[0].endpoint", "subscription_endpoint"),
    ("prod", "monitoring.notifications", {"P2": [{"protocol": "sqs", "endpoint": "arn:aws:sqs:me-south-1:1:q"}]},
     "monitoring.notifications.P2[0].endpoint", "subscription_endpoint"),
    ("prod", "monitoring.notifications", {"P2": [{"protocol": "email", "endpoint": "a@example.com"},
                                                 {"protocol": "email", "endpoint": "a@example.com"}]},
     "monitoring.notifications.P2[1].endpoint", "unique_subscription"),
    ("prod", "monitoring.notifications", {"P4": []}, "monitoring.notifications.P4", "unknown_key"),
    ("prod", "monitoring.notifications", {"P1": [{"protocol": "slack", "endpoint": "#oncall"}]},
     "monitoring.notifications.P1[0].protocol", "choices"),
    # edge
    ("prod", "edge", {"health_check": {"interval_seconds": 5, "timeout_seconds": 5}},
     "edge.health_check.timeout_seconds", "timeout_below_interval"),
    ("prod", "edge", {"certificate_arn": CERT % "eu-central-1"}, "edge.certificate_arn", "certificate_in_region"),
    ("prod", "edge", {"certificate_arn": "arn:aws:iam::210000000004:server-certificate/x"}, "edge.certificate_arn",
     "pattern"),
    ("prod", "edge", {"health_check": {"path": "health"}}, "edge.health_check.path", "pattern"),
    ("prod", "edge", {"health_check": {"matcher": "2xx"}}, "edge.health_check.matcher", "pattern"),
    ("prod", "edge", {"ssl_policy": "ELBSecurityPolicy-2016-08"}, "edge.ssl_policy", "choices"),
    # WAF
    ("prod", "waf.rule_overrides", {"AWSManagedRulesLinuxRuleSet": {"LFI_QUERYSTRING": "count"}},
     "waf.rule_overrides.AWSManagedRulesLinuxRuleSet", "override_of_used_group"),
    ("prod", "waf.rule_overrides", {"AWSManagedRulesCommonRuleSet": {"SizeRestrictions_BODY": "ignore"}},
     "waf.rule_overrides.AWSManagedRulesCommonRuleSet.SizeRestrictions_BODY", "choices"),
    ("prod", "waf.rule_overrides", {"MyGroup": {"x": "count"}}, "waf.rule_overrides.MyGroup", "pattern"),
    ("prod", "waf.managed_rules", ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"],
     "waf.managed_rules", "unique"),
    ("prod", "waf.managed_rules", ["SomeoneElsesGroup"], "waf.managed_rules[0]", "pattern"),
    ("prod", "waf.ip_allow", ["10.0.0.1/24"], "waf.ip_allow[0]", "cidr_syntax"),
    ("prod", "waf.ip_deny", ["300.0.0.0/8"], "waf.ip_deny[0]", "pattern"),
    ("prod", "waf.ip_deny", ["203.0.113.0/24 "], "waf.ip_deny[0]", "pattern"),
    ("prod", "waf.geo_block", ["RU", "RU"], "waf.geo_block", "unique"),
    ("prod", "waf.redacted_headers", ["Authorization"], "waf.redacted_headers[0]", "pattern"),
    ("prod", "waf.log_retention_days", 45, "waf.log_retention_days", "choices"),
])
def test_hostile_edge_and_monitoring_fields_are_refused(name, path, value, field, rule):
    assert (name, field, rule) in problems_of(name, mutate(load_spec(name), path, value))


def test_deny_overlapping_allow_is_refused_naming_both():
    spec = mutate(load_spec("prod"), "waf.ip_allow", ["203.0.113.0/24"])
    spec = mutate(spec, "waf.ip_deny", ["198.51.100.0/24", "203.0.113.128/25"])
    problems = validate_environment("prod", spec, {}, estate()).problems
    overlap = [p for p in problems if p.rule == "allow_deny_disjoint"]
    assert [p.field for p in overlap] == ["waf.ip_deny[1]"]
    assert "ip_allow[0]" in overlap[0].message


def test_an_alarm_without_its_resource_is_refused():
    spec = mutate(load_spec("prod"), "data.cache", DELETE)
    assert ("prod", "monitoring.alarms.cache_cpu_percent", "alarm_resource_exists") in problems_of("prod", spec)
    spec = mutate(load_spec("staging"), "network.nat_mode", "none")
    spec = mutate(spec, "monitoring.alarms.nat_port_allocation_errors", {"warning": 1, "critical": 5})
    assert ("staging", "monitoring.alarms.nat_port_allocation_errors", "alarm_resource_exists") in problems_of(
        "staging", spec)


def test_the_endpoint_of_a_refused_subscription_is_never_printed():
    spec = mutate(load_spec("prod"), "monitoring.notifications",
                  {"P1": [{"protocol": "sms", "endpoint": "+44-secret-pager"}]})
    messages = [str(p) for p in validate_environment("prod", spec, {}, estate()).problems]
    assert messages and not [m for m in messages if "secret-pager" in m]


def test_staging_may_not_page_on_less_than_production_tolerates_whichever_way_a_metric_gets_worse():
    staging = load_spec("staging")
    # free storage: a HIGHER threshold than production's is the stricter one
    stricter = mutate(staging, "monitoring.alarms.rds_free_storage_percent", {"warning": 30, "critical": 20})
    assert ("staging", "monitoring.alarms.rds_free_storage_percent.critical",
            "alarms_not_stricter_than_production") in problems_of("staging", stricter)
    looser = mutate(staging, "monitoring.alarms.rds_free_storage_percent", {"warning": 10, "critical": 5})
    assert not [p for p in problems_of("staging", looser) if p[2] == "alarms_not_stricter_than_production"]
    tighter_latency = mutate(staging, "monitoring.alarms.api_p99_latency_ms", {"warning": 300, "critical": 450})
    assert ("staging", "monitoring.alarms.api_p99_latency_ms.warning",
            "alarms_not_stricter_than_production") in problems_of("staging", tighter_latency)


def test_shipped_thresholds_are_the_seeds():
    prod = validate_environment("prod", load_spec("prod")).spec["monitoring"]["alarms"]
    staging = validate_environment("staging", load_spec("staging")).spec["monitoring"]["alarms"]
    assert (prod["api_p99_latency_ms"]["warning"], prod["api_p99_latency_ms"]["critical"]) == (400, 500)
    assert (staging["api_p99_latency_ms"]["warning"], staging["api_p99_latency_ms"]["critical"]) == (600, 800)
    assert (prod["api_5xx_rate_percent"]["warning"], prod["api_5xx_rate_percent"]["critical"]) == (0.5, 1)
    assert (staging["api_5xx_rate_percent"]["warning"], staging["api_5xx_rate_percent"]["critical"]) == (2, 5)
    assert (prod["rds_cpu_percent"]["warning"], prod["rds_cpu_percent"]["critical"]) == (70, 85)
    assert set(prod) == set(ALARMS)


def test_defaults_give_every_environment_an_alb_with_the_seeds_health_check():
    spec = validate_environment("dev", load_spec("dev")).spec
    assert spec["edge"]["health_check"] == {"path": "/health/ready", "interval_seconds": 15, "timeout_seconds": 5,
                                            "healthy_threshold": 3, "unhealthy_threshold": 3, "matcher": "200"}
    assert "certificate_arn" not in spec["edge"]
    assert spec["waf"]["redacted_headers"] == ["authorization", "cookie"]
    assert "AWSManagedRulesAmazonIpReputationList" in spec["waf"]["managed_rules"]
    assert spec["monitoring"]["notifications"] == {"P1": [], "P2": [], "P3": []}


def test_a_certificate_in_the_region_and_lists_that_fit_are_accepted():
    spec = copy.deepcopy(load_spec("prod"))
    spec["edge"] = {"certificate_arn": CERT % "me-south-1"}
    spec["waf"].update({"ip_allow": ["203.0.113.0/24"], "ip_deny": ["198.51.100.7/32"], "geo_block": ["KP"],
                        "rule_overrides": {"AWSManagedRulesCommonRuleSet": {"SizeRestrictions_BODY": "count"}}})
    result = validate_environment("prod", spec, {}, estate())
    assert result.ok, [str(p) for p in result.problems]
