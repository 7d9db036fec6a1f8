# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils import elasticache

GROUP_ID = "envops-sessions"
KEY_ID = "0f8e4c1a-1111-4222-8333-444455556666"
KEY_ARN = f"arn:aws:kms:me-south-1:123456789012:key/{KEY_ID}"
TOKEN = "S3cret-token-abcdefgh"


def module_params(**overrides):
    """Parameters as AnsibleAWSModule hands them over, with the module's defaults."""
    params = {
        "replication_group_id": GROUP_ID,
        "description": "sessions",
        "state": "present",
        "engine_version": "7.1",
        "node_type": "cache.t4g.small",
        "num_node_groups": 1,
        "replicas_per_node_group": 1,
        "automatic_failover": True,
        "multi_az": True,
        "cache_subnet_group": "envops-cache",
        "security_group_ids": ["sg-0b", "sg-0a"],
        "at_rest_encryption": True,
        "kms_key_id": KEY_ID,
        "transit_encryption": True,
        "auth_token": TOKEN,
        "auth_token_update": "on_create",
        "auth_token_update_strategy": "rotate",
        "snapshot_retention_limit": 3,
        "snapshot_window": "03:00-04:00",
        "maintenance_window": "sun:05:00-sun:06:00",
        "parameter_group": "default.redis7",
        "port": 6379,
        "apply_immediately": False,
        "final_snapshot_identifier": None,
        "tags": {"env": "dev"},
        "purge_tags": True,
        "wait": True,
        "wait_timeout": 1800,
    }
    params.update(overrides)
    return params


def unset_params(**overrides):
    """Only the required option and the options with a default: everything else left alone."""
    unset = {
        key: None
        for key in module_params()
        if key not in ("replication_group_id", "state", "num_node_groups", "at_rest_encryption", "transit_encryption",
                       "port", "auth_token_update", "auth_token_update_strategy", "apply_immediately", "purge_tags",
                       "wait", "wait_timeout")
    }
    return module_params(**dict(unset, **overrides))


def group_item(replicas=1, **overrides):
    """A DescribeReplicationGroups item as AWS returns it (cluster mode disabled)."""
    members = [f"{GROUP_ID}-{index:03d}" for index in range(1, replicas + 2)]
    item = {
        "ReplicationGroupId": GROUP_ID,
        "Description": "sessions",
        "Status": "available",
        "PendingModifiedValues": {},
        "MemberClusters": members,
        "NodeGroups": [
            {
                "NodeGroupId": "0001",
                "Status": "available",
                "PrimaryEndpoint": {"Address": f"master.{GROUP_ID}.abc.mes1.cache.amazonaws.com", "Port": 6379},
                "ReaderEndpoint": {"Address": f"replica.{GROUP_ID}.abc.mes1.cache.amazonaws.com", "Port": 6379},
                "NodeGroupMembers": [
                    {"CacheClusterId": member, "CacheNodeId": "0001", "CurrentRole": "primary" if index == 0 else "replica"}
                    for index, member in enumerate(members)
                ],
            }
        ],
        "AutomaticFailover": "enabled",
        "MultiAZ": "enabled",
        "SnapshotRetentionLimit": 3,
        "SnapshotWindow": "03:00-04:00",
        "ClusterEnabled": False,
        "CacheNodeType": "cache.t4g.small",
        "AuthTokenEnabled": True,
        "TransitEncryptionEnabled": True,
        "AtRestEncryptionEnabled": True,
        "KmsKeyId": KEY_ARN,
        "ARN": f"arn:aws:elasticache:me-south-1:123456789012:replicationgroup:{GROUP_ID}",
        "Engine": "redis",
    }
    item.update(overrides)
    return item


def cluster_item(**overrides):
    """A DescribeCacheClusters item of the first member cluster."""
    item = {
        "CacheClusterId": f"{GROUP_ID}-001",
        "CacheNodeType": "cache.t4g.small",
        "Engine": "redis",
        "EngineVersion": "7.1.0",
        "CacheClusterStatus": "available",
        "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
        "PendingModifiedValues": {},
        "CacheParameterGroup": {"CacheParameterGroupName": "default.redis7", "ParameterApplyStatus": "in-sync"},
        "CacheSubnetGroupName": "envops-cache",
        "SecurityGroups": [{"SecurityGroupId": "sg-0a", "Status": "active"}, {"SecurityGroupId": "sg-0b", "Status": "active"}],
        "ReplicationGroupId": GROUP_ID,
    }
    item.update(overrides)
    return item


def current_state(group=None, cluster="default", tags=None):
    group = group if group is not None else group_item()
    cluster = cluster_item() if cluster == "default" else cluster
    return elasticache.normalise_replication_group(group, cluster, {"env": "dev"} if tags is None else tags)


def changes(params, group=None, cluster="default", tags=None):
    current = current_state(group, cluster, tags)
    return elasticache.differing_fields(current, elasticache.normalise_params(params, current))


class TestNormaliseCurrent:
    def test_full_shape(self):
        assert current_state() == {
            "replication_group_id": GROUP_ID,
            "description": "sessions",
            "node_type": "cache.t4g.small",
            "num_node_groups": 1,
            "replicas_per_node_group": 1,
            "automatic_failover": True,
            "multi_az": True,
            "at_rest_encryption": True,
            "kms_key_id": KEY_ARN,
            "transit_encryption": True,
            "auth_token_enabled": True,
            "snapshot_retention_limit": 3,
            "snapshot_window": "03:00-04:00",
            "port": 6379,
            "tags": {"env": "dev"},
            "engine_version": "7.1.0",
            "cache_subnet_group": "envops-cache",
            "security_group_ids": ["sg-0a", "sg-0b"],
            "parameter_group": "default.redis7",
            "maintenance_window": "sun:05:00-sun:06:00",
        }

    def test_without_member_cluster_its_settings_are_unknown(self):
        state = current_state(cluster=None)
        for field in elasticache.CLUSTER_FIELDS:
            assert field not in state
        assert state["node_type"] == "cache.t4g.small"

    @pytest.mark.parametrize("replicas", [0, 1, 2, 5])
    def test_replicas_counted_from_node_group_members(self, replicas):
        assert current_state(group_item(replicas=replicas))["replicas_per_node_group"] == replicas

    def test_replicas_from_member_clusters_without_node_groups(self):
        group = group_item(replicas=2, NodeGroups=[])
        state = current_state(group)
        assert state["replicas_per_node_group"] == 2
        assert state["num_node_groups"] == 1

    def test_cluster_mode_shards_and_configuration_endpoint_port(self):
        node_groups = [
            {"NodeGroupId": f"000{index}", "NodeGroupMembers": [{"CacheClusterId": "a"}, {"CacheClusterId": "b"}]}
            for index in (1, 2, 3)
        ]
        group = group_item(NodeGroups=node_groups, ConfigurationEndpoint={"Address": "clustercfg.x", "Port": 6380})
        state = current_state(group)
        assert (state["num_node_groups"], state["replicas_per_node_group"], state["port"]) == (3, 1, 6380)

    def test_uneven_shards_count_the_smallest(self):
        node_groups = [
            {"NodeGroupId": "0001", "NodeGroupMembers": [{"CacheClusterId": "a"}, {"CacheClusterId": "b"}, {"CacheClusterId": "c"}]},
            {"NodeGroupId": "0002", "NodeGroupMembers": [{"CacheClusterId": "d"}, {"CacheClusterId": "e"}]},
        ]
        assert current_state(group_item(NodeGroups=node_groups))["replicas_per_node_group"] == 1

    def test_port_from_a_reader_endpoint_when_no_primary_endpoint(self):
        group = group_item()
        del group["NodeGroups"][0]["PrimaryEndpoint"]
        group["NodeGroups"][0]["NodeGroupMembers"][0]["ReadEndpoint"] = {"Address": "x", "Port": 6390}
        assert current_state(group)["port"] == 6390

    @pytest.mark.parametrize(
        "failover, multi_az, expected",
        [
            ("enabled", "enabled", (True, True)),
            ("enabling", "disabled", (True, False)),
            ("disabling", "disabled", (False, False)),
            ("disabled", "disabled", (False, False)),
            (None, None, (False, False)),
        ],
    )
    def test_failover_and_multi_az_statuses(self, failover, multi_az, expected):
        state = current_state(group_item(AutomaticFailover=failover, MultiAZ=multi_az))
        assert (state["automatic_failover"], state["multi_az"]) == expected

    def test_pending_values_count_as_made(self):
        group = group_item(PendingModifiedValues={"AutomaticFailoverStatus": "disabled"})
        cluster = cluster_item(PendingModifiedValues={"CacheNodeType": "cache.r7g.large", "EngineVersion": "7.2.4"})
        state = current_state(group, cluster)
        assert (state["automatic_failover"], state["node_type"], state["engine_version"]) == (False, "cache.r7g.large", "7.2.4")

    def test_maintenance_window_lowercase_and_security_groups_sorted(self):
        cluster = cluster_item(
            PreferredMaintenanceWindow="Sun:05:00-Sun:06:00",
            SecurityGroups=[{"SecurityGroupId": "sg-2"}, {"SecurityGroupId": "sg-1"}, {"SecurityGroupId": "sg-2"}],
        )
        state = current_state(cluster=cluster)
        assert state["maintenance_window"] == "sun:05:00-sun:06:00"
        assert state["security_group_ids"] == ["sg-1", "sg-2"]

    def test_unencrypted_group_without_auth(self):
        group = group_item(AtRestEncryptionEnabled=False, TransitEncryptionEnabled=False, AuthTokenEnabled=False)
        del group["KmsKeyId"]
        state = current_state(group)
        assert (state["at_rest_encryption"], state["transit_encryption"], state["auth_token_enabled"], state["kms_key_id"]) == (
            False, False, False, None)


class TestNormaliseParams:
    def test_matching_group_has_no_change(self):
        assert changes(module_params()) == []

    def test_unset_options_keep_current_values(self):
        assert changes(unset_params()) == []
        desired = elasticache.normalise_params(unset_params(), current_state())
        assert desired == dict(current_state())

    def test_new_group_has_only_what_is_set(self):
        desired = elasticache.normalise_params(unset_params(description="d", node_type="cache.t4g.micro"), {})
        assert desired == {
            "replication_group_id": GROUP_ID,
            "description": "d",
            "node_type": "cache.t4g.micro",
            "num_node_groups": 1,
            "at_rest_encryption": True,
            "transit_encryption": True,
            "port": 6379,
            "auth_token_enabled": False,
            "tags": {},
        }

    def test_new_group_with_token_shows_it_redacted(self):
        desired = elasticache.normalise_params(module_params(), {})
        assert desired["auth_token"] == elasticache.REDACTED
        assert TOKEN not in repr(desired)

    def test_token_of_an_existing_group_is_not_sent_again(self):
        desired = elasticache.normalise_params(module_params(), current_state())
        assert "auth_token" not in desired
        assert desired["auth_token_enabled"] is True

    def test_token_is_added_to_a_group_without_auth(self):
        current = current_state(group_item(AuthTokenEnabled=False))
        desired = elasticache.normalise_params(module_params(), current)
        assert elasticache.differing_fields(current, desired) == ["auth_token", "auth_token_enabled"]

    def test_token_always_is_sent_on_every_run(self):
        assert changes(module_params(auth_token_update="always")) == ["auth_token"]

    def test_unset_token_leaves_auth_alone(self):
        assert changes(module_params(auth_token=None)) == []
        current = current_state(group_item(AuthTokenEnabled=False))
        assert elasticache.normalise_params(module_params(auth_token=None), current)["auth_token_enabled"] is False

    @pytest.mark.parametrize("wanted", ["7.1", "7.1.0", "7", "7.x", "7.1.x"])
    def test_engine_version_spellings_match(self, wanted):
        assert changes(module_params(engine_version=wanted)) == []

    @pytest.mark.parametrize("wanted", ["7.2", "6.2", "8"])
    def test_other_engine_versions_differ(self, wanted):
        assert changes(module_params(engine_version=wanted)) == ["engine_version"]

    @pytest.mark.parametrize("wanted", [KEY_ID, KEY_ARN])
    def test_key_id_matches_its_arn(self, wanted):
        assert changes(module_params(kms_key_id=wanted)) == []

    def test_key_arn_matches_a_key_id_reported_as_given(self):
        group = group_item(KmsKeyId=KEY_ID)
        assert changes(module_params(kms_key_id=KEY_ARN), group=group) == []

    def test_other_key_differs(self):
        assert changes(module_params(kms_key_id="11111111-2222-3333-4444-555555555555")) == ["kms_key_id"]

    def test_security_groups_order_and_duplicates_do_not_matter(self):
        assert changes(module_params(security_group_ids=["sg-0b", "sg-0a", "sg-0b"])) == []

    def test_maintenance_window_case_does_not_matter(self):
        assert changes(module_params(maintenance_window="SUN:05:00-Sun:06:00")) == []

    def test_unknown_member_cluster_settings_are_left_out(self):
        current = current_state(cluster=None)
        desired = elasticache.normalise_params(module_params(cache_subnet_group="other", engine_version="7.2"), current)
        for field in elasticache.CLUSTER_FIELDS:
            assert field not in desired
        assert elasticache.differing_fields(current, desired) == []

    def test_unknown_fields_lists_only_set_options(self):
        current = current_state(cluster=None)
        assert elasticache.unknown_fields(unset_params(engine_version="7.1", security_group_ids=["sg-1"]), current) == [
            "engine_version", "security_group_ids"]
        assert elasticache.unknown_fields(unset_params(), current) == []
        assert elasticache.unknown_fields(module_params(), current_state()) == []
        assert elasticache.unknown_fields(module_params(), {}) == []

    def test_empty_security_group_list_is_managed(self):
        assert changes(module_params(security_group_ids=[])) == ["security_group_ids"]


class TestDesiredTags:
    CURRENT = {"env": "dev", "owner": "team-a", "aws:cloudformation:stack-name": "cache"}

    def test_unset_tags_leave_tags_alone(self):
        assert elasticache.desired_tags(self.CURRENT, None, True) == self.CURRENT

    def test_purge_removes_other_keys_but_never_aws_keys(self):
        assert elasticache.desired_tags(self.CURRENT, {"env": "prod"}, True) == {
            "env": "prod", "aws:cloudformation:stack-name": "cache"}

    def test_without_purge_tags_are_merged_as_strings(self):
        assert elasticache.desired_tags(self.CURRENT, {"cost": 42}, False) == dict(self.CURRENT, cost="42")

    def test_tag_changes(self):
        current = current_state(tags=dict(self.CURRENT))
        desired = elasticache.normalise_params(module_params(tags={"env": "prod", "cost": "1"}), current)
        to_set, to_unset = elasticache.tag_changes(current, desired)
        assert to_set == {"env": "prod", "cost": "1"}
        assert to_unset == ["owner"]


class TestDifferences:
    @pytest.mark.parametrize(
        "overrides, expected",
        [
            ({"description": "new"}, ["description"]),
            ({"node_type": "cache.r7g.large"}, ["node_type"]),
            ({"snapshot_retention_limit": 7}, ["snapshot_retention_limit"]),
            ({"snapshot_window": "01:00-02:00"}, ["snapshot_window"]),
            ({"maintenance_window": "mon:01:00-mon:02:00"}, ["maintenance_window"]),
            ({"parameter_group": "custom-redis7"}, ["parameter_group"]),
            ({"security_group_ids": ["sg-0a"]}, ["security_group_ids"]),
            ({"replicas_per_node_group": 2}, ["replicas_per_node_group"]),
            ({"multi_az": False}, ["multi_az"]),
            ({"tags": {"env": "prod"}}, ["tags"]),
            ({"port": 6380}, ["port"]),
            ({"at_rest_encryption": False, "kms_key_id": None}, ["at_rest_encryption"]),
            ({"node_type": "cache.r7g.large", "tags": {}}, ["node_type", "tags"]),
        ],
    )
    def test_fields_that_differ(self, overrides, expected):
        assert changes(module_params(**overrides)) == expected

    def test_everything_differs_from_nothing(self):
        desired = elasticache.normalise_params(module_params(), {})
        assert elasticache.differing_fields({}, desired) == sorted(desired)


class TestRefusedChanges:
    def refused(self, **overrides):
        current = current_state()
        return elasticache.refused_changes(current, elasticache.normalise_params(module_params(**overrides), current))

    def test_nothing_refused_for_a_matching_or_a_new_group(self):
        assert self.refused() == []
        assert elasticache.refused_changes({}, elasticache.normalise_params(module_params(), {})) == []

    @pytest.mark.parametrize(
        "overrides, field, current, wanted",
        [
            ({"at_rest_encryption": False, "kms_key_id": None}, "at_rest_encryption", "True", "False"),
            ({"kms_key_id": "11111111-2222-3333-4444-555555555555"}, "kms_key_id", repr(KEY_ARN),
             "'11111111-2222-3333-4444-555555555555'"),
            ({"transit_encryption": False, "auth_token": None}, "transit_encryption", "True", "False"),
            ({"cache_subnet_group": "other-subnets"}, "cache_subnet_group", "'envops-cache'", "'other-subnets'"),
            ({"port": 6380}, "port", "6379", "6380"),
            ({"num_node_groups": 3}, "num_node_groups", "1", "3"),
        ],
    )
    def test_immutable_field_named_with_current_and_wanted(self, overrides, field, current, wanted):
        refused = self.refused(**overrides)
        assert len(refused) == 1
        assert refused[0].startswith(f"{field} (current {current}, wanted {wanted}")

    def test_several_immutable_fields_all_reported(self):
        refused = self.refused(port=6380, at_rest_encryption=False, kms_key_id=None)
        assert [item.split(" ")[0] for item in refused] == ["at_rest_encryption", "port"]

    def test_mutable_changes_are_not_refused(self):
        assert self.refused(node_type="cache.r7g.large", multi_az=False, snapshot_retention_limit=0, engine_version="7.2") == []

    @pytest.mark.parametrize("wanted, refused", [("6.2", True), ("7.0", True), ("7.1", False), ("7.2", False), ("8.0", False)])
    def test_engine_downgrade_refused(self, wanted, refused):
        assert bool(self.refused(engine_version=wanted)) is refused

    def test_unknown_subnet_group_is_not_refused(self):
        current = current_state(cluster=None)
        desired = elasticache.normalise_params(module_params(cache_subnet_group="other"), current)
        assert elasticache.refused_changes(current, desired) == []

    def test_message_names_the_group_and_says_nothing_changed(self):
        message = elasticache.refusal_message(GROUP_ID, self.refused(port=6380))
        assert GROUP_ID in message
        assert "port (current 6379, wanted 6380)" in message
        assert "Nothing was changed" in message


class TestEngineVersions:
    @pytest.mark.parametrize(
        "current, wanted, matches",
        [
            ("7.1.0", "7.1", True),
            ("7.1", "7.1.0", True),
            ("6.2.6", "6.x", True),
            ("7.1.0", "7.2", False),
            ("7.1.0", None, False),
            (None, None, True),
        ],
    )
    def test_matches(self, current, wanted, matches):
        assert elasticache.engine_version_matches(current, wanted) is matches

    @pytest.mark.parametrize(
        "current, wanted, downgrade",
        [("7.1.0", "6.2", True), ("7.1.0", "7.0", True), ("7.1.0", "7.2", False), ("6.2.6", "7.1", False),
         ("7.1.0", "7.1", False), (None, "7.1", False), ("7.1.0", None, False)],
    )
    def test_downgrade(self, current, wanted, downgrade):
        assert elasticache.is_engine_downgrade(current, wanted) is downgrade


class TestKmsKeys:
    @pytest.mark.parametrize(
        "current, wanted, matches",
        [
            (KEY_ARN, KEY_ID, True),
            (KEY_ID, KEY_ARN, True),
            (KEY_ARN, KEY_ARN, True),
            (None, None, True),
            (KEY_ARN, None, False),
            (KEY_ARN, "alias/envops-cache", False),
            ("arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/" + KEY_ID, KEY_ID, True),
        ],
    )
    def test_matches(self, current, wanted, matches):
        assert elasticache.kms_key_matches(current, wanted) is matches

    @pytest.mark.parametrize(
        "key, alias",
        [("alias/envops-cache", True), ("arn:aws:kms:me-south-1:123456789012:alias/envops-cache", True), (KEY_ID, False),
         (KEY_ARN, False), (None, False)],
    )
    def test_is_alias(self, key, alias):
        assert elasticache.is_kms_alias(key) is alias


class TestValidateParams:
    def test_valid(self):
        assert elasticache.validate_params(module_params()) == []
        assert elasticache.validate_params(unset_params()) == []

    @pytest.mark.parametrize(
        "overrides, problem",
        [
            ({"replication_group_id": "Envops"}, "replication_group_id 'Envops' is invalid"),
            ({"replication_group_id": "1cache"}, "is invalid"),
            ({"replication_group_id": "a--b"}, "is invalid"),
            ({"replication_group_id": "cache-"}, "is invalid"),
            ({"replication_group_id": "a" * 41}, "is invalid"),
            ({"automatic_failover": None}, "multi_az=true requires automatic_failover=true"),
            ({"automatic_failover": False}, "multi_az=true requires automatic_failover=true"),
            ({"multi_az": False, "replicas_per_node_group": 0}, "automatic_failover=true requires replicas_per_node_group"),
            ({"multi_az": False, "automatic_failover": False, "num_node_groups": 2}, "requires automatic_failover=true"),
            ({"num_node_groups": 0}, "num_node_groups must be between 1 and 500"),
            ({"replicas_per_node_group": 6}, "replicas_per_node_group must be between 0 and 5"),
            ({"at_rest_encryption": False}, "kms_key_id requires at_rest_encryption=true"),
            ({"transit_encryption": False}, "auth_token requires transit_encryption=true"),
            ({"auth_token": "short"}, "auth_token must be 16 to 128 characters"),
            ({"auth_token": "has space inside it!"}, "auth_token must be 16 to 128 characters"),
            ({"auth_token": "has@at-sign-1234567"}, "auth_token must be 16 to 128 characters"),
            ({"snapshot_retention_limit": 36}, "snapshot_retention_limit must be between 0 and 35"),
            ({"snapshot_window": "5:00-6:00"}, "snapshot_window '5:00-6:00' is not hh24:mi-hh24:mi"),
            ({"maintenance_window": "sunday:05:00-sunday:06:00"}, "maintenance_window 'sunday:05:00-sunday:06:00' is not"),
            ({"port": 0}, "port must be between 1 and 65535"),
            ({"final_snapshot_identifier": "final"}, "final_snapshot_identifier applies only to state=absent"),
        ],
    )
    def test_problems(self, overrides, problem):
        problems = elasticache.validate_params(module_params(**overrides))
        assert any(problem in item for item in problems), problems

    def test_multi_az_needs_replicas_set(self):
        problems = elasticache.validate_params(module_params(replicas_per_node_group=None))
        assert problems == ["multi_az=true requires replicas_per_node_group of at least 1."]

    def test_bad_token_is_never_quoted(self):
        token = "bad token with spaces"
        assert all(token not in problem for problem in elasticache.validate_params(module_params(auth_token=token)))

    def test_absent_only_checks_the_id(self):
        params = module_params(state="absent", multi_az=True, automatic_failover=False, auth_token="short",
                               final_snapshot_identifier="final")
        assert elasticache.validate_params(params) == []

    def test_longest_token_and_all_allowed_characters(self):
        assert elasticache.validate_params(module_params(auth_token="aZ9!&#$^<>-" + "x" * 117)) == []
        assert elasticache.validate_params(module_params(auth_token="x" * 129))


class TestValidateDesired:
    def test_new_group_needs_node_type_and_description(self):
        desired = elasticache.normalise_params(unset_params(), {})
        problems = elasticache.validate_desired({}, desired)
        assert problems == [
            f"node_type is required to create replication group {GROUP_ID}.",
            f"description is required to create replication group {GROUP_ID}.",
        ]

    def test_existing_group_does_not_need_them(self):
        current = current_state()
        assert elasticache.validate_desired(current, elasticache.normalise_params(unset_params(), current)) == []

    def test_failover_on_a_group_without_replicas(self):
        current = current_state(group_item(replicas=0, AutomaticFailover="disabled", MultiAZ="disabled"))
        desired = elasticache.normalise_params(unset_params(automatic_failover=True), current)
        assert "require at least 1 replica" in elasticache.validate_desired(current, desired)[0]

    def test_disabling_failover_alone_while_multi_az_stays(self):
        current = current_state()
        desired = elasticache.normalise_params(unset_params(automatic_failover=False), current)
        assert "multi_az requires automatic_failover" in elasticache.validate_desired(current, desired)[0]

    def test_new_cluster_mode_group_needs_failover(self):
        desired = elasticache.normalise_params(unset_params(description="d", node_type="n", num_node_groups=2), {})
        assert elasticache.validate_desired({}, desired) == ["num_node_groups above 1 (cluster mode) requires automatic_failover=true."]

    def test_new_group_with_failover_and_replicas_is_valid(self):
        assert elasticache.validate_desired({}, elasticache.normalise_params(module_params(), {})) == []


class TestPlanUpdate:
    def plan(self, current=None, **overrides):
        current = current or current_state()
        params = module_params(**overrides)
        return elasticache.plan_update(current, elasticache.normalise_params(params, current), params)

    def test_no_change_no_step(self):
        assert self.plan() == []

    def test_only_differing_settings_are_sent(self):
        assert self.plan(node_type="cache.r7g.large", snapshot_retention_limit=7) == [
            ("modify_replication_group", {
                "ReplicationGroupId": GROUP_ID,
                "CacheNodeType": "cache.r7g.large",
                "SnapshotRetentionLimit": 7,
                "ApplyImmediately": False,
            })
        ]

    @pytest.mark.parametrize(
        "overrides, api_params",
        [
            ({"description": "new"}, {"ReplicationGroupDescription": "new"}),
            ({"multi_az": False}, {"MultiAZEnabled": False}),
            ({"multi_az": False, "automatic_failover": False}, {"MultiAZEnabled": False, "AutomaticFailoverEnabled": False}),
            ({"security_group_ids": ["sg-0c"]}, {"SecurityGroupIds": ["sg-0c"]}),
            ({"maintenance_window": "Mon:01:00-Mon:02:00"}, {"PreferredMaintenanceWindow": "mon:01:00-mon:02:00"}),
            ({"parameter_group": "custom"}, {"CacheParameterGroupName": "custom"}),
            ({"engine_version": "7.2"}, {"EngineVersion": "7.2"}),
            ({"snapshot_window": "01:00-02:00"}, {"SnapshotWindow": "01:00-02:00"}),
        ],
    )
    def test_modify_parameters(self, overrides, api_params):
        steps = self.plan(apply_immediately=True, **overrides)
        assert steps == [("modify_replication_group", dict(api_params, ReplicationGroupId=GROUP_ID, ApplyImmediately=True))]

    def test_tags_are_not_part_of_the_plan(self):
        assert self.plan(tags={"env": "prod"}) == []

    def test_replicas_added_before_failover_is_enabled(self):
        current = current_state(group_item(replicas=0, AutomaticFailover="disabled", MultiAZ="disabled"))
        steps = self.plan(current)
        assert [step[0] for step in steps] == ["increase_replica_count", "modify_replication_group"]
        assert steps[0][1] == {"ReplicationGroupId": GROUP_ID, "NewReplicaCount": 1, "ApplyImmediately": True}
        assert steps[1][1]["AutomaticFailoverEnabled"] is True and steps[1][1]["MultiAZEnabled"] is True

    def test_replicas_removed_after_failover_is_disabled(self):
        steps = self.plan(replicas_per_node_group=0, automatic_failover=False, multi_az=False)
        assert [step[0] for step in steps] == ["modify_replication_group", "decrease_replica_count"]
        assert steps[1][1] == {"ReplicationGroupId": GROUP_ID, "NewReplicaCount": 0, "ApplyImmediately": True}

    def test_more_replicas_alone(self):
        assert self.plan(replicas_per_node_group=3) == [
            ("increase_replica_count", {"ReplicationGroupId": GROUP_ID, "NewReplicaCount": 3, "ApplyImmediately": True})]

    def test_auth_token_added_with_rotate_immediately(self):
        current = current_state(group_item(AuthTokenEnabled=False))
        assert self.plan(current, auth_token_update_strategy="set") == [
            ("modify_replication_group", {
                "ReplicationGroupId": GROUP_ID, "AuthToken": TOKEN, "AuthTokenUpdateStrategy": "ROTATE", "ApplyImmediately": True})]

    @pytest.mark.parametrize("strategy", ["rotate", "set"])
    def test_auth_token_always_uses_the_strategy(self, strategy):
        steps = self.plan(auth_token_update="always", auth_token_update_strategy=strategy)
        assert steps == [("modify_replication_group", {
            "ReplicationGroupId": GROUP_ID, "AuthToken": TOKEN, "AuthTokenUpdateStrategy": strategy.upper(), "ApplyImmediately": True})]

    def test_auth_token_is_a_call_of_its_own(self):
        steps = self.plan(auth_token_update="always", node_type="cache.r7g.large")
        assert [sorted(step[1]) for step in steps] == [
            ["ApplyImmediately", "CacheNodeType", "ReplicationGroupId"],
            ["ApplyImmediately", "AuthToken", "AuthTokenUpdateStrategy", "ReplicationGroupId"],
        ]

    def test_unchanged_token_is_never_sent(self):
        assert all("AuthToken" not in step[1] for step in self.plan(node_type="cache.r7g.large"))


class TestCreateParams:
    def test_full(self):
        params = module_params()
        assert elasticache.create_params(elasticache.normalise_params(params, {}), params) == {
            "ReplicationGroupId": GROUP_ID,
            "ReplicationGroupDescription": "sessions",
            "Engine": "redis",
            "EngineVersion": "7.1",
            "CacheNodeType": "cache.t4g.small",
            "NumNodeGroups": 1,
            "ReplicasPerNodeGroup": 1,
            "AutomaticFailoverEnabled": True,
            "MultiAZEnabled": True,
            "CacheSubnetGroupName": "envops-cache",
            "SecurityGroupIds": ["sg-0a", "sg-0b"],
            "AtRestEncryptionEnabled": True,
            "KmsKeyId": KEY_ID,
            "TransitEncryptionEnabled": True,
            "AuthToken": TOKEN,
            "SnapshotRetentionLimit": 3,
            "SnapshotWindow": "03:00-04:00",
            "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
            "CacheParameterGroupName": "default.redis7",
            "Port": 6379,
            "Tags": [{"Key": "env", "Value": "dev"}],
        }

    def test_minimal_leaves_aws_defaults(self):
        params = unset_params(description="d", node_type="cache.t4g.micro")
        assert elasticache.create_params(elasticache.normalise_params(params, {}), params) == {
            "ReplicationGroupId": GROUP_ID,
            "ReplicationGroupDescription": "d",
            "Engine": "redis",
            "CacheNodeType": "cache.t4g.micro",
            "NumNodeGroups": 1,
            "AtRestEncryptionEnabled": True,
            "TransitEncryptionEnabled": True,
            "Port": 6379,
        }

    def test_aws_tags_are_not_sent(self):
        params = module_params(tags={"aws:cloudformation:stack-name": "x", "env": "dev"})
        create = elasticache.create_params(elasticache.normalise_params(params, {}), params)
        assert create["Tags"] == [{"Key": "env", "Value": "dev"}]


class TestWaiterConfig:
    @pytest.mark.parametrize(
        "timeout, config",
        [(1800, {"Delay": 15, "MaxAttempts": 121}), (60, {"Delay": 15, "MaxAttempts": 5}), (10, {"Delay": 5, "MaxAttempts": 3}),
         (0, {"Delay": 5, "MaxAttempts": 2})],
    )
    def test_config(self, timeout, config):
        assert elasticache.waiter_config(timeout) == config
