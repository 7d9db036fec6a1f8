import subprocess
import sys

import pytest

from harness import REPO, tool_env
from tools.stack.state import read_state


@pytest.fixture(scope="session")
def stack():
    """The local stack (started if needed: `python -m tools.stack start` is idempotent)."""
    subprocess.run([sys.executable, "-m", "tools.stack", "start"], cwd=REPO, env=tool_env(), check=True,
                   capture_output=True, timeout=180)
    return read_state()
