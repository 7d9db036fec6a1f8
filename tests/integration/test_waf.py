"""The WAF of staging, built by role edge on the local stack with IP lists, a geo block and a rule override, read back
with boto3: rules and priorities, managed groups and overrides, rate limit, geo block, IP sets, logging (destination,
retention, KMS key, redacted headers) and the association with the load balancer; re-run and --check change nothing;
with WAF then disabled the web ACL is reported and kept.
"""

import pytest

from harness import REPO, aws_client, run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

ENV = "staging"
SPEC = load_spec(ENV)
REGION = SPEC["region"]
PLAYBOOK = str(REPO / "tests" / "integration" / "data" / "provision_waf.yml")
# the load balancer stands on the network and logs to the logs bucket; the re-runs check the edge alone
TAGS = "network,buckets,edge"
WAF = dict(SPEC["waf"], ip_allow=["203.0.113.0/24"], ip_deny=["198.51.100.7/32", "192.0.2.0/24"],
           geo_block=["KP", "IR"], log_retention_days=30,
           rule_overrides={"AWSManagedRulesCommonRuleSet": {"SizeRestrictions_BODY": "count",
                                                            "NoUserAgent_HEADER": "challenge"}})
MANAGED = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
           "AWSManagedRulesAmazonIpReputationList"]


def spec_with(waf):
    # only the logs buckets (the load balancer's access logs, the WAF's log delivery), not replicated: role buckets
    # is not under test here
    buckets = [dict(bucket, critical=False) for bucket in SPEC["data"]["buckets"]
               if bucket["purpose"] in ("logs", "alb-logs")]
    return dict(SPEC, waf=waf, data=dict(SPEC["data"], buckets=buckets))


@pytest.fixture(scope="module")
def account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def client(stack, account):
    def make(service):
        return aws_client(stack, service, account, REGION)
    return make


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account):
    return write_inventory(tmp_path_factory.mktemp("inventory"), stack["moto_url"], {ENV: (spec_with(WAF), account)})


@pytest.fixture(scope="module")
def disabled_inventory(tmp_path_factory, stack, account):
    return write_inventory(tmp_path_factory.mktemp("disabled"), stack["moto_url"],
                           {ENV: (spec_with(dict(WAF, enabled=False)), account)})


@pytest.fixture(scope="module")
def load_balancer(client, provisioned):
    alb = client("elbv2").describe_load_balancers(Names=["envops-%s" % ENV])["LoadBalancers"][0]
    return {"name": alb["LoadBalancerName"], "arn": alb["LoadBalancerArn"]}


@pytest.fixture(scope="module")
def provisioned(inventory):
    run = run_playbook(PLAYBOOK, inventory, tags=TAGS)
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def rerun(inventory, provisioned):
    return run_playbook(PLAYBOOK, inventory, tags="edge")


@pytest.fixture(scope="module")
def check_rerun(inventory, rerun):
    return run_playbook(PLAYBOOK, inventory, tags="edge", check=True)


@pytest.fixture(scope="module")
def disabled_run(disabled_inventory, check_rerun):
    return run_playbook(PLAYBOOK, disabled_inventory, tags="edge")


def task_result(run, suffix):
    for play in run.report.get("plays", []):
        for task in play["tasks"]:
            if task["task"]["name"].endswith(suffix):
                return task["hosts"][ENV]
    raise KeyError(suffix)


@pytest.fixture(scope="module")
def web_acl(client, provisioned):
    wafv2 = client("wafv2")
    summary = [acl for acl in wafv2.list_web_acls(Scope="REGIONAL")["WebACLs"] if acl["Name"] == "envops-staging"]
    assert len(summary) == 1
    return wafv2.get_web_acl(Name="envops-staging", Scope="REGIONAL", Id=summary[0]["Id"])["WebACL"]


def ip_sets(client):
    wafv2 = client("wafv2")
    found = {}
    for summary in wafv2.list_ip_sets(Scope="REGIONAL")["IPSets"]:
        ip_set = wafv2.get_ip_set(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["IPSet"]
        found[ip_set["Name"]] = ip_set
    return found


def test_rules_are_evaluated_allow_deny_rate_geo_then_the_managed_groups(web_acl):
    assert web_acl["DefaultAction"] == {"Allow": {}}
    rules = sorted(web_acl["Rules"], key=lambda rule: rule["Priority"])
    assert [(rule["Priority"], rule["Name"]) for rule in rules] == list(enumerate(
        ["ip-allow", "ip-deny", "rate-limit", "geo-block"] + MANAGED))
    assert [next(iter(rule.get("Action") or rule["OverrideAction"])) for rule in rules] == [
        "Allow", "Block", "Block", "Block", "None", "None", "None", "None"]
    assert rules[2]["Statement"]["RateBasedStatement"]["Limit"] == SPEC["waf"]["rate_limit"]
    assert rules[2]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rules[3]["Statement"] == {"GeoMatchStatement": {"CountryCodes": ["KP", "IR"]}}


def test_managed_groups_carry_the_overrides_of_their_own_rules(web_acl):
    groups = {rule["Name"]: rule["Statement"]["ManagedRuleGroupStatement"] for rule in web_acl["Rules"]
              if "ManagedRuleGroupStatement" in rule["Statement"]}
    assert sorted(groups) == sorted(MANAGED)
    assert all(group["VendorName"] == "AWS" and group["Name"] == name for name, group in groups.items())
    assert groups["AWSManagedRulesCommonRuleSet"]["RuleActionOverrides"] == [
        {"Name": "NoUserAgent_HEADER", "ActionToUse": {"Challenge": {}}},
        {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]
    assert all("RuleActionOverrides" not in group for name, group in groups.items()
               if name != "AWSManagedRulesCommonRuleSet")


def test_every_rule_and_the_acl_publish_metrics_and_sample_requests(web_acl):
    configs = [web_acl["VisibilityConfig"]] + [rule["VisibilityConfig"] for rule in web_acl["Rules"]]
    assert all(config["CloudWatchMetricsEnabled"] and config["SampledRequestsEnabled"] for config in configs)
    assert len({config["MetricName"] for config in configs}) == len(configs)
    assert web_acl["VisibilityConfig"]["MetricName"] == "envops-staging"


def test_ip_sets_hold_the_spec_lists_and_the_rules_reference_them(client, web_acl):
    sets = ip_sets(client)
    assert sorted(sets["envops-staging-allow"]["Addresses"]) == ["203.0.113.0/24"]
    assert sorted(sets["envops-staging-deny"]["Addresses"]) == ["192.0.2.0/24", "198.51.100.7/32"]
    assert {s["IPAddressVersion"] for s in sets.values()} == {"IPV4"}
    references = {rule["Name"]: rule["Statement"]["IPSetReferenceStatement"]["ARN"] for rule in web_acl["Rules"]
                  if "IPSetReferenceStatement" in rule["Statement"]}
    assert references == {"ip-allow": sets["envops-staging-allow"]["ARN"],
                          "ip-deny": sets["envops-staging-deny"]["ARN"]}


def test_logging_goes_to_its_encrypted_group_without_authorization_and_cookie(client, web_acl):
    configuration = client("wafv2").get_logging_configuration(ResourceArn=web_acl["ARN"])["LoggingConfiguration"]
    group = client("logs").describe_log_groups(logGroupNamePrefix="aws-waf-logs-staging")["logGroups"]
    assert [g["logGroupName"] for g in group] == ["aws-waf-logs-staging"]
    assert configuration["LogDestinationConfigs"] == [group[0]["arn"][:-2] if group[0]["arn"].endswith(":*")
                                                      else group[0]["arn"]]
    assert sorted(field["SingleHeader"]["Name"] for field in configuration["RedactedFields"]) == [
        "authorization", "cookie"]
    assert group[0]["retentionInDays"] == 30
    key = client("kms").describe_key(KeyId="alias/envops/staging/logs")["KeyMetadata"]["Arn"]
    assert group[0]["kmsKeyId"] == key


def test_the_web_acl_protects_the_load_balancer(client, web_acl, load_balancer):
    wafv2 = client("wafv2")
    assert wafv2.list_resources_for_web_acl(WebACLArn=web_acl["ARN"])["ResourceArns"] == [load_balancer["arn"]]
    assert wafv2.get_web_acl_for_resource(ResourceArn=load_balancer["arn"])["WebACL"]["ARN"] == web_acl["ARN"]


def test_a_rerun_and_check_mode_change_nothing(rerun, check_rerun):
    for run in (rerun, check_rerun):
        assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
        assert run.changed_tasks(ENV) == []
        assert run.stats(ENV)["changed"] == 0


def test_with_waf_disabled_the_web_acl_is_reported_and_kept(disabled_run, client, web_acl, load_balancer):
    assert disabled_run.rc == 0, disabled_run.stdout[-5000:] + disabled_run.stderr[-2000:]
    warning = task_result(disabled_run, "Warn that WAF is disabled although a web ACL protects staging")
    assert not warning.get("skipped") and web_acl["ARN"] in warning["msg"]
    assert disabled_run.changed_tasks(ENV) == []
    wafv2 = client("wafv2")
    assert wafv2.get_web_acl_for_resource(ResourceArn=load_balancer["arn"])["WebACL"]["ARN"] == web_acl["ARN"]
