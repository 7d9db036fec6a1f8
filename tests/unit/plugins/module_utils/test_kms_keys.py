# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils.kms_keys import resolve_kms_key

ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def kms():
    client = boto3.client("kms", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture(autouse=True)
def no_retry_sleep(monkeypatch):
    """The retry's backoff sleeps between attempts: not in unit tests."""
    monkeypatch.setattr("time.sleep", lambda seconds: None)


def test_an_alias_resolves_to_the_key_arn_through_throttling(kms):
    client, stubber = kms
    stubber.add_client_error("describe_key", "ThrottlingException", http_status_code=400)
    stubber.add_client_error("describe_key", "KMSInternalException", http_status_code=500)
    stubber.add_client_error("describe_key", "InternalFailure", http_status_code=500)
    stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": "1234abcd", "Arn": ARN}},
                         {"KeyId": "alias/envops-dev-data"})
    assert resolve_kms_key(client, "alias/envops-dev-data") == ARN


def test_a_missing_key_is_none(kms):
    client, stubber = kms
    stubber.add_client_error("describe_key", "NotFoundException", http_status_code=400)
    assert resolve_kms_key(client, "alias/none") is None


def test_access_denied_is_raised_at_once(kms):
    client, stubber = kms
    stubber.add_client_error("describe_key", "AccessDeniedException", http_status_code=400)
    with pytest.raises(ClientError, match="AccessDeniedException"):
        resolve_kms_key(client, "alias/envops-dev-data")
