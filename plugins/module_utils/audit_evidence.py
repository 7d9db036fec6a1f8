# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the conformance audit reads of an environment's live state: Describe / Get / List calls only, batched
(one DescribeVpcs by tag, one DescribeDBInstances, one ListAliases per region, paginated everywhere), each inside
``aws_retry``. Every reader returns plain data (module_utils ``audit_checks`` judges it); a resource that does not
exist is evidence too (``exists: false``), never an error.

``clients`` maps a service name to its boto3 client in the primary region; ``dr_kms`` and ``dr_backup`` are the
clients of the DR region (None without one).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

try:
    from botocore.exceptions import ClientError
except ImportError:
    ClientError = Exception  # the module reports a missing botocore itself

from ansible_collections.envops.aws.plugins.module_utils import aws_regions
from ansible_collections.envops.aws.plugins.module_utils import backup_rules
from ansible_collections.envops.aws.plugins.module_utils import baseline_plan
from ansible_collections.envops.aws.plugins.module_utils import env_rules
from ansible_collections.envops.aws.plugins.module_utils import observability_plan
from ansible_collections.envops.aws.plugins.module_utils import postgres_target
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry


def _code(error):
    return error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""


def _error_text(error):
    """``code: message`` of an error, first line only, short (a service missing behind an endpoint answers HTML)."""
    message = (error.response.get("Error", {}).get("Message") or "").strip().splitlines()
    return ("%s: %s" % (_code(error), message[0] if message else ""))[:200]


def _tags(pairs, key="Key", value="Value"):
    return dict((pair[key], pair[value]) for pair in pairs or [])


def flow_log_group_name(environment):
    """The CloudWatch Logs group role network delivers the VPC's flow logs to."""
    return "/envops/%s/vpc-flow-logs" % environment


# --------------------------------------------------------------------------------------------------------------------
# KMS


@aws_retry()
def _aliases(client):
    return [alias for page in client.get_paginator("list_aliases").paginate() for alias in page["Aliases"]]


def read_keys(client, environment, region, account):
    """Class -> {alias, alias_arn, key_id, arn} of the environment's keys in one region (one paginated call)."""
    prefix = "alias/envops/%s/" % environment
    keys = {}
    for alias in _aliases(client):
        if alias["AliasName"].startswith(prefix) and alias.get("TargetKeyId"):
            key_id = alias["TargetKeyId"]
            keys[alias["AliasName"][len(prefix):]] = {
                "alias": alias["AliasName"], "alias_arn": alias.get("AliasArn"), "key_id": key_id,
                "arn": "arn:aws:kms:%s:%s:key/%s" % (region, account, key_id)}
    return keys


# --------------------------------------------------------------------------------------------------------------------
# network


@aws_retry()
def _vpcs(client, name):
    pages = client.get_paginator("describe_vpcs").paginate(Filters=[{"Name": "tag:Name", "Values": [name]}])
    return [vpc for page in pages for vpc in page["Vpcs"]]


@aws_retry()
def _flow_logs(client, vpc_id):
    pages = client.get_paginator("describe_flow_logs").paginate(
        Filters=[{"Name": "resource-id", "Values": [vpc_id]}])
    return [log for page in pages for log in page["FlowLogs"]]


@aws_retry()
def _log_groups(client, prefix):
    pages = client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix)
    return [group for page in pages for group in page["logGroups"]]


def read_network(ec2, logs, environment):
    vpcs = _vpcs(ec2, "%s-vpc" % environment)
    group_name = flow_log_group_name(environment)
    groups = [g for g in _log_groups(logs, group_name) if g["logGroupName"] == group_name]
    evidence = {"vpc": None, "flow_logs": [], "flow_log_group_name": group_name,
                "flow_log_group": {"exists": bool(groups),
                                   "retention_days": groups[0].get("retentionInDays") if groups else None}}
    if vpcs:
        vpc = vpcs[0]
        evidence["vpc"] = {"id": vpc["VpcId"], "cidr": vpc.get("CidrBlock"), "tags": _tags(vpc.get("Tags"))}
        evidence["flow_logs"] = [{"id": log.get("FlowLogId"), "status": log.get("FlowLogStatus"),
                                  "traffic_type": log.get("TrafficType"), "log_group_name": log.get("LogGroupName"),
                                  "destination_type": log.get("LogDestinationType")}
                                 for log in _flow_logs(ec2, vpc["VpcId"])]
    return evidence


# --------------------------------------------------------------------------------------------------------------------
# data stores


@aws_retry()
def _db_instances(client, identifier):
    pages = client.get_paginator("describe_db_instances").paginate(
        Filters=[{"Name": "db-instance-id", "Values": [identifier]}])
    return [db for page in pages for db in page["DBInstances"]]


@aws_retry()
def _db_parameters(client, group):
    pages = client.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group, Source="user")
    return [p for page in pages for p in page["Parameters"]]


def read_database(rds, spec):
    identifier = postgres_target.instance_identifier(spec)
    found = [db for db in _db_instances(rds, identifier) if db["DBInstanceIdentifier"] == identifier]
    if not found:
        return {"identifier": identifier, "exists": False}
    db = found[0]
    groups = [g["DBParameterGroupName"] for g in db.get("DBParameterGroups", [])]
    group = groups[0] if groups else None
    force_ssl = None
    if group and not group.startswith("default."):
        values = [p.get("ParameterValue") for p in _db_parameters(rds, group) if p["ParameterName"] == "rds.force_ssl"]
        force_ssl = values[0] if values else None
    return {"identifier": identifier, "exists": True, "status": db.get("DBInstanceStatus"),
            "storage_encrypted": db.get("StorageEncrypted"), "kms_key_id": db.get("KmsKeyId"),
            "publicly_accessible": db.get("PubliclyAccessible"),
            "backup_retention_days": db.get("BackupRetentionPeriod"), "parameter_group": group,
            "force_ssl": force_ssl, "tags": _tags(db.get("TagList"))}


@aws_retry()
def _parameters_by_path(client, path):
    pages = client.get_paginator("get_parameters_by_path").paginate(Path=path)
    return [p for page in pages for p in page["Parameters"]]


@aws_retry(extra_codes=())
def _describe_table(client, name):
    return client.describe_table(TableName=name)["Table"]


@aws_retry()
def _continuous_backups(client, name):
    return client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]


@aws_retry()
def _table_tags(client, arn):
    tags, token = [], None
    while True:
        page = client.list_tags_of_resource(ResourceArn=arn, **({"NextToken": token} if token else {}))
        tags.extend(page.get("Tags", []))
        token = page.get("NextToken")
        if not token:
            return tags


def read_tables(dynamodb, ssm, spec):
    """The live table of each spec table: the one its SSM parameter names (a masked refresh switches it)."""
    prefix = "/%s/dynamodb/" % spec["name"]
    live = dict((p["Name"][len(prefix):], p["Value"]) for p in _parameters_by_path(ssm, prefix))
    tables = []
    for table in spec["data"].get("dynamodb_tables", []):
        name = live.get(table["name"]) or "%s-%s" % (spec["name"], table["name"])
        try:
            described = _describe_table(dynamodb, name)
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise
            tables.append({"spec_name": table["name"], "name": name, "exists": False})
            continue
        sse = described.get("SSEDescription") or {}
        pitr = _continuous_backups(dynamodb, name).get("PointInTimeRecoveryDescription") or {}
        tables.append({"spec_name": table["name"], "name": name, "exists": True,
                       "sse_status": sse.get("Status"), "sse_type": sse.get("SSEType"),
                       "kms_key_arn": sse.get("KMSMasterKeyArn"),
                       "pitr_status": pitr.get("PointInTimeRecoveryStatus"),
                       "tags": _tags(_table_tags(dynamodb, described["TableArn"]))})
    return tables


@aws_retry()
def _bucket_call(method, **kwargs):
    return method(**kwargs)


def _optional(method, missing_codes, **kwargs):
    try:
        return _bucket_call(method, **kwargs)
    except ClientError as error:
        if _code(error) in missing_codes:
            return None
        raise


def read_bucket(s3, name):
    """Encryption, policy, public access block and tags of one bucket (four Get calls)."""
    try:
        encryption = _bucket_call(s3.get_bucket_encryption, Bucket=name)
    except ClientError as error:
        if _code(error) in ("NoSuchBucket", "404"):
            return {"name": name, "exists": False}
        if _code(error) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        encryption = None
    rules = ((encryption or {}).get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    default = (rules[0].get("ApplyServerSideEncryptionByDefault") or {}) if rules else {}
    policy = _optional(s3.get_bucket_policy, ("NoSuchBucketPolicy",), Bucket=name)
    block = _optional(s3.get_public_access_block, ("NoSuchPublicAccessBlockConfiguration",), Bucket=name)
    tags = _optional(s3.get_bucket_tagging, ("NoSuchTagSet",), Bucket=name)
    return {"name": name, "exists": True,
            "encryption": {"algorithm": default.get("SSEAlgorithm"), "kms_key_id": default.get("KMSMasterKeyID"),
                           "bucket_key": rules[0].get("BucketKeyEnabled")} if default else None,
            "policy": json.loads(policy["Policy"]) if policy else None,
            "public_access_block": (block or {}).get("PublicAccessBlockConfiguration"),
            "tags": _tags((tags or {}).get("TagSet"))}


def read_buckets(s3, spec):
    buckets = []
    for bucket in spec["data"].get("buckets", []):
        evidence = read_bucket(s3, env_rules.bucket_name(spec, bucket["purpose"]))
        evidence["purpose"] = bucket["purpose"]
        buckets.append(evidence)
    return buckets


@aws_retry()
def _replication_groups(client, group_id):
    try:
        return client.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
    except ClientError as error:
        if _code(error) == "ReplicationGroupNotFoundFault":
            return []
        raise


@aws_retry()
def _elasticache_tags(client, arn):
    return client.list_tags_for_resource(ResourceName=arn).get("TagList", [])


def read_cache(elasticache, spec):
    group_id = "%s-redis" % spec["name"]
    groups = _replication_groups(elasticache, group_id)
    if not groups:
        return {"id": group_id, "exists": False}
    group = groups[0]
    return {"id": group_id, "exists": True, "at_rest_encryption": group.get("AtRestEncryptionEnabled"),
            "transit_encryption": group.get("TransitEncryptionEnabled"), "kms_key_id": group.get("KmsKeyId"),
            "tags": _tags(_elasticache_tags(elasticache, group["ARN"])) if group.get("ARN") else {}}


# --------------------------------------------------------------------------------------------------------------------
# AWS Backup


@aws_retry()
def _describe_vault(client, name):
    return client.describe_backup_vault(BackupVaultName=name)


@aws_retry()
def _backup_tags(client, arn):
    return client.list_tags(ResourceArn=arn).get("Tags", {})


def read_vault(client, name, region, with_tags):
    try:
        vault = _describe_vault(client, name)
    except ClientError as error:
        if _code(error) not in ("ResourceNotFoundException", "AccessDeniedException"):
            raise
        return {"name": name, "region": region, "exists": False}
    evidence = {"name": name, "region": region, "exists": True, "kms_key_arn": vault.get("EncryptionKeyArn"),
                "locked": bool(vault.get("Locked")), "min_retention_days": vault.get("MinRetentionDays"),
                "max_retention_days": vault.get("MaxRetentionDays")}
    if with_tags:
        evidence["tags"] = _backup_tags(client, vault["BackupVaultArn"])
    return evidence


@aws_retry()
def _backup_plans(client):
    return [plan for page in client.get_paginator("list_backup_plans").paginate() for plan in page["BackupPlansList"]]


@aws_retry()
def _backup_plan(client, plan_id):
    return client.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]


def _rule(rule):
    return {"target_backup_vault_name": rule.get("TargetBackupVaultName"),
            "schedule_expression": rule.get("ScheduleExpression"),
            "lifecycle": {"delete_after_days": (rule.get("Lifecycle") or {}).get("DeleteAfterDays")},
            "enable_continuous_backup": bool(rule.get("EnableContinuousBackup")),
            "copy_actions": [{"destination_backup_vault_arn": action.get("DestinationBackupVaultArn")}
                             for action in rule.get("CopyActions") or []]}


def read_backup(backup, dr_backup, spec):
    vault = read_vault(backup, backup_rules.vault_name(spec["name"]), spec["region"], with_tags=True)
    dr_vault = None
    if spec.get("dr"):
        dr_vault = read_vault(dr_backup, backup_rules.vault_name(spec["name"], dr=True), spec["dr"]["region"],
                              with_tags=False)
    name = "envops-%s" % spec["name"]
    plans = [p for p in _backup_plans(backup) if p.get("BackupPlanName") == name]
    plan = {"name": name, "exists": bool(plans)}
    if plans:
        plan["rules"] = [_rule(rule) for rule in _backup_plan(backup, plans[0]["BackupPlanId"]).get("Rules", [])]
    return {"vault": vault, "dr_vault": dr_vault, "plan": plan}


# --------------------------------------------------------------------------------------------------------------------
# account baseline


@aws_retry()
def _trails(client, name):
    return client.describe_trails(trailNameList=[name], includeShadowTrails=False).get("trailList", [])


@aws_retry()
def _trail_status(client, name):
    return client.get_trail_status(Name=name)


def read_cloudtrail(client, environment):
    name = baseline_plan.trail_name(environment)
    trails = [t for t in _trails(client, name) if t.get("Name") == name]
    if not trails:
        return {"name": name, "exists": False}
    trail = trails[0]
    status = _trail_status(client, trail.get("TrailARN") or name)
    return {"name": name, "exists": True, "logging": bool(status.get("IsLogging")),
            "multi_region": bool(trail.get("IsMultiRegionTrail")),
            "log_file_validation": bool(trail.get("LogFileValidationEnabled")),
            "kms_key_id": trail.get("KmsKeyId"), "s3_bucket": trail.get("S3BucketName")}


@aws_retry()
def _detector_ids(client):
    return [d for page in client.get_paginator("list_detectors").paginate() for d in page["DetectorIds"]]


@aws_retry()
def _detector(client, detector_id):
    return client.get_detector(DetectorId=detector_id)


def read_guardduty(client):
    detectors = []
    for detector_id in _detector_ids(client):
        detector = _detector(client, detector_id)
        detectors.append({"id": detector_id, "status": detector.get("Status")})
    return {"detectors": detectors}


@aws_retry()
def _enabled_standards(client):
    return [s for page in client.get_paginator("get_enabled_standards").paginate()
            for s in page["StandardsSubscriptions"]]


def read_securityhub(client):
    try:
        standards = _enabled_standards(client)
    except ClientError as error:
        if _code(error) in ("InvalidAccessException", "ResourceNotFoundException"):
            return {"enabled": False, "standards": []}
        return {"enabled": None, "standards": [], "error": _error_text(error)}
    return {"enabled": True, "standards": sorted(s["StandardsArn"] for s in standards
                                                 if s.get("StandardsStatus") in ("READY", "PENDING", None))}


@aws_retry()
def _recorder_status(client):
    return client.describe_configuration_recorder_status().get("ConfigurationRecordersStatus", [])


@aws_retry()
def _config_rules(client):
    return [r for page in client.get_paginator("describe_config_rules").paginate() for r in page["ConfigRules"]]


def read_config(client):
    recorders = [{"name": r.get("name"), "recording": bool(r.get("recording")), "last_status": r.get("lastStatus")}
                 for r in _recorder_status(client)]
    rules = dict((r["ConfigRuleName"], {"identifier": (r.get("Source") or {}).get("SourceIdentifier"),
                                        "state": r.get("ConfigRuleState")})
                 for r in _config_rules(client) if r["ConfigRuleName"] in baseline_plan.CONFIG_RULES)
    return {"recorders": recorders, "rules": rules}


@aws_retry()
def _password_policy(client):
    return client.get_account_password_policy()["PasswordPolicy"]


def read_password_policy(client):
    try:
        policy = _password_policy(client)
    except ClientError as error:
        if _code(error) == "NoSuchEntity":
            return None
        raise
    return dict((field, policy.get(field)) for field in baseline_plan.PASSWORD_POLICY)


@aws_retry()
def _ebs_default(client):
    return client.get_ebs_encryption_by_default().get("EbsEncryptionByDefault")


@aws_retry()
def _ebs_default_key(client):
    return client.get_ebs_default_kms_key_id().get("KmsKeyId")


def read_ebs_encryption(client):
    enabled = bool(_ebs_default(client))
    key = None
    if enabled:
        key = _ebs_default_key(client)
    return {"enabled": enabled, "kms_key_id": key}


# --------------------------------------------------------------------------------------------------------------------
# organization (management account)


@aws_retry()
def _roots(client):
    return [r for page in client.get_paginator("list_roots").paginate() for r in page["Roots"]]


@aws_retry()
def _ous(client, parent_id):
    pages = client.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent_id)
    return [ou for page in pages for ou in page["OrganizationalUnits"]]


@aws_retry()
def _parents(client, child_id):
    return [p for page in client.get_paginator("list_parents").paginate(ChildId=child_id) for p in page["Parents"]]


@aws_retry()
def _policies_for_target(client, target_id):
    pages = client.get_paginator("list_policies_for_target").paginate(TargetId=target_id,
                                                                      Filter="SERVICE_CONTROL_POLICY")
    return [p for page in pages for p in page["Policies"]]


def read_organization(client, spec, expected_policy):
    """The environment's OU (under the root), the SCPs attached to it and the account's parent."""
    ou_name = spec["account"].get("ou")
    evidence = {"ou": ou_name, "ou_id": None, "expected_policy": expected_policy, "policies": [],
                "account_parent": None}
    try:
        roots = _roots(client)
        matches = [ou for root in roots for ou in _ous(client, root["Id"]) if ou["Name"] == ou_name]
        if matches:
            evidence["ou_id"] = matches[0]["Id"]
            evidence["policies"] = sorted(p["Name"] for p in _policies_for_target(client, matches[0]["Id"]))
        try:
            parents = _parents(client, spec["account"]["id"])
        except ClientError as error:
            if _code(error) not in ("ChildNotFoundException", "AccountNotFoundException"):
                raise
            parents = []  # not a member of the organization
        evidence["account_parent"] = parents[0]["Id"] if parents else None
    except ClientError as error:
        if _code(error) not in ("AWSOrganizationsNotInUseException", "AccessDeniedException"):
            raise
        evidence["error"] = _error_text(error)
    return evidence


# --------------------------------------------------------------------------------------------------------------------
# edge: ALB, target groups, WAF


@aws_retry()
def _load_balancers(client, name):
    try:
        return client.describe_load_balancers(Names=[name])["LoadBalancers"]
    except ClientError as error:
        if _code(error) == "LoadBalancerNotFound":
            return []
        raise


@aws_retry()
def _lb_attributes(client, arn):
    return dict((a["Key"], a["Value"]) for a in client.describe_load_balancer_attributes(
        LoadBalancerArn=arn)["Attributes"])


@aws_retry()
def _listeners(client, arn):
    pages = client.get_paginator("describe_listeners").paginate(LoadBalancerArn=arn)
    return [listener for page in pages for listener in page["Listeners"]]


@aws_retry()
def _target_groups(client, names):
    try:
        return client.describe_target_groups(Names=names)["TargetGroups"]
    except ClientError as error:
        if _code(error) == "TargetGroupNotFound":
            return []
        raise


def _listener(listener):
    actions = []
    for action in listener.get("DefaultActions", []):
        if action.get("Type") == "redirect":
            redirect = action.get("RedirectConfig", {})
            actions.append({"type": "redirect", "protocol": redirect.get("Protocol"), "port": redirect.get("Port"),
                            "status_code": redirect.get("StatusCode")})
        elif action.get("Type") == "forward":
            groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or (
                [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}] if action.get("TargetGroupArn") else [])
            weights = dict((g["TargetGroupArn"], g.get("Weight", 1)) for g in groups)
            actions.append({"type": "forward", "weights": weights})
        else:
            actions.append({"type": action.get("Type")})
    return {"port": listener.get("Port"), "protocol": listener.get("Protocol"),
            "ssl_policy": listener.get("SslPolicy"),
            "certificates": [c["CertificateArn"] for c in listener.get("Certificates", [])], "actions": actions}


def read_load_balancer(elbv2, environment):
    name = observability_plan.alb_name(environment)
    found = _load_balancers(elbv2, name)
    if not found:
        return {"name": name, "exists": False}
    alb = found[0]
    attributes = _lb_attributes(elbv2, alb["LoadBalancerArn"])
    names = dict((observability_plan.target_group_name(environment, colour), colour)
                 for colour in observability_plan.TARGET_COLOURS)
    groups = {}
    for group in _target_groups(elbv2, sorted(names)):
        groups[names[group["TargetGroupName"]]] = {
            "arn": group["TargetGroupArn"], "protocol": group.get("Protocol"), "port": group.get("Port"),
            "health_check": {"path": group.get("HealthCheckPath"),
                             "interval_seconds": group.get("HealthCheckIntervalSeconds"),
                             "timeout_seconds": group.get("HealthCheckTimeoutSeconds"),
                             "healthy_threshold": group.get("HealthyThresholdCount"),
                             "unhealthy_threshold": group.get("UnhealthyThresholdCount"),
                             "matcher": (group.get("Matcher") or {}).get("HttpCode")}}
    return {"name": name, "exists": True, "arn": alb["LoadBalancerArn"], "scheme": alb.get("Scheme"),
            "type": alb.get("Type"), "security_groups": alb.get("SecurityGroups", []),
            "access_logs": {"enabled": attributes.get("access_logs.s3.enabled") == "true",
                            "bucket": attributes.get("access_logs.s3.bucket"),
                            "prefix": attributes.get("access_logs.s3.prefix")},
            "deletion_protection": attributes.get("deletion_protection.enabled") == "true",
            "drop_invalid_header_fields": attributes.get("routing.http.drop_invalid_header_fields.enabled") == "true",
            "listeners": [_listener(listener) for listener in _listeners(elbv2, alb["LoadBalancerArn"])],
            "target_groups": groups}


@aws_retry()
def _web_acls(client):
    acls, marker = [], None
    while True:
        page = client.list_web_acls(Scope="REGIONAL", **({"NextMarker": marker} if marker else {}))
        acls.extend(page.get("WebACLs", []))
        marker = page.get("NextMarker")
        if not marker or not page.get("WebACLs"):
            return acls


@aws_retry()
def _web_acl(client, name, acl_id):
    return client.get_web_acl(Name=name, Scope="REGIONAL", Id=acl_id)["WebACL"]


@aws_retry()
def _logging_configuration(client, arn):
    try:
        return client.get_logging_configuration(ResourceArn=arn)["LoggingConfiguration"]
    except ClientError as error:
        if _code(error) == "WAFNonexistentItemException":
            return None
        raise


@aws_retry()
def _web_acl_for_resource(client, arn):
    try:
        return client.get_web_acl_for_resource(ResourceArn=arn).get("WebACL")
    except ClientError as error:
        if _code(error) == "WAFNonexistentItemException":
            return None
        raise


def _waf_rule(rule):
    statement = rule.get("Statement", {})
    out = {"name": rule.get("Name"), "priority": rule.get("Priority")}
    if "RateBasedStatement" in statement:
        out["rate_limit"] = statement["RateBasedStatement"].get("Limit")
    if "ManagedRuleGroupStatement" in statement:
        managed = statement["ManagedRuleGroupStatement"]
        out["managed_group"] = managed.get("Name")
        out["overrides"] = dict((o.get("Name"), sorted((o.get("ActionToUse") or {}).keys())[0].lower())
                                for o in managed.get("RuleActionOverrides", []) if o.get("ActionToUse"))
    if "GeoMatchStatement" in statement:
        out["geo"] = sorted(statement["GeoMatchStatement"].get("CountryCodes", []))
    return out


def read_waf(wafv2, environment, load_balancer_arn):
    name = observability_plan.web_acl_name(environment)
    found = [acl for acl in _web_acls(wafv2) if acl.get("Name") == name]
    if not found:
        return {"name": name, "exists": False}
    acl = _web_acl(wafv2, name, found[0]["Id"])
    logging = _logging_configuration(wafv2, acl["ARN"])
    associated = None
    if load_balancer_arn:
        on_alb = _web_acl_for_resource(wafv2, load_balancer_arn)
        associated = bool(on_alb) and on_alb.get("ARN") == acl["ARN"]
    return {"name": name, "exists": True, "arn": acl["ARN"],
            "default_action": sorted((acl.get("DefaultAction") or {}).keys()),
            "rules": [_waf_rule(rule) for rule in sorted(acl.get("Rules", []), key=lambda r: r.get("Priority", 0))],
            "logging": None if logging is None else {
                "destinations": logging.get("LogDestinationConfigs", []),
                "redacted_headers": sorted(field["SingleHeader"]["Name"].lower()
                                           for field in logging.get("RedactedFields", []) if "SingleHeader" in field)},
            "associated_with_alb": associated}


# --------------------------------------------------------------------------------------------------------------------
# observability: alarms and severity topics


@aws_retry()
def _alarms(client, prefix):
    pages = client.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix,
                                                             AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    metric, composite = [], []
    for page in pages:
        metric.extend(page.get("MetricAlarms", []))
        composite.extend(page.get("CompositeAlarms", []))
    return metric, composite


def read_alarms(cloudwatch, environment):
    """The environment's metric and composite alarms: name -> what the checks compare."""
    metric, composite = _alarms(cloudwatch, observability_plan.alarm_prefix(environment))
    out = {"metric": {}, "composite": {}}
    for alarm in metric:
        out["metric"][alarm["AlarmName"]] = {
            "threshold": alarm.get("Threshold"), "comparison": alarm.get("ComparisonOperator"),
            "metric": alarm.get("MetricName") or "metric math", "extended_statistic": alarm.get("ExtendedStatistic"),
            "actions": alarm.get("AlarmActions", []), "actions_enabled": alarm.get("ActionsEnabled")}
    for alarm in composite:
        out["composite"][alarm["AlarmName"]] = {"rule": alarm.get("AlarmRule"), "actions": alarm.get("AlarmActions", []),
                                                "actions_enabled": alarm.get("ActionsEnabled")}
    return out


@aws_retry()
def _topic_attributes(client, arn):
    try:
        return client.get_topic_attributes(TopicArn=arn)["Attributes"]
    except ClientError as error:
        if _code(error) in ("NotFound", "NotFoundException"):
            return None
        raise


def read_topics(sns, spec):
    """Severity -> {name, arn, exists, kms_key_id} of the environment's topics."""
    partition = aws_regions.partition_of(spec["region"]) or "aws"
    topics = {}
    for severity in sorted(observability_plan.SEVERITIES):
        name = observability_plan.topic_name(spec["name"], severity)
        arn = "arn:%s:sns:%s:%s:%s" % (partition, spec["region"], spec["account"]["id"], name)
        attributes = _topic_attributes(sns, arn)
        topics[severity] = {"name": name, "arn": arn, "exists": attributes is not None,
                            "kms_key_id": (attributes or {}).get("KmsMasterKeyId")}
    return topics


# --------------------------------------------------------------------------------------------------------------------


def read_environment(clients, spec, organization_client=None, expected_policy=None):
    """Everything the checks of ``spec`` read, through ``clients`` (see the module's docstring)."""
    region = spec["region"]
    dr_region = (spec.get("dr") or {}).get("region")
    evidence = {"environment": spec["name"], "region": region, "account": spec["account"]["id"],
                "keys": read_keys(clients["kms"], spec["name"], region, spec["account"]["id"]),
                "dr_keys": read_keys(clients["dr_kms"], spec["name"], dr_region, spec["account"]["id"])
                if dr_region else None}
    evidence.update(read_network(clients["ec2"], clients["logs"], spec["name"]))
    evidence["database"] = read_database(clients["rds"], spec) if spec["data"].get("database") else None
    evidence["tables"] = read_tables(clients["dynamodb"], clients["ssm"], spec)
    evidence["buckets"] = read_buckets(clients["s3"], spec)
    try:
        evidence["logs_bucket"] = env_rules.bucket_name(spec, "logs")
    except KeyError:
        evidence["logs_bucket"] = None
    try:  # the load balancer's access logs have their own SSE-S3 bucket (AWS delivers to no other kind)
        evidence["alb_logs_bucket"] = env_rules.bucket_name(spec, env_rules.ALB_LOGS_PURPOSE)
    except KeyError:
        evidence["alb_logs_bucket"] = None
    evidence["cache"] = read_cache(clients["elasticache"], spec) if spec["data"].get("cache") else None
    evidence["backup"] = read_backup(clients["backup"], clients["dr_backup"] if dr_region else None, spec)
    evidence["cloudtrail"] = read_cloudtrail(clients["cloudtrail"], spec["name"])
    evidence["guardduty"] = read_guardduty(clients["guardduty"])
    evidence["securityhub"] = read_securityhub(clients["securityhub"])
    evidence["config"] = read_config(clients["config"])
    evidence["password_policy"] = read_password_policy(clients["iam"])
    evidence["ebs_encryption"] = read_ebs_encryption(clients["ec2"])
    evidence["load_balancer"] = read_load_balancer(clients["elbv2"], spec["name"])
    evidence["waf"] = (read_waf(clients["wafv2"], spec["name"], evidence["load_balancer"].get("arn"))
                       if spec["waf"]["enabled"] else None)
    evidence["alarms"] = read_alarms(clients["cloudwatch"], spec["name"])
    evidence["topics"] = read_topics(clients["sns"], spec)
    evidence["organization"] = (read_organization(organization_client, spec, expected_policy)
                                if organization_client is not None else None)
    return evidence
