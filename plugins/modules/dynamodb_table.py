#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dynamodb_table
version_added: 0.1.0
short_description: Manage a DynamoDB table with point-in-time recovery, SSE-KMS, TTL and global secondary indexes
description:
  - Creates, updates in place and deletes one DynamoDB table.
  - The desired state is compared with the table as AWS describes it, after both are put in the same normalised
    shape, so defaults AWS adds (encryption description, billing summary, warm throughput) are not changes.
  - A table is never replaced. A difference in what AWS fixes at creation (the names and types of the hash and range
    keys, the keys and projection of an existing global secondary index) fails with the field, its current and its
    wanted value, before any change is made.
  - Everything else is changed in place, each with its own API. UpdateTable for billing mode, capacity, indexes
    added or removed, SSE key, stream and deletion protection, one change per call, waiting for the table to be
    active between calls as AWS requires. UpdateContinuousBackups for point-in-time recovery, UpdateTimeToLive for
    TTL, TagResource and UntagResource for tags.
  - Local secondary indexes, table classes, replicas (global tables) and auto scaling are not managed; local
    secondary indexes of an existing table are reported and left alone.
author:
  - envops maintainers (@envops)
options:
  name:
    description:
      - Name of the table, 3 to 255 letters, digits, V(_), V(-) or V(.).
    type: str
    required: true
  state:
    description:
      - Whether the table should exist.
      - V(absent) deletes the table and all its items. A table with deletion protection is not deleted, the module
        fails instead; set O(deletion_protection=false) with O(state=present) first.
    type: str
    choices: [present, absent]
    default: present
  hash_key_name:
    description:
      - Name of the partition (hash) key attribute.
      - Required when O(state=present). Fixed when the table is created.
    type: str
  hash_key_type:
    description:
      - Type of the hash key attribute. Fixed when the table is created.
    type: str
    choices: [STRING, NUMBER, BINARY]
    default: STRING
  range_key_name:
    description:
      - Name of the sort (range) key attribute; unset for a table without a sort key.
      - Fixed when the table is created, adding or removing it is refused like any key change.
    type: str
  range_key_type:
    description:
      - Type of the range key attribute. Needs O(range_key_name); V(STRING) when unset.
    type: str
    choices: [STRING, NUMBER, BINARY]
  billing_mode:
    description:
      - V(PAY_PER_REQUEST) for on-demand capacity, V(PROVISIONED) for O(read_capacity) and O(write_capacity).
      - Changed in place. AWS limits how often a table switches between the two modes.
    type: str
    choices: [PAY_PER_REQUEST, PROVISIONED]
    default: PAY_PER_REQUEST
  read_capacity:
    description:
      - Read capacity units of the table. Required with O(billing_mode=PROVISIONED), not allowed otherwise.
    type: int
  write_capacity:
    description:
      - Write capacity units of the table. Required with O(billing_mode=PROVISIONED), not allowed otherwise.
    type: int
  point_in_time_recovery:
    description:
      - Whether point-in-time recovery (continuous backups) is enabled.
    type: bool
    default: true
  sse_kms_key_id:
    description:
      - KMS key that encrypts the table at rest, as key id, key ARN, alias name (V(alias/name)) or alias ARN.
        It is resolved to its key ARN with KMS DescribeKey, which is what AWS reports and what is compared.
      - An alias or key id must be in the account and region of the table; give the key ARN of a key in another
        account.
      - When unset the table is encrypted with the AWS owned key, and a table encrypted with a KMS key is switched
        back to the AWS owned key.
    type: str
  ttl_attribute:
    description:
      - Name of the attribute holding the expiry time of items. TTL is enabled on it.
      - When unset, TTL is left as it is (disabled on a new table), so TTL managed elsewhere is not changed.
      - An empty string disables TTL.
      - AWS accepts one TTL change per table an hour and cannot move TTL from one attribute to another directly, so
        a different attribute while TTL is enabled is refused; set V('') first, then the new attribute an hour later.
    type: str
  deletion_protection:
    description:
      - Whether the table is protected against deletion.
      - When unset, deletion protection is left as it is (off on a new table).
    type: bool
  stream:
    description:
      - View type of the DynamoDB stream of the table, or V(DISABLED) for no stream.
      - When unset, the stream is left as it is (none on a new table).
      - A different view type disables the stream and enables a new one, with a new stream ARN.
    type: str
    choices: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY, DISABLED]
  global_secondary_indexes:
    description:
      - The complete list of global secondary indexes of the table.
      - When unset, indexes are left as they are. When set (even to V([])), indexes not listed are deleted and new
        ones are created, one at a time.
      - The keys and projection of an existing index cannot change; give a changed index a new name, so that the new
        index is created and the old one deleted.
      - With O(billing_mode=PROVISIONED), an index without capacities of its own gets the capacities of the table.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the index, 3 to 255 letters, digits, V(_), V(-) or V(.).
        type: str
        required: true
      hash_key_name:
        description:
          - Name of the partition (hash) key attribute of the index.
        type: str
        required: true
      hash_key_type:
        description:
          - Type of the hash key attribute of the index.
        type: str
        choices: [STRING, NUMBER, BINARY]
        default: STRING
      range_key_name:
        description:
          - Name of the sort (range) key attribute of the index.
        type: str
      range_key_type:
        description:
          - Type of the range key attribute of the index. Needs O(global_secondary_indexes[].range_key_name);
            V(STRING) when unset.
        type: str
        choices: [STRING, NUMBER, BINARY]
      projection:
        description:
          - Attributes copied into the index.
        type: str
        choices: [ALL, KEYS_ONLY, INCLUDE]
        default: ALL
      non_key_attributes:
        description:
          - Attributes copied into the index besides the keys. Required with V(INCLUDE), not allowed otherwise.
        type: list
        elements: str
      read_capacity:
        description:
          - Read capacity units of the index, only with O(billing_mode=PROVISIONED). Defaults to O(read_capacity).
        type: int
      write_capacity:
        description:
          - Write capacity units of the index, only with O(billing_mode=PROVISIONED). Defaults to O(write_capacity).
        type: int
  wait:
    description:
      - Whether to wait, after the last change, until the table and its indexes are active, or until a deleted table
        is gone.
      - Between two changes AWS needs the table to be active, so the module always waits there, and after creating
        a table that still needs point-in-time recovery or TTL enabled.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait each time the module waits.
    type: int
    default: 600
attributes:
  check_mode:
    description: Reports what would change, and fails where the real run would fail, without calling any API that
      creates, updates, tags or deletes.
    support: full
  diff_mode:
    description: Returns the table before and after the change in normalised form (the fields compared, with tags as
      a dictionary and indexes by name).
    support: full
notes:
  - Options that mean "leave alone" when unset are O(ttl_attribute), O(deletion_protection), O(stream),
    O(global_secondary_indexes) and O(tags). O(sse_kms_key_id) and O(point_in_time_recovery) are always enforced.
  - Deleting a table with deletion protection is refused rather than forced, so that removing protection is a
    visible change of its own.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Sessions table, on demand, encrypted with our KMS key, items expiring, protected
  envops.aws.dynamodb_table:
    name: envops-prod-sessions
    hash_key_name: session_id
    ttl_attribute: expires_at
    sse_kms_key_id: alias/envops-prod-data
    deletion_protection: true
    tags:
      environment: prod

- name: Orders table with a sort key, provisioned capacity, a stream and two indexes
  envops.aws.dynamodb_table:
    name: envops-prod-orders
    hash_key_name: customer_id
    range_key_name: ordered_at
    range_key_type: NUMBER
    billing_mode: PROVISIONED
    read_capacity: 10
    write_capacity: 5
    stream: NEW_AND_OLD_IMAGES
    global_secondary_indexes:
      - name: by-status
        hash_key_name: status
        range_key_name: ordered_at
        range_key_type: NUMBER
        projection: KEYS_ONLY
      - name: by-sku
        hash_key_name: sku
        projection: INCLUDE
        non_key_attributes: [quantity, price]
        read_capacity: 2
        write_capacity: 2

- name: Stop expiring items
  envops.aws.dynamodb_table:
    name: envops-prod-sessions
    hash_key_name: session_id
    sse_kms_key_id: alias/envops-prod-data
    ttl_attribute: ""

- name: Delete a table (deletion protection must be off)
  envops.aws.dynamodb_table:
    name: envops-dev-scratch
    state: absent
"""

RETURN = r"""
table:
  description:
    - The table as AWS describes it (DescribeTable in snake_case), with its point-in-time recovery, encryption, TTL
      and tags.
    - Empty when O(state=absent), and in check mode when the table would be created.
    - In check mode, the table as it is before the change.
  returned: always
  type: dict
  contains:
    table_name:
      description: Name of the table.
      returned: when the table exists
      type: str
      sample: envops-prod-sessions
    table_arn:
      description: ARN of the table.
      returned: when the table exists
      type: str
      sample: arn:aws:dynamodb:me-south-1:123456789012:table/envops-prod-sessions
    table_status:
      description: Status of the table.
      returned: when the table exists
      type: str
      sample: ACTIVE
    key_schema:
      description: Hash and range key of the table.
      returned: when the table exists
      type: list
      elements: dict
      sample: [{"attribute_name": "session_id", "key_type": "HASH"}]
    attribute_definitions:
      description: Types of the key attributes of the table and its indexes.
      returned: when the table exists
      type: list
      elements: dict
      sample: [{"attribute_name": "session_id", "attribute_type": "S"}]
    billing_mode:
      description: Billing mode, also for provisioned tables AWS describes without a billing mode summary.
      returned: when the table exists
      type: str
      sample: PAY_PER_REQUEST
    provisioned_throughput:
      description: Capacity of the table (zero for on-demand tables).
      returned: when the table exists
      type: dict
      sample: {"read_capacity_units": 0, "write_capacity_units": 0, "number_of_decreases_today": 0}
    global_secondary_indexes:
      description: Global secondary indexes with their keys, projection, status and capacity.
      returned: when the table has global secondary indexes
      type: list
      elements: dict
    local_secondary_indexes:
      description: Local secondary indexes (not managed by this module).
      returned: when the table has local secondary indexes
      type: list
      elements: dict
    stream_specification:
      description: Whether the stream is enabled and its view type.
      returned: when the table has or had a stream
      type: dict
      sample: {"stream_enabled": true, "stream_view_type": "NEW_AND_OLD_IMAGES"}
    latest_stream_arn:
      description: ARN of the latest stream of the table.
      returned: when the table has or had a stream
      type: str
    deletion_protection_enabled:
      description: Whether the table is protected against deletion.
      returned: when the table exists
      type: bool
      sample: true
    creation_date_time:
      description: When the table was created.
      returned: when the table exists
      type: str
      sample: "2026-11-23T10:20:31.346000+00:00"
    point_in_time_recovery:
      description: Point-in-time recovery of the table.
      returned: when the table exists
      type: dict
      contains:
        enabled:
          description: Whether point-in-time recovery is enabled (or being enabled).
          type: bool
          sample: true
        point_in_time_recovery_status:
          description: Status reported by AWS.
          type: str
          sample: ENABLED
        earliest_restorable_date_time:
          description: Earliest point in time the table can be restored to.
          type: str
          returned: when point-in-time recovery is enabled
        latest_restorable_date_time:
          description: Latest point in time the table can be restored to.
          type: str
          returned: when point-in-time recovery is enabled
    sse:
      description: Encryption at rest of the table.
      returned: when the table exists
      type: dict
      contains:
        aws_owned_key:
          description: Whether the table is encrypted with the AWS owned key (then AWS reports nothing else).
          type: bool
          sample: false
        kms_master_key_arn:
          description: ARN of the KMS key.
          type: str
          returned: when a KMS key encrypts the table
          sample: arn:aws:kms:me-south-1:123456789012:key/0b5c3e2a-4f6d-4c1b-9a55-2f1d3c4b5a6e
        sse_type:
          description: Type of encryption.
          type: str
          returned: when a KMS key encrypts the table
          sample: KMS
        status:
          description: Status of the encryption.
          type: str
          returned: when a KMS key encrypts the table
          sample: ENABLED
    ttl:
      description: Time to live of the items of the table.
      returned: when the table exists
      type: dict
      contains:
        enabled:
          description: Whether TTL is enabled (or being enabled).
          type: bool
          sample: true
        attribute_name:
          description: Attribute holding the expiry time.
          type: str
          returned: when TTL is or was enabled
          sample: expires_at
        time_to_live_status:
          description: Status reported by AWS.
          type: str
          sample: ENABLED
    tags:
      description: Tags of the table.
      returned: when the table exists
      type: dict
      sample: {"environment": "prod"}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import dynamodb

KEY_TYPE_CHOICES = ["STRING", "NUMBER", "BINARY"]


def _timestamps_as_text(value):
    if isinstance(value, dict):
        return {key: _timestamps_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_timestamps_as_text(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _snake(description):
    """camel_dict_to_snake_dict, with timestamps (at any depth) as ISO 8601 strings."""
    return _timestamps_as_text(camel_dict_to_snake_dict(description or {}))


def format_table(current):
    if not current:
        return {}
    table = current["table"]
    result = _snake({key: value for key, value in table.items() if key != "SSEDescription"})
    result["billing_mode"] = dynamodb.billing_mode_of(table)

    pitr = (current.get("continuous_backups") or {}).get("PointInTimeRecoveryDescription") or {}
    result["point_in_time_recovery"] = dict(
        _snake(pitr), enabled=pitr.get("PointInTimeRecoveryStatus") in dynamodb.PITR_ON
    )
    sse = table.get("SSEDescription") or {}
    result["sse"] = dict(_snake(sse), aws_owned_key=dynamodb.sse_key_of(table) is None)
    ttl = current.get("time_to_live") or {}
    result["ttl"] = dict(_snake(ttl), enabled=ttl.get("TimeToLiveStatus") in dynamodb.TTL_ON)
    result["tags"] = dict(current.get("tags") or {})
    return result


def exit_with(module, changed, current, before, after):
    result = dict(changed=changed, table=format_table(current))
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


def wait_active(client, module):
    dynamodb.wait_table_active(client, module.params["name"], module.params["wait_timeout"])


def apply_steps(client, module, steps):
    """Run the planned calls in order; UpdateTable needs an active table before the next call."""
    for position, (operation, params) in enumerate(steps):
        dynamodb.MUTATIONS[operation](client, **params)
        last = position == len(steps) - 1
        if operation == "update_table" and (not last or module.params["wait"]):
            wait_active(client, module)


def update_tags(client, table_arn, before, after):
    tags_to_set, keys_to_unset = dynamodb.tag_changes(before, after)
    if keys_to_unset:
        dynamodb.untag_table(client, table_arn, keys_to_unset)
    if tags_to_set:
        dynamodb.tag_table(client, table_arn, tags_to_set)


def ensure_present(client, module, current, kms_key_arn):
    name = module.params["name"]
    if current and current["table"].get("TableStatus") == "DELETING":
        module.fail_json(msg=f"Table {name} is being deleted; run again once it is gone to create it anew.")
    if current and not module.check_mode and not dynamodb.is_settled(current["table"]):
        # A table or index still being created or updated: AWS refuses further updates until it is active.
        wait_active(client, module)
        current = dynamodb.describe_table_full(client, name)

    before = dynamodb.normalise_table(current) if current else {}
    after = dynamodb.normalise_params(module.params, before, kms_key_arn)
    refused = dynamodb.refused_changes(before, after)
    if refused:
        module.fail_json(msg=dynamodb.refusal_message(name, refused), diff=dict(before=before, after=after))
    changed_fields = dynamodb.differing_fields(before, after)

    if not changed_fields or module.check_mode:
        exit_with(module, bool(changed_fields), current, before, after)

    if current:
        apply_steps(client, module, dynamodb.plan_update(before, after))
        update_tags(client, current["table"]["TableArn"], before, after)
    else:
        dynamodb.create_table(client, **dynamodb.create_table_params(after))
        steps = dynamodb.plan_update(dynamodb.created_state(after), after)
        # PITR and TTL need an active table.
        if steps or module.params["wait"]:
            wait_active(client, module)
        apply_steps(client, module, steps)

    final = dynamodb.describe_table_full(client, name)
    warn_unapplied(module, final, after)
    exit_with(module, True, final, before, after)


def warn_unapplied(module, final, after):
    """Say so when AWS accepted a change but does not report it (tags are left out: AWS lists them late)."""
    if not final:
        return
    reported = dynamodb.normalise_table(final)
    unapplied = [field for field in dynamodb.differing_fields(reported, after) if field != "tags"]
    if unapplied:
        details = ", ".join(f"{field} {reported.get(field)!r} (wanted {after.get(field)!r})" for field in unapplied)
        module.warn(f"After the change, AWS reports {details}; the next run will try again.")


def ensure_absent(client, module, current):
    if not current:
        exit_with(module, False, None, {}, {})
    name = module.params["name"]
    before = dynamodb.normalise_table(current)
    if current["table"].get("TableStatus") == "DELETING":
        if module.params["wait"] and not module.check_mode:
            dynamodb.wait_table_deleted(client, name, module.params["wait_timeout"])
        exit_with(module, False, None, before, {})
    if before["deletion_protection"]:
        module.fail_json(
            msg=f"Table {name} has deletion protection enabled and was not deleted. To delete it, first run with"
            " state=present and deletion_protection=false, then with state=absent."
        )
    changed = True
    if not module.check_mode:
        changed = dynamodb.delete_table(client, name)
        if changed and module.params["wait"]:
            dynamodb.wait_table_deleted(client, name, module.params["wait_timeout"])
    exit_with(module, changed, None, before, {})


def main():
    index_options = dict(
        name=dict(type="str", required=True),
        hash_key_name=dict(type="str", required=True),
        hash_key_type=dict(type="str", choices=KEY_TYPE_CHOICES, default="STRING"),
        range_key_name=dict(type="str"),
        range_key_type=dict(type="str", choices=KEY_TYPE_CHOICES),
        projection=dict(type="str", choices=list(dynamodb.PROJECTIONS), default="ALL"),
        non_key_attributes=dict(type="list", elements="str", no_log=False),
        read_capacity=dict(type="int"),
        write_capacity=dict(type="int"),
    )
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        hash_key_name=dict(type="str"),
        hash_key_type=dict(type="str", choices=KEY_TYPE_CHOICES, default="STRING"),
        range_key_name=dict(type="str"),
        range_key_type=dict(type="str", choices=KEY_TYPE_CHOICES),
        billing_mode=dict(type="str", choices=[dynamodb.PAY_PER_REQUEST, dynamodb.PROVISIONED], default="PAY_PER_REQUEST"),
        read_capacity=dict(type="int"),
        write_capacity=dict(type="int"),
        point_in_time_recovery=dict(type="bool", default=True),
        sse_kms_key_id=dict(type="str"),
        ttl_attribute=dict(type="str"),
        deletion_protection=dict(type="bool"),
        stream=dict(type="str", choices=list(dynamodb.STREAM_VIEW_TYPES) + [dynamodb.STREAM_DISABLED]),
        global_secondary_indexes=dict(type="list", elements="dict", options=index_options),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["hash_key_name"])],
        supports_check_mode=True,
    )

    problems = dynamodb.validate_params(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))

    client = module.client("dynamodb")
    try:
        current = dynamodb.describe_table_full(client, module.params["name"])
        if module.params["state"] == "absent":
            ensure_absent(client, module, current)
        key = module.params["sse_kms_key_id"]
        kms_key_arn = None
        if key:
            kms_key_arn = dynamodb.resolve_kms_key(module.client("kms"), key)
            if kms_key_arn is None and not module.check_mode:
                module.fail_json(msg=f"KMS key {key!r} (sse_kms_key_id) does not exist in this account and region.")
            if kms_key_arn is None:
                # In check mode the key may be one an earlier task would have created.
                module.warn(f"KMS key {key!r} (sse_kms_key_id) does not exist yet; check mode compares it as given.")
                kms_key_arn = key
        ensure_present(client, module, current, kms_key_arn)
    except dynamodb.AnsibleDynamoDBError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
