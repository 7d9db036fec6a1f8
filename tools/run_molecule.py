"""Run `molecule test` for every scenario under molecule/, against the local stack.

Usage: python -m tools.run_molecule [--jobs N] [scenario ...]   (default: all scenarios, 2 at a time)

Every scenario converges in its own fake AWS account, so scenarios run side by side; each one's output is
kept in .scratch/molecule-logs/<scenario>.log and printed whole when it ends, never interleaved.
"""

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / ".scratch" / "molecule-logs"


def scenarios():
    return sorted(path.parent.name for path in (ROOT / "molecule").glob("*/molecule.yml"))


def molecule_env():
    env = dict(os.environ)
    env.setdefault("HOME", str(ROOT / ".scratch" / "home"))
    env.setdefault("ANSIBLE_HOME", str(ROOT / ".scratch" / "ansible-home"))
    env.pop("ANSIBLE_CONFIG", None)  # molecule writes its own ansible.cfg per scenario
    env["PATH"] = "%s:%s" % (Path(sys.executable).parent, env.get("PATH", ""))
    return env


def run_scenario(name, env):
    """Run one scenario; returns (name, returncode, seconds, log path)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / ("%s.log" % name)
    started = time.monotonic()
    with log.open("w") as out:
        code = subprocess.run(["molecule", "test", "-s", name], cwd=ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT, check=False).returncode
    return name, code, time.monotonic() - started, log


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="scenarios run at the same time (default 2)")
    parser.add_argument("scenario", nargs="*")
    args = parser.parse_args(argv)
    names = args.scenario or scenarios()
    env = molecule_env()
    failed = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for name, code, seconds, log in pool.map(lambda n: run_scenario(n, env), names):
            outcome = "FAILED" if code else "passed"
            print("== molecule test -s %s: %s in %.0f s (log %s)" % (name, outcome, seconds, log.relative_to(ROOT)),
                  flush=True)
            sys.stdout.write(log.read_text())
            sys.stdout.flush()
            if code:
                failed.append(name)
    if failed:
        print("molecule scenarios failed: %s" % ", ".join(failed))
        return 1
    print("molecule: %d scenario(s) passed" % len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
