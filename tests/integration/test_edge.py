"""Prod's load balancer, built by role edge on the local stack (network, keys, the log buckets, then the edge), read
back with boto3; a cutover made with envops.aws.elbv2_listener_weights survives a re-provision that changes nothing.

One fresh fake account, one provisioning shared by the file's tests.
"""

import json
import subprocess

import pytest

from harness import REPO, PlaybookRun, VENV_BIN, aws_client, localhost_playbook, run_playbook, tool_env
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

ENV = "prod"
SPEC = load_spec(ENV)
REGION = SPEC["region"]
PLAYBOOK = str(REPO / "tests" / "integration" / "data" / "provision_edge.yml")
SECRET = "local-moto-not-a-secret"
BLUE, GREEN = "envops-prod-blue", "envops-prod-green"
# the spec's defaults for what prod leaves out (plugins/module_utils/env_schema.py)
EDGE = dict({"ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "idle_timeout_seconds": 60,
             "deregistration_delay_seconds": 30}, **SPEC.get("edge", {}))
HEALTH = dict({"path": "/health/ready", "interval_seconds": 15, "timeout_seconds": 5, "healthy_threshold": 3,
               "unhealthy_threshold": 3, "matcher": "200"}, **SPEC.get("edge", {}).get("health_check", {}))
CUTOVER = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Cut over to green
      envops.aws.elbv2_listener_weights:
        listener_arn: "{{ listener_arn }}"
        weights: {envops-prod-blue: 0, envops-prod-green: 100}
        endpoint_url: "{{ moto_url }}"
        access_key: "{{ account }}"
        secret_key: %s
        region: %s
      register: cutover
""" % (SECRET, REGION)


@pytest.fixture(scope="module")
def account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account):
    # the log buckets alone (the access logs one, and the logs one to show it is not where they go), not critical:
    # replication is role buckets' to test, not this file's
    buckets = [dict(bucket, critical=False) for bucket in SPEC["data"]["buckets"]
               if bucket["purpose"] in ("logs", "alb-logs")]
    spec = dict(SPEC, data=dict(SPEC["data"], buckets=buckets))
    return write_inventory(tmp_path_factory.mktemp("inventory"), stack["moto_url"], {ENV: (spec, account)})


@pytest.fixture(scope="module")
def client(stack, account):
    def make(service):
        return aws_client(stack, service, account, REGION)
    return make


@pytest.fixture(scope="module")
def provisioned(inventory):
    run = run_playbook(PLAYBOOK, inventory, tags="network,buckets,edge")
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def alb(client, provisioned):
    return client("elbv2").describe_load_balancers(Names=["envops-prod"])["LoadBalancers"][0]


@pytest.fixture(scope="module")
def listeners(client, alb):
    return dict((listener["Port"], listener) for listener in
                client("elbv2").describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"])


@pytest.fixture(scope="module")
def cutover(tmp_path_factory, stack, account, listeners):
    """Green takes all traffic, the way the promotion procedure shifts it."""
    directory = localhost_playbook(tmp_path_factory.mktemp("cutover"), "cutover.yml", CUTOVER)
    proc = subprocess.run(
        [str(VENV_BIN / "ansible-playbook"), "-i", str(directory / "hosts.yml"), str(directory / "cutover.yml"),
         "-e", json.dumps({"moto_url": stack["moto_url"], "account": account,
                           "listener_arn": listeners[443]["ListenerArn"]})],
        env=tool_env(), capture_output=True, text=True, timeout=300, check=False)
    run = PlaybookRun(proc.returncode, proc.stdout, proc.stderr)
    assert run.rc == 0, run.stdout[-3000:]
    return run.facts("localhost", "Cut over to green")


@pytest.fixture(scope="module")
def reprovisioned(inventory, cutover):
    return run_playbook(PLAYBOOK, inventory, tags="edge")


def weights_of(client, listener_arn):
    listener = client("elbv2").describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]
    groups = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    answer = client("elbv2").describe_target_groups(TargetGroupArns=[group["TargetGroupArn"] for group in groups])
    names = dict((group["TargetGroupArn"], group["TargetGroupName"]) for group in answer["TargetGroups"])
    return dict((names[group["TargetGroupArn"]], group["Weight"]) for group in groups)


def test_internet_facing_in_the_public_tier_behind_the_alb_security_group(client, alb):
    assert (alb["Scheme"], alb["Type"]) == ("internet-facing", "application")
    ec2 = client("ec2")
    public = ec2.describe_subnets(Filters=[{"Name": "tag:env", "Values": [ENV]},
                                           {"Name": "tag:tier", "Values": ["public"]}])["Subnets"]
    assert sorted(zone["SubnetId"] for zone in alb["AvailabilityZones"]) == sorted(s["SubnetId"] for s in public)
    assert len(public) >= 2
    (group,) = ec2.describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"]
    assert group["GroupName"] == "prod-alb-sg"
    tags = dict((tag["Key"], tag["Value"]) for tag in client("elbv2").describe_tags(
        ResourceArns=[alb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"])
    assert tags["Name"] == "envops-prod" and tags["env"] == ENV


def test_access_logs_deletion_protection_idle_timeout_and_header_hygiene(client, account, alb):
    attributes = dict((item["Key"], item["Value"]) for item in client("elbv2").describe_load_balancer_attributes(
        LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"])
    bucket = "envops-prod-%s-alb-logs" % account
    assert (attributes["access_logs.s3.enabled"], attributes["access_logs.s3.bucket"],
            attributes["access_logs.s3.prefix"]) == ("true", bucket, "alb")
    assert attributes["deletion_protection.enabled"] == "true", "prod keeps its load balancer"
    assert attributes["idle_timeout.timeout_seconds"] == str(EDGE["idle_timeout_seconds"])
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    statements = json.loads(client("s3").get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    delivery = {statement["Sid"]: statement for statement in statements}["LoadBalancerDeliversAccessLogsUnderItsPrefix"]
    assert delivery["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com",
                                     "AWS": "arn:aws:iam::076674570225:root"}, "me-south-1 delivers as its ELB account"
    assert (delivery["Action"], delivery["Resource"]) == ("s3:PutObject",
                                                          "arn:aws:s3:::%s/alb/AWSLogs/%s/*" % (bucket, account))
    # AWS delivers access logs only to an SSE-S3 bucket (moto does not check it: this does)
    rule = client("s3").get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    logs = json.loads(client("s3").get_bucket_policy(Bucket="envops-prod-%s-logs" % account)["Policy"])["Statement"]
    assert "LoadBalancerDeliversAccessLogsUnderItsPrefix" not in [statement.get("Sid") for statement in logs]


def test_http_redirects_to_https_permanently(listeners):
    (action,) = listeners[80]["DefaultActions"]
    assert listeners[80]["Protocol"] == "HTTP"
    assert action["Type"] == "redirect"
    assert {key: action["RedirectConfig"][key] for key in ("Protocol", "Port", "StatusCode")} == {
        "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}


def test_https_with_the_imported_certificate_and_policy_forwarding_all_to_blue(client, alb, listeners, cutover):
    https = listeners[443]
    assert (https["Protocol"], https["SslPolicy"]) == ("HTTPS", EDGE["ssl_policy"])
    acm = client("acm")
    certificate_arn = https["Certificates"][0]["CertificateArn"]
    tags = dict((tag["Key"], tag.get("Value")) for tag in acm.list_tags_for_certificate(
        CertificateArn=certificate_arn)["Tags"])
    assert tags["Name"] == "envops-prod-edge"
    certificate = acm.describe_certificate(CertificateArn=certificate_arn)["Certificate"]
    assert certificate["DomainName"] == alb["DNSName"]
    assert cutover["weights_before"] == {BLUE: 100, GREEN: 0}, "a new listener forwards everything to blue"


def test_target_groups_check_health_as_the_spec_says(client, alb):
    groups = client("elbv2").describe_target_groups(Names=[BLUE, GREEN])["TargetGroups"]
    assert len(groups) == 2
    for group in groups:
        assert (group["Protocol"], group["Port"], group["TargetType"], group["VpcId"]) == (
            "HTTP", SPEC["network"].get("app_port", 8080), "ip", alb["VpcId"])
        assert (group["HealthCheckPath"], group["HealthCheckIntervalSeconds"], group["HealthCheckTimeoutSeconds"],
                group["HealthyThresholdCount"], group["UnhealthyThresholdCount"], group["Matcher"]["HttpCode"]) == (
            HEALTH["path"], HEALTH["interval_seconds"], HEALTH["timeout_seconds"], HEALTH["healthy_threshold"],
            HEALTH["unhealthy_threshold"], HEALTH["matcher"])
        attributes = dict((item["Key"], item["Value"]) for item in client("elbv2").describe_target_group_attributes(
            TargetGroupArn=group["TargetGroupArn"])["Attributes"])
        assert attributes["deregistration_delay.timeout_seconds"] == str(EDGE["deregistration_delay_seconds"])


def test_the_fact_names_what_was_built(provisioned, alb, listeners):
    fact = provisioned.facts(ENV, "envops.aws.edge : Set the facts of the load balancer")["ansible_facts"][
        "edge_load_balancer"]
    assert (fact["name"], fact["arn"], fact["dns_name"], fact["https_listener_arn"]) == (
        "envops-prod", alb["LoadBalancerArn"], alb["DNSName"], listeners[443]["ListenerArn"])
    assert fact["arn_suffix"] == "app/envops-prod/" + alb["LoadBalancerArn"].rsplit("/", 1)[1]
    assert fact["target_groups"]["green"]["arn_suffix"].startswith("targetgroup/envops-prod-green/")
    assert fact["weights"] == {"blue": 100, "green": 0}


def test_a_cutover_survives_a_reprovision_that_changes_nothing(client, listeners, cutover, reprovisioned):
    assert cutover["changed"] and cutover["weights_after"] == {BLUE: 0, GREEN: 100}
    assert reprovisioned.rc == 0, reprovisioned.stdout[-5000:] + reprovisioned.stderr[-2000:]
    assert reprovisioned.changed_tasks(ENV) == []
    assert weights_of(client, listeners[443]["ListenerArn"]) == {BLUE: 0, GREEN: 100}
    fact = reprovisioned.facts(ENV, "envops.aws.edge : Set the facts of the load balancer")["ansible_facts"]
    assert fact["edge_load_balancer"]["weights"] == {"blue": 0, "green": 100}
    certificates = client("acm").list_certificates()["CertificateSummaryList"]
    assert len(certificates) == 1, "the certificate is imported once"
