"""What the audit reads, against botocore's Stubber (request shapes checked against the API models): absent
settings are evidence, never errors; only reads are made."""

import json

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import audit_evidence as ae


def client(service):
    return boto3.client(service, region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_a_bucket_without_policy_block_or_tags_is_read_as_such():
    s3 = client("s3")
    with Stubber(s3) as stub:
        stub.add_client_error("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError",
                              expected_params={"Bucket": "b1"})
        stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", expected_params={"Bucket": "b1"})
        stub.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration",
                              expected_params={"Bucket": "b1"})
        stub.add_client_error("get_bucket_tagging", "NoSuchTagSet", expected_params={"Bucket": "b1"})
        assert ae.read_bucket(s3, "b1") == {"name": "b1", "exists": True, "encryption": None, "policy": None,
                                            "public_access_block": None, "tags": {}}


def test_a_bucket_that_does_not_exist_costs_one_call():
    s3 = client("s3")
    with Stubber(s3) as stub:
        stub.add_client_error("get_bucket_encryption", "NoSuchBucket", http_status_code=404)
        assert ae.read_bucket(s3, "b1") == {"name": "b1", "exists": False}


def test_a_bucket_s_settings_are_read_as_the_checks_want_them():
    s3 = client("s3")
    policy = {"Version": "2012-10-17", "Statement": []}
    with Stubber(s3) as stub:
        stub.add_response("get_bucket_encryption", {"ServerSideEncryptionConfiguration": {"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:k"},
            "BucketKeyEnabled": True}]}}, {"Bucket": "b1"})
        stub.add_response("get_bucket_policy", {"Policy": json.dumps(policy)}, {"Bucket": "b1"})
        stub.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}},
                          {"Bucket": "b1"})
        stub.add_response("get_bucket_tagging", {"TagSet": [{"Key": "env", "Value": "prod"}]}, {"Bucket": "b1"})
        evidence = ae.read_bucket(s3, "b1")
    assert evidence["encryption"] == {"algorithm": "aws:kms", "kms_key_id": "arn:k", "bucket_key": True}
    assert evidence["policy"] == policy and evidence["tags"] == {"env": "prod"}


def test_an_account_outside_the_organization_is_evidence_not_an_error():
    org = client("organizations")
    with Stubber(org) as stub:
        stub.add_response("list_roots", {"Roots": [{"Id": "r-ab12"}]})
        stub.add_response("list_organizational_units_for_parent", {"OrganizationalUnits": [
            {"Id": "ou-ab12-11111111", "Name": "Production"}]}, {"ParentId": "r-ab12"})
        stub.add_response("list_policies_for_target", {"Policies": [{"Name": "envops-guardrails-production"}]},
                          {"TargetId": "ou-ab12-11111111", "Filter": "SERVICE_CONTROL_POLICY"})
        stub.add_client_error("list_parents", "AccountNotFoundException", expected_params={"ChildId": "111111111111"})
        evidence = ae.read_organization(org, {"name": "prod", "account": {"id": "111111111111", "ou": "Production"}},
                                        "envops-guardrails-production")
    assert evidence == {"ou": "Production", "ou_id": "ou-ab12-11111111", "expected_policy": "envops-guardrails-production",
                        "policies": ["envops-guardrails-production"], "account_parent": None}


def test_no_organization_is_recorded_as_the_error_it_is():
    org = client("organizations")
    with Stubber(org) as stub:
        stub.add_client_error("list_roots", "AWSOrganizationsNotInUseException", "no organization")
        evidence = ae.read_organization(org, {"name": "prod", "account": {"id": "111111111111", "ou": "Production"}},
                                        "envops-guardrails-production")
    assert evidence["error"] == "AWSOrganizationsNotInUseException: no organization"


@pytest.mark.parametrize("code,expected", [
    ("InvalidAccessException", {"enabled": False, "standards": []}),
    ("404", {"enabled": None, "standards": [], "error": "404: Not Found"}),
])
def test_security_hub_off_or_unreadable(code, expected):
    hub = client("securityhub")
    with Stubber(hub) as stub:
        stub.add_client_error("get_enabled_standards", code, "Not Found", http_status_code=404 if code == "404" else 401)
        assert ae.read_securityhub(hub) == expected
