#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: secretsmanager_secret_value_info
short_description: Read the current value of a Secrets Manager secret
version_added: 0.1.0
description:
  - Reads the current value of the secret O(secret_id) and returns it as RV(value), the string, or with O(json) the
    JSON object the string holds (e.g. C({username, password}) of a database's master secret).
  - The replacement of the lookup P(amazon.aws.secretsmanager_secret#lookup) inside playbooks, since a module runs
    under C(module_defaults) (region, endpoint, credentials and the botocore retry configuration O(aws_config)) and
    retries throttling of every protocol, C(ThrottlingException) included; a lookup gets neither.
  - O(secret_id) is checked against Secrets Manager's rules before any AWS call. A missing secret fails the task
    unless O(on_missing=skip) (then RV(found) is false).
author:
  - envops maintainers (@envops)
options:
  secret_id:
    description: Name or ARN of the secret.
    type: str
    required: true
  json:
    description: Return the JSON object the secret's string holds; a string that is not a JSON object fails the task.
    type: bool
    default: false
  on_missing:
    description: What a missing secret does, V(error) (fail) or V(skip) (RV(found) false, RV(value) null).
    type: str
    choices: [error, skip]
    default: error
attributes:
  check_mode:
    description: Reads only, the same in check mode.
    support: full
  diff_mode:
    description: Nothing is changed.
    support: none
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
notes:
  - Always run it with C(no_log), and the tasks that use its result, since the value is a secret.
"""

EXAMPLES = r"""
- name: Read the master credentials of the database
  envops.aws.secretsmanager_secret_value_info:
    secret_id: envops/prod/database/master
    json: true
  register: master
  no_log: true
# master.value: {"username": "...", "password": "..."}
"""

RETURN = r"""
found:
  description: Whether the secret exists.
  returned: always
  type: bool
  sample: true
value:
  description: The secret's current string, or with O(json) the object it holds; null when it does not exist.
  returned: always
  type: raw
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envops.aws.plugins.module_utils.secret_values import SecretNotJSON
from ansible_collections.envops.aws.plugins.module_utils.secret_values import read_secret
from ansible_collections.envops.aws.plugins.module_utils.secret_values import secret_id_problems


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            secret_id=dict(type="str", required=True),
            json=dict(type="bool", default=False),
            on_missing=dict(type="str", choices=["error", "skip"], default="error"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problems = secret_id_problems(params["secret_id"])
    if problems:
        module.fail_json(msg="; ".join(problems))
    try:
        value = read_secret(module.client("secretsmanager"), params["secret_id"], params["json"])
    except SecretNotJSON as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the secret %s" % params["secret_id"])
    if value is None and params["on_missing"] == "error":
        module.fail_json(msg="No secret %s" % params["secret_id"])
    module.exit_json(changed=False, found=value is not None, value=value)


if __name__ == "__main__":
    main()
