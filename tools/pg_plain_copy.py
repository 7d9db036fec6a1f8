"""The baseline a masked refresh is measured against: a plain logical copy of one PostgreSQL database to another.

    from tools.pg_plain_copy import plain_copy, peak_rss_mb
    figures = plain_copy(source_dsn, target_dsn)      # target: an existing, empty database
    figures["seconds"], figures["rows"], figures["bytes"], peak_rss_mb()

Three steps, like ``pg_dump | psql`` but with the data in the middle streamed by this process:

1. pre-data: ``pg_dump --section=pre-data source | psql target`` (types, tables, sequences, functions; no
   indexes or constraints other than NOT NULL / CHECK, so the load is not slowed by them);
2. data: per table ``COPY ... TO STDOUT (FORMAT binary)`` on a source connection streamed into ``COPY ... FROM
   STDIN (FORMAT binary)`` on a target connection, in chunks of at most ``chunk_bytes`` (plus one row): memory
   stays flat whatever the table size; then the sequences' values (setval);
3. post-data: ``pg_dump --section=post-data source | psql target`` (primary keys, unique constraints, indexes,
   foreign keys, triggers), with ``maintenance_work_mem`` raised for the index builds.

The second baseline, ``dump_restore_copy``, is PostgreSQL's own parallel logical copy: ``pg_dump -Fd -j N`` into a
directory, then ``pg_restore -j N`` from it (the directory format cannot be piped: its tables are files written and
read in parallel). A benchmark compares against the faster of the two.

Passwords go to pg_dump / psql / pg_restore through PGPASSWORD, never on a command line.
"""

import os
import resource
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from psycopg import sql

from tools.collection_path import import_collection

# The pipeline pieces live in the collection (module_utils), shared with the masked copy.
_stream = import_collection("plugins.module_utils.pg_copy_stream")

PG_BIN = Path(os.environ.get("ENVOPS_PG_BIN", "/usr/lib/postgresql/15/bin"))
DEFAULT_CHUNK_BYTES = _stream.DEFAULT_CHUNK_BYTES
_TABLES_SQL = _stream.TABLES_SQL
_SEQUENCES_SQL = _stream.SEQUENCES_SQL
PlainCopyError = _stream.PgCopyError
_libpq_env = _stream.libpq_env
_copy_sequences = _stream.copy_sequences


def _pipe_section(source_dsn, target_dsn, section, no_owner, psql_options=""):
    """pg_dump --section=SECTION source | psql target, failing on the first error of either side."""
    _stream.pipe_section(source_dsn, target_dsn, section, no_owner=no_owner, psql_options=psql_options,
                         pg_bin=PG_BIN)


def copy_table(source, target, schema, table, columns, chunk_bytes=DEFAULT_CHUNK_BYTES):
    """Stream one table from connection ``source`` to connection ``target`` (COPY binary), at most about
    ``chunk_bytes`` held at a time. Returns ``{"rows", "bytes", "chunks", "max_chunk_bytes", "seconds"}``."""
    column_list = sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    name = sql.Identifier(schema, table)
    copy_out = sql.SQL("COPY {} ({}) TO STDOUT (FORMAT binary)").format(name, column_list)
    copy_in = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(name, column_list)
    return _stream.stream_copy(source, target, copy_out, copy_in, chunk_bytes)


def plain_copy(source_dsn: str, target_dsn: str, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES, jobs: int = 1,
               no_owner: bool = True, maintenance_work_mem: str = "256MB", analyze: bool = False) -> dict:
    """Copy database ``source_dsn`` into the existing, empty database ``target_dsn`` (see the module doc).

    ``jobs``: tables copied at once (each on its own pair of connections). ``no_owner``: pg_dump
    ``--no-owner --no-privileges`` (the target cluster need not have the source's roles). ``analyze``: ANALYZE
    the target at the end (not part of the measured baseline by default).

    Returns ``{"seconds", "rows", "bytes", "tables": {"schema.table": {"rows", "bytes", "chunks",
    "max_chunk_bytes", "seconds"}}, "sequences", "phases": {"pre_data", "data", "post_data"[, "analyze"]}}``;
    ``bytes`` counts the COPY stream (binary format) between the two databases.
    """
    phases = {}
    started = clock = time.monotonic()

    def lap(name):
        nonlocal clock
        now = time.monotonic()
        phases[name] = round(now - clock, 3)
        clock = now

    _pipe_section(source_dsn, target_dsn, "pre-data", no_owner)
    lap("pre_data")

    with psycopg.connect(source_dsn, autocommit=True) as catalog:
        tables = catalog.execute(_TABLES_SQL).fetchall()

    def copy_one(entry):
        schema, table, columns = entry[:3]
        # Each table in a transaction of its own: a consistent read of it, and a target load that is all or
        # nothing. (A consistent snapshot across tables would take pg_export_snapshot; a refresh copies a
        # restored snapshot, which nobody writes to.)
        with psycopg.connect(source_dsn) as source, psycopg.connect(target_dsn) as target:
            source.read_only = True
            figures = copy_table(source, target, schema, table, columns, chunk_bytes)
            target.commit()
        return "%s.%s" % (schema, table), figures

    if jobs > 1:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            copied = dict(pool.map(copy_one, tables))
    else:
        copied = dict(copy_one(entry) for entry in tables)
    with psycopg.connect(source_dsn, autocommit=True) as source, \
            psycopg.connect(target_dsn, autocommit=True) as target:
        sequences = _copy_sequences(source, target)
    lap("data")

    _pipe_section(source_dsn, target_dsn, "post-data", no_owner,
                  psql_options="-c maintenance_work_mem=%s" % maintenance_work_mem if maintenance_work_mem else "")
    lap("post_data")

    if analyze:
        with psycopg.connect(target_dsn, autocommit=True) as target:
            target.execute("ANALYZE")
        lap("analyze")

    return {
        "seconds": round(time.monotonic() - started, 3),
        "rows": sum(figures["rows"] for figures in copied.values()),
        "bytes": sum(figures["bytes"] for figures in copied.values()),
        "tables": copied,
        "sequences": sequences,
        "phases": phases,
    }


def dump_restore_copy(source_dsn: str, target_dsn: str, *, jobs: int, no_owner: bool = True,
                      workdir: str | None = None) -> dict:
    """``pg_dump -Fd -j jobs`` of ``source_dsn`` into a scratch directory, then ``pg_restore -j jobs`` into the
    existing, empty database ``target_dsn``; the directory is removed at the end.

    Returns ``{"seconds", "bytes" (size of the dump directory), "phases": {"dump", "restore"}}``."""
    source, source_env = _libpq_env(source_dsn)
    target, target_env = _libpq_env(target_dsn)
    owner = ["--no-owner", "--no-privileges"] if no_owner else []
    directory = tempfile.mkdtemp(prefix="pg-dump-dir-", dir=workdir)
    dump_dir = os.path.join(directory, "dump")
    phases = {}
    started = time.monotonic()
    try:
        _run([str(PG_BIN / "pg_dump"), "-Fd", "-j", str(jobs), "-f", dump_dir, "--dbname=" + source] + owner,
             source_env, "pg_dump")
        phases["dump"] = round(time.monotonic() - started, 3)
        size = sum(entry.stat().st_size for entry in os.scandir(dump_dir))
        _run([str(PG_BIN / "pg_restore"), "-j", str(jobs), "--exit-on-error", "--dbname=" + target] + owner
             + [dump_dir], target_env, "pg_restore")
        phases["restore"] = round(time.monotonic() - started - phases["dump"], 3)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return {"seconds": round(time.monotonic() - started, 3), "bytes": size, "phases": phases}


def _run(command, env, name):
    with tempfile.TemporaryFile() as stderr:
        code = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr, check=False).returncode
        if code:
            stderr.seek(0)
            raise PlainCopyError("%s rc=%s: %s" % (name, code, stderr.read().decode(errors="replace")[-2000:]))


def _vm_hwm_kb():
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux: /proc/self/clear_refs), so peak_rss_mb() measures from now on.
    Children's peaks cannot be reset: measure them in a fresh process. Returns whether it worked."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb(children: bool = True) -> float:
    """Peak resident memory in MiB: this process (VmHWM, which reset_peak_rss() resets; else ru_maxrss), plus,
    with ``children``, the largest peak of the waited-for child processes (pg_dump, psql). That second figure is
    an upper bound: Linux counts in a child's peak the RSS of the parent it was forked from (before its exec).
    PostgreSQL's own backends are not children and are not counted."""
    own_kb = _vm_hwm_kb()
    if own_kb is None:
        own_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    total_kb = own_kb
    if children:
        total_kb += resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(total_kb / 1024, 1)


def main(argv=None):
    """python -m tools.pg_plain_copy SOURCE_DB TARGET_DB   (local stack; TARGET_DB is dropped and recreated)"""
    import json
    import sys

    from tools.masking_dataset import recreate_database
    from tools.stack.state import pg_dsn

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        sys.exit(main.__doc__)
    target = recreate_database(pg_dsn("postgres"), args[1])
    reset_peak_rss()
    figures = plain_copy(pg_dsn(args[0]), target)
    figures["peak_rss_mb"] = {"self": peak_rss_mb(children=False), "self_plus_children": peak_rss_mb()}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
