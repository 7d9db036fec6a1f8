#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_alarms
version_added: 0.1.0
short_description: Converge the set of CloudWatch alarms under a name prefix
description:
  - Creates and updates the given metric alarms (a metric with a statistic or an extended statistic such as
    C(p99), or metric math) and composite alarms, each described by its PutMetricAlarm / PutCompositeAlarm
    parameters, and with O(purge) deletes the other alarms whose name starts with O(alarm_prefix).
  - An alarm is put only when its normalised parameters differ from what DescribeAlarms answers, so a re-run
    reports no change (metric-math alarms included).
  - Composite alarms are put after and deleted before the alarms their rules name.
author:
  - envops maintainers (@envops)
options:
  alarm_prefix:
    description: Every alarm given must start with it; with O(purge), other alarms under it are deleted.
    type: str
    required: true
  metric_alarms:
    description: PutMetricAlarm parameters (C(AlarmName), C(ComparisonOperator), C(EvaluationPeriods), ...), one per
      alarm; C(Tags) come from O(tags).
    type: list
    elements: dict
    default: []
  composite_alarms:
    description: PutCompositeAlarm parameters (C(AlarmName), C(AlarmRule), C(AlarmActions), ...), one per alarm.
    type: list
    elements: dict
    default: []
  purge:
    description: Delete the alarms under O(alarm_prefix) that are not given.
    type: bool
    default: false
  tags:
    description: Tags of every alarm given; unset leaves the tags as they are.
    type: dict
  purge_tags:
    description: Remove the tags not in O(tags) (when O(tags) is set).
    type: bool
    default: true
attributes:
  check_mode:
    description: Reads the alarms and their tags and reports what would change without writing.
    support: full
  diff_mode:
    description: Returns the normalised alarms under the prefix before and after.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: The p99 latency alarm of prod, and nothing else under its prefix
  envops.aws.cloudwatch_alarms:
    alarm_prefix: envops-prod-
    purge: true
    tags: {env: prod}
    metric_alarms:
      - AlarmName: envops-prod-api-p99-latency-ms-warning
        Namespace: AWS/ApplicationELB
        MetricName: TargetResponseTime
        Dimensions: [{Name: LoadBalancer, Value: app/envops-prod/50dc6c495c0c9188}]
        ExtendedStatistic: p99
        Period: 300
        EvaluationPeriods: 5
        DatapointsToAlarm: 3
        Threshold: 0.4
        ComparisonOperator: GreaterThanThreshold
        TreatMissingData: notBreaching
        AlarmActions: [arn:aws:sns:eu-central-1:111111111111:envops-prod-p3-warning]
"""

RETURN = r"""
created:
  description: Alarms created (or that would be in check mode).
  returned: always
  type: list
  elements: str
updated:
  description: Alarms whose parameters were put again.
  returned: always
  type: list
  elements: str
deleted:
  description: Alarms deleted (stale under the prefix, or changing kind).
  returned: always
  type: list
  elements: str
retagged:
  description: Alarms whose tags changed.
  returned: always
  type: list
  elements: str
alarm_names:
  description: The alarms under the prefix after the run.
  returned: always
  type: list
  elements: str
  sample: [envops-prod-api-p99-latency-ms-warning]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import cloudwatch_alarms as alarms


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            alarm_prefix=dict(type="str", required=True),
            metric_alarms=dict(type="list", elements="dict", default=[]),
            composite_alarms=dict(type="list", elements="dict", default=[]),
            purge=dict(type="bool", default=False),
            tags=dict(type="dict"),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    problems = alarms.problems(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))
    client = module.client("cloudwatch")
    try:
        outcome = alarms.converge(client, module.params, module.check_mode)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    before, after = outcome.pop("before"), outcome.pop("after")
    if module._diff:
        outcome["diff"] = dict(before=before, after=after)
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
