"""The observability role's topics and alarms on prod and staging, read back with boto3 and compared with the spec;
re-run changed=0; a stale alarm purged; the alarm test playbook delivers to the right severity topic.

What the alarms watch (VPC with a NAT gateway, ALB with its blue and green target groups, database, cache, the
parameters naming the live tables) is created with boto3 in fresh accounts: this file tests what the role finds
and builds, not the roles that build those resources. Both environments in one run (--tags observability).
"""

import json

import pytest

from harness import REPO, aws_client, run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

ENVS = ("prod", "staging")
SPECS = {env: load_spec(env) for env in ENVS}
PLAYBOOK = str(REPO / "tests" / "integration" / "data" / "provision_observability.yml")
TABLES = ("campaign-events", "product-feeds")
GIB = 1024 ** 3

# What each spec key must watch, written out here rather than taken from the plan it checks:
# namespace, metric (or the metrics of the expression), statistic, comparison, unit conversion of the spec value.
EXPECTED = {
    "api_p99_latency_ms": ("AWS/ApplicationELB", "TargetResponseTime", "p99", "GreaterThanThreshold", 0.001),
    "api_5xx_rate_percent": ("AWS/ApplicationELB", ["HTTPCode_Target_5XX_Count", "RequestCount"], "Sum",
                             "GreaterThanThreshold", 1),
    "api_unhealthy_hosts": ("AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", "GreaterThanOrEqualToThreshold", 1),
    "rds_cpu_percent": ("AWS/RDS", "CPUUtilization", "Average", "GreaterThanThreshold", 1),
    "rds_free_storage_percent": ("AWS/RDS", "FreeStorageSpace", "Minimum", "LessThanThreshold", 200 * GIB / 100),
    "rds_connections": ("AWS/RDS", "DatabaseConnections", "Maximum", "GreaterThanOrEqualToThreshold", 1),
    "dynamodb_throttled_requests": ("AWS/DynamoDB", ["ReadThrottleEvents", "WriteThrottleEvents"], "Sum",
                                    "GreaterThanOrEqualToThreshold", 1),
    "cache_cpu_percent": ("AWS/ElastiCache", "EngineCPUUtilization", "Average", "GreaterThanThreshold", 1),
    "cache_evictions": ("AWS/ElastiCache", "Evictions", "Sum", "GreaterThanOrEqualToThreshold", 1),
    "nat_port_allocation_errors": ("AWS/NATGateway", "ErrorPortAllocation", "Sum", "GreaterThanOrEqualToThreshold", 1),
}
# how many resources of each key prod has: one ALB (two target groups), one database, two tables, two cache
# members, one NAT gateway
PROD_RESOURCES = {"api_p99_latency_ms": 1, "api_5xx_rate_percent": 1, "api_unhealthy_hosts": 2, "rds_cpu_percent": 1,
                  "rds_free_storage_percent": 1, "rds_connections": 1, "dynamodb_throttled_requests": 2,
                  "cache_cpu_percent": 2, "cache_evictions": 2, "nat_port_allocation_errors": 1}


@pytest.fixture(scope="module")
def accounts():
    return {env: fresh_account_id() for env in ENVS}


@pytest.fixture(scope="module")
def aws(stack, accounts):
    def make(env, service):
        return aws_client(stack, service, accounts[env], SPECS[env]["region"])
    return make


def create_load_balancer(aws, env):
    """VPC tagged env=<env>, two public subnets, the ALB and its blue / green target groups (edge's names)."""
    ec2, elbv2 = aws(env, "ec2"), aws(env, "elbv2")
    region = SPECS[env]["region"]
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": env}]}])["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.%d.0/24" % i, AvailabilityZone=region + zone)
               ["Subnet"]["SubnetId"] for i, zone in enumerate("ab")]
    alb = elbv2.create_load_balancer(Name="envops-%s" % env, Subnets=subnets)["LoadBalancers"][0]
    groups = [elbv2.create_target_group(Name="envops-%s-%s" % (env, colour), Protocol="HTTP", Port=3000,
                                        VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"] for colour in ("blue", "green")]
    elbv2.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": groups[0], "Weight": 100},
                                                               {"TargetGroupArn": groups[1], "Weight": 0}]}}])
    return vpc, subnets


@pytest.fixture(scope="module")
def estate(aws):
    """prod: ALB, NAT gateway, database, cache with two members, two live tables, a stale alarm under its prefix
    and another team's alarm outside it. staging: the ALB only."""
    vpc, subnets = create_load_balancer(aws, "prod")
    create_load_balancer(aws, "staging")
    ec2 = aws("prod", "ec2")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    aws("prod", "rds").create_db_instance(DBInstanceIdentifier="prod-postgres", DBInstanceClass="db.t3.micro",
                                          Engine="postgres", AllocatedStorage=200, MasterUsername="app_admin",
                                          MasterUserPassword="not-a-real-password-1")
    aws("prod", "elasticache").create_replication_group(
        ReplicationGroupId="prod-redis", ReplicationGroupDescription="prod Redis", Engine="redis",
        CacheNodeType="cache.t3.small", NumNodeGroups=1, ReplicasPerNodeGroup=1)
    for table in TABLES:
        aws("prod", "ssm").put_parameter(Name="/prod/dynamodb/%s" % table, Value="prod-%s" % table, Type="String")
    cloudwatch = aws("prod", "cloudwatch")
    for name in ("envops-prod-stale-warning", "other-team-cpu"):
        cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/EC2", MetricName="CPUUtilization",
                                    Statistic="Average", Period=300, EvaluationPeriods=1, Threshold=90,
                                    ComparisonOperator="GreaterThanThreshold")
    return {"nat": nat}


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, accounts):
    return write_inventory(tmp_path_factory.mktemp("inventory"), stack["moto_url"],
                           {env: (None, accounts[env]) for env in ENVS})


@pytest.fixture(scope="module")
def provisioned(inventory, estate):
    run = run_playbook(PLAYBOOK, inventory, tags="observability")
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def rerun(inventory, provisioned):
    return run_playbook(PLAYBOOK, inventory, tags="observability")


def metric_alarms(aws, env):
    pages = aws(env, "cloudwatch").get_paginator("describe_alarms").paginate(AlarmNamePrefix="envops-%s-" % env)
    return {alarm["AlarmName"]: alarm for page in pages for alarm in page["MetricAlarms"]}


def topic_arn(aws, env, severity):
    label = {"P1": "critical", "P2": "high", "P3": "warning"}[severity]
    account = aws(env, "sts").get_caller_identity()["Account"]
    return "arn:aws:sns:%s:%s:envops-%s-%s-%s" % (SPECS[env]["region"], account, env, severity.lower(), label)


def test_severity_topics_are_encrypted_with_the_logs_key_and_carry_the_spec_subscriptions(provisioned, aws):
    sns = aws("prod", "sns")
    logs_key = aws("prod", "kms").describe_key(KeyId="alias/envops/prod/logs")["KeyMetadata"]["Arn"]
    for severity, wanted in SPECS["prod"]["monitoring"]["notifications"].items():
        arn = topic_arn(aws, "prod", severity)
        attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        assert attributes["KmsMasterKeyId"] == logs_key
        statements = json.loads(attributes["Policy"])["Statement"]
        publishers = [s for s in statements if "Service" in s["Principal"]]
        assert publishers[0]["Principal"]["Service"] == ["budgets.amazonaws.com", "cloudwatch.amazonaws.com",
                                                         "events.amazonaws.com"]
        assert publishers[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": arn.split(":")[4]}}
        subscriptions = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        assert sorted((s["Protocol"], s["Endpoint"]) for s in subscriptions) == sorted(
            (s["protocol"], s["endpoint"]) for s in wanted)


def test_every_alarm_watches_its_metric_at_the_spec_thresholds_and_notifies_its_severity(provisioned, aws, estate):
    alarms = metric_alarms(aws, "prod")
    spec = SPECS["prod"]["monitoring"]["alarms"]
    assert set(spec) == set(EXPECTED)
    checked = 0
    for key, levels in spec.items():
        namespace, metric, statistic, comparison, factor = EXPECTED[key]
        for level in ("warning", "critical"):
            stem = "envops-prod-%s-" % key.replace("_", "-")
            found = [alarm for name, alarm in alarms.items() if name.startswith(stem) and name.endswith("-" + level)]
            assert len(found) == PROD_RESOURCES[key], (key, level, sorted(alarms))
            for alarm in found:
                if isinstance(metric, list):
                    stats = [q["MetricStat"] for q in alarm["Metrics"] if "MetricStat" in q]
                    assert sorted(s["Metric"]["MetricName"] for s in stats) == metric
                    assert {s["Metric"]["Namespace"] for s in stats} == {namespace}
                    assert {s["Stat"] for s in stats} == {statistic}
                else:
                    assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric)
                    assert alarm.get("ExtendedStatistic", alarm.get("Statistic")) == statistic
                assert alarm["ComparisonOperator"] == comparison
                assert alarm["Threshold"] == pytest.approx(levels[level] * factor)
                severity = "P3" if level == "warning" else "P2"
                assert alarm["AlarmActions"] == [topic_arn(aws, "prod", severity)] == alarm["OKActions"]
                checked += 1
    assert checked == 2 * sum(PROD_RESOURCES.values())
    nat_alarm = alarms["envops-prod-nat-port-allocation-errors-%s-critical" % estate["nat"]]
    assert nat_alarm["Dimensions"] == [{"Name": "NatGatewayId", "Value": estate["nat"]}]
    rate = alarms["envops-prod-api-5xx-rate-percent-critical"]
    (expression,) = [q["Expression"] for q in rate["Metrics"] if q.get("ReturnData")]
    assert expression == "IF(requests >= %d, FILL(errors, 0) / requests * 100, 0)" % (
        SPECS["prod"]["monitoring"].get("error_rate_min_requests", 100))
    assert alarms["envops-prod-api-p99-latency-ms-warning"]["TreatMissingData"] == "notBreaching"


def test_prod_and_staging_thresholds_differ_as_their_specs_say(provisioned, aws):
    prod, staging = metric_alarms(aws, "prod"), metric_alarms(aws, "staging")
    assert prod["envops-prod-api-p99-latency-ms-warning"]["Threshold"] == pytest.approx(0.4)
    assert prod["envops-prod-api-p99-latency-ms-critical"]["Threshold"] == pytest.approx(0.5)
    assert staging["envops-staging-api-p99-latency-ms-warning"]["Threshold"] == pytest.approx(0.6)
    assert staging["envops-staging-api-p99-latency-ms-critical"]["Threshold"] == pytest.approx(0.8)
    assert (prod["envops-prod-api-5xx-rate-percent-critical"]["Threshold"],
            staging["envops-staging-api-5xx-rate-percent-critical"]["Threshold"]) == (1.0, 5.0)
    # staging has no database, cache, table or NAT gateway here: no alarm for them
    assert sorted({name.split("-")[2] for name in staging}) == ["api"]


def test_service_down_combines_the_critical_alarms_and_pages_p1(provisioned, aws):
    answer = aws("prod", "cloudwatch").describe_alarms(AlarmNamePrefix="envops-prod-", AlarmTypes=["CompositeAlarm"])
    (down,) = answer["CompositeAlarms"]
    assert down["AlarmName"] == "envops-prod-service-down"
    critical = sorted(name for name in metric_alarms(aws, "prod") if name.endswith("-critical"))
    assert sorted(part.strip()[len('ALARM("'):-len('")')] for part in down["AlarmRule"].split(" OR ")) == critical
    assert down["AlarmActions"] == [topic_arn(aws, "prod", "P1")]


def test_stale_alarms_under_the_prefix_are_purged_and_others_kept(provisioned, aws):
    names = {alarm["AlarmName"] for alarm in aws("prod", "cloudwatch").describe_alarms()["MetricAlarms"]}
    assert "envops-prod-stale-warning" not in names
    assert "other-team-cpu" in names


def test_a_rerun_changes_nothing(rerun):
    assert rerun.rc == 0, rerun.stdout[-5000:] + rerun.stderr[-2000:]
    for env in ENVS:
        assert rerun.changed_tasks(env) == [], env


def test_the_alarm_test_delivers_to_the_alarm_severity_topic_and_cleans_up(provisioned, inventory, aws):
    run = run_playbook("alarm_test.yml", inventory, extra_vars={
        "alarm_test_env": "prod", "alarm_test_alarm": "rds_cpu_percent", "alarm_test_timeout_seconds": 30})
    assert run.rc == 0, run.failure_messages("prod") or run.stderr[-2000:]
    assert "alarm envops-prod-rds-cpu-percent-critical, severity P2, topic envops-prod-p2-high: delivered in" \
        in run.stdout
    cloudwatch = aws("prod", "cloudwatch")
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=["envops-prod-rds-cpu-percent-critical"])["MetricAlarms"]
    assert alarm["StateValue"] == "OK"
    assert aws("prod", "sqs").list_queues().get("QueueUrls", []) == []
    subscriptions = aws("prod", "sns").list_subscriptions_by_topic(TopicArn=topic_arn(aws, "prod", "P2"))
    assert [s["Protocol"] for s in subscriptions["Subscriptions"]] == ["email"]


@pytest.mark.parametrize("alarm,message", [
    ("nope-not-an-alarm", "is neither an alarm key"),
    ("x;rm -rf", "must be a spec alarm key or an alarm name"),
])
def test_the_alarm_test_refuses_an_unknown_alarm_before_any_change(provisioned, inventory, aws, alarm, message):
    run = run_playbook("alarm_test.yml", inventory, extra_vars={"alarm_test_env": "prod", "alarm_test_alarm": alarm})
    assert run.rc != 0
    assert message in " ".join(run.failure_messages("prod") + run.failure_messages("localhost"))
    assert aws("prod", "sqs").list_queues().get("QueueUrls", []) == []
