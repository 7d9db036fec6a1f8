# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: drill_snapshot_validation
short_description: Whether an RDS instance a DR drill restored from a snapshot holds what the snapshot must hold
version_added: 0.1.0
description:
  - Fails the validation when the drill instance is not available, is not encrypted though the snapshot is, or lacks
    an RPO marker written before the snapshot's moment (less O(_input.margin_s)).
  - Reports every table's rows and checksum, and per table whether the newest logical backup taken before the
    snapshot has the same figures. That comparison is evidence, not a criterion - tables written between the backup
    and the snapshot legitimately differ. See module_utils C(drill_snapshot) for what this proves.
options:
  _input:
    description:
      - C(instance) (the drill instance as M(amazon.aws.rds_instance_info) returns it), C(snapshot) (filter
        M(envops.aws.drill_snapshot)), C(markers) (the live markers written before the drill, id and written_at),
        C(found) (the marker ids read from the restored database), C(fingerprints) (the result of
        M(envops.aws.pg_table_fingerprints) on it) and C(margin_s) (seconds).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Judge the drill instance
  ansible.builtin.set_fact:
    validation: >-
      {{ {'instance': info.instances[0], 'snapshot': snapshot, 'markers': live.markers, 'found': ids,
          'fingerprints': tables, 'margin_s': 60} | envops.aws.drill_snapshot_validation }}
"""

RETURN = r"""
_value:
  description: C(ok), C(problems), C(snapshot), C(data_at), C(instance), C(markers) (required, missing, found),
    C(tables) (rows, checksum, backup_rows, matches), C(rows) and C(reference) (backup_id, created_at, same,
    differing; none without a backup).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import DrillSnapshotError
from ansible_collections.envops.aws.plugins.module_utils.drill_snapshot import snapshot_validation


def drill_snapshot_validation(drill):
    try:
        return snapshot_validation(drill["instance"], drill["snapshot"], drill.get("markers"), drill.get("found"),
                                   drill.get("fingerprints") or {}, drill.get("margin_s", 0))
    except DrillSnapshotError as error:
        raise AnsibleFilterError("drill_snapshot_validation: %s" % error)


class FilterModule(object):
    def filters(self):
        return {"drill_snapshot_validation": drill_snapshot_validation}
