"""Python API to a running local stack: where it listens, what it has counted, which faults it injects.

    from tools.stack.state import read_state, calls, reset_calls, pg_dsn, set_faults, faults, clear_faults
    url = read_state()["moto_url"]
    reset_calls(url); ...; assert calls(url)["total"] == 3
    set_faults(url, 0.3, ["throttle"], seed=7, services=["kms"]); ...; faults(url)["injected"]["total"]

``root`` is the scratch root (default ``$ENVOPS_SCRATCH`` or ``<repo>/.scratch``), the directory
that holds ``stack/stack.json``.
"""

import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from tools.stack.paths import StackPaths


class StackNotRunningError(RuntimeError):
    pass


class FaultConfigRefused(ValueError):
    """The moto server refused a fault configuration; the message (the server's) names the field."""


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


def faults(url: str, timeout: float = 5) -> dict:
    """The fault injection of the moto server at url: ``{"config": {...} | None, "injected": {"total": N,
    "by_kind": {"throttle": n, ...}, "by_action": {"kms:ListKeyPolicies": n, ...}}}``."""
    return _faults_request(url, "GET", None, timeout)


def set_faults(url: str, rate: float, kinds: list, seed: int | None = None, services: list | None = None,
               operations: list | None = None, delay: float | None = None, timeout: float = 5) -> dict:
    """Fault ``rate`` (0 to 1) of the calls with ``kinds`` (throttle, 5xx, reset, slow), drawn from ``seed`` (one
    drawn and reported when None), only those of ``services`` (signing names) / ``operations`` (``service:Action``)
    when given, ``slow`` waiting ``delay`` seconds (2 by default). Counts start again at 0; returns as ``faults``."""
    config = {"rate": rate, "kinds": kinds, "seed": seed, "services": services, "operations": operations,
              "delay": delay}
    for field in ("kinds", "services", "operations"):  # one name alone, or any sequence of names
        if isinstance(config[field], str):
            config[field] = [config[field]]
        elif config[field] is not None:
            config[field] = list(config[field])
    return _faults_request(url, "PUT", {field: value for field, value in config.items() if value is not None},
                           timeout)


def clear_faults(url: str, timeout: float = 5) -> dict:
    """No more faults; returns what was injected so far (as ``faults``, with config None)."""
    return _faults_request(url, "DELETE", None, timeout)


def _faults_request(url: str, method: str, payload: dict | None, timeout: float) -> dict:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f"{url.rstrip('/')}/_envops/faults", data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with _direct.open(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code != 400:
            raise
        with error:
            try:
                message = json.load(error).get("error", "refused")
            except (ValueError, AttributeError):
                message = str(error)
        raise FaultConfigRefused(message) from None


def pg_dsn(dbname: str = "postgres", root: Path | str | None = None) -> str:
    """A libpq URI for the stack's PostgreSQL, as its superuser, over TCP with the password."""
    state = read_state(root)
    password = Path(state["pg_password_file"]).read_text().strip()
    return (
        f"postgresql://{quote(state['pg_user'], safe='')}:{quote(password, safe='')}"
        f"@{state['pg_host']}:{state['pg_port']}/{quote(dbname, safe='')}"
    )
