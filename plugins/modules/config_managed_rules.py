#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: config_managed_rules
version_added: 0.1.0
short_description: A set of AWS Config managed rules in an account and region, the ones no longer wanted removed
description:
  - Keeps the AWS Config managed rules O(rules) (rule name to managed rule identifier) in the account and region,
    evaluated on configuration changes (detective mode), with the rules' default parameters.
  - Rules whose name starts with O(purge_prefix) and that are not in O(rules) are deleted; no other rule is touched.
  - Rules are compared by identifier, input parameters and evaluation modes, not by the raw API answer, so a
    converged set reports no change (community.aws.config_rule has no check mode).
  - AWS Config evaluates rules only once a configuration recorder records (envops.aws.config_recorder).
author:
  - envops maintainers (@envops)
options:
  rules:
    description: Rule name to managed rule identifier, for example C(envops-encrypted-volumes) to
      C(ENCRYPTED_VOLUMES).
    type: dict
    required: true
  purge_prefix:
    description:
      - Rules of this name prefix that are not in O(rules) are deleted. Omitted, no rule is deleted.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
attributes:
  check_mode:
    description: Lists the rules and reports the ones that would be put or deleted, without calling PutConfigRule or
      DeleteConfigRule.
    support: full
  diff_mode:
    description: The rules (name to identifier) before and after.
    support: full
"""

EXAMPLES = r"""
- name: The baseline's managed rules, envops-* rules no longer listed removed
  envops.aws.config_managed_rules:
    rules:
      envops-encrypted-volumes: ENCRYPTED_VOLUMES
      envops-rds-storage-encrypted: RDS_STORAGE_ENCRYPTED
    purge_prefix: envops-
"""

RETURN = r"""
rules:
  description: Rule name to managed rule identifier after the run, for the rules of O(rules) and of O(purge_prefix).
  returned: always
  type: dict
  sample: {"envops-encrypted-volumes": "ENCRYPTED_VOLUMES"}
put:
  description: Names of the rules created or changed (or that would be, in check mode).
  returned: always
  type: list
  elements: str
deleted:
  description: Names of the rules deleted (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import config_rules


def summary(current, wanted_names, prefix):
    """Name -> identifier of the rules this module answers for."""
    return dict((name, state["identifier"]) for name, state in sorted(current.items())
                if name in wanted_names or (prefix and name.startswith(prefix)))


def read(client):
    """Every rule of the account and region as compared, by name."""
    return dict((name, config_rules.state_of(rule)) for name, rule in config_rules.describe_rules(client).items())


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            rules=dict(type="dict", required=True),
            purge_prefix=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    rules, prefix = module.params["rules"], module.params["purge_prefix"]
    problems = config_rules.validate(rules, prefix)
    if problems:
        module.fail_json(msg="AWS Config rules: %s" % " ".join(problems))
    client = module.client("config")
    try:
        current = read(client)
        changes = config_rules.plan(current, rules, prefix)
        before = summary(current, rules, prefix)
        after = dict((name, identifier) for name, identifier in before.items() if name not in changes["delete"])
        after.update(rules)
        result = dict(rules=dict(sorted(after.items())), put=changes["put"], deleted=changes["delete"])
        if not changes["put"] and not changes["delete"]:
            module.exit_json(changed=False, **result)
        diff = {"before": before, "after": result["rules"]}
        if module.check_mode:
            module.exit_json(changed=True, diff=diff, **result)
        for name in changes["put"]:
            config_rules.put_rule(client, name, rules[name], "envops baseline: AWS managed rule %s" % rules[name])
        for name in changes["delete"]:
            config_rules.delete_rule(client, name)
        current = read(client)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    result["rules"] = summary(current, rules, prefix)
    module.exit_json(changed=True, diff=dict(diff, after=result["rules"]), **result)


if __name__ == "__main__":
    main()
