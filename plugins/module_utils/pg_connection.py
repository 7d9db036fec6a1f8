# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PostgreSQL connection option of the pg_* modules: one argument spec, one libpq conninfo.

    argument_spec=dict(database=dict(type="dict", required=True, options=connection_options()))
    conninfo(module.params["database"])                 # or conninfo(server, dbname="other")

The password is a no_log option and only ever goes into the conninfo handed to psycopg.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def connection_options(dbname_default=None):
    """The suboptions host, port (5432), user, password (no_log), dbname (required unless it has a default)."""
    dbname = dict(type="str", default=dbname_default) if dbname_default else dict(type="str", required=True)
    return dict(
        host=dict(type="str", required=True),
        port=dict(type="int", default=5432),
        user=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
        dbname=dbname,
    )


def conninfo(connection, dbname=None):
    """A libpq conninfo of the connection option's value; ``dbname`` instead of its own when given."""
    from psycopg.conninfo import make_conninfo
    return make_conninfo(host=connection["host"], port=connection["port"], user=connection["user"],
                         password=connection["password"], dbname=dbname or connection["dbname"])
