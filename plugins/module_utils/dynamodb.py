# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""DynamoDB tables: the comparable shape of a table, update planning, and thin boto3 wrappers.

The key schema of a table (names and types of its hash and range keys) is fixed when the table is
created, and so are the keys and projection of a global secondary index. A difference there is
refused before any change, never applied by replacing the table: that would delete its items.
Everything else changes in place, each with its own API: UpdateTable (billing mode, capacity,
indexes added or removed, SSE key, stream, deletion protection), UpdateContinuousBackups
(point-in-time recovery), UpdateTimeToLive, TagResource / UntagResource.

The comparable shape ("state") is built the same way from the module parameters and from what AWS
describes, so defaults AWS adds (SSEDescription, BillingModeSummary missing on old provisioned
tables, throughput 0/0 on on-demand tables, WarmThroughput...) never show up as a change.
"""

import re
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.waiter import BaseWaiterFactory
from ansible_collections.amazon.aws.plugins.module_utils.waiter import custom_waiter_config
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

# Table and index names: 3 to 255 characters of this set (DynamoDB API reference, TableName / IndexName).
NAME = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
MAX_ATTRIBUTE_NAME_BYTES = 255

# Module key types and their AttributeType in the API.
KEY_TYPES = {"STRING": "S", "NUMBER": "N", "BINARY": "B"}
MODULE_KEY_TYPES = {api: name for name, api in KEY_TYPES.items()}

PAY_PER_REQUEST = "PAY_PER_REQUEST"
PROVISIONED = "PROVISIONED"
STREAM_DISABLED = "DISABLED"
STREAM_VIEW_TYPES = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")

# Fixed when the table is created.
KEY_FIELDS = ("hash_key_name", "hash_key_type", "range_key_name", "range_key_type")
# Fixed when an index is created; only its capacity can change.
INDEX_DEFINITION_FIELDS = KEY_FIELDS + ("projection", "non_key_attributes")

# Statuses in which a setting counts as on: it is on, or AWS is turning it on.
SSE_ON = ("ENABLED", "ENABLING", "UPDATING")
PITR_ON = ("ENABLED", "ENABLING")
TTL_ON = ("ENABLED", "ENABLING")

TableState = Dict[str, Any]
Step = Tuple[str, Dict[str, Any]]


class AnsibleDynamoDBError(AnsibleAWSError):
    pass


# ---------------------------------------------------------------------------------------------
# Validation


def _too_long(name: str) -> bool:
    return len(name.encode("utf-8")) > MAX_ATTRIBUTE_NAME_BYTES


def _key_problems(where: str, keys: Dict[str, Any]) -> List[str]:
    problems = []
    if keys.get("range_key_type") and not keys.get("range_key_name"):
        problems.append(f"{where}range_key_type needs {where}range_key_name.")
    for field in ("hash_key_name", "range_key_name"):
        value = keys.get(field)
        if value is not None and (value == "" or _too_long(value)):
            problems.append(f"{where}{field} {value!r} must be 1 to 255 bytes long.")
    if keys.get("hash_key_name") and keys.get("hash_key_name") == keys.get("range_key_name"):
        problems.append(f"{where}hash_key_name and {where}range_key_name are the same attribute {keys['hash_key_name']!r}.")
    return problems


def _capacity_problems(where: str, item: Dict[str, Any], billing_mode: str, required: bool) -> List[str]:
    capacities = [item.get("read_capacity"), item.get("write_capacity")]
    if billing_mode != PROVISIONED:
        if any(value is not None for value in capacities):
            return [f"{where}read_capacity and {where}write_capacity apply only to billing_mode=PROVISIONED."]
        return []
    if required and any(value is None for value in capacities):
        return ["billing_mode=PROVISIONED needs read_capacity and write_capacity."]
    if any(value is not None and value < 1 for value in capacities):
        return [f"{where}read_capacity and {where}write_capacity must be at least 1."]
    return []


def _index_problems(params: Dict[str, Any]) -> List[str]:
    problems = []
    seen = set()
    for index in params.get("global_secondary_indexes") or []:
        name = index["name"]
        where = f"global_secondary_indexes[{name}]."
        if not NAME.fullmatch(name):
            problems.append(f"Index name {name!r} is not valid: 3 to 255 letters, digits, '_', '-' or '.'.")
        if name in seen:
            problems.append(f"Index name {name!r} is given twice in global_secondary_indexes.")
        seen.add(name)
        problems.extend(_key_problems(where, index))
        if index.get("projection") == "INCLUDE" and not index.get("non_key_attributes"):
            problems.append(f"{where}projection=INCLUDE needs {where}non_key_attributes.")
        if index.get("projection") != "INCLUDE" and index.get("non_key_attributes"):
            problems.append(f"{where}non_key_attributes apply only to projection=INCLUDE.")
        problems.extend(_capacity_problems(where, index, params["billing_mode"], required=False))
    return problems


def _attribute_type_conflicts(params: Dict[str, Any]) -> List[str]:
    """An attribute has one type: the table and every index must agree on it."""
    problems = []
    seen = {}  # attribute name -> (module key type, where it was declared)

    def declare(name: Optional[str], key_type: Optional[str], where: str) -> None:
        if not name:
            return
        key_type = key_type or "STRING"
        if name in seen and seen[name][0] != key_type:
            problems.append(
                f"Attribute {name!r} is {seen[name][0]} as {seen[name][1]} and {key_type} as {where}; an attribute has one type."
            )
        seen.setdefault(name, (key_type, where))

    declare(params.get("hash_key_name"), params.get("hash_key_type"), "the table's hash key")
    declare(params.get("range_key_name"), params.get("range_key_type"), "the table's range key")
    for index in params.get("global_secondary_indexes") or []:
        declare(index["hash_key_name"], index.get("hash_key_type"), f"hash key of index {index['name']}")
        declare(index.get("range_key_name"), index.get("range_key_type"), f"range key of index {index['name']}")
    return problems


def validate_params(params: Dict[str, Any]) -> List[str]:
    """Checks of the module parameters alone, run before any API call; returns the problems found."""
    problems = []
    if not NAME.fullmatch(params["name"]):
        problems.append(f"name {params['name']!r} is not a valid table name: 3 to 255 letters, digits, '_', '-' or '.'.")
    if params["state"] == "absent":
        return problems

    problems.extend(_key_problems("", params))
    problems.extend(_capacity_problems("", params, params["billing_mode"], required=True))
    ttl_attribute = params.get("ttl_attribute")
    if ttl_attribute and _too_long(ttl_attribute):
        problems.append(f"ttl_attribute {ttl_attribute!r} must be at most 255 bytes long.")
    if params.get("sse_kms_key_id") == "":
        problems.append("sse_kms_key_id must not be empty: leave it unset for the AWS owned key.")
    if params["wait_timeout"] < 1:
        problems.append("wait_timeout must be at least 1 second.")
    problems.extend(_index_problems(params))
    problems.extend(_attribute_type_conflicts(params))
    return problems


# ---------------------------------------------------------------------------------------------
# Normalisation


def billing_mode_of(table: Dict[str, Any]) -> str:
    """AWS leaves BillingModeSummary out for tables that were always provisioned."""
    return (table.get("BillingModeSummary") or {}).get("BillingMode") or PROVISIONED


def _attribute_types(table: Dict[str, Any]) -> Dict[str, str]:
    return {
        attribute["AttributeName"]: MODULE_KEY_TYPES.get(attribute["AttributeType"], attribute["AttributeType"])
        for attribute in table.get("AttributeDefinitions", [])
    }


def _keys_of(key_schema: List[Dict[str, str]], types: Dict[str, str]) -> Dict[str, Optional[str]]:
    keys = {field: None for field in KEY_FIELDS}
    for element in key_schema:
        prefix = "hash" if element["KeyType"] == "HASH" else "range"
        keys[f"{prefix}_key_name"] = element["AttributeName"]
        keys[f"{prefix}_key_type"] = types.get(element["AttributeName"])
    return keys


def _capacity_of(throughput: Optional[Dict[str, Any]]) -> Dict[str, Optional[int]]:
    throughput = throughput or {}
    return {"read_capacity": throughput.get("ReadCapacityUnits"), "write_capacity": throughput.get("WriteCapacityUnits")}


def _normalise_index(index: Dict[str, Any], types: Dict[str, str], billing_mode: str) -> Dict[str, Any]:
    projection = index.get("Projection") or {}
    projection_type = projection.get("ProjectionType", "ALL")
    state = _keys_of(index["KeySchema"], types)
    state["projection"] = projection_type
    state["non_key_attributes"] = sorted(projection.get("NonKeyAttributes") or []) if projection_type == "INCLUDE" else []
    if billing_mode == PROVISIONED:
        state.update(_capacity_of(index.get("ProvisionedThroughput")))
    return state


def sse_key_of(table: Dict[str, Any]) -> Optional[str]:
    """ARN of the KMS key encrypting the table; None for the AWS owned key (AWS then omits SSEDescription)."""
    sse = table.get("SSEDescription") or {}
    if sse.get("Status") in SSE_ON and sse.get("SSEType") == "KMS":
        return sse.get("KMSMasterKeyArn")
    return None


def _stream_of(table: Dict[str, Any]) -> str:
    stream = table.get("StreamSpecification") or {}
    if not stream.get("StreamEnabled"):
        return STREAM_DISABLED
    return stream.get("StreamViewType", STREAM_DISABLED)


def normalise_table(current: Dict[str, Any]) -> TableState:
    """The comparable shape of a table described by describe_table_full()."""
    table = current["table"]
    types = _attribute_types(table)
    billing_mode = billing_mode_of(table)
    pitr = (current.get("continuous_backups") or {}).get("PointInTimeRecoveryDescription") or {}
    ttl = current.get("time_to_live") or {}
    state = {"name": table["TableName"]}
    state.update(_keys_of(table["KeySchema"], types))
    state["billing_mode"] = billing_mode
    if billing_mode == PROVISIONED:
        state.update(_capacity_of(table.get("ProvisionedThroughput")))
    state.update(
        point_in_time_recovery=pitr.get("PointInTimeRecoveryStatus") in PITR_ON,
        sse_kms_key_arn=sse_key_of(table),
        ttl_attribute=ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in TTL_ON else None,
        deletion_protection=bool(table.get("DeletionProtectionEnabled", False)),
        stream=_stream_of(table),
        global_secondary_indexes={
            index["IndexName"]: _normalise_index(index, types, billing_mode)
            for index in table.get("GlobalSecondaryIndexes") or []
        },
        tags=dict(current.get("tags") or {}),
    )
    return state


def desired_tags(current_tags: Dict[str, str], tags: Optional[Dict[str, Any]], purge_tags: bool) -> Dict[str, str]:
    """Tags after applying the amazon.aws contract: unset leaves them alone, aws: keys are never purged."""
    if tags is None:
        return dict(current_tags)
    tags_to_set, tags_to_unset = compare_aws_tags(current_tags, tags, purge_tags)
    result = {key: value for key, value in current_tags.items() if key not in tags_to_unset}
    result.update({key: str(value) for key, value in tags_to_set.items()})
    return result


def _index_from_params(index: Dict[str, Any]) -> Dict[str, Any]:
    projection = index.get("projection") or "ALL"
    return {
        "hash_key_name": index["hash_key_name"],
        "hash_key_type": index.get("hash_key_type") or "STRING",
        "range_key_name": index.get("range_key_name"),
        "range_key_type": (index.get("range_key_type") or "STRING") if index.get("range_key_name") else None,
        "projection": projection,
        "non_key_attributes": sorted(index.get("non_key_attributes") or []) if projection == "INCLUDE" else [],
    }


def desired_indexes(params: Dict[str, Any], current: TableState, table_capacity: Dict[str, int]) -> Dict[str, Dict[str, Any]]:
    """Wanted indexes: the list given, or the current indexes when unset; capacities only for PROVISIONED.

    An index without capacities of its own gets the table's. When the list is unset and the table
    stays provisioned, each index keeps the capacity it has.
    """
    current_indexes = current.get("global_secondary_indexes") or {}
    if params.get("global_secondary_indexes") is None:
        wanted = {
            name: {field: index[field] for field in INDEX_DEFINITION_FIELDS} for name, index in current_indexes.items()
        }
        capacities = {
            name: {"read_capacity": index.get("read_capacity"), "write_capacity": index.get("write_capacity")}
            for name, index in current_indexes.items()
        }
    else:
        wanted = {index["name"]: _index_from_params(index) for index in params["global_secondary_indexes"]}
        capacities = {
            index["name"]: {"read_capacity": index.get("read_capacity"), "write_capacity": index.get("write_capacity")}
            for index in params["global_secondary_indexes"]
        }
    if params["billing_mode"] == PROVISIONED:
        for name, index in wanted.items():
            for field in ("read_capacity", "write_capacity"):
                index[field] = capacities[name][field] or table_capacity[field]
    return wanted


def _unless_unset(value: Any, current_value: Any) -> Any:
    return current_value if value is None else value


def normalise_params(params: Dict[str, Any], current: TableState, kms_key_arn: Optional[str]) -> TableState:
    """The comparable shape of the module parameters, given the current state ({} for a new table).

    kms_key_arn is sse_kms_key_id resolved to a key ARN (what DescribeTable reports), or None.
    Options left unset that mean "leave alone" take their current value, or the value a new table gets.
    """
    billing_mode = params["billing_mode"]
    table_capacity = {"read_capacity": params.get("read_capacity"), "write_capacity": params.get("write_capacity")}
    ttl_attribute = params.get("ttl_attribute")
    state = {
        "name": params["name"],
        "hash_key_name": params["hash_key_name"],
        "hash_key_type": params.get("hash_key_type") or "STRING",
        "range_key_name": params.get("range_key_name"),
        "range_key_type": (params.get("range_key_type") or "STRING") if params.get("range_key_name") else None,
        "billing_mode": billing_mode,
    }
    if billing_mode == PROVISIONED:
        state.update(table_capacity)
    state.update(
        point_in_time_recovery=bool(params["point_in_time_recovery"]),
        sse_kms_key_arn=kms_key_arn,
        # "" disables TTL; unset leaves it as it is.
        ttl_attribute=current.get("ttl_attribute") if ttl_attribute is None else (ttl_attribute or None),
        deletion_protection=_unless_unset(params.get("deletion_protection"), current.get("deletion_protection", False)),
        stream=_unless_unset(params.get("stream"), current.get("stream", STREAM_DISABLED)),
        global_secondary_indexes=desired_indexes(params, current, table_capacity),
        tags=desired_tags(current.get("tags", {}), params.get("tags"), params.get("purge_tags", True)),
    )
    return state


def differing_fields(current: TableState, desired: TableState) -> List[str]:
    """Names of the fields whose value differs, sorted."""
    return sorted(key for key in set(current) | set(desired) if current.get(key) != desired.get(key))


# ---------------------------------------------------------------------------------------------
# Changes that cannot be applied


def refused_changes(current: TableState, desired: TableState) -> List[str]:
    """Differences no API applies in place, one 'field (current X, wanted Y...)' each; [] for a new table."""
    if not current:
        return []
    refused = [
        f"{field} (current {current.get(field)!r}, wanted {desired.get(field)!r})"
        for field in KEY_FIELDS
        if current.get(field) != desired.get(field)
    ]
    current_indexes = current.get("global_secondary_indexes") or {}
    for name, wanted in sorted(desired.get("global_secondary_indexes", {}).items()):
        if name not in current_indexes:
            continue
        refused.extend(
            f"global_secondary_indexes[{name}].{field} (current {current_indexes[name].get(field)!r}, wanted {wanted.get(field)!r})"
            for field in INDEX_DEFINITION_FIELDS
            if current_indexes[name].get(field) != wanted.get(field)
        )
    current_ttl, wanted_ttl = current.get("ttl_attribute"), desired.get("ttl_attribute")
    if current_ttl and wanted_ttl and current_ttl != wanted_ttl:
        refused.append(
            f"ttl_attribute (current {current_ttl!r}, wanted {wanted_ttl!r}; AWS moves TTL to another attribute only by"
            f" disabling it first and accepts one TTL change per table an hour: set ttl_attribute to '' now,"
            f" and to {wanted_ttl!r} in a run an hour later)"
        )
    return refused


def refusal_message(table_name: str, refused: List[str]) -> str:
    message = f"Table {table_name} cannot be changed in place: " + "; ".join(refused) + ". Nothing was changed."
    if any(not item.startswith("ttl_attribute ") for item in refused):
        message += (
            " The key schema and key attribute types of a table are fixed when it is created, and so are the keys and"
            " projection of an index. Create a new table and move the data to it (or give a changed index a new name),"
            " or keep the current values."
        )
    return message


# ---------------------------------------------------------------------------------------------
# API parameters


def _key_schema(keys: Dict[str, Any]) -> List[Dict[str, str]]:
    schema = [{"AttributeName": keys["hash_key_name"], "KeyType": "HASH"}]
    if keys.get("range_key_name"):
        schema.append({"AttributeName": keys["range_key_name"], "KeyType": "RANGE"})
    return schema


def _throughput(item: Dict[str, Any]) -> Dict[str, int]:
    return {"ReadCapacityUnits": item["read_capacity"], "WriteCapacityUnits": item["write_capacity"]}


def attribute_definitions(desired: TableState, index_names: Iterable[str]) -> List[Dict[str, str]]:
    """AttributeDefinitions of the table keys and of the keys of these indexes, each attribute once."""
    indexes = desired.get("global_secondary_indexes", {})
    sources = [desired] + [indexes[name] for name in sorted(index_names)]
    definitions = {}
    for keys in sources:
        for prefix in ("hash", "range"):
            name = keys.get(f"{prefix}_key_name")
            if name and name not in definitions:
                definitions[name] = KEY_TYPES[keys[f"{prefix}_key_type"]]
    return [{"AttributeName": name, "AttributeType": api_type} for name, api_type in definitions.items()]


def _index_spec(name: str, index: Dict[str, Any], billing_mode: str) -> Dict[str, Any]:
    projection = {"ProjectionType": index["projection"]}
    if index["projection"] == "INCLUDE":
        projection["NonKeyAttributes"] = list(index["non_key_attributes"])
    spec = {"IndexName": name, "KeySchema": _key_schema(index), "Projection": projection}
    if billing_mode == PROVISIONED:
        spec["ProvisionedThroughput"] = _throughput(index)
    return spec


def sse_specification(kms_key_arn: Optional[str]) -> Dict[str, Any]:
    """SSESpecification for a KMS key, or for the AWS owned key (Enabled=false)."""
    if not kms_key_arn:
        return {"Enabled": False}
    return {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key_arn}


def _stream_specification(view_type: str) -> Dict[str, Any]:
    if view_type == STREAM_DISABLED:
        return {"StreamEnabled": False}
    return {"StreamEnabled": True, "StreamViewType": view_type}


def create_table_params(desired: TableState) -> Dict[str, Any]:
    """CreateTable keyword arguments for a normalised desired state (PITR and TTL need calls of their own)."""
    billing_mode = desired["billing_mode"]
    indexes = desired["global_secondary_indexes"]
    params = {
        "TableName": desired["name"],
        "AttributeDefinitions": attribute_definitions(desired, indexes),
        "KeySchema": _key_schema(desired),
        "BillingMode": billing_mode,
    }
    if billing_mode == PROVISIONED:
        params["ProvisionedThroughput"] = _throughput(desired)
    if indexes:
        params["GlobalSecondaryIndexes"] = [_index_spec(name, indexes[name], billing_mode) for name in sorted(indexes)]
    if desired["stream"] != STREAM_DISABLED:
        params["StreamSpecification"] = _stream_specification(desired["stream"])
    if desired["sse_kms_key_arn"]:
        params["SSESpecification"] = sse_specification(desired["sse_kms_key_arn"])
    if desired["deletion_protection"]:
        params["DeletionProtectionEnabled"] = True
    # aws: tags belong to AWS services and cannot be set by a caller.
    user_tags = {key: value for key, value in desired["tags"].items() if not key.startswith("aws:")}
    if user_tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(user_tags)
    return params


def created_state(desired: TableState) -> TableState:
    """The state of a table right after CreateTable with create_table_params(desired): PITR off, no TTL."""
    return dict(desired, point_in_time_recovery=False, ttl_attribute=None)


def _capacity_changed(current: Dict[str, Any], desired: Dict[str, Any]) -> bool:
    return any(current.get(field) != desired.get(field) for field in ("read_capacity", "write_capacity"))


def _throughput_update(current: TableState, desired: TableState, kept_indexes: List[str]) -> Dict[str, Any]:
    """UpdateTable arguments for the billing mode and capacities; {} when nothing changes.

    Switching to PROVISIONED needs the capacity of the table and of every index; otherwise only
    what changed is sent (AWS refuses a ProvisionedThroughput equal to the current one).
    """
    update = {}
    switching = current["billing_mode"] != desired["billing_mode"]
    if switching:
        update["BillingMode"] = desired["billing_mode"]
    if desired["billing_mode"] != PROVISIONED:
        return update
    if switching or _capacity_changed(current, desired):
        update["ProvisionedThroughput"] = _throughput(desired)
    current_indexes, wanted_indexes = current["global_secondary_indexes"], desired["global_secondary_indexes"]
    index_updates = [
        {"Update": {"IndexName": name, "ProvisionedThroughput": _throughput(wanted_indexes[name])}}
        for name in kept_indexes
        if switching or _capacity_changed(current_indexes[name], wanted_indexes[name])
    ]
    if index_updates:
        update["GlobalSecondaryIndexUpdates"] = index_updates
    return update


def plan_update(current: TableState, desired: TableState) -> List[Step]:
    """API calls (operation name, keyword arguments) that take an existing table to the desired state, in order.

    AWS applies one kind of UpdateTable change at a time (and one index created or deleted at a time),
    so each is a call of its own; the caller waits for the table to be active between them.
    Indexes are removed before the billing mode changes (no capacity needed for them) and added after.
    Deletion protection is turned on first and off last. Tags are not part of the plan.
    """
    name = desired["name"]
    steps = []

    def update_table(**params: Any) -> None:
        steps.append(("update_table", dict(TableName=name, **params)))

    protection_changes = current["deletion_protection"] != desired["deletion_protection"]
    if protection_changes and desired["deletion_protection"]:
        update_table(DeletionProtectionEnabled=True)

    current_indexes, wanted_indexes = current["global_secondary_indexes"], desired["global_secondary_indexes"]
    for index_name in sorted(set(current_indexes) - set(wanted_indexes)):
        update_table(GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index_name}}])

    kept = sorted(set(current_indexes) & set(wanted_indexes))
    throughput_update = _throughput_update(current, desired, kept)
    if throughput_update:
        update_table(**throughput_update)

    existing = set(kept)
    for index_name in sorted(set(wanted_indexes) - set(current_indexes)):
        existing.add(index_name)
        update_table(
            # The definitions of all keys in use: moto replaces the list rather than merging it, AWS accepts both.
            AttributeDefinitions=attribute_definitions(desired, existing),
            GlobalSecondaryIndexUpdates=[
                {"Create": _index_spec(index_name, wanted_indexes[index_name], desired["billing_mode"])}
            ],
        )

    if current["sse_kms_key_arn"] != desired["sse_kms_key_arn"]:
        update_table(SSESpecification=sse_specification(desired["sse_kms_key_arn"]))

    if current["stream"] != desired["stream"]:
        # A stream's view type cannot change: the stream is disabled, then a new one enabled.
        if current["stream"] != STREAM_DISABLED:
            update_table(StreamSpecification=_stream_specification(STREAM_DISABLED))
        if desired["stream"] != STREAM_DISABLED:
            update_table(StreamSpecification=_stream_specification(desired["stream"]))

    if protection_changes and not desired["deletion_protection"]:
        update_table(DeletionProtectionEnabled=False)

    if current["point_in_time_recovery"] != desired["point_in_time_recovery"]:
        steps.append(
            (
                "update_continuous_backups",
                dict(
                    TableName=name,
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": desired["point_in_time_recovery"]},
                ),
            )
        )

    if current["ttl_attribute"] != desired["ttl_attribute"]:
        if desired["ttl_attribute"]:
            specification = {"Enabled": True, "AttributeName": desired["ttl_attribute"]}
        else:
            specification = {"Enabled": False, "AttributeName": current["ttl_attribute"]}
        steps.append(("update_time_to_live", dict(TableName=name, TimeToLiveSpecification=specification)))
    return steps


def tag_changes(current: TableState, desired: TableState) -> Tuple[Dict[str, str], List[str]]:
    """Tags to set and keys to remove; desired tags already follow the purge_tags contract."""
    return compare_aws_tags(current.get("tags", {}), desired["tags"], purge_tags=True)


def is_settled(table: Dict[str, Any]) -> bool:
    """Whether the table and all its indexes are ACTIVE (nothing being created, updated or deleted)."""
    return table.get("TableStatus") == "ACTIVE" and all(
        index.get("IndexStatus") == "ACTIVE" for index in table.get("GlobalSecondaryIndexes") or []
    )


# ---------------------------------------------------------------------------------------------
# boto3 wrappers


class TableErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleDynamoDBError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


class ContinuousBackupsErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleDynamoDBError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("TableNotFoundException")


class KMSErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleDynamoDBError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


class DynamoDBWaiterFactory(BaseWaiterFactory):
    @property
    def _waiter_model_data(self):
        return dict(
            table_and_indexes_active=dict(
                operation="DescribeTable",
                delay=5,
                maxAttempts=60,
                acceptors=[
                    dict(
                        state="success",
                        matcher="path",
                        expected=True,
                        argument=(
                            "Table.TableStatus == 'ACTIVE' && "
                            "length(Table.GlobalSecondaryIndexes[?IndexStatus != 'ACTIVE'] || `[]`) == `0`"
                        ),
                    ),
                    dict(
                        state="failure",
                        matcher="path",
                        expected="INACCESSIBLE_ENCRYPTION_CREDENTIALS",
                        argument="Table.TableStatus",
                    ),
                    dict(state="retry", matcher="error", expected="ResourceNotFoundException"),
                ],
            ),
            table_deleted=dict(
                operation="DescribeTable",
                delay=5,
                maxAttempts=60,
                acceptors=[
                    dict(state="success", matcher="error", expected="ResourceNotFoundException"),
                    dict(state="retry", matcher="path", expected="DELETING", argument="Table.TableStatus"),
                ],
            ),
        )


@TableErrorHandler.list_error_handler("describe table", None)
@aws_retry()
def describe_table(client, table_name: str) -> Optional[Dict[str, Any]]:
    return client.describe_table(TableName=table_name)["Table"]


@ContinuousBackupsErrorHandler.list_error_handler("describe continuous backups", {})
@aws_retry()
def describe_continuous_backups(client, table_name: str) -> Dict[str, Any]:
    return client.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]


@TableErrorHandler.list_error_handler("describe time to live", {})
@aws_retry()
def describe_time_to_live(client, table_name: str) -> Dict[str, Any]:
    return client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]


@TableErrorHandler.list_error_handler("list table tags", {})
@aws_retry()
def list_tags(client, table_arn: str) -> Dict[str, str]:
    paginator = client.get_paginator("list_tags_of_resource")
    tags = paginator.paginate(ResourceArn=table_arn).build_full_result().get("Tags", [])
    return boto3_tag_list_to_ansible_dict(tags)


def describe_table_full(client, table_name: str) -> Optional[Dict[str, Any]]:
    """The table with its PITR, TTL and tags (each a call of its own), or None when it does not exist."""
    table = describe_table(client, table_name)
    if table is None:
        return None
    return {
        "table": table,
        "continuous_backups": describe_continuous_backups(client, table_name),
        "time_to_live": describe_time_to_live(client, table_name),
        "tags": list_tags(client, table["TableArn"]),
    }


@TableErrorHandler.common_error_handler("create table")
@aws_retry()
def create_table(client, **params: Any) -> Dict[str, Any]:
    return client.create_table(**params)["TableDescription"]


@TableErrorHandler.common_error_handler("update table")
@aws_retry()
def update_table(client, **params: Any) -> Dict[str, Any]:
    return client.update_table(**params)["TableDescription"]


@TableErrorHandler.deletion_error_handler("delete table")
@aws_retry()
def delete_table(client, table_name: str) -> bool:
    client.delete_table(TableName=table_name)
    return True


# Right after CreateTable, AWS may answer "Backups are being enabled for the table" for a while.
@ContinuousBackupsErrorHandler.common_error_handler("update point-in-time recovery")
@aws_retry(extra_codes=["ContinuousBackupsUnavailableException"])
def update_continuous_backups(client, **params: Any) -> Dict[str, Any]:
    return client.update_continuous_backups(**params)["ContinuousBackupsDescription"]


@TableErrorHandler.common_error_handler("update time to live")
@aws_retry()
def update_time_to_live(client, **params: Any) -> Dict[str, Any]:
    return client.update_time_to_live(**params)["TimeToLiveSpecification"]


@TableErrorHandler.common_error_handler("tag table")
@aws_retry()
def tag_table(client, table_arn: str, tags: Dict[str, str]) -> bool:
    client.tag_resource(ResourceArn=table_arn, Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@TableErrorHandler.common_error_handler("untag table")
@aws_retry()
def untag_table(client, table_arn: str, keys: List[str]) -> bool:
    client.untag_resource(ResourceArn=table_arn, TagKeys=keys)
    return True


@TableErrorHandler.common_error_handler("wait for the table and its indexes to be active")
@aws_retry()
def wait_table_active(client, table_name: str, timeout: int) -> None:
    DynamoDBWaiterFactory().get_waiter(client, "table_and_indexes_active").wait(
        TableName=table_name, WaiterConfig=custom_waiter_config(timeout, default_pause=5)
    )


@TableErrorHandler.common_error_handler("wait for the table to be deleted")
@aws_retry()
def wait_table_deleted(client, table_name: str, timeout: int) -> None:
    DynamoDBWaiterFactory().get_waiter(client, "table_deleted").wait(
        TableName=table_name, WaiterConfig=custom_waiter_config(timeout, default_pause=5)
    )


@KMSErrorHandler.list_error_handler("describe the KMS key", None)
@aws_retry()
def resolve_kms_key(kms_client, key: str) -> Optional[str]:
    """The ARN of a KMS key given by id, ARN, alias name or alias ARN; None when there is no such key."""
    return kms_client.describe_key(KeyId=key)["KeyMetadata"]["Arn"]


MUTATIONS = {
    "update_table": update_table,
    "update_continuous_backups": update_continuous_backups,
    "update_time_to_live": update_time_to_live,
}
