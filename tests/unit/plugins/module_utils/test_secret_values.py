# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import secret_values


@pytest.fixture(name="secrets")
def fixture_secrets():
    client = boto3.client("secretsmanager", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="not-a-secret")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("secret_id,ok", [
    ("envops/prod/database/master", True),
    ("arn:aws:secretsmanager:me-south-1:210000000004:secret:envops/prod/x-AbCdEf", True),
    ("envops/prod/database/master\n", False),
    ("envops prod", False),
    ("", False),
    ("x" * 513, False),
    ("{{ lookup('pipe', 'id') }}", False),
])
def test_secret_ids_are_checked_before_any_call(secret_id, ok):
    assert (secret_values.secret_id_problems(secret_id) == []) is ok


def test_a_json_secret_is_read_as_an_object(secrets):
    client, stubber = secrets
    stubber.add_response("get_secret_value", {"SecretString": '{"username": "app", "password": "p"}'},
                         {"SecretId": "envops/prod/database/master"})
    assert secret_values.read_secret(client, "envops/prod/database/master", as_json=True) == {
        "username": "app", "password": "p"}


def test_throttling_is_retried_then_the_string_returned(secrets, monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _seconds: None)
    client, stubber = secrets
    stubber.add_client_error("get_secret_value", "ThrottlingException", http_status_code=400)
    stubber.add_response("get_secret_value", {"SecretString": "token"}, {"SecretId": "envops/dev/cache/auth-token"})
    assert secret_values.read_secret(client, "envops/dev/cache/auth-token") == "token"


def test_a_missing_secret_is_none(secrets):
    client, stubber = secrets
    stubber.add_client_error("get_secret_value", "ResourceNotFoundException", http_status_code=400)
    assert secret_values.read_secret(client, "envops/dev/nothing") is None


@pytest.mark.parametrize("stored", ['["a"]', "not json", "42"])
def test_a_string_that_is_no_json_object_is_refused_without_its_text(secrets, stored):
    client, stubber = secrets
    stubber.add_response("get_secret_value", {"SecretString": stored}, {"SecretId": "envops/dev/x"})
    with pytest.raises(secret_values.SecretNotJSON) as raised:
        secret_values.read_secret(client, "envops/dev/x", as_json=True)
    assert stored not in str(raised.value)
