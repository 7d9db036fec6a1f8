# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names and catalogue of an environment's edge and observability: one home for both.

Roles ``edge`` and ``observability`` create what is named here, the spec schema takes its alarm keys from
``ALARMS``, and the audit and the procedures (alarm test, promotion) read the same names back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

# Incident severities of the estate (seed 003 escalation policies): the SNS topic each routes to and how fast a
# human must react. P1 pages the on-call engineer (PagerDuty/OpsGenie, SMS), P2 mails/Slacks them, P3 is a warning.
SEVERITIES = {
    "P1": {"label": "critical", "ack_minutes": 5, "escalate_minutes": 15},
    "P2": {"label": "high", "ack_minutes": 15, "escalate_minutes": 30},
    "P3": {"label": "warning", "ack_minutes": None, "escalate_minutes": None},
}

# Which severity each alarm level and event routes to: a threshold's warning is P3, its critical P2, and the
# composite "service down" alarm (any critical alarm of the service) P1.
LEVEL_SEVERITY = {"warning": "P3", "critical": "P2", "service_down": "P1"}
# Budget alerts warn; a DR drill that missed its RTO/RPO is high (the recovery promise is broken).
BUDGET_SEVERITY = "P3"
DRILL_SEVERITY = "P2"

# The spec's alarm keys (monitoring.alarms.<key>: {warning, critical}): what each measures, in which unit, whether
# a higher ("above") or a lower ("below") value is worse, the largest threshold that makes sense, and the resource
# it exists for (an environment without the resource gets no alarm for it).
ALARMS = {
    "api_p99_latency_ms": {"doc": "ALB target response time, p99, in ms.", "direction": "above",
                           "maximum": None, "resource": "load_balancer"},
    "api_5xx_rate_percent": {"doc": "Target 5xx responses per request, in percent (metric math).",
                             "direction": "above", "maximum": 100, "resource": "load_balancer"},
    "api_unhealthy_hosts": {"doc": "Unhealthy targets of a target group (count).", "direction": "above",
                            "maximum": None, "resource": "load_balancer"},
    "rds_cpu_percent": {"doc": "RDS CPU utilisation in percent.", "direction": "above", "maximum": 100,
                        "resource": "database"},
    "rds_free_storage_percent": {"doc": "RDS free storage in percent of the allocated storage (lower is worse).",
                                 "direction": "below", "maximum": 100, "resource": "database"},
    "rds_connections": {"doc": "RDS database connections (count).", "direction": "above", "maximum": None,
                        "resource": "database"},
    "dynamodb_throttled_requests": {"doc": "DynamoDB read + write throttle events of a table per period (count).",
                                    "direction": "above", "maximum": None, "resource": "tables"},
    "cache_cpu_percent": {"doc": "ElastiCache engine CPU utilisation in percent.", "direction": "above",
                          "maximum": 100, "resource": "cache"},
    "cache_evictions": {"doc": "ElastiCache evictions per period (count).", "direction": "above", "maximum": None,
                        "resource": "cache"},
    "nat_port_allocation_errors": {"doc": "NAT gateway port allocation errors per period (count).",
                                   "direction": "above", "maximum": None, "resource": "nat_gateways"},
}

# The WAF's redacted headers and the AWS managed rule groups every web ACL starts from.
DEFAULT_REDACTED_HEADERS = ("authorization", "cookie")
DEFAULT_MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet",
                               "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList")
TARGET_COLOURS = ("blue", "green")

# Elastic Load Balancing names: 1-32 letters, digits and hyphens.
_ELB_NAME_MAX = 32


def _elb_name(*parts):
    name = "-".join(parts)
    if len(name) <= _ELB_NAME_MAX:
        return name
    # a long environment name keeps a readable prefix and a digest of the whole, so two names never collide
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return "%s-%s" % (name[:_ELB_NAME_MAX - 9].rstrip("-"), digest)


def alb_name(env_name):
    """The environment's internet-facing application load balancer."""
    return _elb_name("envops", env_name)


def target_group_name(env_name, colour):
    """Target group ``blue`` or ``green`` of the environment's ALB."""
    if colour not in TARGET_COLOURS:
        raise ValueError("target group colour must be one of %s, not %r" % (", ".join(TARGET_COLOURS), colour))
    return _elb_name("envops", env_name, colour)


def certificate_name(env_name):
    """Name tag of the self-signed certificate imported when the spec names no ACM certificate."""
    return "envops-%s-edge" % env_name


def alb_log_prefix():
    """Key prefix of the ALB access logs in the environment's logs bucket."""
    return "alb"


def web_acl_name(env_name):
    """The environment's WAFv2 web ACL (regional, associated with the ALB)."""
    return "envops-%s" % env_name


def ip_set_name(env_name, kind):
    """WAF IP set ``allow`` or ``deny`` of the environment."""
    return "envops-%s-%s" % (env_name, kind)


def waf_log_group_name(env_name):
    """WAF logging destination; AWS requires the ``aws-waf-logs-`` prefix."""
    return "aws-waf-logs-%s" % env_name


def app_log_group_name(env_name):
    """The application's log group (the metric filters for application errors read it)."""
    return "/envops/%s/app" % env_name


def metric_namespace(env_name):
    """CloudWatch namespace of the metrics the collection's metric filters publish."""
    return "envops/%s" % env_name


def topic_name(env_name, severity):
    """SNS topic of one incident severity (P1, P2, P3) of the environment."""
    if severity not in SEVERITIES:
        raise ValueError("severity must be one of %s, not %r" % (", ".join(sorted(SEVERITIES)), severity))
    return "envops-%s-%s-%s" % (env_name, severity.lower(), SEVERITIES[severity]["label"])


def alarm_name(env_name, key, level, resource=None):
    """Metric alarm of a spec alarm key at one level (warning, critical), per resource when there are several."""
    parts = ["envops", env_name, key.replace("_", "-"), level]
    if resource:
        parts.insert(3, resource)
    return "-".join(parts)


def alarm_prefix(env_name):
    """Every alarm of the environment starts with it (stale ones under it are purged)."""
    return "envops-%s-" % env_name


def service_down_alarm_name(env_name):
    """Composite alarm of the environment: any critical alarm of the service; pages P1."""
    return "envops-%s-service-down" % env_name


def dashboard_name(env_name):
    """System health dashboard of the environment."""
    return "envops-%s-system-health" % env_name


ESTATE_DASHBOARD_NAME = "envops-estate-overview"


def findings_rule_name(env_name, source, severity):
    """EventBridge rule routing GuardDuty / Security Hub findings of one severity to its topic."""
    return "envops-%s-%s-%s" % (env_name, source, severity.lower())


def log_group_prefix(env_name):
    """Every log group the collection creates for the environment, but the WAF's, starts with it (the trailing
    slash keeps ``prod`` apart from ``prod-eu``)."""
    return "/envops/%s/" % env_name


# Metric filters of the application log group (JSON lines with a "level"): metric name -> filter pattern. Each
# publishes 1 per matching line to metric_namespace(env), 0 when none matched. HTTP 5xx are not counted here:
# the ALB's HTTPCode_Target_5XX_Count already measures them.
APP_METRIC_FILTERS = {
    "ApplicationErrors": '{ ($.level = "ERROR") || ($.level = "error") }',
}
