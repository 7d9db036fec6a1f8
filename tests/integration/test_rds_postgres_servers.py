"""The stack's correction rds_postgres_instances_are_servers, through boto3 and psycopg: an RDS PostgreSQL instance
is a server holding data, reached over verified TLS; snapshots, copies and restores carry the data."""

import datetime
import sys
import time
from pathlib import Path

import boto3
import psycopg
import pytest
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))

from tools.local_inventory import fresh_account_id  # noqa: E402
from tools.stack import tls  # noqa: E402
from tools.stack.state import read_state  # noqa: E402

REGION = "eu-west-1"
PASSWORD = "first-password-1"


@pytest.fixture(scope="module")
def ca_bundle(stack):
    return read_state()["ca_bundle"]


@pytest.fixture(scope="module")
def account():
    return fresh_account_id()


def client(moto_url, account, service="rds", region=REGION):
    return boto3.client(service, endpoint_url=moto_url, region_name=region, aws_access_key_id=account,
                        aws_secret_access_key="local")


@pytest.fixture(scope="module")
def rds(private_moto, account):
    rds = client(private_moto, account)
    rds.create_db_parameter_group(DBParameterGroupName="tls-only", DBParameterGroupFamily="postgres15",
                                  Description="TLS only")
    rds.modify_db_parameter_group(DBParameterGroupName="tls-only", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    return rds


def create(rds, name, group="tls-only", port=5432):
    return rds.create_db_instance(
        DBInstanceIdentifier=name, Engine="postgres", EngineVersion="15.4", DBInstanceClass="db.t3.micro",
        MasterUsername="master", MasterUserPassword=PASSWORD, DBName="app", AllocatedStorage=20, Port=port,
        DBParameterGroupName=group)["DBInstance"]


def endpoint(rds, name):
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["Endpoint"]


def connect(rds, name, ca_bundle, password=PASSWORD, **options):
    where = endpoint(rds, name)
    options.setdefault("sslmode", "verify-full")
    options.setdefault("sslrootcert", ca_bundle)
    return psycopg.connect(host=where["Address"], port=where["Port"], user="master", password=password,
                           dbname="app", autocommit=True, connect_timeout=5, **options)


def count(rds, name, ca_bundle, password=PASSWORD):
    with connect(rds, name, ca_bundle, password) as connection:
        return connection.execute("SELECT count(*), coalesce(sum(id), 0) FROM items").fetchone()


def insert(rds, name, ca_bundle, first, last):
    with connect(rds, name, ca_bundle) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY)")
        connection.execute("INSERT INTO items SELECT generate_series(%s::int, %s::int)", (first, last))


def test_an_instance_is_a_server_at_its_endpoint_with_the_master_user_and_database(rds, ca_bundle):
    created = create(rds, "plain-one", group="tls-only", port=5433)
    assert created["Endpoint"]["Port"] == 5433  # the port of the request, as on AWS
    insert(rds, "plain-one", ca_bundle, 1, 10)
    with connect(rds, "plain-one", ca_bundle) as connection:
        user, owner, superuser = connection.execute(
            "SELECT current_user, pg_get_userbyid(datdba), rolsuper FROM pg_database, pg_roles "
            "WHERE datname = current_database() AND rolname = current_user").fetchone()
        assert (user, owner, superuser) == ("master", "master", False)  # like RDS: the owner, not a superuser
        assert connection.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone() == (True,)
    assert count(rds, "plain-one", ca_bundle) == (10, 55)


def test_two_instances_with_the_same_user_database_and_port_are_separate(rds, ca_bundle):
    create(rds, "twin-a")
    create(rds, "twin-b")
    insert(rds, "twin-a", ca_bundle, 1, 3)
    insert(rds, "twin-b", ca_bundle, 1, 7)
    assert endpoint(rds, "twin-a") != endpoint(rds, "twin-b")
    assert count(rds, "twin-a", ca_bundle) == (3, 6)
    assert count(rds, "twin-b", ca_bundle) == (7, 28)


def test_force_ssl_refuses_a_plain_connection_and_verify_full_refuses_a_wrong_ca(rds, ca_bundle, tmp_path):
    create(rds, "tls-one")
    with pytest.raises(psycopg.OperationalError, match="no pg_hba.conf entry.*no encryption"):
        connect(rds, "tls-one", ca_bundle, sslmode="disable").close()
    tls.ensure_ca(tmp_path / "other-ca.pem", tmp_path / "other-ca.key")
    with pytest.raises(psycopg.OperationalError, match="SSL error|certificate verify failed"):
        connect(rds, "tls-one", str(tmp_path / "other-ca.pem")).close()
    connect(rds, "tls-one", ca_bundle).close()


def test_force_ssl_off_allows_a_plain_connection_and_turning_it_on_applies_at_once(rds, ca_bundle):
    rds.create_db_parameter_group(DBParameterGroupName="tls-optional", DBParameterGroupFamily="postgres15",
                                  Description="TLS optional")
    create(rds, "optional-one", group="tls-optional")
    connect(rds, "optional-one", ca_bundle, sslmode="disable").close()
    rds.modify_db_parameter_group(DBParameterGroupName="tls-optional", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}])
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        connect(rds, "optional-one", ca_bundle, sslmode="disable").close()


def test_a_snapshot_is_the_data_at_that_moment_and_a_restore_holds_it(rds, ca_bundle):
    create(rds, "source-one")
    insert(rds, "source-one", ca_bundle, 1, 100)
    rds.create_db_snapshot(DBInstanceIdentifier="source-one", DBSnapshotIdentifier="source-one-at-100")
    insert(rds, "source-one", ca_bundle, 101, 150)
    restored = rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="restored-one",
                                                        DBSnapshotIdentifier="source-one-at-100")["DBInstance"]
    assert restored["Endpoint"] != endpoint(rds, "source-one")
    assert count(rds, "restored-one", ca_bundle) == (100, 5050)
    assert count(rds, "source-one", ca_bundle) == (150, 11325)


def test_a_copy_under_another_key_and_into_another_account_keeps_the_data(private_moto, account, rds, ca_bundle):
    create(rds, "shared-source")
    insert(rds, "shared-source", ca_bundle, 1, 20)
    rds.create_db_snapshot(DBInstanceIdentifier="shared-source", DBSnapshotIdentifier="shared-at-20")
    key = client(private_moto, account, "kms").create_key()["KeyMetadata"]["Arn"]
    copied = rds.copy_db_snapshot(SourceDBSnapshotIdentifier="shared-at-20", TargetDBSnapshotIdentifier="reencrypted",
                                  KmsKeyId=key)["DBSnapshot"]
    rds.delete_db_snapshot(DBSnapshotIdentifier="shared-at-20")  # the copy does not depend on its source
    other_account = fresh_account_id()
    other = client(private_moto, other_account)
    with pytest.raises(ClientError, match="DBSnapshotNotFound"):  # not shared yet
        other.copy_db_snapshot(SourceDBSnapshotIdentifier=copied["DBSnapshotArn"], TargetDBSnapshotIdentifier="mine")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="reencrypted", AttributeName="restore",
                                     ValuesToAdd=[other_account])
    other.copy_db_snapshot(SourceDBSnapshotIdentifier=copied["DBSnapshotArn"], TargetDBSnapshotIdentifier="mine")
    other.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="in-other-account", DBSnapshotIdentifier="mine")
    assert count(other, "in-other-account", ca_bundle) == (20, 210)


def test_point_in_time_restore_takes_the_newest_snapshot_at_or_before_the_point(rds, ca_bundle):
    create(rds, "pitr-source")
    insert(rds, "pitr-source", ca_bundle, 1, 5)
    rds.create_db_snapshot(DBInstanceIdentifier="pitr-source", DBSnapshotIdentifier="pitr-at-5")
    time.sleep(1.1)
    between = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(1.1)
    insert(rds, "pitr-source", ca_bundle, 6, 9)
    rds.create_db_snapshot(DBInstanceIdentifier="pitr-source", DBSnapshotIdentifier="pitr-at-9")
    insert(rds, "pitr-source", ca_bundle, 10, 12)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="pitr-source",
                                             TargetDBInstanceIdentifier="pitr-between", RestoreTime=between)
    assert count(rds, "pitr-between", ca_bundle) == (5, 15)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="pitr-source",
                                             TargetDBInstanceIdentifier="pitr-latest", UseLatestRestorableTime=True)
    assert count(rds, "pitr-latest", ca_bundle) == (12, 78)
    with pytest.raises(ClientError, match="InvalidRestoreFault"):
        rds.restore_db_instance_to_point_in_time(
            SourceDBInstanceIdentifier="pitr-source", TargetDBInstanceIdentifier="pitr-too-early",
            RestoreTime=datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc))


def test_a_new_master_password_replaces_the_old_one(rds, ca_bundle):
    create(rds, "password-one")
    rds.modify_db_instance(DBInstanceIdentifier="password-one", MasterUserPassword="second-password-2",
                           ApplyImmediately=True)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(rds, "password-one", ca_bundle).close()
    connect(rds, "password-one", ca_bundle, password="second-password-2").close()


def test_delete_takes_the_final_snapshot_then_removes_the_server(rds, ca_bundle):
    create(rds, "doomed-one")
    insert(rds, "doomed-one", ca_bundle, 1, 4)
    where = endpoint(rds, "doomed-one")
    rds.delete_db_instance(DBInstanceIdentifier="doomed-one", FinalDBSnapshotIdentifier="doomed-final")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=where["Address"], port=where["Port"], user="master", password=PASSWORD,
                        dbname="app", sslmode="require", connect_timeout=3).close()
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="doomed-again", DBSnapshotIdentifier="doomed-final")
    assert count(rds, "doomed-again", ca_bundle) == (4, 10)
