# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The masking key, read by the masking modules themselves from its secret in the source's account.

Read inside the module, the key never becomes an Ansible variable (only the secret's id and the source account's
connection are passed), and the read goes through the shared retry policy, which a lookup does not get.
"""

from typing import Any
from typing import Dict
from typing import List

try:
    import boto3
    import botocore
except ImportError:
    pass  # the modules report a missing boto3 themselves

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import _SECRET_ID as SECRET_ID

MIN_KEY_CHARS = 32

# Option key_secret of the masking modules: the secret and the connection to the account that holds it.
KEY_SECRET_OPTIONS = dict(
    secret_id=dict(type="str", required=True),
    region=dict(type="str"),
    endpoint_url=dict(type="str"),
    access_key=dict(type="str", no_log=True),
    secret_key=dict(type="str", no_log=True),
    session_token=dict(type="str", no_log=True),
    profile=dict(type="str"),
    aws_config=dict(type="dict"),
)


class MaskingKeyError(Exception):
    """A key that cannot be used: the message names the option and the rule, never the key."""


def key_secret_problems(key_secret: Dict[str, Any]) -> List[str]:
    """What is wrong with O(key_secret) before any AWS call (empty: nothing)."""
    secret_id = key_secret["secret_id"]
    if not SECRET_ID.match(secret_id):
        return ["key_secret.secret_id: %r is not a Secrets Manager secret name or ARN" % secret_id]
    return []


def checked_key(key: str, origin: str = "key") -> str:
    """The key, if it is long enough for HMAC-SHA256 pseudonyms; MaskingKeyError naming ``origin`` otherwise."""
    if len(key) < MIN_KEY_CHARS:
        raise MaskingKeyError("%s: the masking key must have at least %d characters" % (origin, MIN_KEY_CHARS))
    return key


@aws_retry()
def _secret_value(client, secret_id: str) -> Dict[str, Any]:
    return client.get_secret_value(SecretId=secret_id)


def read_key(client, secret_id: str) -> str:
    """The key held by the secret ``secret_id`` (its string value), checked like O(key)."""
    origin = "key_secret %s" % secret_id
    try:
        value = _secret_value(client, secret_id).get("SecretString")
    except is_boto3_error_code("ResourceNotFoundException"):
        raise MaskingKeyError("%s: the secret does not exist" % origin) from None
    if value is None:
        raise MaskingKeyError("%s: the secret has no string value" % origin)
    return checked_key(value, origin)


def secrets_client(key_secret: Dict[str, Any], default_region: str):
    """A Secrets Manager client for the account of O(key_secret), built from it only (never the module's keys)."""
    session = boto3.session.Session(
        aws_access_key_id=key_secret.get("access_key"), aws_secret_access_key=key_secret.get("secret_key"),
        aws_session_token=key_secret.get("session_token"), profile_name=key_secret.get("profile"),
        region_name=key_secret.get("region") or default_region)
    config = botocore.config.Config(**(key_secret.get("aws_config") or {}))
    return session.client("secretsmanager", endpoint_url=key_secret.get("endpoint_url"), config=config)


def masking_key(module) -> bytes:
    """The key of O(key), or read from O(key_secret); fails the module naming the option, never showing the key."""
    params = module.params
    try:
        if params.get("key") is not None:
            return checked_key(params["key"]).encode("utf-8")
        problems = key_secret_problems(params["key_secret"])
        if problems:
            raise MaskingKeyError("; ".join(problems))
        client = secrets_client(params["key_secret"], module.region)
        return read_key(client, params["key_secret"]["secret_id"]).encode("utf-8")
    except MaskingKeyError as error:
        module.fail_json(msg=str(error))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not read the masking key from key_secret %s"
                             % params["key_secret"]["secret_id"])
