# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from psycopg.conninfo import conninfo_to_dict

from ansible_collections.envops.aws.plugins.module_utils.pg_connection import conninfo
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_options

CONNECTION = {"host": "db.internal", "port": 6432, "user": "app", "password": "p'w d", "dbname": "prod_app"}


def test_the_password_is_no_log_and_dbname_required_unless_defaulted():
    options = connection_options()
    assert options["password"]["no_log"] is True
    assert options["dbname"] == {"type": "str", "required": True}
    assert options["port"]["default"] == 5432
    assert connection_options(dbname_default="postgres")["dbname"] == {"type": "str", "default": "postgres"}


def test_conninfo_carries_every_field_quoted_and_an_other_database_on_request():
    parsed = conninfo_to_dict(conninfo(CONNECTION))
    assert parsed == {"host": "db.internal", "port": "6432", "user": "app", "password": "p'w d", "dbname": "prod_app"}
    assert conninfo_to_dict(conninfo(CONNECTION, dbname="postgres"))["dbname"] == "postgres"
