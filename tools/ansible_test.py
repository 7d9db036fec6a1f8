"""Run `ansible-test sanity` / `ansible-test units` on this collection, without internet access to ansible.com.

    python -m tools.ansible_test sanity units

ansible-test only works on a collection that sits at ansible_collections/<namespace>/<name>, with its
dependencies in the same ansible_collections tree, so the collection is synced into
.scratch/ansible-test/ansible_collections/envops/aws and the dependencies bundled with the `ansible`
package are linked next to it. Each test runs in its own ansible-test virtual environment (--venv).

Not offline the first time: ansible-test builds those environments under ~/.ansible/test/venv (HOME is
.scratch/home) and installs into each, from PyPI, its pinned pip and the test's pinned requirements (pylint,
pycodestyle, yamllint, voluptuous, antsibull-changelog, rstcheck, ...). They are not those of the project's
venv, and installing them there would change the versions ansible-lint runs with. Later runs reuse the
environments and fetch nothing.
"""

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from types import SimpleNamespace

import yaml
from ansible_test._internal.python_requirements import get_venv_packages

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / ".scratch"
TEST_TREE = SCRATCH / "ansible-test" / "ansible_collections"
PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
TESTS = ("sanity", "units")

# Never copied, never deleted from the copy: version control and ansible-test's own results.
KEEP_IN_COPY = (".git", "tests/output")
# Without git, the same files git would ignore (see .gitignore).
SKIP_IN_WALK = {".git", ".scratch", "tests/output", "__pycache__", ".pytest_cache"}

# ansible-test downloads get-pip.py from ci-files.testing.ansible.com unless this cache file exists.
# get-pip.py's interface: pip install arguments, plus --no-setuptools / --no-wheel of its own.
GET_PIP_STAND_IN = '''\
"""Stand-in for get-pip.py written by tools/ansible_test.py: pip from ensurepip, then the pinned pip from PyPI."""
import subprocess
import sys

GET_PIP_OPTIONS = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + [arg for arg in sys.argv[1:] if arg not in GET_PIP_OPTIONS])
'''


def isolated_environment():
    """Caches and ansible-test's venvs under .scratch, never under the user's home."""
    env = dict(os.environ)
    env.update(
        HOME=str(SCRATCH / "home"),
        ANSIBLE_HOME=str(SCRATCH / "ansible-home"),
        XDG_CACHE_HOME=str(SCRATCH / "cache"),
        PIP_CACHE_DIR=str(SCRATCH / "cache" / "pip"),
    )
    # The project's ansible.cfg points at the checkout's collections path, not at the test tree.
    env.pop("ANSIBLE_CONFIG", None)
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)
    return env


def collection_files():
    """Relative paths of the collection: what git tracks plus untracked files it does not ignore."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if listing.returncode == 0:
        paths = listing.stdout.decode().split("\0")
        # --cached still lists tracked files deleted from the working tree.
        return sorted(path for path in paths if path and (ROOT / path).is_file())
    return sorted(walk_files())


def walk_files():
    for directory, subdirectories, files in os.walk(ROOT):
        relative_directory = Path(directory).relative_to(ROOT)
        subdirectories[:] = [
            name for name in subdirectories if name not in SKIP_IN_WALK and str(relative_directory / name) not in SKIP_IN_WALK
        ]
        for name in files:
            yield str((Path(directory) / name).relative_to(ROOT))


def is_kept(relative_path):
    return any(relative_path == kept or relative_path.startswith(kept + "/") for kept in KEEP_IN_COPY)


def sync_collection(destination):
    """Make destination a copy of the collection's files (rsync --delete), keeping timestamps."""
    wanted = set(collection_files())
    destination.mkdir(parents=True, exist_ok=True)
    for relative_path in wanted:
        source, target = ROOT / relative_path, destination / relative_path
        if target.is_file():
            source_stat, target_stat = source.stat(), target.stat()
            if (source_stat.st_size, source_stat.st_mtime_ns) == (target_stat.st_size, target_stat.st_mtime_ns):
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)

    for directory, subdirectories, files in os.walk(destination, topdown=False):
        relative_directory = Path(directory).relative_to(destination)
        for name in files:
            relative_path = str(relative_directory / name)
            if relative_path not in wanted and not is_kept(relative_path):
                os.unlink(Path(directory) / name)
        if directory != str(destination) and not is_kept(str(relative_directory)) and not os.listdir(directory):
            os.rmdir(directory)
    return len(wanted)


def init_git(destination):
    """ansible-test lists the collection's files with git when it finds a .git walking up from it.

    Without its own repository the copy would be resolved against the checkout's, which ignores .scratch,
    and ansible-test would see no files. An empty repository is enough: it lists untracked files too.
    """
    if not (destination / ".git").exists():
        subprocess.run(["git", "init", "--quiet", str(destination)], check=True)


def link_dependencies(galaxy):
    """Link the collections galaxy.yml depends on, from the `ansible` package, into the test tree."""
    bundled = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections"
    for dependency in galaxy.get("dependencies") or {}:
        namespace, name = dependency.split(".")
        link, target = TEST_TREE / namespace / name, bundled / namespace / name
        if not target.is_dir():
            sys.exit(f"{dependency} is not installed under {bundled}: run `make venv`")
        if link.is_symlink() and link.resolve() == target.resolve():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target, target_is_directory=True)


def pinned_pip_version():
    return get_venv_packages(SimpleNamespace(version=PYTHON_VERSION))["pip"]


def seed_get_pip_stand_in(env):
    pip_version = pinned_pip_version()
    cache_file = Path(env["HOME"]) / ".ansible" / "test" / "cache" / f"get_pip_{pip_version.replace('.', '_')}.py"
    if not cache_file.is_file() or cache_file.read_text() != GET_PIP_STAND_IN:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(GET_PIP_STAND_IN)


def missing_environments(env, tests):
    """The tests whose ansible-test virtual environments are not built yet (a first run builds them from PyPI)."""
    cache = Path(env["HOME"]) / ".ansible" / "test" / "venv"
    return [test for test in tests if not any(cache.glob(f"{test}*/{PYTHON_VERSION}/*/marker.txt"))]


def run_test(test, collection_copy, env):
    """Run one ansible-test command with its output streamed; returns (passed, seconds)."""
    ansible_test = Path(sys.executable).parent / "ansible-test"
    command = [str(ansible_test), test, "--venv", "--python", PYTHON_VERSION, "--color", "no"]
    print(f"==> {' '.join(command[1:])} (in {collection_copy})", flush=True)
    started = time.monotonic()
    returncode = subprocess.run(command, cwd=collection_copy, env=env, check=False).returncode
    return returncode == 0, time.monotonic() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="+", choices=TESTS, help="ansible-test commands to run, in order")
    args = parser.parse_args(argv)

    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    collection_copy = TEST_TREE / galaxy["namespace"] / galaxy["name"]
    env = isolated_environment()

    started = time.monotonic()
    file_count = sync_collection(collection_copy)
    init_git(collection_copy)
    link_dependencies(galaxy)
    seed_get_pip_stand_in(env)
    print(f"==> synced {file_count} files to {collection_copy} in {time.monotonic() - started:.1f}s", flush=True)
    missing = missing_environments(env, args.tests)
    if missing:
        print(f"==> first run of {', '.join(missing)}: ansible-test builds its virtual environments under "
              f"{Path(env['HOME']) / '.ansible' / 'test' / 'venv'}, installing pip {pinned_pip_version()} and each "
              "test's pinned requirements from PyPI; later runs reuse them offline", flush=True)

    outcomes = {test: run_test(test, collection_copy, env) for test in args.tests}
    for test, (passed, seconds) in outcomes.items():
        print(f"==> ansible-test {test}: {'passed' if passed else 'FAILED'} in {seconds:.0f}s")
    return 0 if all(passed for passed, seconds in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
