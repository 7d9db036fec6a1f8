# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where an environment's PostgreSQL database is: the one home of the names role database gives it.

Procedures hand ``connection(env)`` to the pg_* modules, which complete it through AWS (pg_connection): the
instance's endpoint from DescribeDBInstances, the credentials from the master secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def instance_identifier(env):
    """The RDS instance of the environment (role database creates it)."""
    return "%s-postgres" % env["name"]


def master_secret_id(env):
    """The secret of the master credentials: the one the spec names, else the one role secrets generates."""
    database = (env.get("data") or {}).get("database") or {}
    return database.get("master_secret") or "envops/%s/database/master" % env["name"]


def connection(env, ca_bundle=None, sslmode="verify-full", dbname=None):
    """The connection option of the environment's database, or None when its spec has no database."""
    database = (env.get("data") or {}).get("database")
    if not database:
        return None
    result = dict(rds_instance_identifier=instance_identifier(env), secret_id=master_secret_id(env),
                  dbname=dbname or database["database_name"], sslmode=sslmode)
    if ca_bundle:
        result["ca_bundle"] = ca_bundle
    return result
