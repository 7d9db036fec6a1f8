# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PostgreSQL connection option of the pg_* modules: one argument spec, one resolution, one libpq conninfo.

A connection names the environment's RDS instance and the secret of its credentials, and is completed through AWS,
the same way on AWS and on any look-alike of it:

    argument_spec=dict(database=dict(type="dict", required=True, options=connection_options()))
    connection = resolve_connection(module, module.params["database"], "database")   # fails the module when wrong
    conninfo(connection)                                       # or conninfo(connection, dbname="other")

- ``rds_instance_identifier``: host and port from the instance's endpoint (DescribeDBInstances), and the user and
  database it was created with unless given;
- ``secret_id``: user and password from a Secrets Manager secret (JSON with ``username`` and ``password``, the
  layout of RDS master secrets); without it, the instance's own managed master secret (``MasterUserSecret``);
- ``host`` / ``port`` / ``user`` / ``password`` / ``dbname``: given values win over resolved ones;
- ``sslmode`` (default ``verify-full``) and ``ca_bundle``: TLS is verified against the CA bundle (on AWS the RDS CA
  bundle), never trusted blindly.

The password is a no_log option, read from the secret inside the module, and only ever goes into the conninfo.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

try:
    import botocore
except ImportError:
    pass  # the modules report a missing botocore themselves

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.secret_values import SecretNotJSON
from ansible_collections.envops.aws.plugins.module_utils.secret_values import read_secret
from ansible_collections.envops.aws.plugins.module_utils.secret_values import secret_id_problems

SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
VERIFYING_SSL_MODES = ("verify-ca", "verify-full")
# An RDS instance identifier (1-63 letters, digits, hyphens; starts with a letter; no '--'; no trailing '-'), or its ARN.
_INSTANCE_ID = re.compile(r"^(arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:db:)?[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$")
# A secret name (letters, digits, /_+=.@-) or its ARN.
_DBNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$")


class ConnectionProblem(Exception):
    """A connection that cannot be completed: the message names the option and what is wrong."""


def connection_options(dbname_default=None):
    """The suboptions of a connection option (documented once, in the envops.aws.postgres doc fragment)."""
    return dict(
        rds_instance_identifier=dict(type="str"),
        secret_id=dict(type="str"),
        host=dict(type="str"),
        port=dict(type="int"),
        user=dict(type="str"),
        password=dict(type="str", no_log=True),
        dbname=dict(type="str", default=dbname_default) if dbname_default else dict(type="str"),
        sslmode=dict(type="str", default="verify-full", choices=SSL_MODES),
        ca_bundle=dict(type="path"),
    )


def connection_problems(connection, option="database"):
    """What is wrong with a connection option's value, found without any call (empty when nothing is)."""
    problems = []
    instance = connection.get("rds_instance_identifier")
    if not instance and not connection.get("host"):
        problems.append("%s: give rds_instance_identifier (the environment's RDS instance) or host" % option)
    if instance and not _INSTANCE_ID.fullmatch(instance):
        problems.append("%s.rds_instance_identifier: %r is not an RDS instance identifier or ARN" % (option, instance))
    secret = connection.get("secret_id")
    if secret:
        problems.extend(secret_id_problems(secret, "%s.secret_id" % option))
    if not instance and not secret and not connection.get("password"):
        problems.append("%s: give secret_id (the secret of the credentials) or password" % option)
    if not instance and not secret and not connection.get("user"):
        problems.append("%s: give user, secret_id or rds_instance_identifier" % option)
    if not instance and not connection.get("dbname"):
        problems.append("%s: give dbname (only an RDS instance tells its own database)" % option)
    if connection.get("dbname") and not _DBNAME.fullmatch(connection["dbname"]):
        problems.append("%s.dbname: %r is not a database name" % (option, connection["dbname"]))
    if connection.get("sslmode") in VERIFYING_SSL_MODES:
        bundle = connection.get("ca_bundle")
        if not bundle:
            problems.append("%s.ca_bundle: sslmode %s verifies the server against a CA bundle; give its path (on "
                            "AWS the RDS CA bundle)" % (option, connection["sslmode"]))
        elif not os.path.isfile(bundle):
            problems.append("%s.ca_bundle: %s is not a file" % (option, bundle))
    return problems


@aws_retry()
def _describe_instance(client, identifier):
    return client.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def instance_endpoint(client, identifier):
    """(host, port, dbname, master user, managed secret ARN or None) of an available RDS instance."""
    try:
        instance = _describe_instance(client, identifier)
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] == "DBInstanceNotFound":
            raise ConnectionProblem("RDS instance %s does not exist" % identifier)
        raise
    endpoint = instance.get("Endpoint") or {}
    if not endpoint.get("Address"):
        raise ConnectionProblem("RDS instance %s has no endpoint yet (status %s)"
                                % (identifier, instance.get("DBInstanceStatus")))
    return (endpoint["Address"], endpoint["Port"], instance.get("DBName"), instance.get("MasterUsername"),
            (instance.get("MasterUserSecret") or {}).get("SecretArn"))


def secret_credentials(client, secret_id):
    """(username, password) of a secret in the layout of RDS master secrets."""
    try:
        value = read_secret(client, secret_id, as_json=True)
    except SecretNotJSON:
        raise ConnectionProblem("secret %s is not JSON with username and password" % secret_id)
    if value is None:
        raise ConnectionProblem("secret %s does not exist" % secret_id)
    if not value.get("password"):
        raise ConnectionProblem("secret %s has no password (JSON with username and password expected)" % secret_id)
    return value.get("username"), value["password"]


def resolve(connection, rds_client=None, secrets_client=None):
    """The complete connection (host, port, user, password, dbname, sslmode, ca_bundle); given values win."""
    resolved = dict(host=None, port=5432, user=None, password=None, dbname=None)
    managed_secret = None
    if connection.get("rds_instance_identifier"):
        host, port, dbname, user, managed_secret = instance_endpoint(rds_client, connection["rds_instance_identifier"])
        resolved.update(host=host, port=port, dbname=dbname, user=user)
    secret = connection.get("secret_id") or (managed_secret if not connection.get("password") else None)
    if secret:
        user, password = secret_credentials(secrets_client, secret)
        resolved.update(password=password, user=user or resolved["user"])
    elif connection.get("rds_instance_identifier") and not connection.get("password"):
        raise ConnectionProblem("RDS instance %s has no managed master secret: give secret_id or password"
                                % connection["rds_instance_identifier"])
    for name in ("host", "port", "user", "password", "dbname"):
        if connection.get(name) not in (None, ""):
            resolved[name] = connection[name]
    if not resolved["dbname"]:
        raise ConnectionProblem("RDS instance %s has no database of its own: give dbname"
                                % connection["rds_instance_identifier"])
    resolved.update(sslmode=connection.get("sslmode") or "verify-full", ca_bundle=connection.get("ca_bundle"))
    return resolved


def resolve_connection(module, connection, option="database"):
    """resolve() for an AnsibleAWSModule: checks first (no call on a bad value), then fails the module cleanly."""
    problems = connection_problems(connection, option)
    if problems:
        module.fail_json(msg="; ".join(problems))
    needs_rds = bool(connection.get("rds_instance_identifier"))
    needs_secrets = bool(connection.get("secret_id")) or (needs_rds and not connection.get("password"))
    try:
        return resolve(connection, module.client("rds") if needs_rds else None,
                       module.client("secretsmanager") if needs_secrets else None)
    except ConnectionProblem as problem:
        module.fail_json(msg="%s: %s" % (option, problem))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="%s: the connection could not be resolved" % option)


def conninfo(connection, dbname=None):
    """A libpq conninfo of a resolved connection; ``dbname`` instead of its own when given."""
    from psycopg.conninfo import make_conninfo
    params = dict(host=connection["host"], port=connection["port"], user=connection["user"],
                  password=connection["password"], dbname=dbname or connection["dbname"],
                  sslmode=connection.get("sslmode") or "verify-full")
    if connection.get("ca_bundle"):
        params["sslrootcert"] = connection["ca_bundle"]
    return make_conninfo(**params)
