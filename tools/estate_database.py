"""The PostgreSQL database of a local-estate environment, reached the way the procedures reach it: through AWS.

An environment's database is its RDS instance ``<env>-postgres`` (on the local stack a PostgreSQL server of its own)
with the master credentials in the secret ``envops/<env>/database/master``. Tests, benchmarks and the demo fill and
read it through that instance's endpoint and secret, over verified TLS, like the pg_* modules do.

    conninfo = database_conninfo(moto_url, account, region, "prod")           # after provision.yml
    conninfo = ensure_database(moto_url, account, region, "prod")             # what role database would create

Usage: python -m tools.estate_database ENV   (prints the conninfo of a local-estate environment, password hidden)
"""

import json
import secrets
import sys

import boto3
from psycopg.conninfo import make_conninfo

from tools.stack.state import read_state

SECRET_KEY = "local-moto-not-a-secret"


def _session(account, region):
    return boto3.session.Session(aws_access_key_id=account, aws_secret_access_key=SECRET_KEY, region_name=region)


def instance_identifier(env):
    return "%s-postgres" % env


def secret_id(env):
    return "envops/%s/database/master" % env


def database_conninfo(moto_url, account, region, env, dbname=None, ca_bundle=None):
    """libpq conninfo of the environment's database: endpoint from DescribeDBInstances, credentials from the secret."""
    session = _session(account, region)
    instance = session.client("rds", endpoint_url=moto_url).describe_db_instances(
        DBInstanceIdentifier=instance_identifier(env))["DBInstances"][0]
    credentials = json.loads(session.client("secretsmanager", endpoint_url=moto_url).get_secret_value(
        SecretId=secret_id(env))["SecretString"])
    return make_conninfo(host=instance["Endpoint"]["Address"], port=instance["Endpoint"]["Port"],
                         user=credentials["username"], password=credentials["password"],
                         dbname=dbname or instance["DBName"], sslmode="verify-full",
                         sslrootcert=ca_bundle or read_state()["ca_bundle"])


def ensure_database(moto_url, account, region, env, database_name="app", master_username="app_admin", port=5432,
                    **create_options):
    """The master secret, the TLS-only parameter group and the instance, as roles secrets and database leave them
    (for tests that do not provision a whole environment); returns the database's conninfo. ``create_options``:
    more CreateDBInstance parameters (DBSubnetGroupName, KmsKeyId, DeletionProtection, MultiAZ...)."""
    session = _session(account, region)
    secrets_client = session.client("secretsmanager", endpoint_url=moto_url)
    rds = session.client("rds", endpoint_url=moto_url)
    try:
        secrets_client.describe_secret(SecretId=secret_id(env))
    except secrets_client.exceptions.ResourceNotFoundException:
        secrets_client.create_secret(Name=secret_id(env), SecretString=json.dumps({
            "engine": "postgres", "username": master_username, "password": secrets.token_urlsafe(24),
            "dbname": database_name}))
    try:
        rds.describe_db_instances(DBInstanceIdentifier=instance_identifier(env))
    except rds.exceptions.DBInstanceNotFoundFault:
        group = "envops-%s-postgres15" % env
        rds.create_db_parameter_group(DBParameterGroupName=group, DBParameterGroupFamily="postgres15",
                                      Description="%s PostgreSQL: TLS only" % env)
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
        password = json.loads(secrets_client.get_secret_value(SecretId=secret_id(env))["SecretString"])["password"]
        options = dict(
            DBInstanceIdentifier=instance_identifier(env), Engine="postgres", EngineVersion="15.7",
            DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername=master_username,
            MasterUserPassword=password, DBName=database_name, Port=port, DBParameterGroupName=group,
            StorageEncrypted=True, BackupRetentionPeriod=7, Tags=[{"Key": "env", "Value": env}])
        options.update(create_options)
        rds.create_db_instance(**options)
    return database_conninfo(moto_url, account, region, env)


def local_environment(env):
    """(account, region) of an environment of inventories/local."""
    from tools.estate_tables import local_account
    from tools.local_inventory import load_spec

    return local_account(env), load_spec(env)["region"]


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.exit(__doc__)
    account, region = local_environment(args[0])
    conninfo = database_conninfo(read_state()["moto_url"], account, region, args[0])
    print(" ".join(part for part in conninfo.split() if not part.startswith("password=")))


if __name__ == "__main__":
    main()
