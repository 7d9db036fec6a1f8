"""The Organizations and STS corrections, shown through boto3 against a moto server of this module's own."""

import json
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))  # tools/ is a source tree, not an installed package

from tools.local_inventory import fresh_account_id  # noqa: E402

REGION = "us-east-1"
SCP = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})


def client(url, service, account):
    return boto3.client(service, region_name=REGION, endpoint_url=url, aws_access_key_id=account,
                        aws_secret_access_key="local")


@pytest.fixture
def org(private_moto):
    """A new organization (management account of its own) and its root id."""
    management = fresh_account_id(3)
    orgs = client(private_moto, "organizations", management)
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    return orgs, root, management


def error_code(call, **kwargs):
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def test_a_second_ou_of_the_same_name_under_a_parent_is_refused(org):
    orgs, root, _management = org
    first = orgs.create_organizational_unit(ParentId=root, Name="Production")["OrganizationalUnit"]
    assert error_code(orgs.create_organizational_unit, ParentId=root, Name="Production") == \
        "DuplicateOrganizationalUnitException"
    # the same name under another parent is another OU
    nested = orgs.create_organizational_unit(ParentId=first["Id"], Name="Production")["OrganizationalUnit"]
    assert nested["Id"] != first["Id"]
    assert [ou["Name"] for ou in orgs.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]] \
        == ["Production"]


def test_a_policy_attached_twice_and_a_sixth_scp_are_refused(org):
    orgs, root, _management = org
    ou = orgs.create_organizational_unit(ParentId=root, Name="Staging")["OrganizationalUnit"]["Id"]
    policies = [orgs.create_policy(Name="p%d" % i, Description="", Type="SERVICE_CONTROL_POLICY",
                                   Content=SCP)["Policy"]["PolicySummary"]["Id"] for i in range(5)]
    orgs.attach_policy(PolicyId=policies[0], TargetId=ou)
    assert error_code(orgs.attach_policy, PolicyId=policies[0], TargetId=ou) == "DuplicatePolicyAttachmentException"
    for policy in policies[1:4]:  # FullAWSAccess and 4 of ours: the quota of 5
        orgs.attach_policy(PolicyId=policy, TargetId=ou)
    assert error_code(orgs.attach_policy, PolicyId=policies[4], TargetId=ou) == "ConstraintViolationException"
    attached = orgs.list_policies_for_target(TargetId=ou, Filter="SERVICE_CONTROL_POLICY")["Policies"]
    assert len(attached) == 5


@pytest.mark.parametrize("content", [
    "{not json",
    json.dumps({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}),
    json.dumps({"Version": "2012-10-17", "Statement": []}),
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Block", "Action": "s3:*", "Resource": "*"}]}),
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Resource": "*"}]}),
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                        "Resource": "*"}]}),
])
def test_a_malformed_scp_is_refused_on_create_and_update(org, content):
    orgs, _root, _management = org
    assert error_code(orgs.create_policy, Name="bad", Description="", Type="SERVICE_CONTROL_POLICY",
                      Content=content) == "MalformedPolicyDocumentException"
    good = orgs.create_policy(Name="good", Description="", Type="SERVICE_CONTROL_POLICY", Content=SCP)
    policy_id = good["Policy"]["PolicySummary"]["Id"]
    assert error_code(orgs.update_policy, PolicyId=policy_id, Content=content) == "MalformedPolicyDocumentException"
    assert orgs.describe_policy(PolicyId=policy_id)["Policy"]["Content"] == SCP


def test_an_scp_above_5120_characters_is_refused(org):
    orgs, _root, _management = org
    actions = ["ec2:Describe%s" % ("x" * 60 + str(i)) for i in range(80)]
    content = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": actions, "Resource": "*"}]})
    assert len(content) > 5120
    assert error_code(orgs.create_policy, Name="big", Description="", Type="SERVICE_CONTROL_POLICY",
                      Content=content) == "ConstraintViolationException"


def test_an_invited_account_joins_when_it_accepts(private_moto, org):
    orgs, root, management = org
    member = fresh_account_id(4)
    member_orgs = client(private_moto, "organizations", member)
    handshake = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": member},
                                                    Notes="join us")["Handshake"]
    assert handshake["State"] == "OPEN" and handshake["Action"] == "INVITE"
    assert handshake["Parties"][1] == {"Id": member, "Type": "ACCOUNT"}
    assert error_code(orgs.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": member}) == \
        "DuplicateHandshakeException"
    assert error_code(orgs.describe_account, AccountId=member) == "AccountNotFoundException"
    assert [h["Id"] for h in orgs.list_handshakes_for_organization()["Handshakes"]] == [handshake["Id"]]
    assert [h["Id"] for h in member_orgs.list_handshakes_for_account()["Handshakes"]] == [handshake["Id"]]
    # only the invited account accepts
    assert error_code(client(private_moto, "organizations", fresh_account_id(5)).accept_handshake,
                      HandshakeId=handshake["Id"]) == "AccessDeniedException"

    accepted = member_orgs.accept_handshake(HandshakeId=handshake["Id"])["Handshake"]

    assert accepted["State"] == "ACCEPTED"
    account = orgs.describe_account(AccountId=member)["Account"]
    assert (account["JoinedMethod"], account["Status"]) == ("INVITED", "ACTIVE")
    assert orgs.list_parents(ChildId=member)["Parents"] == [{"Id": root, "Type": "ROOT"}]
    assert member_orgs.describe_organization()["Organization"]["MasterAccountId"] == management
    assert error_code(orgs.invite_account_to_organization, Target={"Type": "ACCOUNT", "Id": member}) == \
        "DuplicateAccountException"
    assert error_code(member_orgs.accept_handshake, HandshakeId=handshake["Id"]) == \
        "InvalidHandshakeTransitionException"
    # joining creates no role in the account (AWS creates OrganizationAccountAccessRole for created accounts only)
    assert client(private_moto, "iam", member).list_roles()["Roles"] == []


def test_an_invitation_can_be_cancelled_or_declined(private_moto, org):
    orgs, _root, _management = org
    declining, cancelled = fresh_account_id(4), fresh_account_id(4)
    first = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": declining})["Handshake"]["Id"]
    second = orgs.invite_account_to_organization(Target={"Type": "ACCOUNT", "Id": cancelled})["Handshake"]["Id"]
    assert client(private_moto, "organizations", declining).decline_handshake(
        HandshakeId=first)["Handshake"]["State"] == "DECLINED"
    assert orgs.cancel_handshake(HandshakeId=second)["Handshake"]["State"] == "CANCELED"
    assert orgs.describe_handshake(HandshakeId=first)["Handshake"]["State"] == "DECLINED"
    assert error_code(orgs.describe_handshake, HandshakeId="h-0000000000") == "HandshakeNotFoundException"


def test_assume_role_needs_the_role_and_a_trust_of_the_callers_account(private_moto, org):
    orgs, _root, management = org
    created = orgs.create_account(AccountName="member", Email="member@example.com")["CreateAccountStatus"]
    member = created["AccountId"]
    sts = client(private_moto, "sts", management)
    arn = "arn:aws:iam::%s:role/OrganizationAccountAccessRole" % member

    session = sts.assume_role(RoleArn=arn, RoleSessionName="envops")["Credentials"]

    assumed = boto3.client("sts", region_name=REGION, endpoint_url=private_moto,
                           aws_access_key_id=session["AccessKeyId"], aws_secret_access_key=session["SecretAccessKey"],
                           aws_session_token=session["SessionToken"])
    assert assumed.get_caller_identity()["Account"] == member
    # a role the account does not have
    assert error_code(sts.assume_role, RoleArn="arn:aws:iam::%s:role/Missing" % member,
                      RoleSessionName="envops") == "AccessDenied"
    # an account that never had the role
    assert error_code(sts.assume_role, RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole"
                      % fresh_account_id(6), RoleSessionName="envops") == "AccessDenied"
    # the role trusts the management account only
    assert error_code(client(private_moto, "sts", fresh_account_id(7)).assume_role, RoleArn=arn,
                      RoleSessionName="envops") == "AccessDenied"
    # a role trusting a service, not an account
    iam = client(private_moto, "iam", member)
    iam.create_role(RoleName="service-only", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    assert error_code(sts.assume_role, RoleArn="arn:aws:iam::%s:role/service-only" % member,
                      RoleSessionName="envops") == "AccessDenied"
    assert error_code(sts.assume_role, RoleArn="arn:aws:iam::not-an-account:role/x",
                      RoleSessionName="envops") == "AccessDenied"


def test_calls_with_session_credentials_answer_quickly(private_moto, org):
    # uncorrected, moto created the IAM backends of every partition of every account it knew for each such call
    orgs, _root, management = org
    members = [orgs.create_account(AccountName="m%d" % i, Email="m%d@example.com" % i)["CreateAccountStatus"][
        "AccountId"] for i in range(3)]
    sts = client(private_moto, "sts", management)
    for member in members:
        session = sts.assume_role(RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % member,
                                  RoleSessionName="envops")["Credentials"]
        assumed = boto3.client("sts", region_name=REGION, endpoint_url=private_moto,
                               aws_access_key_id=session["AccessKeyId"],
                               aws_secret_access_key=session["SecretAccessKey"],
                               aws_session_token=session["SessionToken"])
        started = time.monotonic()
        assert assumed.get_caller_identity()["Account"] == member
        assert time.monotonic() - started < 3
