# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Organizations calls: request shapes checked against the API model (botocore Stubber), what is missing read as
None, the identifier patterns refused before any call."""
import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import organizations as orgs


@pytest.fixture
def client():
    organizations = boto3.client("organizations", region_name="us-east-1", aws_access_key_id="a",
                                 aws_secret_access_key="b")
    with Stubber(organizations) as stubber:
        yield organizations, stubber
        stubber.assert_no_pending_responses()


def handshake(account, state, handshake_id="h-0123456789"):
    return {"Id": handshake_id, "State": state, "Action": "INVITE",
            "Parties": [{"Id": "o-abcdefghij", "Type": "ORGANIZATION"}, {"Id": account, "Type": "ACCOUNT"}]}


def test_an_open_invitation_of_the_account_is_found_and_settled_ones_are_not(client):
    organizations, stubber = client
    listed = {"Handshakes": [handshake("100000000001", "DECLINED", "h-aaaaaaaaaa"),
                             handshake("100000000002", "OPEN", "h-bbbbbbbbbb"),
                             handshake("100000000001", "OPEN", "h-cccccccccc")]}
    stubber.add_response("list_handshakes_for_organization", listed, {"Filter": {"ActionType": "INVITE"}})
    assert orgs.open_invitation(organizations, "100000000001")["Id"] == "h-cccccccccc"
    stubber.add_response("list_handshakes_for_organization", listed, {"Filter": {"ActionType": "INVITE"}})
    assert orgs.open_invitation(organizations, "100000000003") is None


def test_an_account_outside_the_organization_and_no_organization_read_as_none(client):
    organizations, stubber = client
    stubber.add_client_error("describe_account", "AccountNotFoundException", http_status_code=400,
                             expected_params={"AccountId": "100000000001"})
    assert orgs.describe_account(organizations, "100000000001") is None
    stubber.add_client_error("describe_organization", "AWSOrganizationsNotInUseException", http_status_code=400)
    assert orgs.describe_organization(organizations) is None


def test_an_invitation_targets_the_account_by_id(client):
    organizations, stubber = client
    stubber.add_response("invite_account_to_organization", {"Handshake": handshake("100000000001", "OPEN")},
                         {"Target": {"Type": "ACCOUNT", "Id": "100000000001"}, "Notes": "join"})
    assert orgs.invite_account(organizations, "100000000001", "join")["State"] == "OPEN"


def test_a_policy_is_found_by_name_among_the_scps(client):
    organizations, stubber = client
    summary = {"Id": "p-12345678", "Arn": "arn:aws:organizations::1:policy/o-a/service_control_policy/p-12345678",
               "Name": "envops-guardrails-production", "Type": "SERVICE_CONTROL_POLICY", "AwsManaged": False}
    stubber.add_response("list_policies", {"Policies": [summary]}, {"Filter": "SERVICE_CONTROL_POLICY"})
    assert orgs.policy_named(organizations, "envops-guardrails-production")["Id"] == "p-12345678"
    stubber.add_response("list_policies", {"Policies": [summary]}, {"Filter": "SERVICE_CONTROL_POLICY"})
    assert orgs.policy_named(organizations, "envops-guardrails-staging") is None


def test_account_creation_is_waited_for(client):
    organizations, stubber = client
    stubber.add_response("describe_create_account_status", {"CreateAccountStatus": {
        "Id": "car-1234567890", "State": "SUCCEEDED", "AccountId": "100000000009"}},
        {"CreateAccountRequestId": "car-1234567890"})
    sleeps = []
    status = orgs.wait_for_account(organizations, {"Id": "car-1234567890", "State": "IN_PROGRESS"}, 60,
                                   sleep=sleeps.append)
    assert status["AccountId"] == "100000000009" and sleeps == [5]


@pytest.mark.parametrize("value, problem", [
    ("r-ab12", None), ("ou-ab12-34cd56ef", None), ("r-AB12", "is not a root"), ("ou-ab12", "is not a root"),
    ("../r-ab12", "is not a root"), ("ou-ab12-34cd56ef\n", "is not a root"),
])
def test_parents_are_checked_against_the_api_patterns(value, problem):
    problems = orgs.parent_problems("parent_id", value)
    assert (problems == []) if problem is None else problem in problems[0]


def test_targets_and_names_are_checked_against_the_api_patterns():
    assert orgs.target_problems(["r-ab12", "ou-ab12-34cd56ef", "100000000001"]) == []
    assert orgs.target_problems(["1000000000011", "p-12345678"]) == [
        "target '1000000000011' is not a root, OU or 12-digit account id",
        "target 'p-12345678' is not a root, OU or 12-digit account id"]
    assert orgs.OU_NAME.fullmatch("Non Production") and not orgs.OU_NAME.fullmatch(" Production")
    assert not orgs.OU_NAME.fullmatch("Prod\nuction") and not orgs.OU_NAME.fullmatch("x" * 129)
    assert orgs.POLICY_NAME.fullmatch("envops-guardrails-production") and not orgs.POLICY_NAME.fullmatch("a/b")
