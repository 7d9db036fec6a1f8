"""playbooks/accounts.yml on an estate of five environments (fresh accounts, a moto server of this module's own):
OUs, accounts invited then moved into them, one guardrails SCP per OU with the content the specs give, a re-run
and a --limit run that change nothing, check mode that creates nothing; then a provision that acts in dev's account
through its assumed access role, and one refused cleanly for an account without the role."""

import json

import boto3
import pytest
import yaml

from harness import run_playbook
from tools.collection_path import import_collection
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

account_plan = import_collection("plugins.module_utils.account_plan")

SECRET = "local-moto-not-a-secret"
ENVIRONMENTS = ("dev", "test", "staging", "prod", "dr")
OU_OF = {"dev": "NonProduction", "test": "NonProduction", "staging": "Staging", "prod": "Production",
         "dr": "Production"}


def client(url, service, account, region="us-east-1"):
    return boto3.client(service, region_name=region, endpoint_url=url, aws_access_key_id=account,
                        aws_secret_access_key=SECRET)


@pytest.fixture(scope="module")
def estate(tmp_path_factory, private_moto):
    accounts = dict((name, fresh_account_id(digit)) for digit, name in enumerate(ENVIRONMENTS, start=2))
    management = fresh_account_id(1)
    inventory = write_inventory(tmp_path_factory.mktemp("accounts"), private_moto,
                                dict((name, (None, accounts[name])) for name in ENVIRONMENTS))
    (inventory / "group_vars" / "all" / "management.yml").write_text(yaml.safe_dump({
        "envops_management_access_key": management, "envops_management_secret_key": SECRET}))
    return {"inventory": inventory / "hosts.yml", "accounts": accounts, "management": management,
            "url": private_moto}


@pytest.fixture(scope="module")
def organized(estate):
    """Check mode first, then a run that invites every account, the accounts accepting (dev's administrator also
    creating the access role), a run that moves them, a re-run and check mode again."""
    url, orgs = estate["url"], client(estate["url"], "organizations", estate["management"])
    inventory = estate["inventory"]
    # every run is limited to dev: the organization is the estate's, so each still covers all five environments
    runs = {"check_first": run_playbook("accounts.yml", inventory, limit="dev", check=True, diff=True)}
    runs["organization_after_check"] = _organization_exists(orgs)
    runs["invite"] = run_playbook("accounts.yml", inventory, limit="dev")
    for name, account in estate["accounts"].items():
        member = client(url, "organizations", account)
        for handshake in member.list_handshakes_for_account()["Handshakes"]:
            member.accept_handshake(HandshakeId=handshake["Id"])
    client(url, "iam", estate["accounts"]["dev"]).create_role(
        RoleName="OrganizationAccountAccessRole", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
                "AWS": "arn:aws:iam::%s:root" % estate["management"]}}]}))
    runs["move"] = run_playbook("accounts.yml", inventory, limit="dev")
    runs["again"] = run_playbook("accounts.yml", inventory, limit="dev")
    runs["check_after"] = run_playbook("accounts.yml", inventory, limit="dev", check=True, diff=True)
    for name, run in runs.items():
        if name != "organization_after_check":
            assert run.rc == 0, (name, run.stdout[-4000:], run.stderr[-2000:])
    return runs


def _organization_exists(orgs):
    try:
        orgs.describe_organization()
    except orgs.exceptions.AWSOrganizationsNotInUseException:
        return False
    return True


def expected_plan(estate):
    return account_plan.plan(dict((name, {"spec": load_spec(name), "overrides": {"account": {"id": account}}})
                                  for name, account in estate["accounts"].items()))


def ou_ids(orgs):
    root = orgs.list_roots()["Roots"][0]["Id"]
    return dict((ou["Name"], ou["Id"]) for ou in orgs.list_organizational_units_for_parent(ParentId=root)[
        "OrganizationalUnits"])


def test_check_mode_on_an_empty_management_account_creates_nothing(organized):
    assert organized["organization_after_check"] is False
    assert organized["check_first"].changed_tasks("dev") == ["Have the organization, service control policies enabled",
                                                             "Have the estate's cost allocation tags active"]
    assert organized["check_first"].facts("dev", "envops.aws.accounts : Report each OU")["msg"][0].startswith(
        "OU NonProduction (to create): accounts ")


def test_the_first_run_invites_the_accounts(estate, organized):
    report = organized["invite"].facts("dev", "envops.aws.accounts : Report each OU")["msg"]
    for name, account in estate["accounts"].items():
        assert "%s=invited(%s)" % (account, name) in " ".join(report)


def test_one_ou_per_account_ou_and_every_account_in_its_ou(estate, organized):
    orgs = client(estate["url"], "organizations", estate["management"])
    ids = ou_ids(orgs)
    assert sorted(ids) == ["NonProduction", "Production", "Staging"]
    for name, account in estate["accounts"].items():
        assert orgs.list_parents(ChildId=account)["Parents"] == [{"Id": ids[OU_OF[name]],
                                                                 "Type": "ORGANIZATIONAL_UNIT"}], name
    report = organized["move"].facts("dev", "envops.aws.accounts : Report each OU")["msg"]
    assert len(report) == 3
    assert report[1].startswith("OU Production (%s): accounts %s=member(prod) %s=member(dr); guardrails "
                                "envops-guardrails-production p-" % (ids["Production"], estate["accounts"]["prod"],
                                                                     estate["accounts"]["dr"]))


def test_each_ou_has_its_guardrails_policy_attached_with_the_specs_content(estate, organized):
    orgs = client(estate["url"], "organizations", estate["management"])
    ids = ou_ids(orgs)
    for ou in expected_plan(estate)["ous"]:
        attached = orgs.list_policies_for_target(TargetId=ids[ou["name"]], Filter="SERVICE_CONTROL_POLICY")[
            "Policies"]
        assert sorted(p["Name"] for p in attached) == sorted(["FullAWSAccess", ou["policy_name"]])
        ours = [p for p in attached if p["Name"] == ou["policy_name"]][0]
        assert json.loads(orgs.describe_policy(PolicyId=ours["Id"])["Policy"]["Content"]) == ou["policy_document"]
    production = expected_plan(estate)["ous"][1]["policy_document"]
    regions = [s for s in production["Statement"] if s["Sid"] == "DenyOutsideAllowedRegions"][0]
    assert regions["Condition"]["StringNotEquals"]["aws:RequestedRegion"] == ["eu-central-1", "me-south-1"]


def test_the_estates_cost_allocation_tags_are_active_in_the_management_account(estate, organized):
    # only the management account may activate them (AWS refuses a member account)
    listed = client(estate["url"], "ce", estate["management"], "us-east-1").list_cost_allocation_tags(
        Status="Active")["CostAllocationTags"]
    assert sorted(row["TagKey"] for row in listed) == sorted(["env", "service", "owner", "cost_center", "data_class"])


def test_a_re_run_and_check_mode_change_nothing(organized):
    for name in ("again", "check_after"):
        run = organized[name]
        host = "dev"
        assert run.stats(host)["changed"] == 0, (name, run.changed_tasks(host))


# --tags always: the tasks every run does (spec, the session, the lock, the KMS keys), enough to show where they land
@pytest.fixture(scope="module")
def assumed_provision(estate, organized):
    return run_playbook("provision.yml", estate["inventory"], limit="dev", tags="always",
                        extra_vars={"envops_account_access": "assume_role"})


def data_key_aliases(estate, account, name):
    kms = client(estate["url"], "kms", account, load_spec(name)["region"])
    return [a["AliasName"] for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/envops/")]


def test_a_provision_acts_in_the_environments_account_through_its_access_role(estate, assumed_provision):
    assert assumed_provision.rc == 0, assumed_provision.stdout[-4000:]
    assert sorted(data_key_aliases(estate, estate["accounts"]["dev"], "dev")) == [
        "alias/envops/dev/backups", "alias/envops/dev/data", "alias/envops/dev/logs"]
    assert data_key_aliases(estate, estate["management"], "dev") == []
    # the session is used (its temporary key id, ASIA..., is an identifier modules print) and its secrets never are
    output = assumed_provision.stdout + assumed_provision.stderr
    assert '"access_key": "ASIA' in output
    assert SESSION_TOKEN_PREFIX not in output
    assert not list(printed_secrets(assumed_provision.report))


SESSION_TOKEN_PREFIX = "FQoGZXIvYXdzE"  # moto's, as AWS's session tokens begin


def printed_secrets(node):
    """The secret keys and session tokens a report shows with a value (no_log shows none)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("secret_key", "session_token", "aws_secret_key", "security_token") and value not in (
                    None, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER", SECRET):
                yield key, value
            else:
                yield from printed_secrets(value)
    elif isinstance(node, list):
        for item in node:
            yield from printed_secrets(item)


def test_an_account_without_the_access_role_is_refused_cleanly(estate, organized):
    refused = run_playbook("provision.yml", estate["inventory"], limit="test", tags="always",
                           extra_vars={"envops_account_access": "assume_role"})
    assert refused.rc == 2
    message = refused.failure_messages("test")[-1]
    assert ("environment 'test': cannot act in account %s through role OrganizationAccountAccessRole: STS refused"
            % estate["accounts"]["test"]) in message
    assert data_key_aliases(estate, estate["accounts"]["test"], "test") == []
