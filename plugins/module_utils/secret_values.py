# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading a secret's current value from Secrets Manager, as a string or as the JSON object it holds.

The roles read secrets inside ``module_defaults`` (through module secretsmanager_secret_value_info) rather than with
the amazon.aws lookup: a lookup gets neither the playbooks' botocore retry configuration nor a retry on Secrets
Manager's ``ThrottlingException``. The call goes through the shared retry policy.
"""

import json
import re
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

# Secrets Manager's rules: a name of letters, digits and /_+=.@- (at most 512), or the ARN of a secret.
SECRET_ID = re.compile(r"(arn:aws[a-z\-]*:secretsmanager:[a-z0-9\-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@\-]{1,512}")


class SecretNotJSON(ValueError):
    """The secret's string is not the JSON object the caller asked for (its text is never in the message)."""


def secret_id_problems(secret_id: str, option: str = "secret_id") -> List[str]:
    if SECRET_ID.fullmatch(secret_id):
        return []
    return ["%s: %r is neither a Secrets Manager name (1-512 of letters, digits and /_+=.@-) nor the ARN of a "
            "secret" % (option, secret_id)]


@aws_retry()
def _get_secret_value(client, secret_id: str) -> dict:
    return client.get_secret_value(SecretId=secret_id)


def read_secret(client, secret_id: str, as_json: bool = False):
    """The current value of the secret (its string; with ``as_json`` the JSON object it holds); None when there is no
    such secret. Raises SecretNotJSON when ``as_json`` and the string is no JSON object."""
    try:
        response = _get_secret_value(client, secret_id)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    value: Optional[str] = response.get("SecretString")
    if value is None:
        raise SecretNotJSON("the secret %s holds binary data, not a string" % secret_id)  # also without as_json
    if not as_json:
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise SecretNotJSON("the secret %s does not hold a JSON object" % secret_id)
    return parsed
