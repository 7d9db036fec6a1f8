# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ElastiCache (Redis OSS) replication groups: the comparable shape of a group, the plan that
turns the current group into the desired one, and thin boto3 wrappers.

DescribeReplicationGroups does not report every setting: the subnet group, security groups,
engine version, parameter group and maintenance window are settings of the member clusters
(DescribeCacheClusters). A group is therefore read as three parts: the group, its first member
cluster (None when it cannot be read) and its tags.

Some settings are fixed at creation (IMMUTABLE_FIELDS). A difference there is refused with the
current and the wanted value: replacing a cache would lose its data.
"""

import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

GroupState = Dict[str, Any]

ENGINE = "redis"
# Shown in the diff instead of the AUTH token, which is never part of any state or result.
REDACTED = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

# Settings of the member clusters, unknown when no member cluster can be read.
CLUSTER_FIELDS = ("engine_version", "cache_subnet_group", "security_group_ids", "parameter_group", "maintenance_window")

# Fixed at creation: a difference is refused, never applied by replacing the group.
IMMUTABLE_FIELDS = (
    "at_rest_encryption",
    "kms_key_id",
    "transit_encryption",
    "cache_subnet_group",
    "port",
    "num_node_groups",
)
IMMUTABLE_HINTS = {
    "transit_encryption": "this module does not migrate in-transit encryption in place",
    "num_node_groups": "this module does not reshard",
}

# Normalised field -> ModifyReplicationGroup parameter. Order is the order of the API reference.
MODIFIABLE_FIELDS = {
    "description": "ReplicationGroupDescription",
    "automatic_failover": "AutomaticFailoverEnabled",
    "multi_az": "MultiAZEnabled",
    "security_group_ids": "SecurityGroupIds",
    "maintenance_window": "PreferredMaintenanceWindow",
    "parameter_group": "CacheParameterGroupName",
    "engine_version": "EngineVersion",
    "snapshot_retention_limit": "SnapshotRetentionLimit",
    "snapshot_window": "SnapshotWindow",
    "node_type": "CacheNodeType",
}

# Module option -> normalised field, for the options that map one to one.
OPTION_FIELDS = {
    "description": "description",
    "node_type": "node_type",
    "engine_version": "engine_version",
    "num_node_groups": "num_node_groups",
    "replicas_per_node_group": "replicas_per_node_group",
    "automatic_failover": "automatic_failover",
    "multi_az": "multi_az",
    "cache_subnet_group": "cache_subnet_group",
    "security_group_ids": "security_group_ids",
    "at_rest_encryption": "at_rest_encryption",
    "kms_key_id": "kms_key_id",
    "transit_encryption": "transit_encryption",
    "snapshot_retention_limit": "snapshot_retention_limit",
    "snapshot_window": "snapshot_window",
    "maintenance_window": "maintenance_window",
    "parameter_group": "parameter_group",
    "port": "port",
}

REPLICATION_GROUP_ID = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,39}(?<!-)$")
# Printable ASCII letters and digits, and only these special characters: ! & # $ ^ < > -
AUTH_TOKEN = re.compile(r"^[A-Za-z0-9!&#$^<>-]{16,128}$")
SNAPSHOT_WINDOW = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$")
_DAY_TIME = r"(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]"
MAINTENANCE_WINDOW = re.compile(rf"^{_DAY_TIME}-{_DAY_TIME}$", re.IGNORECASE)
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[^:]*:[0-9]{12}:key/(?P<key_id>.+)$")


class AnsibleElastiCacheError(AnsibleAWSError):
    pass


# ---------------------------------------------------------------------------------------------
# Validation


def validate_params(params: Dict[str, Any]) -> List[str]:
    """Checks of the module parameters alone, run before any API call; returns the problems found."""
    problems = []
    if not REPLICATION_GROUP_ID.fullmatch(params["replication_group_id"]):
        problems.append(
            f"replication_group_id {params['replication_group_id']!r} is invalid: 1 to 40 lowercase letters, digits"
            " and hyphens, starting with a letter, without two consecutive hyphens nor a trailing hyphen."
        )
    if params["state"] == "absent":
        return problems
    if params["final_snapshot_identifier"]:
        problems.append("final_snapshot_identifier applies only to state=absent.")

    replicas = params["replicas_per_node_group"]
    if params["multi_az"]:
        if params["automatic_failover"] is not True:
            problems.append("multi_az=true requires automatic_failover=true.")
        if replicas is None or replicas < 1:
            problems.append("multi_az=true requires replicas_per_node_group of at least 1.")
    if params["automatic_failover"] and replicas == 0:
        problems.append("automatic_failover=true requires replicas_per_node_group of at least 1.")
    if not 1 <= params["num_node_groups"] <= 500:
        problems.append(f"num_node_groups must be between 1 and 500, not {params['num_node_groups']}.")
    if params["num_node_groups"] > 1 and params["automatic_failover"] is False:
        problems.append("num_node_groups above 1 (cluster mode) requires automatic_failover=true.")
    if replicas is not None and not 0 <= replicas <= 5:
        problems.append(f"replicas_per_node_group must be between 0 and 5, not {replicas}.")

    if params["kms_key_id"] and not params["at_rest_encryption"]:
        problems.append("kms_key_id requires at_rest_encryption=true.")
    if params["auth_token"] is not None:
        if not params["transit_encryption"]:
            problems.append("auth_token requires transit_encryption=true.")
        if not AUTH_TOKEN.fullmatch(params["auth_token"]):
            # Never quote the token itself.
            problems.append(
                "auth_token must be 16 to 128 characters: letters, digits and only the special characters ! & # $ ^ < > -."
            )

    retention = params["snapshot_retention_limit"]
    if retention is not None and not 0 <= retention <= 35:
        problems.append(f"snapshot_retention_limit must be between 0 and 35 days, not {retention}.")
    if params["snapshot_window"] is not None and not SNAPSHOT_WINDOW.fullmatch(params["snapshot_window"]):
        problems.append(f"snapshot_window {params['snapshot_window']!r} is not hh24:mi-hh24:mi (UTC), for example 05:00-06:00.")
    if params["maintenance_window"] is not None and not MAINTENANCE_WINDOW.fullmatch(params["maintenance_window"]):
        problems.append(
            f"maintenance_window {params['maintenance_window']!r} is not ddd:hh24:mi-ddd:hh24:mi (UTC), for example sun:05:00-sun:06:00."
        )
    if not 1 <= params["port"] <= 65535:
        problems.append(f"port must be between 1 and 65535, not {params['port']}.")
    return problems


def validate_desired(current: GroupState, desired: GroupState) -> List[str]:
    """Checks of the state the group would have, current settings included; run before any mutating call."""
    problems = []
    if not current:
        for field, option in (("node_type", "node_type"), ("description", "description")):
            if not desired.get(field):
                problems.append(f"{option} is required to create replication group {desired['replication_group_id']}.")
    failover = desired.get("automatic_failover", False)
    replicas = desired.get("replicas_per_node_group", 0)
    if desired.get("multi_az") and not failover:
        problems.append("multi_az requires automatic_failover, which is (or would stay) disabled.")
    if (failover or desired.get("multi_az")) and desired.get("num_node_groups", 1) == 1 and not replicas:
        problems.append("automatic_failover and multi_az require at least 1 replica; the group has (or would have) none.")
    if desired.get("num_node_groups", 1) > 1 and not failover:
        problems.append("num_node_groups above 1 (cluster mode) requires automatic_failover=true.")
    return problems


# ---------------------------------------------------------------------------------------------
# Normalisation


def engine_version_matches(current: Optional[str], wanted: Optional[str]) -> bool:
    """7.1 matches 7.1.0 and 6.x matches 6.2.6: compare the leading parts both have, x matches anything."""
    if current is None or wanted is None:
        return current == wanted
    for current_part, wanted_part in zip(current.lower().split("."), wanted.lower().split(".")):
        if "x" in (current_part, wanted_part):
            return True
        if current_part != wanted_part:
            return False
    return True


def _version_key(version: str) -> Tuple[int, ...]:
    key = []
    for part in version.split("."):
        if not part.isdigit():
            break
        key.append(int(part))
    return tuple(key)


def is_engine_downgrade(current: Optional[str], wanted: Optional[str]) -> bool:
    if not current or not wanted or engine_version_matches(current, wanted):
        return False
    return _version_key(wanted) < _version_key(current)


def kms_key_id_of(key: Optional[str]) -> Optional[str]:
    """The key id in a key ARN, else the value as given (key id or alias)."""
    if not key:
        return key
    match = KMS_KEY_ARN.fullmatch(key)
    return match.group("key_id") if match else key


def kms_key_matches(current: Optional[str], wanted: Optional[str]) -> bool:
    """A key ARN matches its key id. Aliases only match themselves: resolve them first (resolve_kms_key)."""
    return current == wanted or kms_key_id_of(current) == kms_key_id_of(wanted)


def is_kms_alias(key: Optional[str]) -> bool:
    return bool(key) and (key.startswith("alias/") or ":alias/" in key)


def _enabled(value: Optional[str]) -> bool:
    # AutomaticFailover: enabled | disabled | enabling | disabling; MultiAZ: enabled | disabled.
    return value in ("enabled", "enabling")


def _port_of(group: Dict[str, Any]) -> Optional[int]:
    # Cluster mode enabled: the configuration endpoint; disabled: the primary (or a reader) endpoint.
    endpoints = [group.get("ConfigurationEndpoint")]
    for node_group in group.get("NodeGroups") or []:
        endpoints.append(node_group.get("PrimaryEndpoint"))
        endpoints.extend(member.get("ReadEndpoint") for member in node_group.get("NodeGroupMembers") or [])
    for endpoint in endpoints:
        if endpoint and endpoint.get("Port"):
            return endpoint["Port"]
    return None


def _replicas_of(group: Dict[str, Any]) -> int:
    """Replicas per node group; the smallest node group counts when they differ."""
    counts = [len(node_group.get("NodeGroupMembers", [])) - 1 for node_group in group.get("NodeGroups", [])]
    counts = [count for count in counts if count >= 0]
    if counts:
        return min(counts)
    # Cluster mode disabled groups list every node in MemberClusters too.
    return max(len(group.get("MemberClusters", [])) - 1, 0)


def normalise_replication_group(
    group: Dict[str, Any], cluster: Optional[Dict[str, Any]], tags: Dict[str, str]
) -> GroupState:
    """The comparable shape of a DescribeReplicationGroups item, its first member cluster and its tags.

    Values pending for the next maintenance window count as applied, so a change made with
    apply_immediately=false is not requested again on every run.
    """
    pending = group.get("PendingModifiedValues") or {}
    failover = group.get("AutomaticFailover")
    if pending.get("AutomaticFailoverStatus"):
        failover = pending["AutomaticFailoverStatus"]
    state = {
        "replication_group_id": group["ReplicationGroupId"],
        "description": group.get("Description"),
        "node_type": group.get("CacheNodeType"),
        "num_node_groups": len(group.get("NodeGroups", [])) or 1,
        "replicas_per_node_group": _replicas_of(group),
        "automatic_failover": _enabled(failover),
        "multi_az": _enabled(group.get("MultiAZ")),
        "at_rest_encryption": bool(group.get("AtRestEncryptionEnabled")),
        "kms_key_id": group.get("KmsKeyId"),
        "transit_encryption": bool(group.get("TransitEncryptionEnabled")),
        "auth_token_enabled": bool(group.get("AuthTokenEnabled")),
        "snapshot_retention_limit": group.get("SnapshotRetentionLimit", 0),
        "snapshot_window": group.get("SnapshotWindow"),
        "port": _port_of(group),
        "tags": dict(tags),
    }
    if cluster is not None:
        cluster_pending = cluster.get("PendingModifiedValues") or {}
        state["node_type"] = cluster_pending.get("CacheNodeType") or state["node_type"] or cluster.get("CacheNodeType")
        state["engine_version"] = cluster_pending.get("EngineVersion") or cluster.get("EngineVersion")
        state["cache_subnet_group"] = cluster.get("CacheSubnetGroupName")
        state["security_group_ids"] = sorted(
            {security_group["SecurityGroupId"] for security_group in cluster.get("SecurityGroups", [])}
        )
        state["parameter_group"] = (cluster.get("CacheParameterGroup") or {}).get("CacheParameterGroupName")
        state["maintenance_window"] = (cluster.get("PreferredMaintenanceWindow") or "").lower() or None
    return state


def desired_tags(current_tags: Dict[str, str], tags: Optional[Dict[str, Any]], purge_tags: bool) -> Dict[str, str]:
    """Tags after applying the amazon.aws contract: unset leaves them alone, aws: keys are never purged."""
    if tags is None:
        return dict(current_tags)
    tags_to_set, tags_to_unset = compare_aws_tags(current_tags, tags, purge_tags)
    result = {key: value for key, value in current_tags.items() if key not in tags_to_unset}
    result.update({key: str(value) for key, value in tags_to_set.items()})
    return result


def _wanted_value(field: str, value: Any) -> Any:
    if field == "security_group_ids":
        return sorted(set(value))
    if field == "maintenance_window":
        return value.lower()
    return value


def normalise_params(params: Dict[str, Any], current: GroupState) -> GroupState:
    """The comparable shape of the module parameters, given the current state ({} when the group is missing).

    An option left unset keeps the current value (AWS picks the value at creation). Fields the
    current state does not know (member cluster settings that could not be read) are left out.
    Wanted values equivalent to the current ones (7.1 and 7.1.0, a key id and its ARN) take the
    current spelling. The AUTH token appears as REDACTED, only when it would be sent.
    """
    desired = {"replication_group_id": params["replication_group_id"]}
    for option, field in OPTION_FIELDS.items():
        value = params[option]
        if value is None:
            if field in current:
                desired[field] = current[field]
            continue
        if current and field not in current:
            continue
        value = _wanted_value(field, value)
        if field == "engine_version" and engine_version_matches(current.get(field), value):
            value = current.get(field, value)
        if field == "kms_key_id" and kms_key_matches(current.get(field), value):
            value = current.get(field, value)
        desired[field] = value

    if params["auth_token"] is None:
        desired["auth_token_enabled"] = current.get("auth_token_enabled", False)
    else:
        desired["auth_token_enabled"] = True
        if not current.get("auth_token_enabled") or params["auth_token_update"] == "always":
            desired["auth_token"] = REDACTED
    desired["tags"] = desired_tags(current.get("tags", {}), params["tags"], params["purge_tags"])
    return desired


def unknown_fields(params: Dict[str, Any], current: GroupState) -> List[str]:
    """Options set on an existing group whose current value could not be read (so are not compared)."""
    if not current:
        return []
    return sorted(
        field for option, field in OPTION_FIELDS.items() if params[option] is not None and field not in current
    )


# ---------------------------------------------------------------------------------------------
# Comparison and planning


def differing_fields(current: GroupState, desired: GroupState) -> List[str]:
    """Names of the fields whose value differs, sorted."""
    return sorted(key for key in set(current) | set(desired) if current.get(key) != desired.get(key))


def refused_changes(current: GroupState, desired: GroupState) -> List[str]:
    """Differences no API can apply in place, one 'field (current X, wanted Y)' each; [] for a new group."""
    if not current:
        return []
    refused = []
    for field in IMMUTABLE_FIELDS:
        if field in desired and field in current and current[field] != desired[field]:
            hint = IMMUTABLE_HINTS.get(field)
            detail = f"{field} (current {current[field]!r}, wanted {desired[field]!r}"
            refused.append(detail + (f"; {hint})" if hint else ")"))
    if is_engine_downgrade(current.get("engine_version"), desired.get("engine_version")):
        refused.append(
            f"engine_version (current {current['engine_version']!r}, wanted {desired['engine_version']!r}; engines cannot be downgraded)"
        )
    return refused


def refusal_message(replication_group_id: str, refused: List[str]) -> str:
    return (
        f"Replication group {replication_group_id} cannot be changed in place: " + "; ".join(refused) + "."
        " These settings are fixed when a replication group is created. Nothing was changed: create a new"
        " replication group (for example from a snapshot) and move clients to it, or keep the current values."
    )


def plan_update(
    current: GroupState, desired: GroupState, params: Dict[str, Any]
) -> List[Tuple[str, Dict[str, Any]]]:
    """API calls (operation name, keyword arguments) that take an existing group to the desired state, in order.

    Replicas are added before failover / Multi-AZ is enabled and removed after it is disabled.
    The AUTH token is a call of its own, always applied immediately. Tags are not part of the plan.
    """
    group_id = current["replication_group_id"]
    steps = []
    current_replicas = current.get("replicas_per_node_group", 0)
    wanted_replicas = desired.get("replicas_per_node_group", current_replicas)
    if wanted_replicas > current_replicas:
        steps.append(
            ("increase_replica_count", dict(ReplicationGroupId=group_id, NewReplicaCount=wanted_replicas, ApplyImmediately=True))
        )

    modify = {
        api_name: desired[field]
        for field, api_name in MODIFIABLE_FIELDS.items()
        if field in desired and desired[field] != current.get(field)
    }
    if modify:
        modify.update(ReplicationGroupId=group_id, ApplyImmediately=params["apply_immediately"])
        steps.append(("modify_replication_group", modify))

    if desired.get("auth_token") == REDACTED:
        strategy = params["auth_token_update_strategy"].upper() if current.get("auth_token_enabled") else "ROTATE"
        steps.append(
            (
                "modify_replication_group",
                dict(
                    ReplicationGroupId=group_id,
                    AuthToken=params["auth_token"],
                    AuthTokenUpdateStrategy=strategy,
                    ApplyImmediately=True,
                ),
            )
        )

    if wanted_replicas < current_replicas:
        steps.append(
            ("decrease_replica_count", dict(ReplicationGroupId=group_id, NewReplicaCount=wanted_replicas, ApplyImmediately=True))
        )
    return steps


def tag_changes(current: GroupState, desired: GroupState) -> Tuple[Dict[str, str], List[str]]:
    """Tags to set and keys to remove; desired tags already follow the purge_tags contract."""
    return compare_aws_tags(current.get("tags", {}), desired["tags"], purge_tags=True)


def create_params(desired: GroupState, params: Dict[str, Any]) -> Dict[str, Any]:
    """CreateReplicationGroup keyword arguments for a normalised desired state.

    Node groups and replicas are given as NumNodeGroups and ReplicasPerNodeGroup, which AWS
    accepts for cluster mode disabled (one node group) and enabled alike.
    """
    create = {
        "ReplicationGroupId": desired["replication_group_id"],
        "ReplicationGroupDescription": desired["description"],
        "Engine": ENGINE,
        "CacheNodeType": desired["node_type"],
        "NumNodeGroups": desired["num_node_groups"],
        "AtRestEncryptionEnabled": desired["at_rest_encryption"],
        "TransitEncryptionEnabled": desired["transit_encryption"],
        "Port": desired["port"],
    }
    optional = {
        "replicas_per_node_group": "ReplicasPerNodeGroup",
        "automatic_failover": "AutomaticFailoverEnabled",
        "multi_az": "MultiAZEnabled",
        "engine_version": "EngineVersion",
        "cache_subnet_group": "CacheSubnetGroupName",
        "security_group_ids": "SecurityGroupIds",
        "kms_key_id": "KmsKeyId",
        "snapshot_retention_limit": "SnapshotRetentionLimit",
        "snapshot_window": "SnapshotWindow",
        "maintenance_window": "PreferredMaintenanceWindow",
        "parameter_group": "CacheParameterGroupName",
    }
    for field, api_name in optional.items():
        if desired.get(field) is not None:
            create[api_name] = desired[field]
    if desired.get("auth_token") == REDACTED:
        create["AuthToken"] = params["auth_token"]
    # aws: tags belong to AWS services and cannot be set by a caller.
    user_tags = {key: value for key, value in desired["tags"].items() if not key.startswith("aws:")}
    if user_tags:
        create["Tags"] = ansible_dict_to_boto3_tag_list(user_tags)
    return create


def waiter_config(timeout: int) -> Dict[str, int]:
    """WaiterConfig polling every 15 s (5 s for short timeouts) for about timeout seconds; the first poll is immediate."""
    delay = 15 if timeout >= 60 else 5
    return {"Delay": delay, "MaxAttempts": max(1, timeout // delay) + 1}


# ---------------------------------------------------------------------------------------------
# boto3 wrappers


class ReplicationGroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleElastiCacheError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ReplicationGroupNotFoundFault")


class CacheClusterErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleElastiCacheError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("CacheClusterNotFound")


class KMSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleElastiCacheError


@ReplicationGroupErrorHandler.list_error_handler("describe replication group", None)
@aws_retry()
def describe_replication_group(client, replication_group_id: str) -> Optional[Dict[str, Any]]:
    groups = client.describe_replication_groups(ReplicationGroupId=replication_group_id)["ReplicationGroups"]
    return groups[0] if groups else None


@CacheClusterErrorHandler.list_error_handler("describe cache cluster", None)
@aws_retry()
def describe_cache_cluster(client, cache_cluster_id: str) -> Optional[Dict[str, Any]]:
    clusters = client.describe_cache_clusters(CacheClusterId=cache_cluster_id)["CacheClusters"]
    return clusters[0] if clusters else None


@ReplicationGroupErrorHandler.list_error_handler("list replication group tags", {})
@aws_retry()
def list_tags(client, arn: str) -> Dict[str, str]:
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn).get("TagList", []))


@ReplicationGroupErrorHandler.common_error_handler("create replication group")
@aws_retry()
def create_replication_group(client, **params: Any) -> Dict[str, Any]:
    return client.create_replication_group(**params)["ReplicationGroup"]


@ReplicationGroupErrorHandler.common_error_handler("modify replication group")
@aws_retry()
def modify_replication_group(client, **params: Any) -> Dict[str, Any]:
    return client.modify_replication_group(**params)["ReplicationGroup"]


@ReplicationGroupErrorHandler.common_error_handler("increase replica count")
@aws_retry()
def increase_replica_count(client, **params: Any) -> Dict[str, Any]:
    return client.increase_replica_count(**params)["ReplicationGroup"]


@ReplicationGroupErrorHandler.common_error_handler("decrease replica count")
@aws_retry()
def decrease_replica_count(client, **params: Any) -> Dict[str, Any]:
    return client.decrease_replica_count(**params)["ReplicationGroup"]


@ReplicationGroupErrorHandler.deletion_error_handler("delete replication group")
@aws_retry()
def delete_replication_group(client, replication_group_id: str, final_snapshot_identifier: Optional[str] = None) -> bool:
    params = {"ReplicationGroupId": replication_group_id}
    if final_snapshot_identifier:
        params["FinalSnapshotIdentifier"] = final_snapshot_identifier
    client.delete_replication_group(**params)
    return True


@ReplicationGroupErrorHandler.common_error_handler("tag replication group")
@aws_retry()
def add_tags(client, arn: str, tags: Dict[str, str]) -> bool:
    client.add_tags_to_resource(ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@ReplicationGroupErrorHandler.common_error_handler("untag replication group")
@aws_retry()
def remove_tags(client, arn: str, keys: List[str]) -> bool:
    client.remove_tags_from_resource(ResourceName=arn, TagKeys=keys)
    return True


@ReplicationGroupErrorHandler.common_error_handler("wait for the replication group to be available")
@aws_retry()
def wait_available(client, replication_group_id: str, timeout: int) -> None:
    client.get_waiter("replication_group_available").wait(
        ReplicationGroupId=replication_group_id, WaiterConfig=waiter_config(timeout)
    )


@ReplicationGroupErrorHandler.common_error_handler("wait for the replication group to be deleted")
@aws_retry()
def wait_deleted(client, replication_group_id: str, timeout: int) -> None:
    client.get_waiter("replication_group_deleted").wait(
        ReplicationGroupId=replication_group_id, WaiterConfig=waiter_config(timeout)
    )


@KMSErrorHandler.common_error_handler("resolve the KMS key")
@aws_retry()
def resolve_kms_key(kms_client, key: str) -> str:
    """The ARN of a KMS key given by id, ARN, alias name or alias ARN."""
    return kms_client.describe_key(KeyId=key)["KeyMetadata"]["Arn"]


MUTATIONS = {
    "increase_replica_count": increase_replica_count,
    "modify_replication_group": modify_replication_group,
    "decrease_replica_count": decrease_replica_count,
}
