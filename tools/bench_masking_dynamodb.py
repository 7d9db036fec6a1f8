"""Benchmark: masked copy of a DynamoDB table on the local stack, with where the time goes.

Usage: python -m tools.bench_masking_dynamodb [--items 200000] [--table user-activity] [--segments 8]
                                              [--writers 8] [--url URL | --shared] [--skip-phases]
       python -m tools.bench_masking_dynamodb --against-plain [--runs 3] [--items 20000]

Against a private moto server of its own by default (same app as the stack's; nothing else competes for it),
or the stack's server with --shared (or any --url). In a fresh fake account it loads ``--items`` items of the
prod shape (tools.masking_dataset), then measures:

- ``end_to_end``: masked_copy_table (parallel segmented scan -> mask -> batched writes into a new table),
  with its thread-seconds split into scan calls, masking, write calls;
- each phase alone: ``scan`` (the same parallel scan, nothing else), ``mask`` (the masker over the scanned
  items in this process, one thread: no network), ``write`` (BatchWriteItem of the masked items into another
  new table, same writer pool);
- ``verify``: masking_dynamodb_verify over source and copy.

Prints one JSON line per phase as it completes (so an interrupted run still tells something), then a summary.

``--against-plain``: the masked copy against a plain copy of the same table through the same path
(masked_copy_table with every attribute ``keep``: the same parallel scan, item walk, batched writes, table creation,
PITR and TTL), ``--runs`` rounds alternating the two, each into a new table; prints the medians, their ratio and the
target line (met or MISSED, tools/bench_targets.py).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import yaml
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
try:
    import ansible_collections.envops.aws  # noqa: F401  pylint: disable=unused-import
except ImportError:
    sys.path.insert(0, str(ROOT / ".scratch" / "collections"))

from ansible_collections.envops.aws.plugins.module_utils import masking_dynamodb as engine  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_verify import verify_masked_copy  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy  # noqa: E402
from tools import bench_targets  # noqa: E402
from tools.local_inventory import fresh_account_id  # noqa: E402
from tools.masking_dataset import ensure_dynamodb_table  # noqa: E402

POLICY_FILE = ROOT / "inventories" / "prod" / "host_vars" / "prod" / "masking_policy.yml"
KEY = b"bench-masking-key-0123456789abcdef"
PROGRESS_EVERY = 10_000


def emit(name, **figures):
    print(json.dumps(dict(phase=name, **figures)), flush=True)
    return figures


def rate(items, seconds):
    return round(items / seconds, 1) if seconds else None


def parallel_scan(client, table, segments):
    items, lock = [], threading.Lock()

    def segment(number):
        params = {"TableName": table, "Segment": number, "TotalSegments": segments}
        while True:
            page = engine._scan_page(client, **params)  # pylint: disable=protected-access
            with lock:
                items.extend(page.get("Items", ()))
            if "LastEvaluatedKey" not in page:
                return
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    with ThreadPoolExecutor(max_workers=segments) as pool:
        list(pool.map(segment, range(segments)))
    return items


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--table", default="user-activity",
                        choices=("user-activity", "campaign-events", "product-feeds"))
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--url", help="a moto (or DynamoDB-compatible) endpoint to use instead of a private one")
    parser.add_argument("--shared", action="store_true", help="use the local stack's moto server")
    parser.add_argument("--skip-phases", action="store_true", help="end to end only (no per-phase runs)")
    parser.add_argument("--no-verify", action="store_true")
    parser.add_argument("--read-timeout", type=int, default=900,
                        help="botocore read timeout (moto answers one Scan page of a 200k table in minutes)")
    parser.add_argument("--mask-only", action="store_true",
                        help="no server: time the masker alone over --items generated items (all three tables)")
    parser.add_argument("--against-plain", action="store_true",
                        help="the masked copy against a plain copy through the same scan / write path")
    parser.add_argument("--runs", type=int, default=3, help="rounds of --against-plain (medians reported)")
    args = parser.parse_args(argv)
    if args.mask_only:
        return mask_only(args)

    server = log_dir = None
    if args.url:
        url = args.url
    elif args.shared:
        from tools.stack.state import read_state
        url = read_state()["moto_url"]
    else:
        from tools.stack import moto_process
        from tools.stack.ports import pick_free_ports
        log_dir = Path(tempfile.mkdtemp(prefix="moto-bench-", dir=ROOT / ".scratch"))
        (port,) = pick_free_ports([None])
        url = "http://127.0.0.1:%d" % port
        server = moto_process.spawn(port, log_dir / "moto.log")
        moto_process.wait_until_answering(server, url, log_dir / "moto.log")
    try:
        return against_plain(args, url) if args.against_plain else run(args, url)
    finally:
        if server is not None:
            from tools.stack import moto_process
            moto_process.terminate(server.pid)
            shutil.rmtree(log_dir, ignore_errors=True)


def mask_only(args):
    """The masker alone, in this process, one thread, over items as Scan returns them (low-level values)."""
    from boto3.dynamodb.types import TypeSerializer
    from tools.masking_dataset import dynamodb_items

    serializer = TypeSerializer()
    data = yaml.safe_load(POLICY_FILE.read_text())["envops_masking_policy"]
    policy = load_policy({"dynamodb": data["dynamodb"]})
    summary = {}
    for name in sorted(policy.dynamodb):
        items = [dict((key, serializer.serialize(value)) for key, value in item.items())
                 for item in dynamodb_items(name, args.items)]
        masker = engine.ItemMasker(policy.dynamodb[name], KEY)
        started = time.process_time(), time.monotonic()
        masked = [masker.mask(item) for item in items]
        cpu, seconds = time.process_time() - started[0], time.monotonic() - started[1]
        summary[name] = emit("mask_only", table=name, items=len(masked), seconds=round(seconds, 3),
                             cpu_seconds=round(cpu, 3), items_per_second=rate(len(masked), seconds),
                             items_per_cpu_second=rate(len(masked), cpu))
    print(json.dumps({"summary": dict((name, figures["items_per_second"]) for name, figures in summary.items()),
                      "unit": "items/s", "items": args.items}), flush=True)
    return 0


def _load_slice(client, table, start, count, threads):
    """Items start .. start+count-1 of create_dynamodb_dataset's sequence (same items, written in slices)."""
    from boto3.dynamodb.types import TypeSerializer
    from tools.masking_dataset import _ITEM_BUILDERS, _batch_write, spec_table_name  # pylint: disable=protected-access

    serializer = TypeSerializer()
    build = _ITEM_BUILDERS[spec_table_name(table)]
    items = (build(i, 1, 1 + i % 1000) for i in range(start, start + count))  # = dynamodb_items(seed=1)
    requests = [{"PutRequest": {"Item": dict((key, serializer.serialize(value)) for key, value in item.items())}}
                for item in items]
    clock = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda index: _batch_write(client, table, requests[index:index + 25]),
                      range(0, len(requests), 25)))
    return time.monotonic() - clock


def keep_all_policy(table_policy):
    """The policy of a plain copy: every top-level attribute of ``table_policy`` kept whole."""
    return load_policy({"dynamodb": {"tables": {table_policy.name: dict(
        (field, "keep") for field in table_policy.fields)}}}).dynamodb[table_policy.name]


def _client(args, url):
    pool = args.segments + args.writers + 4
    return boto3.client("dynamodb", endpoint_url=url, region_name="eu-west-1",
                        aws_access_key_id=fresh_account_id(), aws_secret_access_key="local-moto-not-a-secret",
                        config=Config(max_pool_connections=pool, read_timeout=args.read_timeout,
                                      retries={"max_attempts": 10, "mode": "standard"}))


def _table_policy(table):
    data = yaml.safe_load(POLICY_FILE.read_text())["envops_masking_policy"]
    return load_policy({"dynamodb": data["dynamodb"]}).dynamodb[table]


def _load_source(args, client, source):
    ensure_dynamodb_table(client, source)
    loaded = {"seconds": 0.0}
    for start in range(0, args.items, 50_000):  # in slices: the dataset tool holds a whole call's items in memory
        count = min(50_000, args.items - start)
        part = _load_slice(client, source, start, count, args.writers)
        loaded["seconds"] += part
        emit("loading", loaded=start + count, seconds=round(loaded["seconds"], 1))
    emit("load", seconds=round(loaded["seconds"], 3), items_per_second=rate(args.items, loaded["seconds"]))


def against_plain(args, url):
    """Masked copy vs plain copy of the same table through the same path, ``--runs`` alternating rounds."""
    client = _client(args, url)
    table_policy = _table_policy(args.table)
    policies = {"plain": keep_all_policy(table_policy), "masked": table_policy}
    source = "prod-" + args.table
    emit("setup", url=url, items=args.items, table=args.table, segments=args.segments, writers=args.writers,
         runs=args.runs, cpus=os.cpu_count(), load_average=os.getloadavg()[0])
    _load_source(args, client, source)
    seconds = {"plain": [], "masked": []}
    for round_number in range(1, args.runs + 1):
        for kind in ("plain", "masked"):
            target = "staging-%s-%s-%d" % (args.table, kind, round_number)
            copy = engine.masked_copy_table(client, client, source, target, policies[kind], KEY,
                                            segments=args.segments, writers=args.writers)
            seconds[kind].append(copy["seconds"])
            emit("copy", kind=kind, round=round_number, items=copy["items"], seconds=copy["seconds"],
                 items_per_second=copy["items_per_second"], thread_seconds=copy["thread_seconds"])
            engine.delete_table(client, target)
    plain, masked = bench_targets.median(seconds["plain"]), bench_targets.median(seconds["masked"])
    print()
    print("DynamoDB %s, %d items, segments=%d, writers=%d, median of %d run(s), load average now %.2f" % (
        args.table, args.items, args.segments, args.writers, args.runs, os.getloadavg()[0]))
    print("| copy | median s | runs s | items/s |")
    print("| --- | --- | --- | --- |")
    for kind, label in (("plain", "plain copy (every attribute keep)"), ("masked", "masked copy")):
        median = bench_targets.median(seconds[kind])
        print("| %s | %.1f | %s | %.0f |" % (label, median, " ".join("%.1f" % value for value in seconds[kind]),
                                             args.items / median))
    print(bench_targets.verdict("DynamoDB masked copy / plain copy", masked / plain, bench_targets.DYNAMODB_X, "x"))
    return 0


def run(args, url):
    client = _client(args, url)
    table_policy = _table_policy(args.table)
    source, target = "prod-" + args.table, "staging-" + args.table + "-bench"
    emit("setup", url=url, items=args.items, table=args.table, segments=args.segments, writers=args.writers,
         cpus=os.cpu_count(), load_average=os.getloadavg()[0])
    _load_source(args, client, source)

    # One Scan page alone (nothing else running): what a page costs the server at this table size.
    clock = time.monotonic()
    page = client.scan(TableName=source, Segment=0, TotalSegments=args.segments)
    seconds = time.monotonic() - clock
    emit("scan_one_page", items=len(page["Items"]), seconds=round(seconds, 3),
         items_per_second=rate(len(page["Items"]), seconds))

    started, last = time.monotonic(), [0]

    def progress(figures):  # one line per PROGRESS_EVERY items: an interrupted run still has its rate
        if figures["scanned"] - last[0] >= PROGRESS_EVERY:
            last[0] = figures["scanned"]
            elapsed = time.monotonic() - started
            emit("progress", seconds=round(elapsed, 1), scanned=figures["scanned"], written=figures["written"],
                 scanned_per_second=rate(figures["scanned"], elapsed), load_average=os.getloadavg()[0])

    copy = engine.masked_copy_table(client, client, source, target, table_policy, KEY, segments=args.segments,
                                    writers=args.writers, progress=progress)
    summary = {"end_to_end": emit(
        "end_to_end", items=copy["items"], seconds=copy["seconds"], items_per_second=copy["items_per_second"],
        copy_phases=copy["phases"], thread_seconds=copy["thread_seconds"], pages=copy["pages"],
        unprocessed_retries=copy["unprocessed_retries"])}

    if not args.no_verify:
        started = time.monotonic()
        checks = verify_masked_copy(client, client, source, target, table_policy, KEY, segments=args.segments)
        seconds = time.monotonic() - started
        summary["verify"] = emit("verify", ok=checks["ok"], seconds=round(seconds, 3),
                                 items_per_second=rate(2 * args.items, seconds), problems=checks["problems"][:5])

    if not args.skip_phases:
        started = time.monotonic()
        items = parallel_scan(client, source, args.segments)
        seconds = time.monotonic() - started
        summary["scan"] = emit("scan", items=len(items), seconds=round(seconds, 3),
                               items_per_second=rate(len(items), seconds))

        masker = engine.ItemMasker(table_policy, KEY)
        started = time.process_time(), time.monotonic()
        masked = [masker.mask(item) for item in items]
        cpu, seconds = time.process_time() - started[0], time.monotonic() - started[1]
        summary["mask"] = emit("mask", items=len(masked), seconds=round(seconds, 3), cpu_seconds=round(cpu, 3),
                               items_per_second=rate(len(masked), seconds))

        write_table = target + "-w"
        source_description = client.describe_table(TableName=source)["Table"]
        client.create_table(**engine.new_table_params(source_description, write_table))
        client.get_waiter("table_exists").wait(TableName=write_table)
        writer = engine._Writer(client, write_table)  # pylint: disable=protected-access
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.writers) as pool_:
            list(pool_.map(writer.write, [masked[start:start + engine.BATCH_SIZE]
                                          for start in range(0, len(masked), engine.BATCH_SIZE)]))
        seconds = time.monotonic() - started
        summary["write"] = emit("write", items=writer.written, seconds=round(seconds, 3),
                                items_per_second=rate(writer.written, seconds), unprocessed_retries=writer.retries)

    print(json.dumps({"summary": dict((name, figures.get("items_per_second")) for name, figures in summary.items()),
                      "unit": "items/s", "items": args.items, "table": args.table}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
