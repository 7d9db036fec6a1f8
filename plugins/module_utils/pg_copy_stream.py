# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pieces of a logical PostgreSQL copy shared by the plain copy (tools/pg_plain_copy.py) and the masked
copy (masking_pg_copy.py): schema sections through ``pg_dump | psql``, a COPY stream between two psycopg
connections in bounded memory, the tables and sequences of a database.

``pipe_section(source, target, "pre-data")``: ``pg_dump --section=pre-data source | psql target`` (types,
tables, sequences, functions; no indexes or constraints other than NOT NULL / CHECK); ``"post-data"``: primary
keys, unique constraints, indexes, foreign keys, triggers.  ``snapshot`` passes ``pg_dump --snapshot`` so the
schema is read in the same snapshot as the data.  Passwords go to pg_dump / psql through PGPASSWORD, never on a
command line.

``stream_copy(source, target, copy_out, copy_in)``: ``COPY ... TO STDOUT`` on one connection streamed into
``COPY ... FROM STDIN`` on the other, in chunks of at most ``chunk_bytes`` (plus one row); memory stays flat
whatever the table size.  The rows never pass through Python as values, only as COPY messages.

Importable without psycopg (``HAS_PSYCOPG``): the functions that need it raise PgCopyError.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import tempfile
import time

try:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    HAS_PSYCOPG = True
    PSYCOPG_IMPORT_ERROR = None
except ImportError as import_error:  # pragma: no cover - depends on the controller / host
    HAS_PSYCOPG = False
    PSYCOPG_IMPORT_ERROR = import_error

DEFAULT_CHUNK_BYTES = 1 << 20
FIRST_NORMAL_OID = 16384  # type oids below are built in: the same binary COPY format in every database
DEFAULT_PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin",)

# Ordinary tables (partitions included: their data lives there) of the user's schemas, without the tables
# of extensions; generated and dropped columns are left out of COPY.  reltuples: the planner's row estimate
# (-1 before the first VACUUM / ANALYZE).
TABLES_SQL = """
SELECT n.nspname, c.relname,
       array_agg(a.attname ORDER BY a.attnum) FILTER (WHERE a.attnum > 0 AND NOT a.attisdropped
                                                      AND a.attgenerated = '') AS columns,
       pg_relation_size(c.oid) AS bytes, c.reltuples::bigint AS reltuples
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relkind = 'r' AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                             AND d.deptype = 'e')
GROUP BY n.nspname, c.relname, c.oid
ORDER BY pg_relation_size(c.oid) DESC, n.nspname, c.relname
"""

SEQUENCES_SQL = """
SELECT s.schemaname, s.sequencename, s.last_value
FROM pg_sequences s
JOIN pg_class c ON c.relname = s.sequencename
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                           AND d.deptype = 'e')
"""


class PgCopyError(RuntimeError):
    """A step of the copy failed; the message never holds a password."""


def require_psycopg():
    if not HAS_PSYCOPG:
        raise PgCopyError("the python library psycopg (3) is required: %s" % (PSYCOPG_IMPORT_ERROR,))


def find_pg_binary(name, pg_bin=None):
    """Path of ``name`` (pg_dump, psql): in ``pg_bin`` when given, else on PATH, else /usr/lib/postgresql/15/bin."""
    if pg_bin:
        candidate = os.path.join(str(pg_bin), name)
        if os.access(candidate, os.X_OK):
            return candidate
        raise PgCopyError("%s not found in %s" % (name, pg_bin))
    found = shutil.which(name)
    if found:
        return found
    for directory in DEFAULT_PG_BIN_DIRS:
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK):
            return candidate
    raise PgCopyError("%s not found on PATH nor in %s: give pg_bin" % (name, ", ".join(DEFAULT_PG_BIN_DIRS)))


def libpq_env(dsn):
    """(conninfo without the password, environment with PGPASSWORD) for a pg_dump / psql child."""
    require_psycopg()
    params = conninfo_to_dict(dsn)
    password = params.pop("password", None)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**params), env


def pipe_section(source_dsn, target_dsn, section, no_owner=True, psql_options="", pg_bin=None, snapshot=None):
    """pg_dump --section=SECTION source | psql target, failing on the first error of either side."""
    source, source_env = libpq_env(source_dsn)
    target, target_env = libpq_env(target_dsn)
    if psql_options:
        target_env["PGOPTIONS"] = (target_env.get("PGOPTIONS", "") + " " + psql_options).strip()
    dump_cmd = [find_pg_binary("pg_dump", pg_bin), "--section=" + section, "--dbname=" + source]
    if snapshot:
        dump_cmd.append("--snapshot=" + snapshot)
    if no_owner:
        dump_cmd += ["--no-owner", "--no-privileges"]
    psql_cmd = [find_pg_binary("psql", pg_bin), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--dbname=" + target, "-f", "-"]
    with tempfile.TemporaryFile() as dump_err, tempfile.TemporaryFile() as psql_err:
        dump = subprocess.Popen(dump_cmd, stdout=subprocess.PIPE, stderr=dump_err, env=source_env)
        psql = subprocess.Popen(psql_cmd, stdin=dump.stdout, stdout=subprocess.DEVNULL, stderr=psql_err,
                                env=target_env)
        dump.stdout.close()  # psql owns the read end now: pg_dump gets SIGPIPE if psql dies
        psql_rc, dump_rc = psql.wait(), dump.wait()
        if dump_rc or psql_rc:
            dump_err.seek(0)
            psql_err.seek(0)
            raise PgCopyError("%s section failed: pg_dump rc=%s: %s | psql rc=%s: %s" % (
                section, dump_rc, dump_err.read().decode(errors="replace")[-2000:],
                psql_rc, psql_err.read().decode(errors="replace")[-2000:]))


def stream_copy(source, target, copy_out, copy_in, chunk_bytes=DEFAULT_CHUNK_BYTES, on_chunk=None):
    """Run ``copy_out`` (COPY ... TO STDOUT) on connection ``source`` into ``copy_in`` (COPY ... FROM STDIN) on
    ``target``, holding about ``chunk_bytes`` at a time.  ``on_chunk(messages, bytes)`` is called after each
    chunk written and every 1024 messages (messages: COPY data messages read so far, about one per row).

    Returns ``{"rows", "bytes", "chunks", "max_chunk_bytes", "seconds"}``; rows as counted by the target."""
    started = time.monotonic()
    total = chunks = max_chunk = messages = 0
    buffer = bytearray()
    with source.cursor() as out_cursor, target.cursor() as in_cursor:
        with out_cursor.copy(copy_out) as reader, in_cursor.copy(copy_in) as writer:
            for data in reader:  # one row (or the binary header / trailer) per message
                buffer += data
                messages += 1
                if on_chunk is not None and not messages & 1023:
                    on_chunk(messages, total + len(buffer))
                if len(buffer) >= chunk_bytes:
                    writer.write(bytes(buffer))
                    total += len(buffer)
                    chunks += 1
                    max_chunk = max(max_chunk, len(buffer))
                    buffer.clear()
                    if on_chunk is not None:
                        on_chunk(messages, total)
            if buffer:
                writer.write(bytes(buffer))
                total += len(buffer)
                chunks += 1
                max_chunk = max(max_chunk, len(buffer))
                buffer.clear()
        rows = in_cursor.rowcount
    return {"rows": rows, "bytes": total, "chunks": chunks, "max_chunk_bytes": max_chunk,
            "seconds": round(time.monotonic() - started, 3)}


def copy_sequences(source, target):
    """setval every sequence of ``target`` to its value in ``source`` (connections); returns how many."""
    count = 0
    for schema, name, last_value in source.execute(SEQUENCES_SQL).fetchall():
        if last_value is None:  # never used: leave it at its start
            continue
        qualified = '"%s"."%s"' % (schema.replace('"', '""'), name.replace('"', '""'))
        target.execute("SELECT setval(%s::regclass, %s, true)", (qualified, last_value))
        count += 1
    return count
