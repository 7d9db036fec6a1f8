"""envops.aws.s3_bucket_replication through ansible-playbook against the local stack; boto3 reads back.

Runs in a fresh fake account: KMS key, buckets and role are made with boto3 (fast), then the module runs
in check mode, for real and again, on two source buckets in me-south-1 replicating to one destination
bucket in eu-central-1: one rule with a replica KMS key, one plain rule. Then an unversioned source
(refused before any change) and state=absent.

moto 5.2.5 reports every rule with ``Filter {"Prefix": ""}``, ``DeleteMarkerReplication Disabled`` and
without ``SourceSelectionCriteria``, whatever was put. Real S3 returns what was put. So on that moto the
KMS rule (whose SSE-KMS selection is lost) differs on every run; that test is an expected failure while
the stack shows the deviation, and passes once a moto correction makes GetBucketReplication faithful.
"""

import json

import pytest

from harness import aws_client, run_playbook
from tools.local_inventory import fresh_account_id

SOURCE_REGION = "me-south-1"
DR_REGION = "eu-central-1"
HOST = "localhost"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    envops.aws.s3_bucket_replication:
      endpoint_url: "{{ endpoint_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %(region)s
  tasks:
%(tasks)s
"""

REPLICATE_TASKS = """
    - name: KMS rule
      envops.aws.s3_bucket_replication:
        bucket: "{{ kms_source }}"
        role_arn: "{{ role_arn }}"
        rules:
          - id: dr
            destination_bucket: "{{ destination }}"
            destination_kms_key_id: "{{ replica_key_arn }}"
            storage_class: STANDARD_IA
    - name: Plain rule
      envops.aws.s3_bucket_replication:
        bucket: "{{ plain_source }}"
        role_arn: "{{ role_arn }}"
        rules:
          - id: all
            priority: 1
            destination_bucket: "arn:aws:s3:::{{ destination }}"
"""

FINISH_TASKS = """
    - name: Unversioned source
      envops.aws.s3_bucket_replication:
        bucket: "{{ unversioned_source }}"
        role_arn: "{{ role_arn }}"
        rules: [{id: dr, destination_bucket: "{{ destination }}"}]
      ignore_errors: true
    - name: Remove
      envops.aws.s3_bucket_replication:
        bucket: "{{ plain_source }}"
        state: absent
    - name: Remove again
      envops.aws.s3_bucket_replication:
        bucket: "{{ plain_source }}"
        state: absent
"""

TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(6)


@pytest.fixture(scope="module")
def s3(stack, account):
    return aws_client(stack, "s3", account, SOURCE_REGION)


def _bucket(client, name, region, versioned=True):
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    if versioned:
        client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


@pytest.fixture(scope="module")
def names(stack, account):
    """Buckets, replica key and role of the account, made with boto3; the playbook variables."""
    dr_s3 = aws_client(stack, "s3", account, DR_REGION)
    source_s3 = aws_client(stack, "s3", account, SOURCE_REGION)
    key_arn = aws_client(stack, "kms", account, DR_REGION).create_key(Description="envops DR replicas")["KeyMetadata"]["Arn"]
    role_arn = aws_client(stack, "iam", account, SOURCE_REGION).create_role(
        RoleName="envops-s3-replication", AssumeRolePolicyDocument=json.dumps(TRUST_POLICY)
    )["Role"]["Arn"]
    variables = {
        "endpoint_url": stack["moto_url"],
        "account": account,
        "kms_source": f"envops-kms-{account}",
        "plain_source": f"envops-plain-{account}",
        "unversioned_source": f"envops-unversioned-{account}",
        "destination": f"envops-dr-{account}",
        "replica_key_arn": key_arn,
        "role_arn": role_arn,
    }
    _bucket(dr_s3, variables["destination"], DR_REGION)
    _bucket(source_s3, variables["kms_source"], SOURCE_REGION)
    _bucket(source_s3, variables["plain_source"], SOURCE_REGION)
    _bucket(source_s3, variables["unversioned_source"], SOURCE_REGION, versioned=False)
    return variables


@pytest.fixture(scope="module")
def playbooks(tmp_path_factory):
    directory = tmp_path_factory.mktemp("s3-replication")
    (directory / "hosts.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
        "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"
    )
    for name, tasks in (("replicate.yml", REPLICATE_TASKS), ("finish.yml", FINISH_TASKS)):
        (directory / name).write_text(PLAYBOOK % {"region": SOURCE_REGION, "tasks": tasks})
    return directory


def _run(playbooks, names, playbook, check=False):
    run = run_playbook(str(playbooks / playbook), playbooks / "hosts.yml", check=check, extra_vars=names, timeout=120)
    assert run.report, run.stdout[-3000:] + run.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def check_run(playbooks, names):
    return _run(playbooks, names, "replicate.yml", check=True)


@pytest.fixture(scope="module")
def replication_after_check(s3, names, check_run):
    return {bucket: _replication(s3, names[bucket]) for bucket in ("kms_source", "plain_source")}


@pytest.fixture(scope="module")
def first_run(playbooks, names, replication_after_check):
    return _run(playbooks, names, "replicate.yml")


@pytest.fixture(scope="module")
def replication_after_first_run(s3, names, first_run):
    return {bucket: _replication(s3, names[bucket]) for bucket in ("kms_source", "plain_source")}


@pytest.fixture(scope="module")
def second_run(playbooks, names, replication_after_first_run):
    return _run(playbooks, names, "replicate.yml")


@pytest.fixture(scope="module")
def finish_run(playbooks, names, second_run):
    return _run(playbooks, names, "finish.yml")


def _replication(s3, bucket):
    try:
        return s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
    except s3.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "ReplicationConfigurationNotFoundError"
        return None


def test_check_mode_reports_changes_and_sets_nothing(check_run, replication_after_check):
    assert check_run.rc == 0
    assert check_run.changed_tasks(HOST) == ["KMS rule", "Plain rule"]
    assert replication_after_check == {"kms_source": None, "plain_source": None}


def test_first_run_sets_the_rules(first_run, replication_after_first_run, names):
    assert first_run.rc == 0
    assert first_run.changed_tasks(HOST) == ["KMS rule", "Plain rule"]
    kms = replication_after_first_run["kms_source"]
    assert kms["Role"] == names["role_arn"]
    [rule] = kms["Rules"]
    assert (rule["ID"], rule["Status"], rule["Priority"]) == ("dr", "Enabled", 0)
    assert rule["Destination"]["Bucket"] == f"arn:aws:s3:::{names['destination']}"
    assert rule["Destination"]["EncryptionConfiguration"] == {"ReplicaKmsKeyID": names["replica_key_arn"]}
    assert rule["Destination"]["StorageClass"] == "STANDARD_IA"
    [plain] = replication_after_first_run["plain_source"]["Rules"]
    assert (plain["ID"], plain["Priority"], plain["Destination"]["Bucket"]) == (
        "all",
        1,
        f"arn:aws:s3:::{names['destination']}",
    )


def test_first_run_returns_the_normalised_configuration(first_run, names):
    replication = first_run.facts(HOST, "Plain rule")["replication"]
    assert replication["role_arn"] == names["role_arn"]
    assert replication["rules"][0]["destination_bucket"] == f"arn:aws:s3:::{names['destination']}"
    assert replication["rules"][0]["prefix"] == ""


def test_second_run_of_the_plain_rule_is_unchanged(second_run):
    assert second_run.rc == 0
    assert "Plain rule" not in second_run.changed_tasks(HOST)


def test_second_run_of_the_kms_rule_is_unchanged(second_run, replication_after_first_run):
    [rule] = replication_after_first_run["kms_source"]["Rules"]
    # the stack's s3_replication_rules_as_stored correction makes moto read the rule back as AWS does
    assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    assert "KMS rule" not in second_run.changed_tasks(HOST)


def test_unversioned_source_is_refused_before_any_change(finish_run, s3, names):
    result = finish_run.facts(HOST, "Unversioned source")
    assert result["failed"]
    assert result["msg"] == (
        f"Cannot replicate bucket '{names['unversioned_source']}': source bucket "
        f"'{names['unversioned_source']}' needs versioning enabled (versioning is never enabled)."
    )
    assert _replication(s3, names["unversioned_source"]) is None


def test_absent_removes_the_configuration_once(finish_run, s3, names):
    assert finish_run.changed_tasks(HOST) == ["Remove"]
    assert _replication(s3, names["plain_source"]) is None
    assert _replication(s3, names["kms_source"]) is not None
