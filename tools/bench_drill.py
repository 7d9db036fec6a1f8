"""Benchmark of a DR drill: how long the real playbooks take for a database of about 1 GB.

    python -m tools.bench_drill                            # 900k customers x 3 orders (about 1 GB on disk)
    python -m tools.bench_drill --customers 100000         # smaller
    python -m tools.bench_drill --kind rds_snapshot        # the drill restores an RDS snapshot instead

In a fresh fake account of the local stack: the prod instance prod-postgres as provisioning leaves it (master secret,
TLS-only parameter group; on the local stack a PostgreSQL server of its own), its database app filled with the
masking dataset (tools/masking_dataset.py), the backups bucket and key; for the rds_snapshot kind also the db tier the
drill instance is placed in and a snapshot of prod-postgres taken after the backup. Then, as an operator would,
``drill_markers.yml``, ``backup.yml`` and ``dr_drill.yml`` with ansible-playbook. Prints the database size, the
archive size, each playbook's wall time, and the drill's achieved RTO and RPO and its phases from its JSON report.
The drill removes its own scratch database or instance; the prod instance and its snapshots are deleted at the end.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3

from tools.estate_database import database_conninfo, ensure_database, instance_identifier
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.masking_dataset import create_dataset
from tools.stack.state import read_state

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ENV = "prod"


def session(account, region):
    return boto3.session.Session(aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                                 region_name=region)


def prepare(directory, state, account, region, kind):
    inventory = write_inventory(directory, state["moto_url"], {ENV: (None, account)})
    aws = session(account, region)
    kms = aws.client("kms", endpoint_url=state["moto_url"])
    kms.create_alias(AliasName="alias/envops/prod/backups", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    aws.client("s3", endpoint_url=state["moto_url"]).create_bucket(
        Bucket="envops-prod-%s-backups" % account, CreateBucketConfiguration={"LocationConstraint": region})
    if kind == "rds_snapshot":
        create_db_tier(aws.client("ec2", endpoint_url=state["moto_url"]),
                       aws.client("rds", endpoint_url=state["moto_url"]), region)
    return inventory


def create_db_tier(ec2, rds, region):
    """The db subnet group and security group a drill instance is placed in, as roles network and database leave
    them."""
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.60.%d.0/24" % index,
                                 AvailabilityZone="%s%s" % (region, zone))["Subnet"]["SubnetId"]
               for index, zone in enumerate("ab")]
    group = ec2.create_security_group(GroupName="prod-db-sg", Description="db", VpcId=vpc)["GroupId"]
    ec2.create_tags(Resources=[group], Tags=[{"Key": "env", "Value": ENV}])
    rds.create_db_subnet_group(DBSubnetGroupName="envops-prod-db", DBSubnetGroupDescription="db", SubnetIds=subnets)


def remove_instances(rds):
    """The account's instances and snapshots: their servers and base backups are real."""
    for instance in rds.describe_db_instances()["DBInstances"]:
        rds.delete_db_instance(DBInstanceIdentifier=instance["DBInstanceIdentifier"], SkipFinalSnapshot=True)
    for snapshot in rds.describe_db_snapshots()["DBSnapshots"]:
        rds.delete_db_snapshot(DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"])


def play(playbook, inventory, extra_vars):
    started = time.monotonic()
    proc = subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), "--limit", ENV,
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
    parser.add_argument("--kind", choices=["logical", "rds_snapshot"], default="logical",
                        help="what the drill restores: the newest logical backup (default) or RDS snapshot")
    args = parser.parse_args(argv)
    state = read_state()
    region = load_spec(ENV)["region"]
    account = fresh_account_id(9)
    rds = session(account, region).client("rds", endpoint_url=state["moto_url"])
    # the database alone: drills of the DynamoDB tables and S3 buckets are measured by the integration tests
    overrides = {"drill_markers_dynamodb": False, "dr_drill_dynamodb": False, "drill_markers_s3": False,
                 "dr_drill_s3": False}
    print("generating %d customers x %d orders into database app of %s (account %s) ..."
          % (args.customers, args.orders_per_customer, instance_identifier(ENV), account), flush=True)
    try:
        ensure_database(state["moto_url"], account, region, ENV)
        dataset = create_dataset(database_conninfo(state["moto_url"], account, region, ENV, dbname="postgres"),
                                 "app", args.customers, args.orders_per_customer)
        with tempfile.TemporaryDirectory(prefix="bench-drill-") as scratch:
            inventory = prepare(Path(scratch) / "inventory", state, account, region, args.kind)
            reports = Path(scratch) / "reports"
            timings = {"drill_markers.yml": play("drill_markers.yml", inventory, overrides),
                       "backup.yml": play("backup.yml", inventory, overrides)}
            if args.kind == "rds_snapshot":
                started = time.monotonic()
                rds.create_db_snapshot(DBInstanceIdentifier=instance_identifier(ENV),
                                       DBSnapshotIdentifier="prod-postgres-bench")
                timings["CreateDBSnapshot"] = time.monotonic() - started
            drill_vars = dict(overrides, envops_report_dir=str(reports), dr_drill_kind=args.kind)
            timings["dr_drill.yml"] = play("dr_drill.yml", inventory, drill_vars)
            report = json.loads(next(reports.glob("dr-drill-prod-*.json")).read_text())
    finally:
        remove_instances(rds)
    (store,) = report["stores"]
    print("database      %8.1f MB  (%d customers, %d orders)" % (
        dataset["bytes"] / 2 ** 20, dataset["rows"]["customers"], dataset["rows"]["orders"]))
    if args.kind == "logical":
        print("archive       %8.1f MB  (pg_dump -Fc, SHA-256 in the manifest; pg_restore took %.1f s)" % (
            report["archive_bytes"] / 2 ** 20, report["restore_seconds"]))
    else:
        print("snapshot      %s restored into %s" % (report["snapshot"]["id"], report["instance"]))
    for step, seconds in timings.items():
        print("%-17s %8.1f s   (wall time)" % (step, seconds))
    for entry in report["timeline"]:
        print("  %-11s %-9s %8.1f s   (from %.1f s)" % (
            entry["store"], entry["phase"], entry["seconds"], entry["offset_s"]))
    print("drill RTO     %8.1f s   (drill start -> restored data validated; target %d s)" % (
        store["rto_s"], report["overall"]["rto_target_s"]))
    print("drill RPO     %8.1f s   (drill start - newest surviving marker; target %d s)" % (
        store["rpo_s"], report["overall"]["rpo_target_s"]))
    print("validated     %s: %d rows, %d tables read%s" % (
        report["validation"]["ok"], report["validation"]["rows"], len(report["validation"]["tables"]),
        " and checked against the manifest" if args.kind == "logical" else
        ", %d of them equal to the backup before the snapshot" % sum(
            1 for table in report["validation"]["tables"].values() if table["matches"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
