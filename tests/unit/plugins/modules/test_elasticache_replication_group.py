# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What elasticache_replication_group calls on ElastiCache for each situation, with a recording fake client (no AWS)."""

import copy
import json

import pytest
from botocore.exceptions import ClientError

from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.envops.aws.plugins.module_utils import elasticache
from ansible_collections.envops.aws.plugins.modules import elasticache_replication_group as module_under_test

GROUP_ID = "envops-sessions"
ARN = f"arn:aws:elasticache:me-south-1:123456789012:replicationgroup:{GROUP_ID}"
KEY_ID = "0f8e4c1a-1111-4222-8333-444455556666"
KEY_ARN = f"arn:aws:kms:me-south-1:123456789012:key/{KEY_ID}"
TOKEN = "S3cret-token-abcdefgh"
NEW_TOKEN = "N3w-secret-token-ijklmnop"
MUTATING_CALLS = {
    "create_replication_group",
    "modify_replication_group",
    "increase_replica_count",
    "decrease_replica_count",
    "delete_replication_group",
    "add_tags_to_resource",
    "remove_tags_from_resource",
}


def client_error(code, operation):
    return ClientError({"Error": {"Code": code, "Message": f"{code} (fake)"}}, operation)


def params(**overrides):
    values = {
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
        "security_group_ids": ["sg-0a"],
        "at_rest_encryption": True,
        "kms_key_id": KEY_ID,
        "transit_encryption": True,
        "auth_token": TOKEN,
        "auth_token_update": "on_create",
        "auth_token_update_strategy": "rotate",
        "snapshot_retention_limit": 3,
        "snapshot_window": None,
        "maintenance_window": None,
        "parameter_group": None,
        "port": 6379,
        "apply_immediately": False,
        "final_snapshot_identifier": None,
        "tags": {"env": "dev"},
        "purge_tags": True,
        "wait": True,
        "wait_timeout": 600,
    }
    values.update(overrides)
    return values


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


class FakeKMS:
    def __init__(self):
        self.calls = []

    def describe_key(self, KeyId):
        self.calls.append(("describe_key", KeyId))
        return {"KeyMetadata": {"KeyId": KEY_ID, "Arn": KEY_ARN}}


class FakeModule:
    def __init__(self, check_mode=False, **overrides):
        self.params = params(**overrides)
        self.check_mode = check_mode
        self._diff = True
        self.warnings = []
        self.kms = FakeKMS()

    def exit_json(self, **result):
        raise ModuleExit(False, result)

    def fail_json(self, **result):
        raise ModuleExit(True, result)

    def warn(self, message):
        self.warnings.append(message)

    def client(self, service):
        assert service == "kms"
        return self.kms


class FakeWaiter:
    def __init__(self, client, name):
        self.client = client
        self.name = name

    def wait(self, ReplicationGroupId, WaiterConfig):
        self.client.calls.append(f"wait:{self.name}")
        group = self.client.groups.get(ReplicationGroupId)
        if self.name == "replication_group_available" and group:
            group["Status"] = "available"
        if self.name == "replication_group_deleted":
            self.client.groups.pop(ReplicationGroupId, None)


class FakeElastiCache:
    """Keeps replication groups, their first member cluster and tags in memory; records every call by name.

    Like AWS, a change leaves the group 'modifying' until a waiter sees it available, and a
    modification of a group that is not available is refused.
    """

    def __init__(self, group=None, cluster=None, tags=None, cluster_readable=True):
        self.groups = {group["ReplicationGroupId"]: copy.deepcopy(group)} if group else {}
        self.clusters = {cluster["CacheClusterId"]: copy.deepcopy(cluster)} if cluster and cluster_readable else {}
        self.tags = {ARN: dict(tags or {})}
        self.calls = []
        self.kwargs = []

    def _record(self, name, kwargs):
        self.calls.append(name)
        self.kwargs.append((name, kwargs))

    def _group(self, group_id, operation):
        if group_id not in self.groups:
            raise client_error("ReplicationGroupNotFoundFault", operation)
        return self.groups[group_id]

    def _require_available(self, group, operation):
        if group["Status"] != "available":
            raise client_error("InvalidReplicationGroupState", operation)

    def describe_replication_groups(self, ReplicationGroupId):
        self._record("describe_replication_groups", {})
        return {"ReplicationGroups": [copy.deepcopy(self._group(ReplicationGroupId, "DescribeReplicationGroups"))]}

    def describe_cache_clusters(self, CacheClusterId):
        self._record("describe_cache_clusters", {})
        if CacheClusterId not in self.clusters:
            raise client_error("CacheClusterNotFound", "DescribeCacheClusters")
        return {"CacheClusters": [copy.deepcopy(self.clusters[CacheClusterId])]}

    def list_tags_for_resource(self, ResourceName):
        self._record("list_tags_for_resource", {})
        return {"TagList": [{"Key": key, "Value": value} for key, value in self.tags.get(ResourceName, {}).items()]}

    def create_replication_group(self, **kwargs):
        self._record("create_replication_group", kwargs)
        replicas = kwargs.get("ReplicasPerNodeGroup", 0)
        group = group_item(
            replicas=replicas,
            Status="creating",
            Description=kwargs["ReplicationGroupDescription"],
            CacheNodeType=kwargs["CacheNodeType"],
            AutomaticFailover="enabled" if kwargs.get("AutomaticFailoverEnabled") else "disabled",
            MultiAZ="enabled" if kwargs.get("MultiAZEnabled") else "disabled",
            AtRestEncryptionEnabled=kwargs["AtRestEncryptionEnabled"],
            TransitEncryptionEnabled=kwargs["TransitEncryptionEnabled"],
            AuthTokenEnabled="AuthToken" in kwargs,
            SnapshotRetentionLimit=kwargs.get("SnapshotRetentionLimit", 0),
        )
        if kwargs.get("KmsKeyId"):
            group["KmsKeyId"] = KEY_ARN
        else:
            group.pop("KmsKeyId")
        self.groups[kwargs["ReplicationGroupId"]] = group
        self.clusters[f"{GROUP_ID}-001"] = cluster_item(
            EngineVersion=kwargs.get("EngineVersion", "7.1") + ".0",
            CacheSubnetGroupName=kwargs.get("CacheSubnetGroupName"),
            SecurityGroups=[{"SecurityGroupId": sg, "Status": "active"} for sg in kwargs.get("SecurityGroupIds", [])],
        )
        self.tags[ARN] = {tag["Key"]: tag["Value"] for tag in kwargs.get("Tags", [])}
        return {"ReplicationGroup": copy.deepcopy(group)}

    def modify_replication_group(self, **kwargs):
        self._record("modify_replication_group", kwargs)
        group = self._group(kwargs["ReplicationGroupId"], "ModifyReplicationGroup")
        self._require_available(group, "ModifyReplicationGroup")
        if "CacheNodeType" in kwargs:
            group["CacheNodeType"] = kwargs["CacheNodeType"]
        if "AutomaticFailoverEnabled" in kwargs:
            group["AutomaticFailover"] = "enabled" if kwargs["AutomaticFailoverEnabled"] else "disabled"
        if "MultiAZEnabled" in kwargs:
            group["MultiAZ"] = "enabled" if kwargs["MultiAZEnabled"] else "disabled"
        if "SnapshotRetentionLimit" in kwargs:
            group["SnapshotRetentionLimit"] = kwargs["SnapshotRetentionLimit"]
        if "AuthToken" in kwargs:
            group["AuthTokenEnabled"] = True
        group["Status"] = "modifying"
        return {"ReplicationGroup": copy.deepcopy(group)}

    def _set_replicas(self, name, kwargs):
        self._record(name, kwargs)
        group = self._group(kwargs["ReplicationGroupId"], name)
        self._require_available(group, name)
        replaced = group_item(replicas=kwargs["NewReplicaCount"])
        group["NodeGroups"], group["MemberClusters"] = replaced["NodeGroups"], replaced["MemberClusters"]
        group["Status"] = "modifying"
        return {"ReplicationGroup": copy.deepcopy(group)}

    def increase_replica_count(self, **kwargs):
        return self._set_replicas("increase_replica_count", kwargs)

    def decrease_replica_count(self, **kwargs):
        return self._set_replicas("decrease_replica_count", kwargs)

    def delete_replication_group(self, **kwargs):
        self._record("delete_replication_group", kwargs)
        group = self._group(kwargs["ReplicationGroupId"], "DeleteReplicationGroup")
        self._require_available(group, "DeleteReplicationGroup")
        group["Status"] = "deleting"
        return {"ReplicationGroup": copy.deepcopy(group)}

    def add_tags_to_resource(self, ResourceName, Tags):
        self._record("add_tags_to_resource", {"Tags": Tags})
        self.tags.setdefault(ResourceName, {}).update({tag["Key"]: tag["Value"] for tag in Tags})

    def remove_tags_from_resource(self, ResourceName, TagKeys):
        self._record("remove_tags_from_resource", {"TagKeys": TagKeys})
        for key in TagKeys:
            self.tags[ResourceName].pop(key, None)

    def get_waiter(self, name):
        return FakeWaiter(self, name)

    def mutating_calls(self):
        return [call for call in self.calls if call in MUTATING_CALLS]

    def calls_after_reading(self):
        """Mutating calls and waits, in order."""
        return [call for call in self.calls if call in MUTATING_CALLS or call.startswith("wait:")]


def group_item(replicas=1, **overrides):
    members = [f"{GROUP_ID}-{index:03d}" for index in range(1, replicas + 2)]
    item = {
        "ReplicationGroupId": GROUP_ID,
        "Description": "sessions",
        "Status": "available",
        "MemberClusters": members,
        "NodeGroups": [
            {
                "NodeGroupId": "0001",
                "Status": "available",
                "PrimaryEndpoint": {"Address": "master.x", "Port": 6379},
                "NodeGroupMembers": [{"CacheClusterId": member} for member in members],
            }
        ],
        "AutomaticFailover": "enabled",
        "MultiAZ": "enabled",
        "SnapshotRetentionLimit": 3,
        "SnapshotWindow": "05:00-06:00",
        "CacheNodeType": "cache.t4g.small",
        "AuthTokenEnabled": True,
        "TransitEncryptionEnabled": True,
        "AtRestEncryptionEnabled": True,
        "KmsKeyId": KEY_ARN,
        "ARN": ARN,
        "Engine": "redis",
    }
    item.update(overrides)
    return item


def cluster_item(**overrides):
    item = {
        "CacheClusterId": f"{GROUP_ID}-001",
        "EngineVersion": "7.1.0",
        "PreferredMaintenanceWindow": "sun:05:00-sun:06:00",
        "CacheParameterGroup": {"CacheParameterGroupName": "default.redis7"},
        "CacheSubnetGroupName": "envops-cache",
        "SecurityGroups": [{"SecurityGroupId": "sg-0a", "Status": "active"}],
    }
    item.update(overrides)
    return item


def existing(cluster_readable=True, tags=None, **overrides):
    return FakeElastiCache(group_item(**overrides), cluster_item(), tags or {"env": "dev"}, cluster_readable)


def run(module, client):
    """Run the module's state handler and return what it exited with."""
    handler = (
        module_under_test.ensure_present if module.params["state"] == "present" else module_under_test.ensure_absent
    )
    with pytest.raises(ModuleExit) as exited:
        handler(client, module, module_under_test.find_replication_group(client, module.params["replication_group_id"]))
    return exited.value


class TestCreate:
    @pytest.mark.parametrize("check_mode", [True, False])
    def test_create(self, check_mode):
        client = FakeElastiCache()
        exited = run(FakeModule(check_mode=check_mode), client)
        assert exited.result["changed"] is True
        assert exited.result["diff"]["before"] == {}
        assert exited.result["diff"]["after"]["auth_token"] == elasticache.REDACTED
        if check_mode:
            assert client.mutating_calls() == []
            assert exited.result["replication_group"] == {}
            assert client.groups == {}
        else:
            assert client.calls_after_reading() == ["create_replication_group", "wait:replication_group_available"]
            group = exited.result["replication_group"]
            assert group["tags"] == {"env": "dev"}
            assert group["at_rest_encryption_enabled"] is True
            assert group["engine_version"] == "7.1.0"

    def test_create_sends_the_token_once(self):
        client = FakeElastiCache()
        run(FakeModule(), client)
        create = dict(client.kwargs)["create_replication_group"]
        assert create["AuthToken"] == TOKEN
        assert create["KmsKeyId"] == KEY_ID

    def test_create_without_wait(self):
        client = FakeElastiCache()
        exited = run(FakeModule(wait=False), client)
        assert client.calls_after_reading() == ["create_replication_group"]
        assert exited.result["replication_group"]["status"] == "creating"

    def test_create_then_rerun_is_unchanged(self):
        client = FakeElastiCache()
        run(FakeModule(), client)
        client.calls = []
        exited = run(FakeModule(), client)
        assert exited.result["changed"] is False
        assert client.mutating_calls() == []

    @pytest.mark.parametrize("missing", ["node_type", "description"])
    def test_create_needs_node_type_and_description(self, missing):
        client = FakeElastiCache()
        exited = run(FakeModule(**{missing: None}), client)
        assert exited.failed
        assert f"{missing} is required to create" in exited.result["msg"]
        assert client.mutating_calls() == []


class TestUpdate:
    def test_no_change_makes_no_call(self):
        client = existing()
        exited = run(FakeModule(), client)
        assert exited.result["changed"] is False
        assert client.mutating_calls() == []
        assert exited.result["replication_group"]["replication_group_id"] == GROUP_ID
        assert exited.result["diff"]["before"] == exited.result["diff"]["after"]

    @pytest.mark.parametrize("check_mode", [True, False])
    def test_mutable_change(self, check_mode):
        client = existing()
        exited = run(FakeModule(check_mode=check_mode, node_type="cache.r7g.large", snapshot_retention_limit=7), client)
        assert exited.result["changed"] is True
        diff = exited.result["diff"]
        assert (diff["before"]["node_type"], diff["after"]["node_type"]) == ("cache.t4g.small", "cache.r7g.large")
        if check_mode:
            assert client.mutating_calls() == []
            assert exited.result["replication_group"]["cache_node_type"] == "cache.t4g.small"
        else:
            assert client.calls_after_reading() == ["modify_replication_group", "wait:replication_group_available"]
            assert exited.result["replication_group"]["cache_node_type"] == "cache.r7g.large"

    @pytest.mark.parametrize("check_mode, calls", [(True, []), (False, ["remove_tags_from_resource", "add_tags_to_resource"])])
    def test_tags_change_in_place_without_waiting(self, check_mode, calls):
        client = existing(tags={"env": "dev", "old": "1"})
        exited = run(FakeModule(check_mode=check_mode, tags={"env": "prod"}), client)
        assert exited.result["changed"] is True
        assert client.calls_after_reading() == calls
        if not check_mode:
            assert exited.result["replication_group"]["tags"] == {"env": "prod"}

    def test_unset_tags_are_left_alone(self):
        client = existing(tags={"env": "dev", "owner": "x"})
        assert run(FakeModule(tags=None), client).result["changed"] is False

    def test_steps_wait_for_each_other(self):
        client = existing(replicas=0, AutomaticFailover="disabled", MultiAZ="disabled")
        exited = run(FakeModule(), client)
        assert exited.result["changed"] is True
        assert client.calls_after_reading() == [
            "increase_replica_count",
            "wait:replication_group_available",
            "modify_replication_group",
            "wait:replication_group_available",
        ]
        assert exited.result["replication_group"]["multi_az"] == "enabled"

    def test_between_steps_waits_even_without_wait(self):
        client = existing(replicas=2)
        run(FakeModule(wait=False, replicas_per_node_group=0, automatic_failover=False, multi_az=False), client)
        assert client.calls_after_reading() == [
            "modify_replication_group",
            "wait:replication_group_available",
            "decrease_replica_count",
        ]

    def test_busy_group_is_waited_for_before_a_change(self):
        client = existing(Status="modifying")
        run(FakeModule(node_type="cache.r7g.large", wait=False), client)
        assert client.calls_after_reading() == ["wait:replication_group_available", "modify_replication_group"]

    def test_unreadable_member_cluster_warns_and_compares_the_rest(self):
        client = existing(cluster_readable=False)
        module = FakeModule(cache_subnet_group="other", engine_version="7.2")
        exited = run(module, client)
        assert exited.result["changed"] is False
        assert client.mutating_calls() == []
        assert "cache_subnet_group, engine_version" in module.warnings[0]
        assert "cache_subnet_group" not in exited.result["diff"]["after"]

    def test_kms_alias_is_resolved_to_compare(self):
        client = existing()
        module = FakeModule(kms_key_id="alias/envops-cache")
        assert run(module, client).result["changed"] is False
        assert module.kms.calls == [("describe_key", "alias/envops-cache")]

    def test_kms_alias_is_created_as_its_key_arn(self):
        client = FakeElastiCache()
        module = FakeModule(kms_key_id="alias/envops-cache")
        run(module, client)
        assert dict(client.kwargs)["create_replication_group"]["KmsKeyId"] == KEY_ARN
        assert module.kms.calls == [("describe_key", "alias/envops-cache")]

    def test_kms_key_id_needs_no_lookup(self):
        module = FakeModule()
        run(module, existing())
        assert module.kms.calls == []

    def test_engine_upgrade(self):
        client = existing()
        run(FakeModule(engine_version="7.2"), client)
        assert dict(client.kwargs)["modify_replication_group"]["EngineVersion"] == "7.2"


class TestImmutable:
    @pytest.mark.parametrize(
        "overrides, expected",
        [
            ({"port": 6380}, "port (current 6379, wanted 6380)"),
            ({"at_rest_encryption": False, "kms_key_id": None}, "at_rest_encryption (current True, wanted False)"),
            ({"kms_key_id": "11111111-2222-3333-4444-555555555555"}, f"kms_key_id (current '{KEY_ARN}'"),
            ({"transit_encryption": False, "auth_token": None}, "transit_encryption (current True, wanted False"),
            ({"cache_subnet_group": "other"}, "cache_subnet_group (current 'envops-cache', wanted 'other')"),
            ({"num_node_groups": 2}, "num_node_groups (current 1, wanted 2"),
            ({"engine_version": "6.2"}, "engine_version (current '7.1.0', wanted '6.2'"),
        ],
    )
    @pytest.mark.parametrize("check_mode", [True, False])
    def test_refused_with_no_mutating_call(self, overrides, expected, check_mode):
        client = existing()
        exited = run(FakeModule(check_mode=check_mode, **overrides), client)
        assert exited.failed
        assert expected in exited.result["msg"]
        assert "Nothing was changed" in exited.result["msg"]
        assert client.mutating_calls() == []

    def test_refused_even_with_mutable_changes_and_tags(self):
        client = existing()
        exited = run(FakeModule(port=6380, node_type="cache.r7g.large", tags={"new": "tag"}), client)
        assert exited.failed
        assert client.mutating_calls() == []

    def test_multi_az_without_failover_on_existing_group_is_refused(self):
        client = existing()
        exited = run(FakeModule(automatic_failover=False, multi_az=None), client)
        assert exited.failed
        assert "multi_az requires automatic_failover" in exited.result["msg"]
        assert client.mutating_calls() == []


class TestAuthToken:
    def test_existing_token_is_not_replaced(self):
        client = existing()
        exited = run(FakeModule(auth_token=NEW_TOKEN), client)
        assert exited.result["changed"] is False
        assert client.mutating_calls() == []

    @pytest.mark.parametrize("check_mode", [True, False])
    def test_always_rotates(self, check_mode):
        client = existing()
        exited = run(FakeModule(check_mode=check_mode, auth_token=NEW_TOKEN, auth_token_update="always"), client)
        assert exited.result["changed"] is True
        assert exited.result["diff"]["after"]["auth_token"] == elasticache.REDACTED
        if check_mode:
            assert client.mutating_calls() == []
        else:
            modify = [kwargs for name, kwargs in client.kwargs if name == "modify_replication_group"]
            assert modify == [{"ReplicationGroupId": GROUP_ID, "AuthToken": NEW_TOKEN, "AuthTokenUpdateStrategy": "ROTATE",
                               "ApplyImmediately": True}]

    def test_token_added_to_group_without_auth(self):
        client = existing(AuthTokenEnabled=False)
        exited = run(FakeModule(), client)
        assert exited.result["changed"] is True
        assert [kwargs.get("AuthTokenUpdateStrategy") for name, kwargs in client.kwargs if name == "modify_replication_group"] == ["ROTATE"]

    @pytest.mark.parametrize(
        "client_factory, overrides",
        [
            (FakeElastiCache, {}),
            (existing, {"auth_token_update": "always"}),
            (existing, {"auth_token_update": "always", "port": 6380}),
            (lambda: existing(AuthTokenEnabled=False), {}),
        ],
    )
    @pytest.mark.parametrize("check_mode", [True, False])
    def test_token_never_in_results(self, client_factory, overrides, check_mode):
        exited = run(FakeModule(check_mode=check_mode, **overrides), client_factory())
        assert TOKEN not in json.dumps(exited.result, default=str)


class TestAbsent:
    @pytest.mark.parametrize(
        "check_mode, calls",
        [(True, []), (False, ["delete_replication_group", "wait:replication_group_deleted"])],
    )
    def test_delete(self, check_mode, calls):
        client = existing()
        exited = run(FakeModule(check_mode=check_mode, state="absent"), client)
        assert exited.result["changed"] is True
        assert exited.result["diff"]["after"] == {}
        assert exited.result["diff"]["before"]["replication_group_id"] == GROUP_ID
        assert client.calls_after_reading() == calls

    def test_final_snapshot(self):
        client = existing()
        run(FakeModule(state="absent", final_snapshot_identifier="sessions-final", wait=False), client)
        assert client.kwargs[-1] == (
            "delete_replication_group", {"ReplicationGroupId": GROUP_ID, "FinalSnapshotIdentifier": "sessions-final"})

    def test_missing_is_unchanged(self):
        client = FakeElastiCache()
        exited = run(FakeModule(state="absent"), client)
        assert exited.result["changed"] is False
        assert client.calls_after_reading() == []

    def test_being_deleted_is_unchanged_and_waited_for(self):
        client = existing(Status="deleting")
        exited = run(FakeModule(state="absent"), client)
        assert exited.result["changed"] is False
        assert client.calls_after_reading() == ["wait:replication_group_deleted"]

    def test_busy_group_is_waited_for_before_deleting(self):
        client = existing(Status="modifying")
        run(FakeModule(state="absent", wait=False), client)
        assert client.calls_after_reading() == ["wait:replication_group_available", "delete_replication_group"]

    def test_present_on_a_group_being_deleted(self):
        client = existing(Status="deleting")
        exited = run(FakeModule(wait=False), client)
        assert exited.failed
        assert "is being deleted" in exited.result["msg"]
        client = existing(Status="deleting")
        exited = run(FakeModule(), client)
        assert client.calls_after_reading() == [
            "wait:replication_group_deleted", "create_replication_group", "wait:replication_group_available"]


class TestMain:
    """Through main(): the argument spec, no_log, and the JSON Ansible receives."""

    def run_main(self, monkeypatch, capsys, client, args):
        monkeypatch.setattr(AnsibleAWSModule, "client", lambda self, service, **kwargs: client)
        args = dict({"region": "me-south-1", "access_key": "123456789012", "secret_key": "x"}, **args)
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module_under_test.main()
        output = capsys.readouterr().out
        return output, json.loads(output)

    def test_create_result_and_token_masked(self, monkeypatch, capsys):
        client = FakeElastiCache()
        args = {key: value for key, value in params().items() if value is not None}
        output, result = self.run_main(monkeypatch, capsys, client, args)
        assert result["changed"] is True
        assert TOKEN not in output
        assert result["replication_group"]["replication_group_id"] == GROUP_ID
        assert dict(client.kwargs)["create_replication_group"]["AuthToken"] == TOKEN

    def test_check_mode_through_main(self, monkeypatch, capsys):
        client = existing()
        args = dict({key: value for key, value in params().items() if value is not None}, node_type="cache.r7g.large",
                    auth_token_update="always", _ansible_check_mode=True, _ansible_diff=True)
        output, result = self.run_main(monkeypatch, capsys, client, args)
        assert result["changed"] is True
        assert client.mutating_calls() == []
        assert TOKEN not in output
        assert result["diff"]["after"]["auth_token"] == elasticache.REDACTED

    def test_invalid_params_fail_before_any_call(self, monkeypatch, capsys):
        client = FakeElastiCache()
        output, result = self.run_main(
            monkeypatch, capsys, client,
            {"replication_group_id": GROUP_ID, "multi_az": True, "transit_encryption": False, "auth_token": "short"})
        assert result["failed"] is True
        assert "multi_az=true requires automatic_failover=true" in result["msg"]
        assert "auth_token requires transit_encryption=true" in result["msg"]
        assert client.calls == []
        assert "short" not in output.replace("short_description", "")

    def test_immutable_change_through_main(self, monkeypatch, capsys):
        client = existing()
        args = dict({key: value for key, value in params().items() if value is not None}, at_rest_encryption=False,
                    kms_key_id=None)
        args.pop("kms_key_id")
        output, result = self.run_main(monkeypatch, capsys, client, args)
        assert result["failed"] is True
        assert "at_rest_encryption (current True, wanted False)" in result["msg"]
        assert client.mutating_calls() == []
        assert TOKEN not in output

    def test_aws_error_is_reported(self, monkeypatch, capsys):
        client = existing()

        def refuse(**kwargs):
            raise client_error("InvalidParameterCombination", "ModifyReplicationGroup")

        client.modify_replication_group = refuse
        args = dict({key: value for key, value in params().items() if value is not None}, node_type="cache.r7g.large")
        output, result = self.run_main(monkeypatch, capsys, client, args)
        assert result["failed"] is True
        assert result["msg"].startswith("Failed to modify replication group")
        assert TOKEN not in output
