# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: audit_parity
short_description: The parity diff of two audited environments
version_added: 0.1.0
description:
  - Differences the two specs declare (sizes, thresholds, retention; identity fields such as names, account,
    region, CIDRs and tags left out), apart from drift (each environment's failed checks, the live settings that
    differ from its own spec).
  - Returns the diff and the lines C(audit.yml) prints in compare mode.
positional: pair, results
options:
  _input:
    description: Environment name to its normalised spec (C(envops_env)), for at least the two compared.
    type: dict
    required: true
  pair:
    description: The two environments, C(a,b) (already validated).
    type: str
    required: true
  results:
    description: Environment name to its check results (module M(envops.aws.conformance_audit)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Print the parity diff of staging and prod
  ansible.builtin.debug:
    msg: "{{ (specs | envops.aws.audit_parity('staging,prod', results)).lines }}"
"""

RETURN = r"""
_value:
  description: C(diff) (environments, declared, drift) and C(lines).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.audit_parity import parity
from ansible_collections.envops.aws.plugins.module_utils.audit_parity import parity_lines


def audit_parity(specs, pair, results):
    names = str(pair).split(",")
    missing = [name for name in names if name not in specs or name not in results]
    if len(names) != 2 or missing:
        raise AnsibleFilterError("audit_parity: no audit of %s" % ", ".join(missing or names))
    diff = parity(specs[names[0]], specs[names[1]], results[names[0]], results[names[1]])
    return {"diff": diff, "lines": parity_lines(diff)}


class FilterModule(object):
    def filters(self):
        return {"audit_parity": audit_parity}
