# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Organizations: the organization, OUs found by name under a parent, member accounts, service control
policies and their attachments. Thin calls with the shared retry; the modules compare and decide.

Identifiers are checked against the patterns AWS documents before any call (``problems``), so a hostile value
never reaches the API.
"""

import json
import re
import time
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

SCP = "SERVICE_CONTROL_POLICY"
# The patterns of the Organizations API reference.
ROOT_ID = re.compile(r"^r-[0-9a-z]{4,32}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
POLICY_NAME = re.compile(r"^[\w+=,.@ -]{1,128}$")
# OU names: 1-128 characters, no control characters (we also refuse leading/trailing spaces: they do not show)
OU_NAME = re.compile(r"^[^\x00-\x1f\x7f\s]([^\x00-\x1f\x7f]{0,126}[^\x00-\x1f\x7f\s])?$")
ACCOUNT_NAME = re.compile(r"^[\x20-\x7e]{1,50}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
IAM_ROLE_NAME = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$")


def parent_problems(field: str, value: Optional[str]) -> List[str]:
    if value is not None and not (ROOT_ID.fullmatch(value) or OU_ID.fullmatch(value)):
        return ["%s %r is not a root (r-...) or OU (ou-...-...) id" % (field, value)]
    return []


def target_problems(targets: List[str]) -> List[str]:
    return ["target %r is not a root, OU or 12-digit account id" % target for target in targets
            if not (ROOT_ID.fullmatch(target) or OU_ID.fullmatch(target) or ACCOUNT_ID.fullmatch(target))]


def canonical(content: Any) -> Dict[str, Any]:
    """A policy document as a dict (content may be JSON text), for comparing by meaning."""
    return json.loads(content) if isinstance(content, str) else content


class OrganizationsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["AWSOrganizationsNotInUseException", "AccountNotFoundException",
                                    "PolicyNotFoundException", "OrganizationalUnitNotFoundException"])


@OrganizationsErrorHandler.list_error_handler("describe the organization")
@aws_retry()
def describe_organization(client) -> Optional[Dict[str, Any]]:
    return client.describe_organization()["Organization"]


@OrganizationsErrorHandler.common_error_handler("create the organization")
@aws_retry()
def create_organization(client) -> Dict[str, Any]:
    return client.create_organization(FeatureSet="ALL")["Organization"]


@OrganizationsErrorHandler.common_error_handler("list the roots")
@aws_retry()
def root(client) -> Dict[str, Any]:
    return client.list_roots()["Roots"][0]


@OrganizationsErrorHandler.common_error_handler("enable the policy type")
@aws_retry()
def enable_policy_type(client, root_id: str, policy_type: str = SCP) -> None:
    client.enable_policy_type(RootId=root_id, PolicyType=policy_type)


@OrganizationsErrorHandler.common_error_handler("list the OUs")
@aws_retry()
def ous_named(client, parent_id: str, name: str) -> List[Dict[str, Any]]:
    found = []
    for page in client.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent_id):
        found.extend(ou for ou in page["OrganizationalUnits"] if ou["Name"] == name)
    return found


@OrganizationsErrorHandler.common_error_handler("create the OU")
@aws_retry()
def create_ou(client, parent_id: str, name: str, tags: Dict[str, str]) -> Dict[str, Any]:
    params: Dict[str, Any] = {"ParentId": parent_id, "Name": name}
    if tags:
        params["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
    return client.create_organizational_unit(**params)["OrganizationalUnit"]


@OrganizationsErrorHandler.deletion_error_handler("delete the OU")
@aws_retry()
def delete_ou(client, ou_id: str) -> bool:
    client.delete_organizational_unit(OrganizationalUnitId=ou_id)
    return True


@OrganizationsErrorHandler.list_error_handler("describe the account")
@aws_retry()
def describe_account(client, account_id: str) -> Optional[Dict[str, Any]]:
    return client.describe_account(AccountId=account_id)["Account"]


@OrganizationsErrorHandler.common_error_handler("list the accounts")
@aws_retry()
def account_with_email(client, email: str) -> Optional[Dict[str, Any]]:
    for page in client.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            if account["Email"].lower() == email.lower():
                return account
    return None


@OrganizationsErrorHandler.common_error_handler("list the parents of the account")
@aws_retry()
def parent_of(client, child_id: str) -> str:
    return client.list_parents(ChildId=child_id)["Parents"][0]["Id"]


@OrganizationsErrorHandler.common_error_handler("move the account")
@aws_retry()
def move_account(client, account_id: str, source: str, destination: str) -> None:
    client.move_account(AccountId=account_id, SourceParentId=source, DestinationParentId=destination)


@OrganizationsErrorHandler.common_error_handler("list the organization's handshakes")
@aws_retry()
def open_invitation(client, account_id: str) -> Optional[Dict[str, Any]]:
    """The open invitation of the account, if one is pending."""
    pages = client.get_paginator("list_handshakes_for_organization").paginate(Filter={"ActionType": "INVITE"})
    for page in pages:
        for handshake in page["Handshakes"]:
            parties = dict((party["Type"], party["Id"]) for party in handshake.get("Parties", []))
            if handshake.get("State") in ("REQUESTED", "OPEN") and parties.get("ACCOUNT") == account_id:
                return handshake
    return None


@OrganizationsErrorHandler.common_error_handler("invite the account")
@aws_retry()
def invite_account(client, account_id: str, notes: str) -> Dict[str, Any]:
    return client.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": account_id},
                                                 Notes=notes)["Handshake"]


@OrganizationsErrorHandler.common_error_handler("create the account")
@aws_retry()
def create_account(client, name: str, email: str, role_name: str) -> Dict[str, Any]:
    return client.create_account(AccountName=name, Email=email, RoleName=role_name)["CreateAccountStatus"]


@OrganizationsErrorHandler.common_error_handler("read the account creation status")
@aws_retry()
def create_account_status(client, request_id: str) -> Dict[str, Any]:
    return client.describe_create_account_status(CreateAccountRequestId=request_id)["CreateAccountStatus"]


def wait_for_account(client, status: Dict[str, Any], timeout: int, sleep=time.sleep) -> Dict[str, Any]:
    """The creation status once it is no longer IN_PROGRESS (AWS takes minutes), or the last one at ``timeout``."""
    deadline = time.monotonic() + timeout
    while status["State"] == "IN_PROGRESS" and time.monotonic() < deadline:
        sleep(5)
        status = create_account_status(client, status["Id"])
    return status


@OrganizationsErrorHandler.common_error_handler("list the service control policies")
@aws_retry()
def policy_named(client, name: str) -> Optional[Dict[str, Any]]:
    for page in client.get_paginator("list_policies").paginate(Filter=SCP):
        for policy in page["Policies"]:
            if policy["Name"] == name:
                return policy
    return None


@OrganizationsErrorHandler.common_error_handler("describe the policy")
@aws_retry()
def describe_policy(client, policy_id: str) -> Dict[str, Any]:
    return client.describe_policy(PolicyId=policy_id)["Policy"]


@OrganizationsErrorHandler.common_error_handler("create the policy")
@aws_retry()
def create_policy(client, name: str, description: str, content: str) -> Dict[str, Any]:
    return client.create_policy(Name=name, Description=description, Type=SCP, Content=content)["Policy"]


@OrganizationsErrorHandler.common_error_handler("update the policy")
@aws_retry()
def update_policy(client, policy_id: str, description: str, content: str) -> None:
    client.update_policy(PolicyId=policy_id, Description=description, Content=content)


@OrganizationsErrorHandler.deletion_error_handler("delete the policy")
@aws_retry()
def delete_policy(client, policy_id: str) -> bool:
    client.delete_policy(PolicyId=policy_id)
    return True


@OrganizationsErrorHandler.common_error_handler("list the policy's targets")
@aws_retry()
def targets_of(client, policy_id: str) -> List[str]:
    targets = []
    for page in client.get_paginator("list_targets_for_policy").paginate(PolicyId=policy_id):
        targets.extend(target["TargetId"] for target in page["Targets"])
    return sorted(targets)


@OrganizationsErrorHandler.common_error_handler("list the target's policies")
@aws_retry()
def scps_of(client, target_id: str) -> List[str]:
    ids = []
    for page in client.get_paginator("list_policies_for_target").paginate(TargetId=target_id, Filter=SCP):
        ids.extend(policy["Id"] for policy in page["Policies"])
    return ids


@OrganizationsErrorHandler.common_error_handler("attach the policy")
@aws_retry()
def attach_policy(client, policy_id: str, target_id: str) -> None:
    client.attach_policy(PolicyId=policy_id, TargetId=target_id)


@OrganizationsErrorHandler.common_error_handler("detach the policy")
@aws_retry()
def detach_policy(client, policy_id: str, target_id: str) -> None:
    client.detach_policy(PolicyId=policy_id, TargetId=target_id)
