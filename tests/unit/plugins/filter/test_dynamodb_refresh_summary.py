# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.envops.aws.plugins.filter.dynamodb_refresh_summary import dynamodb_refresh_summary


def test_a_switched_table_keeps_figures_and_outcome_only():
    summary = dynamodb_refresh_summary({
        "item": "user-activity", "live_table": "staging-user-activity.r1", "new_table": "staging-user-activity.r1",
        "recovered": ["staging-user-activity.r0"], "changed": True,
        "copy": {"items": 150, "seconds": 1.5, "items_per_second": 100.0, "thread_seconds": {"scan": 1}},
        "verification": {"ok": True, "problems": [], "source_items": 150},
        "switch": {"old_table": "staging-user-activity", "old_table_deleted": True},
        "invocation": {"module_args": {"key": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"}}})
    assert summary == {
        "table": "user-activity", "live_table": "staging-user-activity.r1", "new_table": "staging-user-activity.r1",
        "recovered": ["staging-user-activity.r0"], "items": 150, "seconds": 1.5, "items_per_second": 100.0,
        "verified": True, "problems": [], "exceptions": [], "unclassified": [], "old_table": "staging-user-activity",
        "old_table_deleted": True, "failed": False, "skipped": False}


def test_a_failed_table_reports_its_unclassified_paths_and_is_not_verified():
    summary = dynamodb_refresh_summary({"item": "product-feeds", "failed": True, "unclassified": ["passport_no"],
                                        "copy": {"items": 3, "unclassified": ["passport_no"]}})
    assert summary["failed"] and not summary["verified"] and summary["unclassified"] == ["passport_no"]
    assert summary["old_table_deleted"] is False


def test_verification_must_be_exactly_true():
    assert dynamodb_refresh_summary({"verification": {"ok": "yes"}})["verified"] is False
    assert dynamodb_refresh_summary(None)["items"] == 0


def test_the_reviewed_exceptions_stay_in_the_evidence():
    exception = {"field": "campaign-events.segments", "reason": "segment names", "approver": "dpo@example.com",
                 "expires": None, "in_force": True, "findings": ["1 value(s) hold a phone number"]}
    summary = dynamodb_refresh_summary({"verification": {"ok": True, "problems": [], "exceptions": [exception]}})
    assert summary["exceptions"] == [exception]
