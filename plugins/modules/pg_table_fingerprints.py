#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: pg_table_fingerprints
version_added: 0.1.0
short_description: Read every table of a PostgreSQL database whole, as row counts and checksums
description:
  - Reads every user table of the database in one snapshot and returns per table the row count and the
    order-independent checksum that M(envops.aws.pg_logical_backup) writes into its manifests. Every row is read,
    so a table that cannot be read fails the module.
  - Two copies of the same data give the same fingerprints wherever they live, e.g. an instance restored from a
    snapshot and its source read when the snapshot was taken. Counts and checksums only, never values.
  - Read only. Check mode reads as usual.
author:
  - envops maintainers (@envops)
requirements:
  - psycopg >= 3.1
attributes:
  check_mode:
    support: full
    description: Reads as usual; the module never writes.
  diff_mode:
    support: none
extends_documentation_fragment:
  - envops.aws.postgres
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - ansible.builtin.action_common_attributes
"""

EXAMPLES = r"""
- name: Read the tables of the database of a restored instance
  envops.aws.pg_table_fingerprints:
    database:
      rds_instance_identifier: prod-postgres-restore-20261207020000
      secret_id: envops/prod/database/master
      dbname: app
      ca_bundle: /etc/ssl/rds/global-bundle.pem
  register: restored
"""

RETURN = r"""
tables:
  description: Per table (C(schema.table)) C(rows) and C(checksum).
  returned: always
  type: dict
  sample: {"public.customers": {"rows": 200, "checksum": "-1182385432911"}}
rows:
  description: Rows of all tables.
  returned: always
  type: int
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import conninfo
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_options
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import resolve_connection
from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import read_fingerprints


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            database=dict(type="dict", required=True, options=connection_options()),
        ),
        supports_check_mode=True,
    )
    if not pg_copy_stream.HAS_PSYCOPG:
        module.fail_json(msg=missing_required_lib("psycopg"), exception=str(pg_copy_stream.PSYCOPG_IMPORT_ERROR))
    database = resolve_connection(module, module.params["database"])
    try:
        tables = read_fingerprints(conninfo(database))
    except Exception as error:  # pylint: disable=broad-except  # psycopg: connection, permissions, unreadable data
        module.fail_json(msg="reading the tables of %s failed: %s" % (database["dbname"], error))
    module.exit_json(changed=False, tables=tables, rows=sum(table["rows"] for table in tables.values()))


if __name__ == "__main__":
    main()
