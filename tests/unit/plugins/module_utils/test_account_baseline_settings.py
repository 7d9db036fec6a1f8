# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password policy, EBS default encryption, account public access block, cost allocation tags: the pure logic and
the calls, with botocore's Stubber checking each request against the API model."""

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils import caller_account
from ansible_collections.envops.aws.plugins.module_utils import cost_allocation_tags as tags
from ansible_collections.envops.aws.plugins.module_utils import ebs_default_encryption as ebs
from ansible_collections.envops.aws.plugins.module_utils import password_policy
from ansible_collections.envops.aws.plugins.module_utils import s3_account_public_access as blocks
from ansible_collections.envops.aws.plugins.module_utils.baseline_plan import PASSWORD_POLICY

KEY = "arn:aws:kms:eu-central-1:111111111111:key/0b4ab09d-9afc-4151-b355-f63952e91d94"


def stubbed(service, region="eu-central-1"):
    client = boto3.client(service, region_name=region, aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="not-a-secret")
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


def baseline_params(**changes):
    params = {option: spec["default"] for option, spec in password_policy.argument_spec().items()}
    params.update(changes)
    return params


# --- password policy ----------------------------------------------------------------------------------------------

def test_password_policy_defaults_are_the_baseline_plan():
    spec = password_policy.argument_spec()
    assert {password_policy.OPTION_FIELDS[option]: spec[option]["default"]
            for option in password_policy.OPTION_FIELDS} == PASSWORD_POLICY
    assert spec["require_symbols"]["type"] == "bool" and spec["max_password_age"]["type"] == "int"


@pytest.mark.parametrize("changes,problem", [
    ({}, None),
    ({"minimum_password_length": 5}, "minimum_password_length must be 6 to 128, got 5."),
    ({"max_password_age": 1096}, "max_password_age must be 0 to 1095"),
    ({"password_reuse_prevention": 25}, "password_reuse_prevention must be 0 to 24"),
    ({"max_password_age": 0, "password_reuse_prevention": 0}, None),
])
def test_password_policy_limits(changes, problem):
    problems = password_policy.problems(baseline_params(**changes))
    assert (problems == []) if problem is None else (len(problems) == 1 and problem in problems[0])


def test_policy_read_back_compares_equal_to_the_wanted_one():
    wanted = password_policy.desired(baseline_params())
    read = dict(PASSWORD_POLICY, ExpirePasswords=True)
    assert password_policy.current(read) == wanted
    assert password_policy.current(None) == {}
    # AWS leaves out the age and the reuse when they are off
    off = {key: value for key, value in read.items() if key not in ("MaxPasswordAge", "PasswordReusePrevention")}
    assert password_policy.current(off) == dict(wanted, max_password_age=0, password_reuse_prevention=0)


def test_policy_is_written_whole_and_off_values_left_out():
    wanted = password_policy.desired(baseline_params(max_password_age=0))
    params = password_policy.update_params(wanted)
    assert "MaxPasswordAge" not in params and params["PasswordReusePrevention"] == 24
    client, stubber = stubbed("iam", "us-east-1")
    stubber.add_response("update_account_password_policy", {}, params)
    stubber.add_client_error("get_account_password_policy", "NoSuchEntity", http_status_code=404)
    password_policy.update_policy(client, **params)
    assert password_policy.get_policy(client) is None
    stubber.assert_no_pending_responses()


# --- EBS encryption by default ------------------------------------------------------------------------------------

@pytest.mark.parametrize("key,refused", [
    (None, False), (KEY, False), ("alias/aws/ebs", False), ("alias/envops/dev/data", True),
    ("arn:aws:kms:eu-central-1:111111111111:alias/x", True), (KEY + "/../x", True),
])
def test_ebs_key_must_be_a_key_arn(key, refused):
    assert bool(ebs.problems({"kms_key_id": key})) is refused


def test_ebs_unset_key_is_left_alone_and_differences_named():
    current = {"encryption_by_default": False, "kms_key_id": "alias/aws/ebs"}
    assert ebs.desired({"encryption_by_default": True, "kms_key_id": None}, current) == {
        "encryption_by_default": True, "kms_key_id": "alias/aws/ebs"}
    assert ebs.differing(current, {"encryption_by_default": True, "kms_key_id": KEY}) == [
        "encryption_by_default", "kms_key_id"]
    assert ebs.differing(current, dict(current)) == []


def test_ebs_calls():
    client, stubber = stubbed("ec2")
    stubber.add_response("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": False}, {})
    stubber.add_response("get_ebs_default_kms_key_id", {"KmsKeyId": "alias/aws/ebs"}, {})
    stubber.add_response("modify_ebs_default_kms_key_id", {"KmsKeyId": KEY}, {"KmsKeyId": KEY})
    stubber.add_response("enable_ebs_encryption_by_default", {"EbsEncryptionByDefault": True}, {})
    stubber.add_response("reset_ebs_default_kms_key_id", {"KmsKeyId": "alias/aws/ebs"}, {})
    assert ebs.read_settings(client) == {"encryption_by_default": False, "kms_key_id": "alias/aws/ebs"}
    ebs.set_key(client, KEY)
    ebs.set_encryption(client, True)
    ebs.set_key(client, "alias/aws/ebs")
    stubber.assert_no_pending_responses()


# --- account public access block, account id -----------------------------------------------------------------------

def test_public_access_block_defaults_block_everything_and_read_back_compares():
    spec = blocks.argument_spec()
    params = {option: spec[option]["default"] for option in blocks.OPTION_FIELDS}
    assert all(params.values())
    read = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    assert blocks.current(read) == blocks.desired(params)
    assert blocks.current(None) == {}


class _Request:
    def __init__(self, url):
        self.url = url


@pytest.mark.parametrize("url,expected", [
    ("http://111111111111.127.0.0.1:4566/v20180820/configuration/publicAccessBlock",
     "http://127.0.0.1:4566/v20180820/configuration/publicAccessBlock"),
    ("http://127.0.0.1:4566/v20180820/configuration/publicAccessBlock",
     "http://127.0.0.1:4566/v20180820/configuration/publicAccessBlock"),
    ("http://222222222222.127.0.0.1:4566/x", "http://222222222222.127.0.0.1:4566/x"),  # another account: untouched
])
def test_account_host_prefix_stripped(url, expected):
    request = _Request(url)
    blocks.strip_account_host_prefix("111111111111")(request)
    assert request.url == expected


def test_hook_registered_only_with_an_endpoint_url():
    sent = []
    for endpoint in (None, "http://127.0.0.1:4566"):
        client = boto3.client("s3control", region_name="eu-central-1", endpoint_url=endpoint,
                              aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-secret")
        blocks.use_endpoint_url(client, endpoint, "111111111111")
        client.meta.events.register("before-send.s3-control", lambda request, **kwargs: sent.append(request.url) or
                                    _FakeResponse())
        client.get_public_access_block(AccountId="111111111111")
    assert sent[0].startswith("https://111111111111.s3-control.eu-central-1.amazonaws.com/")
    assert sent[1] == "http://127.0.0.1:4566/v20180820/configuration/publicAccessBlock"


class _FakeResponse:
    """What a before-send handler may answer instead of sending: an empty 200 (never reaches the network)."""
    status_code = 200
    headers = {}
    content = (b'<GetPublicAccessBlockOutput><PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>'
               b'</PublicAccessBlockConfiguration></GetPublicAccessBlockOutput>')
    raw = None

    @property
    def text(self):
        return self.content.decode()


def test_public_access_block_calls_and_missing_block():
    client, stubber = stubbed("s3control")
    configuration = {option: True for option in blocks.OPTION_FIELDS.values()}
    stubber.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", http_status_code=404,
                             expected_params={"AccountId": "111111111111"})
    stubber.add_response("put_public_access_block", {}, {"AccountId": "111111111111",
                                                         "PublicAccessBlockConfiguration": configuration})
    stubber.add_client_error("delete_public_access_block", "NoSuchPublicAccessBlockConfiguration",
                             http_status_code=404)
    assert blocks.get_block(client, "111111111111") is None
    blocks.put_block(client, "111111111111", {option: True for option in blocks.OPTION_FIELDS})
    assert blocks.delete_block(client, "111111111111") is False
    stubber.assert_no_pending_responses()


def test_caller_account_from_sts_and_a_failure_named():
    client, stubber = stubbed("sts")
    stubber.add_response("get_caller_identity", {"Account": "111111111111", "Arn": "arn:aws:iam::111111111111:root",
                                                 "UserId": "x"}, {})
    stubber.add_client_error("get_caller_identity", "AccessDenied", http_status_code=403)
    assert caller_account.caller_account_id(client) == "111111111111"
    with pytest.raises(AnsibleAWSError, match="GetCallerIdentity"):
        caller_account.caller_account_id(client)


# --- cost allocation tags -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("keys,problem", [
    (["env", "cost_center"], None),
    (["aws:createdBy"], "'aws:createdBy' is not"),
    (["env", "bad\nkey"], "bad\\nkey"),
    ([], "at least one"),
])
def test_tag_keys_refused(keys, problem):
    problems = tags.problems({"tag_keys": keys})
    assert (problems == []) if problem is None else (problem in problems[0])


def test_only_keys_not_yet_in_status_change_and_in_batches_of_20():
    assert tags.to_change({"env": "Active", "owner": "Inactive"}, ["env", "owner", "service", "env"], "Active") == [
        "owner", "service"]
    keys = ["k%d" % number for number in range(45)]
    assert [len(batch) for batch in tags.batches(keys)] == [20, 20, 5]


def test_cost_allocation_calls_return_what_aws_could_not_update():
    client, stubber = stubbed("ce", "us-east-1")
    stubber.add_response("list_cost_allocation_tags", {"CostAllocationTags": [
        {"TagKey": "env", "Type": "UserDefined", "Status": "Inactive"}]},
        {"TagKeys": ["env", "owner"], "Type": "UserDefined"})
    error = {"TagKey": "owner", "Code": "TagKeysNotFoundException", "Message": "not found"}
    stubber.add_response("update_cost_allocation_tags_status", {"Errors": [error]}, {"CostAllocationTagsStatus": [
        {"TagKey": "env", "Status": "Active"}, {"TagKey": "owner", "Status": "Active"}]})
    assert tags.statuses(tags.list_tags(client, ["env", "owner"])) == {"env": "Inactive"}
    assert tags.update_status(client, ["env", "owner"], "Active") == [error]
    stubber.assert_no_pending_responses()
