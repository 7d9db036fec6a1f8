# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import masking_key
from ansible_collections.envops.aws.plugins.module_utils.account_client import account_client

KEY = "k" * 64


@pytest.fixture(name="secrets")
def fixture_secrets():
    client = boto3.client("secretsmanager", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="not-a-secret")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("secret_id,problem", [
    ("envops/masking/key", None),
    ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:envops/masking/key-AbCdEf", None),
    ("envops/masking key", "key_secret.secret_id: 'envops/masking key' is neither a Secrets Manager name"),
    ("{{ key }}", "is neither a Secrets Manager name"),
    ("", "is neither a Secrets Manager name"),
    ("envops/masking/key\n", "is neither a Secrets Manager name"),
])
def test_the_secret_id_is_checked_before_any_call(secret_id, problem):
    problems = masking_key.key_secret_problems({"secret_id": secret_id})
    assert problems == ([] if problem is None else [problems[0]]) and (problem is None or problem in problems[0])


def test_a_short_key_is_refused_naming_where_it_came_from():
    assert masking_key.checked_key(KEY) == KEY
    with pytest.raises(masking_key.MaskingKeyError, match="^key: the masking key must have at least 32 characters"):
        masking_key.checked_key("k" * 31)


def test_the_key_is_read_after_throttling(secrets):
    client, stubber = secrets
    stubber.add_client_error("get_secret_value", "ThrottlingException", http_status_code=400,
                             expected_params={"SecretId": "envops/masking/key"})
    stubber.add_response("get_secret_value", {"Name": "envops/masking/key", "SecretString": KEY},
                         expected_params={"SecretId": "envops/masking/key"})
    assert masking_key.read_key(client, "envops/masking/key") == KEY


@pytest.mark.parametrize("response,message", [
    ({"Name": "envops/masking/key", "SecretString": "short"},
     "key_secret envops/masking/key: the masking key must have at least 32 characters"),
    ({"Name": "envops/masking/key", "SecretBinary": b"k" * 64},
     "key_secret envops/masking/key: the secret has no string value"),
])
def test_a_key_that_cannot_be_used_is_refused_without_showing_it(secrets, response, message):
    client, stubber = secrets
    stubber.add_response("get_secret_value", response)
    with pytest.raises(masking_key.MaskingKeyError) as error:
        masking_key.read_key(client, "envops/masking/key")
    assert str(error.value) == message and "short" not in str(error.value)


def test_a_missing_secret_is_named(secrets):
    client, stubber = secrets
    stubber.add_client_error("get_secret_value", "ResourceNotFoundException", http_status_code=400)
    with pytest.raises(masking_key.MaskingKeyError, match="key_secret envops/masking/key: the secret does not exist"):
        masking_key.read_key(client, "envops/masking/key")


def test_access_denied_is_not_retried_nor_hidden(secrets):
    client, stubber = secrets
    stubber.add_client_error("get_secret_value", "AccessDeniedException", http_status_code=400)
    with pytest.raises(ClientError):
        masking_key.read_key(client, "envops/masking/key")


def test_the_client_uses_the_connection_of_key_secret_only():
    key_secret = {
        "secret_id": "envops/masking/key", "region": "eu-central-1", "endpoint_url": "http://127.0.0.1:5999",
        "access_key": "111111111111", "secret_key": "x",
        "aws_config": {"retries": {"mode": "standard", "max_attempts": 7}}}
    client = account_client("secretsmanager", key_secret, "eu-west-1")
    assert client.meta.region_name == "eu-central-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:5999"
    assert client._request_signer._credentials.access_key == "111111111111"  # pylint: disable=protected-access
    # botocore counts the first attempt too
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 8}
    assert account_client("secretsmanager", {"secret_id": "s"}, "eu-west-1").meta.region_name == "eu-west-1"
