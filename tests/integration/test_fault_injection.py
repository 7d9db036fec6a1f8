"""The local stack's fault injection, for real on a moto server of this module's own, seen through boto3.

Each protocol's throttling and 5xx errors reach botocore as the code the real service returns, a reset is a
connection error, a slow call is served late, a seed replays the same faults, the filters fault only what they name,
the counts add up, bad control input is refused by field, and botocore's standard retries ride out 30 % throttling.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError

from harness import REPO, tool_env
from tools.stack import moto_process
from tools.stack.ports import pick_free_ports
from tools.stack.state import FaultConfigRefused, calls, clear_faults, faults, reset_calls, set_faults

ACCOUNT = "310000000001"
REGION = "eu-west-1"
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})
COLLECTION_RETRIES = Config(retries={"mode": "standard", "max_attempts": 10})  # plugins/module_utils/aws_retry.py

# service -> (a harmless call, the code and HTTP status of the real service's throttling error)
THROTTLING = {
    "ec2": (lambda client: client.describe_vpcs(), "RequestLimitExceeded", 503),
    "rds": (lambda client: client.describe_db_instances(), "Throttling", 400),
    "iam": (lambda client: client.list_roles(), "Throttling", 400),
    "cloudwatch": (lambda client: client.list_metrics(), "Throttling", 400),
    "kms": (lambda client: client.list_keys(), "ThrottlingException", 400),
    "dynamodb": (lambda client: client.list_tables(), "ThrottlingException", 400),
    "ssm": (lambda client: client.describe_parameters(), "ThrottlingException", 400),
    "secretsmanager": (lambda client: client.list_secrets(), "ThrottlingException", 400),
    "logs": (lambda client: client.describe_log_groups(), "ThrottlingException", 400),
    "backup": (lambda client: client.list_backup_vaults(), "ThrottlingException", 429),
    "s3": (lambda client: client.list_buckets(), "SlowDown", 503),
}
SERVER_ERRORS = {
    "ec2": {500: "InternalError", 503: "ServiceUnavailable"},
    "rds": {500: "InternalFailure", 503: "ServiceUnavailable"},
    "kms": {500: "InternalFailure", 503: "ServiceUnavailable"},
    "dynamodb": {500: "InternalServerError", 503: "ServiceUnavailable"},
    "backup": {500: "InternalFailure", 503: "ServiceUnavailable"},
    "s3": {500: "InternalError", 503: "ServiceUnavailable"},
}


@pytest.fixture(autouse=True)
def no_faults_after(private_moto):
    yield
    clear_faults(private_moto)


def client(url, service, config=NO_RETRIES):
    return boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=ACCOUNT,
                        aws_secret_access_key="local-moto-not-a-secret", config=config)


def error_of(call):
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("service", sorted(THROTTLING))
def test_throttling_is_the_error_each_service_returns(private_moto, service):
    call, code, status = THROTTLING[service]
    set_faults(private_moto, 1.0, ["throttle"], seed=1)
    assert error_of(lambda: call(client(private_moto, service))) == (code, status)


@pytest.mark.parametrize("service", sorted(SERVER_ERRORS))
def test_5xx_is_500_or_503_with_the_code_each_service_returns(private_moto, service):
    call = THROTTLING[service][0]
    set_faults(private_moto, 1.0, ["5xx"], seed=3)
    seen = {}
    for _attempt in range(12):
        code, status = error_of(lambda: call(client(private_moto, service)))
        seen[status] = code
    assert seen == SERVER_ERRORS[service]  # both statuses drawn in 12 calls with this seed


def test_a_faulted_call_is_not_processed_but_billed(private_moto):
    kms = client(private_moto, "kms")
    before = len(kms.list_keys()["Keys"])
    set_faults(private_moto, 1.0, ["throttle", "5xx"], seed=5, operations=["kms:CreateKey"])
    reset_calls(private_moto)
    for _attempt in range(3):
        with pytest.raises(ClientError):
            kms.create_key(Description="never created")
    assert len(kms.list_keys()["Keys"]) == before
    assert calls(private_moto)["by_action"] == {"kms:CreateKey": 3, "kms:ListKeys": 1}


@pytest.mark.parametrize("service", ["kms", "ec2", "s3"])
def test_a_reset_is_a_connection_error_without_an_answer(private_moto, service):
    set_faults(private_moto, 1.0, ["reset"], seed=1)
    started = time.monotonic()
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        THROTTLING[service][0](client(private_moto, service))
    assert time.monotonic() - started < 5  # reset at once, not a read timeout
    assert faults(private_moto)["injected"]["by_kind"] == {"reset": 1}


def test_a_slow_call_is_served_after_the_delay(private_moto):
    kms = client(private_moto, "kms")
    set_faults(private_moto, 1.0, ["slow"], seed=1, delay=1.5)
    started = time.monotonic()
    assert "Keys" in kms.list_keys()
    assert time.monotonic() - started >= 1.5
    assert faults(private_moto)["injected"]["by_kind"] == {"slow": 1}


def _outcomes(url, seed, count=30):
    kms = client(url, "kms")
    set_faults(url, 0.5, ["throttle", "5xx"], seed=seed)
    outcomes = []
    for _attempt in range(count):
        try:
            kms.list_keys()
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    return outcomes


def test_a_seed_gives_the_same_faults_twice(private_moto):
    first = _outcomes(private_moto, seed=7)
    assert first == _outcomes(private_moto, seed=7)
    assert {"ok", "ThrottlingException"} <= set(first) and len(set(first)) >= 3
    assert first != _outcomes(private_moto, seed=8)


def test_the_service_filter_faults_only_that_service(private_moto):
    set_faults(private_moto, 1.0, ["throttle"], seed=1, services=["kms"])
    assert error_of(lambda: client(private_moto, "kms").list_keys()) == ("ThrottlingException", 400)
    assert "Vpcs" in client(private_moto, "ec2").describe_vpcs()
    assert "Buckets" in client(private_moto, "s3").list_buckets()
    assert faults(private_moto)["injected"]["by_action"] == {"kms:ListKeys": 1}


def test_the_operation_filter_faults_only_that_operation(private_moto):
    kms = client(private_moto, "kms")
    set_faults(private_moto, 1.0, ["throttle"], seed=1, operations=["kms:ListAliases"])
    assert error_of(kms.list_aliases) == ("ThrottlingException", 400)
    assert "Keys" in kms.list_keys()
    assert faults(private_moto)["injected"]["by_action"] == {"kms:ListAliases": 1}


def test_counts_add_up_restart_on_put_and_stay_after_delete(private_moto):
    kms, ec2 = client(private_moto, "kms"), client(private_moto, "ec2")
    set_faults(private_moto, 0.5, ["throttle", "5xx"], seed=21)
    reset_calls(private_moto)
    failed = {}
    for call, label in [(kms.list_keys, "kms:ListKeys"), (ec2.describe_vpcs, "ec2:DescribeVpcs")] * 10:
        try:
            call()
        except ClientError:
            failed[label] = failed.get(label, 0) + 1
    report = faults(private_moto)
    assert report["config"] == {"rate": 0.5, "kinds": ["throttle", "5xx"], "seed": 21, "services": None,
                                "operations": None, "delay": 2.0}
    injected = report["injected"]
    assert injected["by_action"] == failed and injected["total"] == sum(failed.values()) > 0
    assert sum(injected["by_kind"].values()) == injected["total"]
    assert calls(private_moto)["total"] == 20  # the call counter counts faulted calls too
    cleared = clear_faults(private_moto)
    assert cleared["config"] is None and cleared["injected"] == injected
    assert faults(private_moto)["injected"] == injected  # readable after the injection is off
    assert "Keys" in kms.list_keys()
    restarted = set_faults(private_moto, 0.5, ["throttle"], seed=21)
    assert restarted["injected"] == {"total": 0, "by_kind": {}, "by_action": {}}


def _raw(url, method, body=None):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + "/_envops/faults", data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.load(error)


@pytest.mark.parametrize("body,field", [
    ({"rate": 1.5, "kinds": ["throttle"]}, "rate:"),
    ({"rate": 0.1, "kinds": ["flood"]}, "kinds:"),
    ({"rate": 0.1, "kinds": []}, "kinds:"),
    ({"rate": 0.1, "kinds": ["throttle"], "seed": "seven"}, "seed:"),
    ({"rate": 0.1, "kinds": ["throttle"], "services": ["KMS!"]}, "services:"),
    ({"rate": 0.1, "kinds": ["throttle"], "operations": ["ListKeys"]}, "operations:"),
    ({"rate": 0.1, "kinds": ["slow"], "delay": 3600}, "delay:"),
    ({"rate": 0.1, "kinds": ["throttle"], "colour": "red"}, "colour:"),
    ({"kinds": ["throttle"]}, "rate:"),
    (b"rate=0.1", "body:"),
    (b"", "body:"),
])
def test_bad_control_input_is_refused_naming_the_field(private_moto, body, field):
    set_faults(private_moto, 1.0, ["throttle"], seed=1, services=["kms"])
    status, answer = _raw(private_moto, "PUT", body)
    assert status == 400 and answer["error"].startswith(field), answer
    assert faults(private_moto)["config"]["services"] == ["kms"]  # the configuration in force is kept


def test_control_endpoints(private_moto):
    with pytest.raises(FaultConfigRefused, match="^rate: must be from 0 to 1"):
        set_faults(private_moto, 2, ["throttle"])
    assert _raw(private_moto, "POST", b"{}")[0] == 405
    with pytest.raises(urllib.error.HTTPError) as unknown:
        with urllib.request.urlopen(private_moto + "/_envops/nothing", timeout=5):
            pass
    assert unknown.value.code == 404  # the call counter still answers the rest of /_envops/
    set_faults(private_moto, 1.0, ["throttle", "5xx", "reset"], seed=1)
    # the stack's own endpoints and moto's are never faulted
    assert "by_action" in calls(private_moto)
    with urllib.request.urlopen(private_moto + "/moto-api/config", timeout=5) as moto_api:
        assert 200 <= moto_api.status < 300
    assert faults(private_moto)["injected"]["total"] == 0


def test_the_collections_retry_configuration_rides_out_30_percent_throttling(private_moto):
    clients = [client(private_moto, service, COLLECTION_RETRIES) for service in ("kms", "ec2", "s3", "dynamodb")]
    set_faults(private_moto, 0.3, ["throttle"], seed=15)
    for index in range(50):
        THROTTLING[clients[index % 4].meta.service_model.service_name][0](clients[index % 4])
    assert faults(private_moto)["injected"]["total"] >= 10  # 30 % of 50 calls and their retries


def test_a_server_started_with_the_environment_variable_injects_from_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("ENVOPS_STACK_FAULTS", "rate=1,kinds=throttle,seed=4,services=kms")
    (port,) = pick_free_ports([None])
    url = "http://127.0.0.1:%d" % port
    server = moto_process.spawn(port, tmp_path / "moto.log")
    try:
        moto_process.wait_until_answering(server, url, tmp_path / "moto.log")
        assert faults(url)["config"] == {"rate": 1.0, "kinds": ["throttle"], "seed": 4, "services": ["kms"],
                                         "operations": None, "delay": 2.0}
        assert error_of(lambda: client(url, "kms").list_keys()) == ("ThrottlingException", 400)
    finally:
        moto_process.terminate(server.pid)


def test_a_bad_environment_variable_stops_the_server_naming_the_field(monkeypatch, tmp_path):
    monkeypatch.setenv("ENVOPS_STACK_FAULTS", "rate=1,kinds=flood")
    (port,) = pick_free_ports([None])
    server = moto_process.spawn(port, tmp_path / "moto.log")
    assert server.wait(timeout=60) == 2
    assert "ENVOPS_STACK_FAULTS: kinds: 'flood' is not one of" in (tmp_path / "moto.log").read_text()


def run_stack(scratch, *args):
    return subprocess.run([sys.executable, "-m", "tools.stack", *args], cwd=REPO,
                          env={**tool_env(), "ENVOPS_SCRATCH": str(scratch)}, capture_output=True, text=True,
                          timeout=180, check=False)


def test_the_command_line_sets_faults_at_start_and_while_running():
    # An isolated stack of its own, under the repo's .scratch (the postgres user can traverse it).
    (REPO / ".scratch").mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="test-faults-stack-", dir=REPO / ".scratch"))
    try:
        refused = run_stack(scratch, "start", "--faults", "rate=0.5,kinds=throttle,delay=100")
        assert refused.returncode == 2 and "delay: must be from 0 to 60" in refused.stderr
        assert not (scratch / "stack" / "moto.url").exists()  # refused before anything started
        started = run_stack(scratch, "start", "--faults", "rate=0.1,kinds=throttle+5xx,seed=7,services=kms+s3")
        assert started.returncode == 0, started.stdout + started.stderr
        assert "faults       rate=0.1,kinds=throttle+5xx,seed=7,services=kms+s3,delay=2" in started.stdout
        url = (scratch / "stack" / "moto.url").read_text().strip()
        again = run_stack(scratch, "start", "--faults", "rate=1,kinds=throttle,seed=3,operations=kms:ListKeys")
        assert again.returncode == 0 and faults(url)["config"]["operations"] == ["kms:ListKeys"]
        with pytest.raises(ClientError):
            client(url, "kms").list_keys()
        shown = run_stack(scratch, "faults")
        assert shown.returncode == 0
        assert shown.stdout.splitlines()[1:] == ["injected     1  (throttle=1)", "by action    kms:ListKeys=1"]
        changed = run_stack(scratch, "faults", "--set", "rate=0.2,kinds=reset")
        assert changed.returncode == 0 and faults(url)["config"]["kinds"] == ["reset"]
        bad = run_stack(scratch, "faults", "--set", "rate=0.2,kinds=reset,services=KMS")
        assert bad.returncode == 2 and "services: 'KMS' is not a signing name" in bad.stderr
        cleared = json.loads(run_stack(scratch, "faults", "--clear", "--json").stdout)
        assert cleared["config"] is None and faults(url)["config"] is None
        assert "faults       off" in run_stack(scratch, "status").stdout
    finally:
        run_stack(scratch, "stop")
        shutil.rmtree(scratch, ignore_errors=True)
