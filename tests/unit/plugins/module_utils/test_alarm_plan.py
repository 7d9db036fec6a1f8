# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alarms of an environment from its spec, resources and topics: metrics, thresholds, actions, composite."""

import pytest

from ansible_collections.envops.aws.plugins.module_utils import alarm_plan
from ansible_collections.envops.aws.plugins.module_utils import observability_plan as plan

TOPICS = {severity: "arn:aws:sns:me-south-1:111111111111:envops-prod-%s" % severity.lower()
          for severity in ("P1", "P2", "P3")}
RESOURCES = {
    "load_balancer": {"name": "envops-prod", "arn": "arn:aws:elasticloadbalancing:me-south-1:111111111111:"
                                                    "loadbalancer/app/envops-prod/50dc6c495c0c9188",
                      "arn_suffix": "app/envops-prod/50dc6c495c0c9188",
                      "target_groups": {"blue": {"name": "envops-prod-blue", "arn_suffix": "targetgroup/b/1"},
                                        "green": {"name": "envops-prod-green", "arn_suffix": "targetgroup/g/2"}}},
    "database": {"identifier": "prod-postgres", "allocated_storage_gb": 200},
    "tables": ["prod-campaign-events", "prod-product-feeds"],
    "cache": {"replication_group_id": "prod-redis", "cluster_ids": ["prod-redis-001", "prod-redis-002"]},
    "nat_gateways": ["nat-0a", "nat-0b"],
}
PROD_ALARMS = {
    "api_p99_latency_ms": {"warning": 400, "critical": 500},
    "api_5xx_rate_percent": {"warning": 0.5, "critical": 1},
    "rds_cpu_percent": {"warning": 70, "critical": 85},
    "api_unhealthy_hosts": {"warning": 1, "critical": 2},
    "rds_free_storage_percent": {"warning": 20, "critical": 10},
    "rds_connections": {"warning": 400, "critical": 500},
    "dynamodb_throttled_requests": {"warning": 10, "critical": 100},
    "cache_cpu_percent": {"warning": 65, "critical": 80},
    "cache_evictions": {"warning": 100, "critical": 1000},
    "nat_port_allocation_errors": {"warning": 1, "critical": 10, "period_minutes": 1},
}


def monitoring(alarms=None, minimum=100):
    return {"level": "enhanced", "error_rate_min_requests": minimum,
            "alarms": {key: dict({"period_minutes": 5}, **value) for key, value in (alarms or PROD_ALARMS).items()}}


def by_name(env="prod", alarms=None, resources=None, minimum=100):
    planned = alarm_plan.alarms(env, monitoring(alarms, minimum), RESOURCES if resources is None else resources, TOPICS)
    return {alarm["AlarmName"]: alarm for alarm in planned["metric_alarms"]}, planned["composite_alarms"]


def test_the_catalogue_covers_exactly_the_spec_alarm_keys():
    assert set(alarm_plan.CATALOGUE) == set(plan.ALARMS)
    for key, entry in alarm_plan.CATALOGUE.items():
        direction = plan.ALARMS[key]["direction"]
        assert entry["comparison"].startswith(direction), key
        assert entry["missing"] in ("breaching", "notBreaching", "ignore", "missing")


def test_latency_is_the_p99_of_the_target_response_time_in_seconds():
    alarms = by_name()[0]
    warning = alarms["envops-prod-api-p99-latency-ms-warning"]
    assert warning["Namespace"] == "AWS/ApplicationELB" and warning["MetricName"] == "TargetResponseTime"
    assert warning["ExtendedStatistic"] == "p99" and "Statistic" not in warning
    assert warning["Dimensions"] == [{"Name": "LoadBalancer", "Value": "app/envops-prod/50dc6c495c0c9188"}]
    assert warning["Threshold"] == 0.4 and alarms["envops-prod-api-p99-latency-ms-critical"]["Threshold"] == 0.5
    assert warning["ComparisonOperator"] == "GreaterThanThreshold"
    assert warning["TreatMissingData"] == "notBreaching"
    assert warning["Period"] == 300
    assert (warning["EvaluationPeriods"], warning["DatapointsToAlarm"]) == (5, 3)
    critical = alarms["envops-prod-api-p99-latency-ms-critical"]
    assert (critical["EvaluationPeriods"], critical["DatapointsToAlarm"]) == (3, 2)
    assert "400 ms" in warning["AlarmDescription"]


def test_levels_route_to_their_severity_topic():
    alarms, composite = by_name()
    for name, alarm in alarms.items():
        severity = "P3" if name.endswith("-warning") else "P2"
        assert alarm["AlarmActions"] == [TOPICS[severity]] == alarm["OKActions"], name
    assert composite[0]["AlarmActions"] == [TOPICS["P1"]] == composite[0]["OKActions"]


def test_the_5xx_rate_is_metric_math_quiet_below_the_minimum_request_count():
    alarms = by_name(minimum=250)[0]
    alarm = alarms["envops-prod-api-5xx-rate-percent-critical"]
    assert "MetricName" not in alarm and "Period" not in alarm
    queries = {query["Id"]: query for query in alarm["Metrics"]}
    assert queries["e1"]["Expression"] == "IF(requests >= 250, FILL(errors, 0) / requests * 100, 0)"
    assert queries["e1"]["ReturnData"] is True
    assert queries["errors"]["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_Target_5XX_Count"
    assert queries["requests"]["MetricStat"]["Metric"]["MetricName"] == "RequestCount"
    for query_id in ("errors", "requests"):
        assert queries[query_id]["ReturnData"] is False
        assert queries[query_id]["MetricStat"]["Stat"] == "Sum" and queries[query_id]["MetricStat"]["Period"] == 300
    assert alarm["Threshold"] == 1.0 and alarms["envops-prod-api-5xx-rate-percent-warning"]["Threshold"] == 0.5


def test_unhealthy_hosts_per_target_group():
    alarms = by_name()[0]
    blue = alarms["envops-prod-api-unhealthy-hosts-blue-warning"]
    assert blue["Dimensions"] == [{"Name": "LoadBalancer", "Value": "app/envops-prod/50dc6c495c0c9188"},
                                  {"Name": "TargetGroup", "Value": "targetgroup/b/1"}]
    assert blue["Statistic"] == "Maximum" and blue["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert "envops-prod-api-unhealthy-hosts-green-critical" in alarms


def test_free_storage_percent_becomes_bytes_of_the_allocated_storage():
    alarms = by_name()[0]
    warning = alarms["envops-prod-rds-free-storage-percent-warning"]
    assert warning["Threshold"] == 0.2 * 200 * 1024 ** 3
    assert warning["ComparisonOperator"] == "LessThanThreshold"
    assert warning["MetricName"] == "FreeStorageSpace" and warning["Statistic"] == "Minimum"
    assert warning["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": "prod-postgres"}]
    assert alarms["envops-prod-rds-cpu-percent-critical"]["TreatMissingData"] == "breaching"


def test_throttles_per_table_and_cache_per_member_and_nat_per_gateway():
    alarms = by_name()[0]
    throttles = alarms["envops-prod-dynamodb-throttled-requests-prod-campaign-events-critical"]
    expression = [query for query in throttles["Metrics"] if query["ReturnData"]][0]["Expression"]
    assert expression == "FILL(reads, 0) + FILL(writes, 0)"
    assert sorted(q["MetricStat"]["Metric"]["MetricName"] for q in throttles["Metrics"] if "MetricStat" in q) == [
        "ReadThrottleEvents", "WriteThrottleEvents"]
    cpu = alarms["envops-prod-cache-cpu-percent-prod-redis-002-warning"]
    assert cpu["MetricName"] == "EngineCPUUtilization"
    assert cpu["Dimensions"] == [{"Name": "CacheClusterId", "Value": "prod-redis-002"}]
    assert alarms["envops-prod-cache-evictions-prod-redis-001-critical"]["MetricName"] == "Evictions"
    nat = alarms["envops-prod-nat-port-allocation-errors-nat-0b-critical"]
    assert (nat["Namespace"], nat["MetricName"], nat["Statistic"], nat["Period"]) == (
        "AWS/NATGateway", "ErrorPortAllocation", "Sum", 60)
    # 10 keys: 2 levels x (1 + 1 + 2 + 1 + 1 + 1 + 2 tables + 2 members + 2 members + 2 gateways)
    assert len(alarms) == 2 * 15


def test_an_environment_without_a_resource_gets_no_alarm_for_it():
    resources = dict(RESOURCES, cache=None, nat_gateways=[], load_balancer=None)
    alarms = by_name(resources=resources)[0]
    assert not [name for name in alarms if "-cache-" in name or "-nat-" in name or "-api-" in name]
    assert "envops-prod-rds-cpu-percent-warning" in alarms


def test_service_down_is_any_critical_alarm_and_pages_p1():
    alarms, composite = by_name()
    (service_down,) = composite
    assert service_down["AlarmName"] == plan.service_down_alarm_name("prod")
    critical = sorted(name for name in alarms if name.endswith("-critical"))
    assert service_down["AlarmRule"] == " OR ".join('ALARM("%s")' % name for name in critical)
    assert "-warning" not in service_down["AlarmRule"]


def test_no_composite_without_a_critical_alarm():
    planned = alarm_plan.alarms("dev", {"alarms": {}, "error_rate_min_requests": 100}, RESOURCES, TOPICS)
    assert planned == {"metric_alarms": [], "composite_alarms": []}
    nothing = {"load_balancer": None, "database": None, "tables": [], "cache": None, "nat_gateways": []}
    composite = by_name(resources=nothing)[1]
    assert composite == []


def test_prod_and_staging_thresholds_differ_as_the_spec_says():
    prod = by_name()[0]
    staging = by_name("staging", alarms={"api_p99_latency_ms": {"warning": 600, "critical": 800}})[0]
    assert prod["envops-prod-api-p99-latency-ms-critical"]["Threshold"] == 0.5
    assert staging["envops-staging-api-p99-latency-ms-critical"]["Threshold"] == 0.8


def test_an_unknown_alarm_key_is_refused():
    with pytest.raises(ValueError, match="monitoring.alarms.api_p50"):
        by_name(alarms={"api_p50": {"warning": 1, "critical": 2}})
