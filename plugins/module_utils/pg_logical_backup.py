# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logical backups of a PostgreSQL database that any restore can be checked against.

``create_backup(conninfo, archive_path)`` writes a ``pg_dump --format=custom`` archive and returns its
*manifest*: the SHA-256 and size of the archive, and per table the row count and an order-independent checksum
(the sum of ``hashtextextended(row::text, 0)`` over the rows, computed by the server), plus the newest write time
of the declared timestamp columns. The archive and the fingerprints are read in one exported snapshot, so the
manifest describes exactly the data in the archive, also while the application writes.

``restore_backup(admin_conninfo, archive_path, manifest, database)`` checks the archive against the manifest's
SHA-256 first (a damaged or swapped archive is refused before anything is created), then restores it into a
*new* database (an existing name is refused: restores never overwrite).

``validate_restore(conninfo, manifest)`` recomputes the fingerprints in the restored database and compares:
every table present with the same row count and checksum, no extra table, the same newest write time. Problems
name tables and counts, never values.

Fingerprints are only comparable under the same text output settings; every session that computes one sets
them (``FINGERPRINT_SETTINGS``). Importable without psycopg (pg_copy_stream.HAS_PSYCOPG).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os
import subprocess
import tempfile
import time
from datetime import datetime, timezone

from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_ident
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_table

try:
    import psycopg
    from psycopg import IsolationLevel
    from psycopg import sql
    from psycopg.conninfo import make_conninfo
except ImportError:  # pragma: no cover - reported by pg_copy_stream.require_psycopg
    pass

MANIFEST_FORMAT = "envops-pg-logical/1"
RESTORED_MARK = "envops:restored:"
# After a swap the restored database is live: its mark changes so that no drill cleanup may ever drop it.
LIVE_MARK = "envops:live-from-restore:"
REPLACED_MARK = "envops:replaced-by-restore:"
# Text output of every type must be the same wherever a fingerprint is computed.
FINGERPRINT_SETTINGS = ("SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET IntervalStyle = 'postgres'",
                        "SET extra_float_digits = 3", "SET bytea_output = 'hex'")
FINGERPRINT_SQL = "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text FROM %s AS t"


class BackupError(pg_copy_stream.PgCopyError):
    """A backup, restore or validation step failed; ``problems`` lists why (no values)."""

    def __init__(self, message, problems=()):
        super(BackupError, self).__init__(message)
        self.problems = list(problems)


def sha256_of(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as archive:
        for block in iter(lambda: archive.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def _settings(connection):
    for statement in FINGERPRINT_SETTINGS:
        connection.execute(statement)


def fingerprints(connection):
    """``{"schema.table": {"rows", "checksum"}}`` of every user table, as this connection's snapshot sees it."""
    _settings(connection)
    tables = {}
    for schema, name, _columns, _bytes, _reltuples in connection.execute(pg_copy_stream.TABLES_SQL).fetchall():
        qualified = "%s.%s" % (schema, name)
        rows, checksum = connection.execute(FINGERPRINT_SQL % quote_table(qualified)).fetchone()
        tables[qualified] = {"rows": rows, "checksum": checksum}
    return dict(sorted(tables.items()))


def _split_column(reference):
    parts = reference.split(".")
    if len(parts) != 3 or not all(parts):
        raise BackupError("newest-write column %r: give schema.table.column" % reference)
    return parts


def newest_write(connection, columns):
    """The newest value (UTC ISO text) over the timestamp ``columns`` (``schema.table.column``), or None."""
    newest = None
    for reference in columns:
        schema, table, column = _split_column(reference)
        value = connection.execute("SELECT max(%s) FROM %s" % (quote_ident(column), quote_table(
            "%s.%s" % (schema, table)))).fetchone()[0]
        if value is not None:
            if value.tzinfo is None:  # timestamp without time zone: stored as UTC by convention
                value = value.replace(tzinfo=timezone.utc)
            newest = value if newest is None or value > newest else newest
    return None if newest is None else newest.astimezone(timezone.utc).isoformat()


def _run(command, env, what):
    with tempfile.TemporaryFile() as errors:
        code = subprocess.call(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        if code:
            errors.seek(0)
            raise BackupError("%s failed (rc=%d): %s" % (what, code, errors.read().decode(errors="replace")[-2000:]))


def create_backup(conninfo, archive_path, newest_write_columns=(), pg_bin=None):
    """Dump the database of ``conninfo`` to ``archive_path``; returns the manifest (module doc)."""
    pg_copy_stream.require_psycopg()
    pg_dump = pg_copy_stream.find_pg_binary("pg_dump", pg_bin)
    started = time.monotonic()
    coordinator = psycopg.connect(conninfo, autocommit=False)
    try:
        coordinator.isolation_level = IsolationLevel.REPEATABLE_READ
        coordinator.read_only = True
        snapshot = coordinator.execute("SELECT pg_export_snapshot()").fetchone()[0]
        database = coordinator.execute("SELECT current_database()").fetchone()[0]
        version = coordinator.execute("SHOW server_version").fetchone()[0]
        target, env = pg_copy_stream.libpq_env(conninfo)
        _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--snapshot=" + snapshot,
              "--file=" + str(archive_path), "--dbname=" + target], env, "pg_dump")
        tables = fingerprints(coordinator)
        newest = newest_write(coordinator, newest_write_columns)
    finally:
        coordinator.close()
    return {
        "format": MANIFEST_FORMAT,
        "database": database,
        "server_version": version,
        "created_at": datetime.now(timezone.utc).isoformat(),
        "archive": {"sha256": sha256_of(archive_path), "bytes": os.path.getsize(archive_path)},
        "tables": tables,
        "rows": sum(table["rows"] for table in tables.values()),
        "newest_write_columns": list(newest_write_columns),
        "newest_write": newest,
        "seconds": round(time.monotonic() - started, 3),
    }


def check_manifest(manifest):
    """Problems of a manifest that a restore cannot trust."""
    problems = []
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return ["not a %s manifest" % MANIFEST_FORMAT]
    for field in ("archive", "tables", "database"):
        if field not in manifest:
            problems.append("the manifest has no %s" % field)
    return problems


def restore_backup(admin_conninfo, archive_path, manifest, database, pg_bin=None):
    """Restore the archive into the new database ``database``; returns ``{"database", "seconds", "bytes"}``."""
    pg_copy_stream.require_psycopg()
    problems = check_manifest(manifest)
    if problems:
        raise BackupError("refusing to restore: %s" % "; ".join(problems), problems)
    actual = sha256_of(archive_path)
    if actual != manifest["archive"]["sha256"]:
        raise BackupError("refusing to restore: the archive's SHA-256 %s is not the manifest's %s (damaged or "
                          "another backup)" % (actual, manifest["archive"]["sha256"]), ["archive checksum differs"])
    pg_restore = pg_copy_stream.find_pg_binary("pg_restore", pg_bin)
    started = time.monotonic()
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            raise BackupError("refusing to restore into %s: the database exists (restores go to a new name)"
                              % database, ["target exists"])
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    target = make_conninfo(admin_conninfo, dbname=database)
    target_dsn, env = pg_copy_stream.libpq_env(target)
    try:
        _run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname=" + target_dsn, str(archive_path)], env, "pg_restore")
    except BackupError:
        with psycopg.connect(admin_conninfo, autocommit=True) as admin:  # a half restore is never left behind
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        raise
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:  # the mark drop_restored looks for
        admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(database), sql.Literal(RESTORED_MARK + str(manifest.get("backup_id") or ""))))
    return {"database": database, "seconds": round(time.monotonic() - started, 3),
            "bytes": manifest["archive"]["bytes"]}


def drop_restored(admin_conninfo, database):
    """Drop ``database`` if restore_backup made it (its comment carries the mark); True when dropped. Any other
    existing database is refused: a drill's cleanup can never remove live data."""
    pg_copy_stream.require_psycopg()
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        row = admin.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                            (database,)).fetchone()
        if row is None:
            return False
        if not (row[0] or "").startswith(RESTORED_MARK):
            raise BackupError("refusing to drop %s: it was not made by a restore" % database, ["not a restore"])
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(database)))
    return True


def drop_restored_like(admin_conninfo, prefix):
    """Drop every database whose name starts with ``prefix`` and that a restore made (the reaper of scratch
    databases a killed drill left); databases without the mark are left alone. Returns the names dropped."""
    pg_copy_stream.require_psycopg()
    if not prefix:
        raise BackupError("refusing to reap with an empty prefix", ["empty prefix"])
    pattern = prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
    dropped = []
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        rows = admin.execute("SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
                             "WHERE datname LIKE %s ORDER BY datname", (pattern,)).fetchall()
        for name, comment in rows:
            if (comment or "").startswith(RESTORED_MARK):
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
                dropped.append(name)
    return dropped


def swap_in(admin_conninfo, restored, live, keep_as):
    """Make the validated restore ``restored`` the database ``live``; the old ``live`` stays as ``keep_as``.

    Both renames run in one transaction, so either both happened or neither. Sessions on the two databases are
    ended first (a rename needs that). The now-live database loses the restore mark. Where ``live`` does not exist
    yet (a standby seeded for the first time) the restore just takes its name. Returns the name the replaced
    database is kept under, or None."""
    pg_copy_stream.require_psycopg()
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        found = dict(admin.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = ANY(%s)",
            ([restored, live, keep_as],)).fetchall())
        if keep_as in found:
            raise BackupError("refusing to replace %s: %s exists already" % (live, keep_as), ["keep_as exists"])
        if not (found.get(restored) or "").startswith(RESTORED_MARK):
            raise BackupError("refusing to replace %s with %s: that is not a restored database" % (live, restored),
                              ["not a restore"])
        backup_id = found[restored][len(RESTORED_MARK):]
        kept = live in found
        with admin.transaction():
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY(%s) "
                          "AND pid <> pg_backend_pid()", ([live, restored],))
            rename = sql.SQL("ALTER DATABASE {} RENAME TO {}")
            comment = sql.SQL("COMMENT ON DATABASE {} IS {}")
            if kept:
                admin.execute(rename.format(sql.Identifier(live), sql.Identifier(keep_as)))
                admin.execute(comment.format(sql.Identifier(keep_as), sql.Literal(REPLACED_MARK + backup_id)))
            admin.execute(rename.format(sql.Identifier(restored), sql.Identifier(live)))
            admin.execute(comment.format(sql.Identifier(live), sql.Literal(LIVE_MARK + backup_id)))
    return keep_as if kept else None


def read_fingerprints(conninfo):
    """The fingerprints of every table of the database of ``conninfo``, all read in one snapshot."""
    pg_copy_stream.require_psycopg()
    with psycopg.connect(conninfo, autocommit=False) as connection:
        connection.isolation_level = IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        return fingerprints(connection)


def compare_fingerprints(expected, restored):
    """Compare the fingerprints of a database with those of a manifest (both ``{"schema.table": {"rows",
    "checksum"}}``): ``(problems, {"schema.table": {"rows", "backup_rows", "matches"}})`` over the tables of either;
    problems name tables and counts, never values."""
    problems = []
    tables = {}
    for name in sorted(set(expected) | set(restored)):
        want, got = expected.get(name), restored.get(name)
        if got is None:
            problems.append("table %s is missing (%d rows in the backup)" % (name, want["rows"]))
        elif want is None:
            problems.append("table %s is not in the backup" % name)
        elif want["rows"] != got["rows"]:
            problems.append("table %s has %d rows, the backup %d" % (name, got["rows"], want["rows"]))
        elif want["checksum"] != got["checksum"]:
            problems.append("table %s differs from the backup (same row count, other checksum)" % name)
        tables[name] = {"rows": None if got is None else got["rows"],
                        "backup_rows": None if want is None else want["rows"],
                        "matches": got is not None and want is not None and got == want}
    return problems, tables


def validate_restore(conninfo, manifest):
    """Compare the restored database with the manifest: ``{"ok", "problems", "tables", "rows", "newest_write"}``."""
    pg_copy_stream.require_psycopg()
    with psycopg.connect(conninfo, autocommit=False) as connection:
        connection.isolation_level = IsolationLevel.REPEATABLE_READ
        restored = fingerprints(connection)
        newest = newest_write(connection, manifest.get("newest_write_columns") or [])
    problems, compared = compare_fingerprints(manifest["tables"], restored)
    tables = dict((name, {"rows": table["rows"], "matches": table["matches"]}) for name, table in compared.items())
    if newest != manifest.get("newest_write"):
        problems.append("the newest write is %s, the backup's %s" % (newest, manifest.get("newest_write")))
    return {"ok": not problems, "problems": problems, "tables": tables,
            "rows": sum(table["rows"] or 0 for table in tables.values()), "newest_write": newest}
