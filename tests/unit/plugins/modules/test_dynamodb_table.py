# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What dynamodb_table calls on DynamoDB for each situation, with a recording fake client (no AWS, no boto3)."""

import copy

import pytest

from ansible_collections.envops.aws.plugins.module_utils import dynamodb
from ansible_collections.envops.aws.plugins.modules import dynamodb_table

ACCOUNT = "123456789012"
NAME = "envops-sessions"
TABLE_ARN = f"arn:aws:dynamodb:me-south-1:{ACCOUNT}:table/{NAME}"
KEY_ARN = f"arn:aws:kms:me-south-1:{ACCOUNT}:key/0b5c3e2a-4f6d-4c1b-9a55-2f1d3c4b5a6e"
OTHER_KEY_ARN = f"arn:aws:kms:me-south-1:{ACCOUNT}:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
MUTATING_CALLS = {
    "create_table",
    "update_table",
    "delete_table",
    "update_continuous_backups",
    "update_time_to_live",
    "tag_resource",
    "untag_resource",
}


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


class FakeModule:
    def __init__(self, check_mode=False, **overrides):
        self.params = {
            "name": NAME,
            "state": "present",
            "hash_key_name": "session_id",
            "hash_key_type": "STRING",
            "range_key_name": None,
            "range_key_type": None,
            "billing_mode": "PAY_PER_REQUEST",
            "read_capacity": None,
            "write_capacity": None,
            "point_in_time_recovery": True,
            "sse_kms_key_id": None,
            "ttl_attribute": "expires_at",
            "deletion_protection": None,
            "stream": None,
            "global_secondary_indexes": None,
            "tags": {"env": "dev"},
            "purge_tags": True,
            "wait": True,
            "wait_timeout": 600,
        }
        self.params.update(overrides)
        self.check_mode = check_mode
        self._diff = True
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def exit_json(self, **result):
        raise ModuleExit(False, result)

    def fail_json(self, **result):
        raise ModuleExit(True, result)


TYPES = {"STRING": "S", "NUMBER": "N", "BINARY": "B"}


class FakeDynamoDB:
    """Keeps one table in memory like AWS describes it and records every API call by name.

    ignore_sse=True behaves like moto 5.2.5, whose UpdateTable accepts SSESpecification and ignores it.
    """

    def __init__(self, table=None, pitr=True, ttl_attribute=None, tags=None, ignore_sse=False):
        self.table = copy.deepcopy(table)
        self.pitr = pitr
        self.ttl_attribute = ttl_attribute
        self.tags = dict(tags or {})
        self.ignore_sse = ignore_sse
        self.calls = []

    # Reads

    def describe_table(self, TableName):
        self.calls.append("describe_table")
        if self.table is None or self.table["TableName"] != TableName:
            raise MissingTable()
        return {"Table": copy.deepcopy(self.table)}

    def describe_continuous_backups(self, TableName):
        self.calls.append("describe_continuous_backups")
        status = "ENABLED" if self.pitr else "DISABLED"
        return {
            "ContinuousBackupsDescription": {
                "ContinuousBackupsStatus": "ENABLED",
                "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": status},
            }
        }

    def describe_time_to_live(self, TableName):
        self.calls.append("describe_time_to_live")
        if not self.ttl_attribute:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": self.ttl_attribute}}

    def get_paginator(self, operation):
        assert operation == "list_tags_of_resource"
        return self

    def paginate(self, ResourceArn):
        self.calls.append("list_tags_of_resource")
        assert ResourceArn == TABLE_ARN
        return FakePage([{"Key": key, "Value": value} for key, value in self.tags.items()])

    # Writes

    def create_table(self, **params):
        self.calls.append("create_table")
        self.last_create = params
        table = {
            "TableName": params["TableName"],
            "TableArn": TABLE_ARN,
            "TableStatus": "ACTIVE",
            "AttributeDefinitions": params["AttributeDefinitions"],
            "KeySchema": params["KeySchema"],
            "BillingModeSummary": {"BillingMode": params["BillingMode"]},
            "ProvisionedThroughput": params.get("ProvisionedThroughput", {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}),
            "DeletionProtectionEnabled": params.get("DeletionProtectionEnabled", False),
        }
        if "GlobalSecondaryIndexes" in params:
            table["GlobalSecondaryIndexes"] = [dict(index, IndexStatus="ACTIVE") for index in params["GlobalSecondaryIndexes"]]
        if "StreamSpecification" in params:
            table["StreamSpecification"] = params["StreamSpecification"]
        self.table = table
        self._apply_sse(params.get("SSESpecification"))
        self.pitr = False
        self.ttl_attribute = None
        self.tags = {tag["Key"]: tag["Value"] for tag in params.get("Tags", [])}
        return {"TableDescription": copy.deepcopy(table)}

    def update_table(self, **params):
        self.calls.append("update_table")
        self.updates = getattr(self, "updates", []) + [params]
        table = self.table
        if "BillingMode" in params:
            table["BillingModeSummary"] = {"BillingMode": params["BillingMode"]}
        if "ProvisionedThroughput" in params:
            table["ProvisionedThroughput"] = params["ProvisionedThroughput"]
        if "DeletionProtectionEnabled" in params:
            table["DeletionProtectionEnabled"] = params["DeletionProtectionEnabled"]
        if "StreamSpecification" in params:
            table["StreamSpecification"] = params["StreamSpecification"]
        if "SSESpecification" in params and not self.ignore_sse:
            self._apply_sse(params["SSESpecification"])
        for update in params.get("GlobalSecondaryIndexUpdates", []):
            indexes = table.setdefault("GlobalSecondaryIndexes", [])
            if "Create" in update:
                indexes.append(dict(update["Create"], IndexStatus="ACTIVE"))
                table["AttributeDefinitions"] = params["AttributeDefinitions"]
            if "Delete" in update:
                table["GlobalSecondaryIndexes"] = [i for i in indexes if i["IndexName"] != update["Delete"]["IndexName"]]
            if "Update" in update:
                index = next(i for i in indexes if i["IndexName"] == update["Update"]["IndexName"])
                index["ProvisionedThroughput"] = update["Update"]["ProvisionedThroughput"]
        return {"TableDescription": copy.deepcopy(table)}

    def _apply_sse(self, specification):
        if specification and specification["Enabled"]:
            self.table["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": specification["KMSMasterKeyId"]}
        else:
            self.table.pop("SSEDescription", None)

    def delete_table(self, TableName):
        self.calls.append("delete_table")
        self.table = None
        return {}

    def update_continuous_backups(self, TableName, PointInTimeRecoverySpecification):
        self.calls.append("update_continuous_backups")
        self.pitr = PointInTimeRecoverySpecification["PointInTimeRecoveryEnabled"]
        return {"ContinuousBackupsDescription": {}}

    def update_time_to_live(self, TableName, TimeToLiveSpecification):
        self.calls.append("update_time_to_live")
        self.ttl_attribute = TimeToLiveSpecification["AttributeName"] if TimeToLiveSpecification["Enabled"] else None
        return {"TimeToLiveSpecification": TimeToLiveSpecification}

    def tag_resource(self, ResourceArn, Tags):
        self.calls.append("tag_resource")
        self.tags.update({tag["Key"]: tag["Value"] for tag in Tags})

    def untag_resource(self, ResourceArn, TagKeys):
        self.calls.append("untag_resource")
        for key in TagKeys:
            self.tags.pop(key)

    def mutating_calls(self):
        return [call for call in self.calls if call in MUTATING_CALLS]

    def calls_after_reading(self):
        """Mutating calls and waits, in order."""
        return [call for call in self.calls if call in MUTATING_CALLS or call.startswith("wait_")]


class MissingTable(Exception):
    """Stands in for botocore's ClientError ResourceNotFoundException (the module sees None)."""


class FakePage:
    def __init__(self, tags):
        self.tags = tags

    def build_full_result(self):
        return {"Tags": self.tags}


@pytest.fixture(autouse=True)
def no_aws_waits(monkeypatch):
    """Waits are recorded as calls; the botocore waiters are tested in test_dynamodb.py."""

    def wait_active(client, table_name, timeout):
        client.calls.append("wait_active")

    def wait_deleted(client, table_name, timeout):
        client.calls.append("wait_deleted")

    def describe_table(client, table_name):
        try:
            return client.describe_table(TableName=table_name)["Table"]
        except MissingTable:
            return None

    monkeypatch.setattr(dynamodb, "wait_table_active", wait_active)
    monkeypatch.setattr(dynamodb, "wait_table_deleted", wait_deleted)
    monkeypatch.setattr(dynamodb, "describe_table", describe_table)


def existing_table(**overrides):
    table = {
        "TableName": NAME,
        "TableArn": TABLE_ARN,
        "TableStatus": "ACTIVE",
        "AttributeDefinitions": [{"AttributeName": "session_id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "session_id", "KeyType": "HASH"}],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        "DeletionProtectionEnabled": False,
        "CreationDateTime": "2026-11-23T10:20:31+00:00",
        "WarmThroughput": {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"},
    }
    table.update(overrides)
    return table


def up_to_date(**overrides):
    """A client whose table already matches FakeModule()'s defaults."""
    settings = dict(table=existing_table(), pitr=True, ttl_attribute="expires_at", tags={"env": "dev"})
    settings.update(overrides)
    return FakeDynamoDB(**settings)


def run(module, client, kms_key_arn=None):
    """Run the module's state handler and return what it exited with."""
    current = dynamodb.describe_table_full(client, module.params["name"])
    with pytest.raises(ModuleExit) as exited:
        if module.params["state"] == "present":
            dynamodb_table.ensure_present(client, module, current, kms_key_arn)
        else:
            dynamodb_table.ensure_absent(client, module, current)
    return exited.value


@pytest.mark.parametrize("check_mode", [True, False])
def test_create(check_mode):
    client = FakeDynamoDB()
    exited = run(FakeModule(check_mode=check_mode), client, KEY_ARN)
    assert exited.result["changed"] is True
    assert exited.result["diff"]["before"] == {}
    assert exited.result["diff"]["after"]["sse_kms_key_arn"] == KEY_ARN
    if check_mode:
        assert client.mutating_calls() == []
        assert exited.result["table"] == {}
        return
    # PITR and TTL need an active table; the final wait is the one before them.
    assert client.calls_after_reading() == ["create_table", "wait_active", "update_continuous_backups", "update_time_to_live"]
    assert client.last_create["Tags"] == [{"Key": "env", "Value": "dev"}]
    table = exited.result["table"]
    assert table["sse"] == {"status": "ENABLED", "sse_type": "KMS", "kms_master_key_arn": KEY_ARN, "aws_owned_key": False}
    assert table["point_in_time_recovery"]["enabled"] is True
    assert table["ttl"] == {"time_to_live_status": "ENABLED", "attribute_name": "expires_at", "enabled": True}
    assert table["tags"] == {"env": "dev"}
    assert table["billing_mode"] == "PAY_PER_REQUEST"


def test_create_without_pitr_ttl_or_wait_makes_one_call():
    client = FakeDynamoDB()
    run(FakeModule(point_in_time_recovery=False, ttl_attribute=None, wait=False), client)
    assert client.calls_after_reading() == ["create_table"]


def test_no_change_makes_no_call():
    client = up_to_date()
    exited = run(FakeModule(), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []
    assert exited.result["table"]["table_name"] == NAME
    assert exited.result["table"]["sse"] == {"aws_owned_key": True}
    assert exited.result["diff"]["before"] == exited.result["diff"]["after"]


def test_second_run_after_create_is_unchanged():
    client = FakeDynamoDB()
    params = dict(
        range_key_name="created_at",
        range_key_type="NUMBER",
        billing_mode="PROVISIONED",
        read_capacity=5,
        write_capacity=2,
        stream="NEW_AND_OLD_IMAGES",
        deletion_protection=True,
        global_secondary_indexes=[
            dict(
                name="by-user",
                hash_key_name="user_id",
                hash_key_type="STRING",
                range_key_name=None,
                range_key_type=None,
                projection="INCLUDE",
                non_key_attributes=["device"],
                read_capacity=None,
                write_capacity=None,
            )
        ],
    )
    assert run(FakeModule(**params), client, KEY_ARN).result["changed"] is True
    client.calls = []
    exited = run(FakeModule(**params), client, KEY_ARN)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []


@pytest.mark.parametrize("check_mode", [True, False])
def test_tags_ttl_and_pitr_change_in_place(check_mode):
    client = up_to_date(tags={"env": "dev", "old": "1"})
    module = FakeModule(check_mode=check_mode, tags={"env": "prod"}, ttl_attribute="", point_in_time_recovery=False)
    exited = run(module, client)
    assert exited.result["changed"] is True
    diff = exited.result["diff"]
    assert (diff["before"]["ttl_attribute"], diff["after"]["ttl_attribute"]) == ("expires_at", None)
    assert (diff["before"]["point_in_time_recovery"], diff["after"]["point_in_time_recovery"]) == (True, False)
    if check_mode:
        assert client.mutating_calls() == []
        assert exited.result["table"]["tags"] == {"env": "dev", "old": "1"}
        return
    assert client.mutating_calls() == ["update_continuous_backups", "update_time_to_live", "untag_resource", "tag_resource"]
    assert exited.result["table"]["tags"] == {"env": "prod"}
    assert exited.result["table"]["ttl"]["enabled"] is False


def test_unset_tags_and_ttl_are_left_alone():
    client = up_to_date(tags={"env": "dev", "owner": "someone"}, ttl_attribute="valid_until")
    exited = run(FakeModule(tags=None, ttl_attribute=None), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []


@pytest.mark.parametrize("check_mode", [True, False])
@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"hash_key_type": "NUMBER"}, "hash_key_type (current 'STRING', wanted 'NUMBER')"),
        ({"hash_key_name": "id"}, "hash_key_name (current 'session_id', wanted 'id')"),
        ({"range_key_name": "created_at"}, "range_key_name (current None, wanted 'created_at')"),
    ],
)
def test_key_change_is_refused_without_any_call(check_mode, overrides, field):
    client = up_to_date()
    # Other, updatable, changes in the same run are not applied either.
    exited = run(FakeModule(check_mode=check_mode, tags={"env": "prod"}, point_in_time_recovery=False, **overrides), client)
    assert exited.failed
    assert field in exited.result["msg"]
    assert exited.result["msg"].startswith(f"Table {NAME} cannot be changed in place")
    assert client.mutating_calls() == []


def test_index_definition_change_is_refused_without_any_call():
    index = {
        "IndexName": "by-user",
        "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
        "IndexStatus": "ACTIVE",
    }
    table = existing_table(
        GlobalSecondaryIndexes=[index],
        AttributeDefinitions=[
            {"AttributeName": "session_id", "AttributeType": "S"},
            {"AttributeName": "user_id", "AttributeType": "S"},
        ],
    )
    wanted = dict(
        name="by-user", hash_key_name="user_id", hash_key_type="STRING", range_key_name=None, range_key_type=None,
        projection="KEYS_ONLY", non_key_attributes=None, read_capacity=None, write_capacity=None,
    )
    client = up_to_date(table=table)
    exited = run(FakeModule(global_secondary_indexes=[wanted]), client)
    assert exited.failed
    assert "global_secondary_indexes[by-user].projection (current 'ALL', wanted 'KEYS_ONLY')" in exited.result["msg"]
    assert client.mutating_calls() == []


def test_ttl_move_is_refused_without_any_call():
    client = up_to_date()
    exited = run(FakeModule(ttl_attribute="valid_until"), client)
    assert exited.failed
    assert "ttl_attribute (current 'expires_at', wanted 'valid_until'" in exited.result["msg"]
    assert client.mutating_calls() == []


def test_several_table_updates_wait_in_between():
    client = up_to_date()
    exited = run(FakeModule(deletion_protection=True, stream="NEW_IMAGE", billing_mode="PROVISIONED", read_capacity=1, write_capacity=1), client, KEY_ARN)
    assert exited.result["changed"] is True
    assert client.calls_after_reading() == [
        "update_table", "wait_active",  # deletion protection on
        "update_table", "wait_active",  # billing mode
        "update_table", "wait_active",  # SSE key
        "update_table", "wait_active",  # stream
    ]
    assert exited.result["table"]["deletion_protection_enabled"] is True
    assert exited.result["table"]["billing_mode"] == "PROVISIONED"


def test_without_wait_only_the_last_wait_is_skipped():
    client = up_to_date()
    run(FakeModule(deletion_protection=True, stream="NEW_IMAGE", wait=False), client)
    assert client.calls_after_reading() == ["update_table", "wait_active", "update_table"]


def test_indexes_added_and_removed():
    index = {
        "IndexName": "by-user",
        "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
        "IndexStatus": "ACTIVE",
    }
    table = existing_table(
        GlobalSecondaryIndexes=[index],
        AttributeDefinitions=[
            {"AttributeName": "session_id", "AttributeType": "S"},
            {"AttributeName": "user_id", "AttributeType": "S"},
        ],
    )
    wanted = dict(
        name="by-device", hash_key_name="device", hash_key_type="BINARY", range_key_name=None, range_key_type=None,
        projection="KEYS_ONLY", non_key_attributes=None, read_capacity=None, write_capacity=None,
    )
    client = up_to_date(table=table)
    exited = run(FakeModule(global_secondary_indexes=[wanted]), client)
    assert [list(update["GlobalSecondaryIndexUpdates"][0])[0] for update in client.updates] == ["Delete", "Create"]
    assert client.calls_after_reading() == ["update_table", "wait_active", "update_table", "wait_active"]
    assert [index["index_name"] for index in exited.result["table"]["global_secondary_indexes"]] == ["by-device"]
    # Nothing left to do.
    client.calls = []
    assert run(FakeModule(global_secondary_indexes=[wanted]), client).result["changed"] is False


def test_sse_back_to_the_aws_owned_key():
    table = existing_table(SSEDescription={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN})
    client = up_to_date(table=table)
    module = FakeModule()
    exited = run(module, client)
    assert client.updates == [{"TableName": NAME, "SSESpecification": {"Enabled": False}}]
    assert exited.result["table"]["sse"] == {"aws_owned_key": True}
    assert module.warnings == []


def test_change_aws_does_not_report_is_warned():
    # moto 5.2.5 accepts an SSE key change and ignores it.
    table = existing_table(SSEDescription={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN})
    client = up_to_date(table=table, ignore_sse=True)
    module = FakeModule()
    exited = run(module, client, OTHER_KEY_ARN)
    assert exited.result["changed"] is True
    assert len(module.warnings) == 1
    assert f"sse_kms_key_arn '{KEY_ARN}' (wanted '{OTHER_KEY_ARN}')" in module.warnings[0]


def test_unsettled_table_is_waited_for_before_changing(monkeypatch):
    client = up_to_date(table=existing_table(TableStatus="UPDATING"), pitr=False)

    def settle(client_, table_name, timeout):
        client_.calls.append("wait_active")
        client_.table["TableStatus"] = "ACTIVE"

    monkeypatch.setattr(dynamodb, "wait_table_active", settle)
    run(FakeModule(), client)
    assert client.calls_after_reading() == ["wait_active", "update_continuous_backups"]


def test_unsettled_table_is_not_waited_for_in_check_mode():
    client = up_to_date(table=existing_table(TableStatus="UPDATING"), pitr=False)
    exited = run(FakeModule(check_mode=True), client)
    assert exited.result["changed"] is True
    assert client.calls_after_reading() == []


def test_present_while_being_deleted_fails():
    client = up_to_date(table=existing_table(TableStatus="DELETING"))
    exited = run(FakeModule(), client)
    assert exited.failed and "is being deleted" in exited.result["msg"]
    assert client.mutating_calls() == []


@pytest.mark.parametrize("check_mode, calls", [(True, []), (False, ["delete_table", "wait_deleted"])])
def test_absent_deletes(check_mode, calls):
    client = up_to_date()
    exited = run(FakeModule(check_mode=check_mode, state="absent"), client)
    assert exited.result["changed"] is True
    assert exited.result["table"] == {}
    assert exited.result["diff"]["before"]["name"] == NAME
    assert exited.result["diff"]["after"] == {}
    assert client.calls_after_reading() == calls


def test_absent_without_wait():
    client = up_to_date()
    run(FakeModule(state="absent", wait=False), client)
    assert client.calls_after_reading() == ["delete_table"]


@pytest.mark.parametrize("check_mode", [True, False])
def test_absent_refuses_a_protected_table(check_mode):
    client = up_to_date(table=existing_table(DeletionProtectionEnabled=True))
    exited = run(FakeModule(check_mode=check_mode, state="absent"), client)
    assert exited.failed
    assert "deletion protection enabled" in exited.result["msg"]
    assert "deletion_protection=false" in exited.result["msg"]
    assert client.mutating_calls() == []


def test_absent_when_missing_is_unchanged():
    client = FakeDynamoDB()
    exited = run(FakeModule(state="absent"), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []


def test_absent_while_being_deleted_waits_unchanged():
    client = up_to_date(table=existing_table(TableStatus="DELETING"))
    exited = run(FakeModule(state="absent"), client)
    assert exited.result["changed"] is False
    assert client.calls_after_reading() == ["wait_deleted"]


def test_format_table_timestamps_are_text():
    import datetime

    created = datetime.datetime(2026, 11, 23, 10, 20, tzinfo=datetime.timezone.utc)
    current = {
        "table": existing_table(CreationDateTime=created, BillingModeSummary={"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": created}),
        "continuous_backups": {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED", "EarliestRestorableDateTime": created}},
        "time_to_live": {},
        "tags": {},
    }
    table = dynamodb_table.format_table(current)
    assert table["creation_date_time"] == "2026-11-23T10:20:00+00:00"
    assert table["billing_mode_summary"]["last_update_to_pay_per_request_date_time"] == "2026-11-23T10:20:00+00:00"
    assert table["point_in_time_recovery"]["earliest_restorable_date_time"] == "2026-11-23T10:20:00+00:00"
    assert table["ttl"] == {"enabled": False}
