#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: sqs_message_wait
version_added: 0.1.0
short_description: Wait for a message containing a text on an SQS queue
description:
  - Long-polls the queue until a message whose body contains O(text) arrives, or O(timeout_seconds) passed
    (RV(delivered) is then false and the caller says what that means). Every message read is deleted (use a queue of the
    test's own).
author:
  - envops maintainers (@envops)
options:
  queue_name:
    description: The queue (in the module's region and account).
    type: str
    required: true
  text:
    description: Text the awaited message contains (an alarm name).
    type: str
    required: true
  timeout_seconds:
    description: How long to wait.
    type: int
    default: 120
attributes:
  check_mode:
    description: Waits and reads in check mode too (reading is what it is for); deletes the messages it reads.
    support: full
  diff_mode:
    description: Nothing to compare.
    support: none
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Wait for the notification of the alarm
  envops.aws.sqs_message_wait:
    queue_name: envops-prod-alarm-test-20261207171829
    text: envops-prod-rds-cpu-percent-critical
    timeout_seconds: 60
"""

RETURN = r"""
delivered:
  description: Whether the message arrived in time.
  returned: always
  type: bool
body:
  description: The body of the message (for an SNS subscription, the SNS envelope as JSON).
  returned: when delivered
  type: str
seconds:
  description: Seconds waited.
  returned: always
  type: float
  sample: 1.4
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import sqs_messages

QUEUE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(queue_name=dict(type="str", required=True), text=dict(type="str", required=True),
                           timeout_seconds=dict(type="int", default=120)),
        supports_check_mode=True,
    )
    if not 1 <= module.params["timeout_seconds"] <= 3600:
        module.fail_json(msg="timeout_seconds must be 1 to 3600.")
    if not QUEUE_NAME.match(module.params["queue_name"]):
        module.fail_json(msg="queue_name %r is not an SQS queue name (1-80 letters, digits, - or _)."
                         % module.params["queue_name"])
    client = module.client("sqs")
    try:
        url = sqs_messages.queue_url(client, module.params["queue_name"])
        body, seconds = sqs_messages.wait_for(client, url, module.params["text"], module.params["timeout_seconds"])
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    result = dict(changed=False, delivered=body is not None, seconds=round(seconds, 1))
    if body is not None:
        result["body"] = body
    module.exit_json(**result)


if __name__ == "__main__":
    main()
