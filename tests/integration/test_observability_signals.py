"""The observability's log groups, findings rules and dashboards of prod, provisioned once on the local stack and
read back with boto3; re-run changed=0; the cloudwatch_dashboard module's check mode and diff.

One fresh fake account for prod, beside staging in the inventory (another account) to show the estate overview is
built from every environment whatever --limit selects. The severity topics are the role's (topics.yml), with an SQS
queue subscribed to P1 and to P2 through the spec; the resources to watch are given as resources.yml sets them; the
VPC flow log group is created as role network creates it (before the keys exist: no key).
"""

import json
import subprocess

import pytest

from harness import REPO, PlaybookRun, VENV_BIN, aws_client, localhost_playbook, run_playbook, tool_env
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

ENV = "prod"
SPEC = load_spec(ENV)
REGION = SPEC["region"]
PLAYBOOK = str(REPO / "tests" / "integration" / "data" / "provision_signals.yml")
FLOW_LOG_GROUP = "/envops/prod/vpc-flow-logs"  # role network's name (roles/network/vars/main.yml)
GIB = 1024 ** 3
RESOURCES = {
    "load_balancer": {"name": "envops-prod", "arn": "arn:aws:elasticloadbalancing:me-south-1:1:loadbalancer/app/x/1",
                      "arn_suffix": "app/envops-prod/50dc6c495c0c9188",
                      "target_groups": {"blue": {"name": "envops-prod-blue", "arn_suffix": "targetgroup/envops-prod-blue/1"},
                                        "green": {"name": "envops-prod-green",
                                                  "arn_suffix": "targetgroup/envops-prod-green/2"}}},
    "database": {"identifier": "prod-app", "allocated_storage_gb": 200},
    "tables": ["prod-campaign-events", "prod-product-feeds"],
    "cache": {"replication_group_id": "prod-cache", "cluster_ids": ["prod-cache-001", "prod-cache-002"]},
    "nat_gateways": ["nat-0a1", "nat-0b2"],
}


@pytest.fixture(scope="module")
def accounts():
    return {"prod": fresh_account_id(), "staging": fresh_account_id()}


@pytest.fixture(scope="module")
def client(stack, accounts):
    def make(service):
        return aws_client(stack, service, accounts[ENV], REGION)
    return make


@pytest.fixture(scope="module")
def queues(client, accounts):
    """An SQS queue for each of P1 and P2, to subscribe to the severity topics through the spec; the topic ARNs."""
    sqs, urls, arns = client("sqs"), {}, {}
    for severity in ("P1", "P2"):
        urls[severity] = sqs.create_queue(QueueName="findings-%s" % severity)["QueueUrl"]
        arns[severity] = sqs.get_queue_attributes(QueueUrl=urls[severity], AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
    topics = dict((severity, "arn:aws:sns:%s:%s:envops-prod-%s-%s" % (REGION, accounts[ENV], severity.lower(), label))
                  for severity, label in (("P1", "critical"), ("P2", "high"), ("P3", "warning")))
    return {"urls": urls, "arns": arns, "topics": topics}


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, accounts, queues):
    notifications = dict(SPEC["monitoring"]["notifications"])
    for severity, queue_arn in queues["arns"].items():
        notifications[severity] = notifications[severity] + [{"protocol": "sqs", "endpoint": queue_arn}]
    spec = dict(SPEC, monitoring=dict(SPEC["monitoring"], notifications=notifications))
    return write_inventory(tmp_path_factory.mktemp("inventory"), stack["moto_url"],
                           {"prod": (spec, accounts["prod"]), "staging": (None, accounts["staging"])})


@pytest.fixture(scope="module")
def extra_vars(client):
    logs = client("logs")
    logs.create_log_group(logGroupName=FLOW_LOG_GROUP)
    logs.put_retention_policy(logGroupName=FLOW_LOG_GROUP, retentionInDays=SPEC["network"]["flow_logs"]["retention_days"])
    client("cloudwatch").put_metric_alarm(AlarmName="envops-prod-rds-cpu-percent-critical", MetricName="CPUUtilization",
                                          Namespace="AWS/RDS", Statistic="Average", Period=300, EvaluationPeriods=1,
                                          Threshold=85, ComparisonOperator="GreaterThanThreshold")
    return {"observability_resources": RESOURCES}


@pytest.fixture(scope="module")
def provisioned(inventory, extra_vars):
    run = run_playbook(PLAYBOOK, inventory, limit=ENV, tags="observability", extra_vars=extra_vars)
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def rerun(inventory, extra_vars, provisioned):
    return run_playbook(PLAYBOOK, inventory, limit=ENV, tags="observability", extra_vars=extra_vars)


@pytest.fixture(scope="module")
def logs_key(client, provisioned):
    return client("kms").describe_key(KeyId="alias/envops/prod/logs")["KeyMetadata"]["Arn"]


def log_group(client, name):
    return [group for group in client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if group["logGroupName"] == name][0]


def dashboard(client, name):
    return json.loads(client("cloudwatch").get_dashboard(DashboardName=name)["DashboardBody"])


def widget(body, title):
    return [w for w in body["widgets"] if w["properties"].get("title") == title][0]["properties"]


def thresholds(properties):
    return [(line["value"], line["color"]) for line in properties["annotations"]["horizontal"]]


def test_rerun_changes_nothing(rerun):
    assert rerun.rc == 0, rerun.stdout[-5000:] + rerun.stderr[-2000:]
    assert rerun.changed_tasks(ENV) == []


def test_app_log_group_has_the_spec_retention_and_the_logs_key(client, logs_key):
    group = log_group(client, "/envops/prod/app")
    assert (group["retentionInDays"], group["kmsKeyId"]) == (SPEC["logging"]["retention_days"], logs_key)


def test_flow_log_group_gets_the_logs_key_and_keeps_its_retention(client, logs_key):
    group = log_group(client, FLOW_LOG_GROUP)
    assert (group["retentionInDays"], group["kmsKeyId"]) == (SPEC["network"]["flow_logs"]["retention_days"], logs_key)


def test_application_errors_metric_filter(client, provisioned):
    filters = client("logs").describe_metric_filters(logGroupName="/envops/prod/app")["metricFilters"]
    assert [(f["filterName"], f["filterPattern"], f["metricTransformations"][0]["metricNamespace"],
             f["metricTransformations"][0]["metricName"]) for f in filters] == [
        ("ApplicationErrors", '{ ($.level = "ERROR") || ($.level = "error") }', "envops/prod", "ApplicationErrors")]


def test_findings_rules_patterns_and_targets(client, queues, provisioned):
    events = client("events")
    rules = dict((rule["Name"], json.loads(rule["EventPattern"]))
                 for rule in events.list_rules(NamePrefix="envops-prod-")["Rules"])
    assert sorted(rules) == ["envops-prod-guardduty-p1", "envops-prod-guardduty-p2", "envops-prod-securityhub-p1",
                             "envops-prod-securityhub-p2"]
    assert rules["envops-prod-guardduty-p1"]["detail"] == {"severity": [{"numeric": [">=", 7]}]}
    assert rules["envops-prod-guardduty-p2"]["detail"] == {"severity": [{"numeric": [">=", 4, "<", 7]}]}
    assert rules["envops-prod-securityhub-p1"]["detail"]["findings"]["Severity"] == {"Label": ["CRITICAL"]}
    assert rules["envops-prod-securityhub-p2"]["detail"]["findings"]["Severity"] == {"Label": ["HIGH"]}
    for name in rules:
        targets = events.list_targets_by_rule(Rule=name)["Targets"]
        assert [target["Arn"] for target in targets] == [queues["topics"][name[-2:].upper()]]


def test_a_guardduty_finding_reaches_the_topic_of_its_severity(client, queues, provisioned):
    """moto lets a test put an event with GuardDuty's source (AWS refuses aws.* sources from PutEvents), which is
    how the rule is exercised here; the SNS delivery of rules is a moto correction (events_sns_targets)."""
    findings = [{"Source": "aws.guardduty", "DetailType": "GuardDuty Finding",
                 "Detail": json.dumps({"id": finding_id, "severity": severity, "type": "Recon:EC2/PortProbeUnprotectedPort"})}
                for finding_id, severity in (("high", 8.0), ("medium", 5.0), ("low", 2.0))]
    assert client("events").put_events(Entries=findings)["FailedEntryCount"] == 0
    received = {}
    for severity, url in queues["urls"].items():
        messages = client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        received[severity] = sorted(json.loads(json.loads(message["Body"])["Message"])["detail"]["id"]
                                    for message in messages)
    assert received == {"P1": ["high"], "P2": ["medium"]}


def test_system_health_dashboard_draws_the_spec_thresholds(client, accounts, provisioned):
    body = dashboard(client, "envops-prod-system-health")
    alarms = SPEC["monitoring"]["alarms"]
    latency = widget(body, "ALB target response time (s)")
    assert [m[-1]["stat"] for m in latency["metrics"]] == ["p99", "p95", "p50"]
    assert thresholds(latency) == [(alarms["api_p99_latency_ms"]["warning"] / 1000, "#ff7f0e"),
                                   (alarms["api_p99_latency_ms"]["critical"] / 1000, "#d62728")]
    rate = widget(body, "ALB target 5xx rate (%)")
    assert rate["metrics"][-1] == [{"expression": "100 * errors / requests", "id": "rate", "label": "5xx rate (%)"}]
    assert [value for value, colour in thresholds(rate)] == [0.5, 1]
    assert [value for value, colour in thresholds(widget(body, "RDS CPU (%)"))] == [70, 85]
    storage = widget(body, "RDS free storage (bytes)")
    assert [(line["value"], line["fill"]) for line in storage["annotations"]["horizontal"]] == [
        (200 * GIB * 0.20, "below"), (200 * GIB * 0.10, "below")]
    assert widget(body, "Application errors")["metrics"] == [["envops/prod", "ApplicationErrors"]]
    assert [m[3] for m in widget(body, "NAT port allocation errors")["metrics"]] == ["nat-0a1", "nat-0b2"]
    assert widget(body, "Alarms of prod")["alarms"] == [
        "arn:aws:cloudwatch:%s:%s:alarm:%s" % (REGION, accounts[ENV], name)
        for name in ("envops-prod-rds-cpu-percent-critical", "envops-prod-service-down")]
    text = [w for w in body["widgets"] if w["type"] == "text"][0]["properties"]["markdown"]
    assert "envops-prod-p1-critical" in text and "envops-prod-p3-warning" in text


def test_estate_overview_names_every_environment_of_the_inventory(client, accounts, provisioned):
    body = dashboard(client, "envops-estate-overview")
    staging_region = load_spec("staging")["region"]
    assert body["widgets"][0]["properties"]["alarms"] == [
        "arn:aws:cloudwatch:%s:%s:alarm:envops-prod-service-down" % (REGION, accounts["prod"]),
        "arn:aws:cloudwatch:%s:%s:alarm:envops-staging-service-down" % (staging_region, accounts["staging"])]
    assert "| staging | staging | %s | %s |" % (staging_region, accounts["staging"]) in \
        body["widgets"][1]["properties"]["markdown"]


MODULE_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/envops.aws.aws: {endpoint_url: "{{ moto_url }}", access_key: "{{ account }}", secret_key: local, region: %s}
  tasks:
    - name: same body, other key order and spacing
      envops.aws.cloudwatch_dashboard:
        dashboard_name: envops-prod-system-health
        dashboard_body: "{{ current | to_json(indent=1) }}"
      register: same
    - name: one widget less, in check mode
      envops.aws.cloudwatch_dashboard:
        dashboard_name: envops-prod-system-health
        dashboard_body: "{{ current | combine({'widgets': current.widgets[1:]}) }}"
      check_mode: true
      diff: true
    - name: absent, in check mode
      envops.aws.cloudwatch_dashboard:
        dashboard_name: envops-prod-system-health
        state: absent
      check_mode: true
    - name: a name CloudWatch refuses
      envops.aws.cloudwatch_dashboard:
        dashboard_name: "prod dashboard; rm"
        dashboard_body: {widgets: []}
      ignore_errors: true
""" % REGION


def test_dashboard_module_compares_parsed_json_and_changes_nothing_in_check_mode(tmp_path, stack, client, accounts,
                                                                                 provisioned):
    before = dashboard(client, "envops-prod-system-health")
    directory = localhost_playbook(tmp_path, "dashboard.yml", MODULE_PLAYBOOK)
    proc = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "-i", str(directory / "hosts.yml"), str(directory / "dashboard.yml"),
         "-e", json.dumps({"moto_url": stack["moto_url"], "account": accounts[ENV], "current": before})],
        env=tool_env(), capture_output=True, text=True, timeout=300, check=False)
    run = PlaybookRun(proc.returncode, proc.stdout, proc.stderr)
    assert run.rc == 0, run.stdout[-3000:]
    assert run.facts("localhost", "same body, other key order and spacing")["changed"] is False
    shorter = run.facts("localhost", "one widget less, in check mode")
    assert shorter["changed"] is True
    removed = before["widgets"][0]["properties"]["markdown"]
    assert json.dumps(removed)[1:20] in shorter["diff"]["before"] and json.dumps(removed)[1:20] not in \
        shorter["diff"]["after"]
    assert run.facts("localhost", "absent, in check mode")["changed"] is True
    refused = run.facts("localhost", "a name CloudWatch refuses")
    assert refused["failed"] and "dashboard_name" in refused["msg"]
    assert dashboard(client, "envops-prod-system-health") == before
