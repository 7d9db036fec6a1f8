# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""VPC flow logs: the comparable shape of a flow log, and thin boto3 wrappers.

A flow log cannot be modified after creation, only tagged, so every other
difference between the desired and the current flow log means delete + create.
That is safe: the flow log holds no data, its records live in the destination.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.arn import parse_aws_arn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

CLOUDWATCH_LOGS = "cloud-watch-logs"
S3 = "s3"

# What AWS stores when CreateFlowLogs leaves these out.
DEFAULT_TRAFFIC_TYPE = "ALL"
DEFAULT_MAX_AGGREGATION_INTERVAL = 600
DEFAULT_LOG_FORMAT = (
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport}"
    " ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
)

RESOURCE_ID_PREFIXES = {"VPC": "vpc-", "Subnet": "subnet-", "NetworkInterface": "eni-"}

FlowLogState = Dict[str, Any]


def validate_params(params: Dict[str, Any]) -> List[str]:
    """Cross-field checks the argument spec cannot express; returns the problems found."""
    problems = []
    prefix = RESOURCE_ID_PREFIXES[params["resource_type"]]
    if not params["resource_id"].startswith(prefix):
        problems.append(
            f"resource_id {params['resource_id']!r} is not a {params['resource_type']} id (expected {prefix}...)."
        )

    if params["log_destination_type"] == S3:
        bucket_arn = parse_aws_arn(params["log_destination"])
        if not bucket_arn or bucket_arn["service"] != "s3" or not bucket_arn["resource"]:
            problems.append(
                f"log_destination {params['log_destination']!r} is not an S3 bucket ARN (arn:aws:s3:::bucket[/prefix/])."
            )
        if params["deliver_logs_permission_arn"]:
            problems.append("deliver_logs_permission_arn applies only to log_destination_type=cloud-watch-logs.")
        return problems

    role_arn = params["deliver_logs_permission_arn"]
    if role_arn is None:
        if params["state"] == "present":
            problems.append("deliver_logs_permission_arn is required when log_destination_type=cloud-watch-logs.")
    else:
        role = parse_aws_arn(role_arn)
        if not role or role["service"] != "iam" or role["resource_type"] != "role":
            problems.append(
                f"deliver_logs_permission_arn {role_arn!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)."
            )
    return problems


def destination_of(params: Dict[str, Any]) -> str:
    """The log group name or the S3 ARN: with the resource id, what identifies our flow log."""
    if params["log_destination_type"] == S3:
        return params["log_destination"]
    return params["log_group_name"]


def matching_flow_logs(flow_logs: List[Dict[str, Any]], destination_type: str, destination: str) -> List[Dict[str, Any]]:
    """Flow logs (DescribeFlowLogs items of one resource) that deliver to this destination.

    AWS returns LogGroupName for CloudWatch Logs (and LogDestination as the log group ARN),
    and only LogDestination for S3, so each type is matched on its own field.
    """
    destination_field = "LogDestination" if destination_type == S3 else "LogGroupName"
    return [
        flow_log
        for flow_log in flow_logs
        if flow_log.get("LogDestinationType", CLOUDWATCH_LOGS) == destination_type
        and flow_log.get(destination_field) == destination
    ]


def _normalise_log_format(log_format: Optional[str]) -> str:
    # Fields are space separated; a YAML block scalar adds newlines AWS does not keep.
    if not log_format:
        return DEFAULT_LOG_FORMAT
    return " ".join(log_format.split())


def _comparable(
    resource_id: str,
    traffic_type: Optional[str],
    destination_type: str,
    destination: str,
    role_arn: Optional[str],
    max_aggregation_interval: Optional[int],
    log_format: Optional[str],
    tags: Dict[str, str],
) -> FlowLogState:
    state = {
        "resource_id": resource_id,
        "traffic_type": traffic_type or DEFAULT_TRAFFIC_TYPE,
        "log_destination_type": destination_type,
        "max_aggregation_interval": int(max_aggregation_interval or DEFAULT_MAX_AGGREGATION_INTERVAL),
        "log_format": _normalise_log_format(log_format),
        "tags": tags,
    }
    if destination_type == S3:
        state["log_destination"] = destination
    else:
        state["log_group_name"] = destination
        state["deliver_logs_permission_arn"] = role_arn
    return state


def normalise_flow_log(flow_log: Dict[str, Any]) -> FlowLogState:
    """The comparable shape of a DescribeFlowLogs item."""
    destination_type = flow_log.get("LogDestinationType", CLOUDWATCH_LOGS)
    destination_field = "LogDestination" if destination_type == S3 else "LogGroupName"
    return _comparable(
        resource_id=flow_log["ResourceId"],
        traffic_type=flow_log.get("TrafficType"),
        destination_type=destination_type,
        destination=flow_log.get(destination_field),
        role_arn=flow_log.get("DeliverLogsPermissionArn"),
        max_aggregation_interval=flow_log.get("MaxAggregationInterval"),
        log_format=flow_log.get("LogFormat"),
        tags=boto3_tag_list_to_ansible_dict(flow_log.get("Tags", [])),
    )


def desired_tags(current_tags: Dict[str, str], tags: Optional[Dict[str, Any]], purge_tags: bool) -> Dict[str, str]:
    """Tags after applying the amazon.aws contract: unset leaves them alone, aws: keys are never purged."""
    if tags is None:
        return dict(current_tags)
    tags_to_set, tags_to_unset = compare_aws_tags(current_tags, tags, purge_tags)
    result = {key: value for key, value in current_tags.items() if key not in tags_to_unset}
    result.update({key: str(value) for key, value in tags_to_set.items()})
    return result


def normalise_params(params: Dict[str, Any], current_tags: Dict[str, str]) -> FlowLogState:
    """The comparable shape of the module parameters, given the tags the flow log has now."""
    return _comparable(
        resource_id=params["resource_id"],
        traffic_type=params["traffic_type"],
        destination_type=params["log_destination_type"],
        destination=destination_of(params),
        role_arn=params["deliver_logs_permission_arn"],
        max_aggregation_interval=params["max_aggregation_interval"],
        log_format=params["log_format"],
        tags=desired_tags(current_tags, params["tags"], params["purge_tags"]),
    )


def differing_fields(current: FlowLogState, desired: FlowLogState) -> List[str]:
    """Names of the fields whose value differs, sorted."""
    return sorted(key for key in set(current) | set(desired) if current.get(key) != desired.get(key))


def needs_replacement(fields: List[str]) -> bool:
    """Only tags can change in place."""
    return any(field != "tags" for field in fields)


def create_flow_log_params(desired: FlowLogState, resource_type: str) -> Dict[str, Any]:
    """CreateFlowLogs keyword arguments for a normalised desired state."""
    params = {
        "ResourceType": resource_type,
        "ResourceIds": [desired["resource_id"]],
        "TrafficType": desired["traffic_type"],
        "LogDestinationType": desired["log_destination_type"],
        "MaxAggregationInterval": desired["max_aggregation_interval"],
        "LogFormat": desired["log_format"],
    }
    if desired["log_destination_type"] == S3:
        params["LogDestination"] = desired["log_destination"]
    else:
        params["LogGroupName"] = desired["log_group_name"]
        params["DeliverLogsPermissionArn"] = desired["deliver_logs_permission_arn"]
    # aws: tags belong to AWS services and cannot be set by a caller.
    user_tags = {key: value for key, value in desired["tags"].items() if not key.startswith("aws:")}
    if user_tags:
        params["TagSpecifications"] = boto3_tag_specifications(user_tags, "vpc-flow-log")
    return params


class FlowLogErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleEC2Error

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("InvalidFlowLogId.NotFound")


@FlowLogErrorHandler.list_error_handler("describe flow logs", [])
@aws_retry()
def describe_flow_logs(client, resource_id: str) -> List[Dict[str, Any]]:
    paginator = client.get_paginator("describe_flow_logs")
    filters = [{"Name": "resource-id", "Values": [resource_id]}]
    return paginator.paginate(Filters=filters).build_full_result()["FlowLogs"]


def _raise_unsuccessful(action: str, response: Dict[str, Any]) -> None:
    # CreateFlowLogs and DeleteFlowLogs report per-item failures in the body of a 200 response.
    errors = [item["Error"] for item in response.get("Unsuccessful", [])]
    if errors:
        details = "; ".join(f"{error.get('Code')}: {error.get('Message')}" for error in errors)
        raise AnsibleEC2Error(message=f"Failed to {action}: {details}")


@FlowLogErrorHandler.common_error_handler("create flow log")
@aws_retry()
def create_flow_log(client, **params: Any) -> str:
    response = client.create_flow_logs(**params)
    _raise_unsuccessful("create flow log", response)
    return response["FlowLogIds"][0]


@FlowLogErrorHandler.deletion_error_handler("delete flow log")
@aws_retry()
def delete_flow_log(client, flow_log_id: str) -> bool:
    response = client.delete_flow_logs(FlowLogIds=[flow_log_id])
    unsuccessful = response.get("Unsuccessful", [])
    if unsuccessful and all(item["Error"].get("Code") == "InvalidFlowLogId.NotFound" for item in unsuccessful):
        return False
    _raise_unsuccessful("delete flow log", response)
    return True


@FlowLogErrorHandler.common_error_handler("tag flow log")
@aws_retry()
def add_flow_log_tags(client, flow_log_id: str, tags: Dict[str, str]) -> bool:
    client.create_tags(Resources=[flow_log_id], Tags=ansible_dict_to_boto3_tag_list(tags))
    return True


@FlowLogErrorHandler.common_error_handler("untag flow log")
@aws_retry()
def remove_flow_log_tags(client, flow_log_id: str, keys: List[str]) -> bool:
    client.delete_tags(Resources=[flow_log_id], Tags=[{"Key": key} for key in keys])
    return True
