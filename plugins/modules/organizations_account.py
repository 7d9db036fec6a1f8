#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: organizations_account
version_added: 0.1.0
short_description: A member account of the organization, in its OU
description:
  - Adopts the existing account O(account_id), or creates one from O(name) and O(email), and moves it under
    O(parent_id).
  - Adopting an account that is a member already moves it under O(parent_id) when it is elsewhere. An account that
    is not a member is invited (a handshake the account's administrator accepts); the result says C(invited) and the
    account is moved on the first run after it joined. An invitation already open is not sent twice.
  - Creating (no O(account_id)) looks the account up by O(email) first, so a second run adopts what the first
    created; AWS creates the account with the role O(access_role) that the management account may assume. The new
    account id is returned.
  - Check mode and diff report the change without making it.
author:
  - envops maintainers (@envops)
options:
  account_id:
    description: The 12-digit id of an existing account to adopt.
    type: str
  name:
    description: The name of an account to create (with O(email), without O(account_id)).
    type: str
  email:
    description: The root e-mail of an account to create.
    type: str
  access_role:
    description: The role AWS creates in a new account, trusting the management account.
    type: str
    default: OrganizationAccountAccessRole
  parent_id:
    description: The root (r-...) or OU (ou-...) the account belongs under.
    type: str
    required: true
  notes:
    description: The text of an invitation.
    type: str
    default: Invitation to join the organization managed by envops.aws.
  wait_timeout:
    description: Seconds to wait for AWS to create an account.
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    description: Reports the invitation, creation or move that would happen.
    support: full
  diff_mode:
    description: The account's membership and parent, before and after.
    support: full
"""

EXAMPLES = r"""
- name: Adopt prod's account into the Production OU
  envops.aws.organizations_account:
    account_id: "210000000004"
    parent_id: "{{ production_ou.ou.id }}"

- name: Create a sandbox account
  envops.aws.organizations_account:
    name: envops-sandbox
    email: aws-sandbox@example.com
    parent_id: "{{ sandbox_ou.ou.id }}"
  register: sandbox
"""

RETURN = r"""
account:
  description: The account after the run; in check mode, what it would be.
  returned: always
  type: dict
  contains:
    id:
      description: The account id (unknown in check mode for an account to create).
      type: str
    status:
      description: V(member) (in the organization), V(invited) (an invitation waits for the account's acceptance).
      type: str
    parent_id:
      description: The root or OU it is under (members).
      type: str
    handshake_id:
      description: The open invitation (invited accounts).
      type: str
  sample: {"id": "210000000004", "status": "member", "parent_id": "ou-abcd-12345678"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import organizations as orgs


def request_problems(params):
    problems = orgs.parent_problems("parent_id", params["parent_id"])
    account_id, name, email = params["account_id"], params["name"], params["email"]
    if account_id is not None and not orgs.ACCOUNT_ID.fullmatch(account_id):
        problems.append("account_id %r is not a 12-digit account id" % account_id)
    if account_id is None and (not name or not email):
        problems.append("give account_id (adopt an account) or both name and email (create one)")
    if name is not None and not orgs.ACCOUNT_NAME.fullmatch(name):
        problems.append("name %r must be 1 to 50 printable ASCII characters" % name)
    if email is not None and not orgs.EMAIL.fullmatch(email):
        problems.append("email %r is not an e-mail address AWS accepts" % email)
    if not orgs.IAM_ROLE_NAME.fullmatch(params["access_role"]):
        problems.append("access_role %r is not an IAM role name" % params["access_role"])
    return problems


def adopt(module, client, account_id, parent_id):
    """(changed, account, diff) for an existing account."""
    member = orgs.describe_account(client, account_id)
    if member is None:
        invitation = orgs.open_invitation(client, account_id)
        if invitation is not None:
            return False, {"id": account_id, "status": "invited", "handshake_id": invitation["Id"]}, None
        diff = {"before": {"status": "none"}, "after": {"status": "invited"}}
        if module.check_mode:
            return True, {"id": account_id, "status": "invited"}, diff
        invitation = orgs.invite_account(client, account_id, module.params["notes"])
        return True, {"id": account_id, "status": "invited", "handshake_id": invitation["Id"]}, diff
    current_parent = orgs.parent_of(client, account_id)
    account = {"id": account_id, "status": "member", "parent_id": parent_id}
    if current_parent == parent_id:
        return False, account, None
    diff = {"before": {"status": "member", "parent_id": current_parent}, "after": account}
    if not module.check_mode:
        orgs.move_account(client, account_id, current_parent, parent_id)
    return True, account, diff


def create(module, client, parent_id):
    params = module.params
    existing = orgs.account_with_email(client, params["email"])
    if existing is not None:
        return adopt(module, client, existing["Id"], parent_id)
    diff = {"before": {"status": "none"}, "after": {"status": "member", "parent_id": parent_id}}
    if module.check_mode:
        return True, {"status": "member", "parent_id": parent_id}, diff
    status = orgs.create_account(client, params["name"], params["email"], params["access_role"])
    status = orgs.wait_for_account(client, status, params["wait_timeout"])
    if status["State"] != "SUCCEEDED":
        module.fail_json(msg="account %s was not created: %s %s" % (
            params["name"], status["State"], status.get("FailureReason", "(still in progress at wait_timeout)")),
            create_account_status=status)
    changed, account, _diff = adopt(module, client, status["AccountId"], parent_id)
    return True, account, diff


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            account_id=dict(type="str"),
            name=dict(type="str"),
            email=dict(type="str"),
            access_role=dict(type="str", default="OrganizationAccountAccessRole"),
            parent_id=dict(type="str", required=True),
            notes=dict(type="str", default="Invitation to join the organization managed by envops.aws."),
            wait_timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    problems = request_problems(module.params)
    if problems:
        module.fail_json(msg="organizations account: %s" % "; ".join(problems))
    client = module.client("organizations")
    try:
        if module.params["account_id"] is not None:
            changed, account, diff = adopt(module, client, module.params["account_id"], module.params["parent_id"])
        else:
            changed, account, diff = create(module, client, module.params["parent_id"])
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    module.exit_json(changed=changed, account=account, **({"diff": diff} if diff else {}))


if __name__ == "__main__":
    main()
