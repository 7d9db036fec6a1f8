"""Run the collection's real playbooks against the local stack and read back their results.

Each test environment lives in a fresh fake AWS account (moto keeps accounts apart), built as a
throwaway inventory that links the real environment definition and overrides only the account.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import boto3

from tools.stack import moto_process
from tools.stack.ports import pick_free_ports


REPO = Path(__file__).resolve().parents[2]
SCRATCH = REPO / ".scratch"
VENV_BIN = Path(sys.executable).parent


def tool_env(**extra):
    env = dict(os.environ)
    env.update(
        HOME=str(SCRATCH / "home"),
        ANSIBLE_HOME=str(SCRATCH / "ansible-home"),
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_NOCOLOR="1",
        PATH="%s:%s" % (VENV_BIN, env.get("PATH", "")),
    )
    env.update(extra)
    return env


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str

    @property
    def report(self):
        start = self.stdout.find("{")
        return json.loads(self.stdout[start:]) if start >= 0 else {}

    def stats(self, host):
        return self.report.get("stats", {}).get(host, {})

    def changed_tasks(self, host):
        """Names of the tasks that reported changed for host (with the loop items that changed)."""
        names = []
        for play in self.report.get("plays", []):
            for task in play["tasks"]:
                result = task["hosts"].get(host, {})
                if result.get("changed"):
                    names.append(task["task"]["name"].split(" : ")[-1])  # drop the role prefix
        return names

    def warnings(self, host):
        """The warnings of host's tasks (with those of their loop items), once each, prefixed by the task's name."""
        found = []
        for play in self.report.get("plays", []):
            for task in play["tasks"]:
                result = task["hosts"].get(host, {})
                for source in [result] + list(result.get("results") or []):
                    for warning in source.get("warnings") or []:
                        line = "%s: %s" % (task["task"]["name"].split(" : ")[-1], warning)
                        if line not in found:
                            found.append(line)
        return found

    def failure_messages(self, host):
        """Messages of the failed tasks of host, with the messages of the failed loop items."""
        messages = []
        for play in self.report.get("plays", []):
            for task in play["tasks"]:
                result = task["hosts"].get(host, {})
                if result.get("failed"):
                    messages.append(result.get("msg", ""))
                    messages.extend(item.get("msg", "") for item in result.get("results", []) if item.get("failed"))
        return messages

    def facts(self, host, task_name):
        for play in self.report.get("plays", []):
            for task in play["tasks"]:
                if task["task"]["name"] == task_name and host in task["hosts"]:
                    return task["hosts"][host]
        raise KeyError(task_name)


def run_playbook(playbook, inventory, limit=None, check=False, diff=False, extra_vars=None, tags=None, timeout=900,
                 cwd=REPO):
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(REPO / "playbooks" / playbook)]
    if limit:
        cmd += ["--limit", limit]
    if tags:
        cmd += ["--tags", tags]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    proc = subprocess.run(cmd, cwd=cwd, env=tool_env(), capture_output=True, text=True, timeout=timeout,
                          check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)


def aws_client(stack, service, account, region):
    """A boto3 client for one fake account of the local moto server."""
    return boto3.client(service, endpoint_url=stack["moto_url"], region_name=region,
                        aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret")


def calls_besides_the_audit(counts):
    """The AWS calls of moto's counter (tools.stack.state.calls) other than CloudWatch Logs: a refused run may write
    its audit record and nothing else."""
    return dict((action, count) for action, count in counts["by_action"].items() if not action.startswith("logs:"))


def audit_records(url, account, region, environment, stream):
    """The records of the environment's audit log group's stream, oldest first (JSON decoded); [] when none."""
    logs = boto3.client("logs", endpoint_url=url, region_name=region, aws_access_key_id=account,
                        aws_secret_access_key="local-moto-not-a-secret")
    try:
        events = logs.get_log_events(logGroupName="/envops/%s/audit" % environment, logStreamName=stream,
                                     startFromHead=True)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [json.loads(event["message"]) for event in events]


@contextlib.contextmanager
def moto_server_of_its_own():
    """A moto server (same app as the stack's: corrections, account routing, call counter, fault injection) for the
    time of the block: its URL."""
    log_dir = Path(tempfile.mkdtemp(prefix="moto-private-"))
    (port,) = pick_free_ports([None])
    url = "http://127.0.0.1:%d" % port
    server = moto_process.spawn(port, log_dir / "moto.log")
    try:
        moto_process.wait_until_answering(server, url, log_dir / "moto.log")
        yield url
    finally:
        moto_process.terminate(server.pid)
        shutil.rmtree(log_dir)


def localhost_playbook(directory, name, text):
    """``directory`` holding the playbook ``name`` (``text``) and an inventory of localhost alone (hosts.yml), for
    running one module the way a role would: ``ansible-playbook -i <directory>/hosts.yml <directory>/<name>``."""
    (directory / name).write_text(text)
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n")
    return directory
