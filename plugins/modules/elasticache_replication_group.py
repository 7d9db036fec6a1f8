#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: elasticache_replication_group
version_added: 0.1.0
short_description: Manage an ElastiCache (Redis OSS) replication group
description:
  - Creates, modifies, tags and deletes one ElastiCache replication group running the C(redis) engine, encrypted at
    rest and in transit by default.
  - Settings fixed at creation (O(at_rest_encryption), O(kms_key_id), O(transit_encryption), O(cache_subnet_group),
    O(port), O(num_node_groups)) are compared too. A difference fails before any change, naming the setting with its
    current and wanted value. The module never replaces a replication group, which would lose its data.
  - Other settings are changed in place with C(ModifyReplicationGroup), the replica count with C(IncreaseReplicaCount)
    or C(DecreaseReplicaCount), tags with C(AddTagsToResource) and C(RemoveTagsFromResource).
  - Options without a default that are left unset keep their current value; at creation AWS picks its own default
    for them (for example the newest engine version, a random maintenance window, failover and Multi-AZ disabled).
  - The current state is compared in normalised form. C(7.1) matches engine version C(7.1.0), a KMS key id matches its
    ARN (aliases are resolved with C(kms:DescribeKey)), and changes pending for the next maintenance window count
    as made.
author:
  - envops maintainers (@envops)
options:
  replication_group_id:
    description:
      - Name of the replication group.
      - 1 to 40 lowercase letters, digits and hyphens, starting with a letter, with no two consecutive hyphens and no
        trailing hyphen.
    type: str
    required: true
  description:
    description:
      - Description of the replication group.
      - Required to create the replication group.
    type: str
  state:
    description:
      - Whether the replication group should exist.
    type: str
    choices: [present, absent]
    default: present
  engine_version:
    description:
      - Redis OSS engine version, for example V(7.1). V(7.1) matches a group running C(7.1.0), and V(6.x) any 6 version.
      - A higher version than the current one is an in-place upgrade. A lower one fails, engines cannot be downgraded.
      - A new major version usually needs a matching O(parameter_group) in the same task.
    type: str
  node_type:
    description:
      - Node type of every node, for example V(cache.r7g.large).
      - Required to create the replication group. A change scales the nodes online.
    type: str
  num_node_groups:
    description:
      - Number of node groups (shards). V(1) is a cluster mode disabled group.
      - More than one needs a cluster mode parameter group (for example V(default.redis7.cluster.on)) and
        O(automatic_failover=true).
      - Fixed at creation, this module does not reshard.
    type: int
    default: 1
  replicas_per_node_group:
    description:
      - Number of replicas in each node group, 0 to 5.
      - A change adds or removes replicas online, always immediately. Replicas are added before O(automatic_failover)
        or O(multi_az) is enabled and removed after they are disabled.
    type: int
  automatic_failover:
    description:
      - Whether a replica is promoted automatically when the primary fails.
      - Requires at least one replica.
    type: bool
  multi_az:
    description:
      - Whether replicas are placed in other Availability Zones than their primary, for failover across zones.
      - Requires O(automatic_failover=true) and O(replicas_per_node_group) of at least V(1), both set in the same task.
    type: bool
  cache_subnet_group:
    description:
      - Name of the cache subnet group, which places the group in a VPC.
      - Fixed at creation.
    type: str
  security_group_ids:
    description:
      - IDs of the VPC security groups of the nodes. Order does not matter.
    type: list
    elements: str
  at_rest_encryption:
    description:
      - Whether data on disk (snapshots, swap) is encrypted.
      - Fixed at creation.
    type: bool
    default: true
  kms_key_id:
    description:
      - KMS key that encrypts data at rest, by key id, key ARN, alias name (V(alias/name)) or alias ARN.
      - An alias is resolved to the ARN of its key with C(kms:DescribeKey), to create the group and to compare its key.
      - When unset at creation, AWS uses its own key for ElastiCache.
      - Requires O(at_rest_encryption=true). Fixed at creation.
    type: str
  transit_encryption:
    description:
      - Whether connections use TLS.
      - Fixed at creation here, this module does not migrate in-transit encryption in place.
    type: bool
    default: true
  auth_token:
    description:
      - Redis AUTH token (password) the clients must send, 16 to 128 characters. Letters, digits and only these special
        characters are allowed, V(!), V(&), V(#), V($), V(^), V(<), V(>) and V(-).
      - Requires O(transit_encryption=true).
      - AWS never returns the token, so the module cannot tell whether it changed. See O(auth_token_update).
      - Never part of the results nor of the diff, which show V(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER) when it is sent.
      - When unset, AUTH is left as it is.
    type: str
  auth_token_update:
    description:
      - When O(auth_token) is sent.
      - V(on_create) sends it when the replication group is created, and when an existing group has no AUTH token
        yet (strategy V(ROTATE)). An existing token is never replaced, the task is idempotent.
      - V(always) sends it on every run with O(auth_token_update_strategy), so the task reports changed every time.
        Use it in a dedicated rotation task, not in the task that converges the group.
    type: str
    choices: [on_create, always]
    default: on_create
  auth_token_update_strategy:
    description:
      - How O(auth_token_update=always) replaces the token of a group that has one.
      - V(rotate) adds the new token and keeps the old one valid, so clients can move over.
      - V(set) makes the new token the only valid one, once clients use it (AWS allows it only after a rotation).
    type: str
    choices: [rotate, set]
    default: rotate
  snapshot_retention_limit:
    description:
      - Days automatic snapshots are kept, 0 to 35. V(0) disables automatic snapshots.
    type: int
  snapshot_window:
    description:
      - Daily UTC time range of the automatic snapshot, for example V(05:00-06:00).
    type: str
  maintenance_window:
    description:
      - Weekly UTC time range of maintenance, for example V(sun:05:00-sun:06:00). Compared case-insensitively.
    type: str
  parameter_group:
    description:
      - Name of the cache parameter group.
    type: str
  port:
    description:
      - Port the nodes accept connections on.
      - Fixed at creation.
    type: int
    default: 6379
  apply_immediately:
    description:
      - Whether changes made with C(ModifyReplicationGroup) are applied now rather than in the next maintenance window.
      - Changes pending for the maintenance window count as made, a second run does not request them again.
      - Replica count and AUTH token changes are always applied immediately.
    type: bool
    default: false
  final_snapshot_identifier:
    description:
      - Name of a snapshot taken before the replication group is deleted.
      - Only with O(state=absent).
    type: str
  wait:
    description:
      - Whether to wait until the replication group is available after a change, or gone after O(state=absent).
      - Between the steps of one change (for example replicas added, then failover enabled) the module always waits.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for each wait.
    type: int
    default: 1800
attributes:
  check_mode:
    description: Reports what would change without calling any API that creates, modifies, tags or deletes.
    support: full
  diff_mode:
    description:
      - Returns the replication group before and after the change, both in normalised form.
      - The AUTH token is shown as V(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER), only when it would be sent.
    support: full
notes:
  - The subnet group, security groups, engine version, parameter group and maintenance window are read from the first
    member cluster (C(DescribeCacheClusters)). When it cannot be read, the module warns and does not compare them.
  - The engine is always C(redis). Cluster mode follows O(num_node_groups) and the parameter group.
  - A replication group being deleted is waited for before it is created again, or fails when O(wait=false).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Multi-AZ Redis encrypted at rest with our key and in transit with an AUTH token
  envops.aws.elasticache_replication_group:
    replication_group_id: envops-prod-sessions
    description: Session store of envops prod
    engine_version: "7.1"
    node_type: cache.r7g.large
    replicas_per_node_group: 1
    automatic_failover: true
    multi_az: true
    cache_subnet_group: envops-prod-cache
    security_group_ids:
      - sg-0123456789abcdef0
    kms_key_id: alias/envops-prod-cache
    auth_token: "{{ sessions_auth_token }}"
    snapshot_retention_limit: 7
    snapshot_window: "03:00-04:00"
    maintenance_window: "sun:05:00-sun:06:00"
    tags:
      environment: prod

- name: Rotate the AUTH token (old and new valid), in a task of its own
  envops.aws.elasticache_replication_group:
    replication_group_id: envops-prod-sessions
    auth_token: "{{ new_sessions_auth_token }}"
    auth_token_update: always
    auth_token_update_strategy: rotate

- name: Delete it, keeping a final snapshot
  envops.aws.elasticache_replication_group:
    replication_group_id: envops-prod-sessions
    final_snapshot_identifier: envops-prod-sessions-final
    state: absent
"""

RETURN = r"""
replication_group:
  description:
    - The replication group as AWS describes it, with its tags and the settings of its first member cluster.
    - Empty when O(state=absent), and in check mode when the group would be created.
    - In check mode, the replication group as it is before the change.
    - Never contains the AUTH token.
  returned: always
  type: dict
  contains:
    replication_group_id:
      description: Name of the replication group.
      returned: when the group exists
      type: str
      sample: envops-prod-sessions
    arn:
      description: ARN of the replication group.
      returned: when the group exists
      type: str
      sample: arn:aws:elasticache:me-south-1:123456789012:replicationgroup:envops-prod-sessions
    description:
      description: Description of the replication group.
      returned: when the group exists
      type: str
      sample: Session store of envops prod
    status:
      description: Status of the replication group.
      returned: when the group exists
      type: str
      sample: available
    cache_node_type:
      description: Node type.
      returned: when the group exists
      type: str
      sample: cache.r7g.large
    automatic_failover:
      description: Automatic failover status.
      returned: when the group exists
      type: str
      sample: enabled
    multi_az:
      description: Multi-AZ status.
      returned: when the group exists
      type: str
      sample: enabled
    at_rest_encryption_enabled:
      description: Whether data at rest is encrypted.
      returned: when the group exists
      type: bool
      sample: true
    kms_key_id:
      description: KMS key that encrypts data at rest.
      returned: when a customer managed key is used
      type: str
      sample: arn:aws:kms:me-south-1:123456789012:key/0f8e4c1a-0000-4000-8000-000000000000
    transit_encryption_enabled:
      description: Whether connections use TLS.
      returned: when the group exists
      type: bool
      sample: true
    auth_token_enabled:
      description: Whether clients must send an AUTH token.
      returned: when the group exists
      type: bool
      sample: true
    auth_token_last_modified_date:
      description: When the AUTH token last changed.
      returned: when the group has an AUTH token
      type: str
      sample: "2026-11-23T10:03:45+00:00"
    cluster_enabled:
      description: Whether the group runs in cluster mode.
      returned: when the group exists
      type: bool
      sample: false
    member_clusters:
      description: IDs of the member cache clusters.
      returned: when the group exists
      type: list
      elements: str
      sample: [envops-prod-sessions-001, envops-prod-sessions-002]
    node_groups:
      description: Node groups (shards) with their endpoints and members.
      returned: when the group exists
      type: list
      elements: dict
      sample:
        - node_group_id: "0001"
          status: available
          primary_endpoint: {address: master.envops-prod-sessions.abc123.mes1.cache.amazonaws.com, port: 6379}
          reader_endpoint: {address: replica.envops-prod-sessions.abc123.mes1.cache.amazonaws.com, port: 6379}
    configuration_endpoint:
      description: Configuration endpoint of a cluster mode enabled group.
      returned: when cluster mode is enabled
      type: dict
      sample: {address: clustercfg.envops-prod-sessions.abc123.mes1.cache.amazonaws.com, port: 6379}
    snapshot_retention_limit:
      description: Days automatic snapshots are kept.
      returned: when the group exists
      type: int
      sample: 7
    snapshot_window:
      description: Daily UTC time range of the automatic snapshot.
      returned: when the group exists
      type: str
      sample: "03:00-04:00"
    pending_modified_values:
      description: Group settings waiting for the next maintenance window or being applied.
      returned: when changes are pending
      type: dict
      sample: {automatic_failover_status: enabled}
    replication_group_create_time:
      description: When the group was created.
      returned: when the group exists
      type: str
      sample: "2026-11-23T10:03:45+00:00"
    engine:
      description: Engine of the group.
      returned: when the group exists
      type: str
      sample: redis
    engine_version:
      description: Engine version of the first member cluster.
      returned: when the member cluster can be read
      type: str
      sample: 7.1.0
    cache_subnet_group_name:
      description: Cache subnet group of the first member cluster.
      returned: when the member cluster can be read
      type: str
      sample: envops-prod-cache
    security_group_ids:
      description: VPC security groups of the first member cluster.
      returned: when the member cluster can be read
      type: list
      elements: str
      sample: [sg-0123456789abcdef0]
    cache_parameter_group_name:
      description: Parameter group of the first member cluster.
      returned: when the member cluster can be read
      type: str
      sample: default.redis7
    preferred_maintenance_window:
      description: Weekly UTC maintenance window of the first member cluster.
      returned: when the member cluster can be read
      type: str
      sample: sun:05:00-sun:06:00
    tags:
      description: Tags of the replication group.
      returned: when the group exists
      type: dict
      sample: {"environment": "prod"}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import elasticache

# Statuses in which AWS refuses a modification or a deletion until the group is available.
BUSY_STATUSES = ("creating", "modifying", "snapshotting")


def find_replication_group(client, replication_group_id):
    """The group with its first member cluster and its tags, or None.

    The member cluster is None when it cannot be read; its settings are then unknown.
    """
    group = elasticache.describe_replication_group(client, replication_group_id)
    if not group:
        return None
    members = group.get("MemberClusters") or []
    cluster = elasticache.describe_cache_cluster(client, members[0]) if members else None
    tags = elasticache.list_tags(client, group["ARN"]) if group.get("ARN") else {}
    return dict(group=group, cluster=cluster, tags=tags)


def normalise_found(found):
    if not found:
        return {}
    return elasticache.normalise_replication_group(found["group"], found["cluster"], found["tags"])


def format_replication_group(found):
    if not found:
        return {}
    result = camel_dict_to_snake_dict(found["group"])
    result["tags"] = dict(found["tags"])
    cluster = found["cluster"]
    if cluster:
        result.update(
            engine_version=cluster.get("EngineVersion"),
            cache_subnet_group_name=cluster.get("CacheSubnetGroupName"),
            security_group_ids=sorted(group["SecurityGroupId"] for group in cluster.get("SecurityGroups", [])),
            cache_parameter_group_name=(cluster.get("CacheParameterGroup") or {}).get("CacheParameterGroupName"),
            preferred_maintenance_window=cluster.get("PreferredMaintenanceWindow"),
        )
    return result


def exit_with(module, changed, replication_group, before, after):
    result = dict(changed=changed, replication_group=replication_group)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


def wanted_params(module, before):
    """The module parameters, with a KMS alias resolved to its key ARN to create the group or compare its key."""
    params = dict(module.params)
    key = params["kms_key_id"]
    if elasticache.is_kms_alias(key) and not elasticache.kms_key_matches(before.get("kms_key_id"), key):
        params["kms_key_id"] = elasticache.resolve_kms_key(module.client("kms"), key)
    return params


def wait_until_gone(client, module):
    """A group being deleted: wait until it is gone (not in check mode), or refuse without wait."""
    group_id = module.params["replication_group_id"]
    if module.check_mode:
        return
    if not module.params["wait"]:
        module.fail_json(msg=f"Replication group {group_id} is being deleted; run again once it is gone, or set wait=true.")
    elasticache.wait_deleted(client, group_id, module.params["wait_timeout"])


def apply_update(client, module, found, before, after, params):
    group_id = before["replication_group_id"]
    timeout = params["wait_timeout"]
    steps = elasticache.plan_update(before, after, params)
    if steps and found["group"].get("Status") in BUSY_STATUSES:
        elasticache.wait_available(client, group_id, timeout)
    for index, (operation, kwargs) in enumerate(steps):
        if index:
            # AWS refuses a modification while the previous one is in progress.
            elasticache.wait_available(client, group_id, timeout)
        elasticache.MUTATIONS[operation](client, **kwargs)

    tags_to_set, keys_to_unset = elasticache.tag_changes(before, after)
    if keys_to_unset:
        elasticache.remove_tags(client, found["group"]["ARN"], keys_to_unset)
    if tags_to_set:
        elasticache.add_tags(client, found["group"]["ARN"], tags_to_set)

    if steps and params["wait"]:
        elasticache.wait_available(client, group_id, timeout)


def ensure_present(client, module, found):
    if found and found["group"].get("Status") == "deleting":
        wait_until_gone(client, module)
        found = None
    before = normalise_found(found)
    params = wanted_params(module, before)
    after = elasticache.normalise_params(params, before)

    unknown = elasticache.unknown_fields(params, before)
    if unknown:
        module.warn(
            f"Could not read a member cluster of replication group {params['replication_group_id']}, so "
            f"{', '.join(unknown)} could not be compared and were left as they are."
        )
    problems = elasticache.validate_desired(before, after)
    if problems:
        module.fail_json(msg=" ".join(problems))
    refused = elasticache.refused_changes(before, after)
    if refused:
        module.fail_json(msg=elasticache.refusal_message(params["replication_group_id"], refused))

    changed_fields = elasticache.differing_fields(before, after)
    if not changed_fields or module.check_mode:
        exit_with(module, bool(changed_fields), format_replication_group(found), before, after)

    if found:
        apply_update(client, module, found, before, after, params)
    else:
        elasticache.create_replication_group(client, **elasticache.create_params(after, params))
        if params["wait"]:
            elasticache.wait_available(client, params["replication_group_id"], params["wait_timeout"])

    found = find_replication_group(client, params["replication_group_id"])
    exit_with(module, True, format_replication_group(found), before, after)


def ensure_absent(client, module, found):
    if not found:
        exit_with(module, False, {}, {}, {})
    params = module.params
    group_id = params["replication_group_id"]
    before = normalise_found(found)
    status = found["group"].get("Status")
    if status == "deleting":
        if params["wait"] and not module.check_mode:
            elasticache.wait_deleted(client, group_id, params["wait_timeout"])
        exit_with(module, False, {}, before, {})
    if module.check_mode:
        exit_with(module, True, {}, before, {})

    if status in BUSY_STATUSES:
        elasticache.wait_available(client, group_id, params["wait_timeout"])
    changed = elasticache.delete_replication_group(client, group_id, params["final_snapshot_identifier"])
    if changed and params["wait"]:
        elasticache.wait_deleted(client, group_id, params["wait_timeout"])
    exit_with(module, changed, {}, before, {})


def main():
    argument_spec = dict(
        replication_group_id=dict(type="str", required=True),
        description=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        engine_version=dict(type="str"),
        node_type=dict(type="str"),
        num_node_groups=dict(type="int", default=1),
        replicas_per_node_group=dict(type="int"),
        automatic_failover=dict(type="bool"),
        multi_az=dict(type="bool"),
        cache_subnet_group=dict(type="str"),
        security_group_ids=dict(type="list", elements="str"),
        at_rest_encryption=dict(type="bool", default=True),
        kms_key_id=dict(type="str"),
        transit_encryption=dict(type="bool", default=True),
        auth_token=dict(type="str", no_log=True),
        auth_token_update=dict(type="str", choices=["on_create", "always"], default="on_create"),
        auth_token_update_strategy=dict(type="str", choices=["rotate", "set"], default="rotate"),
        snapshot_retention_limit=dict(type="int"),
        snapshot_window=dict(type="str"),
        maintenance_window=dict(type="str"),
        parameter_group=dict(type="str"),
        port=dict(type="int", default=6379),
        apply_immediately=dict(type="bool", default=False),
        final_snapshot_identifier=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    problems = elasticache.validate_params(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))

    client = module.client("elasticache")
    try:
        found = find_replication_group(client, module.params["replication_group_id"])
        if module.params["state"] == "present":
            ensure_present(client, module, found)
        else:
            ensure_absent(client, module, found)
    except elasticache.AnsibleElastiCacheError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
