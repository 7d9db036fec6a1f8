# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EventBridge rules that route the account's GuardDuty and Security Hub findings to the severity topics.

GuardDuty scores a finding from 1.0 to 10.0 (high 7.0-8.9, critical 9.0-10.0, medium 4.0-6.9, low below): high and
critical page (P1), medium goes to P2, low stays in the console. Security Hub labels a finding (its ASFF
``Severity.Label``): CRITICAL pages (P1), HIGH goes to P2. Only new, active Security Hub findings are routed: an
imported finding is sent again on every update (a note, a workflow change), which must not page again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.envops.aws.plugins.module_utils import observability_plan as names

FINDING_SOURCES = ("guardduty", "securityhub")
ROUTED_SEVERITIES = ("P1", "P2")

# EventBridge numeric matching of GuardDuty's detail.severity: P1 at 7 and above, P2 from 4 up to (not incl.) 7.
GUARDDUTY_SEVERITY_RANGES = {"P1": [">=", 7], "P2": [">=", 4, "<", 7]}
SECURITYHUB_SEVERITY_LABELS = {"P1": ["CRITICAL"], "P2": ["HIGH"]}


def event_pattern(source, severity):
    """The event pattern (a dict) of the findings of ``source`` (guardduty, securityhub) routed to ``severity``."""
    if source not in FINDING_SOURCES:
        raise ValueError("findings source must be one of %s, not %r" % (", ".join(FINDING_SOURCES), source))
    if severity not in ROUTED_SEVERITIES:
        raise ValueError("findings go to %s, not %r" % (" or ".join(ROUTED_SEVERITIES), severity))
    if source == "guardduty":
        return {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
                "detail": {"severity": [{"numeric": list(GUARDDUTY_SEVERITY_RANGES[severity])}]}}
    return {"source": ["aws.securityhub"], "detail-type": ["Security Hub Findings - Imported"],
            "detail": {"findings": {"Severity": {"Label": list(SECURITYHUB_SEVERITY_LABELS[severity])},
                                    "Workflow": {"Status": ["NEW"]},
                                    "RecordState": ["ACTIVE"]}}}


def findings_rule_names(env_name):
    """The names of the environment's findings rules (one per source and routed severity)."""
    return [names.findings_rule_name(env_name, source, severity)
            for source in FINDING_SOURCES for severity in ROUTED_SEVERITIES]


def findings_rules(env_name, topic_arns):
    """Every findings rule of the environment: name, description, event pattern (JSON, keys sorted) and the ARN
    of the severity topic it targets. ``topic_arns`` maps P1/P2/P3 to topic ARNs (observability_topic_arns)."""
    missing = [severity for severity in ROUTED_SEVERITIES if not (topic_arns or {}).get(severity)]
    if missing:
        raise ValueError("observability_topic_arns has no topic for %s" % ", ".join(missing))
    rules = []
    for source in FINDING_SOURCES:
        for severity in ROUTED_SEVERITIES:
            rules.append({
                "name": names.findings_rule_name(env_name, source, severity),
                "description": "%s findings of %s to the %s (%s) topic" % (
                    "GuardDuty" if source == "guardduty" else "Security Hub", env_name, severity,
                    names.SEVERITIES[severity]["label"]),
                "event_pattern": json.dumps(event_pattern(source, severity), sort_keys=True),
                "topic_arn": topic_arns[severity],
                "source": source,
                "severity": severity,
            })
    return rules
