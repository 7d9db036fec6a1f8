"""The throwaway PostgreSQL 15 cluster of the local stack.

initdb and pg_ctl refuse to run as root, so as root they run as the ``postgres`` OS user and the
cluster's directories belong to it. Host connections (127.0.0.1) need the superuser's password
(scram-sha-256); the unix socket, in a directory only its owner can enter, trusts local users.
Durability is switched off: this cluster only ever holds test data.
"""

import os
import secrets
import shlex
import shutil
import stat
import subprocess
from pathlib import Path

import psycopg
from psycopg import sql

from tools.stack.log_tail import log_tail
from tools.stack.paths import StackPaths

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "postgres"
OS_USER = "postgres"
START_TIMEOUT_S = 60


class PostgresError(RuntimeError):
    pass


def as_cluster_owner(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", OS_USER, "--", *command]
    return command


def _run(command: list[str], paths: StackPaths, check: bool = True) -> subprocess.CompletedProcess:
    # cwd: the cluster owner may not be allowed into the caller's working directory.
    result = subprocess.run(
        as_cluster_owner(command), cwd=paths.pg_dir, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise PostgresError(
            f"{shlex.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}\n"
            f"{log_tail(paths.pg_log)}"
        )
    return result


def give_to_cluster_owner(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, OS_USER, OS_USER)


def _let_cluster_owner_traverse(paths: StackPaths) -> None:
    """The postgres user must reach pg/ through directories root may have created 0700."""
    if os.geteuid() != 0:
        return
    for directory in (paths.scratch, paths.state_dir):
        directory.chmod(directory.stat().st_mode | stat.S_IXOTH)
    for ancestor in paths.scratch.parents:
        if not ancestor.stat().st_mode & stat.S_IXOTH:
            raise PostgresError(
                f"the {OS_USER} user cannot enter {ancestor}, so cannot reach {paths.pg_dir}: "
                f"choose a scratch directory ({paths.scratch}) under a traversable path"
            )


def _prepare_directories(paths: StackPaths) -> None:
    paths.state_dir.mkdir(parents=True, exist_ok=True)
    _let_cluster_owner_traverse(paths)
    for directory in (paths.pg_dir, paths.pg_socket):
        directory.mkdir(mode=0o700, exist_ok=True)
        directory.chmod(0o700)
        give_to_cluster_owner(directory)


def ensure_password(paths: StackPaths) -> str:
    """The superuser password, generated once and kept (mode 0600) across restarts."""
    if not paths.pg_password.exists():
        paths.pg_password.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(paths.pg_password, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(24))
    return paths.pg_password.read_text().strip()


def _initdb(paths: StackPaths, password: str) -> None:
    # initdb insists on a password when host connections need one; hand it over in a file only the
    # cluster owner can read, inside its own directory, and remove it right after.
    password_file = paths.pg_dir / "initdb.password"
    password_file.write_text(password)
    password_file.chmod(0o600)
    give_to_cluster_owner(password_file)
    try:
        _run(
            [str(PG_BIN / "initdb"), "-D", str(paths.pg_data), "-U", SUPERUSER, f"--pwfile={password_file}"]
            + ["--auth-local=trust", "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"],
            paths,
        )
    finally:
        password_file.unlink()


def is_initialized(paths: StackPaths) -> bool:
    return (paths.pg_data / "PG_VERSION").exists()


def _pg_ctl(paths: StackPaths, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return _run([str(PG_BIN / "pg_ctl"), *args, "-D", str(paths.pg_data)], paths, check=check)


def running_port(paths: StackPaths) -> int | None:
    """The port of the running cluster, from its postmaster.pid, if pg_ctl sees it running."""
    if not is_initialized(paths) or _pg_ctl(paths, "status", check=False).returncode != 0:
        return None
    try:
        # postmaster.pid line 4 is the port the postmaster listens on.
        return int((paths.pg_data / "postmaster.pid").read_text().splitlines()[3])
    except (OSError, IndexError, ValueError):
        return None


def accepts_password_login(port: int, password: str) -> bool:
    try:
        with psycopg.connect(
            host="127.0.0.1", port=port, user=SUPERUSER, password=password, dbname="postgres", connect_timeout=3
        ) as connection:
            connection.execute("select 1")
        return True
    except psycopg.OperationalError:
        return False


def _set_superuser_password(paths: StackPaths, port: int, password: str) -> None:
    # Over the trusted socket, so a regenerated password file always matches the cluster.
    with psycopg.connect(
        host=str(paths.pg_socket), port=port, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as connection:
        connection.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(SUPERUSER), sql.Literal(password))
        )


def _write_pgpass(paths: StackPaths, port: int, password: str) -> None:
    fd = os.open(paths.pgpass, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"127.0.0.1:{port}:*:{SUPERUSER}:{password}\n")


def start(paths: StackPaths, port: int) -> None:
    """Initialize the cluster if needed, start it on 127.0.0.1:port, wait until it takes logins."""
    _prepare_directories(paths)
    password = ensure_password(paths)
    if not is_initialized(paths):
        _initdb(paths, password)
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(paths.pg_socket),
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
    options = " ".join(f"-c {shlex.quote(f'{name}={value}')}" for name, value in settings.items())
    _pg_ctl(paths, "start", "-l", str(paths.pg_log), "-w", "-t", str(START_TIMEOUT_S), "-o", options)
    _set_superuser_password(paths, port, password)
    if not accepts_password_login(port, password):
        raise PostgresError(
            f"PostgreSQL started but refuses the password login on 127.0.0.1:{port}\n{log_tail(paths.pg_log)}"
        )
    _write_pgpass(paths, port, password)


def stop(paths: StackPaths) -> None:
    if running_port(paths) is not None:
        _pg_ctl(paths, "stop", "-m", "fast", "-w", "-t", "30")
