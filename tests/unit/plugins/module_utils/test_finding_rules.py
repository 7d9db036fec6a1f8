# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import json

import pytest

from ansible_collections.envops.aws.plugins.module_utils import finding_rules

TOPICS = {"P1": "arn:aws:sns:me-south-1:111111111111:envops-prod-p1-critical",
          "P2": "arn:aws:sns:me-south-1:111111111111:envops-prod-p2-high",
          "P3": "arn:aws:sns:me-south-1:111111111111:envops-prod-p3-warning"}


def test_guardduty_high_and_critical_page_medium_is_p2_by_numeric_matching():
    assert finding_rules.event_pattern("guardduty", "P1") == {
        "source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 7]}]}}
    assert finding_rules.event_pattern("guardduty", "P2")["detail"] == {"severity": [{"numeric": [">=", 4, "<", 7]}]}


def test_security_hub_critical_pages_high_is_p2_new_active_imported_findings_only():
    pattern = finding_rules.event_pattern("securityhub", "P1")
    assert (pattern["source"], pattern["detail-type"]) == (["aws.securityhub"], ["Security Hub Findings - Imported"])
    assert pattern["detail"]["findings"] == {"Severity": {"Label": ["CRITICAL"]}, "Workflow": {"Status": ["NEW"]},
                                             "RecordState": ["ACTIVE"]}
    assert finding_rules.event_pattern("securityhub", "P2")["detail"]["findings"]["Severity"] == {"Label": ["HIGH"]}


@pytest.mark.parametrize("source,severity,message", [
    ("inspector", "P1", "findings source must be one of guardduty, securityhub"),
    ("guardduty", "P3", "findings go to P1 or P2"),
])
def test_unknown_source_or_severity_is_refused(source, severity, message):
    with pytest.raises(ValueError, match=message):
        finding_rules.event_pattern(source, severity)


def test_four_rules_named_from_the_plan_each_to_its_topic():
    rules = finding_rules.findings_rules("prod", TOPICS)
    assert [(rule["name"], rule["topic_arn"]) for rule in rules] == [
        ("envops-prod-guardduty-p1", TOPICS["P1"]), ("envops-prod-guardduty-p2", TOPICS["P2"]),
        ("envops-prod-securityhub-p1", TOPICS["P1"]), ("envops-prod-securityhub-p2", TOPICS["P2"])]
    assert json.loads(rules[0]["event_pattern"]) == finding_rules.event_pattern("guardduty", "P1")
    # sorted keys: the same text every run, so the rule is not rewritten
    assert rules[0]["event_pattern"] == json.dumps(json.loads(rules[0]["event_pattern"]), sort_keys=True)


def test_a_missing_topic_is_refused_naming_the_severity():
    with pytest.raises(ValueError, match="no topic for P2"):
        finding_rules.findings_rules("prod", {"P1": TOPICS["P1"]})
