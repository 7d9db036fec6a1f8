"""Corrections of moto's STS (see moto_corrections for the rules)."""

import json
import re

from tools.stack.moto_corrections import corrects

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}):role/(?:[^/]+/)*([^/]+)$")


def _principals(statement):
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if not isinstance(principal, dict):
        return []
    aws = principal.get("AWS", [])
    return [aws] if isinstance(aws, str) else list(aws)


def _trusts(trust_policy, caller_account):
    """Whether a role's trust policy lets a principal of ``caller_account`` call sts:AssumeRole (an account root,
    the account id or any ARN of that account; Deny statements and conditions are not evaluated)."""
    document = json.loads(trust_policy) if isinstance(trust_policy, str) else trust_policy
    statements = document.get("Statement", [])
    for statement in [statements] if isinstance(statements, dict) else statements:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") != "Allow" or not set(actions) & {"sts:AssumeRole", "sts:*", "*"}:
            continue
        for principal in _principals(statement):
            if principal in ("*", caller_account) or ":%s:" % caller_account in principal:
                return True
    return False


@corrects("5.2.5")
def assume_role_needs_the_role_and_its_trust() -> None:
    """AssumeRole of a role that does not exist, or whose trust policy does not name the caller's account, fails.

    AWS: AccessDenied ("User ... is not authorized to perform: sts:AssumeRole on resource ...") in both cases.
    moto 5.2.5: issues credentials for any role ARN ("the role does not need to exist"), so a playbook assuming a
    role missing from an environment's account would run on as if it were there.
    Breaks: role account_session, whose refusal of an account without its access role could not be shown.
    Corrected: the role must exist in the ARN's account and its trust policy must allow sts:AssumeRole to a
    principal of the caller's account (or "*"). Conditions of the trust policy are not evaluated.
    """
    from moto.iam.models import iam_backends
    from moto.sts import models
    from moto.sts.exceptions import STSClientError

    original = models.STSBackend.assume_role

    def refuse(self, role_arn):
        raise STSClientError("AccessDenied", "User: arn:aws:iam::%s:user/caller is not authorized to perform: "
                                             "sts:AssumeRole on resource: %s" % (self.account_id, role_arn))

    def assume_role(self, region_name, role_session_name, role_arn, policy, duration, external_id):
        match = _ROLE_ARN.match(role_arn or "")
        if not match:
            refuse(self, role_arn)
        account_id, role_name = match.groups()
        role = next((r for r in iam_backends[account_id][self.partition].get_roles() if r.name == role_name), None)
        if role is None or not _trusts(role.assume_role_policy_document, self.account_id):
            refuse(self, role_arn)
        return original(self, region_name, role_session_name, role_arn, policy, duration, external_id)

    models.STSBackend.assume_role = assume_role


@corrects("5.2.5")
def session_credentials_resolve_their_account_without_creating_backends() -> None:
    """A call signed with credentials moto issued (AssumeRole) finds their account without creating IAM backends.

    AWS: answers in milliseconds.
    moto 5.2.5: get_account_id_from looks the access key up in the IAM backend of every partition of every account
    it knows, creating each missing one (each loads the AWS managed policies): 8 s for one call on the local
    estate, longer with every account, so a playbook acting through an assumed role could not finish.
    Breaks: every playbook run with envops_account_access: assume_role (role account_session).
    Corrected: only the backends that exist are searched (a key moto issued lives in one of them): same answer.
    """
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.iam import models

    def get_account_id_from(access_key):
        for account_id, account in list(models.iam_backends.items()):
            for backend in list(dict.values(account)):
                if access_key in backend.access_keys:
                    return account_id
        return DEFAULT_ACCOUNT_ID

    models.get_account_id_from = get_account_id_from
