# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.envops.aws.plugins.module_utils import dashboard_plan as plan

ALARMS = {"api_p99_latency_ms": {"warning": 400, "critical": 500}, "api_5xx_rate_percent": {"warning": 0.5, "critical": 1},
          "rds_free_storage_percent": {"warning": 20, "critical": 10}, "cache_evictions": {"warning": 100, "critical": 1000}}
RESOURCES = {
    "load_balancer": {"name": "envops-prod", "arn": "arn", "arn_suffix": "app/envops-prod/1",
                      "target_groups": {"green": {"name": "g", "arn_suffix": "targetgroup/g/2"},
                                        "blue": {"name": "b", "arn_suffix": "targetgroup/b/1"}}},
    "database": {"identifier": "prod-app", "allocated_storage_gb": 100},
    "tables": ["prod-a"],
    "cache": {"replication_group_id": "prod-cache", "cluster_ids": ["prod-cache-001"]},
    "nat_gateways": ["nat-1"],
}
ALARM_ARN = "arn:aws:cloudwatch:me-south-1:111111111111:alarm:envops-prod-rds-cpu-percent-critical"
ROOT = Path(__file__).resolve().parents[4]


def titles(body):
    return [widget["properties"].get("title", widget["type"]) for widget in body["widgets"]]


def props(body, title):
    return [w for w in body["widgets"] if w["properties"].get("title") == title][0]["properties"]


def test_every_widget_of_an_environment_with_every_resource():
    body = plan.system_health("prod", "me-south-1", ALARMS, RESOURCES, [ALARM_ARN])
    assert titles(body) == [
        "text", "Alarms of prod", "ALB requests", "ALB target response time (s)", "ALB target 5xx rate (%)",
        "Unhealthy targets", "Application errors", "RDS CPU (%)", "RDS connections", "RDS free storage (bytes)",
        "DynamoDB throttled requests", "DynamoDB latency (ms)", "Redis engine CPU (%)", "Redis evictions",
        "NAT port allocation errors"]


def test_widgets_of_absent_resources_are_left_out():
    body = plan.system_health("dev", "eu-west-1", {}, {"load_balancer": None, "database": None, "tables": [],
                                                       "cache": None, "nat_gateways": []}, [])
    assert titles(body) == ["text", "Application errors"]
    assert props(body, "Application errors")["metrics"] == [["envops/dev", "ApplicationErrors"]]


def test_latency_percentiles_with_thresholds_in_seconds():
    latency = props(plan.system_health("prod", "me-south-1", ALARMS, RESOURCES, []), "ALB target response time (s)")
    assert [metric[-1]["stat"] for metric in latency["metrics"]] == ["p99", "p95", "p50"]
    assert latency["annotations"]["horizontal"] == [
        {"label": "api_p99_latency_ms warning", "value": 0.4, "color": plan.WARNING_COLOUR},
        {"label": "api_p99_latency_ms critical", "value": 0.5, "color": plan.CRITICAL_COLOUR}]


def test_5xx_rate_is_metric_math_of_hidden_counts():
    rate = props(plan.system_health("prod", "me-south-1", ALARMS, RESOURCES, []), "ALB target 5xx rate (%)")
    assert [metric[-1] for metric in rate["metrics"]] == [
        {"id": "errors", "visible": False}, {"id": "requests", "visible": False},
        {"expression": "100 * errors / requests", "id": "rate", "label": "5xx rate (%)"}]


def test_free_storage_thresholds_are_bytes_of_the_allocated_storage_shaded_below():
    storage = props(plan.system_health("prod", "me-south-1", ALARMS, RESOURCES, []), "RDS free storage (bytes)")
    assert [(line["value"], line["fill"]) for line in storage["annotations"]["horizontal"]] == [
        (20 * 1024 ** 3, "below"), (10 * 1024 ** 3, "below")]


def test_a_metric_without_an_alarm_in_the_spec_has_no_annotations():
    assert "annotations" not in props(plan.system_health("prod", "me-south-1", ALARMS, RESOURCES, []), "RDS CPU (%)")


def test_target_groups_in_colour_order():
    unhealthy = props(plan.system_health("prod", "me-south-1", ALARMS, RESOURCES, []), "Unhealthy targets")
    assert [metric[3] for metric in unhealthy["metrics"]] == ["targetgroup/b/1", "targetgroup/g/2"]


def test_alarm_widget_adds_the_composite_of_the_account_and_region_of_the_alarms():
    assert plan.environment_alarm_arns("prod", [ALARM_ARN, ALARM_ARN]) == [
        ALARM_ARN, "arn:aws:cloudwatch:me-south-1:111111111111:alarm:envops-prod-service-down"]
    assert plan.environment_alarm_arns("prod", []) == []


def test_escalation_text_names_each_severity_topic_and_its_times():
    text = plan.escalation_text("prod")
    assert "| P1 critical | envops-prod-p1-critical | 5 min | 15 min |" in text
    assert "| P3 warning | envops-prod-p3-warning | next working day | no |" in text


def test_layout_text_full_width_others_two_per_row():
    body = plan.system_health("prod", "me-south-1", ALARMS, RESOURCES, [ALARM_ARN])
    assert [(w["x"], w["y"], w["width"]) for w in body["widgets"][:5]] == [
        (0, 0, 24), (0, 6, 12), (12, 6, 12), (0, 12, 12), (12, 12, 12)]


def shipped_estate(overrides):
    estate = {}
    for name in ("prod", "staging"):
        path = ROOT / "inventories" / name / "host_vars" / name / "envops_spec.yml"
        estate[name] = {"spec": yaml.safe_load(path.read_text())["envops_spec"], "overrides": overrides.get(name, {})}
    return estate


def test_estate_overview_of_every_environment_with_its_account_after_overrides():
    estate = shipped_estate({"staging": {"account": {"id": "100000000003"}}})
    body = plan.estate_overview(plan.estate_environments(estate))
    alarms, table = body["widgets"][0]["properties"]["alarms"], body["widgets"][1]["properties"]["markdown"]
    assert alarms[1] == "arn:aws:cloudwatch:me-south-1:100000000003:alarm:envops-staging-service-down"
    assert alarms[0].endswith(":alarm:envops-prod-service-down")
    assert "| prod | production | me-south-1 | %s | 240 min | 60 min |" % estate["prod"]["spec"]["account"]["id"] in table


def test_estate_with_an_invalid_spec_is_refused_naming_it():
    estate = shipped_estate({})
    broken = copy.deepcopy(estate)
    del broken["staging"]["spec"]["recovery"]
    with pytest.raises(ValueError, match="environment staging"):
        plan.estate_environments(broken)
