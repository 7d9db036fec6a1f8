"""The Elastic Load Balancing v2 correction of moto (an ALB's default attributes), shown through boto3 against a moto
server of this module's own."""

import boto3

from tools.local_inventory import fresh_account_id

REGION = "eu-central-1"


def test_a_new_application_load_balancer_answers_every_default_attribute(private_moto):
    account = fresh_account_id()

    def client(service):
        return boto3.client(service, endpoint_url=private_moto, region_name=REGION, aws_access_key_id=account,
                            aws_secret_access_key="local-moto-not-a-secret")

    ec2, elbv2 = client("ec2"), client("elbv2")
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.%d.0/24" % index,
                                 AvailabilityZone=REGION + zone)["Subnet"]["SubnetId"]
               for index, zone in enumerate("ab")]
    arn = elbv2.create_load_balancer(Name="fix-alb", Subnets=subnets, Type="application")["LoadBalancers"][0][
        "LoadBalancerArn"]

    def attributes():
        answer = elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        return {attribute["Key"]: attribute["Value"] for attribute in answer}

    defaults = attributes()
    assert (defaults["idle_timeout.timeout_seconds"], defaults["routing.http2.enabled"],
            defaults["routing.http.desync_mitigation_mode"], defaults["access_logs.s3.enabled"],
            defaults["routing.http.drop_invalid_header_fields.enabled"], defaults["waf.fail_open.enabled"],
            defaults["load_balancing.cross_zone.enabled"], defaults["deletion_protection.enabled"]) == \
        ("60", "true", "defensive", "false", "false", "false", "true", "false")
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
        {"Key": "idle_timeout.timeout_seconds", "Value": "120"}])
    modified = attributes()
    assert modified["idle_timeout.timeout_seconds"] == "120"
    assert dict(modified, **{"idle_timeout.timeout_seconds": "60"}) == defaults, "the others keep their defaults"

    network = elbv2.create_load_balancer(Name="fix-nlb", Subnets=subnets, Type="network")["LoadBalancers"][0]
    untouched = elbv2.describe_load_balancer_attributes(LoadBalancerArn=network["LoadBalancerArn"])["Attributes"]
    assert "routing.http2.enabled" not in {attribute["Key"] for attribute in untouched}
