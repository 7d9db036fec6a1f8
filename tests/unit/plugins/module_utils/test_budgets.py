# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The budget module's logic: refusals, the comparable shape, the notification plan, and the calls (Stubber)."""

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import budgets

TOPIC = "arn:aws:sns:eu-central-1:111111111111:envops-dev-p3-warning"
SNS = {"SubscriptionType": "SNS", "Address": TOPIC}


def params(**changes):
    base = {"name": "envops-dev-monthly", "limit_amount": 500.0, "limit_unit": "USD", "time_unit": "MONTHLY",
            "cost_filter_tags": {"env": ["dev"]}, "actual_thresholds": [50.0, 80.0, 100.0],
            "forecasted_thresholds": [100.0], "sns_topic_arns": [TOPIC], "email_addresses": [], "state": "present"}
    base.update(changes)
    return base


@pytest.mark.parametrize("changes,problem", [
    ({}, None),
    ({"name": "a:b"}, "name 'a:b'"),
    ({"name": "x" * 101}, "name 'xxx"),
    ({"limit_amount": 0.0}, "limit_amount must be more than 0"),
    ({"actual_thresholds": [0.0]}, "actual_thresholds: 0.0 is not a percentage"),
    ({"forecasted_thresholds": [2000000.0]}, "forecasted_thresholds: 2000000.0"),
    ({"cost_filter_tags": {"aws:createdBy": ["x"]}}, "'aws:createdBy' is not a user tag key"),
    ({"cost_filter_tags": {"env": ["dev$x\n"]}}, "cost_filter_tags.env"),
    ({"sns_topic_arns": ["arn:aws:sqs:eu-central-1:111111111111:q"]}, "is not an SNS topic ARN"),
    ({"email_addresses": ["not an address"]}, "is not an email address"),
    ({"sns_topic_arns": []}, "at least one subscriber"),
    ({"state": "absent", "limit_amount": None, "sns_topic_arns": []}, None),
])
def test_refusals_name_the_option(changes, problem):
    found = budgets.problems(params(**changes))
    assert (found == []) if problem is None else (len(found) == 1 and problem in found[0]), found


def test_budget_read_back_compares_equal_whatever_aws_spells_the_amount():
    wanted = budgets.desired_budget(params())
    read = {"BudgetName": "envops-dev-monthly", "BudgetLimit": {"Amount": "500.0", "Unit": "USD"},
            "TimeUnit": "MONTHLY", "BudgetType": "COST", "CostFilters": {"TagKeyValue": ["user:env$dev"]},
            "CostTypes": {"IncludeTax": True}}
    assert budgets.current_budget(read) == wanted
    assert budgets.current_budget(dict(read, CostFilters={"TagKeyValue": []})) == dict(wanted, cost_filters={})
    assert budgets.current_budget(None) == {}
    assert budgets.budget_request(wanted, {"IncludeTax": True}) == {
        "BudgetName": "envops-dev-monthly", "BudgetType": "COST", "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": "500", "Unit": "USD"}, "CostFilters": {"TagKeyValue": ["user:env$dev"]},
        "CostTypes": {"IncludeTax": True}}


def key(kind, threshold):
    return (kind, "GREATER_THAN", float(threshold), "PERCENTAGE")


def test_desired_notifications_one_per_threshold_with_every_subscriber():
    wanted = budgets.desired_notifications(params(email_addresses=["finops@example.com"]))
    assert sorted(wanted) == [key("ACTUAL", 50), key("ACTUAL", 80), key("ACTUAL", 100), key("FORECASTED", 100)]
    assert wanted[key("ACTUAL", 50)] == [SNS, {"SubscriptionType": "EMAIL", "Address": "finops@example.com"}]


def test_plan_keeps_what_matches_replaces_a_changed_threshold_and_edits_subscribers():
    mail = {"SubscriptionType": "EMAIL", "Address": "old@example.com"}
    current = {key("ACTUAL", 50): [SNS], key("ACTUAL", 90): [SNS], key("FORECASTED", 100): [SNS, mail]}
    wanted = budgets.desired_notifications(params())
    plan = budgets.plan_notifications(current, wanted)
    assert plan == {"delete": [key("ACTUAL", 90)],
                    "create": [(key("ACTUAL", 80), [SNS]), (key("ACTUAL", 100), [SNS])],
                    "add_subscribers": [], "remove_subscribers": [(key("FORECASTED", 100), mail)]}
    assert budgets.plan_is_empty(budgets.plan_notifications(wanted, wanted))


def test_calls_read_the_subscribers_of_each_notification_and_apply_a_plan():
    client = boto3.client("budgets", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="not-a-secret")
    stubber = Stubber(client)
    where = {"AccountId": "111111111111", "BudgetName": "envops-dev-monthly"}
    actual_50 = budgets.notification_of(key("ACTUAL", 50))
    stubber.add_client_error("describe_budget", "NotFoundException", expected_params=where)
    stubber.add_response("describe_notifications_for_budget", {"Notifications": [
        dict(actual_50, NotificationState="OK")]}, where)
    stubber.add_response("describe_subscribers_for_notification", {"Subscribers": [SNS]},
                         dict(where, Notification=actual_50))
    stubber.add_client_error("delete_notification", "NotFoundException",  # already gone on a replay: done
                             expected_params=dict(where, Notification=actual_50))
    stubber.add_response("create_notification", {}, dict(
        where, Notification=budgets.notification_of(key("ACTUAL", 80)), Subscribers=[SNS]))
    stubber.add_response("create_subscriber", {}, dict(where, Notification=actual_50, Subscriber=SNS))
    stubber.activate()
    assert budgets.describe_budget(client, "111111111111", "envops-dev-monthly") is None
    assert budgets.describe_notifications(client, "111111111111", "envops-dev-monthly") == {key("ACTUAL", 50): [SNS]}
    budgets.apply_notification_plan(client, "111111111111", "envops-dev-monthly", {
        "delete": [key("ACTUAL", 50)], "create": [(key("ACTUAL", 80), [SNS])],
        "add_subscribers": [(key("ACTUAL", 50), SNS)], "remove_subscribers": []})
    stubber.assert_no_pending_responses()
