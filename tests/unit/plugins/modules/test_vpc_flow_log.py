# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What vpc_flow_log calls on EC2 for each situation, with a recording fake client (no AWS, no boto3)."""

import pytest

from ansible_collections.envops.aws.plugins.module_utils import flow_logs
from ansible_collections.envops.aws.plugins.modules import vpc_flow_log

VPC_ID = "vpc-0123456789abcdef0"
ROLE_ARN = "arn:aws:iam::123456789012:role/flow-logs"
MUTATING_CALLS = {"create_flow_logs", "delete_flow_logs", "create_tags", "delete_tags"}


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


class FakeModule:
    def __init__(self, check_mode=False, **overrides):
        self.params = {
            "resource_id": VPC_ID,
            "resource_type": "VPC",
            "traffic_type": "ALL",
            "log_destination_type": "cloud-watch-logs",
            "log_group_name": "/envops/flow-logs",
            "log_destination": None,
            "deliver_logs_permission_arn": ROLE_ARN,
            "max_aggregation_interval": 600,
            "log_format": None,
            "tags": {"env": "dev"},
            "purge_tags": True,
            "state": "present",
        }
        self.params.update(overrides)
        self.check_mode = check_mode
        self._diff = True

    def exit_json(self, **result):
        raise ModuleExit(False, result)

    def fail_json(self, **result):
        raise ModuleExit(True, result)


class FakeEC2:
    """Keeps flow logs in memory and records every API call by name."""

    def __init__(self, *existing):
        self.flow_logs = [dict(item) for item in existing]
        self.calls = []

    def get_paginator(self, operation):
        assert operation == "describe_flow_logs"
        return self

    def paginate(self, Filters):
        self.calls.append("describe_flow_logs")
        resource_ids = Filters[0]["Values"]
        return FakePage([item for item in self.flow_logs if item["ResourceId"] in resource_ids])

    def create_flow_logs(self, **params):
        self.calls.append("create_flow_logs")
        item = {
            "FlowLogId": f"fl-new{len(self.calls)}",
            "ResourceId": params["ResourceIds"][0],
            "TrafficType": params["TrafficType"],
            "LogDestinationType": params["LogDestinationType"],
            "LogGroupName": params.get("LogGroupName"),
            "DeliverLogsPermissionArn": params.get("DeliverLogsPermissionArn"),
            "MaxAggregationInterval": params["MaxAggregationInterval"],
            "LogFormat": params["LogFormat"],
            "Tags": params.get("TagSpecifications", [{"Tags": []}])[0]["Tags"],
        }
        self.flow_logs.append(item)
        return {"FlowLogIds": [item["FlowLogId"]], "Unsuccessful": []}

    def delete_flow_logs(self, FlowLogIds):
        self.calls.append("delete_flow_logs")
        self.flow_logs = [item for item in self.flow_logs if item["FlowLogId"] not in FlowLogIds]
        return {"Unsuccessful": []}

    def create_tags(self, Resources, Tags):
        self.calls.append("create_tags")
        item = self._item(Resources[0])
        keys = {tag["Key"] for tag in Tags}
        item["Tags"] = [tag for tag in item["Tags"] if tag["Key"] not in keys] + Tags

    def delete_tags(self, Resources, Tags):
        self.calls.append("delete_tags")
        item = self._item(Resources[0])
        keys = {tag["Key"] for tag in Tags}
        item["Tags"] = [tag for tag in item["Tags"] if tag["Key"] not in keys]

    def _item(self, flow_log_id):
        return next(item for item in self.flow_logs if item["FlowLogId"] == flow_log_id)

    def mutating_calls(self):
        return [call for call in self.calls if call in MUTATING_CALLS]


class FakePage:
    def __init__(self, items):
        self.items = items

    def build_full_result(self):
        return {"FlowLogs": self.items}


def existing_flow_log(**overrides):
    item = {
        "FlowLogId": "fl-existing",
        "ResourceId": VPC_ID,
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": "/envops/flow-logs",
        "DeliverLogsPermissionArn": ROLE_ARN,
        "MaxAggregationInterval": 600,
        "LogFormat": flow_logs.DEFAULT_LOG_FORMAT,
        "Tags": [{"Key": "env", "Value": "dev"}],
    }
    item.update(overrides)
    return item


def run(module, client):
    """Run the module's state handler and return what it exited with."""
    handler = vpc_flow_log.ensure_present if module.params["state"] == "present" else vpc_flow_log.ensure_absent
    with pytest.raises(ModuleExit) as exited:
        handler(client, module, vpc_flow_log.find_flow_log(client, module))
    return exited.value


@pytest.mark.parametrize("check_mode", [True, False])
def test_create(check_mode):
    client = FakeEC2()
    exited = run(FakeModule(check_mode=check_mode), client)
    assert exited.result["changed"] is True
    assert exited.result["diff"]["before"] == {}
    assert exited.result["diff"]["after"]["traffic_type"] == "ALL"
    if check_mode:
        assert client.mutating_calls() == []
        assert exited.result["flow_log"] == {}
    else:
        assert client.mutating_calls() == ["create_flow_logs"]
        assert exited.result["flow_log"]["tags"] == {"env": "dev"}


def test_no_change_makes_no_call():
    client = FakeEC2(existing_flow_log())
    exited = run(FakeModule(), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []
    assert exited.result["flow_log"]["flow_log_id"] == "fl-existing"


@pytest.mark.parametrize("check_mode, calls", [(True, []), (False, ["delete_flow_logs", "create_flow_logs"])])
def test_traffic_type_change_replaces(check_mode, calls):
    client = FakeEC2(existing_flow_log())
    exited = run(FakeModule(check_mode=check_mode, traffic_type="REJECT"), client)
    assert exited.result["changed"] is True
    assert client.mutating_calls() == calls
    assert (exited.result["diff"]["before"]["traffic_type"], exited.result["diff"]["after"]["traffic_type"]) == ("ALL", "REJECT")


def test_replacement_keeps_tags_when_tags_are_unset():
    client = FakeEC2(existing_flow_log())
    exited = run(FakeModule(traffic_type="ACCEPT", tags=None), client)
    assert exited.result["flow_log"]["tags"] == {"env": "dev"}


@pytest.mark.parametrize("check_mode, calls", [(True, []), (False, ["delete_tags", "create_tags"])])
def test_tags_change_in_place(check_mode, calls):
    client = FakeEC2(existing_flow_log(Tags=[{"Key": "env", "Value": "dev"}, {"Key": "old", "Value": "1"}]))
    exited = run(FakeModule(check_mode=check_mode, tags={"env": "prod"}), client)
    assert exited.result["changed"] is True
    assert client.mutating_calls() == calls
    if not check_mode:
        assert exited.result["flow_log"]["flow_log_id"] == "fl-existing"
        assert exited.result["flow_log"]["tags"] == {"env": "prod"}


@pytest.mark.parametrize("check_mode, calls", [(True, []), (False, ["delete_flow_logs"])])
def test_absent_deletes_only_our_flow_log(check_mode, calls):
    other = existing_flow_log(FlowLogId="fl-other", LogGroupName="/security/all-vpcs")
    client = FakeEC2(other, existing_flow_log())
    exited = run(FakeModule(check_mode=check_mode, state="absent"), client)
    assert exited.result["changed"] is True
    assert exited.result["diff"]["after"] == {}
    assert client.mutating_calls() == calls
    assert "fl-other" in [item["FlowLogId"] for item in client.flow_logs]


def test_absent_when_missing_is_unchanged():
    exited = run(FakeModule(state="absent"), FakeEC2())
    assert exited.result["changed"] is False


def test_two_flow_logs_to_our_destination_are_refused():
    client = FakeEC2(existing_flow_log(), existing_flow_log(FlowLogId="fl-twin", TrafficType="REJECT"))
    with pytest.raises(ModuleExit) as exited:
        vpc_flow_log.find_flow_log(client, FakeModule())
    assert exited.value.failed
    assert "fl-existing, fl-twin" in exited.value.result["msg"]
    assert client.mutating_calls() == []
