"""The checks of the conformance audit: each one with evidence that passes and evidence that fails, against the
normalised prod spec of the shipped inventory (a database, tables, buckets, a cache, a DR region, a vault lock)."""

import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.envops.aws.plugins.module_utils import audit_checks as ac
from ansible_collections.envops.aws.plugins.module_utils import backup_rules
from ansible_collections.envops.aws.plugins.module_utils import baseline_plan
from ansible_collections.envops.aws.plugins.module_utils import observability_plan as op
from ansible_collections.envops.aws.plugins.module_utils.env_validator import validate_environment

INVENTORIES = Path(__file__).resolve().parents[4] / "inventories"
ACCOUNT = "111111111111"


def normalised(name):
    path = INVENTORIES / name / "host_vars" / name / "envops_spec.yml"
    validated = validate_environment(name, yaml.safe_load(path.read_text())["envops_spec"],
                                     {"account": {"id": ACCOUNT}})
    assert not validated.problems
    return validated.spec


SPEC = normalised("prod")
REGION, DR_REGION = SPEC["region"], SPEC["dr"]["region"]
CERTIFICATE = "arn:aws:acm:%s:%s:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d" % (REGION, ACCOUNT)
SPEC["edge"]["certificate_arn"] = CERTIFICATE
ALB_ARN = "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/envops-prod/50dc6c495c0c9188" % (REGION, ACCOUNT)


def key(region, key_class, key_id):
    return {"alias": "alias/envops/prod/%s" % key_class, "key_id": key_id,
            "alias_arn": "arn:aws:kms:%s:%s:alias/envops/prod/%s" % (region, ACCOUNT, key_class),
            "arn": "arn:aws:kms:%s:%s:key/%s" % (region, ACCOUNT, key_id)}


KEYS = {"data": key(REGION, "data", "d-1"), "logs": key(REGION, "logs", "l-1"), "backups": key(REGION, "backups", "b-1")}
DR_KEYS = {"data": key(DR_REGION, "data", "d-2"), "backups": key(DR_REGION, "backups", "b-2")}
TAGS = dict(SPEC["tags"])
TLS_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}
BLOCK = dict((field, True) for field in ac.PUBLIC_ACCESS_BLOCK_FIELDS)


def plan_rules_as_read():
    return [{"target_backup_vault_name": r["target_backup_vault_name"], "schedule_expression": r["schedule_expression"],
             "lifecycle": {"delete_after_days": r["lifecycle"]["delete_after_days"]},
             "enable_continuous_backup": r["enable_continuous_backup"],
             "copy_actions": [{"destination_backup_vault_arn": a["destination_backup_vault_arn"]}
                              for a in r.get("copy_actions", [])]}
            for r in backup_rules.plan_rules(SPEC)]


def topic_arn(severity):
    return "arn:aws:sns:%s:%s:%s" % (REGION, ACCOUNT, op.topic_name("prod", severity))


def alarms_as_read():
    """Every alarm of the prod spec as provisioned: thresholds in the metrics' units, actions to the severity topic."""
    metric = {}
    for key, levels in SPEC["monitoring"]["alarms"].items():
        for level in ("warning", "critical"):
            value = levels[level]
            threshold = value / 1000.0 if key == "api_p99_latency_ms" else (
                value / 100.0 * SPEC["storage"]["size_gb"] * 1024 ** 3 if key == "rds_free_storage_percent"
                else float(value))
            resource = "blue" if key == "api_unhealthy_hosts" else None
            metric[op.alarm_name("prod", key, level, resource)] = {
                "threshold": threshold, "actions": [topic_arn(op.LEVEL_SEVERITY[level])], "actions_enabled": True}
    return {"metric": metric, "composite": {"envops-prod-service-down": {
        "rule": "ALARM(x)", "actions": [topic_arn("P1")], "actions_enabled": True}}}


def good_evidence():
    """Evidence of an environment exactly as provisioned with its baseline."""
    return {
        "environment": "prod", "region": REGION, "account": ACCOUNT, "keys": copy.deepcopy(KEYS),
        "dr_keys": copy.deepcopy(DR_KEYS),
        "vpc": {"id": "vpc-1", "cidr": SPEC["network"]["vpc_cidr"], "tags": dict(TAGS, Name="prod-vpc")},
        "flow_logs": [{"id": "fl-1", "status": "ACTIVE", "traffic_type": "ALL",
                       "log_group_name": "/envops/prod/vpc-flow-logs", "destination_type": "cloud-watch-logs"}],
        "flow_log_group_name": "/envops/prod/vpc-flow-logs",
        "flow_log_group": {"exists": True, "retention_days": SPEC["network"]["flow_logs"]["retention_days"]},
        "database": {"identifier": "prod-postgres", "exists": True, "storage_encrypted": True,
                     "kms_key_id": KEYS["data"]["arn"], "publicly_accessible": False,
                     "backup_retention_days": SPEC["backup"]["retention_days"], "parameter_group": "envops-prod-postgres15",
                     "force_ssl": "1", "tags": dict(TAGS)},
        "tables": [{"spec_name": "t1", "name": "prod-t1", "exists": True, "sse_status": "ENABLED", "sse_type": "KMS",
                    "kms_key_arn": KEYS["data"]["arn"], "pitr_status": "ENABLED", "tags": dict(TAGS)}],
        "buckets": [{"name": "b1", "purpose": "logs", "exists": True,
                     "encryption": {"algorithm": "aws:kms", "kms_key_id": KEYS["data"]["arn"], "bucket_key": True},
                     "policy": copy.deepcopy(TLS_POLICY), "public_access_block": dict(BLOCK),
                     "tags": dict(TAGS, purpose="logs")}],
        "logs_bucket": "b1",
        "alb_logs_bucket": "b1",
        "cache": {"id": "prod-redis", "exists": True, "at_rest_encryption": True, "transit_encryption": True,
                  "kms_key_id": KEYS["data"]["arn"], "tags": dict(TAGS)},
        "backup": {"vault": {"name": "envops-prod", "region": REGION, "exists": True, "kms_key_arn": KEYS["backups"]["arn"],
                             "locked": True, "min_retention_days": 7, "max_retention_days": 35, "tags": dict(TAGS)},
                   "dr_vault": {"name": "envops-prod-dr", "region": DR_REGION, "exists": True,
                                "kms_key_arn": DR_KEYS["backups"]["arn"], "locked": True, "min_retention_days": 7,
                                "max_retention_days": 35},
                   "plan": {"name": "envops-prod", "exists": True, "rules": plan_rules_as_read()}},
        "cloudtrail": {"name": "envops-prod", "exists": True, "logging": True, "multi_region": True,
                       "log_file_validation": True, "kms_key_id": KEYS["logs"]["arn"], "s3_bucket": "b1"},
        "guardduty": {"detectors": [{"id": "d1", "status": "ENABLED"}]},
        "securityhub": {"enabled": True, "standards": baseline_plan.security_hub_standards(REGION)},
        "config": {"recorders": [{"name": "default", "recording": True}],
                   "rules": dict((name, {"identifier": ident, "state": "ACTIVE"})
                                 for name, ident in baseline_plan.CONFIG_RULES.items())},
        "password_policy": dict(baseline_plan.PASSWORD_POLICY),
        "ebs_encryption": {"enabled": True, "kms_key_id": KEYS["data"]["arn"]},
        "organization": {"ou": "Production", "ou_id": "ou-1", "expected_policy": "envops-guardrails-production",
                         "policies": ["FullAWSAccess", "envops-guardrails-production"], "account_parent": "ou-1"},
        "load_balancer": {
            "name": "envops-prod", "exists": True, "arn": ALB_ARN, "scheme": "internet-facing",
            "access_logs": {"enabled": True, "bucket": "b1", "prefix": "alb"}, "deletion_protection": True,
            "drop_invalid_header_fields": True,
            "listeners": [{"port": 80, "protocol": "HTTP", "ssl_policy": None, "certificates": [],
                           "actions": [{"type": "redirect", "protocol": "HTTPS", "port": "443",
                                        "status_code": "HTTP_301"}]},
                          {"port": 443, "protocol": "HTTPS", "ssl_policy": SPEC["edge"]["ssl_policy"],
                           "certificates": [CERTIFICATE], "actions": [{"type": "forward", "weights": {"tg-b": 100,
                                                                                                      "tg-g": 0}}]}],
            "target_groups": dict((colour, {"arn": "tg-" + colour[0], "protocol": "HTTP",
                                            "port": SPEC["network"]["app_port"],
                                            "health_check": dict(SPEC["edge"]["health_check"])})
                                  for colour in ("blue", "green"))},
        "waf": {"name": "envops-prod", "exists": True, "arn": "arn:aws:wafv2:acl", "default_action": ["Allow"],
                "associated_with_alb": True,
                "rules": [{"name": "rate", "priority": 2, "rate_limit": SPEC["waf"]["rate_limit"]}]
                + [{"name": group, "priority": 10 + i, "managed_group": group, "overrides": {}}
                   for i, group in enumerate(SPEC["waf"]["managed_rules"])],
                "logging": {"destinations": ["arn:aws:logs:%s:%s:log-group:aws-waf-logs-prod" % (REGION, ACCOUNT)],
                            "redacted_headers": ["authorization", "cookie"]}},
        "alarms": alarms_as_read(),
        "topics": dict((severity, {"name": op.topic_name("prod", severity), "arn": topic_arn(severity),
                                   "exists": True, "kms_key_id": KEYS["logs"]["arn"]}) for severity in ("P1", "P2", "P3")),
    }


def statuses(check, evidence, spec=SPEC):
    return [(r["id"], r["status"], r["resource"]) for r in check(spec, evidence)]


def failed(check, evidence, spec=SPEC):
    results = check(spec, evidence)
    assert all(r["id"] and r["severity"] in ac.SEVERITIES for r in results)
    return [(r["resource"], r["message"]) for r in results if r["status"] == ac.FAILED]


def test_good_evidence_passes_every_check_but_the_capabilities_not_provisioned_yet():
    results = ac.run_checks(SPEC, good_evidence())
    assert [r for r in results if r["status"] == ac.FAILED] == []
    assert sorted(r["id"] for r in results if r["status"] == ac.NOT_APPLICABLE) == []
    summary = ac.summary("prod", results)
    assert summary["line"] == "audit prod: %d passed, 0 failed (0 high), 0 not applicable" % len(results)


# (check, how to break the evidence, resource named, words of the message)
BREAKAGES = [
    (ac.check_encryption_rds, lambda e: e["database"].update(kms_key_id=KEYS["logs"]["arn"]), "rds:prod-postgres",
     "not the data key"),
    (ac.check_encryption_rds, lambda e: e["database"].update(storage_encrypted=False), "rds:prod-postgres",
     "not encrypted"),
    (ac.check_encryption_dynamodb, lambda e: e["tables"][0].update(kms_key_arn="arn:aws:kms:x:1:key/aws-owned"),
     "dynamodb:prod-t1", "not the data key"),
    (ac.check_encryption_dynamodb, lambda e: e["tables"][0].update(sse_status="DISABLED"), "dynamodb:prod-t1",
     "not ENABLED/KMS"),
    (ac.check_encryption_s3, lambda e: e["buckets"][0].update(encryption=None), "s3:b1", "no default encryption"),
    (ac.check_encryption_s3, lambda e: e["buckets"][0]["encryption"].update(algorithm="AES256", kms_key_id=None),
     "s3:b1", "not aws:kms"),
    # the access logs bucket: the spec says s3_managed, so SSE-KMS there is what AWS would refuse to deliver to
    (ac.check_encryption_s3, lambda e: e["buckets"][0].update(purpose="alb-logs"), "s3:b1", "not AES256"),
    (ac.check_encryption_elasticache, lambda e: e["cache"].update(at_rest_encryption=False), "elasticache:prod-redis",
     "at-rest encryption is off"),
    (ac.check_encryption_backup_vault, lambda e: e["backup"]["vault"].update(kms_key_arn=KEYS["data"]["arn"]),
     "backup-vault:envops-prod (%s)" % REGION, "not the backups key"),
    (ac.check_tls_s3, lambda e: e["buckets"][0].update(policy=None), "s3:b1", "aws:SecureTransport"),
    (ac.check_tls_s3, lambda e: e["buckets"][0]["policy"]["Statement"][0]["Condition"]["Bool"].update(
        {"aws:SecureTransport": "true"}), "s3:b1", "aws:SecureTransport"),
    (ac.check_tls_rds, lambda e: e["database"].update(force_ssl="0"), "rds:prod-postgres", "rds.force_ssl is 0"),
    (ac.check_tls_rds, lambda e: e["database"].update(force_ssl=None), "rds:prod-postgres", "does not set"),
    (ac.check_tls_rds, lambda e: e["database"].update(parameter_group="default.postgres15"), "rds:prod-postgres",
     "default parameter group"),
    (ac.check_tls_elasticache, lambda e: e["cache"].update(transit_encryption=False), "elasticache:prod-redis",
     "in-transit"),
    (ac.check_public_rds, lambda e: e["database"].update(publicly_accessible=True), "rds:prod-postgres",
     "publicly accessible"),
    (ac.check_public_s3, lambda e: e["buckets"][0]["public_access_block"].update(BlockPublicPolicy=False), "s3:b1",
     "BlockPublicPolicy"),
    (ac.check_public_s3, lambda e: e["buckets"][0]["policy"]["Statement"].append(
        {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "x"}), "s3:b1",
     "statement Open"),
    (ac.check_backup_pitr_dynamodb, lambda e: e["tables"][0].update(pitr_status="DISABLED"), "dynamodb:prod-t1",
     "DISABLED"),
    (ac.check_backup_retention_rds, lambda e: e["database"].update(backup_retention_days=1), "rds:prod-postgres",
     "kept 1 days"),
    (ac.check_backup_plan, lambda e: e["backup"]["plan"]["rules"][0]["lifecycle"].update(delete_after_days=3),
     "backup-plan:envops-prod", "differ"),
    (ac.check_backup_plan, lambda e: e["backup"].update(plan={"name": "envops-prod", "exists": False}),
     "backup-plan:envops-prod", "does not exist"),
    (ac.check_backup_vault_lock, lambda e: e["backup"]["dr_vault"].update(locked=False),
     "backup-vault:envops-prod-dr (%s)" % DR_REGION, "no lock"),
    (ac.check_backup_vault_lock, lambda e: e["backup"]["vault"].update(min_retention_days=1),
     "backup-vault:envops-prod (%s)" % REGION, "min_retention_days is 1"),
    (ac.check_network_flow_logs, lambda e: e.update(flow_logs=[]), "vpc:vpc-1", "no active flow log"),
    (ac.check_network_flow_logs, lambda e: e["flow_logs"][0].update(traffic_type="REJECT"), "vpc:vpc-1",
     "capture REJECT"),
    (ac.check_network_flow_logs, lambda e: e.update(vpc=None), "vpc:prod-vpc", "VPC does not exist"),
    (ac.check_network_flow_log_retention, lambda e: e["flow_log_group"].update(retention_days=None),
     "log-group:/envops/prod/vpc-flow-logs", "kept forever"),
    (ac.check_tags_required, lambda e: e["tables"][0]["tags"].pop("owner"), "dynamodb:prod-t1", "tag owner is missing"),
    (ac.check_tags_required, lambda e: e["vpc"]["tags"].update(cost_center="other"), "vpc:vpc-1",
     "tag cost_center is 'other'"),
    (ac.check_baseline_cloudtrail, lambda e: e["cloudtrail"].update(logging=False), "cloudtrail:envops-prod",
     "not logging"),
    (ac.check_baseline_cloudtrail, lambda e: e["cloudtrail"].update(kms_key_id=KEYS["data"]["arn"]),
     "cloudtrail:envops-prod", "not the logs key"),
    (ac.check_baseline_cloudtrail, lambda e: e["cloudtrail"].update(s3_bucket="elsewhere"), "cloudtrail:envops-prod",
     "logs bucket b1"),
    (ac.check_baseline_cloudtrail, lambda e: e.update(cloudtrail={"name": "envops-prod", "exists": False}),
     "cloudtrail:envops-prod", "does not exist"),
    (ac.check_baseline_guardduty, lambda e: e["guardduty"]["detectors"][0].update(status="DISABLED"),
     "guardduty:" + REGION, "no enabled"),
    (ac.check_baseline_securityhub, lambda e: e["securityhub"]["standards"].pop(), "securityhub:" + REGION,
     "cis-aws-foundations"),
    (ac.check_baseline_securityhub, lambda e: e.update(securityhub={"enabled": False, "standards": []}),
     "securityhub:" + REGION, "not enabled"),
    (ac.check_baseline_securityhub, lambda e: e.update(securityhub={"error": "404 Not Found"}),
     "securityhub:" + REGION, "could not be read"),
    (ac.check_baseline_config, lambda e: e["config"]["rules"].pop("envops-dynamodb-pitr-enabled"),
     "config:" + REGION, "envops-dynamodb-pitr-enabled is missing"),
    (ac.check_baseline_config, lambda e: e["config"]["recorders"][0].update(recording=False), "config:" + REGION,
     "not recording"),
    (ac.check_baseline_password_policy, lambda e: e["password_policy"].update(MinimumPasswordLength=8),
     "iam:account-password-policy", "MinimumPasswordLength is 8"),
    (ac.check_baseline_ebs_encryption, lambda e: e["ebs_encryption"].update(enabled=False),
     "ec2:ebs-encryption-by-default (%s)" % REGION, "off"),
    (ac.check_org_scp, lambda e: e["organization"]["policies"].remove("envops-guardrails-production"),
     "ou:Production", "SCP envops-guardrails-production is not attached"),
    (ac.check_org_scp, lambda e: e["organization"].update(account_parent="r-root"), "ou:Production",
     "is not in OU Production"),
    (ac.check_org_scp, lambda e: e["organization"].update(ou_id=None), "ou:Production", "has no OU Production"),
    (ac.check_org_scp, lambda e: e["organization"].update(account_parent=None), "ou:Production",
     "account 111111111111 is not a member of the organization"),
    (ac.check_edge_alb, lambda e: e["load_balancer"].update(deletion_protection=False), "elbv2:envops-prod",
     "deletion protection is off"),
    (ac.check_edge_alb, lambda e: e["load_balancer"]["listeners"][0]["actions"][0].update(status_code="HTTP_302"),
     "elbv2:envops-prod", "does not redirect to HTTPS"),
    (ac.check_edge_alb, lambda e: e["load_balancer"]["listeners"][1].update(ssl_policy="ELBSecurityPolicy-2016-08"),
     "elbv2:envops-prod", "TLS policy ELBSecurityPolicy-2016-08"),
    (ac.check_edge_alb, lambda e: e["load_balancer"]["listeners"][1].update(certificates=["arn:other"]),
     "elbv2:envops-prod", "not the spec's edge.certificate_arn"),
    (ac.check_edge_alb, lambda e: e["load_balancer"]["access_logs"].update(enabled=False), "elbv2:envops-prod",
     "access logs are off"),
    (ac.check_edge_alb, lambda e: e["load_balancer"]["access_logs"].update(bucket="envops-prod-logs"),
     "elbv2:envops-prod", "not the access logs bucket b1"),
    (ac.check_edge_alb, lambda e: e["load_balancer"].update(exists=False), "elbv2:envops-prod", "does not exist"),
    (ac.check_edge_certificate, lambda e: SPEC["edge"].pop("certificate_arn"), "acm:envops-prod-edge",
     "self-signed"),
    (ac.check_edge_target_groups, lambda e: e["load_balancer"]["target_groups"]["green"]["health_check"].update(
        path="/"), "elbv2:envops-prod-green", "health check path is /"),
    (ac.check_edge_waf, lambda e: e["waf"].update(associated_with_alb=False), "wafv2:envops-prod",
     "not associated"),
    (ac.check_edge_waf, lambda e: e["waf"]["rules"][0].update(rate_limit=100000), "wafv2:envops-prod",
     "no rate-based rule at the spec's 2000"),
    (ac.check_edge_waf, lambda e: e["waf"]["rules"].pop(), "wafv2:envops-prod",
     "managed rule group AWSManagedRulesAmazonIpReputationList is missing"),
    (ac.check_edge_waf, lambda e: e["waf"]["rules"][1].update(overrides={"SizeRestrictions_BODY": "count"}),
     "wafv2:envops-prod", "overrides"),
    (ac.check_edge_waf, lambda e: e["waf"]["logging"].update(redacted_headers=["authorization"]), "wafv2:envops-prod",
     "cookie are not redacted"),
    (ac.check_edge_waf, lambda e: e["waf"].update(logging=None), "wafv2:envops-prod", "does not log"),
    (ac.check_edge_waf, lambda e: e["waf"].update(exists=False), "wafv2:envops-prod", "does not exist"),
    (ac.check_monitoring_alarms, lambda e: e["alarms"]["metric"]["envops-prod-api-p99-latency-ms-critical"].update(
        threshold=500.0), "cloudwatch:envops-prod-api-p99-latency-ms-critical", "fires at 500.0"),
    (ac.check_monitoring_alarms, lambda e: e["alarms"]["metric"]["envops-prod-rds-free-storage-percent-warning"].update(
        threshold=20.0), "cloudwatch:envops-prod-rds-free-storage-percent-warning", "fires at 20.0"),
    (ac.check_monitoring_alarms, lambda e: e["alarms"]["metric"]["envops-prod-api-unhealthy-hosts-blue-warning"].update(
        actions=[topic_arn("P2")]), "cloudwatch:envops-prod-api-unhealthy-hosts-warning", "does not notify"),
    (ac.check_monitoring_alarms, lambda e: e["alarms"]["metric"].pop("envops-prod-rds-cpu-percent-critical"),
     "cloudwatch:envops-prod-rds-cpu-percent-critical", "no critical alarm for monitoring.alarms.rds_cpu_percent"),
    (ac.check_monitoring_alarms, lambda e: e["alarms"]["composite"].clear(), "cloudwatch:envops-prod-service-down",
     "does not exist"),
    (ac.check_monitoring_alarms, lambda e: SPEC["monitoring"]["alarms"]["api_5xx_rate_percent"].update(critical=2),
     "cloudwatch:envops-prod-api-5xx-rate-percent-critical", "the spec's critical 2 means 2.0"),
    (ac.check_monitoring_topics, lambda e: e["topics"]["P1"].update(kms_key_id=None), "sns:envops-prod-p1-critical",
     "not the logs key"),
    (ac.check_monitoring_topics, lambda e: e["topics"]["P3"].update(exists=False), "sns:envops-prod-p3-warning",
     "does not exist"),
]


@pytest.mark.parametrize("check,breakage,resource,words", BREAKAGES,
                         ids=["%s-%d" % (b[0].__name__, i) for i, b in enumerate(BREAKAGES)])
def test_each_check_passes_on_good_evidence_and_fails_naming_the_resource(check, breakage, resource, words):
    evidence = good_evidence()
    assert failed(check, evidence) == []
    assert any(r["status"] == ac.PASSED for r in check(SPEC, evidence))
    saved = copy.deepcopy(SPEC)
    try:
        breakage(evidence)  # a breakage may change the spec instead (the spec asks for what is not there)
        problems = failed(check, evidence)
    finally:
        SPEC.clear()
        SPEC.update(saved)
    assert [problem[0] for problem in problems] == [resource]
    assert words in problems[0][1]


def test_every_check_is_covered_by_a_breakage():
    covered = {b[0] for b in BREAKAGES}
    assert covered == set(ac.CHECKS)


def test_the_s3_managed_bucket_passes_with_aes256_only_and_the_others_keep_the_data_key():
    evidence = good_evidence()
    evidence["buckets"][0].update(purpose="alb-logs",
                                  encryption={"algorithm": "AES256", "kms_key_id": None, "bucket_key": False})
    assert [r["status"] for r in ac.check_encryption_s3(SPEC, evidence)] == [ac.PASSED]
    evidence["buckets"][0]["encryption"] = None
    assert failed(ac.check_encryption_s3, evidence) == [("s3:b1", "no default encryption")]
    evidence["buckets"][0]["encryption"] = {"algorithm": "aws:kms", "kms_key_id": KEYS["logs"]["arn"]}
    assert failed(ac.check_encryption_s3, evidence) == [
        ("s3:b1", "default encryption is aws:kms, not AES256 (the spec says s3_managed)")]
    evidence["buckets"][0].update(purpose="logs", encryption={"algorithm": "AES256", "kms_key_id": None})
    assert [problem[0] for problem in failed(ac.check_encryption_s3, evidence)] == ["s3:b1"]


def test_key_matches_arn_id_alias_and_alias_arn_only_of_that_key():
    data = KEYS["data"]
    for reference in (data["arn"], data["key_id"], data["alias"], data["alias_arn"]):
        assert ac.key_matches(reference, data)
    assert not ac.key_matches(KEYS["logs"]["arn"], data)
    assert not ac.key_matches(None, data)
    assert not ac.key_matches(data["arn"], None)


def test_missing_stores_fail_and_stores_the_spec_lacks_are_not_applicable():
    evidence = good_evidence()
    evidence["database"] = {"identifier": "prod-postgres", "exists": False}
    evidence["buckets"][0] = {"name": "b1", "purpose": "logs", "exists": False}
    for check in (ac.check_encryption_rds, ac.check_tls_rds, ac.check_public_rds, ac.check_backup_retention_rds):
        assert failed(check, evidence) == [("rds:prod-postgres", "the instance does not exist")]
    for check in (ac.check_encryption_s3, ac.check_tls_s3, ac.check_public_s3):
        assert failed(check, evidence) == [("s3:b1", "the bucket does not exist")]
    spec = copy.deepcopy(SPEC)
    del spec["data"]["database"], spec["data"]["cache"]
    for check in (ac.check_encryption_rds, ac.check_tls_rds, ac.check_public_rds, ac.check_encryption_elasticache,
                  ac.check_tls_elasticache):
        assert [r["status"] for r in check(spec, evidence)] == [ac.NOT_APPLICABLE]


def test_spec_without_pitr_lock_or_schedule_makes_those_checks_not_applicable():
    spec = copy.deepcopy(SPEC)
    spec["backup"].update(pitr=False, schedule="none")
    del spec["backup"]["vault_lock"]
    evidence = good_evidence()
    evidence["tables"][0]["pitr_status"] = "DISABLED"
    evidence["backup"]["vault"]["locked"] = False
    for check in (ac.check_backup_pitr_dynamodb, ac.check_backup_plan, ac.check_backup_vault_lock):
        assert {r["status"] for r in check(spec, evidence)} == {ac.NOT_APPLICABLE}


def test_org_scp_without_management_credentials_is_not_applicable_never_passed():
    evidence = good_evidence()
    evidence["organization"] = None
    [outcome] = ac.check_org_scp(SPEC, evidence)
    assert outcome["status"] == ac.NOT_APPLICABLE and "management account" in outcome["message"]
    evidence["organization"] = {"error": "AWSOrganizationsNotInUseException: no organization"}
    assert failed(ac.check_org_scp, evidence) == [("ou:Production", evidence["organization"]["error"])]


def test_waf_disabled_and_a_generated_certificate_outside_production_are_not_applicable():
    spec = copy.deepcopy(SPEC)
    spec["waf"]["enabled"] = False
    [outcome] = ac.check_edge_waf(spec, good_evidence())
    assert outcome["status"] == ac.NOT_APPLICABLE and "waf.enabled is false" in outcome["message"]
    spec["type"] = "staging"
    del spec["edge"]["certificate_arn"]
    [outcome] = ac.check_edge_certificate(spec, good_evidence())
    assert outcome["status"] == ac.NOT_APPLICABLE


def test_target_groups_are_not_judged_without_their_load_balancer():
    evidence = good_evidence()
    evidence["load_balancer"] = {"name": "envops-prod", "exists": False}
    assert [r["status"] for r in ac.check_edge_target_groups(SPEC, evidence)] == [ac.NOT_APPLICABLE]


def test_a_tls_deny_that_covers_only_the_objects_is_not_enough():
    policy = copy.deepcopy(TLS_POLICY)
    policy["Statement"][0]["Resource"] = "arn:aws:s3:::b1/*"
    assert not ac.denies_insecure_transport(policy, "b1")
    assert ac.denies_insecure_transport(TLS_POLICY, "b1")
    policy = copy.deepcopy(TLS_POLICY)
    policy["Statement"][0]["Effect"] = "Allow"
    assert not ac.denies_insecure_transport(policy, "b1")


def test_summary_counts_high_failures_apart():
    results = [ac.result("a", ac.HIGH, "r", ["x"], {}), ac.result("b", ac.MEDIUM, "r", ["y"], {}),
               ac.result("c", ac.LOW, "r", [], {}), ac.not_applicable("d", ac.HIGH, "r", "why")]
    assert ac.summary("dev", results) == {
        "environment": "dev", "passed": 1, "failed": 2, "high_failed": 1, "not_applicable": 1,
        "line": "audit dev: 1 passed, 2 failed (1 high), 1 not applicable"}
