"""Where the local stack keeps its state, logs and PostgreSQL cluster."""

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def scratch_root() -> Path:
    """``$ENVOPS_SCRATCH`` lets tests run an isolated second stack next to the main one."""
    return Path(os.environ.get("ENVOPS_SCRATCH") or REPO_ROOT / ".scratch").resolve()


@dataclass(frozen=True)
class StackPaths:
    scratch: Path

    @classmethod
    def resolve(cls, scratch: Path | str | None = None) -> "StackPaths":
        return cls(Path(scratch).resolve() if scratch else scratch_root())

    @property
    def state_dir(self) -> Path:
        return self.scratch / "stack"

    @property
    def state_json(self) -> Path:
        return self.state_dir / "stack.json"

    @property
    def moto_pid(self) -> Path:
        return self.state_dir / "moto.pid"

    @property
    def moto_port(self) -> Path:
        return self.state_dir / "moto.port"

    @property
    def moto_url(self) -> Path:
        return self.state_dir / "moto.url"

    @property
    def moto_log(self) -> Path:
        return self.state_dir / "moto.log"

    @property
    def pg_port(self) -> Path:
        return self.state_dir / "pg.port"

    @property
    def pg_password(self) -> Path:
        return self.state_dir / "pg.password"

    @property
    def pgpass(self) -> Path:
        """A libpq password file (PGPASSFILE format) for the running cluster's port."""
        return self.state_dir / "pgpass"

    @property
    def pg_dir(self) -> Path:
        return self.state_dir / "pg"

    @property
    def pg_data(self) -> Path:
        return self.pg_dir / "data"

    @property
    def pg_socket(self) -> Path:
        return self.pg_dir / "socket"

    @property
    def pg_log(self) -> Path:
        return self.pg_dir / "postgresql.log"

    @property
    def ca_cert(self) -> Path:
        """The CA that signs every database instance's certificate: what clients verify against."""
        return self.state_dir / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.state_dir / "ca.key"

    @property
    def rds_dir(self) -> Path:
        """The PostgreSQL servers and snapshots behind the RDS instances of moto servers (one folder per server)."""
        return self.state_dir / "rds"

    def run_files(self) -> list[Path]:
        """Files that describe a running stack; `stop` removes them, logs and data stay."""
        return [self.state_json, self.moto_pid, self.moto_port, self.moto_url, self.pg_port, self.pgpass]
