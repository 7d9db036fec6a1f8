import subprocess
import sys

import pytest

from harness import REPO, moto_server_of_its_own, tool_env
from tools.stack.state import read_state


@pytest.fixture(scope="session")
def stack():
    """The local stack (started if needed: `python -m tools.stack start` is idempotent)."""
    subprocess.run([sys.executable, "-m", "tools.stack", "start"], cwd=REPO, env=tool_env(), check=True,
                   capture_output=True, timeout=180)
    return read_state()


@pytest.fixture(scope="module")
def private_moto():
    """The URL of a moto server of the module's own: its data, its call counter and its faults concern nothing but
    that module's tests."""
    with moto_server_of_its_own() as url:
        yield url
