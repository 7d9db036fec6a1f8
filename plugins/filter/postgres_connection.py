# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: postgres_connection
short_description: The connection option of an environment's PostgreSQL database
version_added: 0.1.0
description:
  - The value of the C(database) / C(server) option of the pg_* modules for the environment's RDS instance
    C(<env>-postgres) and its master secret (the spec's C(data.database.master_secret), else
    C(envops/<env>/database/master)). The modules complete it through AWS (endpoint, credentials).
  - None when the spec has no database.
options:
  _input:
    description: The validated environment spec (C(envops_env)).
    type: dict
    required: true
  ca_bundle:
    description: CA bundle the server certificate is verified against (C(envops_postgres_ca_bundle)).
    type: path
  sslmode:
    description: libpq sslmode.
    type: str
    default: verify-full
  dbname:
    description: Another database of the instance than the spec's (e.g. C(postgres)).
    type: str
"""

EXAMPLES = r"""
- name: Write a marker into the environment's database
  envops.aws.pg_drill_markers:
    database: "{{ envops_env | envops.aws.postgres_connection(envops_postgres_ca_bundle) }}"
    state: written
"""

RETURN = r"""
_value:
  description: rds_instance_identifier, secret_id, dbname, sslmode and ca_bundle (when given).
  type: dict
"""

from ansible_collections.envops.aws.plugins.module_utils import postgres_target


def postgres_connection(env, ca_bundle=None, sslmode="verify-full", dbname=None):
    return postgres_target.connection(env, ca_bundle=ca_bundle, sslmode=sslmode or "verify-full", dbname=dbname)


class FilterModule(object):
    def filters(self):
        return {"postgres_connection": postgres_connection}
