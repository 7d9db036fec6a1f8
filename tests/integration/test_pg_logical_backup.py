"""Logical backups (plugins/module_utils/pg_logical_backup.py) on the real local PostgreSQL: a generated database
(500 customers, 1,500 orders) dumped with its manifest, restored into a new database and validated; a changed row,
a lost row, a damaged archive and an existing target name are each caught."""

import secrets

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from tools.collection_path import import_collection
from tools.masking_dataset import create_dataset, drop_database
from tools.stack.state import pg_dsn

backup = import_collection("plugins.module_utils.pg_logical_backup")

NEWEST = ["public.customers.created_at", "public.orders.ordered_at"]


@pytest.fixture(scope="module")
def admin(stack):
    return pg_dsn("postgres")


@pytest.fixture(scope="module")
def source(admin):
    name = "backup_src_%s" % secrets.token_hex(3)
    yield create_dataset(admin, name, 500, 3, seed=5)["dsn"]
    drop_database(admin, name)


@pytest.fixture(scope="module")
def archive(source, tmp_path_factory):
    path = tmp_path_factory.mktemp("backup") / "app.dump"
    return path, backup.create_backup(source, path, NEWEST)


@pytest.fixture
def restored(admin, archive):
    path, manifest = archive
    name = "backup_dst_%s" % secrets.token_hex(3)
    result = backup.restore_backup(admin, path, manifest, name)
    yield make_conninfo(admin, dbname=name), result
    drop_database(admin, name)


def execute(dsn, statement):
    with psycopg.connect(dsn, autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else None


def test_manifest_describes_the_archive(archive, source):
    path, manifest = archive
    assert manifest["format"] == "envops-pg-logical/1"
    assert manifest["archive"]["sha256"] == backup.sha256_of(path) and manifest["archive"]["bytes"] > 10000
    assert {name: table["rows"] for name, table in manifest["tables"].items()} == {
        "public.customers": 500, "public.orders": 1500}
    assert manifest["rows"] == 2000
    newest = execute(source, "SELECT to_char(max(ordered_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
                             "FROM orders")[0][0]
    assert manifest["newest_write"].startswith(newest)


def test_restore_validates_against_the_manifest(restored, archive):
    dsn, result = restored
    report = backup.validate_restore(dsn, archive[1])
    assert report["ok"], report["problems"]
    assert report["rows"] == 2000 and all(table["matches"] for table in report["tables"].values())
    assert result["bytes"] == archive[1]["archive"]["bytes"]


def test_a_changed_a_lost_and_an_extra_row_are_caught(restored, archive):
    dsn, _result = restored
    execute(dsn, "UPDATE customers SET tier = 'changed' WHERE id = (SELECT min(id) FROM customers)")
    execute(dsn, "DELETE FROM orders WHERE id = (SELECT max(id) FROM orders)")
    execute(dsn, "CREATE TABLE extra (id int)")
    report = backup.validate_restore(dsn, archive[1])
    assert not report["ok"]
    assert "table public.customers differs from the backup (same row count, other checksum)" in report["problems"]
    assert "table public.orders has 1499 rows, the backup 1500" in report["problems"]
    assert "table public.extra is not in the backup" in report["problems"]


def test_a_damaged_archive_and_an_existing_name_are_refused_before_anything_is_created(admin, archive, tmp_path,
                                                                                       source):
    path, manifest = archive
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    name = "backup_dst_%s" % secrets.token_hex(3)
    with pytest.raises(backup.BackupError, match="SHA-256"):
        backup.restore_backup(admin, damaged, manifest, name)
    assert execute(admin, "SELECT count(*) FROM pg_database WHERE datname = '%s'" % name)[0][0] == 0
    existing = execute(source, "SELECT current_database()")[0][0]
    with pytest.raises(backup.BackupError, match="the database exists"):
        backup.restore_backup(admin, path, manifest, existing)
    with pytest.raises(backup.BackupError, match="not a envops-pg-logical/1 manifest"):
        backup.restore_backup(admin, path, {"format": "other"}, name)
