#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: organizations_organization
version_added: 0.1.0
short_description: The AWS organization of the management account, with service control policies enabled
description:
  - Creates the organization of the calling (management) account with all features when it has none, and enables
    the service control policy type on its root.
  - An organization with consolidated billing only is refused with the reason (it cannot hold SCPs; enabling all
    features needs every member account's approval, outside this module).
  - Check mode and diff report the change without making it.
author:
  - envops maintainers (@envops)
options: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    description: Reports the organization that would be created or the policy type that would be enabled.
    support: full
  diff_mode:
    description: Whether the organization exists and SCPs are enabled, before and after.
    support: full
"""

EXAMPLES = r"""
- name: The organization, SCPs enabled (with the management account's credentials)
  envops.aws.organizations_organization:
  register: organization
"""

RETURN = r"""
organization:
  description: The organization after the run; in check mode, what it would be (ids unknown for a new one).
  returned: always
  type: dict
  contains:
    id:
      description: The organization id.
      type: str
    management_account_id:
      description: The management account.
      type: str
    root_id:
      description: The id of the root.
      type: str
    scp_enabled:
      description: Whether service control policies are enabled on the root.
      type: bool
  sample: {"id": "o-abcdefghij", "management_account_id": "100000000000", "root_id": "r-abcd", "scp_enabled": true}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import organizations as orgs


def state_of(organization, root):
    if organization is None:
        return {"exists": False}
    enabled = any(t["Type"] == orgs.SCP and t["Status"] == "ENABLED" for t in (root or {}).get("PolicyTypes", []))
    return {"exists": True, "feature_set": organization["FeatureSet"], "scp_enabled": enabled}


def result_of(organization, root, state):
    if organization is None:
        return {}
    return {"id": organization["Id"], "management_account_id": organization["MasterAccountId"],
            "root_id": root["Id"], "scp_enabled": state["scp_enabled"]}


def main():
    module = AnsibleAWSModule(argument_spec={}, supports_check_mode=True)
    client = module.client("organizations")
    try:
        organization = orgs.describe_organization(client)
        root = orgs.root(client) if organization else None
        current = state_of(organization, root)
        if current.get("feature_set", "ALL") != "ALL":
            module.fail_json(msg="organization %s has feature set %s: service control policies need all features "
                                 "(enable them in the console; every member account must approve)"
                                 % (organization["Id"], current["feature_set"]))
        desired = {"exists": True, "feature_set": "ALL", "scp_enabled": True}
        if current == desired:
            module.exit_json(changed=False, organization=result_of(organization, root, current))
        diff = {"before": current, "after": desired}
        if module.check_mode:
            preview = result_of(organization, root, desired) if organization else {"scp_enabled": True}
            module.exit_json(changed=True, organization=preview, diff=diff)
        if organization is None:
            organization = orgs.create_organization(client)
            root = orgs.root(client)
        if not state_of(organization, root)["scp_enabled"]:
            orgs.enable_policy_type(client, root["Id"])
        root = orgs.root(client)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    module.exit_json(changed=True, organization=result_of(organization, root, state_of(organization, root)),
                     diff=diff)


if __name__ == "__main__":
    main()
