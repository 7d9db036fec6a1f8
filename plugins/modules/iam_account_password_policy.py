#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: iam_account_password_policy
version_added: 0.1.0
short_description: Keep the IAM password policy of an account, with check mode and diff
description:
  - Keeps the IAM account password policy as given, or removes it. The defaults are the collection's baseline
    (CIS AWS Foundations - 14 characters, every character class, 90 days, the last 24 passwords not reused).
  - The policy is always written whole (UpdateAccountPasswordPolicy resets what it is not given), and only when
    it differs.
  - Unlike amazon.aws.iam_password_policy, check mode writes nothing.
author:
  - envops maintainers (@envops)
options:
  minimum_password_length:
    description: Minimum length of a password (6 to 128).
    type: int
    default: 14
  require_symbols:
    description: A password needs a symbol.
    type: bool
    default: true
  require_numbers:
    description: A password needs a digit.
    type: bool
    default: true
  require_uppercase_characters:
    description: A password needs an uppercase letter.
    type: bool
    default: true
  require_lowercase_characters:
    description: A password needs a lowercase letter.
    type: bool
    default: true
  allow_users_to_change_password:
    description: IAM users may change their own password.
    type: bool
    default: true
  max_password_age:
    description: Days a password is valid (1 to 1095); V(0) for no expiry.
    type: int
    default: 90
  password_reuse_prevention:
    description: How many previous passwords may not be reused (1 to 24); V(0) for no check.
    type: int
    default: 24
  hard_expiry:
    description: An expired password can only be reset by an administrator.
    type: bool
    default: false
  state:
    description: V(present) keeps the policy, V(absent) deletes it (the account falls back to AWS's default).
    type: str
    default: present
    choices: [present, absent]
attributes:
  check_mode:
    description: Reads the policy and reports the change without UpdateAccountPasswordPolicy or
      DeleteAccountPasswordPolicy.
    support: full
  diff_mode:
    description: Returns the policy before and after, in the option names.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: The baseline's password policy
  envops.aws.iam_account_password_policy:

- name: A longer minimum length, the rest as the baseline
  envops.aws.iam_account_password_policy:
    minimum_password_length: 20
"""

RETURN = r"""
password_policy:
  description: The policy after the run (in check mode, the policy it would be), in the option names; empty when
    there is none.
  returned: always
  type: dict
  sample: {"minimum_password_length": 14, "require_symbols": true, "require_numbers": true,
           "require_uppercase_characters": true, "require_lowercase_characters": true,
           "allow_users_to_change_password": true, "max_password_age": 90, "password_reuse_prevention": 24,
           "hard_expiry": false}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import password_policy


def main():
    module = AnsibleAWSModule(argument_spec=password_policy.argument_spec(), supports_check_mode=True)
    params = module.params
    if params["state"] == "present":
        problems = password_policy.problems(params)
        if problems:
            module.fail_json(msg="password policy: " + " ".join(problems))
    client = module.client("iam")
    try:
        before = password_policy.current(password_policy.get_policy(client))
        after = password_policy.desired(params) if params["state"] == "present" else {}
        changed = before != after
        if changed and not module.check_mode:
            if after:
                password_policy.update_policy(client, **password_policy.update_params(after))
            else:
                password_policy.delete_policy(client)
            after = password_policy.current(password_policy.get_policy(client))
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    result = dict(changed=changed, password_policy=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
