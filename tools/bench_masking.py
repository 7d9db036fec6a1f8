"""Benchmark of a masked PostgreSQL refresh: which way of masking, measured against a plain copy and against peers.

    python -m tools.bench_masking                      # 1M customers x 3 orders (about 1.1 GB), 3 runs
    python -m tools.bench_masking --customers 50000    # smaller
    python -m tools.bench_masking --runs 1 --skip clone_update pganonymize

Generates the masking dataset (tools/masking_dataset.py, policy inventories/prod/host_vars/prod/masking_policy.yml)
in a scratch database of the local stack, then times ``--runs`` rounds (default 3; the approaches interleaved in each
round so drift of the shared machine spreads over all of them), each approach in a fresh child process so its peak
RSS is its own:

- plain: tools.pg_plain_copy.plain_copy (pre-data, COPY binary stream, post-data): a baseline;
- dump_restore: ``pg_dump -Fd -j N`` then ``pg_restore -j N`` (N = ``--jobs``): the other baseline; ratios are given
  against the faster of the two;
- masked_copy: plugins/module_utils/masking_pg_copy.masked_copy: the same pipeline reading every table through its
  masked SELECT (classification of the live schema and JSON paths included); then the independent verification
  (masking_pg_verify), so the "whole refresh" row is what a refresh costs (its swap is two renames);
- clone_update: the same classification, then ``CREATE DATABASE ... TEMPLATE source`` (a file-level clone), one
  set-based ``UPDATE`` per table (masking_sql.update_statement), ``VACUUM FULL`` per table (plain VACUUM leaves the
  PII bytes of the old row versions in the pages);
- pynonymizer, pganonymize: the open-source peers from PyPI (tools/bench_peers.py), from their own virtualenv, with
  the closest policy each can express (the approximations are printed); a peer that cannot install or run is
  reported with the reason.

Prints a table of median wall seconds (and every run's), ratios, peak RSS MB (child process + its children: pg_dump,
psql, the peers' processes), rows/s per table, checks that both masked databases hold the same masked rows, one
line per target (met or MISSED, tools/bench_targets.py) and which approach it chooses and why. ``N`` and the core
count are read from the machine. Every database it created is dropped at the end. The key is random per run and
goes to the children on stdin.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tools import bench_peers, bench_targets
from tools.collection_path import import_collection
from tools.masking_dataset import create_dataset, drop_database, recreate_database
from tools.pg_plain_copy import PG_BIN, dump_restore_copy, peak_rss_mb, plain_copy, reset_peak_rss
from tools.stack.state import pg_dsn

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLICY_FILE = os.path.join(REPO, "inventories", "prod", "host_vars", "prod", "masking_policy.yml")
APPROACHES = ("plain", "dump_restore", "masked_copy", "clone_update") + bench_peers.PEERS
BASELINES = ("plain", "dump_restore")
LABELS = {"plain": "plain copy (pre-data, COPY stream, post-data)",
          "dump_restore": "plain copy: pg_dump -Fd -j {jobs}, pg_restore -j {jobs}",
          "masked_copy": "masked COPY stream (masked_copy)",
          "whole_refresh": "whole refresh: masked COPY stream + verification",
          "clone_update": "clone TEMPLATE + UPDATE + VACUUM FULL",
          "pynonymizer": "pynonymizer {version}: pg_dump into its psql restore, then UPDATE",
          "pganonymize": "pganonymize {version}: pg_dump -Fd -j, pg_restore -j, then in place"}
# The COPY-stream is chosen unless the clone is faster by more than this factor: the clone holds the PII in
# the target's files and WAL until the VACUUM FULL (and in archived / replicated WAL for good).
CLONE_MUST_WIN_BY = 1.5
# anonymize_database() of PostgreSQL Anonymizer 1.3.2: 356 s against 18.6 s for a plain copy
# (measured once on this machine class; the extension is not packaged here, so it is quoted, not measured)
ANONYMIZER_X_PLAIN = 19.1


def machine_cores():
    """The cores this process may run on (the machine's, or its CPU set's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


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


def _run_dump_restore(source, target, jobs, _key):
    return dict(dump_restore_copy(source, target, jobs=jobs), tables={})


def _conn(dsn):
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    return {"host": params.get("host", "127.0.0.1"), "port": params.get("port", "5432"), "user": params["user"],
            "password": params.get("password", ""), "dbname": params["dbname"]}


def _run_pganonymize(source, target, jobs, _key):
    schema, _notes = bench_peers.pganonymize_schema(load_policy_tables()["postgresql"]["tables"])
    phases = {}
    started = time.monotonic()
    dump_restore_copy(source, target, jobs=jobs)
    phases["copy"] = round(time.monotonic() - started, 3)
    with tempfile.TemporaryDirectory(prefix="bench-pganonymize-") as directory:
        schema_file = Path(directory) / "schema.yml"
        schema_file.write_text(_yaml_dump(schema))
        bench_peers.run_pganonymize(_peer_venv(), _conn(target), schema_file)
    phases["anonymize"] = round(time.monotonic() - started - phases["copy"], 3)
    return {"phases": phases, "tables": {}}


def _run_pynonymizer(source, target, _jobs, _key):
    strategy, _notes = bench_peers.pynonymizer_strategy(load_policy_tables()["postgresql"]["tables"])
    drop_database(pg_dsn("postgres"), _conn(target)["dbname"])  # pynonymizer creates its database itself
    with tempfile.TemporaryDirectory(prefix="bench-pynonymizer-") as directory:
        files = []
        for index, table in enumerate(strategy["tables"]):
            files.append(Path(directory) / ("strategy-%d.yml" % index))
            files[-1].write_text(_yaml_dump({"tables": [table]}))
        bench_peers.run_pynonymizer(_peer_venv(), source, _conn(target), files, PG_BIN)
    return {"phases": {}, "tables": {}}


def _yaml_dump(data):
    import yaml

    return yaml.safe_dump(data, sort_keys=False)


def _peer_venv():
    return os.environ.get("BENCH_PEER_VENV", str(bench_peers.DEFAULT_PEER_VENV))


RUNNERS = {"plain": _run_plain, "dump_restore": _run_dump_restore, "masked_copy": _run_masked,
           "clone_update": _run_clone, "pynonymizer": _run_pynonymizer, "pganonymize": _run_pganonymize}


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

class ApproachFailed(RuntimeError):
    """A child process of one approach failed; the message says why (the tail of its error output)."""


def _run_child(approach, source_db, target_db, jobs, key):
    command = [sys.executable, "-m", "tools.bench_masking", "--child", approach, "--source-db", source_db,
               "--target-db", target_db, "--jobs", str(jobs)]
    started = time.monotonic()
    # the peers' error output is kept to say why they failed; ours shows its progress as it goes
    stderr = subprocess.PIPE if approach in bench_peers.PEERS else None
    done = subprocess.run(command, cwd=REPO, input=key.hex() + "\n", stdout=subprocess.PIPE, stderr=stderr,
                          text=True, check=False)
    if done.returncode:
        lines = [line.strip(" \u2502\u256d\u256e\u256f\u2570\u2500") for line in (done.stderr or "").splitlines()]
        tail = [line for line in lines if line][-3:]
        raise ApproachFailed("%s failed (rc %s)%s" % (approach, done.returncode,
                                                      (": " + " / ".join(tail)) if tail else ""))
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = round(time.monotonic() - started, 3)
    return figures


def _table_digests(dsn, tables):
    with psycopg.connect(dsn, autocommit=True) as connection:
        return dict((table, connection.execute(
            "SELECT count(*), md5(string_agg(md5(t::text), '' ORDER BY t.id)) FROM %s AS t" % table).fetchone())
            for table in tables)


def main(argv=None):
    cores = machine_cores()
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders-per-customer", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=cores,
                        help="tables at a time in every approach, pg_dump / pg_restore -j (default: the cores, %d)"
                        % cores)
    parser.add_argument("--runs", type=int, default=3, help="rounds of every approach; medians are reported")
    parser.add_argument("--peer-runs", type=int, help="rounds of the peers (default --runs): pganonymize reads "
                        "every row through Python, about 60x a plain copy")
    parser.add_argument("--skip", nargs="*", default=[], choices=[a for a in APPROACHES if a not in BASELINES + (
        "masked_copy",)], help="approaches left out of this invocation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=APPROACHES, help=argparse.SUPPRESS)
    parser.add_argument("--source-db", help=argparse.SUPPRESS)
    parser.add_argument("--target-db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, args.source_db, args.target_db, args.jobs)
    peer_runs = args.runs if args.peer_runs is None else args.peer_runs
    if args.runs < 1 or args.jobs < 1 or peer_runs < 0:
        parser.error("--runs and --jobs must be at least 1, --peer-runs at least 0")
    if peer_runs == 0:
        args.skip = list(args.skip) + [peer for peer in bench_peers.PEERS if peer not in args.skip]

    approaches = [approach for approach in APPROACHES if approach not in args.skip]
    unavailable = dict((approach, "left out (--skip)") for approach in args.skip)
    versions = {}
    for peer in bench_peers.PEERS:
        if peer in approaches:
            version, reason = bench_peers.peer_version(peer, _peer_venv())
            if reason:
                unavailable[peer] = reason
                approaches.remove(peer)
            versions[peer] = version

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
        results = dict((approach, []) for approach in approaches)
        for round_number in range(1, args.runs + 1):
            for approach in list(approaches):
                if approach in bench_peers.PEERS and round_number > peer_runs:
                    continue
                print("run %d/%d: %s ..." % (round_number, args.runs, label(approach, args.jobs, versions)),
                      flush=True)
                try:
                    figures = _run_child(approach, source_db, targets[approach], args.jobs, key)
                except ApproachFailed as error:
                    if approach not in bench_peers.PEERS:
                        raise SystemExit(str(error)) from error
                    unavailable[approach] = "ran and failed: %s" % error
                    approaches.remove(approach)
                    del results[approach]
                    continue
                results[approach].append(figures)
                print("  %.1f s" % figures["wall_seconds"], flush=True)

        tables = ["public.customers", "public.orders"]
        masked = _table_digests(make_conninfo(admin, dbname=targets["masked_copy"]), tables)
        original = _table_digests(dataset["dsn"], tables)
        # the peers' output is checked too: a tool that silently masked nothing would look fast
        source_emails = _column_hashes(dataset["dsn"], "public.customers", "email")
        emails_left = dict((approach, len(source_emails & _column_hashes(
            make_conninfo(admin, dbname=targets[approach]), "public.customers", "email")))
            for approach in ("masked_copy",) + bench_peers.PEERS if approach in results)
        same_as_clone = None
        if "clone_update" in results:
            same_as_clone = masked == _table_digests(make_conninfo(admin, dbname=targets["clone_update"]), tables)
        report(args, cores, dataset, results, versions, unavailable, same_as_clone,
               all(masked[t][1] != original[t][1] for t in tables), emails_left)
    finally:
        for name in [source_db] + list(targets.values()):
            drop_database(admin, name)
        print("dropped %s" % ", ".join([source_db] + list(targets.values())))


def label(approach, jobs, versions):
    return LABELS[approach].format(jobs=jobs, version=versions.get(approach) or "")


def summarize(runs_by_approach):
    """Per approach: median wall seconds, every run's, the largest peak RSS; masked_copy split into the masking
    stage (copy) and the whole refresh (copy + verification), each run's verification taken from its own run."""
    summary = {}
    for approach, runs in runs_by_approach.items():
        if approach == "masked_copy":
            copy = [figures["wall_seconds"] - figures["verification"]["seconds"] for figures in runs]
            whole = [figures["wall_seconds"] for figures in runs]
            rss = max(figures["peak_rss_mb"] for figures in runs)
            rss_self = max(figures["peak_rss_mb_self"] for figures in runs)
            summary["masked_copy"] = {"seconds": bench_targets.median(copy), "runs": copy, "peak_rss_mb": rss,
                                      "peak_rss_mb_self": rss_self}
            summary["whole_refresh"] = {"seconds": bench_targets.median(whole), "runs": whole, "peak_rss_mb": rss,
                                        "peak_rss_mb_self": rss_self}
        else:
            seconds = [figures["wall_seconds"] for figures in runs]
            summary[approach] = {"seconds": bench_targets.median(seconds), "runs": seconds,
                                 "peak_rss_mb": max(figures["peak_rss_mb"] for figures in runs),
                                 "peak_rss_mb_self": max(figures["peak_rss_mb_self"] for figures in runs)}
    return summary


ORDER = ("plain", "dump_restore", "masked_copy", "whole_refresh", "clone_update") + bench_peers.PEERS


def _column_hashes(dsn, table, column):
    with psycopg.connect(dsn, autocommit=True) as connection:
        return set(value for (value,) in connection.execute(
            "SELECT md5(%s::text) FROM %s" % (column, table)))


def report(args, cores, dataset, results, versions, unavailable, same_as_clone, differs_from_source, emails_left):
    summary = summarize(results)
    baseline_name, baseline = bench_targets.faster_baseline(
        dict((name, summary[name]["seconds"]) for name in BASELINES))
    plain, dump_restore = summary["plain"]["seconds"], summary["dump_restore"]["seconds"]
    print()
    print("masked refresh, %d customers + %d orders (%.0f MB), %d cores on this machine, jobs=%d, median of %d "
          "run(s) (peers: %s), load average now %.2f" % (
              dataset["rows"]["customers"], dataset["rows"]["orders"], dataset["bytes"] / 2 ** 20, cores, args.jobs,
              args.runs, ", ".join("%s %d" % (peer, len(results[peer])) for peer in bench_peers.PEERS
                                   if peer in results) or "none", os.getloadavg()[0]))
    print("| run | median wall s | runs s | x plain copy (stream) | x pg_dump -j / pg_restore -j "
          "| x the faster | peak RSS MB (self+children) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for approach in ORDER:
        if approach not in summary:
            continue
        figures = summary[approach]
        seconds = figures["seconds"]
        print("| %s | %.1f | %s | %.2f | %.2f | %.2f | %.1f (self %.1f) |" % (
            label(approach, args.jobs, versions), seconds, " ".join("%.1f" % s for s in figures["runs"]),
            seconds / plain, seconds / dump_restore, seconds / baseline, figures["peak_rss_mb"],
            figures["peak_rss_mb_self"]))
    for approach, reason in unavailable.items():
        print("| %s | not measured: %s |" % (label(approach, args.jobs, versions), reason))
    print()
    print("the faster baseline: %s (%.1f s)" % (label(baseline_name, args.jobs, versions), baseline))
    last = dict((approach, runs[-1]) for approach, runs in results.items())
    print("phases of the last run (s):")
    for approach, figures in last.items():
        phases = dict(figures.get("phases") or {})
        if approach == "masked_copy":
            phases["verify"] = figures["verification"]["seconds"]
        print("  %-13s %s" % (approach, ", ".join("%s %.1f" % item for item in phases.items()) or "-"))
    print("rows/s per table of the last run (masked_copy and clone: data phase only)")
    for approach, figures in last.items():
        for table, table_figures in sorted(figures.get("tables", {}).items()):
            print("  %-13s %-16s %9d rows  %7.1f s  %10.1f rows/s" % (
                approach, table, table_figures["rows"], table_figures["seconds"], table_figures["rows_per_s"] or 0))
    print()
    verification = last["masked_copy"]["verification"]
    checked = "passed" if verification["passed"] else "FAILED (%d failures)" % verification["failures"]
    print("masked_copy and clone_update hold identical masked rows: %s; masked rows differ from the source: %s; "
          "verification of the masked copy: %s" % (
              {True: "yes", False: "NO", None: "not compared (clone_update skipped)"}[same_as_clone],
              "yes" if differs_from_source else "NO", checked))
    print("source e-mails left in customers.email: %s" % ", ".join(
        "%s %d" % (approach, count) for approach, count in emails_left.items()))

    masking_x = summary["masked_copy"]["seconds"] / baseline
    whole_x = summary["whole_refresh"]["seconds"] / baseline
    for peer in bench_peers.PEERS:
        if peer in summary:
            notes = (bench_peers.pynonymizer_strategy if peer == "pynonymizer" else bench_peers.pganonymize_schema)(
                load_policy_tables()["postgresql"]["tables"])[1]
            print("%s: %.2fx the faster plain copy; ours: masking stage %.2fx, whole refresh %.2fx (%.1f times "
                  "less than %s). Its closest policy: %s" % (
                      label(peer, args.jobs, versions), summary[peer]["seconds"] / baseline, masking_x, whole_x,
                      summary[peer]["seconds"] / summary["whole_refresh"]["seconds"], peer, "; ".join(notes)))
        else:
            print("%s: not measured: %s" % (peer, unavailable.get(peer)))
    print("PostgreSQL Anonymizer, measured once on this shape of data (not packaged here to run again): %.1fx a "
          "plain copy; quoted, not measured in this run" % ANONYMIZER_X_PLAIN)
    if "clone_update" in summary:
        copy_s, clone_s = summary["masked_copy"]["seconds"], summary["clone_update"]["seconds"]
        if copy_s <= clone_s:
            print("choice: masked COPY stream: faster (%.1f s vs %.1f s, %.2fx) and the target never holds PII "
                  "(no PII in its pages, WAL, indexes or dead tuples)." % (copy_s, clone_s, clone_s / copy_s))
        elif clone_s * CLONE_MUST_WIN_BY > copy_s:
            print("choice: masked COPY stream: the clone is only %.2fx faster (%.1f s vs %.1f s, below the %.1fx "
                  "that would justify it) and it puts the PII in the target's files and WAL before masking it."
                  % (copy_s / clone_s, clone_s, copy_s, CLONE_MUST_WIN_BY))
        else:
            print("choice: clone + UPDATE + VACUUM FULL: %.2fx faster (%.1f s vs %.1f s); mind that the PII is in "
                  "the target's files and WAL until the VACUUM FULL." % (copy_s / clone_s, clone_s, copy_s))
    print()
    print(bench_targets.verdict("masking stage / the faster plain copy", masking_x, bench_targets.MASKING_STAGE_X,
                                "x"))
    print(bench_targets.verdict("whole refresh incl. verification / the faster plain copy", whole_x,
                                bench_targets.WHOLE_REFRESH_X, "x"))
    print(bench_targets.verdict("peak RSS of the masking process (+ its children)",
                                summary["whole_refresh"]["peak_rss_mb"], bench_targets.PEAK_RSS_MB, " MB", strict=True))
    print("target verification of the masked copy passes: %s" % ("met" if verification["passed"] else "MISSED"))


if __name__ == "__main__":
    main()
