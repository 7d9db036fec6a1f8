# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import json

import boto3
import pytest
from botocore.stub import Stubber
from psycopg.conninfo import conninfo_to_dict

from ansible_collections.envops.aws.plugins.module_utils.pg_connection import ConnectionProblem
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_options
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_problems
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import conninfo
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import resolve

INSTANCE = {"DBInstanceIdentifier": "prod-postgres", "DBName": "app", "MasterUsername": "envops_admin",
            "Endpoint": {"Address": "prod-postgres.abc.eu-west-1.rds.amazonaws.com", "Port": 5432},
            "DBInstanceStatus": "available"}


def clients():
    rds = boto3.client("rds", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b")
    secrets = boto3.client("secretsmanager", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b")
    return rds, secrets


def bundle(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return str(path)


def test_the_password_is_no_log_and_tls_is_verified_by_default():
    options = connection_options()
    assert options["password"]["no_log"] is True
    assert options["sslmode"]["default"] == "verify-full"
    assert connection_options(dbname_default="postgres")["dbname"] == {"type": "str", "default": "postgres"}


def test_instance_and_secret_resolve_host_port_user_password_and_database(tmp_path):
    rds, secrets = clients()
    with Stubber(rds) as rds_stub, Stubber(secrets) as secrets_stub:
        rds_stub.add_response("describe_db_instances", {"DBInstances": [INSTANCE]},
                              {"DBInstanceIdentifier": "prod-postgres"})
        secrets_stub.add_response("get_secret_value", {"SecretString": json.dumps(
            {"username": "envops_admin", "password": "s3cret", "engine": "postgres"})},
            {"SecretId": "envops/prod/database/master"})
        resolved = resolve({"rds_instance_identifier": "prod-postgres", "secret_id": "envops/prod/database/master",
                            "sslmode": "verify-full", "ca_bundle": bundle(tmp_path)}, rds, secrets)
    assert resolved == {"host": INSTANCE["Endpoint"]["Address"], "port": 5432, "user": "envops_admin",
                        "password": "s3cret", "dbname": "app", "sslmode": "verify-full",
                        "ca_bundle": bundle(tmp_path)}
    parsed = conninfo_to_dict(conninfo(resolved, dbname="postgres"))
    assert parsed["sslmode"] == "verify-full" and parsed["sslrootcert"] == bundle(tmp_path)
    assert parsed["dbname"] == "postgres" and parsed["password"] == "s3cret"


def test_given_values_win_and_the_managed_master_secret_is_used_without_secret_id():
    rds, secrets = clients()
    managed = dict(INSTANCE, MasterUserSecret={"SecretArn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-1"})
    with Stubber(rds) as rds_stub, Stubber(secrets) as secrets_stub:
        rds_stub.add_response("describe_db_instances", {"DBInstances": [managed]}, {"DBInstanceIdentifier": "prod-postgres"})
        secrets_stub.add_response("get_secret_value", {"SecretString": json.dumps({"username": "u", "password": "p"})},
                                  {"SecretId": managed["MasterUserSecret"]["SecretArn"]})
        resolved = resolve({"rds_instance_identifier": "prod-postgres", "dbname": "other", "port": 6432,
                            "sslmode": "require"}, rds, secrets)
    assert (resolved["dbname"], resolved["port"], resolved["user"], resolved["password"]) == ("other", 6432, "u", "p")


def test_a_missing_instance_or_secret_is_a_problem_naming_it():
    rds, secrets = clients()
    with Stubber(rds) as rds_stub:
        rds_stub.add_client_error("describe_db_instances", "DBInstanceNotFound", http_status_code=404)
        with pytest.raises(ConnectionProblem, match="RDS instance staging-postgres does not exist"):
            resolve({"rds_instance_identifier": "staging-postgres", "secret_id": "s"}, rds, secrets)
    with Stubber(rds) as rds_stub, Stubber(secrets) as secrets_stub:
        rds_stub.add_response("describe_db_instances", {"DBInstances": [INSTANCE]})
        secrets_stub.add_client_error("get_secret_value", "ResourceNotFoundException", http_status_code=400)
        with pytest.raises(ConnectionProblem, match="secret envops/x does not exist"):
            resolve({"rds_instance_identifier": "prod-postgres", "secret_id": "envops/x"}, rds, secrets)
    with Stubber(rds) as rds_stub:
        rds_stub.add_response("describe_db_instances", {"DBInstances": [INSTANCE]})
        with pytest.raises(ConnectionProblem, match="no managed master secret"):
            resolve({"rds_instance_identifier": "prod-postgres"}, rds, secrets)


def test_a_secret_without_a_password_is_refused():
    rds, secrets = clients()
    with Stubber(secrets) as secrets_stub:
        secrets_stub.add_response("get_secret_value", {"SecretString": "not json"})
        with pytest.raises(ConnectionProblem, match="not JSON"):
            resolve({"host": "h", "dbname": "d", "secret_id": "s"}, rds, secrets)


@pytest.mark.parametrize("connection, problem", [
    ({"dbname": "app", "password": "p", "user": "u"}, "give rds_instance_identifier"),
    ({"rds_instance_identifier": "prod--postgres", "secret_id": "s"}, "is not an RDS instance identifier"),
    ({"rds_instance_identifier": "prod-postgres", "secret_id": "a b"}, "is neither a Secrets Manager name"),
    ({"host": "h", "user": "u", "dbname": "app"}, "give secret_id"),
    ({"host": "h", "password": "p", "user": "u"}, "give dbname"),
    ({"host": "h", "password": "p", "user": "u", "dbname": "app; drop"}, "is not a database name"),
    ({"host": "h", "password": "p", "user": "u", "dbname": "app", "sslmode": "verify-full"}, "ca_bundle: sslmode"),
    ({"host": "h", "password": "p", "user": "u", "dbname": "app", "sslmode": "verify-ca", "ca_bundle": "/nonexistent"},
     "is not a file"),
])
def test_bad_connections_are_refused_before_any_call(connection, problem):
    assert any(problem in found for found in connection_problems(connection, "database")), \
        connection_problems(connection, "database")


def test_a_complete_connection_has_no_problem(tmp_path):
    assert connection_problems({"rds_instance_identifier": "arn:aws:rds:eu-west-1:111122223333:db:prod-postgres",
                                "secret_id": "envops/prod/database/master", "sslmode": "verify-full",
                                "ca_bundle": bundle(tmp_path)}) == []
    assert connection_problems({"host": "h", "user": "u", "password": "p", "dbname": "app", "sslmode": "disable"}) == []
