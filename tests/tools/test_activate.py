""".scratch/activate (written by `make venv`, sourced by `make shell`): a plain shell that sources it runs the
README's commands as written, with the checkout's virtualenv, ansible.cfg and Ansible files, and writes nothing
into the user's home."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRATCH = ROOT / ".scratch"
ACTIVATE = SCRATCH / "activate"


@pytest.fixture
def home(tmp_path):
    """An empty home of a user who has nothing but a login shell."""
    directory = tmp_path / "home"
    directory.mkdir()
    return directory


def in_plain_shell(home, script):
    """Run `script` in bash after sourcing the activate file, in the checkout, from a bare environment."""
    assert ACTIVATE.is_file(), "run `make venv`: it writes %s" % ACTIVATE
    env = {"HOME": str(home), "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run(["bash", "-c", 'source "%s" && %s' % (ACTIVATE, script)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_ansible_playbook_is_the_virtualenv_one_with_the_checkout_config(home):
    run = in_plain_shell(home, 'command -v ansible-playbook && ansible-playbook --version && echo "$ANSIBLE_HOME"')
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == str(SCRATCH / "venv" / "bin" / "ansible-playbook")
    assert lines[1].startswith("ansible-playbook [core 2.19.")
    assert "  config file = %s" % (ROOT / "ansible.cfg") in lines
    ansible_home = Path(lines[-1])
    assert ansible_home.is_relative_to(SCRATCH), ansible_home


def test_the_home_stays_the_users(home):
    run = in_plain_shell(home, 'echo "$HOME"')
    assert run.stdout.strip() == str(home)


def test_a_readme_command_runs_as_written_and_leaves_the_home_untouched(home):
    run = in_plain_shell(home, "ansible-playbook -i inventories/dev playbooks/validate.yml")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "dev: development in " in run.stdout
    assert sorted(os.listdir(home)) == [], "written into the user's home"
