"""Benchmark: the conformance audit (playbooks/audit.yml) of the five-environment local estate.

    python -m tools.bench_audit                                 # provision dev, test, staging, prod, dr into fresh
                                                                # fake accounts, then audit them 3 times
    python -m tools.bench_audit --inventory inventories/local   # audit an estate already provisioned (make demo)
    python -m tools.bench_audit --runs 5

Needs the local stack (make stack-up): the databases are the stack's PostgreSQL servers. Provisioning is timed apart
and not part of the figure. Each audit run is timed from the start of ansible-playbook to its end; the figure is the
median. Prints the machine, each run's wall time, the AWS calls of the last run by operation (the stack's call
counter), that no call wrote anything, and the audit's summary line of each environment. Target: within 2 minutes.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tools.bench_faults import machine_facts
from tools.bench_targets import median
from tools.local_inventory import fresh_account_id, write_inventory
from tools.stack.state import read_state, reset_calls

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ESTATE = ("dev", "test", "staging", "prod", "dr")
TARGET_S = 120
# Operations by name (query and JSON protocols), REST reads by method, and the REST reads AWS serves on POST
# (Security Hub GetEnabledStandards).
READ_ONLY = re.compile(r"^[a-z0-9-]+:(Describe|Get|List|BatchGet)[A-Za-z]*$|^[a-z0-9-]+:(GET|HEAD) "
                       r"|^securityhub:POST /standards/get$")
SUMMARY = re.compile(r"audit [a-z0-9-]+: \d+ passed, \d+ failed \(\d+ high\), \d+ not applicable")


def playbook(name, inventory, *args, timeout=3600):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / name), *args]
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return time.monotonic() - started, proc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--inventory", help="audit this inventory as it is (default: provision a fresh estate)")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args(argv)
    url = read_state()["moto_url"]
    print("machine: %s" % machine_facts())
    with tempfile.TemporaryDirectory(dir=ROOT / ".scratch") as tmp:
        inventory = options.inventory
        environments = ESTATE
        if inventory is not None:
            hosts = yaml.safe_load((Path(inventory) / "hosts.yml").read_text())["envops_environments"]["hosts"]
            environments = tuple(hosts)
        else:
            inventory = write_inventory(Path(tmp) / "inventory", url,
                                        dict((name, (None, fresh_account_id())) for name in ESTATE))
            wall, proc = playbook("provision.yml", inventory, "--forks", "5")
            if proc.returncode:
                sys.exit("provision.yml failed:\n" + proc.stdout[-4000:] + proc.stderr[-2000:])
            print("provisioned %s in fresh accounts: %.0f s (not part of the figure)" % (", ".join(ESTATE), wall))
        walls, counted, summaries = [], {}, []
        for run in range(1, options.runs + 1):
            reset_calls(url)
            wall, proc = playbook("audit.yml", inventory, "--forks", "5", "-e",
                                  "envops_report_dir=%s" % (Path(tmp) / "reports"))
            counted = reset_calls(url)
            summaries = sorted(set(SUMMARY.findall(" ".join(proc.stdout.split()))))
            if len(summaries) != len(environments):
                sys.exit("audit.yml run %d printed %d summary lines:\n%s" % (run, len(summaries), proc.stdout[-4000:]))
            walls.append(wall)
            print("run %d: %.1f s, %d AWS calls (rc %d)" % (run, wall, counted["total"], proc.returncode))
    writes = sorted(action for action in counted["by_action"] if not READ_ONLY.match(action))
    print("audit.yml, %d environments (%s), median of %d runs: %.1f s (target %d s: %s)" % (
        len(environments), ", ".join(environments), len(walls), median(walls), TARGET_S, "met" if median(walls) <= TARGET_S else "MISSED"))
    print("AWS calls of the last run: %d, write calls: %s" % (counted["total"], ", ".join(writes) or "none"))
    for action, count in sorted(counted["by_action"].items(), key=lambda kv: (-kv[1], kv[0])):
        print("  %-48s %5d" % (action, count))
    for line in summaries:
        print(line)
    return 1 if writes or median(walls) > TARGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
