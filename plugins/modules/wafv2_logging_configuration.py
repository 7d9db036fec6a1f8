#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: wafv2_logging_configuration
version_added: 0.1.0
short_description: The logging configuration of a WAFv2 web ACL, its destination and its redacted headers
description:
  - Keeps the logging configuration of a WAFv2 web ACL as wanted (O(state=present)) or removes it
    (O(state=absent)).
  - A web ACL logs to one destination, a CloudWatch Logs group, Firehose stream or S3 bucket whose name starts with
    C(aws-waf-logs-); AWS refuses any other.
  - O(redacted_headers) are removed from the logged requests (C(RedactedFields) of type C(SingleHeader)); names are
    compared in lower case. Redactions of other kinds (query string, URI path...) set outside this module are kept.
  - No upstream module manages WAFv2 logging configurations.
author:
  - envops maintainers (@envops)
options:
  web_acl_arn:
    description: ARN of the web ACL.
    type: str
    required: true
  destination_arn:
    description:
      - ARN of the destination; a log group's ARN may end with C(:*) as DescribeLogGroups answers it.
      - Required with O(state=present).
    type: str
  redacted_headers:
    description: Request headers redacted from the logs.
    type: list
    elements: str
    default: []
  state:
    description: Whether the web ACL logs.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
attributes:
  check_mode:
    description: Reads the logging configuration and reports the one that would be put or deleted, without calling
      PutLoggingConfiguration or DeleteLoggingConfiguration.
    support: full
  diff_mode:
    description: The logging configuration before and after (destination, redacted headers; C(exists) false when
      there is none).
    support: full
"""

EXAMPLES = r"""
- name: Log the prod web ACL without its Authorization and Cookie headers
  envops.aws.wafv2_logging_configuration:
    web_acl_arn: "{{ web_acl.arn }}"
    destination_arn: "arn:aws:logs:eu-central-1:123456789012:log-group:aws-waf-logs-prod"
    redacted_headers: [authorization, cookie]

- name: Stop logging
  envops.aws.wafv2_logging_configuration:
    web_acl_arn: "{{ web_acl.arn }}"
    state: absent
"""

RETURN = r"""
logging_configuration:
  description: The logging configuration after the run.
  returned: always
  type: dict
  contains:
    exists:
      description: Whether the web ACL logs.
      type: bool
    destination:
      description: ARN of the destination.
      type: str
    redacted_headers:
      description: Redacted headers, lower case, sorted.
      type: list
      elements: str
    other_redacted_fields:
      description: Redacted fields that are not single headers, as AWS answers them.
      type: list
      elements: dict
  sample: {"exists": true, "destination": "arn:aws:logs:eu-central-1:123456789012:log-group:aws-waf-logs-prod",
           "redacted_headers": ["authorization", "cookie"], "other_redacted_fields": []}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import wafv2_logging as logging


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            web_acl_arn=dict(type="str", required=True),
            destination_arn=dict(type="str"),
            redacted_headers=dict(type="list", elements="str", default=[]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[["state", "present", ["destination_arn"]]],
        supports_check_mode=True,
    )
    params = module.params
    refused = logging.problems(params["web_acl_arn"], params["destination_arn"], params["redacted_headers"],
                               params["state"])
    if refused:
        module.fail_json(msg="WAFv2 logging configuration: %s" % " ".join(refused))
    client = module.client("wafv2")
    arn = params["web_acl_arn"]
    try:
        current = logging.state_of(logging.get_logging_configuration(client, arn))
        if params["state"] == "absent":
            desired = {"exists": False}
            changed = current["exists"]
        else:
            desired = logging.desired_state(current, params["destination_arn"], params["redacted_headers"])
            changed = logging.differs(current, desired)
        diff = {"before": current, "after": desired}
        if not changed:
            module.exit_json(changed=False, logging_configuration=current)
        if module.check_mode:
            module.exit_json(changed=True, logging_configuration=desired, diff=diff)
        if params["state"] == "absent":
            logging.delete_logging_configuration(client, arn)
        else:
            logging.put_logging_configuration(client, logging.logging_configuration(arn, desired))
        after = logging.state_of(logging.get_logging_configuration(client, arn))
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    diff["after"] = after
    module.exit_json(changed=True, logging_configuration=after, diff=diff)


if __name__ == "__main__":
    main()
