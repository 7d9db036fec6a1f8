"""tools/check_tarball.py: a collection tarball holds all of the collection and nothing of development."""

import io
import tarfile

import pytest

from tools import check_tarball

CHECKOUT_FILES = [
    "plugins/modules/vpc_flow_log.py",
    "plugins/module_utils/cidr_plan.py",
    "roles/spec/tasks/main.yml",
    "roles/spec/meta/argument_specs.yml",
    "playbooks/validate.yml",
    "meta/runtime.yml",
]
COLLECTION = ["MANIFEST.json", "FILES.json", "README.md", "inventories/prod/hosts.yml", "docs/restore.md"]


@pytest.fixture
def checkout(tmp_path):
    root = tmp_path / "checkout"
    for name in CHECKOUT_FILES + ["tests/unit/test_x.py", "plugins/modules/__pycache__/vpc_flow_log.cpython-311.pyc"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n")
    return root


def build(tmp_path, names, prefix=""):
    tarball = tmp_path / "envops-aws-0.1.0.tar.gz"
    with tarfile.open(tarball, "w:gz") as archive:
        for directory in sorted({name.rsplit("/", 1)[0] for name in names if "/" in name}):
            info = tarfile.TarInfo(prefix + directory)
            info.type = tarfile.DIRTYPE
            archive.addfile(info)
        for name in names:
            info = tarfile.TarInfo(prefix + name)
            info.size = 2
            archive.addfile(info, io.BytesIO(b"x\n"))
    return tarball


def check(tmp_path, checkout, names, prefix=""):
    tarball = build(tmp_path, names, prefix)
    return check_tarball.problems(check_tarball.tarball_files(tarball), check_tarball.checkout_files(checkout))


def test_checkout_files_are_the_shipped_directories_without_bytecode(checkout):
    assert sorted(check_tarball.checkout_files(checkout)) == sorted(CHECKOUT_FILES)


@pytest.mark.parametrize("prefix", ["", "./"])
def test_a_complete_tarball_passes(tmp_path, checkout, prefix):
    assert check(tmp_path, checkout, CHECKOUT_FILES + COLLECTION, prefix) == []


@pytest.mark.parametrize("name", [
    "tests/unit/plugins/modules/test_vpc_flow_log.py",
    "tools/stack/launcher.py",
    "molecule/network/molecule.yml",
    ".ci/run",
    ".scratch/stack/moto.url",
    ".config/molecule/config.yml",
    "Makefile",
    "requirements.txt",
    "constraints.txt",
    "ansible.cfg",
    "inventories/local/hosts.yml",
])
def test_a_development_file_fails(tmp_path, checkout, name):
    assert check(tmp_path, checkout, CHECKOUT_FILES + COLLECTION + [name]) == [
        "development file in the tarball: %s (%r is not part of the collection)" % (name, name.split("/")[0])
        if not name.startswith("inventories/") else "development file in the tarball: %s" % name]


@pytest.mark.parametrize("name", CHECKOUT_FILES + ["MANIFEST.json", "FILES.json", "README.md"])
def test_a_missing_collection_file_fails(tmp_path, checkout, name):
    names = [entry for entry in CHECKOUT_FILES + COLLECTION if entry != name]
    assert check(tmp_path, checkout, names) == ["missing from the tarball: %s" % name]


def test_main_names_every_problem_and_fails(tmp_path, checkout, capsys):
    tarball = build(tmp_path, [name for name in CHECKOUT_FILES + COLLECTION if name != "playbooks/validate.yml"]
                    + ["tests/integration/harness.py"])
    assert check_tarball.main([str(tarball), "--checkout", str(checkout)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "development file in the tarball: tests/integration/harness.py ('tests' is not part of the collection)",
        "missing from the tarball: playbooks/validate.yml",
        "envops-aws-0.1.0.tar.gz: 2 problem(s)",
    ]


def test_main_passes_a_complete_tarball(tmp_path, checkout, capsys):
    tarball = build(tmp_path, CHECKOUT_FILES + COLLECTION)
    assert check_tarball.main([str(tarball), "--checkout", str(checkout)]) == 0
    assert "no development file" in capsys.readouterr().out
