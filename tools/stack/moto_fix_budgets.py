"""Corrections of moto's AWS Budgets updates and subscribers (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects

# What identifies a notification of a budget (AWS matches on these, not on NotificationState).
_NOTIFICATION_KEY = ("NotificationType", "ComparisonOperator", "Threshold", "ThresholdType")


@corrects("5.2.5")
def budget_updates_and_subscribers() -> None:
    """UpdateBudget, DescribeSubscribersForNotification, CreateSubscriber and DeleteSubscriber, missing in moto.

    AWS: UpdateBudget replaces the budget of NewBudget.BudgetName (its notifications stay); the subscriber calls read,
    add and remove the SNS / EMAIL subscribers of one notification of a budget, identified by its type, comparison
    operator, threshold and threshold type. A budget or notification that does not exist is NotFoundException; a
    subscriber that is already there is DuplicateRecordException.
    moto 5.2.5: keeps each notification's subscribers, but the four calls answer HTTP 500 (not implemented).
    Breaks: envops.aws.budget, which cannot change a budget's limit or filter, nor read or change who is notified.
    Not modelled: the limits AWS puts on a budget (at most 10 subscribers per notification, 5 notifications).
    """
    import json

    from moto.budgets import responses
    from moto.budgets.exceptions import DuplicateRecordException, NotFoundException
    from moto.core.utils import unix_time

    def _key(notification):
        return tuple(notification.get(field) for field in _NOTIFICATION_KEY)

    def _budget(backend, account_id, budget_name):
        budget = backend.budgets[account_id].get(budget_name)
        if budget is None:
            raise NotFoundException(f"Unable to get budget: {budget_name} - the budget doesn't exist.")
        return budget

    def _notification(backend, account_id, budget_name, notification):
        for candidate in _budget(backend, account_id, budget_name).notifications:
            if _key(candidate.details) == _key(notification):
                return candidate
        raise NotFoundException(f"Unable to find notification for budget: {budget_name}")

    def update_budget(self):
        account_id = self._get_param("AccountId")
        new_budget = self._get_param("NewBudget")
        budget = _budget(self.backend, account_id, new_budget["BudgetName"])
        kept = {key: budget.budget[key] for key in ("TimePeriod",) if key in budget.budget}
        budget.budget = dict(kept, **new_budget)
        budget.budget["LastUpdatedTime"] = unix_time()
        return json.dumps({})

    def describe_subscribers_for_notification(self):
        found = _notification(self.backend, self._get_param("AccountId"), self._get_param("BudgetName"),
                              self._get_param("Notification"))
        return json.dumps({"Subscribers": list(found.subscribers)})

    def create_subscriber(self):
        found = _notification(self.backend, self._get_param("AccountId"), self._get_param("BudgetName"),
                              self._get_param("Notification"))
        subscriber = self._get_param("Subscriber")
        if subscriber in found.subscribers:
            raise DuplicateRecordException(record_type="subscriber", record_name=subscriber["Address"])
        found.subscribers = list(found.subscribers) + [subscriber]
        return json.dumps({})

    def delete_subscriber(self):
        found = _notification(self.backend, self._get_param("AccountId"), self._get_param("BudgetName"),
                              self._get_param("Notification"))
        subscriber = self._get_param("Subscriber")
        if subscriber not in found.subscribers:
            raise NotFoundException(f"Unable to find subscriber {subscriber['Address']}")
        found.subscribers = [kept for kept in found.subscribers if kept != subscriber]
        return json.dumps({})

    responses.BudgetsResponse.update_budget = update_budget
    responses.BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification
    responses.BudgetsResponse.create_subscriber = create_subscriber
    responses.BudgetsResponse.delete_subscriber = delete_subscriber
