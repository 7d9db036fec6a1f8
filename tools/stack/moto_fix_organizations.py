"""Corrections of moto's AWS Organizations (see moto_corrections for the rules)."""

import json

from tools.stack.moto_corrections import corrects

# AWS Organizations: at most 5 service control policies on one root, OU or account (FullAWSAccess included).
_MAX_SCPS_PER_TARGET = 5
_MAX_SCP_CHARACTERS = 5120


@corrects("5.2.5")
def duplicate_ou_names_under_a_parent_are_refused() -> None:
    """CreateOrganizationalUnit with the name of an OU already under that parent fails.

    AWS: DuplicateOrganizationalUnitException ("An OU with the same name already exists").
    moto 5.2.5: creates a second OU of the same name, so a module that finds its OU by name would find two.
    Breaks: envops.aws.organizations_ou, which finds its OU by name under the parent.
    Corrected: the name is compared under the same parent, as AWS does.
    """
    from moto.organizations import models
    from moto.organizations.exceptions import DuplicateOrganizationalUnitException

    original = models.OrganizationsBackend.create_organizational_unit

    def create_organizational_unit(self, **kwargs):
        if any(ou.parent_id == kwargs.get("ParentId") and ou.name == kwargs.get("Name") for ou in self.ou):
            raise DuplicateOrganizationalUnitException
        return original(self, **kwargs)

    models.OrganizationsBackend.create_organizational_unit = create_organizational_unit


@corrects("5.2.5")
def policy_attachments_are_refused_twice_and_above_the_quota() -> None:
    """AttachPolicy of a policy already attached to the target, or of a sixth SCP, fails.

    AWS: DuplicatePolicyAttachmentException; ConstraintViolationException (reason
    POLICY_NUMBER_LIMIT_EXCEEDED) above 5 SCPs per target.
    moto 5.2.5: answers 200 to both and keeps one attachment, so a module could not tell "attached" from "done now".
    Breaks: envops.aws.organizations_policy, which must tell an attachment it made from one that was there.
    Corrected: both refused. moto's own attachments made while it creates an organization, OU or account (the
    default policies) are not refused (they are the first ones).
    """
    from moto.organizations.exceptions import OrganizationsClientError as Refusal
    from moto.organizations import models
    from moto.organizations.exceptions import ConstraintViolationException

    original = models.OrganizationsBackend.attach_policy

    def target_of(self, target_id):
        return next((t for t in list(self.ou) + list(self.accounts) if t.id == target_id), None)

    def attach_policy(self, **kwargs):
        policy = self.get_policy_by_id(kwargs["PolicyId"])
        target = target_of(self, kwargs["TargetId"])
        if target is not None and policy in target.attached_policies:
            raise Refusal("DuplicatePolicyAttachmentException",
                          "The selected policy is already attached to the specified target.")
        if target is not None and policy.type == "SERVICE_CONTROL_POLICY" and len(
                [p for p in target.attached_policies if p.type == "SERVICE_CONTROL_POLICY"]) >= _MAX_SCPS_PER_TARGET:
            raise ConstraintViolationException(
                "You have attached the maximum number of policies to the target (POLICY_NUMBER_LIMIT_EXCEEDED).")
        return original(self, **kwargs)

    models.OrganizationsBackend.attach_policy = attach_policy


def _scp_problem(content):
    """Why AWS refuses this SCP content as malformed, or None."""
    if len(content) > _MAX_SCP_CHARACTERS:
        return "size"
    try:
        document = json.loads(content)
    except ValueError:
        return "not JSON"
    if not isinstance(document, dict) or document.get("Version") != "2012-10-17":
        return "Version"
    statements = document.get("Statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        return "Statement"
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
            return "Effect"
        if ("Action" in statement) == ("NotAction" in statement):
            return "Action"
        if "Principal" in statement or "NotPrincipal" in statement:
            return "Principal"
    return None


@corrects("5.2.5")
def malformed_service_control_policies_are_refused() -> None:
    """CreatePolicy / UpdatePolicy of an SCP that is not a policy document fails.

    AWS: MalformedPolicyDocumentException for content that is not JSON, has no 2012-10-17 Version, no statement,
    an Effect other than Allow/Deny, no (or both) Action/NotAction, or a Principal; ConstraintViolationException
    (POLICY_CONTENT_LIMIT_EXCEEDED) above 5120 characters.
    moto 5.2.5: stores any string as the policy.
    Breaks: envops.aws.organizations_policy's own checks could not be shown to match what AWS refuses.
    Corrected: those refused for SERVICE_CONTROL_POLICY (the other policy types keep moto's behaviour).
    """
    from moto.organizations.exceptions import OrganizationsClientError as Refusal
    from moto.organizations import models
    from moto.organizations.exceptions import ConstraintViolationException

    def check(content):
        problem = _scp_problem(content)
        if problem == "size":
            raise ConstraintViolationException(
                "The provided policy document exceeds the maximum size (POLICY_CONTENT_LIMIT_EXCEEDED).")
        if problem:
            raise Refusal("MalformedPolicyDocumentException",
                          "The provided policy document does not meet the requirements of the specified "
                          "policy type (%s)." % problem)

    create, update = models.OrganizationsBackend.create_policy, models.OrganizationsBackend.update_policy

    def create_policy(self, **kwargs):
        if kwargs.get("Type") == "SERVICE_CONTROL_POLICY":
            check(kwargs.get("Content", ""))
        return create(self, **kwargs)

    def update_policy(self, **kwargs):
        if "Content" in kwargs and self.get_policy_by_id(kwargs["PolicyId"]).type == "SERVICE_CONTROL_POLICY":
            check(kwargs["Content"])
        return update(self, **kwargs)

    models.OrganizationsBackend.create_policy = create_policy
    models.OrganizationsBackend.update_policy = update_policy


@corrects("5.2.5")
def invitations_and_handshakes() -> None:
    """InviteAccountToOrganization, AcceptHandshake, DeclineHandshake, CancelHandshake, DescribeHandshake,
    ListHandshakesForOrganization and ListHandshakesForAccount.

    AWS: the management account invites an existing account (a handshake, OPEN); the invited account accepts it and
    joins the organization under the root (JoinedMethod INVITED), with no role created in it. Inviting an account
    already in the organization fails (DuplicateAccountException), so does a second open invitation
    (DuplicateHandshakeException); accepting while in another organization fails
    (HandshakeConstraintViolationException).
    moto 5.2.5: none of these calls exists (an account can only join by CreateAccount).
    Breaks: envops.aws.organizations_account, which adopts an existing account by inviting it.
    Corrected: the calls above, handshakes kept by the management account's backend.
    """
    import datetime
    import random
    import string

    from moto.organizations.exceptions import OrganizationsClientError as Refusal
    from moto.organizations import models, responses, utils
    from moto.organizations.exceptions import AWSOrganizationsNotInUseException

    def handshake_id():
        return "h-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=10))

    def now():
        return datetime.datetime.now(datetime.timezone.utc)

    def describe(handshake):
        return dict((key, value.timestamp() if isinstance(value, datetime.datetime) else value)
                    for key, value in handshake.items())

    def handshakes_of(backend):
        if not hasattr(backend, "envops_handshakes"):
            backend.envops_handshakes = []
        return backend.envops_handshakes

    def all_handshakes():
        for account_backends in list(models.organizations_backends.values()):
            for backend in list(account_backends.values()):
                for handshake in handshakes_of(backend):
                    yield backend, handshake

    def find(handshake_id_):
        for backend, handshake in all_handshakes():
            if handshake["Id"] == handshake_id_:
                return backend, handshake
        raise Refusal("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that "
                      "you specified.")

    def invite_account_to_organization(self, **kwargs):
        if self.org is None:
            raise AWSOrganizationsNotInUseException
        target = kwargs.get("Target") or {}
        if target.get("Type") != "ACCOUNT":
            raise Refusal("InvalidInputException", "This fix invites by account id (Target Type ACCOUNT).")
        account_id = target.get("Id", "")
        if any(account.id == account_id for account in self.accounts):
            raise Refusal("DuplicateAccountException", "That account is already present in the "
                          "specified organization.")
        if any(h["State"] == "OPEN" and h["Parties"][1]["Id"] == account_id for h in handshakes_of(self)):
            raise Refusal("DuplicateHandshakeException", "A handshake with the same action and target "
                          "already exists.")
        requested = now()
        handshake = {
            "Id": handshake_id(),
            "Arn": "arn:%s:organizations::%s:handshake/%s/invite/%s" % (
                self.partition, self.account_id, self.org.id, "h"),
            "Parties": [{"Id": self.org.id, "Type": "ORGANIZATION"}, {"Id": account_id, "Type": "ACCOUNT"}],
            "State": "OPEN",
            "RequestedTimestamp": requested,
            "ExpirationTimestamp": requested + datetime.timedelta(days=15),
            "Action": "INVITE",
            "Resources": [{"Value": self.org.id, "Type": "ORGANIZATION"},
                          {"Value": kwargs.get("Notes", ""), "Type": "NOTES"}],
        }
        handshake["Arn"] = handshake["Arn"][:-1] + handshake["Id"]
        handshakes_of(self).append(handshake)
        return {"Handshake": describe(handshake)}

    def accept_handshake(self, **kwargs):
        management, handshake = find(kwargs.get("HandshakeId", ""))
        if handshake["Parties"][1]["Id"] != self.account_id:
            raise Refusal("AccessDeniedException", "The handshake is not addressed to this account.")
        if handshake["State"] != "OPEN":
            raise Refusal("InvalidHandshakeTransitionException", "The handshake is %s." % handshake["State"])
        if self.account_id in models.organizations_backends.master_accounts or self.org is not None:
            raise Refusal("HandshakeConstraintViolationException",
                          "The account is already a member of an organization (ALREADY_IN_AN_ORGANIZATION).")
        account = models.FakeAccount.__new__(models.FakeAccount)
        org = management.org
        account.type, account.region, account.organization_id = "ACCOUNT", org.region, org.id
        account.master_account_id = org.master_account_id
        account.create_account_status_id = utils.make_random_create_account_status_id()
        account.id, account.name = self.account_id, self.account_id
        account.email = "%s@invited.invalid" % self.account_id
        account.create_time = models.utcnow()  # moto's timestamps are naive UTC
        account.status = account.state = "ACTIVE"
        account.joined_method = "INVITED"
        account.parent_id = org.root_id
        account.attached_policies = []
        account.tags = {}
        management.accounts.append(account)
        management.attach_policy(PolicyId=utils.DEFAULT_SCP_POLICY_ID, TargetId=account.id)
        models.organizations_backends.master_accounts[account.id] = (management.account_id, management.partition)
        handshake["State"] = "ACCEPTED"
        return {"Handshake": describe(handshake)}

    def settle(self, handshake_id_, state, party):
        _management, handshake = find(handshake_id_)
        if handshake["Parties"][party]["Id"] not in (self.account_id, getattr(self.org, "id", None)):
            raise Refusal("AccessDeniedException", "The handshake is not this account's to %s." % state)
        if handshake["State"] != "OPEN":
            raise Refusal("InvalidHandshakeTransitionException", "The handshake is %s." % handshake["State"])
        handshake["State"] = state
        return {"Handshake": describe(handshake)}

    def describe_handshake(self, **kwargs):
        _backend, handshake = find(kwargs.get("HandshakeId", ""))
        return {"Handshake": describe(handshake)}

    def list_handshakes_for_organization(self, **kwargs):
        if self.org is None:
            raise AWSOrganizationsNotInUseException
        return {"Handshakes": [describe(h) for h in handshakes_of(self)]}

    def list_handshakes_for_account(self, **kwargs):
        return {"Handshakes": [describe(h) for _b, h in all_handshakes() if h["Parties"][1]["Id"] == self.account_id]}

    backend_calls = {
        "invite_account_to_organization": invite_account_to_organization,
        "accept_handshake": accept_handshake,
        "decline_handshake": lambda self, **kwargs: settle(self, kwargs.get("HandshakeId", ""), "DECLINED", 1),
        "cancel_handshake": lambda self, **kwargs: settle(self, kwargs.get("HandshakeId", ""), "CANCELED", 0),
        "describe_handshake": describe_handshake,
        "list_handshakes_for_organization": list_handshakes_for_organization,
        "list_handshakes_for_account": list_handshakes_for_account,
    }

    def response_of(name):
        def respond(self):
            return json.dumps(getattr(self.organizations_backend, name)(**self.request_params))
        return respond

    for name, call in backend_calls.items():
        setattr(models.OrganizationsBackend, name, call)
        setattr(responses.OrganizationsResponse, name, response_of(name))
