# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: restore_plan
short_description: Check a restore request of restore.yml and name what it restores, before any AWS call
version_added: 0.1.0
description:
  - Restores go to a new name by default; replacing live data needs C(replace) and C(confirm) equal to the
    environment's name, and keeps the live resource under an old name. See module_utils C(restore_request).
options:
  _input:
    description:
      - C(kind) (logical, rds_snapshot, rds_pitr, dynamodb_pitr, s3_versions), C(environment), C(live) (the live
        resource's name, or the prefix for s3_versions), C(restore_id), C(point) (ISO 8601 with a time zone, or
        latest), C(replace), C(confirm), C(drill), and per kind C(snapshot), C(table), C(bucket_purpose).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Plan the restore
  ansible.builtin.set_fact:
    plan: "{{ request | envops.aws.restore_plan }}"
"""

RETURN = r"""
_value:
  description: C(problems) (empty when the request may run) and, when there are none, C(kind), C(live), C(restored),
    C(old) (the name live data is kept under when replaced), C(replace), C(point).
  type: dict
"""

from ansible_collections.envops.aws.plugins.module_utils.restore_request import check_request
from ansible_collections.envops.aws.plugins.module_utils.restore_request import plan


def restore_plan(request):
    problems = check_request(dict(request))
    if problems:
        return {"problems": problems}
    result = plan(dict(request))
    result["problems"] = []
    return result


class FilterModule(object):
    def filters(self):
        return {"restore_plan": restore_plan}
