# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every CloudWatch alarm of an environment, as PutMetricAlarm / PutCompositeAlarm parameters.

From the spec's ``monitoring`` section (thresholds per alarm key and level), what the alarms watch (the fact
``observability_resources``: found through the AWS APIs) and the severity topics. One alarm per key, level
(warning, critical) and resource; the critical ones are combined into the environment's "service down" composite
alarm, which pages P1. An environment without a resource gets no alarm for it.

Evaluation: a warning needs 3 breaching periods of 5 (a sustained trend, not one spike), a critical 2 of 3 (fast,
still not one outlier). ``treat_missing_data`` is chosen per metric (see ``CATALOGUE``): metrics that AWS only
emits when something happens (5xx, throttles, evictions, NAT errors) or when there is traffic (latency) are
``notBreaching`` when silent, so a quiet night does not page; a database's or a cache node's CPU is published every
minute while it runs, so silence there means it is down: ``breaching``.
"""

from ansible_collections.envops.aws.plugins.module_utils import observability_plan as plan

LEVELS = ("warning", "critical")
EVALUATION = {"warning": {"EvaluationPeriods": 5, "DatapointsToAlarm": 3},
              "critical": {"EvaluationPeriods": 3, "DatapointsToAlarm": 2}}
COMPARISON = {"above": "GreaterThanThreshold", "above_or_equal": "GreaterThanOrEqualToThreshold",
              "below": "LessThanThreshold"}
GIB = 1024 ** 3


def _metric(namespace, name, dimensions, statistic=None, extended_statistic=None):
    body = {"Namespace": namespace, "MetricName": name,
            "Dimensions": [{"Name": key, "Value": value} for key, value in dimensions]}
    if extended_statistic:
        body["ExtendedStatistic"] = extended_statistic
    else:
        body["Statistic"] = statistic
    return body


def _math(expression, label, period, queries):
    """A metric-math alarm: the queries (id, namespace, metric, dimensions, statistic) feed one expression."""
    metrics = [{"Id": query_id, "ReturnData": False,
                "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": name,
                                          "Dimensions": [{"Name": key, "Value": value} for key, value in dims]},
                               "Period": period, "Stat": stat}}
               for query_id, namespace, name, dims, stat in queries]
    metrics.append({"Id": "e1", "Expression": expression, "Label": label, "ReturnData": True})
    return {"Metrics": metrics}


def _lb(resources):
    return resources.get("load_balancer")


def _latency(resources, spec, period, monitoring):
    lb = _lb(resources)
    if not lb:
        return []
    return [(None, _metric("AWS/ApplicationELB", "TargetResponseTime", [("LoadBalancer", lb["arn_suffix"])],
                           extended_statistic="p99"))]


def _error_rate(resources, spec, period, monitoring):
    lb = _lb(resources)
    if not lb:
        return []
    dims = [("LoadBalancer", lb["arn_suffix"])]
    # the 5xx count is only published for periods that had one: FILL it with 0; below the minimum request count
    # the rate is 0, so three failed requests of five at night do not page anyone
    expression = "IF(requests >= %d, FILL(errors, 0) / requests * 100, 0)" % monitoring["error_rate_min_requests"]
    return [(None, _math(expression, "Target 5xx rate (%)", period, [
        ("errors", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, "Sum"),
        ("requests", "AWS/ApplicationELB", "RequestCount", dims, "Sum")]))]


def _unhealthy(resources, spec, period, monitoring):
    lb = _lb(resources)
    if not lb:
        return []
    return [(colour, _metric("AWS/ApplicationELB", "UnHealthyHostCount",
                             [("LoadBalancer", lb["arn_suffix"]), ("TargetGroup", group["arn_suffix"])],
                             statistic="Maximum"))
            for colour, group in sorted(lb.get("target_groups", {}).items())]


def _rds(metric, statistic):
    def alarms(resources, spec, period, monitoring):
        database = resources.get("database")
        if not database:
            return []
        return [(None, _metric("AWS/RDS", metric, [("DBInstanceIdentifier", database["identifier"])],
                               statistic=statistic))]
    return alarms


def _throttles(resources, spec, period, monitoring):
    return [(table, _math("FILL(reads, 0) + FILL(writes, 0)", "Throttle events", period, [
        ("reads", "AWS/DynamoDB", "ReadThrottleEvents", [("TableName", table)], "Sum"),
        ("writes", "AWS/DynamoDB", "WriteThrottleEvents", [("TableName", table)], "Sum")]))
        for table in resources.get("tables") or []]


def _cache(metric, statistic):
    def alarms(resources, spec, period, monitoring):
        cache = resources.get("cache")
        if not cache:
            return []
        return [(cluster, _metric("AWS/ElastiCache", metric, [("CacheClusterId", cluster)], statistic=statistic))
                for cluster in cache["cluster_ids"]]
    return alarms


def _nat(resources, spec, period, monitoring):
    return [(gateway, _metric("AWS/NATGateway", "ErrorPortAllocation", [("NatGatewayId", gateway)],
                              statistic="Sum"))
            for gateway in resources.get("nat_gateways") or []]


def _milliseconds(value, resources):
    return value / 1000.0  # TargetResponseTime is in seconds


def _free_bytes(value, resources):
    return value / 100.0 * resources["database"]["allocated_storage_gb"] * GIB


# Per spec alarm key: the metric(s) per resource, the comparison, what a silent metric means, how a spec value
# becomes the metric's unit, and what to look at when it fires.
CATALOGUE = {
    "api_p99_latency_ms": {
        "metrics": _latency, "comparison": "above", "missing": "notBreaching", "unit": "ms",
        "threshold": _milliseconds,
        "meaning": "the slowest 1 % of API requests are slow: check the app's dependencies (database, cache) and "
                   "recent deployments"},
    "api_5xx_rate_percent": {
        "metrics": _error_rate, "comparison": "above", "missing": "notBreaching", "unit": "%",
        "meaning": "the application answers with server errors: check the app logs and the last release"},
    "api_unhealthy_hosts": {
        "metrics": _unhealthy, "comparison": "above_or_equal", "missing": "notBreaching", "unit": "hosts",
        # the idle colour of blue/green has no targets and publishes nothing: silence is not a failure
        "meaning": "targets fail their health check: check the instances of this colour and their readiness"},
    "rds_cpu_percent": {
        "metrics": _rds("CPUUtilization", "Average"), "comparison": "above", "missing": "breaching", "unit": "%",
        "meaning": "the database is CPU bound (or silent: down): check slow queries and Performance Insights"},
    "rds_free_storage_percent": {
        "metrics": _rds("FreeStorageSpace", "Minimum"), "comparison": "below", "missing": "missing",
        "unit": "% free", "threshold": _free_bytes,
        "meaning": "the database runs out of storage: grow the allocated storage before writes fail"},
    "rds_connections": {
        "metrics": _rds("DatabaseConnections", "Maximum"), "comparison": "above_or_equal", "missing": "missing",
        "unit": "connections",
        "meaning": "the database nears its connection limit: check the app's pools and leaked connections"},
    "dynamodb_throttled_requests": {
        "metrics": _throttles, "comparison": "above_or_equal", "missing": "notBreaching", "unit": "events",
        "meaning": "DynamoDB throttles the table: check hot keys and the table's capacity"},
    "cache_cpu_percent": {
        "metrics": _cache("EngineCPUUtilization", "Average"), "comparison": "above", "missing": "breaching",
        "unit": "%", "meaning": "the Redis engine thread is saturated (or silent: the node is down)"},
    "cache_evictions": {
        "metrics": _cache("Evictions", "Sum"), "comparison": "above_or_equal", "missing": "notBreaching",
        "unit": "evictions", "meaning": "Redis evicts keys for lack of memory: check memory use and TTLs"},
    "nat_port_allocation_errors": {
        "metrics": _nat, "comparison": "above_or_equal", "missing": "notBreaching", "unit": "errors",
        "meaning": "the NAT gateway runs out of ports to one destination: outbound connections fail"},
}


def _description(key, level, value, period_minutes, entry):
    evaluation = EVALUATION[level]
    word = "below" if entry["comparison"] == "below" else "at or above" \
        if entry["comparison"] == "above_or_equal" else "above"
    return ("%s %s: %s %s %s for %d of %d periods of %d min. %s." % (
        level.capitalize(), key, word, _number(value), entry["unit"], evaluation["DatapointsToAlarm"],
        evaluation["EvaluationPeriods"], period_minutes, entry["meaning"][0].upper() + entry["meaning"][1:]))


def _number(value):
    return ("%d" % value) if float(value) == int(value) else ("%s" % value)


def metric_alarms(env_name, monitoring, resources, topic_arns):
    """(level, PutMetricAlarm parameters) of every alarm the spec asks for on the resources the environment has."""
    alarms = []
    for key in sorted(monitoring.get("alarms") or {}):
        if key not in CATALOGUE:
            raise ValueError("monitoring.alarms.%s: no such alarm (one of %s)" % (key, ", ".join(sorted(CATALOGUE))))
        entry = CATALOGUE[key]
        spec = monitoring["alarms"][key]
        period = int(spec.get("period_minutes", 5)) * 60
        for resource, body in entry["metrics"](resources, spec, period, monitoring):
            for level in LEVELS:
                topic = topic_arns[plan.LEVEL_SEVERITY[level]]
                threshold = entry.get("threshold", lambda value, _resources: float(value))(spec[level], resources)
                alarm = {
                    "AlarmName": plan.alarm_name(env_name, key, level, resource),
                    "AlarmDescription": _description(key, level, spec[level], period // 60, entry),
                    "ActionsEnabled": True,
                    "AlarmActions": [topic],
                    "OKActions": [topic],
                    "ComparisonOperator": COMPARISON[entry["comparison"]],
                    "Threshold": float(threshold),
                    "TreatMissingData": entry["missing"],
                }
                alarm.update(EVALUATION[level])
                if "Metrics" in body:
                    alarm.update(body)
                else:
                    alarm.update(body, Period=period)
                alarms.append((level, alarm))
    return alarms


def composite_alarms(env_name, critical, topic_arns):
    """The "service down" composite: any of the critical alarms (names) of the environment; none without one."""
    if not critical:
        return []
    topic = topic_arns[plan.LEVEL_SEVERITY["service_down"]]
    return [{
        "AlarmName": plan.service_down_alarm_name(env_name),
        "AlarmDescription": "Service down (%s): at least one critical alarm of %s is in ALARM; page the on-call "
                            "engineer and open the critical alarms." % (env_name, env_name),
        "ActionsEnabled": True,
        "AlarmActions": [topic],
        "OKActions": [topic],
        "AlarmRule": " OR ".join('ALARM("%s")' % name for name in critical),
    }]


def alarms(env_name, monitoring, resources, topic_arns):
    """{metric_alarms: [...], composite_alarms: [...]} of the environment."""
    metric = metric_alarms(env_name, monitoring or {}, resources or {}, topic_arns)
    critical = [alarm["AlarmName"] for level, alarm in metric if level == "critical"]
    return {"metric_alarms": [alarm for _level, alarm in metric],
            "composite_alarms": composite_alarms(env_name, critical, topic_arns)}
