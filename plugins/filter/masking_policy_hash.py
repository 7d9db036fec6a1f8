# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: masking_policy_hash
short_description: The fingerprint of a masking policy, for audit records
version_added: 0.1.0
description:
  - SHA-256 of the canonical JSON of the normalised masking policy (C(envops_masking_policy)). The same rules give
    the same hash however they are written in the inventory. Audit records carry it instead of the policy.
options:
  _input:
    description: The masking policy.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the policy's fingerprint
  ansible.builtin.debug:
    msg: "{{ envops_masking_policy | envops.aws.masking_policy_hash }}"
"""

RETURN = r"""
_value:
  description: Hex SHA-256.
  type: str
"""

from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import policy_hash


def masking_policy_hash(policy):
    return policy_hash(load_policy(policy))


class FilterModule(object):
    def filters(self):
        return {"masking_policy_hash": masking_policy_hash}
