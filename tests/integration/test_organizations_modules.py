"""The Organizations modules through a real playbook on a moto server of this module's own: the organization, an OU
found by name, accounts adopted (invited, then moved once they joined) or created, and a service control policy whose
detachment needs its confirmation (refused before any AWS call without it)."""

import json
import subprocess

import boto3
import pytest

from harness import PlaybookRun, VENV_BIN, localhost_playbook, tool_env
from tools.local_inventory import fresh_account_id
from tools.stack.state import calls, reset_calls

REGION = "us-east-1"
SECRET = "local-moto-not-a-secret"
PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/envops.aws.aws:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ management }}"
      secret_key: %s
      region: %s
  tasks:
    - name: organization
      envops.aws.organizations_organization:
      when: "'organization' in steps"
    - name: ou
      envops.aws.organizations_ou:
        name: "{{ ou_name }}"
        parent_id: "{{ parent_id | default(omit) }}"
        state: "{{ ou_state | default('present') }}"
      when: "'ou' in steps"
    - name: account
      envops.aws.organizations_account:
        account_id: "{{ account_id | default(omit) }}"
        name: "{{ account_name | default(omit) }}"
        email: "{{ account_email | default(omit) }}"
        parent_id: "{{ parent_id }}"
      when: "'account' in steps"
    - name: policy
      envops.aws.organizations_policy:
        name: "{{ policy_name }}"
        content: "{{ policy_content | default(omit) }}"
        targets: "{{ targets | default([]) }}"
        purge_targets: "{{ purge_targets | default(false) }}"
        confirm_detach: "{{ confirm_detach | default(omit) }}"
        state: "{{ policy_state | default('present') }}"
      when: "'policy' in steps"
""" % (SECRET, REGION)

DENY_S3 = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyS3", "Effect": "Deny", "Action": ["s3:*"],
                                                   "Resource": "*"}]}


@pytest.fixture(scope="module")
def playbook(tmp_path_factory):
    return localhost_playbook(tmp_path_factory.mktemp("organizations"), "org.yml", PLAYBOOK)


@pytest.fixture(scope="module")
def management():
    return fresh_account_id(3)


def run(playbook, moto_url, management, steps, check=False, **variables):
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(playbook / "hosts.yml"), str(playbook / "org.yml"), "-e",
           json.dumps(dict(variables, moto_url=moto_url, management=management, steps=steps))]
    if check:
        cmd += ["--check", "--diff"]
    proc = subprocess.run(cmd, env=tool_env(), capture_output=True, text=True, timeout=300, check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)


def result(run_, task):
    return run_.facts("localhost", task)


def orgs_client(moto_url, account):
    return boto3.client("organizations", region_name=REGION, endpoint_url=moto_url, aws_access_key_id=account,
                        aws_secret_access_key=SECRET)


@pytest.fixture(scope="module")
def organization(playbook, private_moto, management):
    checked = run(playbook, private_moto, management, ["organization"], check=True)
    assert checked.rc == 0, checked.stdout[-3000:]
    assert result(checked, "organization")["changed"] is True
    client = orgs_client(private_moto, management)
    with pytest.raises(client.exceptions.AWSOrganizationsNotInUseException):
        client.describe_organization()
    first = run(playbook, private_moto, management, ["organization"])
    assert first.rc == 0, first.stdout[-3000:]
    created = result(first, "organization")["organization"]
    again = run(playbook, private_moto, management, ["organization"])
    assert result(again, "organization")["changed"] is False
    return created


def test_the_organization_has_scps_enabled(private_moto, management, organization):
    assert organization["management_account_id"] == management and organization["scp_enabled"] is True
    root = orgs_client(private_moto, management).list_roots()["Roots"][0]
    assert root["Id"] == organization["root_id"]
    assert {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"} in root["PolicyTypes"]


def test_an_ou_is_created_once_and_found_by_name(playbook, private_moto, management, organization):
    checked = run(playbook, private_moto, management, ["ou"], check=True, ou_name="Previews")
    assert result(checked, "ou")["changed"] is True
    client = orgs_client(private_moto, management)
    root = organization["root_id"]
    assert client.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"] == []
    first = run(playbook, private_moto, management, ["ou"], ou_name="Previews")
    again = run(playbook, private_moto, management, ["ou"], ou_name="Previews")
    assert (result(first, "ou")["changed"], result(again, "ou")["changed"]) == (True, False)
    assert result(first, "ou")["ou"]["id"] == result(again, "ou")["ou"]["id"]
    assert [ou["Name"] for ou in client.list_organizational_units_for_parent(ParentId=root)[
        "OrganizationalUnits"]] == ["Previews"]


def test_a_hostile_ou_name_is_refused_before_any_call(playbook, private_moto, management, organization):
    reset_calls(private_moto)
    refused = run(playbook, private_moto, management, ["ou"], ou_name="Prod\nuction", parent_id="r-../..")
    assert refused.rc == 2
    assert "parent_id 'r-../..' is not a root" in refused.failure_messages("localhost")[0]
    assert calls(private_moto)["total"] == 0, calls(private_moto)["by_action"]


def test_an_account_is_invited_then_moved_once_it_joined(playbook, private_moto, management, organization):
    ou = run(playbook, private_moto, management, ["ou"], ou_name="NonProduction")
    ou_id = result(ou, "ou")["ou"]["id"]
    member = fresh_account_id(4)
    checked = run(playbook, private_moto, management, ["account"], check=True, account_id=member, parent_id=ou_id)
    assert result(checked, "account")["account"] == {"id": member, "status": "invited"}
    client = orgs_client(private_moto, management)
    assert client.list_handshakes_for_organization()["Handshakes"] == []

    invited = run(playbook, private_moto, management, ["account"], account_id=member, parent_id=ou_id)
    pending = run(playbook, private_moto, management, ["account"], account_id=member, parent_id=ou_id)

    assert result(invited, "account")["changed"] is True
    handshake = result(invited, "account")["account"]["handshake_id"]
    assert result(pending, "account")["changed"] is False, "an open invitation is not sent twice"
    assert result(pending, "account")["account"] == {"id": member, "status": "invited", "handshake_id": handshake}
    orgs_client(private_moto, member).accept_handshake(HandshakeId=handshake)

    moved = run(playbook, private_moto, management, ["account"], account_id=member, parent_id=ou_id)
    settled = run(playbook, private_moto, management, ["account"], account_id=member, parent_id=ou_id)

    assert result(moved, "account")["changed"] is True
    assert result(moved, "account")["account"] == {"id": member, "status": "member", "parent_id": ou_id}
    assert result(settled, "account")["changed"] is False
    assert client.list_parents(ChildId=member)["Parents"] == [{"Id": ou_id, "Type": "ORGANIZATIONAL_UNIT"}]


def test_an_account_is_created_once_with_its_access_role(playbook, private_moto, management, organization):
    ou = run(playbook, private_moto, management, ["ou"], ou_name="Sandbox")
    ou_id = result(ou, "ou")["ou"]["id"]
    asked = dict(account_name="envops-sandbox", account_email="sandbox@example.com", parent_id=ou_id)
    created = run(playbook, private_moto, management, ["account"], **asked)
    again = run(playbook, private_moto, management, ["account"], **asked)
    assert created.rc == 0, created.stdout[-3000:]
    account = result(created, "account")["account"]
    assert result(created, "account")["changed"] is True and account["status"] == "member"
    assert result(again, "account")["changed"] is False and result(again, "account")["account"]["id"] == account["id"]
    client = orgs_client(private_moto, management)
    assert client.list_parents(ChildId=account["id"])["Parents"][0]["Id"] == ou_id
    sts = boto3.client("sts", region_name=REGION, endpoint_url=private_moto, aws_access_key_id=management,
                       aws_secret_access_key=SECRET)
    assert sts.assume_role(RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % account["id"],
                           RoleSessionName="envops")["Credentials"]["AccessKeyId"]


def test_a_policy_is_created_attached_idempotent_and_its_detachment_needs_confirmation(
        playbook, private_moto, management, organization):
    ou_id = result(run(playbook, private_moto, management, ["ou"], ou_name="Guarded"), "ou")["ou"]["id"]
    asked = dict(policy_name="envops-guardrails-guarded", policy_content=DENY_S3, targets=[ou_id])
    checked = run(playbook, private_moto, management, ["policy"], check=True, **asked)
    client = orgs_client(private_moto, management)
    assert result(checked, "policy")["changed"] is True
    assert [p["Name"] for p in client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]] == ["FullAWSAccess"]

    created = run(playbook, private_moto, management, ["policy"], **asked)
    spelt_otherwise = dict(asked)
    spelt_otherwise["policy_content"] = json.dumps(DENY_S3, indent=4)
    again = run(playbook, private_moto, management, ["policy"], **spelt_otherwise)

    assert created.rc == 0, created.stdout[-3000:]
    policy = result(created, "policy")["policy"]
    assert policy["targets"] == [ou_id] and policy["content"] == DENY_S3
    assert result(again, "policy")["changed"] is False, "the same document spelt otherwise changes nothing"
    assert json.loads(client.describe_policy(PolicyId=policy["id"])["Policy"]["Content"]) == DENY_S3

    updated_content = dict(DENY_S3, Statement=[dict(DENY_S3["Statement"][0], Action=["s3:DeleteBucket"])])
    update = dict(asked)
    update["policy_content"] = updated_content
    updated = run(playbook, private_moto, management, ["policy"], **update)
    assert result(updated, "policy")["changed"] is True
    assert json.loads(client.describe_policy(PolicyId=policy["id"])["Policy"]["Content"]) == updated_content

    reset_calls(private_moto)
    for refused_args in (dict(policy_state="absent"), dict(policy_content=updated_content, targets=[],
                                                           purge_targets=True),
                         dict(policy_state="absent", confirm_detach="Guarded")):
        refused = run(playbook, private_moto, management, ["policy"], policy_name=asked["policy_name"],
                      **refused_args)
        assert refused.rc == 2
        assert "set confirm_detach: envops-guardrails-guarded" in refused.failure_messages("localhost")[0]
    assert calls(private_moto)["total"] == 0, calls(private_moto)["by_action"]
    assert client.list_targets_for_policy(PolicyId=policy["id"])["Targets"][0]["TargetId"] == ou_id

    removed = run(playbook, private_moto, management, ["policy"], policy_name=asked["policy_name"],
                  policy_state="absent", confirm_detach=asked["policy_name"])
    assert result(removed, "policy")["changed"] is True
    assert [p["Name"] for p in client.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]] == ["FullAWSAccess"]


def test_a_malformed_policy_is_refused_before_any_call(playbook, private_moto, management, organization):
    reset_calls(private_moto)
    refused = run(playbook, private_moto, management, ["policy"], policy_name="envops-bad",
                  policy_content={"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "s3:*",
                                                                          "Resource": "*"}]})
    assert refused.rc == 2
    assert "Effect must be Allow or Deny, got 'Permit'" in refused.failure_messages("localhost")[0]
    assert calls(private_moto)["total"] == 0, calls(private_moto)["by_action"]
