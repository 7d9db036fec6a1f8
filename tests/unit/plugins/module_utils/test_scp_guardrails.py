# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SCP of an OU from its environments' specs, and the refusals AWS Organizations makes that moto does not."""
import copy
import json

import pytest

from ansible_collections.envops.aws.plugins.module_utils import scp_guardrails as scp


def env(name, region, ou="Production", dr=None, standby=None, **guardrails):
    spec = {"name": name, "region": region, "account": {"id": "100000000001", "ou": ou, "guardrails": dict(
        dict.fromkeys(scp.GUARDRAILS, True), **guardrails)}}
    if dr:
        spec["dr"] = {"region": dr, "strategy": "warm_standby"}
    if standby:
        spec["standby_for"] = {"environment": "prod", "region": standby}
    return spec


def statement(document, sid):
    return [s for s in document["Statement"] if s["Sid"] == sid][0]


def test_policy_name_is_the_ou_slug():
    assert scp.policy_name("Production") == "envops-guardrails-production"
    assert scp.policy_name("Non Production / EU") == "envops-guardrails-non-production-eu"
    with pytest.raises(ValueError):
        scp.policy_name(" -- ")


def test_every_guardrail_of_a_production_ou():
    document = scp.policy_document([env("prod", "me-south-1", dr="eu-central-1"),
                                    env("dr", "eu-central-1", standby="me-south-1")])
    assert document["Version"] == "2012-10-17"
    assert [s["Sid"] for s in document["Statement"]] == [
        "DenyLeaveOrganization", "ProtectSecurityServices", "DenyOutsideAllowedRegions", "DenyUnencryptedRds",
        "DenyUnencryptedEbs", "DenyS3UploadsWithoutKms", "DenyRootUser"]
    assert all(s["Effect"] == "Deny" and s["Resource"] == "*" for s in document["Statement"])
    assert statement(document, "DenyLeaveOrganization")["Action"] == ["organizations:LeaveOrganization"]
    protected = statement(document, "ProtectSecurityServices")["Action"]
    for action in ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector",
                   "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder",
                   "securityhub:DisableSecurityHub"):
        assert action in protected
    regions = statement(document, "DenyOutsideAllowedRegions")
    assert regions["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "me-south-1"]}}
    assert "Action" not in regions
    for action in ("iam:*", "organizations:*", "sts:*", "route53:*", "cloudfront:*", "budgets:*", "ce:*",
                   "support:*", "waf:*", "health:*"):
        assert action in regions["NotAction"]
    assert statement(document, "DenyUnencryptedRds")["Condition"] == {"Bool": {"rds:StorageEncrypted": "false"}}
    assert statement(document, "DenyUnencryptedEbs") == {
        "Sid": "DenyUnencryptedEbs", "Effect": "Deny", "Action": ["ec2:CreateVolume"], "Resource": "*",
        "Condition": {"Bool": {"ec2:Encrypted": "false"}}}
    assert statement(document, "DenyS3UploadsWithoutKms")["Condition"] == {
        "StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "aws:kms:dsse"]},
        "Null": {"s3:x-amz-server-side-encryption": "false"}}
    assert statement(document, "DenyRootUser")["Condition"] == {
        "StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}}
    assert scp.document_problems(document) == []


def test_only_the_guardrails_the_specs_enable():
    document = scp.policy_document([env("dev", "me-south-1", ou="NonProduction", require_encryption=False,
                                        deny_root=False, allowed_regions_only=False)])
    assert [s["Sid"] for s in document["Statement"]] == ["DenyLeaveOrganization", "ProtectSecurityServices"]


def test_a_guardrail_is_on_when_any_environment_of_the_ou_needs_it():
    relaxed = env("dev", "me-south-1", ou="NonProduction", deny_root=False)
    strict = env("test", "eu-west-1", ou="NonProduction")
    assert "deny_root" in scp.enabled_guardrails([relaxed, strict])
    assert "deny_root" not in scp.enabled_guardrails([relaxed])
    # the regions are the union of both
    assert scp.allowed_regions([relaxed, strict]) == ["eu-west-1", "me-south-1"]


def test_a_spec_without_guardrails_takes_every_one_as_the_schema_default():
    spec = env("dev", "me-south-1")
    del spec["account"]["guardrails"]
    assert scp.enabled_guardrails([spec]) == scp.GUARDRAILS


def test_no_guardrail_no_policy_and_no_environment_refused():
    off = dict.fromkeys(scp.GUARDRAILS, False)
    assert scp.policy_document([env("dev", "me-south-1", **off)]) is None
    with pytest.raises(ValueError):
        scp.policy_document([])


def test_environments_by_ou():
    grouped = scp.environments_by_ou([env("test", "me-south-1", ou="NonProduction"), env("prod", "me-south-1"),
                                      env("dev", "me-south-1", ou="NonProduction")])
    assert sorted(grouped) == ["NonProduction", "Production"]
    assert [e["name"] for e in grouped["NonProduction"]] == ["dev", "test"]


def test_policy_content_is_compact_and_stable():
    document = scp.policy_document([env("prod", "me-south-1")])
    content = scp.policy_content(document)
    assert " " not in content.replace("envops.aws", "")
    assert json.loads(content) == document
    assert content == scp.policy_content(copy.deepcopy(document))


GOOD = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}


def broken(**changes):
    document = copy.deepcopy(GOOD)
    document["Statement"][0].update(changes)
    return document


@pytest.mark.parametrize("document, message", [
    ("{not json", "not JSON"),
    ([], "a policy is a JSON object"),
    ({"Statement": GOOD["Statement"]}, "Version must be 2012-10-17"),
    ({"Version": "2012-10-17", "Statement": []}, "Statement must be a non-empty list"),
    (broken(Effect="Block"), "Effect must be Allow or Deny"),
    (broken(Action=[]), "Action must be a string or a non-empty list of strings"),
    (broken(Action=["s3 GetObject"]), "'s3 GetObject' is not service:action"),
    (broken(Action=[1]), "Action must be a string or a non-empty list of strings"),
    (broken(Action=["s3:GetObject\n"]), "is not service:action"),
    (broken(NotAction="s3:*"), "exactly one of Action and NotAction"),
    (broken(Resource=None), "Resource must be a string"),
    (broken(Principal="*"), "names no principal"),
    (broken(Sid="has space"), "Sid must be letters and digits"),
    (broken(Condition={"Bool": {}}), "Condition maps operators"),
    (broken(Effect="Allow", Condition={"Bool": {"aws:SecureTransport": "false"}}), "an Allow statement of an SCP"),
    ({"Version": "2012-10-17", "Statement": [dict(GOOD["Statement"][0], Sid="A")] * 2}, "Sid A is used twice"),
    ({"Version": "2012-10-17", "Statement": GOOD["Statement"], "Id": "x"}, "unknown top-level element Id"),
])
def test_what_aws_refuses_in_an_scp(document, message):
    problems = scp.document_problems(document)
    assert any(message in problem for problem in problems), problems


def test_a_policy_above_5120_characters_is_refused():
    document = broken(Action=["ec2:DescribeInstance%s" % ("x" * 40 + str(i)) for i in range(120)])
    assert len(scp.policy_content(document)) > 5120
    assert scp.document_problems(document) == ["%d characters, above the 5120 AWS Organizations accepts for an SCP"
                                               % len(scp.policy_content(document))]
    # whitespace counts: the same policy submitted indented is longer still
    assert scp.document_problems(json.dumps(GOOD, indent=2)) == []


def test_a_sixth_policy_on_a_target_is_refused():
    attached = ["p-%08d" % i for i in range(5)]
    assert scp.attachment_problems("ou-abcd-1234", attached, "p-new") == [
        "ou-abcd-1234 already has 5 service control policies attached, the most AWS allows"]
    assert scp.attachment_problems("ou-abcd-1234", attached, attached[0]) == []
    assert scp.attachment_problems("ou-abcd-1234", attached[:4], "p-new") == []
