# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A cost budget with its notifications and their subscribers: the comparable shape, the plan of changes, the calls.

A notification is identified by its type, comparison operator, threshold and threshold type (that is how AWS
finds it), so a changed threshold is one notification deleted and another created. Subscribers of a notification
that stays are added and removed one by one, so the notification keeps its state.
"""

import re
from decimal import Decimal
from decimal import InvalidOperation
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

NAME = re.compile(r"^[^:\\]{1,100}$")
TAG_KEY = re.compile(r"^[\w.:/=+@ -]{1,128}$")
TAG_VALUE = re.compile(r"^[\w.:/=+@ -]{0,256}$")
SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_THRESHOLD = 1000000  # percent; AWS takes 0-1000000 for a PERCENTAGE threshold
COMPARISON = "GREATER_THAN"
THRESHOLD_TYPE = "PERCENTAGE"

NotificationKey = Tuple[str, str, float, str]


def problems(params: Dict[str, Any]) -> List[str]:
    """What is wrong with the module's options (before any AWS call)."""
    found = []
    if not NAME.match(params["name"]):
        found.append("name %r: 1 to 100 characters, no ':' and no backslash." % params["name"])
    if params["state"] == "absent":
        return found
    try:
        limit = Decimal(str(params["limit_amount"]))
        if not limit > 0:
            found.append("limit_amount must be more than 0, got %s." % params["limit_amount"])
    except (InvalidOperation, TypeError):
        found.append("limit_amount %r is not a number." % (params["limit_amount"],))
    for option in ("actual_thresholds", "forecasted_thresholds"):
        for threshold in params[option] or []:
            if not 0 < threshold <= MAX_THRESHOLD:
                found.append("%s: %s is not a percentage from 0 (excluded) to %d." % (option, threshold, MAX_THRESHOLD))
    for key, values in (params["cost_filter_tags"] or {}).items():
        if not TAG_KEY.match(key) or key.startswith("aws:"):
            found.append("cost_filter_tags: %r is not a user tag key." % key)
        for value in values:
            if not TAG_VALUE.match(str(value)):
                found.append("cost_filter_tags.%s: %r is not a tag value." % (key, value))
    for topic in params["sns_topic_arns"] or []:
        if not SNS_TOPIC_ARN.match(topic):
            found.append("sns_topic_arns: %r is not an SNS topic ARN." % topic)
    for address in params["email_addresses"] or []:
        if not EMAIL.match(address):
            found.append("email_addresses: %r is not an email address." % address)
    if (params["actual_thresholds"] or params["forecasted_thresholds"]) and not (
            params["sns_topic_arns"] or params["email_addresses"]):
        found.append("notifications need at least one subscriber (sns_topic_arns or email_addresses).")
    return found


def amount(value: Any) -> str:
    """A limit as AWS keeps it, comparable whatever its spelling (500, "500", "500.0")."""
    return format(Decimal(str(value)).normalize(), "f")


def cost_filters(tags: Optional[Dict[str, List[str]]]) -> Dict[str, List[str]]:
    """CostFilters selecting the cost of resources tagged key=value (user-defined tags: the user: prefix)."""
    entries = sorted("user:%s$%s" % (key, value) for key, values in (tags or {}).items() for value in values)
    return {"TagKeyValue": entries} if entries else {}


def desired_budget(params: Dict[str, Any]) -> Dict[str, Any]:
    return {"name": params["name"], "limit_amount": amount(params["limit_amount"]), "limit_unit": params["limit_unit"],
            "time_unit": params["time_unit"], "cost_filters": cost_filters(params["cost_filter_tags"])}


def current_budget(budget: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A DescribeBudget Budget in the comparable shape ({} when there is none)."""
    if budget is None:
        return {}
    filters = {key: sorted(values) for key, values in (budget.get("CostFilters") or {}).items() if values}
    return {"name": budget["BudgetName"], "limit_amount": amount(budget["BudgetLimit"]["Amount"]),
            "limit_unit": budget["BudgetLimit"]["Unit"], "time_unit": budget["TimeUnit"], "cost_filters": filters}


def budget_request(wanted: Dict[str, Any], cost_types: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The Budget of CreateBudget / NewBudget of UpdateBudget; an update keeps the budget's cost types."""
    request = {"BudgetName": wanted["name"], "BudgetType": "COST", "TimeUnit": wanted["time_unit"],
               "BudgetLimit": {"Amount": wanted["limit_amount"], "Unit": wanted["limit_unit"]},
               "CostFilters": wanted["cost_filters"]}
    if cost_types:
        request["CostTypes"] = cost_types
    return request


def notification(notification_type: str, threshold: float) -> Dict[str, Any]:
    return {"NotificationType": notification_type, "ComparisonOperator": COMPARISON, "Threshold": float(threshold),
            "ThresholdType": THRESHOLD_TYPE}


def key_of(item: Dict[str, Any]) -> NotificationKey:
    return (item["NotificationType"], item["ComparisonOperator"], float(item["Threshold"]),
            item.get("ThresholdType", THRESHOLD_TYPE))


def subscribers(params: Dict[str, Any]) -> List[Dict[str, str]]:
    return ([{"SubscriptionType": "SNS", "Address": topic} for topic in sorted(set(params["sns_topic_arns"] or []))]
            + [{"SubscriptionType": "EMAIL", "Address": mail} for mail in sorted(set(params["email_addresses"] or []))])


def desired_notifications(params: Dict[str, Any]) -> Dict[NotificationKey, List[Dict[str, str]]]:
    """Notification key -> subscribers (sorted)."""
    wanted = [notification("ACTUAL", threshold) for threshold in params["actual_thresholds"] or []]
    wanted += [notification("FORECASTED", threshold) for threshold in params["forecasted_thresholds"] or []]
    return {key_of(item): subscribers(params) for item in wanted}


def sort_subscribers(items: List[Dict[str, str]]) -> List[Dict[str, str]]:
    return sorted(({"SubscriptionType": item["SubscriptionType"], "Address": item["Address"]} for item in items),
                  key=lambda item: (item["SubscriptionType"] != "SNS", item["Address"]))


def notification_of(key: NotificationKey) -> Dict[str, Any]:
    return {"NotificationType": key[0], "ComparisonOperator": key[1], "Threshold": key[2], "ThresholdType": key[3]}


def plan_notifications(current: Dict[NotificationKey, List[Dict[str, str]]],
                       wanted: Dict[NotificationKey, List[Dict[str, str]]]) -> Dict[str, list]:
    """The changes from current to wanted notifications: delete, create (with subscribers), and per staying
    notification the subscribers to add and remove."""
    plan = {"delete": [key for key in sorted(current) if key not in wanted],
            "create": [(key, wanted[key]) for key in sorted(wanted) if key not in current],
            "add_subscribers": [], "remove_subscribers": []}
    for key in sorted(set(current) & set(wanted)):
        plan["add_subscribers"] += [(key, item) for item in wanted[key] if item not in current[key]]
        plan["remove_subscribers"] += [(key, item) for item in current[key] if item not in wanted[key]]
    return plan


def plan_is_empty(plan: Dict[str, list]) -> bool:
    return not any(plan.values())


def readable(notifications: Dict[NotificationKey, List[Dict[str, str]]]) -> List[Dict[str, Any]]:
    """Notifications for the result and the diff: type, threshold and subscribers."""
    return [{"notification_type": key[0], "comparison_operator": key[1], "threshold": key[2], "threshold_type": key[3],
             "subscribers": [{"subscription_type": item["SubscriptionType"], "address": item["Address"]}
                             for item in notifications[key]]} for key in sorted(notifications)]


class BudgetErrorHandler(AWSErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


@BudgetErrorHandler.list_error_handler("describe the budget", None)
@aws_retry()
def describe_budget(client, account_id: str, name: str) -> Optional[Dict[str, Any]]:
    return client.describe_budget(AccountId=account_id, BudgetName=name)["Budget"]


@BudgetErrorHandler.common_error_handler("describe the notifications of the budget")
@aws_retry()
def describe_notifications(client, account_id: str, name: str) -> Dict[NotificationKey, List[Dict[str, str]]]:
    """Notification key -> subscribers (sorted) of a budget."""
    result = {}
    paginator = client.get_paginator("describe_notifications_for_budget")
    for page in paginator.paginate(AccountId=account_id, BudgetName=name):
        for item in page.get("Notifications", []):
            found = client.describe_subscribers_for_notification(AccountId=account_id, BudgetName=name,
                                                                 Notification=notification_of(key_of(item)))
            result[key_of(item)] = sort_subscribers(found.get("Subscribers", []))
    return result


@BudgetErrorHandler.common_error_handler("create the budget")
@aws_retry()
def create_budget(client, account_id: str, budget: Dict[str, Any],
                  notifications: Dict[NotificationKey, List[Dict[str, str]]]) -> None:
    client.create_budget(AccountId=account_id, Budget=budget, NotificationsWithSubscribers=[
        {"Notification": notification_of(key), "Subscribers": items} for key, items in sorted(notifications.items())])


@BudgetErrorHandler.common_error_handler("update the budget")
@aws_retry()
def update_budget(client, account_id: str, budget: Dict[str, Any]) -> None:
    client.update_budget(AccountId=account_id, NewBudget=budget)


@BudgetErrorHandler.deletion_error_handler("delete the budget")
@aws_retry()
def delete_budget(client, account_id: str, name: str) -> bool:
    client.delete_budget(AccountId=account_id, BudgetName=name)
    return True


@BudgetErrorHandler.common_error_handler("change the notifications of the budget")
@aws_retry()
def apply_notification_plan(client, account_id: str, name: str, plan: Dict[str, list]) -> None:
    # A retry after a partial run replays the plan: what is already deleted or created is taken as done.
    where = {"AccountId": account_id, "BudgetName": name}
    for key in plan["delete"]:
        _unless(client.delete_notification, "NotFoundException", Notification=notification_of(key), **where)
    for key, items in plan["create"]:
        _unless(client.create_notification, "DuplicateRecordException", Notification=notification_of(key),
                Subscribers=items, **where)
    for key, item in plan["add_subscribers"]:
        _unless(client.create_subscriber, "DuplicateRecordException", Notification=notification_of(key),
                Subscriber=item, **where)
    for key, item in plan["remove_subscribers"]:
        _unless(client.delete_subscriber, "NotFoundException", Notification=notification_of(key), Subscriber=item,
                **where)


def _unless(call, done_code: str, **params: Any) -> None:
    try:
        call(**params)
    except is_boto3_error_code(done_code):
        pass
