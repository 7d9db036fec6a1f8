"""Corrections of moto's ElastiCache replication groups and subnet groups (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


_DELETION_REPORTED_ATTR = "_envops_deletion_reported"  # on a ReplicationGroup: 'deleting' was described once
_MEMBER_OF_ATTR = "_envops_member_of"  # on a CacheCluster made here: the id of its replication group
_DEFAULT_REDIS_ENGINE_VERSION = "7.1.0"  # what AWS picks for engine redis without EngineVersion
_DEFAULT_MAINTENANCE_WINDOW = "sun:23:00-mon:00:00"  # AWS picks a random weekly hour; any fixed one will do here
_MAX_REPLICAS_PER_NODE_GROUP = 5


@corrects("5.2.5")
def elasticache_replication_group_member_clusters() -> None:
    """The member cache clusters of a replication group exist, as in AWS.

    AWS: CreateReplicationGroup creates one cache cluster per node (``<group>-001``, ``-002``... or
    ``<group>-0001-001``... in cluster mode), which DescribeCacheClusters reports with ReplicationGroupId,
    CacheNodeType, Engine, EngineVersion (7.1.0 when none was given), CacheParameterGroup (the engine's default
    group, ``default.redis7`` or ``default.redis7.cluster.on``, when none was given), CacheSubnetGroupName,
    SecurityGroups (the VPC's default security group when none was given), PreferredMaintenanceWindow (one AWS
    picks when none was given), PreferredAvailabilityZone (an AZ of the group's subnets), SnapshotWindow,
    SnapshotRetentionLimit and the encryption / AUTH flags of the group. They are deleted with the group.
    moto 5.2.5: lists the member ids in MemberClusters and NodeGroups but creates no cache cluster, so
    DescribeCacheClusters answers CacheClusterNotFound for them; the members' PreferredAvailabilityZone is
    us-east-1a / us-east-1b in every Region.
    Breaks: envops.aws.elasticache_replication_group reads the engine version, subnet group, security groups,
    parameter group and maintenance window from the first member cluster: it warns and cannot compare them.
    Not modelled: CacheNodes (ShowCacheNodeInfo), PendingModifiedValues (changes apply at once), tags of the
    member clusters, the default subnet group of a group created without CacheSubnetGroupName (no subnet
    group and no security group are reported then). A member's AZ replaces moto's only when moto's is not
    in the Region: the AZs of the subnet group's subnets in turn, else <region>a, b, c.
    """
    from moto.elasticache import models

    backend_cls = models.ElastiCacheBackend
    original_create = backend_cls.create_replication_group

    def create_replication_group(self, *args, **kwargs):
        group = original_create(self, *args, **kwargs)
        if group.engine == "redis" and not group.engine_version:
            group.engine_version = _DEFAULT_REDIS_ENGINE_VERSION
        if not group.cache_parameter_group_name:
            group.cache_parameter_group_name = _default_parameter_group(group)
        if not group.preferred_maintenance_window:
            group.preferred_maintenance_window = _DEFAULT_MAINTENANCE_WINDOW
        if not group.security_group_ids:
            group.security_group_ids = _default_security_group_ids(self, group)
        _sync_member_clusters(self, group)
        return group

    backend_cls.create_replication_group = create_replication_group


@corrects("5.2.5")
def elasticache_replication_group_deletion() -> None:
    """A deleted replication group goes away, with its member clusters, after a final snapshot if asked, as in AWS.

    AWS: DeleteReplicationGroup answers the group with Status ``deleting``; DescribeReplicationGroups reports it
    ``deleting`` for a while, then answers ReplicationGroupNotFoundFault and the id can be used again; its member
    cache clusters and its tags go with it. With FinalSnapshotIdentifier a snapshot of that name is taken first
    (SnapshotAlreadyExistsFault, and no deletion, when the name is taken); with RetainPrimaryCluster the primary
    cluster stays as a standalone cache cluster. A group that is not ``available`` (for example already
    ``deleting``) is refused with InvalidReplicationGroupState.
    moto 5.2.5: sets Status ``deleting`` and keeps the group for ever, so the ``replication_group_deleted``
    waiter times out and CreateReplicationGroup of the same id answers ReplicationGroupAlreadyExists;
    FinalSnapshotIdentifier is ignored; a second delete is accepted.
    Breaks: envops.aws.elasticache_replication_group with state=absent and wait=true times out, and a group
    cannot be created again after it was deleted.
    Time is compressed: the group is reported ``deleting`` by the first DescribeReplicationGroups that returns it
    after the delete (by id or in a listing); the next DescribeReplicationGroups no longer knows it. Until then
    CreateReplicationGroup of the same id is still refused (ReplicationGroupAlreadyExists), as in AWS. The final
    snapshot is moto's ElastiCache snapshot (DescribeSnapshots SnapshotName=...), Status ``available`` at once.
    """
    from moto.core.responses import ActionResult
    from moto.elasticache import models, responses
    from moto.elasticache.exceptions import ReplicationGroupNotFound

    backend_cls = models.ElastiCacheBackend
    original_delete = backend_cls.delete_replication_group
    original_describe = backend_cls.describe_replication_groups

    def delete_replication_group(self, replication_group_id, retain_primary_cluster=None,
                                 final_snapshot_identifier=None):
        group = self.replication_groups.get(replication_group_id)
        if group is None:
            raise ReplicationGroupNotFound(replication_group_id)
        _require_available(group)
        if final_snapshot_identifier:
            self.create_snapshot(
                snapshot_name=final_snapshot_identifier,
                replication_group_id=replication_group_id,
                cache_cluster_id=None,
                kms_key_id=group.kms_key_id,
                tags=None,
            )
        primary_id = _primary_member_id(group)
        group = original_delete(self, replication_group_id, retain_primary_cluster)
        retained = self.cache_clusters.get(primary_id) if retain_primary_cluster and not group.cluster_enabled else None
        if retained is not None:
            retained.replication_group_id = None  # a standalone cache cluster from now on
            retained.__dict__.pop(_MEMBER_OF_ATTR, None)
        for cluster in _clusters_of(self, replication_group_id):
            cluster.cache_cluster_status = "deleting"
        return group

    def describe_replication_groups(self, replication_group_id=None):
        for group in list(self.replication_groups.values()):
            if group.status == "deleting" and group.__dict__.get(_DELETION_REPORTED_ATTR):
                _remove_replication_group(self, group)
        groups = original_describe(self, replication_group_id)
        for group in groups:
            if group.status == "deleting":
                group.__dict__[_DELETION_REPORTED_ATTR] = True
        return groups

    def respond_delete(self):
        group = self.elasticache_backend.delete_replication_group(
            replication_group_id=self._get_param("ReplicationGroupId"),
            retain_primary_cluster=self._get_bool_param("RetainPrimaryCluster"),
            final_snapshot_identifier=self._get_param("FinalSnapshotIdentifier"),
        )
        return ActionResult({"ReplicationGroup": group})

    backend_cls.delete_replication_group = delete_replication_group
    backend_cls.describe_replication_groups = describe_replication_groups
    responses.ElastiCacheResponse.delete_replication_group = respond_delete


@corrects("5.2.5")
def elasticache_modify_replication_group_settings() -> None:
    """ModifyReplicationGroup applies SnapshotWindow and the settings of the member clusters, as AWS does.

    AWS: ModifyReplicationGroup changes SnapshotWindow (reported by DescribeReplicationGroups) and
    PreferredMaintenanceWindow, SecurityGroupIds, CacheParameterGroupName, EngineVersion (reported on the member
    cache clusters by DescribeCacheClusters). An engine downgrade is refused, and so is any change to a group that is
    not ``available``: InvalidReplicationGroupState.
    moto 5.2.5: ignores these five parameters (answers 200 and changes nothing) and modifies a group being deleted.
    Breaks: envops.aws.elasticache_replication_group with snapshot_window reports changed on every run, and
    cannot converge the maintenance window, security groups, parameter group or engine version.
    Time is compressed as moto does for the settings it applies: every change is made at once, also with
    ApplyImmediately=false (no PendingModifiedValues, no maintenance window). Not validated: the window formats,
    that the security groups and the parameter group exist. Code AWS does not document, chosen here:
    InvalidParameterCombination for a downgrade (7.1 matches 7.1.0, 6.x matches any 6 version).
    """
    from moto.core.responses import ActionResult
    from moto.elasticache import models, responses
    from moto.elasticache.exceptions import InvalidParameterCombinationException, ReplicationGroupNotFound

    backend_cls = models.ElastiCacheBackend
    original_modify = backend_cls.modify_replication_group

    def modify_replication_group(self, replication_group_id, *args, snapshot_window=None,
                                 preferred_maintenance_window=None, security_group_ids=None,
                                 cache_parameter_group_name=None, engine_version=None, **kwargs):
        group = self.replication_groups.get(replication_group_id)
        if group is None:
            raise ReplicationGroupNotFound(replication_group_id)
        _require_available(group)
        if engine_version and _is_engine_downgrade(group.engine_version, engine_version):
            raise InvalidParameterCombinationException(
                f"Cannot downgrade the engine of replication group {replication_group_id} from "
                f"{group.engine_version} to {engine_version}."
            )
        group = original_modify(self, replication_group_id, *args, **kwargs)
        if snapshot_window is not None:
            group.snapshot_window = snapshot_window
        if preferred_maintenance_window is not None:
            group.preferred_maintenance_window = preferred_maintenance_window
        if security_group_ids is not None:
            group.security_group_ids = list(security_group_ids)
        if cache_parameter_group_name is not None:
            group.cache_parameter_group_name = cache_parameter_group_name
        if engine_version is not None:
            group.engine_version = engine_version
        _sync_member_clusters(self, group)
        return group

    def respond_modify(self):
        # moto's handler, with the parameters it leaves out.
        group = self.elasticache_backend.modify_replication_group(
            replication_group_id=self._get_param("ReplicationGroupId"),
            replication_group_description=self._get_param("ReplicationGroupDescription"),
            engine=self._get_param("Engine"),
            cache_node_type=self._get_param("CacheNodeType"),
            automatic_failover_enabled=self._get_bool_param("AutomaticFailoverEnabled"),
            multi_az_enabled=self._get_bool_param("MultiAZEnabled"),
            snapshot_retention_limit=self._get_int_param("SnapshotRetentionLimit"),
            snapshot_window=self._get_param("SnapshotWindow"),
            preferred_maintenance_window=self._get_param("PreferredMaintenanceWindow"),
            security_group_ids=self._get_param("SecurityGroupIds"),
            cache_parameter_group_name=self._get_param("CacheParameterGroupName"),
            engine_version=self._get_param("EngineVersion"),
        )
        return ActionResult({"ReplicationGroup": group})

    backend_cls.modify_replication_group = modify_replication_group
    responses.ElastiCacheResponse.modify_replication_group = respond_modify


@corrects("5.2.5")
def elasticache_replica_count() -> None:
    """IncreaseReplicaCount and DecreaseReplicaCount add and remove replicas, as AWS does.

    AWS: IncreaseReplicaCount / DecreaseReplicaCount (ApplyImmediately must be true) set the replicas of every node
    group to NewReplicaCount, or of the node groups in ReplicaConfiguration (NodeGroupId, NewReplicaCount,
    PreferredAvailabilityZones); DecreaseReplicaCount can instead name the replicas in ReplicasToRemove. New
    replicas are member clusters ``<group>-00N`` (``<group>-<node group>-00N`` in cluster mode), listed in
    MemberClusters and NodeGroupMembers; removed ones leave both and DescribeCacheClusters. At most 5 replicas per
    node group; a cluster mode disabled group with automatic failover or Multi-AZ keeps at least 1; a group that is
    not ``available`` is refused (InvalidReplicationGroupState).
    moto 5.2.5: neither operation is implemented (HTTP 500).
    Breaks: envops.aws.elasticache_replication_group cannot change replicas_per_node_group of a group.
    Codes AWS does not document, chosen here: InvalidParameterValue for ApplyImmediately=false, a count that does
    not increase (decrease), more than 5 replicas, an unknown node group, a primary or unknown id in
    ReplicasToRemove, neither NewReplicaCount nor ReplicaConfiguration (nor ReplicasToRemove);
    InvalidParameterCombination for several of them at once and for fewer than 1 replica with automatic failover
    or Multi-AZ. Time is compressed: the group stays ``available``. The highest-numbered replicas are removed.
    """
    from moto.core.responses import ActionResult
    from moto.elasticache import models, responses

    backend_cls = models.ElastiCacheBackend

    def increase_replica_count(self, replication_group_id, new_replica_count=None, replica_configuration=None,
                               apply_immediately=None):
        group = _replica_change_group(self, replication_group_id, apply_immediately)
        targets = _replica_targets(group, new_replica_count, replica_configuration, None)
        for node_group, wanted, _zones in targets:
            current = len(node_group["node_group_members"]) - 1
            if wanted <= current:
                raise _invalid_value(f"NewReplicaCount {wanted} does not increase the {current} replicas of node "
                                     f"group {node_group['node_group_id']}.")
            if wanted > _MAX_REPLICAS_PER_NODE_GROUP:
                raise _invalid_value(f"NewReplicaCount {wanted} is above the maximum of "
                                     f"{_MAX_REPLICAS_PER_NODE_GROUP} replicas per node group.")
        for node_group, wanted, preferred_zones in targets:
            _add_replicas(group, node_group, wanted, preferred_zones)
        _after_replica_change(self, group)
        return group

    def decrease_replica_count(self, replication_group_id, new_replica_count=None, replica_configuration=None,
                               replicas_to_remove=None, apply_immediately=None):
        group = _replica_change_group(self, replication_group_id, apply_immediately)
        targets = _replica_targets(group, new_replica_count, replica_configuration, replicas_to_remove)
        removals = []
        for node_group, wanted, extra in targets:
            replicas = [member["cache_cluster_id"] for member in node_group["node_group_members"][1:]]
            to_remove = extra if replicas_to_remove else None  # else extra is the preferred AZs
            if to_remove is None:
                if not 0 <= wanted < len(replicas):
                    raise _invalid_value(f"NewReplicaCount {wanted} does not decrease the {len(replicas)} replicas "
                                         f"of node group {node_group['node_group_id']}.")
                to_remove = replicas[wanted:]
            if not group.cluster_enabled and len(replicas) - len(to_remove) < 1 and (
                group.automatic_failover == "enabled" or group.multi_az == "enabled"
            ):
                raise _invalid_combination(f"Replication group {replication_group_id} has automatic failover or "
                                           "Multi-AZ enabled and needs at least 1 replica.")
            removals.append((node_group, set(to_remove)))
        for node_group, to_remove in removals:
            node_group["node_group_members"] = [member for member in node_group["node_group_members"]
                                                if member["cache_cluster_id"] not in to_remove]
        _after_replica_change(self, group)
        return group

    def respond_increase(self):
        group = self.elasticache_backend.increase_replica_count(
            replication_group_id=self._get_param("ReplicationGroupId"),
            new_replica_count=self._get_int_param("NewReplicaCount"),
            replica_configuration=self._get_param("ReplicaConfiguration"),
            apply_immediately=self._get_bool_param("ApplyImmediately"),
        )
        return ActionResult({"ReplicationGroup": group})

    def respond_decrease(self):
        group = self.elasticache_backend.decrease_replica_count(
            replication_group_id=self._get_param("ReplicationGroupId"),
            new_replica_count=self._get_int_param("NewReplicaCount"),
            replica_configuration=self._get_param("ReplicaConfiguration"),
            replicas_to_remove=self._get_param("ReplicasToRemove"),
            apply_immediately=self._get_bool_param("ApplyImmediately"),
        )
        return ActionResult({"ReplicationGroup": group})

    backend_cls.increase_replica_count = increase_replica_count
    backend_cls.decrease_replica_count = decrease_replica_count
    responses.ElastiCacheResponse.increase_replica_count = respond_increase
    responses.ElastiCacheResponse.decrease_replica_count = respond_decrease


@corrects("5.2.5")
def elasticache_delete_cache_subnet_group() -> None:
    """DeleteCacheSubnetGroup deletes a cache subnet group that nothing uses, as AWS does.

    AWS: DeleteCacheSubnetGroup(CacheSubnetGroupName) deletes the group and its tags (empty answer); then
    DescribeCacheSubnetGroups answers CacheSubnetGroupNotFoundFault for it and the name can be used again. An unknown
    name is refused with CacheSubnetGroupNotFoundFault, a group a cache cluster or a replication group (also one being
    deleted) uses with CacheSubnetGroupInUse, both HTTP 400.
    moto 5.2.5: DeleteCacheSubnetGroup is not implemented (HTTP 500 with an HTML page).
    Breaks: community.aws.elasticache_subnet_group with state=absent (teardown of the cache) fails on an existing
    group: "Unable to parse response (syntax error: line 1, column 0), invalid XML received".
    A replication group deleted under elasticache_replication_group_deletion uses the group until it has been
    reported ``deleting`` and is gone (after the replication_group_deleted waiter). moto keeps a deleted standalone
    cache cluster ``deleting`` for ever, so its subnet group stays in use (no envops module deletes one). Not
    modelled: the Region's ``default`` subnet group (moto has none); names are matched as moto stores them (AWS
    stores them lowercase).
    """
    from moto.core.responses import EmptyResult
    from moto.elasticache import models, responses
    from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException

    backend_cls = models.ElastiCacheBackend

    def delete_cache_subnet_group(self, cache_subnet_group_name):
        subnet_group = self.cache_subnet_groups.get(cache_subnet_group_name)
        if subnet_group is None:
            raise CacheSubnetGroupNotFound(cache_subnet_group_name)
        users = [("replication group", group.replication_group_id) for group in self.replication_groups.values()
                 if group.cache_subnet_group_name == cache_subnet_group_name]
        users += [("cache cluster", cluster.cache_cluster_id) for cluster in self.cache_clusters.values()
                  if cluster.cache_subnet_group_name == cache_subnet_group_name]
        if users:
            kind, name = users[0]
            raise ElastiCacheException(
                "CacheSubnetGroupInUse",
                f"Cache subnet group {cache_subnet_group_name} is currently in use by {kind} {name}.",
            )
        del self.cache_subnet_groups[cache_subnet_group_name]
        self.tagging_service.delete_all_tags_for_resource(subnet_group.arn)

    def respond_delete(self):
        self.elasticache_backend.delete_cache_subnet_group(
            cache_subnet_group_name=self._get_param("CacheSubnetGroupName"),
        )
        return EmptyResult()

    backend_cls.delete_cache_subnet_group = delete_cache_subnet_group
    responses.ElastiCacheResponse.delete_cache_subnet_group = respond_delete


def _invalid_value(message: str):
    from moto.elasticache.exceptions import InvalidParameterValueException

    return InvalidParameterValueException(message)


def _invalid_combination(message: str):
    from moto.elasticache.exceptions import InvalidParameterCombinationException

    return InvalidParameterCombinationException(message)


def _require_available(group) -> None:
    from moto.elasticache.exceptions import ElastiCacheException

    if group.status != "available":
        raise ElastiCacheException(
            "InvalidReplicationGroupState",
            f"Replication group {group.replication_group_id} is not in available state (status {group.status}).",
        )


def _version_key(version: str) -> tuple:
    key = []
    for part in (version or "").split("."):
        if not part.isdigit():
            break
        key.append(int(part))
    return tuple(key)


def _is_engine_downgrade(current, wanted: str) -> bool:
    """7.1 is 7.1.0; 6.x is any 6 version."""
    if not current:
        return False
    wanted_key, current_key = _version_key(wanted), _version_key(current)
    if "x" in wanted.lower().split("."):
        current_key = current_key[: len(wanted_key)]
    width = max(len(wanted_key), len(current_key))
    return wanted_key + (0,) * (width - len(wanted_key)) < current_key + (0,) * (width - len(current_key))


def _default_parameter_group(group):
    """The default parameter group AWS gives a group of this engine version: default.redis7, default.redis6.x..."""
    key = _version_key(group.engine_version or "")
    if not key:
        return None
    if key[0] >= 7:
        family = f"{group.engine}{key[0]}"
    elif key[0] == 6:
        family = f"{group.engine}6.x"
    else:
        family = f"{group.engine}{key[0]}.{key[1] if len(key) > 1 else 0}"
    cluster_mode = group.cluster_enabled or len(group.node_groups) > 1
    return f"default.{family}" + (".cluster.on" if cluster_mode else "")


def _subnet_group_of(backend, group):
    return backend.cache_subnet_groups.get(group.cache_subnet_group_name or "")


def _availability_zones(backend, group) -> list:
    zones = set()
    subnet_group = _subnet_group_of(backend, group)
    for subnet in subnet_group.subnets if subnet_group else []:
        zone = subnet.get("subnet_availability_zone")
        if isinstance(zone, str) and zone.startswith(backend.region_name):
            zones.add(zone)
    return sorted(zones) or [backend.region_name + suffix for suffix in "abc"]


def _default_security_group_ids(backend, group) -> list:
    from moto.ec2.models import ec2_backends

    subnet_group = _subnet_group_of(backend, group)
    if not subnet_group or not subnet_group.vpc_id:
        return []
    try:
        default = ec2_backends[backend.account_id][backend.region_name].get_default_security_group(subnet_group.vpc_id)
    except KeyError:
        return []
    return [default.id] if default else []


def _primary_member_id(group):
    members = group.node_groups[0]["node_group_members"] if group.node_groups else []
    return members[0]["cache_cluster_id"] if members else None


def _clusters_of(backend, replication_group_id) -> list:
    """The member clusters made for the group (not a cache cluster created on its own naming the group)."""
    return [cluster for cluster in backend.cache_clusters.values()
            if cluster.__dict__.get(_MEMBER_OF_ATTR) == replication_group_id]


def _drop_cache_cluster(backend, cluster) -> None:
    backend.cache_clusters.pop(cluster.cache_cluster_id, None)
    backend.tagging_service.delete_all_tags_for_resource(cluster.arn)


def _remove_replication_group(backend, group) -> None:
    for cluster in _clusters_of(backend, group.replication_group_id):
        _drop_cache_cluster(backend, cluster)
    backend.replication_groups.pop(group.replication_group_id, None)
    backend.tagging_service.delete_all_tags_for_resource(group.arn)


def _sync_member_clusters(backend, group) -> None:
    """Make the member cache clusters of a replication group match its members and settings."""
    from moto.elasticache.models import CacheCluster

    zones = _availability_zones(backend, group)
    members = {}
    for group_index, node_group in enumerate(group.node_groups):
        for member_index, member in enumerate(node_group["node_group_members"]):
            if not (member.get("preferred_availability_zone") or "").startswith(backend.region_name):
                member["preferred_availability_zone"] = zones[(group_index + member_index) % len(zones)]
            members[member["cache_cluster_id"]] = member
    for cluster in _clusters_of(backend, group.replication_group_id):
        if cluster.cache_cluster_id not in members:
            _drop_cache_cluster(backend, cluster)
    for cluster_id, member in members.items():
        cluster = backend.cache_clusters.get(cluster_id)
        if cluster is None:
            cluster = backend.cache_clusters[cluster_id] = CacheCluster(
                account_id=backend.account_id, region_name=backend.region_name, cache_cluster_id=cluster_id,
                cache_node_type=group.cache_node_type, replication_group_id=group.replication_group_id,
                az_mode="single-az", preferred_availability_zone=None, num_cache_nodes=1, engine=group.engine,
                engine_version=None, cache_parameter_group_name=None, cache_subnet_group_name=None,
                transit_encryption_enabled=None, network_type=group.network_type, ip_discovery=group.ip_discovery,
                snapshot_name=None, preferred_maintenance_window=None, port=group.port, notification_topic_arn=None,
                auto_minor_version_upgrade=group.auto_minor_version_upgrade, snapshot_retention_limit=None,
                snapshot_window=None, auth_token=None, outpost_mode=None, preferred_outpost_arn=None,
                preferred_availability_zones=None, cache_security_group_names=None, security_group_ids=None,
                tags=None, snapshot_arns=None, preferred_outpost_arns=None, log_delivery_configurations=[],
                cache_node_ids_to_remove=None, cache_node_ids_to_reboot=None,
            )
            cluster.__dict__[_MEMBER_OF_ATTR] = group.replication_group_id
        cluster.replication_group_id = group.replication_group_id
        cluster.preferred_availability_zone = member["preferred_availability_zone"]
        cluster.cache_node_type = group.cache_node_type
        cluster.engine = group.engine
        cluster.engine_version = group.engine_version
        cluster.cache_subnet_group_name = group.cache_subnet_group_name
        cluster.security_group_ids = list(group.security_group_ids or [])
        cluster.security_groups = [{"SecurityGroupId": sg, "Status": "active"} for sg in cluster.security_group_ids]
        cluster.cache_parameter_group_name = group.cache_parameter_group_name
        cluster.cache_parameter_group = {
            "CacheParameterGroupName": group.cache_parameter_group_name,
            "ParameterApplyStatus": "in-sync",
            "CacheNodeIdsToReboot": [],
        } if group.cache_parameter_group_name else None
        cluster.preferred_maintenance_window = group.preferred_maintenance_window
        cluster.snapshot_window = group.snapshot_window
        cluster.snapshot_retention_limit = group.snapshot_retention_limit
        cluster.transit_encryption_enabled = group.transit_encryption_enabled
        cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled
        cluster.auth_token_enabled = group.auth_token_enabled
        cluster.auth_token_last_modified_date = group.auth_token_last_modified_date
        cluster.cache_cluster_status = "deleting" if group.status == "deleting" else "available"


def _replica_change_group(backend, replication_group_id, apply_immediately):
    from moto.elasticache.exceptions import ReplicationGroupNotFound

    group = backend.replication_groups.get(replication_group_id)
    if group is None:
        raise ReplicationGroupNotFound(replication_group_id)
    _require_available(group)
    if not apply_immediately:
        raise _invalid_value("ApplyImmediately=false is not supported: replicas are changed immediately.")
    return group


def _replica_targets(group, new_replica_count, replica_configuration, replicas_to_remove) -> list:
    """(node group, wanted replica count, preferred AZs or ids to remove) for each node group to change."""
    given = [value is not None and value != []
             for value in (new_replica_count, replica_configuration, replicas_to_remove)]
    if sum(given) > 1:
        raise _invalid_combination("Give only one of NewReplicaCount, ReplicaConfiguration and ReplicasToRemove.")
    if not any(given):
        raise _invalid_value("NewReplicaCount or ReplicaConfiguration is required.")
    node_groups = {node_group["node_group_id"]: node_group for node_group in group.node_groups}
    if new_replica_count is not None:
        return [(node_group, new_replica_count, None) for node_group in group.node_groups]
    if replica_configuration:
        targets = []
        for shard in replica_configuration:
            node_group = node_groups.get(shard.get("NodeGroupId"))
            if node_group is None:
                raise _invalid_value(f"Node group {shard.get('NodeGroupId')} is not part of replication group "
                                     f"{group.replication_group_id}.")
            targets.append((node_group, int(shard["NewReplicaCount"]), shard.get("PreferredAvailabilityZones")))
        return targets
    by_member = {member["cache_cluster_id"]: (node_group, index)
                 for node_group in group.node_groups for index, member in enumerate(node_group["node_group_members"])}
    removals = {}
    for cluster_id in replicas_to_remove:
        node_group, index = by_member.get(cluster_id, (None, 0))
        if node_group is None or index == 0:
            raise _invalid_value(f"{cluster_id} is not a replica of replication group {group.replication_group_id}.")
        removals.setdefault(node_group["node_group_id"], []).append(cluster_id)
    return [(node_groups[node_group_id], len(node_groups[node_group_id]["node_group_members"]) - 1 - len(ids), ids)
            for node_group_id, ids in removals.items()]


def _add_replicas(group, node_group, wanted: int, zones) -> None:
    """Replicas up to wanted, in the given AZs (the primary's first), else placed by _sync_member_clusters."""
    members = node_group["node_group_members"]
    prefix = group.replication_group_id + (f"-{node_group['node_group_id']}" if group.cluster_enabled else "")
    primary = node_group.get("primary_endpoint") or {}
    domain = primary.get("address", "").partition(".")[2]
    number = max(int(member["cache_cluster_id"].rsplit("-", 1)[1]) for member in members)
    while len(members) - 1 < wanted:
        number += 1
        member = {
            "cache_cluster_id": f"{prefix}-{number:0>3}",
            "cache_node_id": node_group["node_group_id"],
            "preferred_availability_zone": zones[len(members) % len(zones)] if zones else None,
        }
        if not group.cluster_enabled:
            member["read_endpoint"] = {"address": f"{member['cache_cluster_id']}.{domain}", "port": group.port}
            member["current_role"] = "replica"
        members.append(member)


def _after_replica_change(backend, group) -> None:
    group.member_clusters[:] = [member["cache_cluster_id"] for node_group in group.node_groups
                                for member in node_group["node_group_members"]]
    if group.snapshotting_cluster_id and group.snapshotting_cluster_id not in group.member_clusters:
        group.snapshotting_cluster_id = group.member_clusters[-1]
    _sync_member_clusters(backend, group)
