"""Benchmark of a masked PostgreSQL refresh: which way of masking, measured against a plain copy.

    python -m tools.bench_masking                      # 1M customers x 3 orders (about 560 MB)
    python -m tools.bench_masking --customers 100000   # smaller

Generates the masking dataset (tools/masking_dataset.py, policy inventories/prod/host_vars/prod/masking_policy.yml)
in a scratch database of the local stack, then times, each in a fresh child process (so its peak RSS is its own):

- plain: tools.pg_plain_copy.plain_copy (pre-data, COPY binary stream, post-data): the baseline;
- masked_copy: plugins/module_utils/masking_pg_copy.masked_copy: the same pipeline reading every table through its
  masked SELECT (classification of the live schema and JSON paths included); then the independent verification
  (masking_pg_verify), so the "whole refresh" row is what a refresh costs (its swap is two renames);
- clone_update: the same classification, then ``CREATE DATABASE ... TEMPLATE source`` (a file-level clone), one
  set-based ``UPDATE`` per table (masking_sql.update_statement), ``VACUUM FULL`` per table (plain VACUUM leaves the
  PII bytes of the old row versions in the pages).

Prints wall seconds, x plain copy, peak RSS MB (child process + its children: pg_dump / psql), rows/s per table,
checks that both masked databases hold the same masked rows, and which approach it chooses and why.  Every
database it created is dropped at the end.  The key is random per run and goes to the children on stdin.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tools.collection_path import import_collection
from tools.masking_dataset import create_dataset, drop_database, recreate_database
from tools.pg_plain_copy import peak_rss_mb, plain_copy, reset_peak_rss
from tools.stack.state import pg_dsn

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICY_FILE = os.path.join(REPO, "inventories", "prod", "host_vars", "prod", "masking_policy.yml")
APPROACHES = ("plain", "masked_copy", "clone_update")
LABELS = {"plain": "plain copy (pre-data, COPY stream, post-data)",
          "masked_copy": "masked COPY stream (masked_copy)",
          "whole_refresh": "whole refresh: masked COPY stream + verification",
          "clone_update": "clone TEMPLATE + UPDATE + VACUUM FULL"}
# The COPY-stream is chosen unless the clone is faster by more than this factor: the clone holds the PII in
# the target's files and WAL until the VACUUM FULL (and in archived / replicated WAL for good).
CLONE_MUST_WIN_BY = 1.5
# anonymize_database() of PostgreSQL Anonymizer 1.3.2: 356 s against 18.6 s for a plain copy
# (measured once on this machine class; the extension is not packaged here)
ANONYMIZER_X_PLAIN = 19.1


def load_policy_tables():
    import yaml

    data = yaml.safe_load(open(POLICY_FILE))["envops_masking_policy"]
    return {"postgresql": data["postgresql"]}  # tables, database, quasi_identifiers (k-anonymity)


# --- one approach, in a child process ------------------------------------------------------------------------

def _run_plain(source, target, jobs, _key):
    figures = plain_copy(source, target, jobs=jobs)
    for table in figures["tables"].values():
        table["rows_per_s"] = round(table["rows"] / table["seconds"], 1) if table["seconds"] else None
    return figures


def _run_masked(source, target, jobs, key):
    masking_pg_copy = import_collection("plugins.module_utils.masking_pg_copy")
    last = {}

    def progress(table, done, total, rate, eta):
        now = time.monotonic()
        if now - last.get(table, 0) >= 10 or eta == 0:
            last[table] = now
            print("  %-18s %9s / %-9s rows  %9s rows/s  eta %s s" % (table, done, total, rate, eta),
                  file=sys.stderr, flush=True)

    masking_pg_verify = import_collection("plugins.module_utils.masking_pg_verify")
    masking_policy = import_collection("plugins.module_utils.masking_policy")
    policy = masking_policy.load_policy(load_policy_tables())
    figures = masking_pg_copy.masked_copy(source, target, policy, key, progress=progress, jobs=jobs)
    # the rest of a refresh: the independent verification of the masked copy (the swap is two renames)
    verification = masking_pg_verify.verify_masked_copy(source, target, policy, jobs=jobs)
    figures["verification"] = {"seconds": verification["seconds"], "passed": verification["passed"],
                               "failures": len(verification["failures"])}
    return figures


def _run_clone(source, target, jobs, key):
    """classify (like masked_copy), clone, UPDATE per table, VACUUM FULL per table. ``target`` is dropped and
    re-created as the clone."""
    masking_pg_copy = import_collection("plugins.module_utils.masking_pg_copy")
    masking_policy = import_collection("plugins.module_utils.masking_policy")
    masking_sql = import_collection("plugins.module_utils.masking_sql")
    policy = masking_policy.load_policy(load_policy_tables())
    phases = {}
    started = clock = time.monotonic()

    def lap(name):
        nonlocal clock
        now = time.monotonic()
        phases[name] = round(now - clock, 3)
        clock = now

    with psycopg.connect(source, autocommit=False) as coordinator:
        coordinator.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        coordinator.read_only = True
        tables = masking_pg_copy._read_live_tables(coordinator)
        snapshot = coordinator.execute("SELECT pg_export_snapshot()").fetchone()[0]
        live = masking_pg_copy._live_fields(source, snapshot, tables, policy, jobs)
    classification = masking_policy.classify(policy.postgresql, live)
    if classification.unclassified:
        raise SystemExit("unclassified: %s" % classification.summary())
    lap("classify")

    params = psycopg.conninfo.conninfo_to_dict(target)
    target_db = params["dbname"]
    source_db = psycopg.conninfo.conninfo_to_dict(source)["dbname"]
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target_db)))
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(target_db), sql.Identifier(source_db)))
    lap("clone")

    def update(table):
        columns = [(column, type_text) for column, type_text, _oid in table.columns]
        statement = masking_sql.update_statement(policy.postgresql[table.qualified], columns)
        table_started = time.monotonic()
        rows = 0
        if statement:
            with psycopg.connect(target, autocommit=True) as connection:
                connection.execute(masking_sql.JIT_OFF_SQL)
                connection.execute("SET work_mem = '64MB'")
                rows = connection.execute(statement, {"mask_key": key}).rowcount
        seconds = time.monotonic() - table_started
        return table.qualified, {"rows": rows, "seconds": round(seconds, 3),
                                 "rows_per_s": round(rows / seconds, 1) if seconds else None}

    def vacuum_full(table):
        with psycopg.connect(target, autocommit=True) as connection:
            connection.execute("SET maintenance_work_mem = '256MB'")
            connection.execute("VACUUM FULL %s" % masking_sql.quote_table(table.qualified))

    ordered = list(tables.values())
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        updated = dict(pool.map(update, ordered))
        lap("update")
        list(pool.map(vacuum_full, ordered))
        lap("vacuum_full")
    return {"seconds": round(time.monotonic() - started, 3), "rows": sum(t["rows"] for t in updated.values()),
            "tables": updated, "phases": phases}


RUNNERS = {"plain": _run_plain, "masked_copy": _run_masked, "clone_update": _run_clone}


def child_main(approach, source_db, target_db, jobs):
    key = bytes.fromhex(sys.stdin.readline().strip())
    admin = pg_dsn("postgres")
    source = make_conninfo(admin, dbname=source_db)
    target = recreate_database(admin, target_db)
    reset_peak_rss()
    started = time.monotonic()
    figures = RUNNERS[approach](source, target, jobs, key)
    figures["wall_seconds"] = round(time.monotonic() - started, 3)
    figures["peak_rss_mb"] = peak_rss_mb(children=True)
    figures["peak_rss_mb_self"] = peak_rss_mb(children=False)
    print(json.dumps(figures))


# --- the benchmark ---------------------------------------------------------------------------------------------

def _run_child(approach, source_db, target_db, jobs, key):
    command = [sys.executable, "-m", "tools.bench_masking", "--child", approach, "--source-db", source_db,
               "--target-db", target_db, "--jobs", str(jobs)]
    started = time.monotonic()
    done = subprocess.run(command, cwd=REPO, input=key.hex() + "\n", stdout=subprocess.PIPE, text=True,
                          check=False)
    if done.returncode:
        raise SystemExit("%s failed (rc %s)" % (approach, done.returncode))
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = round(time.monotonic() - started, 3)
    return figures


def _table_digests(dsn, tables):
    with psycopg.connect(dsn, autocommit=True) as connection:
        return dict((table, connection.execute(
            "SELECT count(*), md5(string_agg(md5(t::text), '' ORDER BY t.id)) FROM %s AS t" % table).fetchone())
            for table in tables)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders-per-customer", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="tables at a time, in every approach (default 2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=APPROACHES, help=argparse.SUPPRESS)
    parser.add_argument("--source-db", help=argparse.SUPPRESS)
    parser.add_argument("--target-db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, args.source_db, args.target_db, args.jobs)

    admin = pg_dsn("postgres")
    tag = secrets.token_hex(3)
    source_db = "bench_masking_src_%s" % tag
    targets = dict((approach, "bench_masking_%s_%s" % (approach, tag)) for approach in APPROACHES)
    key = secrets.token_bytes(32)
    try:
        print("dataset: %d customers x %d orders ..." % (args.customers, args.orders_per_customer), flush=True)
        dataset = create_dataset(admin, source_db, args.customers, args.orders_per_customer, seed=args.seed)
        with psycopg.connect(dataset["dsn"], autocommit=True) as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        print("  %s rows, %.0f MB, %.1f s" % (dataset["rows"], dataset["bytes"] / 2 ** 20, dataset["seconds"]),
              flush=True)
        results = {}
        for approach in APPROACHES:
            print("%s ..." % LABELS[approach], flush=True)
            results[approach] = _run_child(approach, source_db, targets[approach], args.jobs, key)
            print("  %.1f s" % results[approach]["wall_seconds"], flush=True)

        tables = ["public.customers", "public.orders"]
        masked = _table_digests(make_conninfo(admin, dbname=targets["masked_copy"]), tables)
        cloned = _table_digests(make_conninfo(admin, dbname=targets["clone_update"]), tables)
        original = _table_digests(dataset["dsn"], tables)
        report(args, dataset, results, masked == cloned, all(masked[t][1] != original[t][1] for t in tables))
    finally:
        for name in [source_db] + list(targets.values()):
            drop_database(admin, name)
        print("dropped %s" % ", ".join([source_db] + list(targets.values())))


def report(args, dataset, results, same_masked_rows, differs_from_source):
    plain = results["plain"]["wall_seconds"]
    masked = results["masked_copy"]
    verification = masked["verification"]
    # the masked child ran the copy and then the verification: split its wall time
    whole = dict(masked, phases=dict(masked["phases"], verify=verification["seconds"]))
    results = dict(results, masked_copy=dict(masked, wall_seconds=masked["wall_seconds"] - verification["seconds"]),
                   whole_refresh=whole)
    print()
    print("masked refresh, %d customers + %d orders (%.0f MB), jobs=%d, 2 shared cores" % (
        dataset["rows"]["customers"], dataset["rows"]["orders"], dataset["bytes"] / 2 ** 20, args.jobs))
    print("| run | wall s | x plain copy | peak RSS MB (self+children) | phases s |")
    print("| --- | --- | --- | --- | --- |")
    for approach in APPROACHES[:2] + ("whole_refresh",) + APPROACHES[2:]:
        figures = results[approach]
        print("| %s | %.1f | %.2f | %.1f (self %.1f) | %s |" % (
            LABELS[approach], figures["wall_seconds"], figures["wall_seconds"] / plain, figures["peak_rss_mb"],
            figures["peak_rss_mb_self"], ", ".join("%s %.1f" % item for item in figures["phases"].items())))
    print()
    print("rows/s per table (masked_copy and clone: data phase only)")
    for approach in APPROACHES:
        for table, figures in sorted(results[approach]["tables"].items()):
            print("  %-13s %-16s %9d rows  %7.1f s  %10.1f rows/s" % (
                approach, table, figures["rows"], figures["seconds"], figures["rows_per_s"] or 0))
    print()
    checked = "passed" if verification["passed"] else "FAILED (%d failures)" % verification["failures"]
    print("masked_copy and clone_update hold identical masked rows: %s; masked rows differ from the source: %s; "
          "verification of the masked copy: %s" % ("yes" if same_masked_rows else "NO",
                                                   "yes" if differs_from_source else "NO", checked))
    whole_x = whole["wall_seconds"] / plain
    print("PostgreSQL Anonymizer, measured once on this shape of data (not packaged here to run again): %.1fx a plain copy; the "
          "whole refresh here: %.2fx, %.1f times less" % (ANONYMIZER_X_PLAIN, whole_x, ANONYMIZER_X_PLAIN / whole_x))
    copy_s, clone_s = results["masked_copy"]["wall_seconds"], results["clone_update"]["wall_seconds"]
    if copy_s <= clone_s:
        print("choice: masked COPY stream: faster (%.1f s vs %.1f s, %.2fx) and the target never holds PII "
              "(no PII in its pages, WAL, indexes or dead tuples)." % (copy_s, clone_s, clone_s / copy_s))
    elif clone_s * CLONE_MUST_WIN_BY > copy_s:
        print("choice: masked COPY stream: the clone is only %.2fx faster (%.1f s vs %.1f s, below the %.1fx "
              "that would justify it) and it puts the PII in the target's files and WAL before masking it."
              % (copy_s / clone_s, clone_s, copy_s, CLONE_MUST_WIN_BY))
    else:
        print("choice: clone + UPDATE + VACUUM FULL: %.2fx faster (%.1f s vs %.1f s); mind that the PII is in the "
              "target's files and WAL until the VACUUM FULL." % (copy_s / clone_s, clone_s, copy_s))


if __name__ == "__main__":
    main()
