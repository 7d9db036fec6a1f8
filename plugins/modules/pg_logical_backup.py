#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: pg_logical_backup
version_added: 0.1.0
short_description: Logical backup of a PostgreSQL database to S3, with a manifest any restore is checked against
description:
  - Dumps one database with C(pg_dump --format=custom) and uploads the archive and its manifest to
    C(s3://<bucket>/<prefix><backup_id>/), encrypted with O(kms_key_id) (SSE-KMS).
  - The manifest holds the archive's SHA-256 and size, and per table the row count and an order-independent
    checksum computed by the server. It also holds the newest value of O(newest_write_columns), which is the
    newest write the backup holds. Archive and fingerprints come from one snapshot, so they describe the same data.
  - The manifest is uploaded last, so a backup is complete when its manifest exists. A backup id whose manifest
    exists is not taken again (C(changed=false)).
  - Check mode says whether the backup would be taken; nothing is dumped or uploaded.
  - Portable across accounts and Regions, and the one kind of backup whose data can be restored and checked on
    the local estate (M(envops.aws.pg_logical_restore)).
author:
  - envops maintainers (@envops)
requirements:
  - psycopg >= 3.1
  - pg_dump of the server's major version (on PATH, or O(pg_bin))
options:
  bucket:
    description: The backups bucket.
    type: str
    required: true
  prefix:
    description: Key prefix of the database's backups, ending with C(/), e.g. C(postgres/app/).
    type: str
    required: true
  backup_id:
    description: Id of this backup (the folder under O(prefix)), e.g. the UTC time.
    type: str
    required: true
  kms_key_id:
    description: KMS key (id, ARN or alias) of the objects; else the bucket's default encryption.
    type: str
  newest_write_columns:
    description: Timestamp columns (C(schema.table.column)) whose newest value is the newest write of the backup.
    type: list
    elements: str
    default: []
  pg_bin:
    description: Directory of pg_dump.
    type: path
attributes:
  check_mode:
    description: Reads whether the backup exists (its manifest) and reports whether it would be taken; dumps and
      uploads nothing.
    support: full
  diff_mode:
    description: A backup is created whole; there is no diff.
    support: none
extends_documentation_fragment:
  - envops.aws.postgres
  - envops.aws.attributes.platform
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Back up the prod database to the backups bucket
  envops.aws.pg_logical_backup:
    database:
      host: "{{ db_endpoint }}"
      user: app_admin
      password: "{{ db_password }}"
      dbname: app
    bucket: envops-prod-111122223333-backups
    prefix: postgres/app/
    backup_id: "{{ now(utc=true, fmt='%Y%m%dT%H%M%SZ') }}"
    kms_key_id: alias/envops/prod/backups
    newest_write_columns: [public.orders.ordered_at, public.customers.created_at]
"""

RETURN = r"""
manifest:
  description: The manifest (format, database, created_at, archive sha256 and bytes, tables with rows and checksum,
    rows, newest_write).
  returned: unless in check mode
  type: dict
archive_key:
  description: S3 key of the archive.
  returned: always
  type: str
manifest_key:
  description: S3 key of the manifest.
  returned: always
  type: str
"""

import os
import tempfile

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import backup_store
from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import BackupError
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import create_backup
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import conninfo
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_options
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import resolve_connection


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            database=dict(type="dict", required=True, options=connection_options()),
            bucket=dict(type="str", required=True),
            prefix=dict(type="str", required=True),
            backup_id=dict(type="str", required=True),
            kms_key_id=dict(type="str"),
            newest_write_columns=dict(type="list", elements="str", default=[]),
            pg_bin=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not pg_copy_stream.HAS_PSYCOPG:
        module.fail_json(msg=missing_required_lib("psycopg"), exception=str(pg_copy_stream.PSYCOPG_IMPORT_ERROR))
    problems = backup_store.check_location(params["prefix"], params["backup_id"])
    problems += ["newest_write_columns: %r is not schema.table.column" % column
                 for column in params["newest_write_columns"] if len(column.split(".")) != 3]
    if problems:
        module.fail_json(msg=" ".join(problems))
    archive_key, manifest_key = backup_store.keys(params["prefix"], params["backup_id"])
    database = resolve_connection(module, params["database"])
    client = module.client("s3")
    try:
        existing = backup_store.read_manifest(client, params["bucket"], params["prefix"], params["backup_id"])
        if existing is not None:
            module.exit_json(changed=False, manifest=existing, archive_key=archive_key, manifest_key=manifest_key)
        if module.check_mode:
            module.exit_json(changed=True, archive_key=archive_key, manifest_key=manifest_key)
        with tempfile.TemporaryDirectory(prefix="envops-backup-") as scratch:
            archive = os.path.join(scratch, backup_store.ARCHIVE)
            manifest = create_backup(conninfo(database), archive, params["newest_write_columns"],
                                     pg_bin=params["pg_bin"])
            manifest["backup_id"] = params["backup_id"]
            backup_store.upload(client, params["bucket"], params["prefix"], params["backup_id"], archive, manifest,
                                params["kms_key_id"])
    except BackupError as error:
        module.fail_json(msg=str(error), problems=error.problems)
    except pg_copy_stream.PgCopyError as error:
        module.fail_json(msg=str(error))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="backup of %s to s3://%s/%s failed"
                             % (database["dbname"], params["bucket"], archive_key))
    except Exception as error:  # pylint: disable=broad-except  # psycopg: connection, permissions
        module.fail_json(msg="backup of %s failed: %s" % (database["dbname"], error))
    module.exit_json(changed=True, manifest=manifest, archive_key=archive_key, manifest_key=manifest_key)


if __name__ == "__main__":
    main()
