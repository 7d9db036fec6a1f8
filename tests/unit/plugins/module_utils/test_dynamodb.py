# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import copy

import pytest

from ansible_collections.envops.aws.plugins.module_utils import dynamodb

ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:me-south-1:{ACCOUNT}:table/envops-sessions"
KEY_ARN = f"arn:aws:kms:me-south-1:{ACCOUNT}:key/0b5c3e2a-4f6d-4c1b-9a55-2f1d3c4b5a6e"
OTHER_KEY_ARN = f"arn:aws:kms:me-south-1:{ACCOUNT}:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"


def module_params(**overrides):
    """Parameters as AnsibleAWSModule hands them over, with the module's defaults."""
    params = {
        "name": "envops-sessions",
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
        "ttl_attribute": None,
        "deletion_protection": None,
        "stream": None,
        "global_secondary_indexes": None,
        "tags": None,
        "purge_tags": True,
        "wait": True,
        "wait_timeout": 600,
    }
    params.update(overrides)
    return params


def index_params(**overrides):
    index = {
        "name": "by-user",
        "hash_key_name": "user_id",
        "hash_key_type": "STRING",
        "range_key_name": None,
        "range_key_type": None,
        "projection": "ALL",
        "non_key_attributes": None,
        "read_capacity": None,
        "write_capacity": None,
    }
    index.update(overrides)
    return index


def provisioned(**overrides):
    return module_params(**dict({"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 2}, **overrides))


def described_index(**overrides):
    """A GlobalSecondaryIndexes item of an on-demand table as AWS describes it."""
    index = {
        "IndexName": "by-user",
        "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
        "IndexStatus": "ACTIVE",
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        "IndexSizeBytes": 0,
        "ItemCount": 0,
        "IndexArn": f"{TABLE_ARN}/index/by-user",
        "WarmThroughput": {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"},
    }
    index.update(overrides)
    return index


def described_table(**overrides):
    """DescribeTable's Table for an on-demand table with AWS owned encryption, as AWS returns it."""
    table = {
        "AttributeDefinitions": [{"AttributeName": "session_id", "AttributeType": "S"}],
        "TableName": "envops-sessions",
        "KeySchema": [{"AttributeName": "session_id", "KeyType": "HASH"}],
        "TableStatus": "ACTIVE",
        "CreationDateTime": "2026-11-23T10:20:31.346000+00:00",
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        "TableSizeBytes": 0,
        "ItemCount": 0,
        "TableArn": TABLE_ARN,
        "TableId": "4f1d7b0e-2c3a-4e5f-8a9b-0c1d2e3f4a5b",
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": "2026-11-23T10:20:31Z"},
        "DeletionProtectionEnabled": False,
        "TableClassSummary": {"TableClass": "STANDARD"},
        "WarmThroughput": {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"},
    }
    table.update(overrides)
    if "AttributeDefinitions" not in overrides:
        # AWS defines the key attributes of the indexes too (string, unless a test says otherwise).
        defined = {item["AttributeName"] for item in table["AttributeDefinitions"]}
        for index in table.get("GlobalSecondaryIndexes") or []:
            for element in index["KeySchema"]:
                if element["AttributeName"] not in defined:
                    defined.add(element["AttributeName"])
                    table["AttributeDefinitions"].append({"AttributeName": element["AttributeName"], "AttributeType": "S"})
    return table


def described(table=None, pitr="ENABLED", ttl_status="DISABLED", ttl_attribute=None, tags=None):
    """What describe_table_full returns."""
    pitr_description = {"PointInTimeRecoveryStatus": pitr}
    if pitr == "ENABLED":
        pitr_description.update(RecoveryPeriodInDays=35)
    time_to_live = {"TimeToLiveStatus": ttl_status}
    if ttl_attribute:
        time_to_live["AttributeName"] = ttl_attribute
    return {
        "table": table or described_table(),
        "continuous_backups": {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr_description},
        "time_to_live": time_to_live,
        "tags": dict(tags or {}),
    }


def kms_table(**overrides):
    return described_table(SSEDescription={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN}, **overrides)


def provisioned_table(**overrides):
    """A table that was always provisioned: AWS leaves BillingModeSummary out."""
    table = described_table(
        ProvisionedThroughput={"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 2}, **overrides
    )
    del table["BillingModeSummary"]
    return table


def states(current, params, kms_key_arn=None):
    before = dynamodb.normalise_table(current)
    return before, dynamodb.normalise_params(params, before, kms_key_arn)


def changes(current, params, kms_key_arn=None):
    return dynamodb.differing_fields(*states(current, params, kms_key_arn))


def plan(current, params, kms_key_arn=None):
    return dynamodb.plan_update(*states(current, params, kms_key_arn))


class TestValidate:
    def test_valid_params(self):
        assert dynamodb.validate_params(module_params()) == []
        assert dynamodb.validate_params(provisioned(global_secondary_indexes=[index_params()])) == []

    @pytest.mark.parametrize("name", ["ab", "has space", "a" * 256, "sessions/prod", "täble"])
    def test_invalid_table_name(self, name):
        problems = dynamodb.validate_params(module_params(name=name))
        assert len(problems) == 1 and "is not a valid table name" in problems[0]

    @pytest.mark.parametrize("name", ["abc", "envops.prod_sessions-1", "A" * 255])
    def test_valid_table_names(self, name):
        assert dynamodb.validate_params(module_params(name=name)) == []

    def test_absent_checks_only_the_name(self):
        params = module_params(state="absent", hash_key_name=None, range_key_type="NUMBER", billing_mode="PROVISIONED")
        assert dynamodb.validate_params(params) == []

    @pytest.mark.parametrize(
        "overrides, problem",
        [
            ({"range_key_type": "NUMBER"}, "range_key_type needs range_key_name"),
            ({"range_key_name": "session_id"}, "are the same attribute 'session_id'"),
            ({"hash_key_name": ""}, "must be 1 to 255 bytes long"),
            ({"range_key_name": "r" * 256}, "must be 1 to 255 bytes long"),
            ({"billing_mode": "PROVISIONED"}, "billing_mode=PROVISIONED needs read_capacity and write_capacity"),
            ({"billing_mode": "PROVISIONED", "read_capacity": 5}, "needs read_capacity and write_capacity"),
            ({"read_capacity": 5, "write_capacity": 5}, "apply only to billing_mode=PROVISIONED"),
            ({"billing_mode": "PROVISIONED", "read_capacity": 0, "write_capacity": 1}, "must be at least 1"),
            ({"ttl_attribute": "t" * 256}, "ttl_attribute"),
            ({"sse_kms_key_id": ""}, "leave it unset for the AWS owned key"),
            ({"wait_timeout": 0}, "wait_timeout must be at least 1"),
        ],
    )
    def test_table_problems(self, overrides, problem):
        problems = dynamodb.validate_params(module_params(**overrides))
        assert len(problems) == 1, problems
        assert problem in problems[0]

    def test_empty_ttl_attribute_is_valid(self):
        assert dynamodb.validate_params(module_params(ttl_attribute="")) == []

    @pytest.mark.parametrize(
        "index, problem",
        [
            (index_params(name="ix"), "Index name 'ix' is not valid"),
            (index_params(range_key_type="NUMBER"), "global_secondary_indexes[by-user].range_key_type needs"),
            (index_params(range_key_name="user_id"), "are the same attribute 'user_id'"),
            (index_params(projection="INCLUDE"), "projection=INCLUDE needs"),
            (index_params(non_key_attributes=["device"]), "non_key_attributes apply only to projection=INCLUDE"),
            (index_params(read_capacity=1, write_capacity=1), "apply only to billing_mode=PROVISIONED"),
        ],
    )
    def test_index_problems(self, index, problem):
        problems = dynamodb.validate_params(module_params(global_secondary_indexes=[index]))
        assert len(problems) == 1, problems
        assert problem in problems[0]

    def test_index_capacity_must_be_positive(self):
        params = provisioned(global_secondary_indexes=[index_params(read_capacity=0)])
        assert dynamodb.validate_params(params) == [
            "global_secondary_indexes[by-user].read_capacity and global_secondary_indexes[by-user].write_capacity"
            " must be at least 1."
        ]

    def test_duplicate_index_names(self):
        params = module_params(global_secondary_indexes=[index_params(), index_params(hash_key_name="device")])
        assert dynamodb.validate_params(params) == ["Index name 'by-user' is given twice in global_secondary_indexes."]

    def test_attribute_with_two_types(self):
        params = module_params(global_secondary_indexes=[index_params(hash_key_name="session_id", hash_key_type="NUMBER")])
        problems = dynamodb.validate_params(params)
        assert problems == [
            "Attribute 'session_id' is STRING as the table's hash key and NUMBER as hash key of index by-user;"
            " an attribute has one type."
        ]

    def test_attribute_with_two_types_across_indexes(self):
        params = module_params(
            global_secondary_indexes=[
                index_params(range_key_name="created_at", range_key_type="NUMBER"),
                index_params(name="by-device", hash_key_name="device", range_key_name="created_at"),
            ]
        )
        problems = dynamodb.validate_params(params)
        assert len(problems) == 1 and "'created_at' is NUMBER as range key of index by-user and STRING" in problems[0]

    def test_same_attribute_with_the_same_type_is_fine(self):
        params = module_params(
            range_key_name="created_at",
            range_key_type="NUMBER",
            global_secondary_indexes=[index_params(range_key_name="created_at", range_key_type="NUMBER")],
        )
        assert dynamodb.validate_params(params) == []

    def test_all_problems_are_reported_at_once(self):
        params = module_params(name="x", range_key_type="BINARY", billing_mode="PROVISIONED")
        assert len(dynamodb.validate_params(params)) == 3


class TestNormaliseTable:
    def test_on_demand_table_matches_its_params(self):
        assert changes(described(), module_params()) == []

    def test_aws_additions_are_not_compared(self):
        state = dynamodb.normalise_table(described())
        assert sorted(state) == sorted(
            [
                "name", "hash_key_name", "hash_key_type", "range_key_name", "range_key_type", "billing_mode",
                "point_in_time_recovery", "sse_kms_key_arn", "ttl_attribute", "deletion_protection", "stream",
                "global_secondary_indexes", "tags",
            ]
        )

    def test_provisioned_table_without_billing_summary(self):
        state = dynamodb.normalise_table(described(provisioned_table()))
        assert (state["billing_mode"], state["read_capacity"], state["write_capacity"]) == ("PROVISIONED", 5, 2)
        assert changes(described(provisioned_table()), provisioned()) == []

    def test_throughput_of_an_on_demand_table_is_ignored(self):
        # moto keeps the old capacities after a switch to on-demand; AWS reports 0.
        table = described_table(ProvisionedThroughput={"ReadCapacityUnits": 4, "WriteCapacityUnits": 3})
        assert "read_capacity" not in dynamodb.normalise_table(described(table))

    def test_range_key_and_its_type(self):
        table = described_table(
            AttributeDefinitions=[
                {"AttributeName": "session_id", "AttributeType": "S"},
                {"AttributeName": "created_at", "AttributeType": "N"},
            ],
            KeySchema=[
                {"AttributeName": "session_id", "KeyType": "HASH"},
                {"AttributeName": "created_at", "KeyType": "RANGE"},
            ],
        )
        state = dynamodb.normalise_table(described(table))
        assert (state["range_key_name"], state["range_key_type"]) == ("created_at", "NUMBER")
        assert changes(described(table), module_params(range_key_name="created_at", range_key_type="NUMBER")) == []

    @pytest.mark.parametrize(
        "sse, key",
        [
            (None, None),
            ({"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN}, KEY_ARN),
            ({"Status": "UPDATING", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN}, KEY_ARN),
            ({"Status": "ENABLING", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN}, KEY_ARN),
            ({"Status": "DISABLED"}, None),
            ({"Status": "DISABLING", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN}, None),
        ],
    )
    def test_sse_key(self, sse, key):
        table = described_table(SSEDescription=sse) if sse else described_table()
        assert dynamodb.normalise_table(described(table))["sse_kms_key_arn"] == key

    @pytest.mark.parametrize("status, enabled", [("ENABLED", True), ("ENABLING", True), ("DISABLED", False)])
    def test_point_in_time_recovery(self, status, enabled):
        assert dynamodb.normalise_table(described(pitr=status))["point_in_time_recovery"] is enabled

    def test_missing_continuous_backups_mean_pitr_off(self):
        current = dict(described(), continuous_backups={})
        assert dynamodb.normalise_table(current)["point_in_time_recovery"] is False

    @pytest.mark.parametrize(
        "status, attribute, expected",
        [
            ("ENABLED", "expires_at", "expires_at"),
            ("ENABLING", "expires_at", "expires_at"),
            ("DISABLING", "expires_at", None),
            ("DISABLED", "expires_at", None),
            ("DISABLED", None, None),
        ],
    )
    def test_ttl(self, status, attribute, expected):
        assert dynamodb.normalise_table(described(ttl_status=status, ttl_attribute=attribute))["ttl_attribute"] == expected

    @pytest.mark.parametrize(
        "specification, stream",
        [
            (None, "DISABLED"),
            ({"StreamEnabled": False}, "DISABLED"),
            ({"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}, "NEW_AND_OLD_IMAGES"),
            ({"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}, "KEYS_ONLY"),
        ],
    )
    def test_stream(self, specification, stream):
        table = described_table(StreamSpecification=specification) if specification else described_table()
        assert dynamodb.normalise_table(described(table))["stream"] == stream

    def test_deletion_protection_missing_means_off(self):
        table = described_table()
        del table["DeletionProtectionEnabled"]
        assert dynamodb.normalise_table(described(table))["deletion_protection"] is False

    def test_index_of_an_on_demand_table(self):
        table = described_table(
            AttributeDefinitions=[
                {"AttributeName": "session_id", "AttributeType": "S"},
                {"AttributeName": "user_id", "AttributeType": "B"},
            ],
            GlobalSecondaryIndexes=[described_index(Projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["b", "a"]})],
        )
        assert dynamodb.normalise_table(described(table))["global_secondary_indexes"] == {
            "by-user": {
                "hash_key_name": "user_id",
                "hash_key_type": "BINARY",
                "range_key_name": None,
                "range_key_type": None,
                "projection": "INCLUDE",
                "non_key_attributes": ["a", "b"],
            }
        }

    def test_index_of_a_provisioned_table_has_capacities(self):
        index = described_index(ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 1})
        table = provisioned_table(GlobalSecondaryIndexes=[index])
        state = dynamodb.normalise_table(described(table))["global_secondary_indexes"]["by-user"]
        assert (state["read_capacity"], state["write_capacity"]) == (3, 1)

    def test_index_being_created_is_an_index(self):
        table = described_table(GlobalSecondaryIndexes=[described_index(IndexStatus="CREATING", Backfilling=True)])
        assert list(dynamodb.normalise_table(described(table))["global_secondary_indexes"]) == ["by-user"]

    def test_tags(self):
        assert dynamodb.normalise_table(described(tags={"env": "prod"}))["tags"] == {"env": "prod"}


class TestNormaliseParams:
    @staticmethod
    def customised_table():
        """A table with everything the module leaves alone when its option is unset."""
        table = described_table(
            DeletionProtectionEnabled=True,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
            GlobalSecondaryIndexes=[described_index()],
        )
        return described(table, ttl_status="ENABLED", ttl_attribute="expires_at", tags={"env": "prod"})

    def test_new_table_defaults(self):
        state = dynamodb.normalise_params(module_params(), {}, None)
        assert state == {
            "name": "envops-sessions",
            "hash_key_name": "session_id",
            "hash_key_type": "STRING",
            "range_key_name": None,
            "range_key_type": None,
            "billing_mode": "PAY_PER_REQUEST",
            "point_in_time_recovery": True,
            "sse_kms_key_arn": None,
            "ttl_attribute": None,
            "deletion_protection": False,
            "stream": "DISABLED",
            "global_secondary_indexes": {},
            "tags": {},
        }

    def test_range_key_type_defaults_to_string(self):
        state = dynamodb.normalise_params(module_params(range_key_name="created_at"), {}, None)
        assert state["range_key_type"] == "STRING"

    def test_provisioned_has_capacities(self):
        state = dynamodb.normalise_params(provisioned(), {}, None)
        assert (state["read_capacity"], state["write_capacity"]) == (5, 2)

    def test_unset_options_leave_the_table_as_it_is(self):
        current = self.customised_table()
        assert changes(current, module_params()) == []

    @pytest.mark.parametrize(
        "overrides, field, value",
        [
            ({"ttl_attribute": ""}, "ttl_attribute", None),
            ({"deletion_protection": False}, "deletion_protection", False),
            ({"stream": "DISABLED"}, "stream", "DISABLED"),
            ({"global_secondary_indexes": []}, "global_secondary_indexes", {}),
            ({"tags": {}}, "tags", {}),
        ],
    )
    def test_set_options_override_the_table(self, overrides, field, value):
        current = self.customised_table()
        before, after = states(current, module_params(**overrides))
        assert after[field] == value
        assert dynamodb.differing_fields(before, after) == [field]

    def test_the_kms_key_arn_is_compared(self):
        assert changes(described(kms_table()), module_params(), KEY_ARN) == []
        assert changes(described(kms_table()), module_params(), OTHER_KEY_ARN) == ["sse_kms_key_arn"]

    def test_unset_kms_key_means_the_aws_owned_key(self):
        assert changes(described(kms_table()), module_params()) == ["sse_kms_key_arn"]

    def test_index_gets_the_table_capacities(self):
        state = dynamodb.normalise_params(provisioned(global_secondary_indexes=[index_params()]), {}, None)
        index = state["global_secondary_indexes"]["by-user"]
        assert (index["read_capacity"], index["write_capacity"]) == (5, 2)

    def test_index_capacities_of_its_own(self):
        params = provisioned(global_secondary_indexes=[index_params(read_capacity=9, write_capacity=8)])
        index = dynamodb.normalise_params(params, {}, None)["global_secondary_indexes"]["by-user"]
        assert (index["read_capacity"], index["write_capacity"]) == (9, 8)

    def test_index_of_an_on_demand_table_has_no_capacities(self):
        index = dynamodb.normalise_params(module_params(global_secondary_indexes=[index_params()]), {}, None)
        assert "read_capacity" not in index["global_secondary_indexes"]["by-user"]

    def test_index_non_key_attributes_are_sorted(self):
        params = module_params(global_secondary_indexes=[index_params(projection="INCLUDE", non_key_attributes=["z", "a"])])
        index = dynamodb.normalise_params(params, {}, None)["global_secondary_indexes"]["by-user"]
        assert index["non_key_attributes"] == ["a", "z"]

    def test_unset_indexes_keep_their_capacity(self):
        index = described_index(ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 1})
        assert changes(described(provisioned_table(GlobalSecondaryIndexes=[index])), provisioned()) == []

    def test_unset_indexes_get_table_capacities_when_the_table_becomes_provisioned(self):
        current = described(described_table(GlobalSecondaryIndexes=[described_index()]))
        before, after = states(current, provisioned())
        assert after["global_secondary_indexes"]["by-user"]["read_capacity"] == 5
        assert dynamodb.differing_fields(before, after) == ["billing_mode", "global_secondary_indexes", "read_capacity", "write_capacity"]


class TestDesiredTags:
    CURRENT = {"env": "dev", "owner": "team-a", "aws:cloudformation:stack-name": "data"}

    def test_unset_tags_leave_tags_alone(self):
        assert dynamodb.desired_tags(self.CURRENT, None, True) == self.CURRENT

    def test_purge_removes_other_keys_but_never_aws_keys(self):
        assert dynamodb.desired_tags(self.CURRENT, {"env": "prod"}, True) == {
            "env": "prod",
            "aws:cloudformation:stack-name": "data",
        }

    def test_without_purge_tags_are_merged(self):
        assert dynamodb.desired_tags(self.CURRENT, {"cost": 42}, False) == dict(self.CURRENT, cost="42")

    def test_tag_changes(self):
        before = {"tags": {"env": "dev", "old": "1"}}
        assert dynamodb.tag_changes(before, {"tags": {"env": "prod"}}) == ({"env": "prod"}, ["old"])


class TestRefused:
    RANGE_TABLE = described_table(
        AttributeDefinitions=[
            {"AttributeName": "session_id", "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "N"},
        ],
        KeySchema=[
            {"AttributeName": "session_id", "KeyType": "HASH"},
            {"AttributeName": "created_at", "KeyType": "RANGE"},
        ],
    )

    def refused(self, current, params):
        return dynamodb.refused_changes(*states(current, params))

    def test_nothing_is_refused_for_a_new_table(self):
        assert dynamodb.refused_changes({}, dynamodb.normalise_params(module_params(), {}, None)) == []

    @pytest.mark.parametrize(
        "overrides, refused",
        [
            ({"hash_key_type": "NUMBER"}, ["hash_key_type (current 'STRING', wanted 'NUMBER')"]),
            ({"hash_key_name": "id"}, ["hash_key_name (current 'session_id', wanted 'id')"]),
            ({"range_key_name": "created_at", "range_key_type": "STRING"}, ["range_key_type (current 'NUMBER', wanted 'STRING')"]),
            ({"range_key_name": "updated_at", "range_key_type": "NUMBER"}, ["range_key_name (current 'created_at', wanted 'updated_at')"]),
        ],
    )
    def test_key_changes(self, overrides, refused):
        params = module_params(**dict({"range_key_name": "created_at", "range_key_type": "NUMBER"}, **overrides))
        assert self.refused(described(self.RANGE_TABLE), params) == refused

    def test_removing_the_range_key_is_refused(self):
        assert self.refused(described(self.RANGE_TABLE), module_params()) == [
            "range_key_name (current 'created_at', wanted None)",
            "range_key_type (current 'NUMBER', wanted None)",
        ]

    def test_adding_a_range_key_is_refused(self):
        refused = self.refused(described(), module_params(range_key_name="created_at"))
        assert refused == ["range_key_name (current None, wanted 'created_at')", "range_key_type (current None, wanted 'STRING')"]

    def test_updatable_changes_are_not_refused(self):
        params = provisioned(
            point_in_time_recovery=False, ttl_attribute="expires_at", deletion_protection=True, stream="NEW_IMAGE",
            global_secondary_indexes=[index_params()], tags={"env": "prod"},
        )
        assert self.refused(described(kms_table()), params) == []

    @pytest.mark.parametrize(
        "index, field",
        [
            (index_params(hash_key_name="device"), "hash_key_name"),
            (index_params(hash_key_type="NUMBER"), "hash_key_type"),
            (index_params(range_key_name="created_at"), "range_key_name"),
            (index_params(projection="KEYS_ONLY"), "projection"),
        ],
    )
    def test_index_definition_changes(self, index, field):
        current = described(described_table(GlobalSecondaryIndexes=[described_index()]))
        refused = self.refused(current, module_params(global_secondary_indexes=[index]))
        assert refused[0].startswith(f"global_secondary_indexes[by-user].{field} (current ")

    def test_index_non_key_attributes_change(self):
        index = described_index(Projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["device"]})
        current = described(described_table(GlobalSecondaryIndexes=[index]))
        params = module_params(global_secondary_indexes=[index_params(projection="INCLUDE", non_key_attributes=["device", "ip"])])
        assert self.refused(current, params) == [
            "global_secondary_indexes[by-user].non_key_attributes (current ['device'], wanted ['device', 'ip'])"
        ]

    def test_index_capacity_change_is_not_refused(self):
        index = described_index(ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 1})
        current = described(provisioned_table(GlobalSecondaryIndexes=[index]))
        assert self.refused(current, provisioned(global_secondary_indexes=[index_params(read_capacity=7)])) == []

    def test_renamed_index_is_not_refused(self):
        current = described(described_table(GlobalSecondaryIndexes=[described_index()]))
        params = module_params(global_secondary_indexes=[index_params(name="by-user-v2", projection="KEYS_ONLY")])
        assert self.refused(current, params) == []

    @pytest.mark.parametrize("wanted, refused", [("valid_until", True), ("expires_at", False), ("", False)])
    def test_ttl_cannot_move_to_another_attribute(self, wanted, refused):
        current = described(ttl_status="ENABLED", ttl_attribute="expires_at")
        result = self.refused(current, module_params(ttl_attribute=wanted))
        assert bool(result) is refused
        if refused:
            assert "ttl_attribute (current 'expires_at', wanted 'valid_until'" in result[0]

    def test_enabling_ttl_is_not_refused(self):
        assert self.refused(described(), module_params(ttl_attribute="expires_at")) == []

    def test_message_names_table_field_and_values(self):
        message = dynamodb.refusal_message("envops-sessions", ["hash_key_type (current 'STRING', wanted 'NUMBER')"])
        assert message.startswith("Table envops-sessions cannot be changed in place: hash_key_type (current 'STRING', wanted 'NUMBER'). Nothing was changed.")
        assert "fixed when it is created" in message

    def test_ttl_message_has_no_key_advice(self):
        message = dynamodb.refusal_message("t1x", ["ttl_attribute (current 'a', wanted 'b'; ...)"])
        assert "fixed when it is created" not in message


class TestPlan:
    def test_no_change_no_step(self):
        assert plan(described(), module_params()) == []

    def test_pitr(self):
        assert plan(described(pitr="DISABLED"), module_params()) == [
            (
                "update_continuous_backups",
                {"TableName": "envops-sessions", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}},
            )
        ]

    def test_pitr_off(self):
        steps = plan(described(), module_params(point_in_time_recovery=False))
        assert steps[0][1]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": False}

    def test_ttl_enable(self):
        assert plan(described(), module_params(ttl_attribute="expires_at")) == [
            (
                "update_time_to_live",
                {"TableName": "envops-sessions", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires_at"}},
            )
        ]

    def test_ttl_disable_names_the_current_attribute(self):
        steps = plan(described(ttl_status="ENABLED", ttl_attribute="expires_at"), module_params(ttl_attribute=""))
        assert steps == [
            (
                "update_time_to_live",
                {"TableName": "envops-sessions", "TimeToLiveSpecification": {"Enabled": False, "AttributeName": "expires_at"}},
            )
        ]

    @pytest.mark.parametrize(
        "current, kms_key_arn, specification",
        [
            (described_table(), KEY_ARN, {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ARN}),
            (kms_table(), OTHER_KEY_ARN, {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": OTHER_KEY_ARN}),
            (kms_table(), None, {"Enabled": False}),
        ],
    )
    def test_sse(self, current, kms_key_arn, specification):
        assert plan(described(current), module_params(), kms_key_arn) == [
            ("update_table", {"TableName": "envops-sessions", "SSESpecification": specification})
        ]

    @pytest.mark.parametrize(
        "current, wanted, specifications",
        [
            (None, "NEW_IMAGE", [{"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}]),
            ("NEW_IMAGE", "DISABLED", [{"StreamEnabled": False}]),
            ("NEW_IMAGE", "KEYS_ONLY", [{"StreamEnabled": False}, {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}]),
        ],
    )
    def test_stream(self, current, wanted, specifications):
        table = described_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": current}) if current else described_table()
        steps = plan(described(table), module_params(stream=wanted))
        assert steps == [("update_table", {"TableName": "envops-sessions", "StreamSpecification": spec}) for spec in specifications]

    def test_to_provisioned_sends_table_and_index_capacities(self):
        current = described(described_table(GlobalSecondaryIndexes=[described_index()]))
        assert plan(current, provisioned()) == [
            (
                "update_table",
                {
                    "TableName": "envops-sessions",
                    "BillingMode": "PROVISIONED",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
                    "GlobalSecondaryIndexUpdates": [
                        {"Update": {"IndexName": "by-user", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}}}
                    ],
                },
            )
        ]

    def test_to_on_demand_sends_only_the_mode(self):
        index = described_index(ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 1})
        current = described(provisioned_table(GlobalSecondaryIndexes=[index]))
        assert plan(current, module_params()) == [
            ("update_table", {"TableName": "envops-sessions", "BillingMode": "PAY_PER_REQUEST"})
        ]

    def test_table_capacity_change_alone(self):
        assert plan(described(provisioned_table()), provisioned(read_capacity=10)) == [
            ("update_table", {"TableName": "envops-sessions", "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 2}})
        ]

    def test_index_capacity_change_alone(self):
        index = described_index(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 2})
        current = described(provisioned_table(GlobalSecondaryIndexes=[index]))
        steps = plan(current, provisioned(global_secondary_indexes=[index_params(write_capacity=4)]))
        assert steps == [
            (
                "update_table",
                {
                    "TableName": "envops-sessions",
                    "GlobalSecondaryIndexUpdates": [
                        {"Update": {"IndexName": "by-user", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 4}}}
                    ],
                },
            )
        ]

    def test_indexes_are_deleted_then_created_one_per_call(self):
        current = described(described_table(GlobalSecondaryIndexes=[described_index()]))
        params = module_params(
            global_secondary_indexes=[
                index_params(name="by-device", hash_key_name="device", range_key_name="seen_at", range_key_type="NUMBER"),
                index_params(name="by-ip", hash_key_name="ip", projection="KEYS_ONLY"),
            ]
        )
        steps = plan(current, params)
        assert [list(step[1]["GlobalSecondaryIndexUpdates"][0].items())[0][0] for step in steps] == ["Delete", "Create", "Create"]
        assert steps[0][1] == {"TableName": "envops-sessions", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by-user"}}]}
        assert steps[1][1]["GlobalSecondaryIndexUpdates"][0]["Create"] == {
            "IndexName": "by-device",
            "KeySchema": [{"AttributeName": "device", "KeyType": "HASH"}, {"AttributeName": "seen_at", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }
        # Each call defines every key attribute in use after it, the deleted index's key no more.
        assert steps[1][1]["AttributeDefinitions"] == [
            {"AttributeName": "session_id", "AttributeType": "S"},
            {"AttributeName": "device", "AttributeType": "S"},
            {"AttributeName": "seen_at", "AttributeType": "N"},
        ]
        assert [item["AttributeName"] for item in steps[2][1]["AttributeDefinitions"]] == ["session_id", "device", "seen_at", "ip"]

    def test_index_created_on_a_provisioned_table_has_capacities(self):
        steps = plan(described(provisioned_table()), provisioned(global_secondary_indexes=[index_params(read_capacity=1, write_capacity=1)]))
        assert steps[0][1]["GlobalSecondaryIndexUpdates"][0]["Create"]["ProvisionedThroughput"] == {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}

    def test_included_attributes_are_sent(self):
        params = module_params(global_secondary_indexes=[index_params(projection="INCLUDE", non_key_attributes=["ip", "device"])])
        create = plan(described(), params)[0][1]["GlobalSecondaryIndexUpdates"][0]["Create"]
        assert create["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["device", "ip"]}

    def test_index_removed_before_the_switch_to_provisioned(self):
        current = described(described_table(GlobalSecondaryIndexes=[described_index()]))
        steps = plan(current, provisioned(global_secondary_indexes=[]))
        assert steps == [
            ("update_table", {"TableName": "envops-sessions", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by-user"}}]}),
            (
                "update_table",
                {"TableName": "envops-sessions", "BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}},
            ),
        ]

    def test_deletion_protection_on_comes_first(self):
        steps = plan(described(pitr="DISABLED"), module_params(deletion_protection=True, stream="KEYS_ONLY"))
        assert steps[0] == ("update_table", {"TableName": "envops-sessions", "DeletionProtectionEnabled": True})
        assert [step[0] for step in steps] == ["update_table", "update_table", "update_continuous_backups"]

    def test_deletion_protection_off_comes_last_of_table_updates(self):
        table = described_table(DeletionProtectionEnabled=True)
        steps = plan(described(table), module_params(deletion_protection=False, stream="KEYS_ONLY", ttl_attribute="exp"))
        assert [step[1].get("DeletionProtectionEnabled") for step in steps] == [None, False, None]
        assert steps[-1][0] == "update_time_to_live"

    def test_everything_at_once_in_order(self):
        current = described(described_table(GlobalSecondaryIndexes=[described_index()]), pitr="DISABLED")
        params = provisioned(
            deletion_protection=True, stream="NEW_IMAGE", ttl_attribute="exp",
            global_secondary_indexes=[index_params(name="by-device", hash_key_name="device")],
        )
        steps = plan(current, params, KEY_ARN)
        summary = [(operation, sorted(key for key in kwargs if key != "TableName")) for operation, kwargs in steps]
        assert summary == [
            ("update_table", ["DeletionProtectionEnabled"]),
            ("update_table", ["GlobalSecondaryIndexUpdates"]),
            ("update_table", ["BillingMode", "ProvisionedThroughput"]),
            ("update_table", ["AttributeDefinitions", "GlobalSecondaryIndexUpdates"]),
            ("update_table", ["SSESpecification"]),
            ("update_table", ["StreamSpecification"]),
            ("update_continuous_backups", ["PointInTimeRecoverySpecification"]),
            ("update_time_to_live", ["TimeToLiveSpecification"]),
        ]

    def test_tags_are_not_planned(self):
        assert plan(described(tags={"env": "dev"}), module_params(tags={"env": "prod"})) == []


class TestCreate:
    def test_minimal_table(self):
        desired = dynamodb.normalise_params(module_params(), {}, None)
        assert dynamodb.create_table_params(desired) == {
            "TableName": "envops-sessions",
            "AttributeDefinitions": [{"AttributeName": "session_id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "session_id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        }

    def test_full_table(self):
        params = provisioned(
            range_key_name="created_at",
            range_key_type="NUMBER",
            deletion_protection=True,
            stream="NEW_AND_OLD_IMAGES",
            tags={"env": "prod"},
            global_secondary_indexes=[
                index_params(name="by-user", hash_key_name="user_id", hash_key_type="BINARY", range_key_name="created_at", range_key_type="NUMBER"),
                index_params(name="by-device", hash_key_name="device", projection="KEYS_ONLY", read_capacity=1, write_capacity=1),
            ],
        )
        desired = dynamodb.normalise_params(params, {}, KEY_ARN)
        assert dynamodb.create_table_params(desired) == {
            "TableName": "envops-sessions",
            "AttributeDefinitions": [
                {"AttributeName": "session_id", "AttributeType": "S"},
                {"AttributeName": "created_at", "AttributeType": "N"},
                {"AttributeName": "device", "AttributeType": "S"},
                {"AttributeName": "user_id", "AttributeType": "B"},
            ],
            "KeySchema": [{"AttributeName": "session_id", "KeyType": "HASH"}, {"AttributeName": "created_at", "KeyType": "RANGE"}],
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by-device",
                    "KeySchema": [{"AttributeName": "device", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                },
                {
                    "IndexName": "by-user",
                    "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "created_at", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "ALL"},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
                },
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ARN},
            "DeletionProtectionEnabled": True,
            "Tags": [{"Key": "env", "Value": "prod"}],
        }

    def test_pitr_and_ttl_follow_creation(self):
        desired = dynamodb.normalise_params(module_params(ttl_attribute="expires_at"), {}, None)
        steps = dynamodb.plan_update(dynamodb.created_state(desired), desired)
        assert [step[0] for step in steps] == ["update_continuous_backups", "update_time_to_live"]

    def test_nothing_follows_creation_without_pitr_and_ttl(self):
        desired = dynamodb.normalise_params(module_params(point_in_time_recovery=False), {}, None)
        assert dynamodb.plan_update(dynamodb.created_state(desired), desired) == []

    def test_created_table_described_by_aws_matches_desired(self):
        """Round trip: what CreateTable sends, described back as AWS does, compares equal."""
        params = module_params(range_key_name="created_at", global_secondary_indexes=[index_params()], stream="KEYS_ONLY", tags={"env": "prod"})
        desired = dynamodb.normalise_params(params, {}, KEY_ARN)
        sent = dynamodb.create_table_params(desired)
        table = described_table(
            AttributeDefinitions=sent["AttributeDefinitions"],
            KeySchema=sent["KeySchema"],
            GlobalSecondaryIndexes=[described_index(**index) for index in sent["GlobalSecondaryIndexes"]],
            StreamSpecification=sent["StreamSpecification"],
            SSEDescription={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN},
        )
        current = described(table, tags={"env": "prod"})
        assert dynamodb.differing_fields(dynamodb.normalise_table(current), desired) == []

    def test_aws_tags_are_not_sent(self):
        desired = dynamodb.normalise_params(module_params(), {"tags": {"aws:cloudformation:stack-name": "data"}}, None)
        assert "Tags" not in dynamodb.create_table_params(desired)


class TestSettled:
    @pytest.mark.parametrize(
        "table, settled",
        [
            (described_table(), True),
            (described_table(TableStatus="UPDATING"), False),
            (described_table(GlobalSecondaryIndexes=[described_index()]), True),
            (described_table(GlobalSecondaryIndexes=[described_index(IndexStatus="CREATING")]), False),
            (described_table(GlobalSecondaryIndexes=[described_index(IndexStatus="DELETING")]), False),
        ],
    )
    def test_is_settled(self, table, settled):
        assert dynamodb.is_settled(table) is settled


class FakeDescribeClient:
    """Answers DescribeTable from a list of responses (or ClientErrors), for the botocore waiters."""

    def __init__(self, *responses):
        import boto3

        self.meta = boto3.client("dynamodb", region_name="me-south-1", aws_access_key_id="x", aws_secret_access_key="y").meta
        self.responses = list(responses)
        self.calls = 0

    def describe_table(self, **kwargs):
        self.calls += 1
        response = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(response, Exception):
            raise response
        return copy.deepcopy(response)


def client_error(code):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": code}}, "DescribeTable")


@pytest.fixture
def no_sleep(monkeypatch):
    pytest.importorskip("boto3")
    monkeypatch.setattr("time.sleep", lambda seconds: None)


class TestWaiters:
    def test_active_waits_for_indexes(self, no_sleep):
        client = FakeDescribeClient(
            {"Table": described_table(TableStatus="UPDATING")},
            {"Table": described_table(GlobalSecondaryIndexes=[described_index(IndexStatus="CREATING")])},
            {"Table": described_table(GlobalSecondaryIndexes=[described_index()])},
        )
        dynamodb.wait_table_active(client, "envops-sessions", 60)
        assert client.calls == 3

    def test_active_retries_a_table_not_yet_visible(self, no_sleep):
        client = FakeDescribeClient(client_error("ResourceNotFoundException"), {"Table": described_table()})
        dynamodb.wait_table_active(client, "envops-sessions", 60)
        assert client.calls == 2

    def test_inaccessible_key_fails_at_once(self, no_sleep):
        client = FakeDescribeClient({"Table": described_table(TableStatus="INACCESSIBLE_ENCRYPTION_CREDENTIALS")})
        with pytest.raises(dynamodb.AnsibleDynamoDBError, match="wait for the table and its indexes to be active"):
            dynamodb.wait_table_active(client, "envops-sessions", 60)
        assert client.calls == 1

    def test_active_times_out(self, no_sleep):
        client = FakeDescribeClient({"Table": described_table(TableStatus="UPDATING")})
        with pytest.raises(dynamodb.AnsibleDynamoDBError, match="Timeout trying to wait"):
            dynamodb.wait_table_active(client, "envops-sessions", 10)

    def test_deleted(self, no_sleep):
        client = FakeDescribeClient(
            {"Table": described_table(TableStatus="DELETING")}, client_error("ResourceNotFoundException")
        )
        dynamodb.wait_table_deleted(client, "envops-sessions", 60)
        assert client.calls == 2


class FakeErrors:
    """A client whose calls raise the given error code, like AWS for a missing table or key."""

    def __init__(self, code):
        self.code = code

    def __getattr__(self, name):
        def call(**kwargs):
            raise client_error(self.code)

        return call


class TestMissing:
    @pytest.fixture(autouse=True)
    def botocore(self):
        pytest.importorskip("botocore")

    def test_missing_table_is_none(self):
        assert dynamodb.describe_table(FakeErrors("ResourceNotFoundException"), "nope") is None
        assert dynamodb.describe_table_full(FakeErrors("ResourceNotFoundException"), "nope") is None

    def test_missing_table_on_delete_is_no_change(self):
        assert dynamodb.delete_table(FakeErrors("ResourceNotFoundException"), "nope") is False

    def test_missing_kms_key_is_none(self):
        assert dynamodb.resolve_kms_key(FakeErrors("NotFoundException"), "alias/nope") is None

    def test_other_errors_raise(self):
        with pytest.raises(dynamodb.AnsibleDynamoDBError, match="Failed to describe table"):
            dynamodb.describe_table(FakeErrors("AccessDeniedException"), "envops-sessions")
