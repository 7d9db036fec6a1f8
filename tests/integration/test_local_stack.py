"""The local stack launcher, run for real as a second, isolated stack (its own ENVOPS_SCRATCH).

The tests run in file order: the stack starts once for the module and the last tests stop it.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import boto3
import psycopg
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))  # tools/ is a source tree, not an installed package

from tools.stack.state import StackNotRunningError, calls, pg_dsn, read_state, reset_calls  # noqa: E402

REGION = "eu-central-1"


def run_stack(scratch: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.stack", *args],
        cwd=REPO_ROOT,
        env={**os.environ, "ENVOPS_SCRATCH": str(scratch)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def scratch():
    # Under the repo's .scratch: the postgres user can traverse it, unlike pytest's 0700 tmp dirs.
    (REPO_ROOT / ".scratch").mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="test-stack-", dir=REPO_ROOT / ".scratch"))
    started = run_stack(root, "start")
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield root
    finally:
        run_stack(root, "stop")
        shutil.rmtree(root)


@pytest.fixture(scope="module")
def state(scratch):
    return read_state(scratch)


def client(service, url, access_key="100000000004"):
    return boto3.client(
        service,
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id=access_key,
        aws_secret_access_key="local",
    )


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_start_writes_the_state_with_free_chosen_ports(scratch, state):
    stack_dir = scratch / "stack"
    moto_port = int((stack_dir / "moto.port").read_text())
    pg_port = int((stack_dir / "pg.port").read_text())

    assert (
        state["moto_url"] == (stack_dir / "moto.url").read_text().strip() == f"http://127.0.0.1:{moto_port}"
    )
    assert state["moto_pid"] == int((stack_dir / "moto.pid").read_text())
    assert state["pg_port"] == pg_port and moto_port != pg_port
    assert listening(moto_port) and listening(pg_port)
    assert state["pg_host"] == "127.0.0.1" and state["pg_user"] == "postgres"
    assert state["moto_version"] == "5.2.5"
    assert "nat_gateway_tag_resource_type" in state["corrections"]
    assert Path(state["pg_socket_dir"]).is_dir()
    assert (Path(state["pg_password_file"]).stat().st_mode & 0o777) == 0o600


def test_start_again_keeps_the_running_stack(scratch, state):
    again = run_stack(scratch, "start")

    assert again.returncode == 0, again.stderr
    assert state["moto_url"] in again.stdout
    assert read_state(scratch) == state


def test_status_is_0_while_running(scratch, state):
    status = run_stack(scratch, "status")

    assert status.returncode == 0
    assert state["moto_url"] in status.stdout and f"127.0.0.1:{state['pg_port']}" in status.stdout


def test_env_prints_shell_exports(scratch, state):
    exports = run_stack(scratch, "env").stdout.splitlines()

    assert f"export AWS_ENDPOINT_URL={state['moto_url']}" in exports
    assert f"export ENVOPS_ENDPOINT_URL={state['moto_url']}" in exports
    assert f"export PGPORT={state['pg_port']}" in exports
    assert f"export PGPASSFILE={scratch / 'stack' / 'pgpass'}" in exports


def test_call_counter_counts_a_boto3_call_and_resets(state):
    url = state["moto_url"]
    reset_calls(url)

    client("ec2", url).describe_vpcs()
    client("ec2", url).describe_vpcs()

    assert calls(url) == {"total": 2, "by_action": {"ec2:DescribeVpcs": 2}}
    assert reset_calls(url)["total"] == 2
    assert calls(url) == {"total": 0, "by_action": {}}


def test_twelve_digit_access_key_selects_that_account(state):
    url = state["moto_url"]
    client("ec2", url, access_key="100000000004").create_vpc(CidrBlock="10.44.0.0/16")

    def cidrs(account):
        return {vpc["CidrBlock"] for vpc in client("ec2", url, access_key=account).describe_vpcs()["Vpcs"]}

    assert client("sts", url, access_key="100000000004").get_caller_identity()["Account"] == "100000000004"
    assert "10.44.0.0/16" in cidrs("100000000004")
    assert "10.44.0.0/16" not in cidrs("100000000005")


def test_postgresql_15_accepts_the_password_login(scratch):
    with psycopg.connect(pg_dsn(root=scratch)) as connection:
        version = connection.execute("select version()").fetchone()[0]
        server_version = connection.info.server_version

    assert version.startswith("PostgreSQL 15.") and server_version // 10000 == 15


def test_postgresql_refuses_a_wrong_password(state):
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host="127.0.0.1", port=state["pg_port"], user="postgres", password="wrong", dbname="postgres"
        )


def test_start_replaces_a_killed_moto_server_on_the_same_port(scratch, state):
    os.kill(state["moto_pid"], 9)

    restarted = run_stack(scratch, "start")

    assert restarted.returncode == 0, restarted.stderr
    new_state = read_state(scratch)
    assert new_state["moto_pid"] != state["moto_pid"]
    assert new_state["moto_url"] == state["moto_url"]
    assert new_state["pg_port"] == state["pg_port"]


def test_stop_stops_both_and_keeps_logs_and_data(scratch, state):
    stopped = run_stack(scratch, "stop")

    assert stopped.returncode == 0, stopped.stderr
    assert run_stack(scratch, "status").returncode == 3
    assert not listening(state["pg_port"])
    assert not listening(int(state["moto_url"].rsplit(":", 1)[1]))
    assert (scratch / "stack" / "moto.log").exists() and (
        scratch / "stack" / "pg" / "data" / "PG_VERSION"
    ).exists()
    with pytest.raises(StackNotRunningError, match="run `make stack-up`"):
        read_state(scratch)


def test_stop_twice_is_fine(scratch):
    assert run_stack(scratch, "stop").returncode == 0
    assert run_stack(scratch, "env").returncode == 3
