"""start / stop / status / env of the local stack (moto server + PostgreSQL 15)."""

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tools.stack import moto_process, postgres
from tools.stack.moto_corrections import (
    check_pinned,
    installed_moto_version,
    pinned_corrections,
    unpinned_allowed,
)
from tools.stack.paths import StackPaths
from tools.stack.ports import pick_free_ports, read_port

EXIT_NOT_RUNNING = 3


@dataclass(frozen=True)
class Health:
    moto_pid: int | None
    moto_url: str | None
    pg_port: int | None

    @property
    def moto_up(self) -> bool:
        return self.moto_pid is not None

    @property
    def pg_up(self) -> bool:
        return self.pg_port is not None


@contextmanager
def exclusive(paths: StackPaths) -> Iterator[None]:
    """One start or stop at a time per stack (make -j, parallel test sessions)."""
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    with open(paths.state_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def check_health(paths: StackPaths) -> Health:
    pid = moto_process.running_pid(paths)
    url = _read_text(paths.moto_url)
    moto_up = pid is not None and url is not None and moto_process.answers(url)
    port = postgres.running_port(paths)
    pg_up = (
        port is not None
        and paths.pg_password.exists()
        and postgres.accepts_password_login(port, paths.pg_password.read_text().strip())
    )
    return Health(pid if moto_up else None, url if moto_up else None, port if pg_up else None)


def _read_text(path) -> str | None:
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def start(paths: StackPaths) -> Health:
    """Start what is not already running and healthy; leave the rest as it is."""
    moto_version = installed_moto_version()
    check_pinned(moto_version, allow_unpinned=unpinned_allowed())
    health = check_health(paths)
    if health.moto_up and health.pg_up:
        return health

    moto_port, pg_port = _clear_failed_and_pick_ports(paths, health)
    server = _spawn_moto(paths, moto_port) if moto_port else None
    try:
        if pg_port:
            postgres.start(paths, pg_port)  # meanwhile moto is still importing
            paths.pg_port.write_text(str(pg_port))
        if server:
            moto_process.wait_until_answering(server, paths.moto_url.read_text(), paths.moto_log)
    except Exception:
        if server:
            moto_process.terminate(server.pid)
            _discard_moto(paths)
        raise

    health = check_health(paths)
    state = _state(paths, health, moto_version)
    paths.state_json.write_text(json.dumps(state, indent=2) + "\n")
    return health


def _clear_failed_and_pick_ports(paths: StackPaths, health: Health) -> tuple[int | None, int | None]:
    """Ports for the components to (re)start, None for those already up; previous ports preferred."""
    previous_ports = {}
    if not health.moto_up:
        previous_ports["moto"] = read_port(paths.moto_port)
        _discard_moto(paths)
    if not health.pg_up:
        previous_ports["pg"] = read_port(paths.pg_port)
        postgres.stop(paths)  # it may run yet refuse logins: restart it clean
    ports = dict(zip(previous_ports, pick_free_ports(list(previous_ports.values()))))
    return ports.get("moto"), ports.get("pg")


def _spawn_moto(paths: StackPaths, port: int):
    server = moto_process.spawn(port, paths.moto_log)
    paths.moto_pid.write_text(str(server.pid))
    paths.moto_port.write_text(str(port))
    paths.moto_url.write_text(f"http://127.0.0.1:{port}")
    return server


def _state(paths: StackPaths, health: Health, moto_version: str) -> dict:
    return {
        "moto_url": health.moto_url,
        "moto_pid": health.moto_pid,
        "moto_log": str(paths.moto_log),
        "moto_version": moto_version,
        "corrections": [c.name for c in pinned_corrections(moto_version)],
        "pg_host": "127.0.0.1",
        "pg_port": health.pg_port,
        "pg_user": postgres.SUPERUSER,
        "pg_password_file": str(paths.pg_password),
        "pgpass_file": str(paths.pgpass),
        "pg_socket_dir": str(paths.pg_socket),
        "pg_log": str(paths.pg_log),
        "ca_bundle": str(paths.ca_cert),
        "state_dir": str(paths.state_dir),
    }


def _discard_moto(paths: StackPaths) -> None:
    pid = moto_process.running_pid(paths)
    if pid is not None:
        moto_process.terminate(pid)  # alive but not answering
    for path in (paths.moto_pid, paths.moto_port, paths.moto_url, paths.state_json):
        path.unlink(missing_ok=True)


def stop(paths: StackPaths) -> None:
    """Stop both; keep the logs, the password and the PostgreSQL data for the next start."""
    pid = moto_process.running_pid(paths)
    if pid is not None:
        moto_process.terminate(pid)
    postgres.stop(paths)
    for path in paths.run_files():
        path.unlink(missing_ok=True)


def env_exports(paths: StackPaths, health: Health) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": health.moto_url,
        "ENVOPS_ENDPOINT_URL": health.moto_url,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(health.pg_port),
        "PGUSER": postgres.SUPERUSER,
        "PGPASSFILE": str(paths.pgpass),
        "ENVOPS_PG_PASSWORD_FILE": str(paths.pg_password),
    }
