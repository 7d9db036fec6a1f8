"""Check the file list of a built collection tarball: all of the collection inside, nothing of development.

    python -m tools.check_tarball .scratch/build/envops-aws-0.1.0.tar.gz

Fails (exit 1, one line per problem) when the tarball holds a file outside the collection's top-level entries
(tests, tools, molecule, .ci, .scratch, the Makefile, the virtualenv's requirements ...) or the local estate's
inventory, and when a file of plugins/, roles/, playbooks/ or meta/ of the checkout, or a file every collection
tarball has (MANIFEST.json, FILES.json, README.md), is missing from it.
"""

import argparse
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a user of the collection gets; anything else at the top of the tarball is development.
TOP_LEVEL = frozenset({
    "MANIFEST.json", "FILES.json", "README.md", "LICENSE", "COPYING",
    "plugins", "roles", "playbooks", "meta", "docs", "changelogs", "inventories",
})
# Inside a shipped entry but development all the same: the local estate needs the checkout's local stack.
DEVELOPMENT = ("inventories/local",)
# Every file of these checkout directories must be in the tarball.
SHIPPED = ("plugins", "roles", "playbooks", "meta")
REQUIRED = ("MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml")
# Written by Python or editors, never shipped (ansible-galaxy skips them).
NOT_CONTENT = ("__pycache__",)
NOT_CONTENT_SUFFIXES = (".pyc", ".retry")


def tarball_files(tarball):
    """Paths of the regular files and links of the tarball, relative to the collection root."""
    with tarfile.open(tarball) as archive:
        return sorted(strip_dot(member.name) for member in archive.getmembers() if not member.isdir())


def strip_dot(name):
    return name[2:] if name.startswith("./") else name


def checkout_files(checkout, directories=SHIPPED):
    """Paths of the files of the checkout's shipped directories, relative to the checkout."""
    files = []
    for directory in directories:
        for path in sorted((checkout / directory).rglob("*")):
            relative = path.relative_to(checkout)
            if path.is_dir() or set(relative.parts) & set(NOT_CONTENT) or path.name.endswith(NOT_CONTENT_SUFFIXES):
                continue
            files.append(relative.as_posix())
    return files


def problems(names, expected):
    """What is wrong with a tarball holding `names` when it should hold at least `expected` (both path lists)."""
    found = []
    present = set(names)
    for name in names:
        top = name.split("/", 1)[0]
        if top not in TOP_LEVEL:
            found.append("development file in the tarball: %s (%r is not part of the collection)" % (name, top))
        elif any(name == entry or name.startswith(entry + "/") for entry in DEVELOPMENT):
            found.append("development file in the tarball: %s" % name)
    for name in sorted(set(REQUIRED) | set(expected)):
        if name not in present:
            found.append("missing from the tarball: %s" % name)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the checkout the tarball was built from")
    args = parser.parse_args(argv)
    names = tarball_files(args.tarball)
    found = problems(names, checkout_files(args.checkout))
    for problem in found:
        print(problem)
    if found:
        print("%s: %d problem(s)" % (args.tarball.name, len(found)))
        return 1
    shipped = ", ".join(SHIPPED)
    print("%s: %d files, no development file, nothing of %s missing" % (args.tarball.name, len(names), shipped))
    return 0


if __name__ == "__main__":
    sys.exit(main())
