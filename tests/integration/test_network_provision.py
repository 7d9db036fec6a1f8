"""provision.yml builds the local prod network for real; boto3 then inspects what moto holds.

Runs in a fresh fake account: check mode on nothing, the real run, the no-op re-run, check mode on
the built network, then drift that check mode reports and a real run repairs.
"""

import ipaddress

import pytest

from harness import aws_client, run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

ENV = "prod"
SPEC = load_spec(ENV)
REGION = SPEC["region"]
AZ_COUNT = SPEC["network"]["az_count"]


@pytest.fixture(scope="module")
def account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account):
    return write_inventory(tmp_path_factory.mktemp("inventory"), stack["moto_url"], {ENV: (None, account)})


@pytest.fixture(scope="module")
def ec2(stack, account):
    return aws_client(stack, "ec2", account, REGION)


def _tag_filter(**tags):
    return [{"Name": "tag:%s" % key, "Values": [value]} for key, value in tags.items()]


@pytest.fixture(scope="module")
def check_run_on_nothing(inventory):
    return run_playbook("provision.yml", inventory, check=True, tags="network")


@pytest.fixture(scope="module")
def first_run(inventory, check_run_on_nothing):
    return run_playbook("provision.yml", inventory, tags="network")


@pytest.fixture(scope="module")
def vpc(ec2, first_run):
    assert first_run.rc == 0, first_run.stdout[-4000:] + first_run.stderr[-2000:]
    vpcs = ec2.describe_vpcs(Filters=_tag_filter(env=ENV))["Vpcs"]
    assert len(vpcs) == 1
    return vpcs[0]


@pytest.fixture(scope="module")
def subnets(ec2, vpc):
    return ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]


def _tier(subnet):
    return {tag["Key"]: tag["Value"] for tag in subnet["Tags"]}["tier"]


def test_check_mode_on_a_new_environment_changes_nothing(check_run_on_nothing, ec2):
    assert check_run_on_nothing.rc == 0, check_run_on_nothing.stdout[-3000:]
    assert "Ensure the VPC of prod" in check_run_on_nothing.changed_tasks(ENV)
    # the real run has not happened yet in this account: check mode must not have created anything
    assert ec2.describe_vpcs(Filters=_tag_filter(env=ENV))["Vpcs"] == []


def test_first_run_creates(first_run):
    assert first_run.rc == 0
    assert first_run.stats(ENV)["changed"] > 10
    assert first_run.warnings(ENV) == []


def test_vpc_is_tagged_from_the_spec(vpc):
    tags = {tag["Key"]: tag["Value"] for tag in vpc["Tags"]}
    assert vpc["CidrBlock"] == SPEC["network"]["vpc_cidr"]
    assert {key: tags[key] for key in SPEC["tags"]} == SPEC["tags"]


def test_three_tiers_times_az_count(subnets):
    assert len(subnets) == 3 * AZ_COUNT
    for tier in ("public", "app", "db"):
        tier_subnets = [s for s in subnets if _tier(s) == tier]
        assert len({s["AvailabilityZone"] for s in tier_subnets}) == AZ_COUNT, tier
        prefix = SPEC["network"]["tiers"][tier]["prefix"]
        assert all(ipaddress.ip_network(s["CidrBlock"]).prefixlen == prefix for s in tier_subnets)
        assert not any(s["MapPublicIpOnLaunch"] for s in tier_subnets)


def _route_tables_by_tier(ec2, vpc, subnets):
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTables"]
    tier_of = {s["SubnetId"]: _tier(s) for s in subnets}
    by_subnet = {}
    for table in tables:
        for assoc in table["Associations"]:
            if assoc.get("SubnetId"):
                by_subnet[assoc["SubnetId"]] = table
    assert set(by_subnet) == set(tier_of), "every subnet has an explicit route table"
    return tier_of, by_subnet


def _default_route(table):
    return [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]


def test_routes_per_tier(ec2, vpc, subnets):
    tier_of, by_subnet = _route_tables_by_tier(ec2, vpc, subnets)
    nat_by_subnet = {}
    for subnet_id, table in by_subnet.items():
        default = _default_route(table)
        if tier_of[subnet_id] == "public":
            assert [r["GatewayId"][:4] for r in default] == ["igw-"]
        elif tier_of[subnet_id] == "app":
            assert len(default) == 1 and default[0]["NatGatewayId"].startswith("nat-")
            nat_by_subnet[subnet_id] = default[0]["NatGatewayId"]
        else:
            # db tier: nothing but the local route (gateway endpoint prefix-list routes aside)
            assert default == []
            assert [r["GatewayId"] for r in table["Routes"] if "DestinationCidrBlock" in r] == ["local"]
    # per-AZ NAT: each app subnet leaves through the NAT gateway of its own AZ
    assert len(set(nat_by_subnet.values())) == AZ_COUNT
    nats = ec2.describe_nat_gateways(NatGatewayIds=list(nat_by_subnet.values()))["NatGateways"]
    az_of = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
    nat_az = {nat["NatGatewayId"]: az_of[nat["SubnetId"]] for nat in nats}
    assert all(nat_az[nat] == az_of[subnet] for subnet, nat in nat_by_subnet.items())
    assert all(tier_of[nat["SubnetId"]] == "public" for nat in nats)


def _group(ec2, vpc, name):
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                                   {"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    assert len(groups) == 1, name
    return groups[0]


def _ingress(group):
    rules = []
    for perm in group["IpPermissions"]:
        for source in perm.get("IpRanges", []):
            rules.append((perm["FromPort"], source["CidrIp"]))
        for source in perm.get("UserIdGroupPairs", []):
            rules.append((perm["FromPort"], source["GroupId"]))
    return sorted(rules)


def test_security_group_chain(ec2, vpc):
    alb, app, db, cache = (_group(ec2, vpc, "prod-%s-sg" % role) for role in ("alb", "app", "db", "cache"))
    assert _ingress(alb) == [(443, "0.0.0.0/0")]
    assert _ingress(app) == [(3000, alb["GroupId"])]
    assert _ingress(db) == [(5432, app["GroupId"])]
    assert _ingress(cache) == [(6379, app["GroupId"])]
    assert db["IpPermissionsEgress"] == [] and cache["IpPermissionsEgress"] == []


def test_nacls_cover_each_tier(ec2, vpc, subnets):
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                              {"Name": "default", "Values": ["false"]}])["NetworkAcls"]
    tier_of = {s["SubnetId"]: _tier(s) for s in subnets}
    acl_tiers = {}
    for acl in acls:
        tiers = {tier_of[a["SubnetId"]] for a in acl["Associations"]}
        assert len(tiers) == 1
        acl_tiers[tiers.pop()] = acl
    assert set(acl_tiers) == {"public", "app", "db"}
    db_ingress = [e for e in acl_tiers["db"]["Entries"] if not e["Egress"] and e["RuleAction"] == "allow"
                  and e["RuleNumber"] < 32767]
    app_cidrs = {s["CidrBlock"] for s in subnets if _tier(s) == "app"}
    assert {e["CidrBlock"] for e in db_ingress} == app_cidrs
    assert {e["PortRange"]["From"] for e in db_ingress} == {5432, 6379}


def test_flow_logs_go_to_cloudwatch_with_the_spec_retention(stack, account, ec2, vpc):
    flow_logs = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]
    assert len(flow_logs) == 1
    flow_log = flow_logs[0]
    assert flow_log["LogDestinationType"] == "cloud-watch-logs"
    assert flow_log["LogGroupName"] == "/envops/prod/vpc-flow-logs"
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["DeliverLogsPermissionArn"].startswith("arn:aws:iam::%s:role/" % account)
    logs = aws_client(stack, "logs", account, REGION)
    group = logs.describe_log_groups(logGroupNamePrefix="/envops/prod/vpc-flow-logs")["logGroups"][0]
    assert group["retentionInDays"] == SPEC["network"]["flow_logs"]["retention_days"]


def test_endpoints_for_s3_and_secrets_manager(ec2, vpc, subnets):
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["VpcEndpoints"]
    by_service = {e["ServiceName"]: e for e in endpoints}
    assert set(by_service) == {"com.amazonaws.%s.s3" % REGION, "com.amazonaws.%s.secretsmanager" % REGION}
    s3 = by_service["com.amazonaws.%s.s3" % REGION]
    assert s3["VpcEndpointType"] == "Gateway"
    assert len(s3["RouteTableIds"]) == AZ_COUNT + 1  # one app table per AZ + the db table
    secrets = by_service["com.amazonaws.%s.secretsmanager" % REGION]
    assert secrets["VpcEndpointType"] == "Interface"
    assert set(secrets["SubnetIds"]) == {s["SubnetId"] for s in subnets if _tier(s) == "app"}


def test_drift_is_reported_by_check_mode_and_repaired_by_a_run(inventory, ec2, vpc):
    # Exactly one changed task in check mode and in the repairing run: on the built network, check mode and a
    # second run change nothing else (idempotence, without a run of its own each).
    alb = _group(ec2, vpc, "prod-alb-sg")
    ec2.authorize_security_group_ingress(GroupId=alb["GroupId"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

    check = run_playbook("provision.yml", inventory, check=True, tags="network")
    assert check.changed_tasks(ENV) == ["Ensure the ALB security group"]
    assert (22, "0.0.0.0/0") in _ingress(_group(ec2, vpc, "prod-alb-sg")), "check mode must not repair"
    # the route tables, which hold the S3 endpoint's prefix-list routes, do not warn about them on a converged run
    assert check.warnings(ENV) == []

    run = run_playbook("provision.yml", inventory, tags="network")
    assert run.changed_tasks(ENV) == ["Ensure the ALB security group"]
    assert _ingress(_group(ec2, vpc, "prod-alb-sg")) == [(443, "0.0.0.0/0")]
    assert run.warnings(ENV) == []


def test_a_route_the_spec_does_not_declare_is_purged_and_the_endpoint_routes_stay(inventory, ec2, vpc, subnets):
    tier_of, by_subnet = _route_tables_by_tier(ec2, vpc, subnets)
    db_table = next(table for subnet, table in by_subnet.items() if tier_of[subnet] == "db")
    nat = ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NatGateways"][0]
    ec2.create_route(RouteTableId=db_table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                     NatGatewayId=nat["NatGatewayId"])

    def db_routes():
        table = ec2.describe_route_tables(RouteTableIds=[db_table["RouteTableId"]])["RouteTables"][0]
        return table["Routes"]

    check = run_playbook("provision.yml", inventory, check=True, tags="network")
    assert check.changed_tasks(ENV) == ["Ensure the db route table (local routes only, no way out)"]
    assert _default_route({"Routes": db_routes()}), "check mode must not repair"

    run = run_playbook("provision.yml", inventory, tags="network")
    assert run.changed_tasks(ENV) == ["Ensure the db route table (local routes only, no way out)"]
    routes = db_routes()
    assert _default_route({"Routes": routes}) == []
    assert [r["GatewayId"][:5] for r in routes if "DestinationPrefixListId" in r] == ["vpce-"]
