"""The WAFv2 corrections of moto (associations listed, logging destinations checked), shown through boto3 against a
moto server of this module's own."""

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.local_inventory import fresh_account_id

REGION = "eu-central-1"
VISIBILITY = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "acl"}


def clients(url):
    account = fresh_account_id()
    return tuple(boto3.client(service, endpoint_url=url, region_name=REGION, aws_access_key_id=account,
                              aws_secret_access_key="local-moto-not-a-secret") for service in ("wafv2", "logs"))


def web_acl(wafv2, name):
    return wafv2.create_web_acl(Name=name, Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[],
                                VisibilityConfig=VISIBILITY)["Summary"]["ARN"]


def alb_arn(account_suffix):
    return "arn:aws:elasticloadbalancing:%s:123456789012:loadbalancer/app/envops-%s/50dc6c495c0c9188" % (
        REGION, account_suffix)


def test_a_resource_is_listed_by_the_one_web_acl_it_is_associated_with(private_moto):
    wafv2 = clients(private_moto)[0]
    first, second = web_acl(wafv2, "first"), web_acl(wafv2, "second")
    alb = alb_arn("staging")
    assert wafv2.list_resources_for_web_acl(WebACLArn=first)["ResourceArns"] == []
    wafv2.associate_web_acl(WebACLArn=first, ResourceArn=alb)
    wafv2.associate_web_acl(WebACLArn=first, ResourceArn=alb)
    assert wafv2.list_resources_for_web_acl(WebACLArn=first)["ResourceArns"] == [alb]
    assert wafv2.list_resources_for_web_acl(WebACLArn=first, ResourceType="API_GATEWAY")["ResourceArns"] == []
    wafv2.associate_web_acl(WebACLArn=second, ResourceArn=alb)
    assert wafv2.list_resources_for_web_acl(WebACLArn=first)["ResourceArns"] == []
    assert wafv2.list_resources_for_web_acl(WebACLArn=second)["ResourceArns"] == [alb]
    assert wafv2.get_web_acl_for_resource(ResourceArn=alb)["WebACL"]["ARN"] == second
    wafv2.disassociate_web_acl(ResourceArn=alb)
    assert wafv2.list_resources_for_web_acl(WebACLArn=second)["ResourceArns"] == []
    with pytest.raises(ClientError) as caught:
        wafv2.list_resources_for_web_acl(WebACLArn=second.replace("second", "nothing"))
    assert caught.value.response["Error"]["Code"] == "WAFNonexistentItemException"


def test_logging_goes_only_to_an_aws_waf_logs_group_of_an_existing_web_acl(private_moto):
    wafv2, logs = clients(private_moto)
    acl = web_acl(wafv2, "logged")
    for name in ("aws-waf-logs-staging", "staging-waf"):
        logs.create_log_group(logGroupName=name)
    arns = {group["logGroupName"]: group["arn"].rstrip("*").rstrip(":")
            for group in logs.describe_log_groups()["logGroups"]}
    with pytest.raises(ClientError) as caught:
        wafv2.put_logging_configuration(LoggingConfiguration={"ResourceArn": acl,
                                                              "LogDestinationConfigs": [arns["staging-waf"]]})
    assert caught.value.response["Error"]["Code"] == "WAFInvalidParameterException"
    with pytest.raises(ClientError) as caught:
        wafv2.put_logging_configuration(LoggingConfiguration={
            "ResourceArn": acl.replace("logged", "nothing"), "LogDestinationConfigs": [arns["aws-waf-logs-staging"]]})
    assert caught.value.response["Error"]["Code"] == "WAFNonexistentItemException"
    wafv2.put_logging_configuration(LoggingConfiguration={"ResourceArn": acl,
                                                          "LogDestinationConfigs": [arns["aws-waf-logs-staging"]]})
    configuration = wafv2.get_logging_configuration(ResourceArn=acl)["LoggingConfiguration"]
    assert configuration["LogDestinationConfigs"] == [arns["aws-waf-logs-staging"]]
