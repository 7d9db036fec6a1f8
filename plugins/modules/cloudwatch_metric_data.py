#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudwatch_metric_data
short_description: Publish custom CloudWatch metric data points
version_added: 0.1.0
description:
  - Puts the data points of O(metrics) into O(namespace) with PutMetricData, in batches of 1000.
  - Every data point is checked before any call (name, finite value, unit, dimensions; no C(AWS/) namespace).
  - A data point is an event, not a state, so the module always reports a change; check mode publishes nothing.
  - There is no upstream module that publishes metric data.
author:
  - envops maintainers (@envops)
options:
  namespace:
    description: The metric namespace, e.g. C(envops/DR).
    type: str
    required: true
  metrics:
    description: The data points.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Metric name.
        type: str
        required: true
      value:
        description: The value.
        type: float
        required: true
      unit:
        description: CloudWatch unit (Seconds, Count, Percent, None...).
        type: str
        default: None
      dimensions:
        description: Dimension names and values.
        type: dict
        default: {}
attributes:
  check_mode:
    description: Reports what would be published, publishes nothing.
    support: full
  diff_mode:
    description: Data points are appended, there is nothing to compare.
    support: none
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Publish the achieved RTO of a drill
  envops.aws.cloudwatch_metric_data:
    namespace: envops/DR
    metrics:
      - name: AchievedRTOSeconds
        value: 312.5
        unit: Seconds
        dimensions: {Environment: prod, Store: postgres}
"""

RETURN = r"""
published:
  description: How many data points were published (0 in check mode).
  returned: always
  type: int
"""

from datetime import datetime, timezone

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.cloudwatch_metrics import metric_data
from ansible_collections.envops.aws.plugins.module_utils.cloudwatch_metrics import problems


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            namespace=dict(type="str", required=True),
            metrics=dict(type="list", elements="dict", required=True, options=dict(
                name=dict(type="str", required=True),
                value=dict(type="float", required=True),
                unit=dict(type="str", default="None"),
                dimensions=dict(type="dict", default={}),
            )),
        ),
        supports_check_mode=True,
    )
    namespace, metrics = module.params["namespace"], module.params["metrics"]
    found = problems(namespace, metrics)
    if found:
        module.fail_json(msg=" ".join(found))
    if module.check_mode:
        module.exit_json(changed=True, published=0)
    client = module.client("cloudwatch", retry_decorator=aws_retry())
    batches = metric_data(metrics, datetime.now(timezone.utc))
    try:
        for batch in batches:
            client.put_metric_data(aws_retry=True, Namespace=namespace, MetricData=batch)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not publish metric data to %s" % namespace)
    module.exit_json(changed=True, published=len(metrics))


if __name__ == "__main__":
    main()
