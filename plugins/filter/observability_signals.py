# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: observability_signal_names
short_description: Names, findings rules and dashboard bodies of an environment's log groups, findings and dashboards
version_added: 0.1.0
description:
  - C(observability_signal_names) (input an environment name) gives the names role C(observability) creates for
    logs, findings and dashboards (C(app_log_group), C(log_group_prefix), C(metric_namespace), C(dashboard),
    C(estate_dashboard), C(alarm_prefix), C(findings_rules) (the rule names), and C(app_metric_filters), the name
    and pattern of each metric filter of the application log group), from one home (module_utils
    C(observability_plan)).
  - C(observability_findings_rules) (input an environment name, argument the severity topic ARNs) gives the
    EventBridge rules routing GuardDuty and Security Hub findings to the P1 and P2 topics.
  - C(observability_dashboard) (input an environment name; arguments region, the spec's monitoring.alarms, the
    resources found and the alarm ARNs) gives the system health dashboard body.
  - C(observability_estate_dashboard) (input the C(envops.aws.estate) mapping of every environment of the
    inventory) gives the estate overview dashboard body.
options:
  _input:
    description: The environment name (the estate mapping for C(observability_estate_dashboard)).
    type: raw
    required: true
"""

EXAMPLES = r"""
- name: Name the application log group of dev
  ansible.builtin.debug:
    msg: "{{ ('dev' | envops.aws.observability_signal_names).app_log_group }}"
"""

RETURN = r"""
_value:
  description: The names (dict), the rules (list of dicts) or the dashboard body (dict).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils import dashboard_plan
from ansible_collections.envops.aws.plugins.module_utils import finding_rules
from ansible_collections.envops.aws.plugins.module_utils import observability_plan as names


def observability_signal_names(env_name):
    return {
        "app_log_group": names.app_log_group_name(env_name),
        "log_group_prefix": names.log_group_prefix(env_name),
        "metric_namespace": names.metric_namespace(env_name),
        "dashboard": names.dashboard_name(env_name),
        "estate_dashboard": names.ESTATE_DASHBOARD_NAME,
        "alarm_prefix": names.alarm_prefix(env_name),
        "findings_rules": finding_rules.findings_rule_names(env_name),
        "app_metric_filters": [{"name": metric, "pattern": pattern}
                               for metric, pattern in sorted(names.APP_METRIC_FILTERS.items())],
    }


def observability_findings_rules(env_name, topic_arns):
    try:
        return finding_rules.findings_rules(env_name, topic_arns)
    except ValueError as error:
        raise AnsibleFilterError(str(error))


def observability_dashboard(env_name, region, alarms_spec, resources, alarm_arns):
    return dashboard_plan.system_health(env_name, region, alarms_spec, resources, alarm_arns)


def observability_estate_dashboard(estate):
    try:
        return dashboard_plan.estate_overview(dashboard_plan.estate_environments(estate))
    except ValueError as error:
        raise AnsibleFilterError(str(error))


class FilterModule(object):
    def filters(self):
        return {
            "observability_signal_names": observability_signal_names,
            "observability_findings_rules": observability_findings_rules,
            "observability_dashboard": observability_dashboard,
            "observability_estate_dashboard": observability_estate_dashboard,
        }
