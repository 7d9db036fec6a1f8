"""What the audit reads, against botocore's Stubber (request shapes checked against the API models): absent
settings are evidence, never errors; only reads are made."""

import json

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import audit_evidence as ae


def client(service):
    return boto3.client(service, region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_a_bucket_without_policy_block_or_tags_is_read_as_such():
    s3 = client("s3")
    with Stubber(s3) as stub:
        stub.add_client_error("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError",
                              expected_params={"Bucket": "b1"})
        stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", expected_params={"Bucket": "b1"})
        stub.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration",
                              expected_params={"Bucket": "b1"})
        stub.add_client_error("get_bucket_tagging", "NoSuchTagSet", expected_params={"Bucket": "b1"})
        assert ae.read_bucket(s3, "b1") == {"name": "b1", "exists": True, "encryption": None, "policy": None,
                                            "public_access_block": None, "tags": {}}


def test_a_bucket_that_does_not_exist_costs_one_call():
    s3 = client("s3")
    with Stubber(s3) as stub:
        stub.add_client_error("get_bucket_encryption", "NoSuchBucket", http_status_code=404)
        assert ae.read_bucket(s3, "b1") == {"name": "b1", "exists": False}


def test_a_bucket_s_settings_are_read_as_the_checks_want_them():
    s3 = client("s3")
    policy = {"Version": "2012-10-17", "Statement": []}
    with Stubber(s3) as stub:
        stub.add_response("get_bucket_encryption", {"ServerSideEncryptionConfiguration": {"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:k"},
            "BucketKeyEnabled": True}]}}, {"Bucket": "b1"})
        stub.add_response("get_bucket_policy", {"Policy": json.dumps(policy)}, {"Bucket": "b1"})
        stub.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}},
                          {"Bucket": "b1"})
        stub.add_response("get_bucket_tagging", {"TagSet": [{"Key": "env", "Value": "prod"}]}, {"Bucket": "b1"})
        evidence = ae.read_bucket(s3, "b1")
    assert evidence["encryption"] == {"algorithm": "aws:kms", "kms_key_id": "arn:k", "bucket_key": True}
    assert evidence["policy"] == policy and evidence["tags"] == {"env": "prod"}


def test_an_account_outside_the_organization_is_evidence_not_an_error():
    org = client("organizations")
    with Stubber(org) as stub:
        stub.add_response("list_roots", {"Roots": [{"Id": "r-ab12"}]})
        stub.add_response("list_organizational_units_for_parent", {"OrganizationalUnits": [
            {"Id": "ou-ab12-11111111", "Name": "Production"}]}, {"ParentId": "r-ab12"})
        stub.add_response("list_policies_for_target", {"Policies": [{"Name": "envops-guardrails-production"}]},
                          {"TargetId": "ou-ab12-11111111", "Filter": "SERVICE_CONTROL_POLICY"})
        stub.add_client_error("list_parents", "AccountNotFoundException", expected_params={"ChildId": "111111111111"})
        evidence = ae.read_organization(org, {"name": "prod", "account": {"id": "111111111111", "ou": "Production"}},
                                        "envops-guardrails-production")
    assert evidence == {"ou": "Production", "ou_id": "ou-ab12-11111111", "expected_policy": "envops-guardrails-production",
                        "policies": ["envops-guardrails-production"], "account_parent": None}


def test_no_organization_is_recorded_as_the_error_it_is():
    org = client("organizations")
    with Stubber(org) as stub:
        stub.add_client_error("list_roots", "AWSOrganizationsNotInUseException", "no organization")
        evidence = ae.read_organization(org, {"name": "prod", "account": {"id": "111111111111", "ou": "Production"}},
                                        "envops-guardrails-production")
    assert evidence["error"] == "AWSOrganizationsNotInUseException: no organization"


@pytest.mark.parametrize("code,expected", [
    ("InvalidAccessException", {"enabled": False, "standards": []}),
    ("404", {"enabled": None, "standards": [], "error": "404: Not Found"}),
])
def test_security_hub_off_or_unreadable(code, expected):
    hub = client("securityhub")
    with Stubber(hub) as stub:
        stub.add_client_error("get_enabled_standards", code, "Not Found", http_status_code=404 if code == "404" else 401)
        assert ae.read_securityhub(hub) == expected


ALB_ARN = "arn:aws:elasticloadbalancing:eu-central-1:111111111111:loadbalancer/app/envops-prod/50dc6c495c0c9188"
TG = "arn:aws:elasticloadbalancing:eu-central-1:111111111111:targetgroup/envops-prod-%s/73e2d6bc24d8a067"


def test_a_missing_load_balancer_is_evidence_after_one_call():
    elbv2 = client("elbv2")
    with Stubber(elbv2) as stub:
        stub.add_client_error("describe_load_balancers", "LoadBalancerNotFound", expected_params={
            "Names": ["envops-prod"]})
        assert ae.read_load_balancer(elbv2, "prod") == {"name": "envops-prod", "exists": False}


def test_the_load_balancer_its_listeners_and_target_groups_are_read_as_the_checks_want_them():
    elbv2 = client("elbv2")
    health = {"HealthCheckPath": "/health/ready", "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5,
              "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 3, "Matcher": {"HttpCode": "200"}}
    with Stubber(elbv2) as stub:
        stub.add_response("describe_load_balancers", {"LoadBalancers": [{
            "LoadBalancerArn": ALB_ARN, "Scheme": "internet-facing", "Type": "application",
            "SecurityGroups": ["sg-1"]}]}, {"Names": ["envops-prod"]})
        stub.add_response("describe_load_balancer_attributes", {"Attributes": [
            {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "logs"},
            {"Key": "access_logs.s3.prefix", "Value": "alb"}, {"Key": "deletion_protection.enabled", "Value": "false"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}]},
            {"LoadBalancerArn": ALB_ARN})
        stub.add_response("describe_target_groups", {"TargetGroups": [
            dict(health, TargetGroupArn=TG % colour, TargetGroupName="envops-prod-" + colour, Protocol="HTTP",
                 Port=3000) for colour in ("blue", "green")]}, {"Names": ["envops-prod-blue", "envops-prod-green"]})
        stub.add_response("describe_listeners", {"Listeners": [
            {"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "redirect", "RedirectConfig": {
                "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]},
            {"Port": 443, "Protocol": "HTTPS", "SslPolicy": "p", "Certificates": [{"CertificateArn": "arn:c"}],
             "DefaultActions": [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
                 {"TargetGroupArn": TG % "blue", "Weight": 90}, {"TargetGroupArn": TG % "green", "Weight": 10}]}}]}]},
            {"LoadBalancerArn": ALB_ARN})
        evidence = ae.read_load_balancer(elbv2, "prod")
    assert evidence["access_logs"] == {"enabled": True, "bucket": "logs", "prefix": "alb"}
    assert evidence["deletion_protection"] is False and evidence["drop_invalid_header_fields"] is True
    assert evidence["listeners"][0]["actions"] == [{"type": "redirect", "protocol": "HTTPS", "port": "443",
                                                    "status_code": "HTTP_301"}]
    assert evidence["listeners"][1]["actions"] == [{"type": "forward", "weights": {TG % "blue": 90,
                                                                                   TG % "green": 10}}]
    assert evidence["target_groups"]["green"]["health_check"] == {
        "path": "/health/ready", "interval_seconds": 15, "timeout_seconds": 5, "healthy_threshold": 3,
        "unhealthy_threshold": 3, "matcher": "200"}


def test_the_web_acl_its_logging_and_association_are_read():
    wafv2 = client("wafv2")
    acl_arn = "arn:aws:wafv2:eu-central-1:111111111111:regional/webacl/envops-prod/a1"
    with Stubber(wafv2) as stub:
        stub.add_response("list_web_acls", {"WebACLs": [
            {"Name": "envops-staging", "Id": "b2", "ARN": acl_arn.replace("prod", "staging"), "LockToken": "t"},
            {"Name": "envops-prod", "Id": "a1", "ARN": acl_arn, "LockToken": "t"}]}, {"Scope": "REGIONAL"})
        visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "m"}
        stub.add_response("get_web_acl", {"WebACL": {
            "Name": "envops-prod", "Id": "a1", "ARN": acl_arn, "DefaultAction": {"Allow": {}},
            "VisibilityConfig": visibility, "Rules": [
                {"Name": "common", "Priority": 5, "OverrideAction": {"None": {}}, "VisibilityConfig": visibility,
                 "Statement": {"ManagedRuleGroupStatement": {
                     "VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet", "RuleActionOverrides": [
                         {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]}}},
                {"Name": "rate", "Priority": 2, "Action": {"Block": {}}, "VisibilityConfig": visibility,
                 "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}}}]},
            "LockToken": "t"}, {"Name": "envops-prod", "Scope": "REGIONAL", "Id": "a1"})
        stub.add_response("get_logging_configuration", {"LoggingConfiguration": {
            "ResourceArn": acl_arn, "LogDestinationConfigs": ["arn:aws:logs:eu-central-1:1:log-group:aws-waf-logs-prod"],
            "RedactedFields": [{"SingleHeader": {"Name": "Cookie"}}]}}, {"ResourceArn": acl_arn})
        stub.add_client_error("get_web_acl_for_resource", "WAFNonexistentItemException",
                              expected_params={"ResourceArn": ALB_ARN})
        evidence = ae.read_waf(wafv2, "prod", ALB_ARN)
    assert [r["name"] for r in evidence["rules"]] == ["rate", "common"]
    assert evidence["rules"][0]["rate_limit"] == 2000
    assert evidence["rules"][1]["overrides"] == {"SizeRestrictions_BODY": "count"}
    assert evidence["logging"]["redacted_headers"] == ["cookie"]
    assert evidence["associated_with_alb"] is False


def test_alarms_of_both_types_under_the_environment_prefix_and_missing_topics_are_read():
    cloudwatch, sns = client("cloudwatch"), client("sns")
    with Stubber(cloudwatch) as stub:
        response = {
            "MetricAlarms": [{"AlarmName": "envops-prod-rds-cpu-percent-warning", "Threshold": 70.0,
                              "ComparisonOperator": "GreaterThanThreshold", "MetricName": "CPUUtilization",
                              "AlarmActions": ["arn:p3"], "ActionsEnabled": True}],
            "CompositeAlarms": [{"AlarmName": "envops-prod-service-down", "AlarmRule": "ALARM(a)",
                                 "AlarmActions": ["arn:p1"], "ActionsEnabled": True}]}
        stub.add_response("describe_alarms", response,
                          {"AlarmNamePrefix": "envops-prod-", "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]})
        alarms = ae.read_alarms(cloudwatch, "prod")
    assert alarms["metric"]["envops-prod-rds-cpu-percent-warning"]["threshold"] == 70.0
    assert alarms["composite"]["envops-prod-service-down"]["actions"] == ["arn:p1"]
    spec = {"name": "prod", "region": "eu-central-1", "account": {"id": "111111111111"}}
    with Stubber(sns) as stub:
        for severity, name in (("P1", "critical"), ("P2", "high"), ("P3", "warning")):
            arn = "arn:aws:sns:eu-central-1:111111111111:envops-prod-%s-%s" % (severity.lower(), name)
            if severity == "P2":
                stub.add_client_error("get_topic_attributes", "NotFound", expected_params={"TopicArn": arn})
            else:
                stub.add_response("get_topic_attributes", {"Attributes": {"KmsMasterKeyId": "alias/x"}},
                                  {"TopicArn": arn})
        topics = ae.read_topics(sns, spec)
    assert topics["P2"]["exists"] is False and topics["P1"]["kms_key_id"] == "alias/x"
