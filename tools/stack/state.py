"""Python API to a running local stack: where it listens and what it has counted.

    from tools.stack.state import read_state, calls, reset_calls, pg_dsn
    url = read_state()["moto_url"]
    reset_calls(url); ...; assert calls(url)["total"] == 3

``root`` is the scratch root (default ``$ENVOPS_SCRATCH`` or ``<repo>/.scratch``), the directory
that holds ``stack/stack.json``.
"""

import json
import urllib.request
from pathlib import Path
from urllib.parse import quote

from tools.stack.paths import StackPaths


class StackNotRunningError(RuntimeError):
    pass


# The stack is always local: never send these requests through an HTTP proxy from the environment.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def read_state(root: Path | str | None = None) -> dict:
    """The contents of stack.json, written by ``python -m tools.stack start``."""
    state_json = StackPaths.resolve(root).state_json
    try:
        return json.loads(state_json.read_text())
    except FileNotFoundError:
        raise StackNotRunningError(
            f"local stack is not running: run `make stack-up` (no {state_json})"
        ) from None


def calls(url: str, timeout: float = 5) -> dict:
    """AWS API calls counted by the moto server at url: ``{"total": N, "by_action": {...}}``."""
    with _direct.open(f"{url.rstrip('/')}/_envops/calls", timeout=timeout) as response:
        return json.load(response)


def reset_calls(url: str, timeout: float = 5) -> dict:
    """Start counting from zero; returns the counts up to the reset."""
    request = urllib.request.Request(f"{url.rstrip('/')}/_envops/calls/reset", data=b"", method="POST")
    with _direct.open(request, timeout=timeout) as response:
        return json.load(response)


def pg_dsn(dbname: str = "postgres", root: Path | str | None = None) -> str:
    """A libpq URI for the stack's PostgreSQL, as its superuser, over TCP with the password."""
    state = read_state(root)
    password = Path(state["pg_password_file"]).read_text().strip()
    return (
        f"postgresql://{quote(state['pg_user'], safe='')}:{quote(password, safe='')}"
        f"@{state['pg_host']}:{state['pg_port']}/{quote(dbname, safe='')}"
    )
