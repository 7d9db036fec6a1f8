#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: pg_table_fingerprints
version_added: 0.1.0
short_description: Read every table of a PostgreSQL database whole, and compare with a logical backup's manifest
description:
  - Reads every user table of the database in one snapshot and returns per table the row count and the
    order-independent checksum that M(envops.aws.pg_logical_backup) writes into its manifests. Every row is read,
    so a table that cannot be read fails the module.
  - With O(reference), also reads the manifest of a logical backup (O(reference.backup_id), or the newest one created
    at or before O(reference.created_before), or the newest one) and compares table by table. A difference is
    reported, not failed. Two databases of different moments legitimately differ, so only the caller knows whether
    they must be equal.
  - Read only. Check mode reads as usual.
author:
  - envops maintainers (@envops)
requirements:
  - psycopg >= 3.1
options:
  reference:
    description: A logical backup to compare with. Without a complete backup there, RV(reference) is none.
    type: dict
    suboptions:
      bucket:
        description: The backups bucket.
        type: str
        required: true
      prefix:
        description: Key prefix of the database's backups, ending with C(/).
        type: str
        required: true
      backup_id:
        description: The backup to compare with.
        type: str
      created_before:
        description:
          - The newest backup created at or before this UTC time (ISO 8601 with a time zone). Ignored with
            O(reference.backup_id).
        type: str
attributes:
  check_mode:
    support: full
    description: Reads as usual; the module never writes.
  diff_mode:
    support: none
    description: Reads only; there is nothing to diff.
extends_documentation_fragment:
  - envops.aws.postgres
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Read a drill instance's tables and compare them with the newest backup before its snapshot
  envops.aws.pg_table_fingerprints:
    database:
      rds_instance_identifier: prod-drill-20261207020000
      secret_id: envops/prod/database/master
      dbname: app
      ca_bundle: /etc/ssl/rds/global-bundle.pem
    reference:
      bucket: envops-prod-111122223333-backups
      prefix: postgres/app/
      created_before: "2026-12-07T01:00:00+00:00"
"""

RETURN = r"""
tables:
  description: Per table (C(schema.table)) C(rows) and C(checksum).
  returned: always
  type: dict
rows:
  description: Rows of all tables.
  returned: always
  type: int
reference:
  description: The backup compared with (C(backup_id), C(created_at)); none when there is no complete backup.
  returned: when O(reference) is given
  type: dict
comparison:
  description:
    - Per table of either side C(rows), C(backup_rows) (none for a table only one side has) and C(matches) (same
      rows and checksum).
  returned: when a reference backup was found
  type: dict
problems:
  description: The differences, naming tables and counts, never values.
  returned: when a reference backup was found
  type: list
  elements: str
"""

from datetime import datetime

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import backup_store
from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import conninfo
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_options
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import resolve_connection
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import compare_fingerprints
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import read_fingerprints


def parse_moment(text):
    """An aware datetime of an ISO 8601 time with a time zone; ValueError names the option."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError("reference.created_before %r: give an ISO 8601 time with a time zone" % text)
    return moment


def reference_backup(module, reference):
    """(backup id, manifest) of the reference backup, or (None, None)."""
    client = module.client("s3")
    if reference["backup_id"]:
        manifest = backup_store.read_manifest(client, reference["bucket"], reference["prefix"], reference["backup_id"])
        return reference["backup_id"], manifest
    moment = parse_moment(reference["created_before"]) if reference["created_before"] else None
    return backup_store.latest_backup(client, reference["bucket"], reference["prefix"], created_before=moment)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            database=dict(type="dict", required=True, options=connection_options()),
            reference=dict(type="dict", options=dict(
                bucket=dict(type="str", required=True),
                prefix=dict(type="str", required=True),
                backup_id=dict(type="str"),
                created_before=dict(type="str"),
            )),
        ),
        supports_check_mode=True,
    )
    if not pg_copy_stream.HAS_PSYCOPG:
        module.fail_json(msg=missing_required_lib("psycopg"), exception=str(pg_copy_stream.PSYCOPG_IMPORT_ERROR))
    reference = module.params["reference"]
    if reference:
        problems = backup_store.check_location(reference["prefix"], reference["backup_id"])
        try:
            if reference["created_before"]:
                parse_moment(reference["created_before"])
        except ValueError as error:
            problems.append(str(error))
        if problems:
            module.fail_json(msg=" ".join(problems))
    database = resolve_connection(module, module.params["database"])
    try:
        tables = read_fingerprints(conninfo(database))
    except Exception as error:  # pylint: disable=broad-except  # psycopg: connection, permissions, unreadable data
        module.fail_json(msg="reading the tables of %s failed: %s" % (database["dbname"], error))
    result = dict(changed=False, tables=tables, rows=sum(table["rows"] for table in tables.values()))
    if reference:
        try:
            backup_id, manifest = reference_backup(module, reference)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
            module.fail_json_aws(error, msg="reading the reference backup under s3://%s/%s failed"
                                 % (reference["bucket"], reference["prefix"]))
        result["reference"] = None
        if manifest is not None:
            problems, comparison = compare_fingerprints(manifest.get("tables") or {}, tables)
            result.update(reference={"backup_id": backup_id, "created_at": manifest.get("created_at")},
                          comparison=comparison, problems=problems)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
