# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: expired
short_description: The resources whose envops:expires-at tag has passed
version_added: 0.1.0
description:
  - Names of the resources whose tag C(envops:expires-at) (UTC, C(YYYY-MM-DDTHH:MM:SSZ)) is at or before O(now) and
    which carry every tag of O(required_tags). A resource without the tag, or with one that is not a time, is never
    returned.
options:
  _input:
    description: Resources as the amazon.aws info modules return them (a name key and C(tags) as a dict).
    type: list
    elements: dict
    required: true
  now:
    description: The time compared with (UTC, C(YYYY-MM-DDTHH:MM:SSZ)).
    type: str
    required: true
  required_tags:
    description: Tags (key and value) a resource must carry to be returned.
    type: dict
  name_key:
    description: The key of a resource's name.
    type: str
    default: name
"""

EXAMPLES = r"""
- name: Expired scratch instances of masked refreshes
  ansible.builtin.debug:
    msg: >-
      {{ instances.instances | envops.aws.expired('2026-12-07T10:00:00Z', {'purpose': 'masked-refresh'},
                                                 'db_instance_identifier') }}
"""

RETURN = r"""
_value:
  description: The names, sorted.
  type: list
  elements: str
"""

from ansible_collections.envops.aws.plugins.module_utils import expiry


def expired(resources, now, required_tags=None, name_key="name"):
    return expiry.expired(resources, now, required_tags=required_tags, name_key=name_key)


class FilterModule(object):
    def filters(self):
        return {"expired": expired}
