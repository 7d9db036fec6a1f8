"""The PostgreSQL servers behind the local stack's RDS instances, and the data of their snapshots.

On AWS an RDS PostgreSQL instance is a server of its own: an endpoint address, the port of the request, a master
user, a database, TLS with a certificate for that endpoint. Here each instance is a PostgreSQL 15 cluster of its own,
listening on an address of its own in 127.64.0.0/10 and the port the instance was created with, so two instances
with the same master user, database name and port (prod and the scratch copy restored from its snapshot) are as
separate as on AWS. A snapshot is a base backup (``pg_basebackup``) of the server at that moment; restoring one
copies it into a new cluster.

The clusters of one moto server live under ``rds/moto-<pid>/``: when that server stops it stops them, and whatever a
killed server left behind is removed by the next one (``sweep_orphans``).
Like RDS, the master user is not a superuser: it is a member of ``rds_superuser`` (CREATEDB, CREATEROLE, may signal
other sessions and read monitoring views), and the stack administers the cluster as ``rdsadmin`` over a unix socket
only its owner can enter.
"""

import ipaddress
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from tools.stack import tls
from tools.stack.log_tail import log_tail
from tools.stack.paths import StackPaths
from tools.stack.postgres import PG_BIN, as_cluster_owner, give_to_cluster_owner

ADMIN = "rdsadmin"
ADDRESSES = ipaddress.ip_network("127.64.0.0/10")
START_TIMEOUT_S = 60
SERVER_DIR_PREFIX = "moto-"

# rds_superuser as RDS grants it to the master user (the parts PostgreSQL has built in).
_RDS_SUPERUSER_ROLES = ("pg_signal_backend", "pg_monitor", "pg_read_all_settings", "pg_checkpoint")


class InstanceServerError(RuntimeError):
    pass


@dataclass
class Backup:
    """The data of one snapshot: a base backup directory, or None for an instance snapshotted before it had data."""
    path: Path | None
    server_id: str
    taken_at: float


@dataclass
class InstanceServer:
    id: str
    root: Path
    address: str
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "s"

    @property
    def log(self) -> Path:
        return self.root / "postgresql.log"

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        return psycopg.conninfo.make_conninfo(host=str(self.socket_dir), port=self.port, user=ADMIN, dbname=dbname)


def _run(command: list[str], cwd: Path, log: Path | None = None) -> None:
    result = subprocess.run(as_cluster_owner(command), cwd=cwd, capture_output=True, text=True, check=False,
                            start_new_session=True)
    if result.returncode != 0:
        raise InstanceServerError(
            f"{' '.join(command)} failed ({result.returncode}): {result.stdout}{result.stderr}"
            + (f"\n{log_tail(log)}" if log else "")
        )


def _owned_dir(path: Path, mode: int = 0o700) -> Path:
    path.mkdir(mode=mode, parents=True, exist_ok=True)
    path.chmod(mode)
    give_to_cluster_owner(path)
    return path


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _postmaster_pid(data: Path) -> int | None:
    try:
        return int((data / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, IndexError, ValueError):
        return None


def _kill_clusters_under(root: Path) -> None:
    """Immediate shutdown of every cluster under root (SIGQUIT to each postmaster), then wait until they are gone."""
    pids = [pid for pid in (_postmaster_pid(pidfile.parent) for pidfile in root.glob("**/postmaster.pid")) if pid]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGQUIT)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    while any(_pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


def sweep_orphans(paths: StackPaths) -> list[Path]:
    """Remove the clusters and snapshots of moto servers that are no longer running."""
    removed = []
    if not paths.rds_dir.is_dir():
        return removed
    for owner_dir in paths.rds_dir.glob(f"{SERVER_DIR_PREFIX}*"):
        try:
            pid = int(owner_dir.name[len(SERVER_DIR_PREFIX):])
        except ValueError:
            continue
        if pid != os.getpid() and _pid_alive(pid) and _is_moto_server(pid):
            continue
        _kill_clusters_under(owner_dir)
        shutil.rmtree(owner_dir, ignore_errors=True)
        removed.append(owner_dir)
    return removed


def _is_moto_server(pid: int) -> bool:
    try:
        return b"tools.stack.moto_server" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


class InstanceServers:
    """The clusters and snapshot data of one moto server process."""

    def __init__(self, paths: StackPaths):
        self.paths = paths
        paths.state_dir.mkdir(parents=True, exist_ok=True)
        # the cluster owner must pass through the state directory to reach its clusters
        paths.state_dir.chmod(paths.state_dir.stat().st_mode | 0o111)
        tls.ensure_ca(paths.ca_cert, paths.ca_key)
        _owned_dir(paths.rds_dir, 0o755)
        self.base = _owned_dir(paths.rds_dir / f"{SERVER_DIR_PREFIX}{os.getpid()}")
        self._lock = threading.Lock()
        self._addresses: set[str] = set()
        self._servers: dict[str, InstanceServer] = {}

    # -- clusters -------------------------------------------------------------------------------------------------

    def _template(self) -> Path:
        """An initialised empty cluster, copied for every new instance (initdb once, ~1 s; a copy is ~50 ms)."""
        template = self.base / "template"
        with self._lock:
            if not (template / "PG_VERSION").exists():
                shutil.rmtree(template, ignore_errors=True)
                _run([str(PG_BIN / "initdb"), "-D", str(template), "-U", ADMIN, "--auth-local=trust",
                      "--auth-host=reject", "--encoding=UTF8", "--locale=C", "--no-sync"], cwd=self.base)
        return template

    def _claim_address(self, port: int) -> str:
        """A loopback address nobody listens on at this port (the instance's endpoint address)."""
        with self._lock:
            for _attempt in range(100):
                address = str(ADDRESSES[random.randrange(1, ADDRESSES.num_addresses - 1)])
                if address in self._addresses:
                    continue
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    try:
                        probe.bind((address, port))
                    except OSError:
                        continue
                self._addresses.add(address)
                return address
        raise InstanceServerError(f"no free loopback address for port {port}")

    def _configure(self, server: InstanceServer, force_ssl: bool) -> None:
        cert, key = server.root / "server.crt", server.root / "server.key"
        if not cert.exists():
            tls.issue_server_certificate(self.paths.ca_cert, self.paths.ca_key, server.address, cert, key)
            for path in (cert, key):
                give_to_cluster_owner(path)
        settings = {
            "listen_addresses": server.address,
            "port": str(server.port),
            "unix_socket_directories": str(server.socket_dir),
            "ssl": "on",
            "ssl_cert_file": str(cert),
            "ssl_key_file": str(key),
            "max_connections": "60",
            "shared_buffers": "32MB",
            # test data only: durability off, as for the stack's own cluster
            "fsync": "off",
            "synchronous_commit": "off",
        }
        auto_conf = server.data / "postgresql.auto.conf"
        auto_conf.write_text("".join(f"{name} = '{value}'\n" for name, value in settings.items()))
        give_to_cluster_owner(auto_conf)
        self._write_hba(server, force_ssl)

    @staticmethod
    def _write_hba(server: InstanceServer, force_ssl: bool) -> None:
        # rds.force_ssl = 1: only TLS connections match a host rule, a plain one finds none and is refused.
        lines = [
            f"local all {ADMIN} trust",
            f"local replication {ADMIN} trust",
            f"host all {ADMIN} 0.0.0.0/0 reject",
            "hostssl all all 0.0.0.0/0 scram-sha-256",
        ]
        if not force_ssl:
            lines.append("hostnossl all all 0.0.0.0/0 scram-sha-256")
        hba = server.data / "pg_hba.conf"
        hba.write_text("\n".join(lines) + "\n")
        give_to_cluster_owner(hba)

    def _start(self, server: InstanceServer) -> None:
        for stale in ("postmaster.pid", "postmaster.opts"):
            (server.data / stale).unlink(missing_ok=True)
        _run([str(PG_BIN / "pg_ctl"), "start", "-D", str(server.data), "-l", str(server.log), "-w",
              "-t", str(START_TIMEOUT_S)], cwd=server.root, log=server.log)

    def create(self, *, port: int, force_ssl: bool, backup: Backup | None = None, master_user: str | None = None,
               master_password: str | None = None, dbname: str | None = None) -> InstanceServer:
        """A running server: a copy of the backup's data, or a new cluster with the master user and database."""
        server_id = uuid.uuid4().hex[:12]
        root = _owned_dir(self.base / server_id)
        server = InstanceServer(server_id, root, self._claim_address(port), int(port))
        _owned_dir(server.socket_dir)
        source = backup.path if backup and backup.path else self._template()
        _run(["cp", "-a", str(source), str(server.data)], cwd=root)
        self._configure(server, force_ssl)
        self._start(server)
        if not (backup and backup.path):
            self._create_master(server, master_user, master_password, dbname)
        self._servers[server_id] = server
        return server

    def _create_master(self, server: InstanceServer, user: str, password: str, dbname: str | None) -> None:
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as connection:
            connection.execute("CREATE ROLE rds_superuser NOLOGIN CREATEDB CREATEROLE")
            connection.execute(sql.SQL("GRANT {} TO rds_superuser").format(
                sql.SQL(", ").join(sql.Identifier(role) for role in _RDS_SUPERUSER_ROLES)))
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB CREATEROLE PASSWORD {} IN ROLE rds_superuser")
                               .format(sql.Identifier(user), sql.Literal(password)))
            if dbname:
                connection.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(dbname), sql.Identifier(user)))

    def set_password(self, server: InstanceServer, user: str, password: str) -> None:
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as connection:
            connection.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(user),
                                                                           sql.Literal(password)))

    def set_force_ssl(self, server: InstanceServer, force_ssl: bool) -> None:
        """rds.force_ssl is a dynamic parameter: it applies without a restart."""
        self._write_hba(server, force_ssl)
        with psycopg.connect(server.admin_conninfo(), autocommit=True) as connection:
            connection.execute("SELECT pg_reload_conf()")

    def destroy(self, server: InstanceServer) -> None:
        _kill_clusters_under(server.root)
        shutil.rmtree(server.root, ignore_errors=True)
        self._servers.pop(server.id, None)
        with self._lock:
            self._addresses.discard(server.address)

    def stop_all(self) -> None:
        _kill_clusters_under(self.base)
        shutil.rmtree(self.base, ignore_errors=True)

    # -- snapshots --------------------------------------------------------------------------------------------------

    def backup(self, server: InstanceServer) -> Backup:
        """A base backup of the server as it is now (consistent: WAL up to its end is included)."""
        target = self.base / "snapshots" / uuid.uuid4().hex[:12]
        _owned_dir(target.parent)
        _run([str(PG_BIN / "pg_basebackup"), "-h", str(server.socket_dir), "-p", str(server.port), "-U", ADMIN,
              "-D", str(target), "-X", "fetch", "-c", "fast", "--no-sync", "-w"], cwd=self.base, log=server.log)
        return Backup(target, server.id, time.time())

    def copy_backup(self, backup: Backup) -> Backup:
        """Another snapshot of the same data: its files are never written, so hard links are a copy."""
        if backup.path is None:
            return Backup(None, backup.server_id, backup.taken_at)
        target = self.base / "snapshots" / uuid.uuid4().hex[:12]
        _run(["cp", "-al", str(backup.path), str(target)], cwd=self.base)
        return Backup(target, backup.server_id, backup.taken_at)

    @staticmethod
    def drop_backup(backup: Backup) -> None:
        if backup.path is not None:
            shutil.rmtree(backup.path, ignore_errors=True)
