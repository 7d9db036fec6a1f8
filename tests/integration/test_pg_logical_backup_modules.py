"""envops.aws.pg_logical_backup and pg_logical_restore through ansible-playbook: a generated database on the real
local PostgreSQL backed up to a KMS-encrypted bucket on moto, restored into a new database and validated; the
same backup id is not taken twice, check mode changes nothing, the newest backup is found, a damaged archive and
an existing target are refused, bad input is refused before any AWS call."""

import json
import secrets
import subprocess

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from harness import VENV_BIN, PlaybookRun, REPO, aws_client, tool_env
from tools.local_inventory import fresh_account_id
from tools.masking_dataset import create_dataset, drop_database
from tools.stack.state import calls, pg_dsn, reset_calls

REGION = "eu-west-1"
HOST = "localhost"
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
""" % (REGION, BUCKET, BUCKET)


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(5)


@pytest.fixture(scope="module")
def playbook(tmp_path_factory):
    directory = tmp_path_factory.mktemp("pg_logical_backup")
    (directory / "play.yml").write_text(PLAYBOOK)
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n")
    return directory


@pytest.fixture(scope="module")
def server(stack):
    params = conninfo_to_dict(pg_dsn("postgres"))
    return {"host": params["host"], "port": int(params["port"]), "user": params["user"],
            "password": params["password"], "dbname": "postgres"}


@pytest.fixture(scope="module")
def source_db(stack):
    name = "bk_src_%s" % secrets.token_hex(3)
    create_dataset(pg_dsn("postgres"), name, 300, 2, seed=7)
    yield name
    drop_database(pg_dsn("postgres"), name)


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
    return run.facts(HOST, "Backup")


def databases(name):
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0]


def test_backup_uploads_an_encrypted_archive_and_its_manifest(backed_up, s3, key, server):
    assert backed_up["changed"] is True
    manifest = backed_up["manifest"]
    assert manifest["rows"] == 900 and manifest["backup_id"] == "20261123T0100Z" and manifest["newest_write"]
    for object_key in (backed_up["archive_key"], backed_up["manifest_key"]):
        head = s3.head_object(Bucket=BUCKET, Key=object_key)
        assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", key)
    assert json.loads(s3.get_object(Bucket=BUCKET, Key=backed_up["manifest_key"])["Body"].read()) == manifest
    assert server["password"] not in json.dumps(backed_up)


def test_the_same_backup_id_is_not_taken_twice_and_check_mode_uploads_nothing(
        backed_up, playbook, stack, account, server, source_db, s3):
    again = play(playbook, stack["moto_url"], account, server, action="backup", source_db=source_db,
                 backup_id="20261123T0100Z")
    assert again.rc == 0 and again.facts(HOST, "Backup")["changed"] is False
    check = play(playbook, stack["moto_url"], account, server, check=True, action="backup", source_db=source_db,
                 backup_id="20261123T0200Z")
    assert check.rc == 0 and check.facts(HOST, "Backup")["changed"] is True
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="postgres/app/20261123T0200Z/")["KeyCount"] == 0


def test_the_newest_backup_is_restored_into_a_new_database_and_validated(
        backed_up, playbook, stack, account, server, source_db):
    with psycopg.connect(pg_dsn(source_db), autocommit=True) as connection:
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
        with psycopg.connect(pg_dsn(target), autocommit=True) as connection:
            assert connection.execute("SELECT count(*) FROM orders").fetchone()[0] == 590

        again = play(playbook, stack["moto_url"], account, server, action="restore", target_db=target)
        assert again.rc != 0
        assert "the database exists" in "\n".join(again.failure_messages(HOST))

        dropped = play(playbook, stack["moto_url"], account, server, action="drop", target_db=target)
        assert dropped.rc == 0 and dropped.facts(HOST, "Drop")["changed"] is True and databases(target) == 0
        gone = play(playbook, stack["moto_url"], account, server, action="drop", target_db=target)
        assert gone.rc == 0 and gone.facts(HOST, "Drop")["changed"] is False
    finally:
        drop_database(pg_dsn("postgres"), target)


def test_drop_refuses_a_database_no_restore_made(playbook, stack, account, server, source_db):
    run = play(playbook, stack["moto_url"], account, server, action="drop", target_db=source_db)
    assert run.rc != 0
    assert "it was not made by a restore" in "\n".join(run.failure_messages(HOST))
    assert databases(source_db) == 1


def test_a_damaged_archive_is_refused_and_creates_nothing(backed_up, playbook, stack, account, server, s3):
    body = s3.get_object(Bucket=BUCKET, Key=backed_up["archive_key"])["Body"].read()
    s3.put_object(Bucket=BUCKET, Key=backed_up["archive_key"], Body=body[:-4] + b"oops")
    target = "bk_dst_%s" % secrets.token_hex(3)
    run = play(playbook, stack["moto_url"], account, server, action="restore", target_db=target,
               backup_id="20261123T0100Z")
    assert run.rc != 0
    assert "SHA-256" in "\n".join(run.failure_messages(HOST))
    assert databases(target) == 0


@pytest.mark.parametrize("extra,expected", [
    ({"action": "backup", "backup_id": "../x", "source_db": "x"}, "backup_id '../x'"),
    ({"action": "backup", "backup_id": "b1", "prefix": "/abs", "source_db": "x"}, "prefix '/abs'"),
], ids=["bad-id", "bad-prefix"])
def test_bad_input_is_refused_before_any_aws_call(playbook, private_moto, account, server, extra, expected):
    reset_calls(private_moto)
    run = play(playbook, private_moto, account, server, **extra)
    assert run.rc != 0 and expected in "\n".join(run.failure_messages(HOST))
    assert calls(private_moto)["total"] == 0
