"""Benchmark of a DR drill (issue 5): how long the real playbooks take for a database of about 1 GB.

    python -m tools.bench_drill                      # 900k customers x 3 orders (about 1 GB on disk)
    python -m tools.bench_drill --customers 100000   # smaller

Generates the masking dataset (tools/masking_dataset.py) as the prod database of a fresh fake account of the local
stack (its own backups bucket and key on moto), then runs, as an operator would, ``drill_markers.yml``,
``backup.yml`` and ``dr_drill.yml`` with ansible-playbook, and prints the database size, the archive size, each
playbook's wall time, and the drill's achieved RTO and RPO from its JSON report. The scratch database of the drill
is dropped by the drill itself; the generated database is dropped at the end.
"""

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset, drop_database
from tools.stack.state import pg_dsn, read_state

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def prepare(directory, state, account, region):
    inventory = write_inventory(directory, state["moto_url"], {"prod": (None, account)})
    (inventory / "group_vars" / "all" / "local_postgres.yml").write_text(json.dumps({"envops_local_postgres": state}))
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                                    region_name=region)
    kms = session.client("kms", endpoint_url=state["moto_url"])
    kms.create_alias(AliasName="alias/envops/prod/backups", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    session.client("s3", endpoint_url=state["moto_url"]).create_bucket(
        Bucket="envops-prod-%s-backups" % account, CreateBucketConfiguration={"LocationConstraint": region})
    return inventory


def play(playbook, inventory, extra_vars):
    started = time.monotonic()
    proc = subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), "--limit", "prod",
                           str(REPO / "playbooks" / playbook), "-e", json.dumps(extra_vars)],
                          cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit("%s failed (rc %d)" % (playbook, proc.returncode))
    return time.monotonic() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=900000)
    parser.add_argument("--orders-per-customer", type=int, default=3)
    args = parser.parse_args(argv)
    state = read_state()
    spec = load_spec("prod")
    name = "b%s" % secrets.token_hex(3)
    database = "prod_%s" % name
    # the database alone: drills of the DynamoDB tables and S3 buckets are measured by the integration tests
    overrides = {"logical_backup_database": name, "dr_drill_database": name, "drill_markers_database": name,
                 "drill_markers_dynamodb": False, "dr_drill_dynamodb": False, "drill_markers_s3": False,
                 "dr_drill_s3": False}
    print("generating %d customers x %d orders into %s ..." % (args.customers, args.orders_per_customer, database),
          flush=True)
    dataset = create_dataset(pg_dsn("postgres"), database, args.customers, args.orders_per_customer)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-drill-") as scratch:
            inventory = prepare(Path(scratch) / "inventory", state, fresh_account_id(9), spec["region"])
            reports = Path(scratch) / "reports"
            timings = {"drill_markers.yml": play("drill_markers.yml", inventory, overrides),
                       "backup.yml": play("backup.yml", inventory, overrides)}
            drill_vars = dict(overrides, envops_report_dir=str(reports))
            timings["dr_drill.yml"] = play("dr_drill.yml", inventory, drill_vars)
            report = json.loads(next(reports.glob("dr-drill-prod-*.json")).read_text())
    finally:
        drop_database(pg_dsn("postgres"), database)
    (store,) = report["stores"]
    print("database      %8.1f MB  (%d customers, %d orders)" % (
        dataset["bytes"] / 2 ** 20, dataset["rows"]["customers"], dataset["rows"]["orders"]))
    print("archive       %8.1f MB  (pg_dump -Fc, SHA-256 in the manifest; pg_restore took %.1f s)" % (
        report["archive_bytes"] / 2 ** 20, report["restore_seconds"]))
    for playbook, seconds in timings.items():
        print("%-13s %8.1f s   (ansible-playbook wall time)" % (playbook, seconds))
    print("drill RTO     %8.1f s   (drill start -> restored data validated; target %d s)" % (
        store["rto_s"], report["overall"]["rto_target_s"]))
    print("drill RPO     %8.1f s   (drill start - newest surviving marker; target %d s)" % (
        store["rpo_s"], report["overall"]["rpo_target_s"]))
    print("validated     %s: %d rows, %d tables checked against the manifest" % (
        report["validation"]["ok"], report["validation"]["rows"], len(report["validation"]["tables"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
