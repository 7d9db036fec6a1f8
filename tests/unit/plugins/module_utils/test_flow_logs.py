# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils import flow_logs

VPC_ID = "vpc-0123456789abcdef0"
ROLE_ARN = "arn:aws:iam::123456789012:role/flow-logs"
BUCKET_ARN = "arn:aws:s3:::envops-flow-logs/vpc/"


def module_params(**overrides):
    """Parameters as AnsibleAWSModule hands them over, with the module's defaults."""
    params = {
        "resource_id": VPC_ID,
        "resource_type": "VPC",
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": "/envops/flow-logs",
        "log_destination": None,
        "deliver_logs_permission_arn": ROLE_ARN,
        "max_aggregation_interval": 600,
        "log_format": None,
        "tags": None,
        "purge_tags": True,
        "state": "present",
    }
    params.update(overrides)
    return params


def s3_params(**overrides):
    s3_defaults = {
        "log_destination_type": "s3",
        "log_group_name": None,
        "log_destination": BUCKET_ARN,
        "deliver_logs_permission_arn": None,
    }
    return module_params(**dict(s3_defaults, **overrides))


def cloudwatch_item(**overrides):
    """A DescribeFlowLogs item as AWS returns it for a CloudWatch Logs flow log."""
    item = {
        "FlowLogId": "fl-0123456789abcdef0",
        "ResourceId": VPC_ID,
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": "/envops/flow-logs",
        "LogDestination": "arn:aws:logs:me-south-1:123456789012:log-group:/envops/flow-logs",
        "DeliverLogsPermissionArn": ROLE_ARN,
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogStatus": "ACTIVE",
        "MaxAggregationInterval": 600,
        "LogFormat": flow_logs.DEFAULT_LOG_FORMAT,
        "Tags": [],
    }
    item.update(overrides)
    return item


def s3_item(**overrides):
    item = {
        "FlowLogId": "fl-0fedcba9876543210",
        "ResourceId": VPC_ID,
        "TrafficType": "ALL",
        "LogDestinationType": "s3",
        "LogDestination": BUCKET_ARN,
        "DestinationOptions": {"FileFormat": "plain-text", "HiveCompatiblePartitions": False, "PerHourPartition": False},
        "MaxAggregationInterval": 600,
        "LogFormat": flow_logs.DEFAULT_LOG_FORMAT,
    }
    item.update(overrides)
    return item


def changes(item, params):
    current = flow_logs.normalise_flow_log(item)
    desired = flow_logs.normalise_params(params, current["tags"])
    return flow_logs.differing_fields(current, desired)


class TestNormalise:
    def test_cloudwatch_item_matches_its_params(self):
        assert changes(cloudwatch_item(), module_params()) == []

    def test_s3_item_matches_its_params(self):
        assert changes(s3_item(), s3_params()) == []

    def test_aws_defaults_fill_fields_missing_from_the_response(self):
        item = cloudwatch_item()
        for field in ("TrafficType", "MaxAggregationInterval", "LogFormat"):
            del item[field]
        assert changes(item, module_params()) == []

    def test_cloudwatch_shape_ignores_the_log_group_arn_aws_adds(self):
        state = flow_logs.normalise_flow_log(cloudwatch_item())
        assert state["log_group_name"] == "/envops/flow-logs"
        assert "log_destination" not in state

    def test_s3_shape_has_no_log_group_nor_role(self):
        state = flow_logs.normalise_flow_log(s3_item())
        assert state["log_destination"] == BUCKET_ARN
        assert "log_group_name" not in state
        assert "deliver_logs_permission_arn" not in state

    def test_unset_log_format_means_the_aws_default(self):
        state = flow_logs.normalise_params(module_params(log_format=None), {})
        assert state["log_format"] == flow_logs.DEFAULT_LOG_FORMAT

    def test_log_format_whitespace_from_yaml_block_is_not_a_change(self):
        item = cloudwatch_item(LogFormat="${srcaddr} ${dstaddr} ${action}")
        assert changes(item, module_params(log_format="${srcaddr}\n${dstaddr}  ${action}\n")) == []

    def test_custom_format_on_aws_differs_from_unset_format(self):
        item = cloudwatch_item(LogFormat="${srcaddr} ${dstaddr}")
        assert changes(item, module_params()) == ["log_format"]


class TestDifferences:
    @pytest.mark.parametrize(
        "overrides, expected",
        [
            ({"traffic_type": "REJECT"}, ["traffic_type"]),
            ({"max_aggregation_interval": 60}, ["max_aggregation_interval"]),
            ({"deliver_logs_permission_arn": "arn:aws:iam::123456789012:role/other"}, ["deliver_logs_permission_arn"]),
            ({"tags": {"env": "dev"}}, ["tags"]),
            ({"traffic_type": "ACCEPT", "tags": {"env": "dev"}}, ["tags", "traffic_type"]),
        ],
    )
    def test_fields_that_differ(self, overrides, expected):
        assert changes(cloudwatch_item(), module_params(**overrides)) == expected

    def test_everything_differs_from_nothing(self):
        desired = flow_logs.normalise_params(module_params(), {})
        assert flow_logs.differing_fields({}, desired) == sorted(desired)

    @pytest.mark.parametrize(
        "fields, replace",
        [
            ([], False),
            (["tags"], False),
            (["traffic_type"], True),
            (["log_format", "tags"], True),
        ],
    )
    def test_only_tags_change_in_place(self, fields, replace):
        assert flow_logs.needs_replacement(fields) is replace


class TestDesiredTags:
    CURRENT = {"env": "dev", "owner": "team-a", "aws:cloudformation:stack-name": "net"}

    def test_unset_tags_leave_tags_alone(self):
        assert flow_logs.desired_tags(self.CURRENT, None, True) == self.CURRENT

    def test_purge_removes_other_keys_but_never_aws_keys(self):
        assert flow_logs.desired_tags(self.CURRENT, {"env": "prod"}, True) == {
            "env": "prod",
            "aws:cloudformation:stack-name": "net",
        }

    def test_without_purge_tags_are_merged(self):
        assert flow_logs.desired_tags(self.CURRENT, {"cost": 42}, False) == dict(self.CURRENT, cost="42")

    def test_empty_tags_with_purge_remove_all_user_tags(self):
        assert flow_logs.desired_tags(self.CURRENT, {}, True) == {"aws:cloudformation:stack-name": "net"}


class TestMatching:
    def test_only_the_flow_log_to_our_destination_is_ours(self):
        ours = cloudwatch_item()
        others = [
            cloudwatch_item(FlowLogId="fl-other", LogGroupName="/security/all-vpcs"),
            s3_item(),
        ]
        assert flow_logs.matching_flow_logs(others + [ours], "cloud-watch-logs", "/envops/flow-logs") == [ours]

    def test_s3_flow_log_is_matched_on_its_arn(self):
        ours = s3_item()
        other = s3_item(FlowLogId="fl-other", LogDestination="arn:aws:s3:::audit-bucket")
        assert flow_logs.matching_flow_logs([cloudwatch_item(), other, ours], "s3", BUCKET_ARN) == [ours]

    def test_a_log_group_arn_does_not_match_an_s3_destination(self):
        item = cloudwatch_item()
        assert flow_logs.matching_flow_logs([item], "s3", item["LogDestination"]) == []

    def test_no_flow_logs(self):
        assert flow_logs.matching_flow_logs([], "cloud-watch-logs", "/envops/flow-logs") == []

    @pytest.mark.parametrize(
        "params, destination",
        [(module_params(), "/envops/flow-logs"), (s3_params(), BUCKET_ARN)],
    )
    def test_destination_of(self, params, destination):
        assert flow_logs.destination_of(params) == destination


class TestValidate:
    def test_valid_cloudwatch_and_s3_params(self):
        assert flow_logs.validate_params(module_params()) == []
        assert flow_logs.validate_params(s3_params()) == []

    @pytest.mark.parametrize(
        "params, problem",
        [
            (module_params(resource_id="subnet-0123"), "is not a VPC id"),
            (module_params(resource_type="NetworkInterface"), "expected eni-"),
            (s3_params(log_destination="my-bucket"), "is not an S3 bucket ARN"),
            (s3_params(log_destination="arn:aws:logs:me-south-1:123456789012:log-group:x"), "is not an S3 bucket ARN"),
            (s3_params(deliver_logs_permission_arn=ROLE_ARN), "applies only to log_destination_type=cloud-watch-logs"),
            (module_params(deliver_logs_permission_arn=None), "deliver_logs_permission_arn is required"),
            (module_params(deliver_logs_permission_arn="flow-logs-role"), "is not an IAM role ARN"),
            (module_params(deliver_logs_permission_arn="arn:aws:iam::123456789012:user/bob"), "is not an IAM role ARN"),
        ],
    )
    def test_problems(self, params, problem):
        problems = flow_logs.validate_params(params)
        assert len(problems) == 1
        assert problem in problems[0]

    def test_role_is_not_needed_to_delete(self):
        assert flow_logs.validate_params(module_params(deliver_logs_permission_arn=None, state="absent")) == []


class TestCreateParams:
    def test_cloudwatch(self):
        desired = flow_logs.normalise_params(module_params(tags={"env": "dev"}), {})
        assert flow_logs.create_flow_log_params(desired, "VPC") == {
            "ResourceType": "VPC",
            "ResourceIds": [VPC_ID],
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": "/envops/flow-logs",
            "DeliverLogsPermissionArn": ROLE_ARN,
            "MaxAggregationInterval": 600,
            "LogFormat": flow_logs.DEFAULT_LOG_FORMAT,
            "TagSpecifications": [{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "env", "Value": "dev"}]}],
        }

    def test_s3_without_tags(self):
        params = flow_logs.create_flow_log_params(flow_logs.normalise_params(s3_params(), {}), "VPC")
        assert params["LogDestination"] == BUCKET_ARN
        assert "LogGroupName" not in params
        assert "DeliverLogsPermissionArn" not in params
        assert "TagSpecifications" not in params

    def test_aws_tags_carried_over_by_a_replacement_are_not_sent(self):
        desired = flow_logs.normalise_params(module_params(), {"aws:cloudformation:stack-name": "net"})
        assert "TagSpecifications" not in flow_logs.create_flow_log_params(desired, "VPC")
