"""envops.aws.elasticache_replication_group through ansible-playbook against the local stack; boto3 checks moto.

In a fresh fake account: a VPC, two subnets, a cache subnet group and a KMS key, then a Multi-AZ
group encrypted at rest (our key) and in transit with an AUTH token. Check mode on nothing, the real
run, the no-op re-run, a tag and snapshot retention change, a refused immutable change, deletion.

moto 5.2.5 gaps this test works around:
- DeleteReplicationGroup leaves the group in status 'deleting' for ever, so the replication_group_deleted
  waiter never succeeds: the deletion runs with wait=false.
- Member clusters of a replication group cannot be described, so the subnet group, security groups
  and engine version are not compared (the module warns).
"""

import json
import subprocess

import pytest
from botocore.exceptions import ClientError

from harness import VENV_BIN, PlaybookRun, REPO, aws_client, tool_env
from tools.local_inventory import fresh_account_id

REGION = "me-south-1"
GROUP_ID = "envops-it-sessions"
TOKEN = "It-auth-token-0123456789"
HOST = "localhost"

SETUP = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/amazon.aws.aws: &aws
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %(region)s
    group/community.aws.aws: *aws
  tasks:
    - name: VPC
      amazon.aws.ec2_vpc_net: {name: cache-it, cidr_block: 10.61.0.0/16}
      register: vpc
    - name: Subnets
      amazon.aws.ec2_vpc_subnet: {vpc_id: "{{ vpc.vpc.id }}", cidr: "10.61.{{ item }}.0/24", az: "%(region)s{{ 'ab'[item] }}"}
      loop: [0, 1]
      register: subnets
    - name: Cache subnet group
      community.aws.elasticache_subnet_group:
        name: cache-it
        description: cache subnets
        subnets: "{{ subnets.results | map(attribute='subnet.id') | list }}"
    - name: KMS key
      amazon.aws.kms_key: {alias: cache-it, description: cache at rest}
      register: key
""" % {"region": REGION}

GROUP = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    envops.aws.elasticache_replication_group:
      endpoint_url: "{{ moto_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %(region)s
  tasks:
    - name: Replication group
      envops.aws.elasticache_replication_group:
        replication_group_id: %(group_id)s
        state: "{{ state | default('present') }}"
        description: sessions
        engine_version: "7.1"
        node_type: cache.t4g.small
        replicas_per_node_group: 1
        automatic_failover: true
        multi_az: true
        cache_subnet_group: cache-it
        kms_key_id: alias/cache-it
        auth_token: "%(token)s"
        snapshot_retention_limit: "{{ retention | default(1) }}"
        port: "{{ port | default(6379) }}"
        tags: "{{ tags | default({'env': 'it', 'owner': 'envops'}) }}"
        wait: "{{ state | default('present') == 'present' }}"
        wait_timeout: 60
""" % {"region": REGION, "group_id": GROUP_ID, "token": TOKEN}


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(5)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("elasticache")
    (directory / "setup.yml").write_text(SETUP)
    (directory / "group.yml").write_text(GROUP)
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
    )
    return directory


@pytest.fixture(scope="module")
def play(workdir, stack, account):
    def run(playbook, check=False, diff=False, **extra_vars):
        cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(workdir / "hosts.yml"), str(workdir / playbook),
               "-e", json.dumps(dict(extra_vars, moto_url=stack["moto_url"], account=account))]
        cmd += ["--check"] if check else []
        cmd += ["--diff"] if diff else []
        proc = subprocess.run(cmd, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=120, check=False)
        return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="module")
def elasticache(stack, account):
    return aws_client(stack, "elasticache", account, REGION)


@pytest.fixture(scope="module")
def key(stack, account, network):
    kms = aws_client(stack, "kms", account, REGION)
    return kms.describe_key(KeyId="alias/cache-it")["KeyMetadata"]


@pytest.fixture(scope="module")
def network(play):
    run = play("setup.yml")
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def check_run(play, network):
    return play("group.yml", check=True)


@pytest.fixture(scope="module")
def first_run(play, check_run):
    return play("group.yml")


@pytest.fixture(scope="module")
def second_run(play, first_run):
    return play("group.yml")


@pytest.fixture(scope="module")
def group(elasticache, first_run):
    assert first_run.rc == 0, first_run.stdout[-3000:] + first_run.stderr[-2000:]
    return elasticache.describe_replication_groups(ReplicationGroupId=GROUP_ID)["ReplicationGroups"][0]


def _task_result(run):
    for play in run.report["plays"]:
        for task in play["tasks"]:
            if task["task"]["name"] == "Replication group":
                return task["hosts"][HOST]
    raise KeyError("Replication group")


def tags_of(elasticache, arn):
    return {tag["Key"]: tag["Value"] for tag in elasticache.list_tags_for_resource(ResourceName=arn)["TagList"]}


def test_check_mode_creates_nothing(check_run, elasticache):
    assert check_run.rc == 0, check_run.stdout[-3000:]
    assert _task_result(check_run)["changed"] is True
    with pytest.raises(ClientError) as error:
        elasticache.describe_replication_groups(ReplicationGroupId=GROUP_ID)
    assert error.value.response["Error"]["Code"] == "ReplicationGroupNotFoundFault"


def test_first_run_creates_an_encrypted_multi_az_group(first_run, group, key):
    assert _task_result(first_run)["changed"] is True
    assert group["AtRestEncryptionEnabled"] is True
    # The module resolves the alias to the key ARN before creating the group.
    assert group["KmsKeyId"] == key["Arn"]
    assert group["TransitEncryptionEnabled"] is True
    assert group["AuthTokenEnabled"] is True
    assert group["AutomaticFailover"] == "enabled"
    assert group["MultiAZ"] == "enabled"
    assert len(group["NodeGroups"][0]["NodeGroupMembers"]) == 2
    assert group["NodeGroups"][0]["PrimaryEndpoint"]["Port"] == 6379


def test_tags_are_set(group, elasticache):
    assert tags_of(elasticache, group["ARN"]) == {"env": "it", "owner": "envops"}


def test_result_is_snake_case_with_tags(first_run):
    returned = _task_result(first_run)["replication_group"]
    assert returned["replication_group_id"] == GROUP_ID
    assert returned["multi_az"] == "enabled"
    assert returned["tags"] == {"env": "it", "owner": "envops"}


def test_second_run_is_unchanged(second_run):
    assert second_run.rc == 0, second_run.stdout[-3000:]
    assert _task_result(second_run)["changed"] is False


def test_auth_token_is_never_printed(check_run, first_run, second_run):
    for run in (check_run, first_run, second_run):
        assert TOKEN not in run.stdout + run.stderr


@pytest.fixture(scope="module")
def tag_change(play, second_run):
    changed = play("group.yml", diff=True, retention=7, tags={"env": "it", "cost": "42"})
    again = play("group.yml", retention=7, tags={"env": "it", "cost": "42"})
    return changed, again


def test_tags_and_retention_change_in_place(tag_change, elasticache, group):
    changed, again = tag_change
    assert changed.rc == 0, changed.stdout[-3000:]
    task = _task_result(changed)
    assert task["changed"] is True
    assert (task["diff"]["before"]["snapshot_retention_limit"], task["diff"]["after"]["snapshot_retention_limit"]) == (1, 7)
    assert "auth_token" not in task["diff"]["after"]
    assert _task_result(again)["changed"] is False
    current = elasticache.describe_replication_groups(ReplicationGroupId=GROUP_ID)["ReplicationGroups"][0]
    assert current["SnapshotRetentionLimit"] == 7
    assert tags_of(elasticache, group["ARN"]) == {"env": "it", "cost": "42"}


@pytest.fixture(scope="module")
def immutable_change(play, elasticache, tag_change):
    before = elasticache.describe_replication_groups(ReplicationGroupId=GROUP_ID)["ReplicationGroups"][0]
    run = play("group.yml", port=6380, retention=9, tags={"env": "changed"})
    after = elasticache.describe_replication_groups(ReplicationGroupId=GROUP_ID)["ReplicationGroups"][0]
    return run, before, after


def test_immutable_change_fails_clearly_and_changes_nothing(immutable_change, elasticache):
    run, before, after = immutable_change
    assert run.rc != 0
    task = _task_result(run)
    assert task["failed"] is True
    assert "port (current 6379, wanted 6380)" in task["msg"]
    assert before == after
    assert tags_of(elasticache, after["ARN"]) == {"env": "it", "cost": "42"}


@pytest.fixture(scope="module")
def deletion(play, immutable_change):
    return play("group.yml", check=True, state="absent"), play("group.yml", state="absent"), play("group.yml", state="absent")


def test_absent(deletion, elasticache):
    assert [_task_result(run)["changed"] for run in deletion] == [True, True, False], [
        run.stdout[-1500:] for run in deletion]
    # AWS removes the group once deleted; moto 5.2.5 keeps it in status 'deleting'.
    try:
        groups = elasticache.describe_replication_groups(ReplicationGroupId=GROUP_ID)["ReplicationGroups"]
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ReplicationGroupNotFoundFault"
        groups = []
    assert [group["Status"] for group in groups] in ([], ["deleting"])
