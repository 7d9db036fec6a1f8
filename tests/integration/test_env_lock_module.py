"""envops.aws.env_lock through ansible-playbook against a moto server of this module's own; boto3 reads the table.

Two runs that lock one environment at the same time (and race to create the table): exactly one holds it, the other
waits wait_timeout and fails naming the holder; when the holder releases, a waiting run gets the lock; a run that
does not hold the lock cannot release it; check mode only reads; bad input is refused before any AWS call. A holder
killed with SIGKILL (a Python process that took the lock through module_utils) never releases: its lock is taken
over once its 30 s lease (the shortest allowed) has ended, and the result says whose it was. The killed holder is
started first, so that its lease runs out while the other tests run.
"""

import json
import os
import signal
import subprocess
import sys
import time

import boto3
import pytest

from harness import PlaybookRun, REPO, VENV_BIN, localhost_playbook, tool_env
from tools.collection_path import COLLECTIONS_ROOT
from tools.local_inventory import fresh_account_id
from tools.stack.state import calls
from tools.stack.state import reset_calls

REGION = "me-south-1"
HOST = "localhost"
TASK = "Lock"
TABLE = "envops-locks"
SECRET = "local-moto-not-a-secret"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/envops.aws.aws:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ account }}"
      secret_key: %s
      region: %s
  tasks:
    - name: %s
      envops.aws.env_lock:
        environment: "{{ environment_name }}"
        owner: "{{ owner }}"
        procedure: "{{ procedure | default(omit) }}"
        state: "{{ state | default('present') }}"
        lease_seconds: "{{ lease | default(omit) }}"
        wait_timeout: "{{ wait | default(0) }}"
        poll_interval: 1
""" % (SECRET, REGION, TASK)

# Takes the lock of it-killed for 30 s through module_utils, says so, then sleeps until it is killed.
HOLDER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import boto3
from ansible_collections.envops.aws.plugins.module_utils import env_lock
client = boto3.client("dynamodb", endpoint_url=sys.argv[2], region_name=sys.argv[3], aws_access_key_id=sys.argv[4],
                      aws_secret_access_key=sys.argv[5])
request = env_lock.LockRequest(table="envops-locks", environment="it-killed", owner="holder-killed",
                               procedure="dr_drill", lease_seconds=30, wait_timeout=0)
print(json.dumps(env_lock.acquire(client, request)), flush=True)
time.sleep(600)
"""


@pytest.fixture(scope="module")
def accounts():
    """The races in one fresh account, the killed holder in another."""
    return {"race": fresh_account_id(3), "killed": fresh_account_id(3)}


@pytest.fixture(scope="module")
def playbook(tmp_path_factory):
    return localhost_playbook(tmp_path_factory.mktemp("env_lock"), "lock.yml", PLAYBOOK)


def dynamodb(moto_url, account):
    return boto3.client("dynamodb", endpoint_url=moto_url, region_name=REGION, aws_access_key_id=account,
                        aws_secret_access_key=SECRET)


def item(moto_url, account, environment):
    return dynamodb(moto_url, account).get_item(TableName=TABLE, Key={"environment": {"S": environment}},
                                                ConsistentRead=True).get("Item")


@pytest.fixture(scope="module", autouse=True)
def killed_holder(private_moto, accounts):
    """The lock of it-killed, taken by a process killed with SIGKILL right after: (its lock, when it was killed)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(COLLECTIONS_ROOT), private_moto, REGION, accounts["killed"], SECRET],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = holder.stdout.readline()
        assert line, holder.stderr.read()
        outcome = json.loads(line)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
    assert holder.returncode == -signal.SIGKILL
    return outcome["lock"], time.time()


class Runs:
    def __init__(self, playbook, moto_url, accounts):
        self.playbook, self.moto_url, self.accounts = playbook, moto_url, accounts

    def start(self, check=False, account="race", **extra_vars):
        variables = dict(extra_vars, moto_url=self.moto_url, account=self.accounts[account])
        variables.setdefault("environment_name", "it-race")
        cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(self.playbook / "hosts.yml"),
               str(self.playbook / "lock.yml"), "-e", json.dumps(variables)]
        cmd += ["--check"] if check else []
        return subprocess.Popen(cmd, cwd=REPO, env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    @staticmethod
    def finish(process, timeout=120):
        stdout, stderr = process.communicate(timeout=timeout)
        run = PlaybookRun(process.returncode, stdout, stderr)
        assert run.report, stdout[-3000:] + stderr[-3000:]
        return run.facts(HOST, TASK)

    def run(self, **kwargs):
        return self.finish(self.start(**kwargs))


@pytest.fixture(scope="module")
def runs(playbook, private_moto, accounts):
    return Runs(playbook, private_moto, accounts)


@pytest.fixture(scope="module")
def race(runs):
    """Two runs lock it-race at the same time, each waiting 2 s: the results and owners of the winner and loser."""
    procedures = {"run-a": "provision", "run-b": "dr_drill"}
    started = dict((owner, runs.start(owner=owner, procedure=procedure, wait=2))
                   for owner, procedure in procedures.items())
    results = dict((owner, runs.finish(process)) for owner, process in started.items())
    winners = [owner for owner, result in results.items() if not result.get("failed")]
    assert len(winners) == 1, results
    loser = ({"run-a", "run-b"} - set(winners)).pop()
    return {"winner": results[winners[0]], "loser": results[loser], "winner_owner": winners[0], "loser_owner": loser,
            "loser_procedure": procedures[loser]}


def test_two_runs_at_once_one_holds_the_other_waits_and_names_it(race, private_moto, accounts):
    winner, loser = race["winner"], race["loser"]
    assert winner["lock"]["owner"] == race["winner_owner"]
    assert winner["changed"] and winner["lock_action"] == "acquire" and winner["took_over"] is None
    holder = winner["lock"]
    assert loser["waited_seconds"] >= 2
    assert loser["msg"] == "environment it-race is locked by %s (%s) since %s, lease until %s (waited 2 s, " \
                           "wait_timeout 2 s)" % (holder["owner"], holder["procedure"], holder["started_at"],
                                                  holder["lease_ends_at"])
    assert loser["lock"] == holder
    stored = item(private_moto, accounts["race"], "it-race")
    assert (stored["owner"]["S"], stored["procedure"]["S"], int(stored["expires_at"]["N"])) == (
        holder["owner"], holder["procedure"], holder["expires_at"])
    table = dynamodb(private_moto, accounts["race"]).describe_table(TableName=TABLE)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["KeySchema"] == [{"AttributeName": "environment", "KeyType": "HASH"}]


def test_the_holder_releases_and_the_waiting_run_gets_the_lock(race, runs, private_moto, accounts):
    reads_before = calls(private_moto)["by_action"].get("dynamodb:GetItem", 0)
    waiting = runs.start(owner=race["loser_owner"], procedure=race["loser_procedure"], wait=60)
    deadline = time.time() + 60
    while calls(private_moto)["by_action"].get("dynamodb:GetItem", 0) < reads_before + 2:  # it polls: it waits
        assert time.time() < deadline and waiting.poll() is None, "the second run should be waiting for the lock"
        time.sleep(0.2)
    released = runs.run(owner=race["winner_owner"], state="absent")
    assert released["changed"] and released["lock_action"] == "release" and released["lock"] is None
    acquired = runs.finish(waiting)
    assert acquired["changed"] and acquired["lock_action"] == "acquire" and acquired["took_over"] is None
    assert acquired["waited_seconds"] > 0
    assert acquired["lock"]["owner"] == race["loser_owner"]
    assert item(private_moto, accounts["race"], "it-race")["owner"]["S"] == acquired["lock"]["owner"]


def test_release_by_a_run_that_does_not_hold_the_lock_is_refused(race, runs, private_moto, accounts):
    holder = race["loser_owner"]
    refused = runs.run(owner=race["winner_owner"], state="absent")
    assert refused["failed"] and refused["msg"].startswith(
        "environment it-race is locked by %s (%s)" % (holder, race["loser_procedure"]))
    assert refused["msg"].endswith(": not released by %s" % race["winner_owner"])
    assert item(private_moto, accounts["race"], "it-race")["owner"]["S"] == holder


def test_check_mode_only_reads_and_says_what_it_would_do(race, runs, private_moto, accounts):
    holder = race["loser_owner"]
    before = item(private_moto, accounts["race"], "it-race")
    waiting = runs.run(check=True, owner="run-c", procedure="backup", wait=600)
    assert waiting["changed"] and waiting["lock_action"] == "wait"
    assert waiting["msg"].startswith("would wait up to 600 s for the lock: environment it-race is locked by " + holder)
    release = runs.run(check=True, owner=holder, state="absent")
    assert release["changed"] and release["msg"] == "would release the lock of environment it-race"
    assert item(private_moto, accounts["race"], "it-race") == before


def test_bad_input_is_refused_before_any_aws_call(runs, private_moto):
    reset_calls(private_moto)
    refused = runs.run(owner="run a", procedure="dr drill", lease=10, environment_name="Prod_1")
    assert refused["failed"]
    for problem in ("environment 'Prod_1' must match", "owner 'run a' must match", "procedure 'dr drill' must match",
                    "lease_seconds 10 must be 30 to 86400."):
        assert problem in refused["msg"]
    assert calls(private_moto)["total"] == 0


def test_the_lock_of_a_killed_holder_is_taken_over_after_its_lease(killed_holder, runs, private_moto, accounts):
    lock, killed_at = killed_holder
    assert lock["owner"] == "holder-killed" and lock["expires_at"] - killed_at <= 30
    assert item(private_moto, accounts["killed"], "it-killed")["owner"]["S"] == "holder-killed", "killed: no release"
    taken = runs.run(account="killed", environment_name="it-killed", owner="run-d", procedure="restore", wait=45)
    assert time.time() > lock["expires_at"]
    assert taken["changed"] and taken["lock_action"] == "take_over"
    assert taken["msg"] == "took over the lock of holder-killed (dr_drill), whose lease expired at %s" % (
        lock["lease_ends_at"])
    assert taken["warnings"] == [taken["msg"]]
    assert taken["took_over"]["owner"] == "holder-killed" and taken["took_over"]["expires_at"] == lock["expires_at"]
    stored = item(private_moto, accounts["killed"], "it-killed")
    assert stored["owner"]["S"] == "run-d"
    assert stored["took_over_from"]["M"]["owner"]["S"] == "holder-killed"
