#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: env_spec
short_description: Validate an environment spec and plan its subnets, before any AWS call
version_added: 0.1.0
description:
  - Validates one environment definition of the inventory against the envops.aws schema (types, required and
    unknown keys, choices, CIDR syntax) and the cross-field rules (prod and DR multi-AZ, backup retention vs RPO,
    PITR for sub-daily RPO, DR region differs from the primary, masking outside production, WAF in production).
  - Compares the environment with every other environment of the inventory, whichever hosts the run selects
    (no VPC CIDR overlap between environments that may peer, a dedicated account when either side has complete
    isolation, a consistent DR pairing, unique bucket and table names, lower environments' alarms not stricter than
    production's). A rule that binds two environments fails either one's run.
  - Derives the tier subnets from the VPC CIDR, the tier sizes and the AZ count.
  - Makes no AWS call. Every envops.aws playbook runs it first so bad input stops the run with the environment,
    field and rule named.
author:
  - envops maintainers (@envops)
options:
  name:
    description: Name of the environment (the inventory host).
    type: str
    required: true
  spec:
    description:
      - The environment definition (the inventory variable C(envops_spec)).
      - Taken as it comes, so a missing, null or non-mapping spec is refused naming the environment, the field
        C((spec)) and the rule.
    type: raw
  overrides:
    description:
      - Values this inventory changes on top of O(spec), merged recursively first.
      - The local estate uses it for the fake account ids of the moto server.
    type: dict
    default: {}
  estate:
    description:
      - Every environment the inventory knows, as a mapping of name to C(spec) and C(overrides).
      - Used for the rules that compare environments. An environment that fails the schema (or has no spec) fails
        this run too, naming it, since the rules cannot be checked against it.
    type: dict
    default: {}
attributes:
  check_mode:
    description: The module changes nothing; it runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing changes, so there is no diff.
    support: none
notes:
  - Returns the normalised spec (defaults applied) as the fact C(envops_env) and the subnet plan as
    C(envops_subnet_plan).
extends_documentation_fragment:
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Validate the environment spec before any AWS call
  envops.aws.env_spec:
    name: "{{ inventory_hostname }}"
    spec: "{{ envops_spec }}"
    overrides: "{{ envops_spec_overrides | default({}) }}"

- name: Use the plan
  ansible.builtin.debug:
    msg: "{{ envops_subnet_plan | selectattr('tier', 'equalto', 'db') | map(attribute='cidr') }}"
"""

RETURN = r"""
ansible_facts:
  description: The validated environment.
  returned: success
  type: dict
  contains:
    envops_env:
      description: The normalised spec, with defaults applied and overrides merged.
      type: dict
      returned: success
    envops_subnet_plan:
      description: One entry per subnet, sorted by tier then AZ index.
      type: list
      elements: dict
      returned: success
      sample: [{"tier": "public", "az_index": 0, "cidr": "10.40.0.0/24"}]
problems:
  description: Every violated rule, with environment, field, rule and message.
  returned: always
  type: list
  elements: dict
  sample: [{"environment": "prod", "field": "network.az_count", "rule": "multi_az_required",
            "message": "a production environment needs at least 2 AZs, got 1"}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.envops.aws.plugins.module_utils.env_validator import validate_environment


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            spec=dict(type="raw"),
            overrides=dict(type="dict", default={}),
            estate=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    result = validate_environment(module.params["name"], module.params["spec"], module.params["overrides"],
                                  module.params["estate"])
    problems = [problem.as_dict() for problem in result.problems]
    if problems:
        module.fail_json(
            msg="environment %r refused, before any AWS call:\n%s" % (
                module.params["name"], "\n".join(str(problem) for problem in result.problems)),
            problems=problems,
        )
    module.exit_json(
        changed=False,
        problems=[],
        ansible_facts=dict(envops_env=result.spec, envops_subnet_plan=result.subnet_plan),
    )


if __name__ == "__main__":
    main()
