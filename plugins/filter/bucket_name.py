# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bucket_name
short_description: The S3 bucket of an environment for a purpose
version_added: 0.1.0
description:
  - The C(name) the spec gives the bucket of that purpose, else C(envops-<env>-<account id>-<purpose>), the name role
    C(buckets) creates it under.
options:
  _input:
    description: The validated environment spec (C(envops_env)).
    type: dict
    required: true
  purpose:
    description: The bucket's purpose (backups, exports, ...).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Name the backups bucket
  ansible.builtin.debug:
    msg: "{{ envops_env | envops.aws.bucket_name('backups') }}"
"""

RETURN = r"""
_value:
  description: The bucket name.
  type: str
"""


from ansible_collections.envops.aws.plugins.module_utils import env_rules


def bucket_name(env, purpose):
    try:
        return env_rules.bucket_name(env, purpose)
    except KeyError:  # not in the spec: the name role buckets would give it
        return "envops-%s-%s-%s" % (env["name"], env["account"]["id"], purpose)


class FilterModule(object):
    def filters(self):
        return {"bucket_name": bucket_name}
