"""Run `molecule test` for every scenario under molecule/, against the local stack.

Usage: python -m tools.run_molecule [scenario ...]   (default: all scenarios)
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scenarios():
    return sorted(path.parent.name for path in (ROOT / "molecule").glob("*/molecule.yml"))


def main(argv=None):
    names = (argv if argv is not None else sys.argv[1:]) or scenarios()
    env = dict(os.environ)
    env.setdefault("HOME", str(ROOT / ".scratch" / "home"))
    env.setdefault("ANSIBLE_HOME", str(ROOT / ".scratch" / "ansible-home"))
    env.pop("ANSIBLE_CONFIG", None)  # molecule writes its own ansible.cfg per scenario
    env["PATH"] = "%s:%s" % (Path(sys.executable).parent, env.get("PATH", ""))
    failed = []
    for name in names:
        print("== molecule test -s %s" % name, flush=True)
        if subprocess.run(["molecule", "test", "-s", name], cwd=ROOT, env=env, check=False).returncode:
            failed.append(name)
    if failed:
        print("molecule scenarios failed: %s" % ", ".join(failed))
        return 1
    print("molecule: %d scenario(s) passed" % len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
