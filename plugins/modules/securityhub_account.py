#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: securityhub_account
version_added: 0.1.0
short_description: Security Hub enabled in an account and region, with its standards, finding generator and tags
description:
  - Enables Security Hub in the account and region when it is not, without AWS's default standards, then keeps its
    control finding generator, its tags and the standards it is subscribed to as wanted.
  - Every wanted standard is checked against the standards Security Hub offers in the region (DescribeStandards)
    before any change; an unknown one is named and nothing is changed.
  - No upstream module manages Security Hub.
author:
  - envops maintainers (@envops)
options:
  standards:
    description:
      - ARNs of the standards the hub is subscribed to, for example
        C(arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0).
      - Omitted, the subscriptions are left as they are.
    type: list
    elements: str
  purge_standards:
    description: Whether subscriptions to standards not in O(standards) are ended.
    type: bool
    default: true
  control_finding_generator:
    description:
      - V(SECURITY_CONTROL) produces one finding per control across the standards (consolidated control findings),
        V(STANDARD_CONTROL) one per control and standard.
      - Omitted, a new hub gets V(SECURITY_CONTROL) and an existing one keeps its own.
    type: str
    choices: [SECURITY_CONTROL, STANDARD_CONTROL]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - envops.aws.attributes.platform
attributes:
  check_mode:
    description: Reads the hub, its tags and its standards, refuses what a real run refuses (an unknown standard) and
      reports what would change, without enabling the hub, changing its configuration, tags or subscriptions.
    support: full
  diff_mode:
    description: The hub before and after (enabled, control finding generator, tags, standards).
    support: full
"""

EXAMPLES = r"""
- name: Security Hub with AWS Foundational Security Best Practices and CIS 1.4.0
  envops.aws.securityhub_account:
    standards:
      - arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0
      - arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/1.4.0
    control_finding_generator: SECURITY_CONTROL
    tags:
      env: prod
"""

RETURN = r"""
hub:
  description: The hub after the run (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    enabled:
      description: Whether Security Hub is enabled.
      type: bool
    hub_arn:
      description: The hub's ARN (null in check mode when it would be enabled).
      type: str
    control_finding_generator:
      description: SECURITY_CONTROL or STANDARD_CONTROL.
      type: str
    tags:
      description: The hub's tags.
      type: dict
    standards:
      description: ARNs of the standards subscribed (sorted).
      type: list
      elements: str
  sample: {"enabled": true, "hub_arn": "arn:aws:securityhub:eu-west-1:111111111111:hub/default",
           "control_finding_generator": "SECURITY_CONTROL", "tags": {"env": "prod"},
           "standards": ["arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0"]}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import securityhub_account as hubs
from ansible_collections.envops.aws.plugins.module_utils.resource_tags import tag_changes


def read(client):
    """(the hub's state, its subscriptions)."""
    hub = hubs.describe_hub(client)
    if hub is None:
        return hubs.state_of(None, None, []), []
    subscriptions = hubs.enabled_standards(client)
    return hubs.state_of(hub, hubs.list_tags(client, hub["HubArn"]), subscriptions), subscriptions


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            standards=dict(type="list", elements="str"),
            purge_standards=dict(type="bool", default=True),
            control_finding_generator=dict(type="str", choices=list(hubs.FINDING_GENERATORS)),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problems = hubs.validate(params["standards"])
    if problems:
        module.fail_json(msg="Security Hub: %s" % " ".join(problems))
    client = module.client("securityhub")
    try:
        current, subscriptions = read(client)
        desired = hubs.desired_state(current, params["control_finding_generator"], params["standards"],
                                     params["purge_standards"], params["tags"], params["purge_tags"])
        to_enable, to_disable = hubs.standards_changes(current, desired, subscriptions)
        if to_enable:
            refused = hubs.unknown_standards(to_enable, hubs.available_standards(client), module.region)
            if refused:
                module.fail_json(msg=refused, hub=current)
        if current == desired:
            module.exit_json(changed=False, hub=current)
        diff = {"before": current, "after": desired}
        if module.check_mode:
            module.exit_json(changed=True, hub=desired, diff=diff)
        if not current["enabled"]:
            hubs.enable_hub(client, desired["control_finding_generator"], desired["tags"])
        else:
            if current["control_finding_generator"] != desired["control_finding_generator"]:
                hubs.update_generator(client, desired["control_finding_generator"])
            to_set, to_remove = tag_changes(current["tags"], desired["tags"])
            if to_set or to_remove:
                hubs.tag_hub(client, current["hub_arn"], to_set, to_remove)
        if to_disable:
            hubs.disable_standards(client, to_disable)
        if to_enable:
            hubs.enable_standards(client, to_enable)
        after = read(client)[0]
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    diff["after"] = after
    module.exit_json(changed=True, hub=after, diff=diff)


if __name__ == "__main__":
    main()
