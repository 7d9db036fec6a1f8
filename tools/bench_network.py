"""Benchmark: provision the local prod network, first run and no-op re-run, with AWS API call counts.

Usage: python -m tools.bench_network   (the local stack must be up: make stack-up)
Prints wall time, Ansible's changed count and the AWS API calls moto served for each run.
Each benchmark run uses a fresh fake account, so the first run really starts from nothing.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.local_inventory import fresh_account_id, write_inventory
from tools.stack.state import read_state, reset_calls

ROOT = Path(__file__).resolve().parent.parent


def provision(inventory):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory),
           str(ROOT / "playbooks" / "provision.yml"), "--tags", "network"]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode:
        sys.exit("provision.yml failed:\n" + proc.stdout[-3000:] + proc.stderr[-2000:])
    stats = json.loads(proc.stdout[proc.stdout.find("{"):])["stats"]["prod"]
    return elapsed, stats


def main():
    url = read_state()["moto_url"]
    with tempfile.TemporaryDirectory(dir=ROOT / ".scratch") as tmp:
        inventory = write_inventory(tmp, url, {"prod": (None, fresh_account_id())})
        rows = []
        for label in ("first run", "no-op re-run"):
            reset_calls(url)
            elapsed, stats = provision(inventory)
            counted = reset_calls(url)
            rows.append({"label": label, "elapsed": elapsed, "changed": stats["changed"], "ok": stats["ok"],
                         "calls": counted["total"], "by_action": counted["by_action"]})
    print("provision.yml, local prod network (3 AZs x 3 tiers, per-AZ NAT), moto %s" % read_state()["moto_version"])
    print("%-14s %9s %8s %6s %10s" % ("run", "wall s", "changed", "ok", "API calls"))
    for row in rows:
        print("%(label)-14s %(elapsed)9.1f %(changed)8d %(ok)6d %(calls)10d" % row)
    for row in rows:
        busiest = sorted(row["by_action"].items(), key=lambda kv: -kv[1])[:6]
        print("%s, busiest calls: %s" % (row["label"], ", ".join("%s=%d" % kv for kv in busiest)))


if __name__ == "__main__":
    main()
