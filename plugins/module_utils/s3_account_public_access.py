# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The S3 public access block of a whole account (S3 Control), and the endpoint quirk of S3 Control.

S3 Control puts the account id in front of the host (<account>.s3-control.<region>.amazonaws.com); against an
endpoint URL (a test server, a proxy) that name resolves nowhere, so the prefix is taken off again before sending,
only when an endpoint URL is set.
"""

from typing import Any
from typing import Dict
from typing import Optional
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.baseline_plan import ACCOUNT_PUBLIC_ACCESS_BLOCK

OPTION_FIELDS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


def argument_spec() -> Dict[str, Any]:
    spec = {option: dict(type="bool", default=ACCOUNT_PUBLIC_ACCESS_BLOCK[field]) for option, field in OPTION_FIELDS.items()}
    spec["state"] = dict(type="str", default="present", choices=["present", "absent"])
    return spec


def desired(params: Dict[str, Any]) -> Dict[str, bool]:
    return {option: bool(params[option]) for option in OPTION_FIELDS}


def current(configuration: Optional[Dict[str, Any]]) -> Dict[str, bool]:
    """A PublicAccessBlockConfiguration in option names ({} when the account has none)."""
    if configuration is None:
        return {}
    return {option: bool(configuration.get(field, False)) for option, field in OPTION_FIELDS.items()}


def strip_account_host_prefix(account_id: str):
    """A before-send handler taking <account_id>. off the host of a request (see the module docstring)."""
    prefix = account_id + "."

    def handler(request, **kwargs):
        parts = urlsplit(request.url)
        if parts.netloc.startswith(prefix):
            request.url = urlunsplit(parts._replace(netloc=parts.netloc[len(prefix):]))

    return handler


def use_endpoint_url(client, endpoint_url: Optional[str], account_id: str) -> None:
    if endpoint_url:
        client.meta.events.register("before-send.s3-control", strip_account_host_prefix(account_id))


class PublicAccessBlockErrorHandler(AWSErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NoSuchPublicAccessBlockConfiguration")


@PublicAccessBlockErrorHandler.list_error_handler("read the account public access block", None)
@aws_retry()
def get_block(client, account_id: str) -> Optional[Dict[str, Any]]:
    return client.get_public_access_block(AccountId=account_id)["PublicAccessBlockConfiguration"]


@PublicAccessBlockErrorHandler.common_error_handler("put the account public access block")
@aws_retry()
def put_block(client, account_id: str, wanted: Dict[str, bool]) -> None:
    client.put_public_access_block(AccountId=account_id, PublicAccessBlockConfiguration={
        OPTION_FIELDS[option]: value for option, value in wanted.items()})


@PublicAccessBlockErrorHandler.deletion_error_handler("delete the account public access block")
@aws_retry()
def delete_block(client, account_id: str) -> bool:
    client.delete_public_access_block(AccountId=account_id)
    return True
