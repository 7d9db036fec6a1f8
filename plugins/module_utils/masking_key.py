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
    import botocore
except ImportError:
    pass  # the modules report a missing boto3 themselves

from ansible_collections.envops.aws.plugins.module_utils.account_client import ACCOUNT_CONNECTION_OPTIONS
from ansible_collections.envops.aws.plugins.module_utils.account_client import account_client
from ansible_collections.envops.aws.plugins.module_utils.secret_values import SecretNotJSON
from ansible_collections.envops.aws.plugins.module_utils.secret_values import read_secret
from ansible_collections.envops.aws.plugins.module_utils.secret_values import secret_id_problems

MIN_KEY_CHARS = 32

# Option key_secret of the masking modules: the secret and the connection to the account that holds it.
KEY_SECRET_OPTIONS = dict(secret_id=dict(type="str", required=True), **ACCOUNT_CONNECTION_OPTIONS)


class MaskingKeyError(Exception):
    """A key that cannot be used: the message names the option and the rule, never the key."""


def key_secret_problems(key_secret: Dict[str, Any]) -> List[str]:
    """What is wrong with O(key_secret) before any AWS call (empty: nothing)."""
    return secret_id_problems(key_secret["secret_id"], "key_secret.secret_id")


def checked_key(key: str, origin: str = "key") -> str:
    """The key, if it is long enough for HMAC-SHA256 pseudonyms; MaskingKeyError naming ``origin`` otherwise."""
    if len(key) < MIN_KEY_CHARS:
        raise MaskingKeyError("%s: the masking key must have at least %d characters" % (origin, MIN_KEY_CHARS))
    return key


def read_key(client, secret_id: str) -> str:
    """The key held by the secret ``secret_id`` (its string value), checked like O(key)."""
    origin = "key_secret %s" % secret_id
    try:
        value = read_secret(client, secret_id)
    except SecretNotJSON:  # a binary secret
        raise MaskingKeyError("%s: the secret has no string value" % origin) from None
    if value is None:
        raise MaskingKeyError("%s: the secret does not exist" % origin)
    return checked_key(value, origin)


def masking_key(module) -> bytes:
    """The key of O(key), or read from O(key_secret); fails the module naming the option, never showing the key."""
    params = module.params
    try:
        if params.get("key") is not None:
            return checked_key(params["key"]).encode("utf-8")
        problems = key_secret_problems(params["key_secret"])
        if problems:
            raise MaskingKeyError("; ".join(problems))
        client = account_client("secretsmanager", params["key_secret"], module.region)
        return read_key(client, params["key_secret"]["secret_id"]).encode("utf-8")
    except MaskingKeyError as error:
        module.fail_json(msg=str(error))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="could not read the masking key from key_secret %s"
                             % params["key_secret"]["secret_id"])
