# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which alarm the alarm test drives, and which severity topic must receive it (playbooks/alarm_test.yml).

The operator names an alarm by its full name or by its spec key (the key's critical alarm of its first resource,
else its warning one); it must be one of the environment's alarms as CloudWatch lists them, and its ALARM action
must be one of the environment's severity topics. Refused before any change, naming the input and the rule.
"""

import re

from ansible_collections.envops.aws.plugins.module_utils import observability_plan as plan

ALARM_INPUT = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,254}$")
ENV_INPUT = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


def input_problems(env_name, requested, environments):
    """Refusals of the operator's input before anything is read or changed."""
    found = []
    if not isinstance(env_name, str) or not ENV_INPUT.match(env_name):
        found.append("alarm_test_env %r must be an environment name (lower-case letters, digits, -)." % (env_name,))
    elif env_name not in environments:
        found.append("alarm_test_env %r is not an environment of the inventory (%s)."
                     % (env_name, ", ".join(sorted(environments))))
    if not isinstance(requested, str) or not ALARM_INPUT.match(requested):
        found.append("alarm_test_alarm %r must be a spec alarm key or an alarm name (lower-case letters, digits, "
                     "'_', '.', '-')." % (requested,))
    return found


def target(env_name, requested, metric_alarms, composite_alarms, topic_arns):
    """{name, severity, topic_arn} of the alarm to test; ValueError naming the rule when there is none.

    ``topic_arns``: the ARNs of the region's topics; the environment's severity topics are found among them by name.
    """
    problems = input_problems(env_name, requested, [env_name])
    if problems:
        raise ValueError(" ".join(problems))
    names = {plan.topic_name(env_name, severity): severity for severity in plan.SEVERITIES}
    topic_arns = {names[arn.split(":")[-1]]: arn for arn in topic_arns if arn.split(":")[-1] in names}
    alarms = {alarm["AlarmName"]: alarm for alarm in list(metric_alarms) + list(composite_alarms)}
    name = requested
    if requested in plan.ALARMS:
        stem = plan.alarm_name(env_name, requested, "").rstrip("-")
        for level in ("critical", "warning"):
            candidates = sorted(n for n in alarms if n.startswith(stem + "-") and n.endswith("-" + level))
            if candidates:
                name = candidates[0]
                break
        else:
            raise ValueError("alarm_test_alarm %r: environment %s has no alarm of this key (the spec gives no "
                             "threshold for it, or the environment has no such resource)." % (requested, env_name))
    if name not in alarms or not name.startswith(plan.alarm_prefix(env_name)):
        raise ValueError("alarm_test_alarm %r is neither an alarm key (%s) nor one of the %d alarms of %s."
                         % (requested, ", ".join(sorted(plan.ALARMS)), len(alarms), env_name))
    by_topic = {arn: severity for severity, arn in topic_arns.items()}
    severities = sorted(by_topic[arn] for arn in alarms[name].get("AlarmActions") or [] if arn in by_topic)
    if not severities:
        raise ValueError("alarm %s notifies none of the severity topics of %s: provision the environment first."
                         % (name, env_name))
    severity = severities[0]
    return {"name": name, "severity": severity, "topic_arn": topic_arns[severity]}
