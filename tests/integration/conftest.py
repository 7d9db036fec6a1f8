import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from harness import REPO, tool_env
from tools.stack import moto_process
from tools.stack.ports import pick_free_ports
from tools.stack.state import read_state


@pytest.fixture(scope="session")
def stack():
    """The local stack (started if needed: `python -m tools.stack start` is idempotent)."""
    subprocess.run([sys.executable, "-m", "tools.stack", "start"], cwd=REPO, env=tool_env(), check=True,
                   capture_output=True, timeout=180)
    return read_state()


@pytest.fixture(scope="module")
def private_moto():
    """The URL of a moto server of the module's own (same app as the stack's: corrections, account routing, call
    counter): its data and its call counter see nothing but that module's tests."""
    log_dir = Path(tempfile.mkdtemp(prefix="moto-private-"))
    (port,) = pick_free_ports([None])
    url = "http://127.0.0.1:%d" % port
    server = moto_process.spawn(port, log_dir / "moto.log")
    try:
        moto_process.wait_until_answering(server, url, log_dir / "moto.log")
        yield url
    finally:
        moto_process.terminate(server.pid)
        shutil.rmtree(log_dir)
