#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: ssm_parameter_info
short_description: Read one SSM parameter, or every parameter under a path
version_added: 0.1.0
description:
  - Reads the parameter O(name), or every parameter under O(path) (its subpaths too with O(recursive)), and returns
    them as RV(parameters), a mapping of name to value. SecureString values are decrypted unless O(decrypt=false).
  - A missing parameter, or a path without any, is no error; RV(found) is false and RV(parameters) empty.
  - The replacement of the lookup P(amazon.aws.ssm_parameter#lookup) inside playbooks, since a module runs under
    C(module_defaults) (region, endpoint, credentials and the botocore retry configuration O(aws_config)) and
    retries throttling of every protocol, C(ThrottlingException) included; a lookup gets neither.
    M(amazon.aws.ssm_parameter) creates and changes one parameter, it does not list a path.
  - O(name) and O(path) are checked against SSM's rules (characters, length, levels) before any AWS call.
author:
  - envops maintainers (@envops)
options:
  name:
    description:
      - Name of one parameter, V(/staging/dynamodb/orders) or a name without levels.
      - Exactly one of O(name) and O(path).
    type: str
  path:
    description:
      - A path of the parameter hierarchy, starting with V(/); every parameter directly under it is read.
      - Exactly one of O(name) and O(path).
    type: str
  recursive:
    description: With O(path), the parameters of its subpaths too.
    type: bool
    default: false
  decrypt:
    description:
      - Decrypt SecureString values (the caller needs C(kms:Decrypt) on their key). With V(false) they are returned
        encrypted, which is enough to list names.
    type: bool
    default: true
  short_names:
    description:
      - Key RV(parameters) by the name under O(path) (V(orders) for V(/staging/dynamodb/orders) under
        V(/staging/dynamodb/), V(app/token) for a subpath), or by the last level of O(name); else by full name.
    type: bool
    default: false
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
  - Register the result with C(no_log) where a value may be a secret (a SecureString read with O(decrypt)).
"""

EXAMPLES = r"""
- name: Read the live DynamoDB tables of staging, by their spec name
  envops.aws.ssm_parameter_info:
    path: /staging/dynamodb/
    short_names: true
  register: tables_live
# tables_live.parameters: {"orders": "staging-orders", "sessions": "staging-sessions.r20261201"}

- name: Read one parameter, missing or not
  envops.aws.ssm_parameter_info:
    name: /staging/dynamodb/orders
  register: orders_table

- name: List the names of every parameter of staging, secure ones left encrypted
  envops.aws.ssm_parameter_info:
    path: /staging/
    recursive: true
    decrypt: false
  register: staging_parameters
  no_log: true  # SecureString values, even encrypted
"""

RETURN = r"""
found:
  description: Whether the parameter O(name) exists, or O(path) holds at least one parameter.
  returned: always
  type: bool
  sample: true
parameters:
  description: Name (full, or short with O(short_names)) to value of each parameter read; empty when none.
  returned: always
  type: dict
  sample:
    /staging/dynamodb/orders: staging-orders
types:
  description: Name (the keys of RV(parameters)) to the type of each parameter, V(String), V(StringList) or
    V(SecureString).
  returned: always
  type: dict
  sample:
    /staging/dynamodb/orders: String
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envops.aws.plugins.module_utils.ssm_parameters import by_name
from ansible_collections.envops.aws.plugins.module_utils.ssm_parameters import name_problems
from ansible_collections.envops.aws.plugins.module_utils.ssm_parameters import read_parameter
from ansible_collections.envops.aws.plugins.module_utils.ssm_parameters import read_path


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str"),
            path=dict(type="str"),
            recursive=dict(type="bool", default=False),
            decrypt=dict(type="bool", default=True),
            short_names=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("name", "path")],
        required_one_of=[("name", "path")],
        supports_check_mode=True,
    )
    params = module.params
    problems = name_problems(params["name"], params["path"])
    if problems:
        module.fail_json(msg="; ".join(problems))
    client = module.client("ssm")
    try:
        if params["name"] is not None:
            parameter = read_parameter(client, params["name"], params["decrypt"])
            found = [] if parameter is None else [parameter]
        else:
            found = read_path(client, params["path"], params["recursive"], params["decrypt"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the SSM parameter(s) %s" % (params["name"] or params["path"]))
    parameters, types = by_name(found, params["path"], params["short_names"])
    module.exit_json(changed=False, found=bool(found), parameters=parameters, types=types)


if __name__ == "__main__":
    main()
