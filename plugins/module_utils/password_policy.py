# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The IAM account password policy: the module's options as the API's fields, what AWS reads back, and the calls.

UpdateAccountPasswordPolicy replaces the whole policy (a field left out gets AWS's default), so the policy is always
written whole.
"""

from typing import Any
from typing import Dict
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.baseline_plan import PASSWORD_POLICY

# module option -> API field; the option defaults are the baseline's policy.
OPTION_FIELDS = {
    "minimum_password_length": "MinimumPasswordLength",
    "require_symbols": "RequireSymbols",
    "require_numbers": "RequireNumbers",
    "require_uppercase_characters": "RequireUppercaseCharacters",
    "require_lowercase_characters": "RequireLowercaseCharacters",
    "allow_users_to_change_password": "AllowUsersToChangePassword",
    "max_password_age": "MaxPasswordAge",
    "password_reuse_prevention": "PasswordReusePrevention",
    "hard_expiry": "HardExpiry",
}
FIELD_OPTIONS = {field: option for option, field in OPTION_FIELDS.items()}

# AWS's own limits (UpdateAccountPasswordPolicy); 0 for the age and the reuse means "none".
LIMITS = {"minimum_password_length": (6, 128), "max_password_age": (0, 1095), "password_reuse_prevention": (0, 24)}


def argument_spec() -> Dict[str, Any]:
    spec = {}
    for option, field in OPTION_FIELDS.items():
        value = PASSWORD_POLICY[field]
        # no_log=False: the names say "password", the values are settings, not secrets
        spec[option] = dict(type="bool" if isinstance(value, bool) else "int", default=value, no_log=False)
    spec["state"] = dict(type="str", default="present", choices=["present", "absent"])
    return spec


def problems(params: Dict[str, Any]) -> list:
    found = []
    for option, (low, high) in LIMITS.items():
        if not low <= params[option] <= high:
            found.append("%s must be %d to %d, got %d." % (option, low, high, params[option]))
    return found


def desired(params: Dict[str, Any]) -> Dict[str, Any]:
    """The policy the options ask for, in the module's option names."""
    return {option: params[option] for option in OPTION_FIELDS}


def current(policy: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A GetAccountPasswordPolicy PasswordPolicy in option names ({} when the account has none). AWS leaves out
    MaxPasswordAge and PasswordReusePrevention when they are off: they read as 0."""
    if policy is None:
        return {}
    return {option: bool(policy.get(field, False)) if isinstance(PASSWORD_POLICY[field], bool)
            else int(policy.get(field) or 0) for option, field in OPTION_FIELDS.items()}


def update_params(wanted: Dict[str, Any]) -> Dict[str, Any]:
    """UpdateAccountPasswordPolicy keyword arguments; a 0 age or reuse is left out (AWS refuses 0)."""
    return {OPTION_FIELDS[option]: value for option, value in wanted.items()
            if not (option in ("max_password_age", "password_reuse_prevention") and value == 0)}


class PasswordPolicyErrorHandler(AWSErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NoSuchEntity")


@PasswordPolicyErrorHandler.list_error_handler("read the account password policy", None)
@aws_retry()
def get_policy(client) -> Optional[Dict[str, Any]]:
    return client.get_account_password_policy()["PasswordPolicy"]


@PasswordPolicyErrorHandler.common_error_handler("update the account password policy")
@aws_retry()
def update_policy(client, **params: Any) -> None:
    client.update_account_password_policy(**params)


@PasswordPolicyErrorHandler.deletion_error_handler("delete the account password policy")
@aws_retry()
def delete_policy(client) -> bool:
    client.delete_account_password_policy()
    return True
