#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: budget
version_added: 0.1.0
short_description: Keep a cost budget of an account with its alert thresholds and subscribers
description:
  - Keeps one AWS Budgets cost budget of the account of the module's credentials (STS GetCallerIdentity), its
    limit, period, tag filter, and one notification per threshold of actual and of forecasted spend, each sent to
    the same SNS topics and email addresses.
  - A notification is identified by its type and threshold. A changed threshold deletes one notification and
    creates another; subscribers of a notification that stays are added or removed one by one.
  - The cost types of an existing budget (taxes, credits...) are kept as they are.
author:
  - envops maintainers (@envops)
options:
  name:
    description: Name of the budget (1 to 100 characters, no V(:) and no backslash).
    type: str
    required: true
  limit_amount:
    description: The budget's limit per O(time_unit), more than 0. Required with O(state=present).
    type: float
  limit_unit:
    description: Currency of O(limit_amount).
    type: str
    default: USD
  time_unit:
    description: Period the limit applies to.
    type: str
    default: MONTHLY
    choices: [DAILY, MONTHLY, QUARTERLY, ANNUALLY]
  cost_filter_tags:
    description: Only the cost of resources with one of these tag values counts (tag key to list of values).
    type: dict
  actual_thresholds:
    description: Percentages of the limit at which actual spend notifies.
    type: list
    elements: float
    default: []
  forecasted_thresholds:
    description: Percentages of the limit at which forecasted spend notifies.
    type: list
    elements: float
    default: []
  sns_topic_arns:
    description: SNS topics every notification goes to. The topic's policy must let budgets.amazonaws.com publish.
    type: list
    elements: str
    default: []
  email_addresses:
    description: Email addresses every notification goes to.
    type: list
    elements: str
    default: []
  state:
    description: Whether the budget should exist.
    type: str
    default: present
    choices: [present, absent]
attributes:
  check_mode:
    description: Reads the budget, its notifications and subscribers, and reports the change without creating,
      updating or deleting anything.
    support: full
  diff_mode:
    description: Returns the budget and its notifications before and after.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: 500 USD a month for the resources tagged env=dev, alerts at 50, 80, 100 % and when 100 % is forecast
  envops.aws.budget:
    name: envops-dev-monthly
    limit_amount: 500
    cost_filter_tags:
      env: [dev]
    actual_thresholds: [50, 80, 100]
    forecasted_thresholds: [100]
    sns_topic_arns:
      - arn:aws:sns:eu-central-1:111111111111:envops-dev-p3-warning
"""

RETURN = r"""
account_id:
  description: The account of the budget.
  returned: always
  type: str
  sample: "111111111111"
budget:
  description: The budget after the run (in check mode, as it would be); empty when absent.
  returned: always
  type: dict
  contains:
    name:
      description: Name of the budget.
      type: str
      returned: when the budget exists
      sample: envops-dev-monthly
    limit_amount:
      description: The limit.
      type: str
      returned: when the budget exists
      sample: "500"
    limit_unit:
      description: Currency of the limit.
      type: str
      returned: when the budget exists
      sample: USD
    time_unit:
      description: Period of the limit.
      type: str
      returned: when the budget exists
      sample: MONTHLY
    cost_filters:
      description: The budget's cost filters.
      type: dict
      returned: when the budget exists
      sample: {"TagKeyValue": ["user:env$dev"]}
    notifications:
      description: Notifications with their subscribers.
      type: list
      elements: dict
      returned: when the budget exists
      sample: [{"notification_type": "ACTUAL", "comparison_operator": "GREATER_THAN", "threshold": 80.0,
                "threshold_type": "PERCENTAGE",
                "subscribers": [{"subscription_type": "SNS", "address": "arn:aws:sns:eu-central-1:111111111111:t"}]}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import budgets
from ansible_collections.envops.aws.plugins.module_utils.caller_account import caller_account_id


def shown(budget, notifications):
    return dict(budget, notifications=budgets.readable(notifications)) if budget else {}


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            limit_amount=dict(type="float"),
            limit_unit=dict(type="str", default="USD"),
            time_unit=dict(type="str", default="MONTHLY", choices=["DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY"]),
            cost_filter_tags=dict(type="dict"),
            actual_thresholds=dict(type="list", elements="float", default=[]),
            forecasted_thresholds=dict(type="list", elements="float", default=[]),
            sns_topic_arns=dict(type="list", elements="str", default=[]),
            email_addresses=dict(type="list", elements="str", default=[]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        required_if=[("state", "present", ["limit_amount"])],
        supports_check_mode=True,
    )
    params = module.params
    problems = budgets.problems(params)
    if problems:
        module.fail_json(msg="budget %s: %s" % (params["name"], " ".join(problems)))
    present = params["state"] == "present"
    try:
        account_id = caller_account_id(module.client("sts"))
        client = module.client("budgets")
        found = budgets.describe_budget(client, account_id, params["name"])
        before = budgets.current_budget(found)
        current_notifications = budgets.describe_notifications(client, account_id, params["name"]) if found else {}
        wanted = budgets.desired_budget(params) if present else {}
        wanted_notifications = budgets.desired_notifications(params) if present else {}
        plan = budgets.plan_notifications(current_notifications, wanted_notifications)
        changed = before != wanted or (bool(wanted) and not budgets.plan_is_empty(plan))
        if changed and not module.check_mode:
            if not wanted:
                budgets.delete_budget(client, account_id, params["name"])
            elif not found:
                budgets.create_budget(client, account_id, budgets.budget_request(wanted), wanted_notifications)
            else:
                if before != wanted:
                    budgets.update_budget(client, account_id, budgets.budget_request(wanted, found.get("CostTypes")))
                budgets.apply_notification_plan(client, account_id, params["name"], plan)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    result = dict(changed=changed, account_id=account_id, budget=shown(wanted, wanted_notifications))
    if module._diff:
        result["diff"] = dict(before=shown(before, current_notifications), after=result["budget"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
