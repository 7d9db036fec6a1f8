# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of the conformance audit: live evidence (module_utils ``audit_evidence``) against the environment's
normalised spec. Pure: no AWS call, so every check is unit-tested with evidence that passes and evidence that fails.

Each check returns results ``{id, severity, status, resource, message, evidence}``: status ``passed``, ``failed``
or ``not_applicable`` (with the reason in ``message``; a capability the collection does not provision yet is never
reported passed). ``evidence`` is what the check read, as the report shows it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envops.aws.plugins.module_utils import backup_rules
from ansible_collections.envops.aws.plugins.module_utils import baseline_plan
from ansible_collections.envops.aws.plugins.module_utils import observability_plan

HIGH = "high"
MEDIUM = "medium"
LOW = "low"
SEVERITIES = (HIGH, MEDIUM, LOW)

PASSED = "passed"
FAILED = "failed"
NOT_APPLICABLE = "not_applicable"
STATUSES = (PASSED, FAILED, NOT_APPLICABLE)


def result(check_id, severity, resource, problems, evidence, passed_message="conforms to the spec"):
    """A passed result when ``problems`` is empty, else a failed one whose message lists them."""
    return {"id": check_id, "severity": severity, "resource": resource,
            "status": FAILED if problems else PASSED,
            "message": "; ".join(problems) if problems else passed_message,
            "evidence": evidence}


def not_applicable(check_id, severity, resource, reason, evidence=None):
    return {"id": check_id, "severity": severity, "resource": resource, "status": NOT_APPLICABLE,
            "message": reason, "evidence": evidence if evidence is not None else {}}


# --------------------------------------------------------------------------------------------------------------------
# keys: a store is encrypted with the right KEY CLASS, not with any key


def key_matches(reference, key):
    """Whether a KMS key reference as a service reports it (key ARN, key id, alias name or ARN) is ``key``
    (``{arn, key_id, alias}`` of evidence ``keys``)."""
    if not reference or not key:
        return False
    reference = str(reference)
    names = {key.get("arn"), key.get("key_id"), key.get("alias"), key.get("alias_arn")} - {None}
    if reference in names:
        return True
    return bool(key.get("key_id")) and reference.endswith(":key/" + key["key_id"])


def _key_problem(reference, keys, key_class, environment):
    key = (keys or {}).get(key_class)
    if key is None:
        return "the %s key alias/envops/%s/%s does not exist" % (key_class, environment, key_class)
    if not key_matches(reference, key):
        return "encrypted with %s, not the %s key alias/envops/%s/%s (%s)" % (
            reference or "no customer key", key_class, environment, key_class, key.get("arn"))
    return None


def logs_key_class(spec):
    """The class of the key the topics and log groups use (as role observability chooses it)."""
    return "logs" if "logs" in spec["data"]["kms_key_classes"] else "data"


def backup_key_class(spec):
    """The class of the key the backup vaults use (as role backup_plan chooses it)."""
    return "backups" if "backups" in spec["data"]["kms_key_classes"] else "data"


# --------------------------------------------------------------------------------------------------------------------
# encryption at rest


def check_encryption_rds(spec, evidence):
    db = evidence.get("database")
    if "database" not in spec["data"]:
        return [not_applicable("encryption.rds", HIGH, "rds", "the spec has no data.database")]
    resource = "rds:%s" % db["identifier"]
    if not db.get("exists"):
        return [result("encryption.rds", HIGH, resource, ["the instance does not exist"], db)]
    shown = {"storage_encrypted": db.get("storage_encrypted"), "kms_key_id": db.get("kms_key_id")}
    problems = [] if db.get("storage_encrypted") else ["storage is not encrypted"]
    problems += [p for p in [_key_problem(db.get("kms_key_id"), evidence["keys"], "data", spec["name"])] if p]
    return [result("encryption.rds", HIGH, resource, problems, shown)]


def check_encryption_dynamodb(spec, evidence):
    results = []
    for table in evidence.get("tables", []):
        resource = "dynamodb:%s" % table["name"]
        if not table.get("exists"):
            results.append(result("encryption.dynamodb", HIGH, resource, ["the table does not exist"], table))
            continue
        shown = {"sse_status": table.get("sse_status"), "sse_type": table.get("sse_type"),
                 "kms_key_arn": table.get("kms_key_arn")}
        problems = [] if table.get("sse_status") == "ENABLED" and table.get("sse_type") == "KMS" else [
            "server-side encryption is %s/%s, not ENABLED/KMS" % (table.get("sse_status"), table.get("sse_type"))]
        problems += [p for p in [_key_problem(table.get("kms_key_arn"), evidence["keys"], "data", spec["name"])] if p]
        results.append(result("encryption.dynamodb", HIGH, resource, problems, shown))
    return results


def _s3_managed_in_spec(spec, purpose):
    """Whether the spec's bucket of ``purpose`` is SSE-S3 (the access logs bucket: AWS delivers to no other kind)."""
    return any(b["purpose"] == purpose and b.get("encryption") == "s3_managed" for b in spec["data"]["buckets"])


def check_encryption_s3(spec, evidence):
    results = []
    for bucket in evidence.get("buckets", []):
        resource = "s3:%s" % bucket["name"]
        if not bucket.get("exists"):
            results.append(result("encryption.s3", HIGH, resource, ["the bucket does not exist"], bucket))
            continue
        encryption = bucket.get("encryption")
        if not encryption:
            results.append(result("encryption.s3", HIGH, resource, ["no default encryption"], {"encryption": None}))
            continue
        if _s3_managed_in_spec(spec, bucket.get("purpose")):
            problems = [] if encryption.get("algorithm") == "AES256" else [
                "default encryption is %s, not AES256 (the spec says s3_managed)" % encryption.get("algorithm")]
            results.append(result("encryption.s3", HIGH, resource, problems, {"encryption": encryption}))
            continue
        problems = [] if encryption.get("algorithm") == "aws:kms" else [
            "default encryption is %s, not aws:kms" % encryption.get("algorithm")]
        problems += [p for p in [_key_problem(encryption.get("kms_key_id"), evidence["keys"], "data", spec["name"])]
                     if p]
        results.append(result("encryption.s3", HIGH, resource, problems, {"encryption": encryption}))
    return results


def check_encryption_elasticache(spec, evidence):
    cache = evidence.get("cache")
    if "cache" not in spec["data"]:
        return [not_applicable("encryption.elasticache", HIGH, "elasticache", "the spec has no data.cache")]
    resource = "elasticache:%s" % cache["id"]
    if not cache.get("exists"):
        return [result("encryption.elasticache", HIGH, resource, ["the replication group does not exist"], cache)]
    shown = {"at_rest_encryption": cache.get("at_rest_encryption"), "kms_key_id": cache.get("kms_key_id")}
    problems = [] if cache.get("at_rest_encryption") else ["at-rest encryption is off"]
    problems += [p for p in [_key_problem(cache.get("kms_key_id"), evidence["keys"], "data", spec["name"])] if p]
    return [result("encryption.elasticache", HIGH, resource, problems, shown)]


def check_encryption_backup_vault(spec, evidence):
    results = []
    key_class = backup_key_class(spec)
    for vault, keys in ((evidence["backup"]["vault"], evidence["keys"]),
                        (evidence["backup"].get("dr_vault"), evidence.get("dr_keys"))):
        if vault is None:
            continue
        resource = "backup-vault:%s (%s)" % (vault["name"], vault["region"])
        if not vault.get("exists"):
            results.append(result("encryption.backup_vault", HIGH, resource, ["the vault does not exist"], vault))
            continue
        problem = _key_problem(vault.get("kms_key_arn"), keys, key_class, spec["name"])
        results.append(result("encryption.backup_vault", HIGH, resource, [problem] if problem else [],
                              {"kms_key_arn": vault.get("kms_key_arn")}))
    return results


# --------------------------------------------------------------------------------------------------------------------
# TLS forced


def denies_insecure_transport(policy, bucket):
    """Whether a bucket policy denies every S3 action on the bucket and its objects to anyone without TLS."""
    wanted = {"arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket}
    for statement in (policy or {}).get("Statement", []):
        if statement.get("Effect") != "Deny" or statement.get("Principal") not in ("*", {"AWS": "*"}):
            continue
        actions = statement.get("Action")
        actions = [actions] if isinstance(actions, str) else list(actions or [])
        resources = statement.get("Resource")
        resources = {resources} if isinstance(resources, str) else set(resources or [])
        condition = (statement.get("Condition") or {}).get("Bool", {})
        secure = condition.get("aws:SecureTransport")
        secure = secure[0] if isinstance(secure, list) and len(secure) == 1 else secure
        if ("s3:*" in actions or "*" in actions) and wanted <= resources and str(secure).lower() == "false":
            return True
    return False


def check_tls_s3(spec, evidence):
    results = []
    for bucket in evidence.get("buckets", []):
        resource = "s3:%s" % bucket["name"]
        if not bucket.get("exists"):
            results.append(result("tls.s3", HIGH, resource, ["the bucket does not exist"], bucket))
            continue
        policy = bucket.get("policy")
        problems = [] if denies_insecure_transport(policy, bucket["name"]) else [
            "the bucket policy does not deny s3:* when aws:SecureTransport is false"]
        results.append(result("tls.s3", HIGH, resource, problems, {"policy": policy}))
    return results


def check_tls_rds(spec, evidence):
    if "database" not in spec["data"]:
        return [not_applicable("tls.rds", HIGH, "rds", "the spec has no data.database")]
    db = evidence["database"]
    resource = "rds:%s" % db["identifier"]
    if not db.get("exists"):
        return [result("tls.rds", HIGH, resource, ["the instance does not exist"], db)]
    shown = {"parameter_group": db.get("parameter_group"), "rds.force_ssl": db.get("force_ssl")}
    if not db.get("parameter_group") or db["parameter_group"].startswith("default."):
        # a default group cannot be changed, so nothing the collection set forces TLS there
        return [result("tls.rds", HIGH, resource,
                       ["the instance uses the default parameter group %s: rds.force_ssl is not set by the "
                        "environment" % db.get("parameter_group")], shown)]
    if db.get("force_ssl") is None:
        return [result("tls.rds", HIGH, resource,
                       ["parameter group %s does not set rds.force_ssl" % db["parameter_group"]], shown)]
    problems = [] if str(db["force_ssl"]) == "1" else ["rds.force_ssl is %s, not 1" % db["force_ssl"]]
    return [result("tls.rds", HIGH, resource, problems, shown)]


def check_tls_elasticache(spec, evidence):
    if "cache" not in spec["data"]:
        return [not_applicable("tls.elasticache", HIGH, "elasticache", "the spec has no data.cache")]
    cache = evidence["cache"]
    resource = "elasticache:%s" % cache["id"]
    if not cache.get("exists"):
        return [result("tls.elasticache", HIGH, resource, ["the replication group does not exist"], cache)]
    problems = [] if cache.get("transit_encryption") else ["in-transit encryption is off"]
    return [result("tls.elasticache", HIGH, resource, problems,
                   {"transit_encryption": cache.get("transit_encryption")})]


# --------------------------------------------------------------------------------------------------------------------
# nothing public

PUBLIC_ACCESS_BLOCK_FIELDS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def public_statements(policy):
    """The Sids (or indexes) of statements that allow anyone, without a condition narrowing it."""
    found = []
    for index, statement in enumerate((policy or {}).get("Statement", [])):
        principal = statement.get("Principal")
        anyone = principal == "*" or (isinstance(principal, dict) and "*" in (
            [principal.get("AWS")] if isinstance(principal.get("AWS"), str) else principal.get("AWS") or []))
        if statement.get("Effect") == "Allow" and anyone and not statement.get("Condition"):
            found.append(statement.get("Sid") or "#%d" % index)
    return found


def check_public_s3(spec, evidence):
    results = []
    for bucket in evidence.get("buckets", []):
        resource = "s3:%s" % bucket["name"]
        if not bucket.get("exists"):
            results.append(result("public.s3", HIGH, resource, ["the bucket does not exist"], bucket))
            continue
        block = bucket.get("public_access_block") or {}
        problems = ["public access block %s is not on" % field
                    for field in PUBLIC_ACCESS_BLOCK_FIELDS if not block.get(field)]
        allowed = public_statements(bucket.get("policy"))
        if allowed:
            problems.append("the bucket policy allows anyone (statement %s)" % ", ".join(allowed))
        results.append(result("public.s3", HIGH, resource, problems,
                              {"public_access_block": bucket.get("public_access_block"), "public_statements": allowed}))
    return results


def check_public_rds(spec, evidence):
    if "database" not in spec["data"]:
        return [not_applicable("public.rds", HIGH, "rds", "the spec has no data.database")]
    db = evidence["database"]
    resource = "rds:%s" % db["identifier"]
    if not db.get("exists"):
        return [result("public.rds", HIGH, resource, ["the instance does not exist"], db)]
    problems = ["the instance is publicly accessible"] if db.get("publicly_accessible") else []
    return [result("public.rds", HIGH, resource, problems, {"publicly_accessible": db.get("publicly_accessible")})]


# --------------------------------------------------------------------------------------------------------------------
# backups, PITR, retention, vault lock


def check_backup_pitr_dynamodb(spec, evidence):
    results = []
    for table in evidence.get("tables", []):
        resource = "dynamodb:%s" % table["name"]
        if not spec["backup"]["pitr"]:
            results.append(not_applicable("backup.pitr.dynamodb", HIGH, resource, "the spec's backup.pitr is false"))
            continue
        if not table.get("exists"):
            results.append(result("backup.pitr.dynamodb", HIGH, resource, ["the table does not exist"], table))
            continue
        problems = [] if table.get("pitr_status") == "ENABLED" else [
            "point-in-time recovery is %s" % (table.get("pitr_status") or "off")]
        results.append(result("backup.pitr.dynamodb", HIGH, resource, problems,
                              {"pitr_status": table.get("pitr_status")}))
    return results


def check_backup_retention_rds(spec, evidence):
    if "database" not in spec["data"]:
        return [not_applicable("backup.retention.rds", HIGH, "rds", "the spec has no data.database")]
    db = evidence["database"]
    resource = "rds:%s" % db["identifier"]
    if not db.get("exists"):
        return [result("backup.retention.rds", HIGH, resource, ["the instance does not exist"], db)]
    wanted = spec["backup"]["retention_days"]
    actual = db.get("backup_retention_days")
    problems = [] if actual == wanted else [
        "automated backups kept %s days, the spec's backup.retention_days is %d" % (actual, wanted)]
    return [result("backup.retention.rds", HIGH, resource, problems, {"backup_retention_days": actual})]


def _plan_rule_view(rule):
    """A rule as both AWS and backup_rules.plan_rules describe it, for comparison."""
    return {
        "target_vault": rule.get("target_backup_vault_name"),
        "schedule": rule.get("schedule_expression"),
        "delete_after_days": (rule.get("lifecycle") or {}).get("delete_after_days"),
        "continuous_backup": bool(rule.get("enable_continuous_backup")),
        "copies_to": sorted(action.get("destination_backup_vault_arn") for action in rule.get("copy_actions") or []),
    }


def check_backup_plan(spec, evidence):
    expected = [_plan_rule_view(rule) for rule in backup_rules.plan_rules(spec)]
    plan = evidence["backup"].get("plan") or {}
    resource = "backup-plan:envops-%s" % spec["name"]
    if not expected:
        return [not_applicable("backup.plan", MEDIUM, resource, "the spec's backup.schedule is none")]
    if not plan.get("exists"):
        return [result("backup.plan", MEDIUM, resource, ["the backup plan does not exist"], plan)]
    actual = [_plan_rule_view(rule) for rule in plan.get("rules", [])]
    problems = [] if actual == expected else ["the plan's rules %s differ from the spec's %s" % (actual, expected)]
    return [result("backup.plan", MEDIUM, resource, problems, {"rules": actual, "expected": expected})]


def check_backup_vault_lock(spec, evidence):
    lock = spec["backup"].get("vault_lock")
    results = []
    for vault in (evidence["backup"]["vault"], evidence["backup"].get("dr_vault")):
        if vault is None:
            continue
        resource = "backup-vault:%s (%s)" % (vault["name"], vault["region"])
        if not lock:
            results.append(not_applicable("backup.vault_lock", HIGH, resource, "the spec has no backup.vault_lock"))
            continue
        shown = {"locked": vault.get("locked"), "min_retention_days": vault.get("min_retention_days"),
                 "max_retention_days": vault.get("max_retention_days")}
        if not vault.get("exists"):
            results.append(result("backup.vault_lock", HIGH, resource, ["the vault does not exist"], shown))
            continue
        problems = [] if vault.get("locked") else ["the vault has no lock"]
        if vault.get("locked"):
            for field, key in (("min_retention_days", "min_retention_days"), ("max_retention_days", "max_retention_days")):
                if lock.get(key) is not None and vault.get(field) != lock[key]:
                    problems.append("%s is %s, the spec's backup.vault_lock.%s is %s"
                                    % (field, vault.get(field), key, lock[key]))
        results.append(result("backup.vault_lock", HIGH, resource, problems, shown))
    return results


# --------------------------------------------------------------------------------------------------------------------
# network


def check_network_flow_logs(spec, evidence):
    vpc = evidence.get("vpc")
    wanted = spec["network"]["flow_logs"]
    if vpc is None:
        return [result("network.flow_logs", HIGH, "vpc:%s-vpc" % spec["name"], ["the VPC does not exist"], {})]
    resource = "vpc:%s" % vpc["id"]
    group = evidence.get("flow_log_group_name")
    active = [log for log in evidence.get("flow_logs", []) if log.get("status") == "ACTIVE"
              and log.get("log_group_name") == group]
    shown = {"flow_logs": evidence.get("flow_logs", []), "expected_log_group": group}
    if not active:
        return [result("network.flow_logs", HIGH, resource, ["no active flow log delivers to %s" % group], shown)]
    problems = [] if any(log.get("traffic_type") == wanted["traffic_type"] for log in active) else [
        "flow logs capture %s, the spec's network.flow_logs.traffic_type is %s"
        % (", ".join(sorted({str(log.get("traffic_type")) for log in active})), wanted["traffic_type"])]
    return [result("network.flow_logs", HIGH, resource, problems, shown)]


def check_network_flow_log_retention(spec, evidence):
    wanted = spec["network"]["flow_logs"]["retention_days"]
    group = evidence.get("flow_log_group") or {}
    resource = "log-group:%s" % evidence.get("flow_log_group_name")
    if not group.get("exists"):
        return [result("network.flow_logs.retention", MEDIUM, resource, ["the flow log group does not exist"], group)]
    actual = group.get("retention_days")
    problems = [] if actual == wanted else [
        "kept %s days, the spec's network.flow_logs.retention_days is %d" % (actual or "forever", wanted)]
    return [result("network.flow_logs.retention", MEDIUM, resource, problems, {"retention_days": actual})]


# --------------------------------------------------------------------------------------------------------------------
# tags


def tag_problems(wanted, actual):
    problems = []
    for key, value in sorted(wanted.items()):
        if key not in (actual or {}):
            problems.append("tag %s is missing" % key)
        elif str(actual[key]) != str(value):
            problems.append("tag %s is %r, the spec says %r" % (key, actual[key], str(value)))
    return problems


def tagged_resources(evidence):
    """(resource, tags) of every resource the audit read tags of."""
    if evidence.get("vpc"):
        yield "vpc:%s" % evidence["vpc"]["id"], evidence["vpc"].get("tags")
    db = evidence.get("database")
    if db and db.get("exists"):
        yield "rds:%s" % db["identifier"], db.get("tags")
    for table in evidence.get("tables", []):
        if table.get("exists"):
            yield "dynamodb:%s" % table["name"], table.get("tags")
    for bucket in evidence.get("buckets", []):
        if bucket.get("exists"):
            yield "s3:%s" % bucket["name"], bucket.get("tags")
    cache = evidence.get("cache")
    if cache and cache.get("exists"):
        yield "elasticache:%s" % cache["id"], cache.get("tags")
    vault = evidence["backup"]["vault"]
    if vault.get("exists"):
        yield "backup-vault:%s (%s)" % (vault["name"], vault["region"]), vault.get("tags")


def check_tags_required(spec, evidence):
    return [result("tags.required", MEDIUM, resource, tag_problems(spec["tags"], tags), {"tags": tags})
            for resource, tags in tagged_resources(evidence)]


# --------------------------------------------------------------------------------------------------------------------
# account baseline (names from baseline_plan)


def check_baseline_cloudtrail(spec, evidence):
    trail = evidence.get("cloudtrail") or {}
    resource = "cloudtrail:%s" % baseline_plan.trail_name(spec["name"])
    if not trail.get("exists"):
        return [result("baseline.cloudtrail", HIGH, resource, ["the trail does not exist"], trail)]
    problems = []
    if not trail.get("logging"):
        problems.append("the trail is not logging")
    if not trail.get("multi_region"):
        problems.append("the trail is not multi-region")
    if not trail.get("log_file_validation"):
        problems.append("log file validation is off")
    key_problem = _key_problem(trail.get("kms_key_id"), evidence["keys"], "logs", spec["name"])
    if key_problem:
        problems.append(key_problem)
    logs_bucket = evidence.get("logs_bucket")
    if logs_bucket and trail.get("s3_bucket") != logs_bucket:
        problems.append("delivers to %s, not the environment's logs bucket %s" % (trail.get("s3_bucket"), logs_bucket))
    return [result("baseline.cloudtrail", HIGH, resource, problems, trail)]


def check_baseline_guardduty(spec, evidence):
    detectors = (evidence.get("guardduty") or {}).get("detectors", [])
    resource = "guardduty:%s" % evidence.get("region")
    enabled = [d for d in detectors if d.get("status") == "ENABLED"]
    problems = [] if enabled else ["no enabled GuardDuty detector" if detectors else "no GuardDuty detector"]
    return [result("baseline.guardduty", HIGH, resource, problems, {"detectors": detectors})]


def check_baseline_securityhub(spec, evidence):
    hub = evidence.get("securityhub") or {}
    resource = "securityhub:%s" % evidence.get("region")
    if hub.get("error"):
        return [result("baseline.securityhub", MEDIUM, resource, ["Security Hub could not be read: %s" % hub["error"]],
                       hub)]
    enabled = set(hub.get("standards") or [])
    missing = [arn for arn in baseline_plan.security_hub_standards(evidence["region"]) if arn not in enabled]
    problems = ["Security Hub is not enabled"] if not hub.get("enabled") else [
        "standard %s is not enabled" % arn for arn in missing]
    return [result("baseline.securityhub", MEDIUM, resource, problems, hub)]


def check_baseline_config(spec, evidence):
    config = evidence.get("config") or {}
    resource = "config:%s" % evidence.get("region")
    recorders = config.get("recorders", [])
    problems = []
    if not any(r.get("name") == baseline_plan.CONFIG_RECORDER_NAME and r.get("recording") for r in recorders):
        problems.append("the configuration recorder %s is not recording" % baseline_plan.CONFIG_RECORDER_NAME)
    rules = config.get("rules", {})
    for name, identifier in sorted(baseline_plan.CONFIG_RULES.items()):
        if name not in rules:
            problems.append("rule %s is missing" % name)
        elif rules[name].get("identifier") != identifier:
            problems.append("rule %s checks %s, not %s" % (name, rules[name].get("identifier"), identifier))
    return [result("baseline.config", MEDIUM, resource, problems, config)]


def check_baseline_password_policy(spec, evidence):
    policy = evidence.get("password_policy")
    resource = "iam:account-password-policy"
    if policy is None:
        return [result("baseline.password_policy", MEDIUM, resource, ["the account has no password policy"], {})]
    problems = ["%s is %s, not %s" % (field, policy.get(field), value)
                for field, value in sorted(baseline_plan.PASSWORD_POLICY.items()) if policy.get(field) != value]
    return [result("baseline.password_policy", MEDIUM, resource, problems, policy)]


def check_baseline_ebs_encryption(spec, evidence):
    ebs = evidence.get("ebs_encryption") or {}
    resource = "ec2:ebs-encryption-by-default (%s)" % evidence.get("region")
    problems = [] if ebs.get("enabled") else ["EBS encryption by default is off"]
    if ebs.get("enabled") and ebs.get("kms_key_id") is not None:
        key_problem = _key_problem(ebs.get("kms_key_id"), evidence["keys"], "data", spec["name"])
        problems += [key_problem] if key_problem else []
    return [result("baseline.ebs_encryption", HIGH, resource, problems, ebs)]


# --------------------------------------------------------------------------------------------------------------------
# organization


def check_org_scp(spec, evidence):
    org = evidence.get("organization")
    ou = spec["account"].get("ou")
    resource = "ou:%s" % ou
    if org is None:
        return [not_applicable("org.scp", HIGH, resource,
                               "no credentials of the organization's management account were given")]
    if org.get("error"):
        return [result("org.scp", HIGH, resource, [org["error"]], org)]
    expected = org.get("expected_policy")
    problems = []
    if not org.get("ou_id"):
        problems.append("the organization has no OU %s" % ou)
    else:
        if expected not in org.get("policies", []):
            problems.append("SCP %s is not attached to OU %s" % (expected, ou))
        if org.get("account_parent") is None:
            problems.append("account %s is not a member of the organization" % spec["account"]["id"])
        elif org.get("account_parent") != org["ou_id"]:
            problems.append("account %s is not in OU %s (its parent is %s)"
                            % (spec["account"]["id"], ou, org.get("account_parent")))
    return [result("org.scp", HIGH, resource, problems, org)]


# --------------------------------------------------------------------------------------------------------------------
# edge


def _https_problems(spec, listeners):
    https = [listener for listener in listeners if listener["protocol"] == "HTTPS"]
    if not https:
        return ["no HTTPS listener"]
    problems = []
    listener = https[0]
    wanted_certificate = spec["edge"].get("certificate_arn")
    if not listener["certificates"]:
        problems.append("the HTTPS listener has no certificate")
    elif wanted_certificate and wanted_certificate not in listener["certificates"]:
        problems.append("the HTTPS listener serves %s, not the spec's edge.certificate_arn" % listener["certificates"][0])
    if listener["ssl_policy"] != spec["edge"]["ssl_policy"]:
        problems.append("TLS policy %s, the spec's edge.ssl_policy is %s"
                        % (listener["ssl_policy"], spec["edge"]["ssl_policy"]))
    return problems


def check_edge_alb(spec, evidence):
    alb = evidence.get("load_balancer") or {}
    resource = "elbv2:%s" % alb.get("name", observability_plan.alb_name(spec["name"]))
    if not alb.get("exists"):
        return [result("edge.alb", HIGH, resource, ["the load balancer does not exist"], alb)]
    listeners = alb.get("listeners", [])
    problems = [] if alb.get("scheme") == "internet-facing" else ["scheme is %s" % alb.get("scheme")]
    problems += _https_problems(spec, listeners)
    plain = [listener for listener in listeners if listener["protocol"] == "HTTP"]
    for listener in plain:
        redirects = [a for a in listener["actions"] if a["type"] == "redirect" and a.get("protocol") == "HTTPS"]
        if not redirects or redirects[0].get("status_code") != "HTTP_301":
            problems.append("HTTP listener on port %s does not redirect to HTTPS (301)" % listener["port"])
    logs = alb.get("access_logs") or {}
    if not logs.get("enabled"):
        problems.append("access logs are off")
    elif evidence.get("alb_logs_bucket") and logs.get("bucket") != evidence["alb_logs_bucket"]:
        problems.append("access logs go to %s, not the access logs bucket %s" % (
            logs.get("bucket"), evidence["alb_logs_bucket"]))
    if spec["type"] in ("production", "dr") and not alb.get("deletion_protection"):
        problems.append("deletion protection is off in a %s environment" % spec["type"])
    if not alb.get("drop_invalid_header_fields"):
        problems.append("invalid header fields are passed to the targets")
    shown_keys = ("scheme", "access_logs", "deletion_protection", "drop_invalid_header_fields", "listeners")
    shown = dict((k, alb.get(k)) for k in shown_keys)
    return [result("edge.alb", HIGH, resource, problems, shown)]


def check_edge_certificate(spec, evidence):
    resource = "acm:%s" % observability_plan.certificate_name(spec["name"])
    if spec["type"] not in ("production", "dr"):
        return [not_applicable("edge.certificate", MEDIUM, resource,
                               "a generated certificate is acceptable in a %s environment" % spec["type"])]
    problems = [] if spec["edge"].get("certificate_arn") else [
        "a %s environment serves a generated self-signed certificate: set edge.certificate_arn" % spec["type"]]
    return [result("edge.certificate", MEDIUM, resource, problems,
                   {"certificate_arn": spec["edge"].get("certificate_arn")})]


def check_edge_target_groups(spec, evidence):
    alb = evidence.get("load_balancer") or {}
    if not alb.get("exists"):
        return [not_applicable("edge.target_groups", MEDIUM, "elbv2:%s" % alb.get("name"),
                               "the load balancer does not exist (edge.alb fails)")]
    results = []
    wanted = spec["edge"]["health_check"]
    for colour in observability_plan.TARGET_COLOURS:
        resource = "elbv2:%s" % observability_plan.target_group_name(spec["name"], colour)
        group = alb.get("target_groups", {}).get(colour)
        if group is None:
            results.append(result("edge.target_groups", MEDIUM, resource, ["the target group does not exist"], {}))
            continue
        problems = ["health check %s is %s, the spec says %s" % (field, group["health_check"].get(field), value)
                    for field, value in sorted(wanted.items()) if group["health_check"].get(field) != value]
        if group.get("port") != spec["network"]["app_port"]:
            problems.append("port %s, the spec's network.app_port is %s"
                            % (group.get("port"), spec["network"]["app_port"]))
        results.append(result("edge.target_groups", MEDIUM, resource, problems, group))
    return results


def check_edge_waf(spec, evidence):
    resource = "wafv2:%s" % observability_plan.web_acl_name(spec["name"])
    waf_spec = spec["waf"]
    if not waf_spec["enabled"]:
        return [not_applicable("edge.waf", HIGH, resource, "the spec's waf.enabled is false")]
    waf = evidence.get("waf") or {}
    if not waf.get("exists"):
        return [result("edge.waf", HIGH, resource, ["the web ACL does not exist"], waf)]
    problems = [] if waf.get("associated_with_alb") else ["the web ACL is not associated with the load balancer"]
    rules = waf.get("rules", [])
    limits = [r["rate_limit"] for r in rules if "rate_limit" in r]
    if waf_spec["rate_limit"] not in limits:
        problems.append("no rate-based rule at the spec's %d requests per 5 minutes (found %s)"
                        % (waf_spec["rate_limit"], limits or "none"))
    groups = dict((r["managed_group"], r.get("overrides", {})) for r in rules if "managed_group" in r)
    for group in waf_spec["managed_rules"]:
        if group not in groups:
            problems.append("managed rule group %s is missing" % group)
        elif groups[group] != waf_spec["rule_overrides"].get(group, {}):
            problems.append("managed rule group %s overrides %s, the spec says %s"
                            % (group, groups[group], waf_spec["rule_overrides"].get(group, {})))
    geo = sorted(code for r in rules for code in r.get("geo", []))
    if geo != sorted(waf_spec["geo_block"]):
        problems.append("geo blocking of %s, the spec says %s" % (geo, sorted(waf_spec["geo_block"])))
    logging = waf.get("logging")
    log_group = observability_plan.waf_log_group_name(spec["name"])
    if logging is None:
        problems.append("the web ACL does not log")
    else:
        if not any(d.endswith(":log-group:%s" % log_group) for d in logging["destinations"]):
            problems.append("the web ACL logs to %s, not %s" % (logging["destinations"], log_group))
        missing = sorted(set(waf_spec["redacted_headers"]) - set(logging["redacted_headers"]))
        if missing:
            problems.append("header(s) %s are not redacted from the logs" % ", ".join(missing))
    return [result("edge.waf", HIGH, resource, problems, waf)]


# --------------------------------------------------------------------------------------------------------------------
# observability


def _expected_threshold(spec, key, value):
    """The spec's threshold in the metric's unit, computed here rather than taken from the alarm plan."""
    if key == "api_p99_latency_ms":
        return value / 1000.0  # TargetResponseTime is in seconds
    if key == "rds_free_storage_percent":
        return value / 100.0 * spec["storage"]["size_gb"] * 1024 ** 3  # FreeStorageSpace is in bytes
    return float(value)


def _topic_of(actions, topic):
    return any(action == topic["arn"] for action in actions)


def check_monitoring_alarms(spec, evidence):
    alarms = evidence.get("alarms") or {"metric": {}, "composite": {}}
    topics = evidence.get("topics") or {}
    results = []
    for key in sorted(spec["monitoring"]["alarms"]):
        for level in ("warning", "critical"):
            stem = observability_plan.alarm_name(spec["name"], key, level)
            head, tail = stem[:-len(level)], "-" + level
            found = dict((name, alarm) for name, alarm in alarms["metric"].items()
                         if name == stem or (name.startswith(head) and name.endswith(tail)))
            resource = "cloudwatch:%s" % stem
            wanted = _expected_threshold(spec, key, spec["monitoring"]["alarms"][key][level])
            severity = observability_plan.LEVEL_SEVERITY[level]
            topic = topics.get(severity, {"arn": None, "name": observability_plan.topic_name(spec["name"], severity)})
            problems = [] if found else ["no %s alarm for monitoring.alarms.%s" % (level, key)]
            for name, alarm in sorted(found.items()):
                if alarm.get("threshold") is None or abs(alarm["threshold"] - wanted) > 1e-9 * max(1.0, abs(wanted)):
                    problems.append("%s fires at %s, the spec's %s %s means %s" % (
                        name, alarm.get("threshold"), level, spec["monitoring"]["alarms"][key][level], wanted))
                if not alarm.get("actions_enabled") or not _topic_of(alarm.get("actions", []), topic):
                    problems.append("%s does not notify %s (%s)" % (name, topic["name"], severity))
            results.append(result("monitoring.alarms", MEDIUM, resource, problems,
                                  {"threshold": wanted, "alarms": found}))
    if spec["monitoring"]["alarms"]:
        name = observability_plan.service_down_alarm_name(spec["name"])
        composite = alarms["composite"].get(name)
        topic = topics.get("P1", {"arn": None, "name": observability_plan.topic_name(spec["name"], "P1")})
        problems = ["the composite alarm does not exist"] if composite is None else (
            [] if composite.get("actions_enabled") and _topic_of(composite.get("actions", []), topic)
            else ["it does not page %s (P1)" % topic["name"]])
        results.append(result("monitoring.alarms", HIGH, "cloudwatch:%s" % name, problems, composite or {}))
    return results


def check_monitoring_topics(spec, evidence):
    results = []
    for severity, topic in sorted((evidence.get("topics") or {}).items()):
        resource = "sns:%s" % topic["name"]
        if not topic.get("exists"):
            results.append(result("monitoring.topics", MEDIUM, resource, ["the topic does not exist"], topic))
            continue
        problem = _key_problem(topic.get("kms_key_id"), evidence["keys"], logs_key_class(spec), spec["name"])
        results.append(result("monitoring.topics", MEDIUM, resource, [problem] if problem else [], topic))
    return results


CHECKS = (
    check_encryption_rds, check_encryption_dynamodb, check_encryption_s3, check_encryption_elasticache,
    check_encryption_backup_vault,
    check_tls_s3, check_tls_rds, check_tls_elasticache,
    check_public_s3, check_public_rds,
    check_backup_pitr_dynamodb, check_backup_retention_rds, check_backup_plan, check_backup_vault_lock,
    check_network_flow_logs, check_network_flow_log_retention,
    check_tags_required,
    check_baseline_cloudtrail, check_baseline_guardduty, check_baseline_securityhub, check_baseline_config,
    check_baseline_password_policy, check_baseline_ebs_encryption,
    check_org_scp,
    check_edge_alb, check_edge_certificate, check_edge_target_groups, check_edge_waf,
    check_monitoring_alarms, check_monitoring_topics,
)


def run_checks(spec, evidence):
    """Every check of the environment, in the order of CHECKS (within one: the order the evidence lists)."""
    results = []
    for check in CHECKS:
        results.extend(check(spec, evidence))
    return results


def summary(environment, results):
    """Counts of one environment's results, and the line the playbook prints."""
    counts = {status: sum(1 for r in results if r["status"] == status) for status in STATUSES}
    high_failed = sum(1 for r in results if r["status"] == FAILED and r["severity"] == HIGH)
    line = "audit %s: %d passed, %d failed (%d high), %d not applicable" % (
        environment, counts[PASSED], counts[FAILED], high_failed, counts[NOT_APPLICABLE])
    return {"environment": environment, "passed": counts[PASSED], "failed": counts[FAILED],
            "high_failed": high_failed, "not_applicable": counts[NOT_APPLICABLE], "line": line}
