# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""S3 bucket replication: validation of the wanted rules, the comparable shape of a replication
configuration, its preconditions, and thin boto3 wrappers.

A bucket has at most one replication configuration and PutBucketReplication replaces all of it, so
the configuration is compared and written as a whole. Rules are written in the V2 schema (Filter,
Priority and DeleteMarkerReplication on every rule).

GetBucketReplication does not echo the request: it reports a name-only destination as an ARN, an
empty filter as ``{}`` or ``{"Prefix": ""}``, leaves out a disabled SSE-KMS selection and may leave
out Priority (which then means 0). Both sides are therefore reduced to one normalised shape
(snake_case, one key per module option) before they are compared. Settings the module does not
manage (replication time control, metrics, tag filters, replica modification sync...) are kept
under ``unmanaged`` when they are enabled, so a configuration that has them differs from the wanted
one, shows them in the diff and loses them when it is rewritten.
"""

import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.s3 import S3ErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.s3 import validate_bucket_name
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

ReplicationState = Dict[str, Any]
RuleState = Dict[str, Any]

ENABLED = "Enabled"
DISABLED = "Disabled"

# What AWS stores when a V2 rule leaves Priority out.
DEFAULT_PRIORITY = 0

# Limits of PutBucketReplication.
MAX_RULES = 1000
MAX_RULE_ID_LENGTH = 255
MAX_PREFIX_LENGTH = 1024

# Replica storage classes S3 replication accepts (botocore's enum also lists FSx and Backup classes,
# which are not replication targets).
STORAGE_CLASSES = [
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "GLACIER_IR",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
]

# GetBucketReplication on a bucket without a replication configuration. AWS and moto answer
# ReplicationConfigurationNotFoundError; some S3-compatible stores say NoSuchReplicationConfiguration.
MISSING_CONFIGURATION_CODES = ["ReplicationConfigurationNotFoundError", "NoSuchReplicationConfiguration"]

# GetBucketLocation answers these legacy values for two regions.
LEGACY_LOCATIONS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}

ACCOUNT_ID = re.compile(r"^\d{12}$")


# --------------------------------------------------------------------------------------------------
# Validation of the module parameters (no AWS call)


def _is_arn(value: str) -> bool:
    return value.startswith("arn:")


def _parse_arn(value: Optional[str]) -> Optional[Dict[str, Any]]:
    # parse_aws_arn searches anywhere in the string; an ARN must start with arn:.
    if not value or not _is_arn(value):
        return None
    return parse_aws_arn(value)


def bucket_name_of(bucket: str) -> str:
    """The bucket name of a bucket name or of an S3 bucket ARN."""
    if _is_arn(bucket):
        arn = _parse_arn(bucket)
        return arn["resource"] if arn else bucket
    return bucket


def bucket_arn(bucket: str, partition: str = "aws") -> str:
    """The ARN of a bucket given by name or ARN (an ARN is kept as it is)."""
    if _is_arn(bucket):
        return bucket
    return f"arn:{partition}:s3:::{bucket}"


def partition_of(arn: Optional[str]) -> str:
    parsed = _parse_arn(arn)
    return parsed["partition"] if parsed else "aws"


def _bucket_problem(name: str, value: str) -> Optional[str]:
    if _is_arn(value):
        arn = _parse_arn(value)
        if (
            not arn
            or arn["service"] != "s3"
            or arn["region"]
            or arn["account_id"]
            or not arn["resource"]
            or "/" in arn["resource"]
            or ":" in arn["resource"]
        ):
            return f"{name} {value!r} is not an S3 bucket ARN (arn:aws:s3:::bucket-name)."
        value = arn["resource"]
    problem = validate_bucket_name(value)
    if problem:
        return f"{name} {value!r} is not a valid bucket name: {problem}."
    return None


def _role_problem(role_arn: str) -> Optional[str]:
    role = _parse_arn(role_arn)
    if not role or role["service"] != "iam" or role["resource_type"] != "role" or not role["account_id"]:
        return f"role_arn {role_arn!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)."
    return None


def _kms_key_problem(name: str, key_arn: str) -> Optional[str]:
    key = _parse_arn(key_arn)
    if (
        not key
        or key["service"] != "kms"
        or not key["region"]
        or not key["account_id"]
        or key["resource_type"] not in ("key", "alias")
    ):
        return (
            f"{name} {key_arn!r} is not a KMS key or alias ARN in the destination region"
            " (arn:aws:kms:REGION:123456789012:key/ID)."
        )
    return None


def _duplicates(values: List[Any]) -> List[Any]:
    seen = set()
    duplicated = []
    for value in values:
        if value in seen and value not in duplicated:
            duplicated.append(value)
        seen.add(value)
    return duplicated


def _rule_problems(index: int, rule: Dict[str, Any], source_bucket: str, partition: str) -> List[str]:
    label = f"rules[{index}] ({rule.get('id')!r})"
    problems = []
    if not rule.get("id") or len(rule["id"]) > MAX_RULE_ID_LENGTH:
        problems.append(f"{label}: id must be 1 to {MAX_RULE_ID_LENGTH} characters long.")
    if rule.get("priority") is not None and rule["priority"] < 0:
        problems.append(f"{label}: priority must be 0 or more, not {rule['priority']}.")
    if len(rule.get("prefix") or "") > MAX_PREFIX_LENGTH:
        problems.append(f"{label}: prefix is longer than {MAX_PREFIX_LENGTH} characters.")

    destination = rule.get("destination_bucket")
    if not destination:
        problems.append(f"{label}: destination_bucket is required.")
    else:
        problem = _bucket_problem(f"{label}: destination_bucket", destination)
        if problem:
            problems.append(problem)
        else:
            if bucket_name_of(destination) == source_bucket:
                problems.append(f"{label}: destination_bucket {destination!r} is the source bucket itself.")
            if _is_arn(destination) and partition_of(destination) != partition:
                problems.append(
                    f"{label}: destination_bucket {destination!r} is not in the partition of role_arn ({partition})."
                )

    if rule.get("destination_kms_key_id"):
        problem = _kms_key_problem(f"{label}: destination_kms_key_id", rule["destination_kms_key_id"])
        if problem:
            problems.append(problem)
    account = rule.get("replica_owner_account")
    if account is not None and not ACCOUNT_ID.match(account):
        problems.append(f"{label}: replica_owner_account {account!r} is not a 12-digit AWS account id.")
    return problems


def validate_params(params: Dict[str, Any]) -> List[str]:
    """Checks the argument spec cannot express; returns the problems found."""
    if params["state"] == "absent":
        return []

    problems = []
    role_arn = params.get("role_arn")
    if not role_arn:
        problems.append("role_arn is required when state=present.")
    else:
        problem = _role_problem(role_arn)
        if problem:
            problems.append(problem)

    rules = params.get("rules") or []
    if not rules:
        problems.append("rules must list at least one rule when state=present.")
    elif len(rules) > MAX_RULES:
        problems.append(f"rules lists {len(rules)} rules; a replication configuration holds at most {MAX_RULES}.")

    partition = partition_of(role_arn)
    for index, rule in enumerate(rules):
        problems.extend(_rule_problems(index, rule, params["bucket"], partition))

    duplicated_ids = _duplicates([rule.get("id") for rule in rules])
    if duplicated_ids:
        problems.append(f"Rule ids must be unique: {', '.join(map(repr, duplicated_ids))} used more than once.")
    duplicated_priorities = _duplicates([_priority(rule.get("priority")) for rule in rules])
    if duplicated_priorities:
        problems.append(
            "Rule priorities must be unique (an unset priority is 0): "
            f"{', '.join(map(str, duplicated_priorities))} used more than once."
        )
    return problems


# --------------------------------------------------------------------------------------------------
# Normalised shape


def _priority(value: Any) -> int:
    return DEFAULT_PRIORITY if value is None else int(value)


def _enabled(container: Optional[Dict[str, Any]]) -> bool:
    return bool(container) and container.get("Status") == ENABLED


def _sort_rules(rules: List[RuleState]) -> List[RuleState]:
    return sorted(rules, key=lambda rule: (rule["priority"], rule["id"]))


def _tag_dict(tags: Any) -> Dict[str, str]:
    if isinstance(tags, dict):
        tags = [tags]
    return {tag["Key"]: tag.get("Value", "") for tag in tags or []}


def _filter_of(rule: Dict[str, Any], unmanaged: Dict[str, Any]) -> str:
    """The prefix a rule filters on; tag filters and the V1 schema go to unmanaged."""
    if "Filter" not in rule:
        # V1 schema: a Prefix on the rule itself, no Priority, delete markers always replicated.
        unmanaged["schema"] = "V1"
        return rule.get("Prefix") or ""
    rule_filter = rule["Filter"] or {}
    if "And" in rule_filter:
        rule_filter = rule_filter["And"] or {}
        tags = _tag_dict(rule_filter.get("Tags"))
    else:
        tags = _tag_dict(rule_filter.get("Tag"))
    if tags:
        unmanaged["filter_tags"] = tags
    return rule_filter.get("Prefix") or ""


def normalise_rule(rule: Dict[str, Any], partition: str = "aws") -> RuleState:
    """The comparable shape of a rule of a GetBucketReplication response."""
    destination = rule.get("Destination") or {}
    selection = rule.get("SourceSelectionCriteria") or {}
    unmanaged: Dict[str, Any] = {}

    prefix = _filter_of(rule, unmanaged)
    if "schema" in unmanaged:
        delete_markers = True
    else:
        delete_markers = _enabled(rule.get("DeleteMarkerReplication"))

    owner_override = (destination.get("AccessControlTranslation") or {}).get("Owner") == "Destination"
    replica_owner = destination.get("Account") if owner_override else None
    if destination.get("Account") and not owner_override:
        unmanaged["destination_account"] = destination["Account"]

    for name, container in (
        ("replication_time", destination.get("ReplicationTime")),
        ("metrics", destination.get("Metrics")),
        ("replica_modifications", selection.get("ReplicaModifications")),
        ("existing_object_replication", rule.get("ExistingObjectReplication")),
    ):
        if _enabled(container):
            unmanaged[name] = container

    state = {
        "id": rule.get("ID", ""),
        "priority": _priority(rule.get("Priority")),
        "status": rule.get("Status", DISABLED),
        "prefix": prefix,
        "destination_bucket": bucket_arn(destination.get("Bucket", ""), partition),
        "storage_class": destination.get("StorageClass") or None,
        "delete_marker_replication": delete_markers,
        "replicate_sse_kms_objects": _enabled(selection.get("SseKmsEncryptedObjects")),
        "destination_kms_key_id": (destination.get("EncryptionConfiguration") or {}).get("ReplicaKmsKeyID") or None,
        "replica_owner_account": replica_owner,
    }
    if unmanaged:
        state["unmanaged"] = unmanaged
    return state


def normalise_configuration(configuration: Optional[Dict[str, Any]]) -> ReplicationState:
    """The comparable shape of a ReplicationConfiguration; {} when there is none."""
    if not configuration:
        return {}
    partition = partition_of(configuration.get("Role"))
    return {
        "role_arn": configuration.get("Role"),
        "rules": _sort_rules([normalise_rule(rule, partition) for rule in configuration.get("Rules", [])]),
    }


def normalise_rule_params(rule: Dict[str, Any], partition: str) -> RuleState:
    """The comparable shape of one entry of the rules option."""
    kms_key = rule.get("destination_kms_key_id") or None
    return {
        "id": rule["id"],
        "priority": _priority(rule.get("priority")),
        "status": rule.get("status") or ENABLED,
        "prefix": rule.get("prefix") or "",
        "destination_bucket": bucket_arn(rule["destination_bucket"], partition),
        "storage_class": rule.get("storage_class") or None,
        "delete_marker_replication": bool(rule.get("delete_marker_replication")),
        "replicate_sse_kms_objects": kms_key is not None,
        "destination_kms_key_id": kms_key,
        "replica_owner_account": rule.get("replica_owner_account") or None,
    }


def normalise_params(params: Dict[str, Any]) -> ReplicationState:
    """The comparable shape of the module parameters (state=present, validated)."""
    partition = partition_of(params["role_arn"])
    return {
        "role_arn": params["role_arn"],
        "rules": _sort_rules([normalise_rule_params(rule, partition) for rule in params["rules"]]),
    }


def differing_fields(current: ReplicationState, desired: ReplicationState) -> List[str]:
    """What differs, as sorted paths: role_arn, rules[ID].field, rules[ID] (added or removed)."""
    if current == desired:
        return []
    fields = []
    if current.get("role_arn") != desired.get("role_arn"):
        fields.append("role_arn")
    current_rules = {rule["id"]: rule for rule in current.get("rules", [])}
    desired_rules = {rule["id"]: rule for rule in desired.get("rules", [])}
    for rule_id in sorted(set(current_rules) | set(desired_rules)):
        before, after = current_rules.get(rule_id), desired_rules.get(rule_id)
        if before is None or after is None:
            fields.append(f"rules[{rule_id}]")
            continue
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                fields.append(f"rules[{rule_id}].{key}")
    return fields


def destination_buckets(desired: ReplicationState) -> Dict[str, List[str]]:
    """Destination bucket name -> replica KMS key ARNs its rules use (possibly none)."""
    result: Dict[str, List[str]] = {}
    for rule in desired["rules"]:
        keys = result.setdefault(bucket_name_of(rule["destination_bucket"]), [])
        if rule["destination_kms_key_id"] and rule["destination_kms_key_id"] not in keys:
            keys.append(rule["destination_kms_key_id"])
    return result


def replication_configuration(desired: ReplicationState) -> Dict[str, Any]:
    """The PutBucketReplication ReplicationConfiguration of a normalised desired state (V2 schema)."""
    rules = []
    for state in desired["rules"]:
        destination: Dict[str, Any] = {"Bucket": state["destination_bucket"]}
        if state["storage_class"]:
            destination["StorageClass"] = state["storage_class"]
        if state["replica_owner_account"]:
            destination["Account"] = state["replica_owner_account"]
            destination["AccessControlTranslation"] = {"Owner": "Destination"}
        if state["destination_kms_key_id"]:
            destination["EncryptionConfiguration"] = {"ReplicaKmsKeyID": state["destination_kms_key_id"]}
        rule = {
            "ID": state["id"],
            "Priority": state["priority"],
            "Status": state["status"],
            "Filter": {"Prefix": state["prefix"]},
            "DeleteMarkerReplication": {"Status": ENABLED if state["delete_marker_replication"] else DISABLED},
            "Destination": destination,
        }
        if state["replicate_sse_kms_objects"]:
            rule["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {"Status": ENABLED}}
        rules.append(rule)
    return {"Role": desired["role_arn"], "Rules": rules}


# --------------------------------------------------------------------------------------------------
# Preconditions


def region_of_location(location_constraint: Optional[str]) -> str:
    return LEGACY_LOCATIONS.get(location_constraint, location_constraint)


def versioning_problem(role: str, bucket: str, status: Optional[str]) -> Optional[str]:
    """Why a bucket (source or destination) cannot take part in replication, from its versioning status.

    status is None when the bucket does not exist, "" when versioning was never enabled.
    """
    if status is None:
        return f"{role} bucket {bucket!r} does not exist."
    if status != ENABLED:
        state = "suspended" if status == "Suspended" else "never enabled"
        return f"{role} bucket {bucket!r} needs versioning enabled (versioning is {state})."
    return None


def kms_region_problems(bucket: str, region: str, key_arns: List[str]) -> List[str]:
    """Replica KMS keys must live in the region of the destination bucket."""
    problems = []
    for key_arn in key_arns:
        key_region = parse_aws_arn(key_arn)["region"]
        if key_region != region:
            problems.append(
                f"destination_kms_key_id {key_arn!r} is in {key_region}, but destination bucket {bucket!r}"
                f" is in {region}: the replica key must be in the destination region."
            )
    return problems


# --------------------------------------------------------------------------------------------------
# boto3 wrappers


class ReplicationErrorHandler(S3ErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(MISSING_CONFIGURATION_CODES)


class BucketErrorHandler(S3ErrorHandler):
    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NoSuchBucket")


@ReplicationErrorHandler.list_error_handler("get bucket replication", {})
@aws_retry()
def get_bucket_replication(client, bucket: str) -> Dict[str, Any]:
    """The ReplicationConfiguration of a bucket, {} when it has none."""
    return client.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]


@BucketErrorHandler.list_error_handler("get bucket versioning", None)
@aws_retry()
def get_bucket_versioning_status(client, bucket: str) -> Optional[str]:
    """Enabled, Suspended or "" (never enabled); None when the bucket does not exist."""
    return client.get_bucket_versioning(Bucket=bucket).get("Status", "")


@BucketErrorHandler.list_error_handler("get bucket location", None)
@aws_retry()
def get_bucket_region(client, bucket: str) -> Optional[str]:
    """The region of a bucket; None when the bucket does not exist."""
    return region_of_location(client.get_bucket_location(Bucket=bucket).get("LocationConstraint"))


@ReplicationErrorHandler.common_error_handler("put bucket replication")
@aws_retry(extra_codes=["OperationAborted"])
def put_bucket_replication(client, bucket: str, configuration: Dict[str, Any]) -> bool:
    client.put_bucket_replication(Bucket=bucket, ReplicationConfiguration=configuration)
    return True


@BucketErrorHandler.deletion_error_handler("delete bucket replication")
@aws_retry(extra_codes=["OperationAborted"])
def delete_bucket_replication(client, bucket: str) -> bool:
    client.delete_bucket_replication(Bucket=bucket)
    return True
