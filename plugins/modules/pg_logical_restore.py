#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: pg_logical_restore
version_added: 0.1.0
short_description: Restore a logical PostgreSQL backup from S3 into a new database and validate it
description:
  - Reads the manifest of a backup written by M(envops.aws.pg_logical_backup) (O(backup_id), or the newest one
    under O(prefix)), downloads the archive and refuses it when its SHA-256 is not the manifest's.
  - Restores it into the new database O(database) on the server of O(server). An existing database of that name
    is refused, so a restore never overwrites anything. A failed restore leaves no half database.
  - Then validates the restored data against the manifest. Every table must be present with the same row count and
    checksum, with no extra table and the same newest write. A failed validation fails the module and keeps the
    database for inspection.
  - Check mode reads the manifest and reports what would be restored; it downloads and creates nothing.
  - V(state=absent) drops O(database) if a restore made it (its comment carries the mark), and refuses any other
    database, so a drill's cleanup can never remove live data. With O(database_prefix) it drops every restored
    database of that prefix and skips the others.
author:
  - envops maintainers (@envops)
requirements:
  - psycopg >= 3.1
  - pg_restore of the server's major version (on PATH, or O(pg_bin))
options:
  database:
    description: Name of the new database to restore into. Required unless O(database_prefix) is given.
    type: str
  database_prefix:
    description:
      - With V(state=absent) only, instead of O(database) - drop every database whose name starts with it and that a
        restore made (the reaper of scratch databases a killed drill left behind). Other databases are left alone.
    type: str
  state:
    description: V(present) restores, V(absent) drops a database a restore made.
    type: str
    default: present
    choices: [present, absent]
  bucket:
    description: The backups bucket. Required with V(state=present).
    type: str
  prefix:
    description: Key prefix of the database's backups, ending with C(/). Required with V(state=present).
    type: str
  backup_id:
    description: The backup to restore; the newest complete one under O(prefix) when omitted.
    type: str
  validate:
    description: Validate the restored data against the manifest.
    type: bool
    default: true
  replace:
    description:
      - The live database to replace with the restored one once it validated. It is kept under O(keep_as), and
        both renames happen in one transaction. Sessions on the live database are ended. Needs O(validate).
      - When it does not exist yet (a standby seeded for the first time), the restore simply takes its name.
    type: str
  keep_as:
    description: The name the replaced database is kept under. Required with O(replace).
    type: str
  pg_bin:
    description: Directory of pg_restore.
    type: path
attributes:
  check_mode:
    description: Reads the manifest and reports what would be restored (or dropped); downloads, creates and drops
      nothing.
    support: full
  diff_mode:
    description: Databases are restored or dropped whole; there is no diff.
    support: none
extends_documentation_fragment:
  - envops.aws.postgres.server
  - envops.aws.attributes.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Restore the newest prod backup into a scratch database and validate it
  envops.aws.pg_logical_restore:
    server:
      host: "{{ scratch_endpoint }}"
      user: app_admin
      password: "{{ db_password }}"
    database: app_drill_20261123
    bucket: envops-prod-111122223333-backups
    prefix: postgres/app/
"""

RETURN = r"""
backup_id:
  description: The backup restored.
  returned: always
  type: str
manifest:
  description: Its manifest.
  returned: always
  type: dict
restore:
  description: database, seconds, bytes.
  returned: unless in check mode
  type: dict
validation:
  description: ok, problems (tables and counts, no values), tables (rows, matches), rows, newest_write.
  returned: when O(validate) and not in check mode
  type: dict
steps:
  description:
    - Wall-clock phases of the restore, each C(phase) (decide - find the backup and read its manifest; restore -
      download and pg_restore; validate), C(started_at) and C(ended_at) (UTC ISO 8601). For a drill's timeline.
  returned: when a restore ran
  type: list
  elements: dict
dropped:
  description: The databases dropped by V(state=absent) with O(database_prefix).
  returned: when O(database_prefix) is given
  type: list
  elements: str
replaced:
  description: C(live) (now the restored data) and C(kept_as) (the data it replaced, none when there was none).
  returned: when O(replace) is set and not in check mode
  type: dict
"""

import os
import tempfile
from datetime import datetime
from datetime import timezone

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import backup_store
from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import BackupError
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import check_manifest
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import drop_restored
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import drop_restored_like
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import restore_backup
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import swap_in
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import validate_restore
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import conninfo
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_options
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import resolve_connection


class StepClock(object):
    """Wall-clock steps of a restore (decide: find the backup, restore: download and pg_restore, validate), for the
    timeline of a drill."""

    def __init__(self):
        self.steps = []
        self._since = datetime.now(timezone.utc)

    def mark(self, phase):
        now = datetime.now(timezone.utc)
        self.steps.append({"phase": phase, "started_at": self._since.isoformat(), "ended_at": now.isoformat()})
        self._since = now


def reap(module, server):
    prefix = module.params["database_prefix"]
    try:
        if module.check_mode:
            module.exit_json(changed=False, dropped=[],
                             msg="check mode: restored databases starting with %s would be dropped" % prefix)
        dropped = drop_restored_like(conninfo(server), prefix)
    except BackupError as error:
        module.fail_json(msg=str(error))
    except Exception as error:  # pylint: disable=broad-except  # psycopg: connection, permissions
        module.fail_json(msg="reaping %s* failed: %s" % (prefix, error))
    module.exit_json(changed=bool(dropped), dropped=dropped)


def drop(module, server):
    database = module.params["database"]
    try:
        if module.check_mode:
            module.exit_json(changed=False, msg="check mode: %s would be dropped if a restore made it" % database)
        dropped = drop_restored(conninfo(server), database)
    except BackupError as error:
        module.fail_json(msg=str(error))
    except Exception as error:  # pylint: disable=broad-except  # psycopg: connection, permissions
        module.fail_json(msg="drop of %s failed: %s" % (database, error))
    module.exit_json(changed=dropped)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            server=dict(type="dict", required=True, options=connection_options(dbname_default="postgres")),
            database=dict(type="str"),
            database_prefix=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            bucket=dict(type="str"),
            prefix=dict(type="str"),
            backup_id=dict(type="str"),
            validate=dict(type="bool", default=True),
            pg_bin=dict(type="path"),
            replace=dict(type="str"),
            keep_as=dict(type="str"),
        ),
        required_if=[("state", "present", ["bucket", "prefix"])],
        required_together=[("replace", "keep_as")],
        required_one_of=[("database", "database_prefix")],
        mutually_exclusive=[("database", "database_prefix")],
        supports_check_mode=True,
    )
    params = module.params
    if not pg_copy_stream.HAS_PSYCOPG:
        module.fail_json(msg=missing_required_lib("psycopg"), exception=str(pg_copy_stream.PSYCOPG_IMPORT_ERROR))
    if params["database_prefix"] is not None and params["state"] != "absent":
        module.fail_json(msg="database_prefix is for state=absent only: a restore goes into one new database.")
    problems = [] if params["state"] == "absent" else backup_store.check_location(params["prefix"], params["backup_id"])
    if params["replace"] and not params["validate"]:
        problems.append("replace needs validate=true: live data is only replaced by a validated restore.")
    if params["replace"] and len({params["replace"], params["keep_as"], params["database"]}) < 3:
        problems.append("database, replace and keep_as must be three different names.")
    if problems:
        module.fail_json(msg=" ".join(problems))
    server = resolve_connection(module, params["server"], "server")
    if params["state"] == "absent":
        if params["database_prefix"] is not None:
            reap(module, server)
        drop(module, server)
    client = module.client("s3")
    backup_id = params["backup_id"]
    steps = StepClock()
    try:
        if backup_id:
            manifest = backup_store.read_manifest(client, params["bucket"], params["prefix"], backup_id)
        else:
            backup_id, manifest = backup_store.latest_backup(client, params["bucket"], params["prefix"])
        if manifest is None:
            module.fail_json(msg="no complete backup %sunder s3://%s/%s" % (
                "%s " % params["backup_id"] if params["backup_id"] else "", params["bucket"], params["prefix"]))
        problems = check_manifest(manifest)
        if problems:
            module.fail_json(msg="the manifest of %s cannot be used: %s" % (backup_id, "; ".join(problems)))
        if module.check_mode:
            module.exit_json(changed=True, backup_id=backup_id, manifest=manifest)
        steps.mark("decide")
        with tempfile.TemporaryDirectory(prefix="envops-restore-") as scratch:
            archive = os.path.join(scratch, backup_store.ARCHIVE)
            backup_store.download_archive(client, params["bucket"], params["prefix"], backup_id, archive)
            restored = restore_backup(conninfo(server), archive, manifest, params["database"],
                                      pg_bin=params["pg_bin"])
        steps.mark("restore")
        validation = None
        if params["validate"]:
            validation = validate_restore(conninfo(server, params["database"]), manifest)
            steps.mark("validate")
    except BackupError as error:
        module.fail_json(msg=str(error), problems=error.problems, backup_id=backup_id)
    except pg_copy_stream.PgCopyError as error:
        module.fail_json(msg=str(error), backup_id=backup_id)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="restore of %s from s3://%s/%s failed"
                             % (backup_id, params["bucket"], params["prefix"]))
    except Exception as error:  # pylint: disable=broad-except  # psycopg: connection, permissions
        module.fail_json(msg="restore of %s failed: %s" % (backup_id, error), backup_id=backup_id)
    result = dict(changed=True, backup_id=backup_id, manifest=manifest, restore=restored, steps=steps.steps)
    if validation is not None:
        result["validation"] = validation
        if not validation["ok"]:
            module.fail_json(msg="the restored %s does not match backup %s: %s" % (
                params["database"], backup_id, "; ".join(validation["problems"])), **result)
    if params["replace"]:
        try:
            kept = swap_in(conninfo(server), params["database"], params["replace"], params["keep_as"])
        except BackupError as error:
            module.fail_json(msg=str(error), **result)
        except Exception as error:  # pylint: disable=broad-except  # psycopg: connection, permissions
            module.fail_json(msg="replacing %s failed: %s" % (params["replace"], error), **result)
        result["replaced"] = {"live": params["replace"], "kept_as": kept}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
