"""Benchmark: the cost of AWS throttling, as wall time of provisioning one environment at 0, 10 and 30 % throttling.

    python -m tools.bench_faults                       # dev, all roles, 0 / 10 / 30 %, median of 3 runs each
    python -m tools.bench_faults --runs 1 --rates 0    # one clean run
    python -m tools.bench_faults --kind 5xx --rates 0,10    # 5xx answers instead of throttling

Each run provisions the environment's definition (``playbooks/provision.yml``, every role) into a fresh fake account
of a moto server of the benchmark's own (the local stack is not touched), with that fraction of the AWS calls answered
by the throttling error of their service (``ThrottlingException``, ``RequestLimitExceeded``, ``SlowDown``...; a fixed
seed, see docs/local-stack.md "Fault injection"). The rates take turns within each round, so that a slower machine
moment does not fall on one rate only. Prints the machine, one line per run (wall time, changed, AWS calls, faults
injected) and one line per rate: the median and its ratio to 0 %. A run whose provision failed is reported FAILED
with its first failed task, never timed as a success; the exit code is then 1.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.bench_targets import median
from tools.local_inventory import fresh_account_id, write_inventory
from tools.stack import moto_process
from tools.stack.ports import pick_free_ports
from tools.stack.state import clear_faults, reset_calls, set_faults

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PLAYBOOK_TIMEOUT = 3600
KIND_WORDS = {"throttle": "throttling", "5xx": "5xx answers", "reset": "connection resets"}


@dataclass
class Run:
    rate: float
    wall: float
    rc: int
    changed: int = 0
    calls: int = 0
    injected: dict = field(default_factory=dict)  # by kind
    failure: str = ""

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.failure


def machine_facts() -> str:
    """CPU count and model, memory: read from this machine."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown memory"
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = "%.1f GiB memory" % (int(line.split()[1]) / 1024 ** 2)
                break
    except (OSError, ValueError, IndexError):
        pass
    return "%d CPUs (%s), %s, load average %.2f" % (os.cpu_count() or 1, model, memory, os.getloadavg()[0])


def first_failure(report: dict, host: str) -> str:
    """``task: message`` of the first failed task of host in an ansible.posix.json report ('' when none)."""
    for play in report.get("plays", []):
        for task in play.get("tasks", []):
            result = task.get("hosts", {}).get(host, {})
            if result.get("failed"):
                messages = [result.get("msg", "")] + [item.get("msg", "") for item in result.get("results", [])
                                                      if item.get("failed")]
                message = " ".join(str(text) for text in messages if text)
                return "%s: %s" % (task["task"]["name"], " ".join(message.split())[:400])
    return ""


def provision(url: str, environment: str, rate: float, seed: int, scratch: Path, kind: str = "throttle") -> Run:
    directory = Path(tempfile.mkdtemp(prefix="inventory-", dir=scratch))
    inventory = write_inventory(directory, url, {environment: (None, fresh_account_id())})
    if rate:
        set_faults(url, rate, [kind], seed=seed)
    else:
        clear_faults(url)
    reset_calls(url)
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(ROOT / "playbooks" / "provision.yml")]
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                              timeout=PLAYBOOK_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Run(rate, time.monotonic() - started, -1, failure="no end within %d s" % PLAYBOOK_TIMEOUT)
    wall = time.monotonic() - started
    # at 0 % none were configured: the counts kept by the server are the previous run's
    injected = clear_faults(url)["injected"]["by_kind"] if rate else {}
    counted = reset_calls(url)["total"]
    try:
        report = json.loads(proc.stdout[proc.stdout.find("{"):])
    except ValueError:
        report = {}
    stats = report.get("stats", {}).get(environment, {})
    failure = first_failure(report, environment)
    if proc.returncode and not failure:
        failure = "ansible-playbook exited %d: %s" % (proc.returncode, " ".join(proc.stderr.split())[-400:])
    shutil.rmtree(directory)
    return Run(rate, wall, proc.returncode, stats.get("changed", 0), counted, injected, failure)


def summary_lines(runs: list, kind: str = "throttle") -> list:
    """One line per rate: the median of its runs and the ratio to the 0 % median, or FAILED with the count."""
    rates = sorted({run.rate for run in runs})
    clean = [run.wall for run in runs if run.rate == 0]
    clean_ok = clean and all(run.ok for run in runs if run.rate == 0)
    lines = []
    for rate in rates:
        these = [run for run in runs if run.rate == rate]
        failed = [run for run in these if not run.ok]
        label = "%3.0f %% %s" % (rate * 100, KIND_WORDS[kind])
        if failed:
            counts = (label, len(failed), len(these), failed[0].failure)
            lines.append("%s: FAILED in %d of %d runs (first: %s)" % counts)
            continue
        seconds = median(run.wall for run in these)
        ratio = " %.2fx of 0 %%" % (seconds / median(clean)) if clean_ok and rate else ""
        lines.append("%s: median %.1f s of %d run%s%s" % (label, seconds, len(these), "s"[:len(these) > 1], ratio))
    return lines


def run_line(index: int, run: Run) -> str:
    kinds = ", ".join("%s=%d" % item for item in sorted(run.injected.items())) or "none"
    result = "ok" if run.ok else "FAILED"
    return "run %d at %3.0f %%: %7.1f s  %-6s changed=%-4d AWS calls=%-5d faults injected: %s" % (
        index, run.rate * 100, run.wall, result, run.changed, run.calls, kinds)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tools.bench_faults", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per rate (the median is reported)")
    parser.add_argument("--rates", default="0,10,30", help="fault rates in percent, comma-separated")
    parser.add_argument("--kind", default="throttle", choices=sorted(KIND_WORDS),
                        help="the faults injected (default throttle)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the faults (the same for every run)")
    parser.add_argument("--environment", default="dev", choices=["dev", "test", "staging", "prod", "dr"])
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs: at least 1")
    try:
        args.rates = [float(rate) / 100 for rate in args.rates.split(",")]
    except ValueError:
        parser.error("--rates: percentages such as 0,10,30")
    if not all(0 <= rate <= 1 for rate in args.rates):
        parser.error("--rates: each from 0 to 100")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    (ROOT / ".scratch").mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-faults-", dir=ROOT / ".scratch"))
    (port,) = pick_free_ports([None])
    url = "http://127.0.0.1:%d" % port
    log = scratch / "moto.log"
    print("machine: %s" % machine_facts())
    print("provision.yml, environment %s (all roles), %s with seed %d, moto server of its own (log %s)"
          % (args.environment, KIND_WORDS[args.kind], args.seed, log), flush=True)
    server = moto_process.spawn(port, log)
    runs = []
    try:
        moto_process.wait_until_answering(server, url, log)
        for round_index in range(1, args.runs + 1):
            for rate in args.rates:
                run = provision(url, args.environment, rate, args.seed, scratch, args.kind)
                runs.append(run)
                print(run_line(round_index, run), flush=True)
                if not run.ok:
                    print("    %s" % run.failure, flush=True)
    finally:
        moto_process.terminate(server.pid)
    for line in summary_lines(runs, args.kind):
        print(line)
    if all(run.ok for run in runs):
        shutil.rmtree(scratch)
        return 0
    print("moto server log kept: %s" % log)
    return 1


if __name__ == "__main__":
    sys.exit(main())
