#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudwatch_log_event
short_description: Write one audit record (a JSON event) to a CloudWatch Logs stream
version_added: 0.1.0
description:
  - Puts one event, the JSON of O(record), into O(log_stream_name) of O(log_group_name), creating the stream when
    it does not exist. The log group must exist (create it with M(amazon.aws.cloudwatchlogs_log_group), which
    sets its retention and KMS key).
  - Used for the audit trail of procedures (who, when, what, result); never put secrets or personal data in it.
  - There is no upstream module that writes log events.
author:
  - envops maintainers (@envops)
options:
  log_group_name:
    description: Name of the log group.
    type: str
    required: true
  log_stream_name:
    description: Name of the log stream (created when missing).
    type: str
    required: true
  record:
    description: The audit record; written as compact JSON with sorted keys.
    type: dict
    required: true
attributes:
  check_mode:
    description: Reports that a record would be written, writes nothing.
    support: full
  diff_mode:
    description: An event is appended, there is nothing to compare.
    support: none
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Record the refresh in the audit log of staging
  envops.aws.cloudwatch_log_event:
    log_group_name: /envops/staging/audit
    log_stream_name: refresh-masked
    record:
      procedure: refresh_masked
      source: prod
      result: succeeded
"""

RETURN = r"""
log_stream_created:
  description: Whether the stream was created.
  returned: always
  type: bool
event:
  description: The JSON written.
  returned: always
  type: str
"""

import json
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            log_group_name=dict(type="str", required=True),
            log_stream_name=dict(type="str", required=True),
            record=dict(type="dict", required=True),
        ),
        supports_check_mode=True,
    )
    group, stream = module.params["log_group_name"], module.params["log_stream_name"]
    event = json.dumps(module.params["record"], sort_keys=True, separators=(",", ":"), default=str)
    if module.check_mode:
        module.exit_json(changed=True, log_stream_created=False, event=event)
    client = module.client("logs", retry_decorator=aws_retry())
    created = False
    try:
        client.create_log_stream(aws_retry=True, logGroupName=group, logStreamName=stream)
        created = True
    except is_boto3_error_code("ResourceAlreadyExistsException"):
        pass
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not create log stream %s in %s" % (stream, group))
    try:
        client.put_log_events(aws_retry=True, logGroupName=group, logStreamName=stream,
                              logEvents=[{"timestamp": int(time.time() * 1000), "message": event}])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not write the event to %s %s" % (group, stream))
    module.exit_json(changed=True, log_stream_created=created, event=event)


if __name__ == "__main__":
    main()
