# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CloudWatch dashboards of the estate, as dashboard bodies (dicts) built from the spec and what was found.

``system_health`` is one environment's: ALB, application errors, RDS, DynamoDB, Redis, NAT, the environment's
alarms and who gets paged; a widget is left out when its resource is absent. The spec's alarm thresholds are drawn
as horizontal annotations (warning orange, critical red; "below" alarms shade below the line).
``estate_overview`` is the estate's: every environment's "service down" alarm and a table of the environments. It
is put in every production environment's account (role observability, ``observability_estate_dashboard``): that is
where on-call engineers are signed in when P1 pages, and a dashboard in one account can show other accounts'
alarms (by ARN) once those accounts share their CloudWatch data with it (CloudWatch cross-account observability,
set up outside this collection); without the sharing the other environments' alarms show as not found.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envops.aws.plugins.module_utils import observability_plan as names
from ansible_collections.envops.aws.plugins.module_utils.env_validator import check_schema
from ansible_collections.envops.aws.plugins.module_utils.env_validator import deep_merge

WARNING_COLOUR = "#ff7f0e"
CRITICAL_COLOUR = "#d62728"
GRID_COLUMNS = 24
WIDGET_WIDTH = 12
WIDGET_HEIGHT = 6
PERIOD_SECONDS = 300
GIB = 1024 ** 3
# DynamoDB latency is drawn for the operations the application's hot paths use.
DYNAMODB_LATENCY_OPERATIONS = ("GetItem", "PutItem", "Query")


def alarm_arn(region, account_id, alarm_name):
    """The ARN of an alarm (deterministic: CloudWatch answers it the same)."""
    return "arn:aws:cloudwatch:%s:%s:alarm:%s" % (region, account_id, alarm_name)


def annotations(alarms_spec, key, scale=1.0):
    """Horizontal annotations of the spec's thresholds of alarm ``key`` (none when the spec has no such alarm),
    each value multiplied by ``scale`` (the metric's unit per the spec's unit)."""
    thresholds = (alarms_spec or {}).get(key)
    if not thresholds:
        return []
    below = names.ALARMS[key]["direction"] == "below"
    lines = []
    for level, colour in (("warning", WARNING_COLOUR), ("critical", CRITICAL_COLOUR)):
        line = {"label": "%s %s" % (key, level), "value": thresholds[level] * scale, "color": colour}
        if below:
            line["fill"] = "below"
        lines.append(line)
    return lines


def _metric_widget(title, region, metrics, stat="Sum", lines=None, y_label=None):
    properties = {"title": title, "region": region, "view": "timeSeries", "stacked": False, "stat": stat,
                  "period": PERIOD_SECONDS, "metrics": metrics}
    if lines:
        properties["annotations"] = {"horizontal": lines}
    if y_label:
        properties["yAxis"] = {"left": {"label": y_label, "showUnits": False}}
    return {"type": "metric", "properties": properties}


def _load_balancer_widgets(region, alarms_spec, load_balancer):
    lb = ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", load_balancer["arn_suffix"]]
    widgets = [_metric_widget("ALB requests", region, [lb])]
    latency = [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", load_balancer["arn_suffix"],
                {"stat": stat, "label": stat}] for stat in ("p99", "p95", "p50")]
    # TargetResponseTime is in seconds, the spec's thresholds in milliseconds
    widgets.append(_metric_widget("ALB target response time (s)", region, latency, stat="p99",
                                  lines=annotations(alarms_spec, "api_p99_latency_ms", 0.001)))
    rate = [
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", load_balancer["arn_suffix"],
         {"id": "errors", "visible": False}],
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", load_balancer["arn_suffix"],
         {"id": "requests", "visible": False}],
        [{"expression": "100 * errors / requests", "id": "rate", "label": "5xx rate (%)"}],
    ]
    widgets.append(_metric_widget("ALB target 5xx rate (%)", region, rate,
                                  lines=annotations(alarms_spec, "api_5xx_rate_percent"), y_label="%"))
    unhealthy = [["AWS/ApplicationELB", "UnHealthyHostCount", "TargetGroup", group["arn_suffix"], "LoadBalancer",
                  load_balancer["arn_suffix"], {"label": colour}]
                 for colour, group in sorted((load_balancer.get("target_groups") or {}).items())]
    if unhealthy:
        widgets.append(_metric_widget("Unhealthy targets", region, unhealthy, stat="Maximum",
                                      lines=annotations(alarms_spec, "api_unhealthy_hosts")))
    return widgets


def _database_widgets(region, alarms_spec, database):
    dimension = ["DBInstanceIdentifier", database["identifier"]]
    free_scale = database["allocated_storage_gb"] * GIB / 100.0  # percent of the allocated storage, in bytes
    return [
        _metric_widget("RDS CPU (%)", region, [["AWS/RDS", "CPUUtilization"] + dimension], stat="Average",
                       lines=annotations(alarms_spec, "rds_cpu_percent")),
        _metric_widget("RDS connections", region, [["AWS/RDS", "DatabaseConnections"] + dimension],
                       stat="Maximum", lines=annotations(alarms_spec, "rds_connections")),
        _metric_widget("RDS free storage (bytes)", region, [["AWS/RDS", "FreeStorageSpace"] + dimension],
                       stat="Minimum", lines=annotations(alarms_spec, "rds_free_storage_percent", free_scale)),
    ]


def _table_widgets(region, alarms_spec, tables):
    throttles = [["AWS/DynamoDB", metric, "TableName", table, {"label": "%s %s" % (table, metric)}]
                 for table in tables for metric in ("ReadThrottleEvents", "WriteThrottleEvents")]
    latency = [["AWS/DynamoDB", "SuccessfulRequestLatency", "TableName", table, "Operation", operation,
                {"label": "%s %s" % (table, operation)}]
               for table in tables for operation in DYNAMODB_LATENCY_OPERATIONS]
    return [
        _metric_widget("DynamoDB throttled requests", region, throttles,
                       lines=annotations(alarms_spec, "dynamodb_throttled_requests")),
        _metric_widget("DynamoDB latency (ms)", region, latency, stat="Average"),
    ]


def _cache_widgets(region, alarms_spec, cache):
    clusters = cache.get("cluster_ids") or []
    cpu = [["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", cluster] for cluster in clusters]
    evictions = [["AWS/ElastiCache", "Evictions", "CacheClusterId", cluster] for cluster in clusters]
    return [
        _metric_widget("Redis engine CPU (%)", region, cpu, stat="Average",
                       lines=annotations(alarms_spec, "cache_cpu_percent")),
        _metric_widget("Redis evictions", region, evictions, lines=annotations(alarms_spec, "cache_evictions")),
    ]


def _nat_widgets(region, alarms_spec, nat_gateways):
    errors = [["AWS/NATGateway", "ErrorPortAllocation", "NatGatewayId", nat] for nat in nat_gateways]
    return [_metric_widget("NAT port allocation errors", region, errors,
                           lines=annotations(alarms_spec, "nat_port_allocation_errors"))]


def escalation_text(env_name):
    """Markdown: the severity topics of the environment and how fast each is acknowledged and escalated."""
    rows = ["## Who is told", "", "| severity | topic | acknowledge | escalate |", "| --- | --- | --- | --- |"]
    for severity in sorted(names.SEVERITIES):
        policy = names.SEVERITIES[severity]
        rows.append("| %s %s | %s | %s | %s |" % (
            severity, policy["label"], names.topic_name(env_name, severity),
            "%d min" % policy["ack_minutes"] if policy["ack_minutes"] else "next working day",
            "%d min" % policy["escalate_minutes"] if policy["escalate_minutes"] else "no"))
    rows.append("")
    rows.append("P1 pages the on-call engineer; unacknowledged, it escalates to the secondary, then the lead.")
    return "\n".join(rows)


def _laid_out(widgets):
    """Widgets placed on CloudWatch's 24-column grid: text widgets full width, the others two per row."""
    placed, x, y = [], 0, 0
    for widget in widgets:
        width = GRID_COLUMNS if widget["type"] == "text" else WIDGET_WIDTH
        if x + width > GRID_COLUMNS:
            x, y = 0, y + WIDGET_HEIGHT
        placed.append(dict(widget, x=x, y=y, width=width, height=WIDGET_HEIGHT))
        x += width
        if x >= GRID_COLUMNS:
            x, y = 0, y + WIDGET_HEIGHT
    return placed


def _alarm_widget(title, arns):
    return {"type": "alarm", "properties": {"title": title, "alarms": list(arns), "sortBy": "stateUpdatedTimestamp"}}


def environment_alarm_arns(env_name, metric_alarm_arns):
    """The environment's metric alarms (ARNs, as DescribeAlarms answers them) and, when it has any, its composite
    "service down" alarm, whose ARN is the metric alarms' region and account with its name."""
    arns = sorted(set(metric_alarm_arns or []))
    if not arns:
        return []
    region, account_id = arns[0].split(":")[3:5]
    return sorted(set(arns + [alarm_arn(region, account_id, names.service_down_alarm_name(env_name))]))


def system_health(env_name, region, alarms_spec, resources, metric_alarm_arns):
    """The body of ``dashboard_name(env_name)``: ``alarms_spec`` is the spec's monitoring.alarms, ``resources``
    observability_resources, ``metric_alarm_arns`` the ARNs of the environment's metric alarms (none: no alarm
    widget)."""
    resources = resources or {}
    widgets = [{"type": "text", "properties": {"markdown": escalation_text(env_name)}}]
    alarm_arns = environment_alarm_arns(env_name, metric_alarm_arns)
    if alarm_arns:
        widgets.append(_alarm_widget("Alarms of %s" % env_name, alarm_arns))
    if resources.get("load_balancer"):
        widgets.extend(_load_balancer_widgets(region, alarms_spec, resources["load_balancer"]))
    widgets.append(_metric_widget("Application errors", region,
                                  [[names.metric_namespace(env_name), metric] for metric in names.APP_METRIC_FILTERS]))
    if resources.get("database"):
        widgets.extend(_database_widgets(region, alarms_spec, resources["database"]))
    if resources.get("tables"):
        widgets.extend(_table_widgets(region, alarms_spec, resources["tables"]))
    if resources.get("cache") and resources["cache"].get("cluster_ids"):
        widgets.extend(_cache_widgets(region, alarms_spec, resources["cache"]))
    if resources.get("nat_gateways"):
        widgets.extend(_nat_widgets(region, alarms_spec, resources["nat_gateways"]))
    return {"widgets": _laid_out(widgets)}


def estate_overview(environments):
    """The body of ``ESTATE_DASHBOARD_NAME``: ``environments`` is a list of {name, type, region, account_id,
    rto_minutes, rpo_minutes}, one per environment of the inventory."""
    ordered = sorted(environments, key=lambda env: env["name"])  # the widget lists the alarms in this order
    arns = [alarm_arn(env["region"], env["account_id"], names.service_down_alarm_name(env["name"]))
            for env in ordered]
    rows = ["## Environments", "", "| environment | type | region | account | RTO | RPO |",
            "| --- | --- | --- | --- | --- | --- |"]
    rows.extend("| %s | %s | %s | %s | %d min | %d min |" % (env["name"], env["type"], env["region"],
                                                             env["account_id"], env["rto_minutes"],
                                                             env["rpo_minutes"]) for env in ordered)
    widgets = [_alarm_widget("Service down, per environment", arns),
               {"type": "text", "properties": {"markdown": "\n".join(rows)}}]
    return {"widgets": _laid_out(widgets)}


def estate_environments(estate):
    """Every environment of the inventory as ``estate_overview`` takes it, from the ``envops.aws.estate`` filter's
    mapping (name -> spec and overrides): each spec merged with its overrides and normalised like role ``spec``
    does, whichever hosts ``--limit`` selected. Raises ValueError naming an environment whose spec is not valid."""
    environments = []
    for name in sorted(estate or {}):
        entry = estate[name] or {}
        spec = entry.get("spec")
        merged = deep_merge(spec, entry.get("overrides") or {}) if isinstance(spec, dict) else spec
        normalised, problems = check_schema(name, merged)
        if problems:
            raise ValueError("environment %s: its spec is not valid (%s)" % (
                name, "; ".join(str(problem) for problem in problems)))
        environments.append({"name": normalised["name"], "type": normalised["type"], "region": normalised["region"],
                             "account_id": str(normalised["account"]["id"]),
                             "rto_minutes": normalised["recovery"]["rto_minutes"],
                             "rpo_minutes": normalised["recovery"]["rpo_minutes"]})
    return environments
