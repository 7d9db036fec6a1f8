#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: organizations_policy
version_added: 0.1.0
short_description: A service control policy, its content and the targets it is attached to
description:
  - Creates the service control policy (SCP) O(name) or updates its content and description, and attaches it to
    O(targets).
  - The content is checked before any call for what AWS Organizations refuses (not a 2012-10-17 policy, an Effect
    other than Allow or Deny, actions not shaped service:action, a Principal, more than 5120 characters) and an
    attachment above the 5 SCPs a target may have is refused naming the target.
  - Removing a guardrail needs a confirmation, as tearing down production does. Detaching (V(purge_targets=true)
    with a target no longer listed) and deleting (V(state=absent)) are refused before any AWS call unless
    O(confirm_detach) repeats the policy's name.
  - Content is compared by meaning (JSON), not by spelling, so a re-run with the same document changes nothing.
  - Check mode and diff report the change without making it.
author:
  - envops maintainers (@envops)
options:
  name:
    description: The policy's name (1 to 128 letters, digits, spaces and + = , . @ _ -).
    type: str
    required: true
  description:
    description: Its description.
    type: str
    default: ""
  content:
    description: The policy document (a dict, or JSON text). Required with V(state=present).
    type: raw
  targets:
    description: Roots (r-...), OUs (ou-...) and accounts (12 digits) the policy is attached to.
    type: list
    elements: str
    default: []
  purge_targets:
    description: Detach the policy from targets not in O(targets) (needs O(confirm_detach)).
    type: bool
    default: false
  confirm_detach:
    description: The policy's name again, to confirm a detachment or deletion.
    type: str
  state:
    description: V(present) creates, updates and attaches; V(absent) detaches the policy everywhere and deletes it.
    type: str
    default: present
    choices: [present, absent]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    description: Reports the creation, update, attachments and detachments that would happen.
    support: full
  diff_mode:
    description: Content, description and targets before and after.
    support: full
"""

EXAMPLES = r"""
- name: The guardrails of the Production OU
  envops.aws.organizations_policy:
    name: envops-guardrails-production
    content: "{{ guardrails_document }}"
    targets: ["{{ production_ou.ou.id }}"]

- name: Remove them (confirmed)
  envops.aws.organizations_policy:
    name: envops-guardrails-production
    state: absent
    confirm_detach: envops-guardrails-production
"""

RETURN = r"""
policy:
  description: The policy after the run (empty when absent); in check mode, what it would be.
  returned: always
  type: dict
  contains:
    id:
      description: Its id (unknown in check mode for a new policy).
      type: str
    arn:
      description: Its ARN.
      type: str
    name:
      description: Its name.
      type: str
    description:
      description: Its description.
      type: str
    content:
      description: The policy document.
      type: dict
    targets:
      description: The ids it is attached to, sorted.
      type: list
      elements: str
  sample: {"id": "p-abcd1234", "name": "envops-guardrails-production", "description": "",
           "content": {"Version": "2012-10-17", "Statement": []}, "targets": ["ou-abcd-12345678"]}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import organizations as orgs
from ansible_collections.envops.aws.plugins.module_utils import scp_guardrails


def request_problems(params):
    """What is refused before any call (the detach confirmation among them)."""
    problems = orgs.target_problems(params["targets"])
    name = params["name"]
    if not orgs.POLICY_NAME.fullmatch(name):
        problems.append("name %r must be 1 to 128 letters, digits, spaces and + = , . @ _ -" % name)
    if params["state"] == "present":
        if params["content"] is None:
            problems.append("content is required with state=present")
        else:
            problems.extend("content: %s" % problem for problem in scp_guardrails.document_problems(params["content"]))
    detaching = params["state"] == "absent" or params["purge_targets"]
    if detaching and params["confirm_detach"] != name:
        problems.append("removing guardrails needs confirmation: %s would detach policy %s from its targets; "
                        "set confirm_detach: %s to proceed" % (
                            "state=absent" if params["state"] == "absent" else "purge_targets", name, name))
    return problems


def state_of(policy, targets):
    if policy is None:
        return {"exists": False}
    summary = policy["PolicySummary"]
    return {"exists": True, "description": summary.get("Description", ""),
            "content": orgs.canonical(policy["Content"]), "targets": targets}


def result_of(policy, state):
    if not state["exists"]:
        return {}
    summary = (policy or {}).get("PolicySummary", {})
    return {"id": summary.get("Id"), "arn": summary.get("Arn"), "name": summary.get("Name"),
            "description": state["description"], "content": state["content"], "targets": state["targets"]}


def desired_state(params, current):
    if params["state"] == "absent":
        return {"exists": False}
    targets = set(params["targets"])
    if not params["purge_targets"]:
        targets |= set(current.get("targets", []))
    return {"exists": True, "description": params["description"], "content": orgs.canonical(params["content"]),
            "targets": sorted(targets)}


def quota_problems(client, policy_id, targets):
    problems = []
    for target in targets:
        problems.extend(scp_guardrails.attachment_problems(target, orgs.scps_of(client, target), policy_id))
    return problems


def apply(client, name, policy, current, desired):
    """Make it so; return the policy as described after."""
    policy_id = policy["PolicySummary"]["Id"] if policy else None
    to_attach = sorted(set(desired.get("targets", [])) - set(current.get("targets", [])))
    to_detach = sorted(set(current.get("targets", [])) - set(desired.get("targets", [])))
    for target in to_detach:
        orgs.detach_policy(client, policy_id, target)
    if not desired["exists"]:
        orgs.delete_policy(client, policy_id)
        return None
    content = scp_guardrails.policy_content(desired["content"])
    if policy is None:
        policy_id = orgs.create_policy(client, name, desired["description"], content)["PolicySummary"]["Id"]
    elif (current["content"], current["description"]) != (desired["content"], desired["description"]):
        orgs.update_policy(client, policy_id, desired["description"], content)
    for target in to_attach:
        orgs.attach_policy(client, policy_id, target)
    return orgs.describe_policy(client, policy_id)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            description=dict(type="str", default=""),
            content=dict(type="raw"),
            targets=dict(type="list", elements="str", default=[]),
            purge_targets=dict(type="bool", default=False),
            confirm_detach=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problems = request_problems(params)
    if problems:
        module.fail_json(msg="service control policy %s: %s" % (params["name"], "; ".join(problems)))
    client = module.client("organizations")
    try:
        summary = orgs.policy_named(client, params["name"])
        policy = orgs.describe_policy(client, summary["Id"]) if summary else None
        current = state_of(policy, orgs.targets_of(client, summary["Id"]) if summary else [])
        desired = desired_state(params, current)
        if desired == current:
            module.exit_json(changed=False, policy=result_of(policy, current))
        new_targets = sorted(set(desired.get("targets", [])) - set(current.get("targets", [])))
        refused = quota_problems(client, summary["Id"] if summary else None, new_targets)
        if refused:
            module.fail_json(msg="service control policy %s: %s" % (params["name"], "; ".join(refused)))
        diff = {"before": current, "after": desired}
        if module.check_mode:
            module.exit_json(changed=True, policy=result_of(policy, desired), diff=diff)
        policy = apply(client, params["name"], policy, current, desired)
        after = state_of(policy, orgs.targets_of(client, policy["PolicySummary"]["Id"]) if policy else [])
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    module.exit_json(changed=True, policy=result_of(policy, after), diff=diff)


if __name__ == "__main__":
    main()
