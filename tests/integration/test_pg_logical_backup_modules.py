"""envops.aws.pg_logical_backup, pg_logical_restore and pg_table_fingerprints through ansible-playbook, against an
RDS instance of a fresh account (on the local stack a PostgreSQL server of its own, TLS only) that the modules find
through AWS: its endpoint from DescribeDBInstances, the master credentials from its secret, the server verified
against the CA bundle (sslmode verify-full). A generated database is backed up to a KMS-encrypted bucket on moto,
restored into a new database and validated; the same backup id is not taken twice, check mode changes nothing, the
newest backup is found, a damaged archive and an existing target are refused, bad input is refused before any AWS
call, and neither a server certificate of another CA nor a connection without TLS gets through."""

import json
import secrets
import subprocess

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from harness import PlaybookRun, REPO, VENV_BIN, aws_client, localhost_playbook, tool_env
from tools.estate_database import database_conninfo, ensure_database, instance_identifier, secret_id
from tools.local_inventory import fresh_account_id
from tools.masking_dataset import create_dataset, drop_database
from tools.stack import tls
from tools.stack.state import calls, read_state, reset_calls

REGION = "eu-west-1"
HOST = "localhost"
ENV = "bk"
BUCKET = "envops-it-backups-%s" % secrets.token_hex(4)  # bucket names are global: one per run

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/envops.aws.aws:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %s
  tasks:
    - name: Backup
      envops.aws.pg_logical_backup:
        database: "{{ server | combine({'dbname': source_db}) }}"
        bucket: %s
        prefix: "{{ prefix | default('postgres/app/') }}"
        backup_id: "{{ backup_id }}"
        kms_key_id: "{{ key | default(omit) }}"
        newest_write_columns: [public.orders.ordered_at, public.customers.created_at]
      when: action == 'backup'
    - name: Restore
      envops.aws.pg_logical_restore:
        server: "{{ server }}"
        database: "{{ target_db }}"
        bucket: %s
        prefix: postgres/app/
        backup_id: "{{ backup_id | default(omit) }}"
      when: action == 'restore'
    - name: Drop
      envops.aws.pg_logical_restore:
        server: "{{ server }}"
        database: "{{ target_db }}"
        state: absent
      when: action == 'drop'
    - name: Fingerprints
      envops.aws.pg_table_fingerprints:
        database: "{{ server | combine({'dbname': source_db}) }}"
        reference: "{{ reference | default(omit) }}"
      when: action == 'fingerprints'
""" % (REGION, BUCKET, BUCKET)


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(5)


@pytest.fixture(scope="module")
def playbook(tmp_path_factory):
    return localhost_playbook(tmp_path_factory.mktemp("pg_logical_backup"), "play.yml", PLAYBOOK)


@pytest.fixture(scope="module")
def admin(stack, account):
    """The instance bk-postgres as provisioning leaves it (master secret, TLS-only parameter group); the conninfo of
    its maintenance database. The instance is deleted at the end: its server is real."""
    ensure_database(stack["moto_url"], account, REGION, ENV)
    yield database_conninfo(stack["moto_url"], account, REGION, ENV, dbname="postgres")
    aws_client(stack, "rds", account, REGION).delete_db_instance(DBInstanceIdentifier=instance_identifier(ENV),
                                                                 SkipFinalSnapshot=True)


@pytest.fixture(scope="module")
def server(admin):
    """The connection option as procedures give it: the instance and its secret, completed by the module."""
    return {"rds_instance_identifier": instance_identifier(ENV), "secret_id": secret_id(ENV),
            "ca_bundle": read_state()["ca_bundle"], "dbname": "postgres"}


@pytest.fixture(scope="module")
def master_password(stack, account, admin):
    secret = aws_client(stack, "secretsmanager", account, REGION).get_secret_value(SecretId=secret_id(ENV))
    return json.loads(secret["SecretString"])["password"]


@pytest.fixture(scope="module")
def source_db(admin):
    create_dataset(admin, "app", 300, 2, seed=7)
    return "app"


@pytest.fixture(scope="module")
def s3(stack, account):
    client = aws_client(stack, "s3", account, REGION)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client


@pytest.fixture(scope="module")
def key(stack, account):
    return aws_client(stack, "kms", account, REGION).create_key()["KeyMetadata"]["Arn"]


def play(playbook, moto_url, account, server, check=False, **extra):
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(playbook / "hosts.yml"), str(playbook / "play.yml"),
           "-e", json.dumps(dict(extra, moto_url=moto_url, account=account, server=server))]
    cmd += ["--check"] if check else []
    proc = subprocess.run(cmd, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=300, check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def backed_up(playbook, stack, account, server, source_db, s3, key):
    run = play(playbook, stack["moto_url"], account, server, action="backup", source_db=source_db,
               backup_id="20261123T0100Z", key=key)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return run


def databases(admin, name):
    with psycopg.connect(admin, autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0]


def test_backup_uploads_an_encrypted_archive_and_its_manifest(backed_up, s3, key, master_password):
    result = backed_up.facts(HOST, "Backup")
    assert result["changed"] is True
    manifest = result["manifest"]
    assert manifest["rows"] == 900 and manifest["backup_id"] == "20261123T0100Z" and manifest["newest_write"]
    assert manifest["database"] == "app"
    for object_key in (result["archive_key"], result["manifest_key"]):
        head = s3.head_object(Bucket=BUCKET, Key=object_key)
        assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key)
    assert json.loads(s3.get_object(Bucket=BUCKET, Key=result["manifest_key"])["Body"].read()) == manifest
    assert master_password not in backed_up.stdout + backed_up.stderr, "the secret's password never shows"


def test_the_same_backup_id_is_not_taken_twice_and_check_mode_uploads_nothing(
        backed_up, playbook, stack, account, server, source_db, s3):
    again = play(playbook, stack["moto_url"], account, server, action="backup", source_db=source_db,
                 backup_id="20261123T0100Z")
    assert again.rc == 0 and again.facts(HOST, "Backup")["changed"] is False
    check = play(playbook, stack["moto_url"], account, server, check=True, action="backup", source_db=source_db,
                 backup_id="20261123T0200Z")
    assert check.rc == 0 and check.facts(HOST, "Backup")["changed"] is True
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="postgres/app/20261123T0200Z/")["KeyCount"] == 0


def test_table_fingerprints_equal_the_manifest_of_a_backup_of_the_same_data(
        backed_up, playbook, stack, account, server, source_db):
    manifest = backed_up.facts(HOST, "Backup")["manifest"]
    run = play(playbook, stack["moto_url"], account, server, action="fingerprints", source_db=source_db,
               reference={"bucket": BUCKET, "prefix": "postgres/app/"})
    assert run.rc == 0, run.stdout[-3000:]
    result = run.facts(HOST, "Fingerprints")
    assert result["changed"] is False and result["tables"] == manifest["tables"] and result["rows"] == 900
    assert result["reference"] == {"backup_id": "20261123T0100Z", "created_at": manifest["created_at"]}
    assert result["problems"] == [] and all(table["matches"] for table in result["comparison"].values())
    before_any = play(playbook, stack["moto_url"], account, server, action="fingerprints", source_db=source_db,
                      reference={"bucket": BUCKET, "prefix": "postgres/app/",
                                 "created_before": "2001-01-01T00:00:00+00:00"})
    assert before_any.rc == 0 and before_any.facts(HOST, "Fingerprints")["reference"] is None
    assert "comparison" not in before_any.facts(HOST, "Fingerprints")


def test_the_newest_backup_is_restored_into_a_new_database_and_validated(
        backed_up, playbook, stack, account, server, admin, source_db):
    with psycopg.connect(make_conninfo(admin, dbname=source_db), autocommit=True) as connection:
        connection.execute("DELETE FROM orders WHERE id IN (SELECT id FROM orders ORDER BY id LIMIT 10)")
    newer = play(playbook, stack["moto_url"], account, server, action="backup", source_db=source_db,
                 backup_id="20261123T0300Z")
    assert newer.rc == 0, newer.stdout[-3000:]
    target = "bk_dst_%s" % secrets.token_hex(3)
    try:
        run = play(playbook, stack["moto_url"], account, server, action="restore", target_db=target)
        assert run.rc == 0, run.stdout[-3000:]
        result = run.facts(HOST, "Restore")
        assert result["backup_id"] == "20261123T0300Z"
        assert result["validation"]["ok"] and result["validation"]["rows"] == 890
        with psycopg.connect(make_conninfo(admin, dbname=target), autocommit=True) as connection:
            assert connection.execute("SELECT count(*) FROM orders").fetchone()[0] == 590

        again = play(playbook, stack["moto_url"], account, server, action="restore", target_db=target)
        assert again.rc != 0
        assert "the database exists" in "\n".join(again.failure_messages(HOST))

        dropped = play(playbook, stack["moto_url"], account, server, action="drop", target_db=target)
        assert dropped.rc == 0 and dropped.facts(HOST, "Drop")["changed"] is True and databases(admin, target) == 0
        gone = play(playbook, stack["moto_url"], account, server, action="drop", target_db=target)
        assert gone.rc == 0 and gone.facts(HOST, "Drop")["changed"] is False
    finally:
        drop_database(admin, target)


def test_drop_refuses_a_database_no_restore_made(playbook, stack, account, server, admin, source_db):
    run = play(playbook, stack["moto_url"], account, server, action="drop", target_db=source_db)
    assert run.rc != 0
    assert "it was not made by a restore" in "\n".join(run.failure_messages(HOST))
    assert databases(admin, source_db) == 1


def test_a_damaged_archive_is_refused_and_creates_nothing(backed_up, playbook, stack, account, server, admin, s3):
    archive_key = backed_up.facts(HOST, "Backup")["archive_key"]
    body = s3.get_object(Bucket=BUCKET, Key=archive_key)["Body"].read()
    s3.put_object(Bucket=BUCKET, Key=archive_key, Body=body[:-4] + b"oops")
    target = "bk_dst_%s" % secrets.token_hex(3)
    run = play(playbook, stack["moto_url"], account, server, action="restore", target_db=target,
               backup_id="20261123T0100Z")
    assert run.rc != 0
    assert "SHA-256" in "\n".join(run.failure_messages(HOST))
    assert databases(admin, target) == 0


def test_a_server_certificate_of_another_ca_is_refused(playbook, stack, account, server, source_db, s3, tmp_path):
    tls.ensure_ca(tmp_path / "other-ca.pem", tmp_path / "other-ca.key")
    run = play(playbook, stack["moto_url"], account, dict(server, ca_bundle=str(tmp_path / "other-ca.pem")),
               action="backup", source_db=source_db, backup_id="20261123T0400Z")
    assert run.rc != 0
    message = "\n".join(run.failure_messages(HOST))
    # OpenSSL says "certificate verify failed", or, as here where the other CA has the same name, that the
    # certificate's signature does not verify under it
    assert "backup of app failed" in message and "SSL error" in message, message
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="postgres/app/20261123T0400Z/")["KeyCount"] == 0


def test_a_connection_without_tls_is_refused_by_a_tls_only_instance(playbook, stack, account, server, source_db, s3):
    rds = aws_client(stack, "rds", account, REGION)
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier=instance_identifier(ENV))["DBInstances"]
    (group,) = instance["DBParameterGroups"]
    parameters = rds.describe_db_parameters(DBParameterGroupName=group["DBParameterGroupName"], Source="user")
    assert {p["ParameterName"]: p["ParameterValue"] for p in parameters["Parameters"]}["rds.force_ssl"] == "1"
    run = play(playbook, stack["moto_url"], account, dict(server, sslmode="disable", ca_bundle=None),
               action="backup", source_db=source_db, backup_id="20261123T0500Z")
    assert run.rc != 0
    message = "\n".join(run.failure_messages(HOST))
    assert "no pg_hba.conf entry" in message and "no encryption" in message, message
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="postgres/app/20261123T0500Z/")["KeyCount"] == 0


@pytest.mark.parametrize("extra,expected", [
    ({"action": "backup", "backup_id": "../x", "source_db": "x"}, "backup_id '../x'"),
    ({"action": "backup", "backup_id": "b1", "prefix": "/abs", "source_db": "x"}, "prefix '/abs'"),
    ({"action": "fingerprints", "source_db": "x",
      "reference": {"bucket": "b", "prefix": "p/", "created_before": "May"}}, "reference.created_before 'May'"),
], ids=["bad-id", "bad-prefix", "bad-moment"])
def test_bad_input_is_refused_before_any_aws_call(playbook, private_moto, account, extra, expected):
    server = {"rds_instance_identifier": instance_identifier(ENV), "secret_id": secret_id(ENV),
              "ca_bundle": read_state()["ca_bundle"], "dbname": "postgres"}
    reset_calls(private_moto)
    run = play(playbook, private_moto, account, server, **extra)
    assert run.rc != 0 and expected in "\n".join(run.failure_messages(HOST))
    assert calls(private_moto)["total"] == 0
