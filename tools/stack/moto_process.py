"""Start, find and stop the detached moto server process of the local stack."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tools.stack.log_tail import log_tail
from tools.stack.paths import REPO_ROOT, StackPaths
from tools.stack.state import calls

SERVER_MODULE = "tools.stack.moto_server"


class MotoStartError(RuntimeError):
    pass


def spawn(port: int, log_path: Path) -> subprocess.Popen:
    """Run our moto server on 127.0.0.1:port in its own session, so it outlives the caller."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", SERVER_MODULE, "--port", str(port)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def answers(url: str) -> bool:
    try:
        calls(url, timeout=2)
        return True
    except (OSError, ValueError):  # nothing listening, or something that is not our server
        return False


def wait_until_answering(process: subprocess.Popen, url: str, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not answers(url):
        if process.poll() is not None:
            raise MotoStartError(f"moto server exited with code {process.returncode}\n{log_tail(log_path)}")
        if time.monotonic() > deadline:
            terminate(process.pid)
            raise MotoStartError(
                f"moto server did not answer on {url} within {timeout:.0f} s\n{log_tail(log_path)}"
            )
        time.sleep(0.1)


def _is_our_server(pid: int) -> bool:
    # A pid file can outlive its process and the pid be reused: check what runs under it.
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return SERVER_MODULE.encode() in cmdline


def running_pid(paths: StackPaths) -> int | None:
    """The pid of this stack's moto server, if its pid file points at a live one."""
    try:
        pid = int(paths.moto_pid.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_our_server(pid) else None


def _alive(pid: int) -> bool:
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False  # it was our own child and has just been reaped
    except ChildProcessError:
        pass  # not our child: whoever is its parent reaps it
    return _proc_state(pid) not in ("", "Z")


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def terminate(pid: int, timeout: float = 10) -> None:
    """SIGTERM the server's process group, SIGKILL it if still there after timeout."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.05)
