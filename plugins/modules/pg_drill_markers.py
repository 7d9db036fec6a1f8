#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: pg_drill_markers
version_added: 0.1.0
short_description: Write and read the RPO markers of DR drills in a PostgreSQL database
description:
  - A marker is a row of C(envops_drill.markers) (id, written_at in UTC) written at a known time. Markers are
    written regularly, for example by a scheduled C(drill_markers.yml). A drill then reads which markers survived a
    restore; the newest one bounds the data lost (the achieved RPO).
  - V(written) creates the schema and table when they are absent and writes one marker (always C(changed)).
    V(read) returns the markers, optionally only those written before O(before).
author:
  - envops maintainers (@envops)
requirements:
  - psycopg >= 3.1
options:
  state:
    description: V(written) writes a marker, V(read) reads them.
    type: str
    default: read
    choices: [written, read]
  before:
    description: With V(read), only markers written before this UTC time (ISO 8601).
    type: str
attributes:
  check_mode:
    support: full
    description: V(written) reports C(changed) without writing; V(read) reads as usual.
  diff_mode:
    support: none
    description: A marker is a new row; there is nothing to diff.
extends_documentation_fragment:
  - envops.aws.postgres
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Write an RPO marker into the prod database
  envops.aws.pg_drill_markers:
    database:
      rds_instance_identifier: prod-postgres
      secret_id: envops/prod/database/master
      ca_bundle: /etc/ssl/rds/global-bundle.pem
    state: written
"""

RETURN = r"""
marker:
  description: The marker written (id, written_at).
  returned: with state=written
  type: dict
markers:
  description: The markers (id, written_at), oldest first; empty when the table does not exist.
  returned: with state=read
  type: list
  elements: dict
"""

import uuid

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envops.aws.plugins.module_utils import drill_markers
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import conninfo
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_options
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import resolve_connection

try:
    import psycopg
    HAS_PSYCOPG = True
except ImportError:
    HAS_PSYCOPG = False

SCHEMA_SQL = ("CREATE SCHEMA IF NOT EXISTS envops_drill; CREATE TABLE IF NOT EXISTS envops_drill.markers "
              "(id text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT clock_timestamp())")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            database=dict(type="dict", required=True, options=connection_options()),
            state=dict(type="str", default="read", choices=["written", "read"]),
            before=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    if not HAS_PSYCOPG:
        module.fail_json(msg=missing_required_lib("psycopg"))
    try:
        before = drill_markers.parse_before(module.params["before"])
    except ValueError as error:
        module.fail_json(msg=str(error))
    database = resolve_connection(module, module.params["database"])
    try:
        with psycopg.connect(conninfo(database), autocommit=True) as connection:
            if module.params["state"] == "written":
                if module.check_mode:
                    module.exit_json(changed=True)
                connection.execute(SCHEMA_SQL)
                marker_id = "m-" + uuid.uuid4().hex[:12]
                written_at = connection.execute(
                    "INSERT INTO envops_drill.markers (id) VALUES (%s) RETURNING written_at", (marker_id,)).fetchone()[0]
                module.exit_json(changed=True, marker={"id": marker_id, "written_at": written_at.isoformat()})
            exists = connection.execute("SELECT to_regclass('envops_drill.markers') IS NOT NULL").fetchone()[0]
            rows = []
            if exists:
                query = "SELECT id, written_at FROM envops_drill.markers"
                params = ()
                if before is not None:
                    query += " WHERE written_at < %s"
                    params = (before,)
                rows = connection.execute(query + " ORDER BY written_at, id", params).fetchall()
    except psycopg.Error as error:
        module.fail_json(msg="markers of %s: %s" % (database["dbname"], error))
    module.exit_json(changed=False, markers=[{"id": marker_id, "written_at": written_at.isoformat()}
                                             for marker_id, written_at in rows])


if __name__ == "__main__":
    main()
