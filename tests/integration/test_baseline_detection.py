"""Role baseline's detection part (GuardDuty, Security Hub, AWS Config) for dev, run through a real playbook on a moto
server of this module's own, every item read back with boto3 in dev's account.

One fresh account: check mode on nothing (changes nothing), the real run, the re-run (changed=0); then a second
GuardDuty detector made out of band, which the next run refuses naming both detectors.
"""

import json
import subprocess

import boto3
import pytest

from harness import PlaybookRun, REPO, VENV_BIN, tool_env
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

ENV = "dev"
SPEC = load_spec(ENV)
REGION = SPEC["region"]
SECRET = "local-moto-not-a-secret"
STANDARDS = [
    "arn:aws:securityhub:%s::standards/aws-foundational-security-best-practices/v/1.0.0" % REGION,
    "arn:aws:securityhub:%s::standards/cis-aws-foundations-benchmark/v/1.4.0" % REGION,
]
RULES = {
    "envops-encrypted-volumes": "ENCRYPTED_VOLUMES",
    "envops-rds-storage-encrypted": "RDS_STORAGE_ENCRYPTED",
    "envops-s3-sse-enabled": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    "envops-rds-not-public": "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    "envops-dynamodb-pitr-enabled": "DYNAMODB_PITR_ENABLED",
}

# The task files under test with the role's defaults, after the spec, keys and buckets roles that give them the
# environment and its logs bucket (the rest of the role is tested in test_baseline.py).
PLAYBOOK = """
- name: Detection baseline of the inventory's environments
  hosts: envops_environments
  gather_facts: false
  module_defaults:
    group/amazon.aws.aws: &envops_aws
      endpoint_url: "{{ envops_endpoint_url | default(omit) }}"
      access_key: "{{ envops_aws_access_key | default(omit) }}"
      secret_key: "{{ envops_aws_secret_key | default(omit) }}"
      region: "{{ envops_env.region }}"
      aws_config: "{{ envops_aws_config | default(none) | envops.aws.aws_config }}"
    group/community.aws.aws: *envops_aws
    group/envops.aws.aws: *envops_aws
  tasks:
    - name: Validate the spec
      ansible.builtin.import_role:
        name: envops.aws.spec
    - name: Keys and buckets (the logs bucket), made once by the first real run
      when: make_logs_bucket | default(false) | bool
      block:
        - name: Keys
          ansible.builtin.import_role:
            name: envops.aws.keys
        - name: Buckets
          ansible.builtin.import_role:
            name: envops.aws.buckets
    - name: GuardDuty
      ansible.builtin.include_role:
        name: envops.aws.baseline
        tasks_from: guardduty
    - name: Security Hub
      ansible.builtin.include_role:
        name: envops.aws.baseline
        tasks_from: security_hub
    - name: AWS Config
      ansible.builtin.include_role:
        name: envops.aws.baseline
        tasks_from: config
"""


@pytest.fixture(scope="module")
def account():
    return fresh_account_id(3)


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, private_moto, account):
    directory = write_inventory(tmp_path_factory.mktemp("inventory"), private_moto, {ENV: (None, account)})
    (directory / "detection.yml").write_text(PLAYBOOK)
    return directory


def run(inventory, check=False, make_logs_bucket=False):
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", str(inventory / "hosts.yml"), str(inventory / "detection.yml"),
           "-e", json.dumps({"make_logs_bucket": make_logs_bucket})]
    if check:
        cmd += ["--check", "--diff"]
    proc = subprocess.run(cmd, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=600, check=False)
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)


def client(private_moto, account, service):
    return boto3.client(service, endpoint_url=private_moto, region_name=REGION, aws_access_key_id=account,
                        aws_secret_access_key=SECRET)


@pytest.fixture(scope="module")
def check_run_on_nothing(inventory):
    return run(inventory, check=True)


@pytest.fixture(scope="module")
def first_run(inventory, check_run_on_nothing):
    result = run(inventory, make_logs_bucket=True)
    assert result.rc == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def second_run(inventory, first_run):
    return run(inventory)


def test_check_mode_on_a_fresh_account_reports_and_changes_nothing(check_run_on_nothing, private_moto, account):
    assert check_run_on_nothing.rc == 0, check_run_on_nothing.stdout[-4000:]
    assert {"Ensure the GuardDuty detector of dev", "Ensure Security Hub with its standards in dev",
            "Ensure AWS Config recording into the logs bucket of dev",
            "Ensure the AWS Config managed rules of dev"} <= set(check_run_on_nothing.changed_tasks(ENV))
    assert client(private_moto, account, "guardduty").list_detectors()["DetectorIds"] == []
    with pytest.raises(client(private_moto, account, "securityhub").exceptions.InvalidAccessException):
        client(private_moto, account, "securityhub").describe_hub()
    config = client(private_moto, account, "config")
    assert config.describe_configuration_recorders()["ConfigurationRecorders"] == []
    assert config.describe_delivery_channels()["DeliveryChannels"] == []
    assert config.describe_config_rules()["ConfigRules"] == []
    iam = client(private_moto, account, "iam")
    assert not [r for r in iam.list_roles()["Roles"] if r["RoleName"] == "AWSServiceRoleForConfig"]


def test_the_guardduty_detector_is_enabled_with_s3_and_rds_protection_and_tags(first_run, private_moto, account):
    guardduty = client(private_moto, account, "guardduty")
    (detector_id,) = guardduty.list_detectors()["DetectorIds"]
    detector = guardduty.get_detector(DetectorId=detector_id)
    assert detector["Status"] == "ENABLED"
    assert detector["FindingPublishingFrequency"] == "ONE_HOUR", "dev is not production: hourly"
    assert {f["Name"]: f["Status"] for f in detector["Features"]} == {
        "S3_DATA_EVENTS": "ENABLED", "RDS_LOGIN_EVENTS": "ENABLED"}
    assert detector["Tags"] == SPEC["tags"]


def test_security_hub_is_enabled_with_exactly_fsbp_and_cis(first_run, private_moto, account):
    hub = client(private_moto, account, "securityhub")
    described = hub.describe_hub()
    assert described["HubArn"] == "arn:aws:securityhub:%s:%s:hub/default" % (REGION, account)
    assert described["ControlFindingGenerator"] == "SECURITY_CONTROL"
    assert hub.list_tags_for_resource(ResourceArn=described["HubArn"])["Tags"] == SPEC["tags"]
    subscriptions = hub.get_enabled_standards()["StandardsSubscriptions"]
    assert sorted(s["StandardsArn"] for s in subscriptions) == sorted(STANDARDS)
    assert {s["StandardsStatus"] for s in subscriptions} == {"READY"}


def test_config_records_everything_into_the_logs_bucket_and_evaluates_the_rules(first_run, private_moto, account):
    config = client(private_moto, account, "config")
    (recorder,) = config.describe_configuration_recorders()["ConfigurationRecorders"]
    assert recorder["name"] == "default"
    assert recorder["roleARN"] == (
        "arn:aws:iam::%s:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig" % account)
    assert (recorder["recordingGroup"]["allSupported"], recorder["recordingGroup"]["includeGlobalResourceTypes"]) \
        == (True, True)
    (status,) = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert status["recording"] is True
    (channel,) = config.describe_delivery_channels()["DeliveryChannels"]
    assert (channel["name"], channel["s3BucketName"], channel["s3KeyPrefix"]) == (
        "default", "envops-dev-%s-logs" % account, "config")
    s3 = client(private_moto, account, "s3")
    assert s3.head_bucket(Bucket=channel["s3BucketName"]), "the channel delivers to the logs bucket provisioned"
    rules = config.describe_config_rules(ConfigRuleNames=sorted(RULES))["ConfigRules"]
    assert {r["ConfigRuleName"]: r["Source"]["SourceIdentifier"] for r in rules} == RULES
    assert {r["Source"]["Owner"] for r in rules} == {"AWS"}


def test_the_re_run_changes_nothing(second_run):
    assert second_run.rc == 0, second_run.stdout[-4000:]
    assert second_run.stats(ENV)["changed"] == 0, second_run.changed_tasks(ENV)


def test_drift_is_repaired_and_a_stale_envops_rule_purged(inventory, second_run, private_moto, account):
    guardduty = client(private_moto, account, "guardduty")
    (detector_id,) = guardduty.list_detectors()["DetectorIds"]
    guardduty.update_detector(DetectorId=detector_id, FindingPublishingFrequency="SIX_HOURS")
    config = client(private_moto, account, "config")
    config.put_config_rule(ConfigRule={"ConfigRuleName": "envops-retired-rule",
                                       "Source": {"Owner": "AWS", "SourceIdentifier": "ENCRYPTED_VOLUMES"}})
    config.put_config_rule(ConfigRule={"ConfigRuleName": "team-own-rule",
                                       "Source": {"Owner": "AWS", "SourceIdentifier": "ENCRYPTED_VOLUMES"}})
    hub = client(private_moto, account, "securityhub")
    extra = "arn:aws:securityhub:%s::standards/pci-dss/v/3.2.1" % REGION
    hub.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": extra}])

    repaired = run(inventory)
    assert repaired.rc == 0, repaired.stdout[-4000:]
    assert set(repaired.changed_tasks(ENV)) == {"Ensure the GuardDuty detector of dev",
                                                "Ensure Security Hub with its standards in dev",
                                                "Ensure the AWS Config managed rules of dev"}
    assert guardduty.get_detector(DetectorId=detector_id)["FindingPublishingFrequency"] == "ONE_HOUR"
    names = {r["ConfigRuleName"] for r in config.describe_config_rules()["ConfigRules"]}
    assert names == set(RULES) | {"team-own-rule"}, "envops-* no longer wanted goes; others' rules stay"
    assert sorted(s["StandardsArn"] for s in hub.get_enabled_standards()["StandardsSubscriptions"]) == \
        sorted(STANDARDS)


def test_a_second_detector_made_out_of_band_is_refused_naming_both(inventory, second_run, private_moto, account):
    guardduty = client(private_moto, account, "guardduty")
    (first,) = guardduty.list_detectors()["DetectorIds"]
    second = guardduty.create_detector(Enable=True)["DetectorId"]  # AWS refuses this; moto does not
    refused = run(inventory)
    assert refused.rc == 2
    (message,) = [m for m in refused.failure_messages(ENV) if "GuardDuty" in m]
    assert first in message and second in message and "one per account and region" in message
    assert guardduty.get_detector(DetectorId=first)["Tags"] == SPEC["tags"], "nothing changed on the refused run"
    assert json.dumps(sorted(guardduty.list_detectors()["DetectorIds"])) == json.dumps(sorted([first, second]))
