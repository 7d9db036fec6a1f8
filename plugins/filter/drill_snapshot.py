# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: drill_snapshot
short_description: The RDS snapshot a DR drill restores - the available one holding the newest data
version_added: 0.1.0
description:
  - Of the snapshots of an instance (manual or automated, as M(amazon.aws.rds_snapshot_info) returns them), the
    available one whose data is the newest - the moment of its most recent transaction (C(snapshot_database_time))
    where RDS reports it, else the time of the original snapshot (C(original_snapshot_create_time)). A copy's
    data is as old as its original, not as old as the copy. See module_utils C(drill_snapshot).
options:
  _input:
    description: The C(snapshots) of M(amazon.aws.rds_snapshot_info).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Choose the snapshot to restore
  ansible.builtin.set_fact:
    snapshot: "{{ found.snapshots | envops.aws.drill_snapshot }}"
"""

RETURN = r"""
_value:
  description: C(id), C(type), C(instance), C(data_at) (UTC ISO 8601), C(created_at), C(encrypted), C(kms_key_id);
    none when no snapshot is available.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import DrillSnapshotError
from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import newest_snapshot


def drill_snapshot(snapshots):
    try:
        return newest_snapshot(snapshots)
    except DrillSnapshotError as error:
        raise AnsibleFilterError("drill_snapshot: %s" % error)


class FilterModule(object):
    def filters(self):
        return {"drill_snapshot": drill_snapshot}
