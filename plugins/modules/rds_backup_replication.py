#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_backup_replication
version_added: 0.1.0
short_description: Replicate the automated backups of an RDS DB instance to another Region
description:
  - Starts and stops the cross-Region replication of the automated backups (snapshots and transaction logs) of one
    RDS DB instance, for disaster recovery in another Region.
  - The module runs against the destination Region, O(region), as the RDS API requires. It also reads the source
    DB instance in the Region of O(source_db_instance_arn), with the same credentials.
  - AWS cannot modify a replication. When the retention period or the KMS key differ, the module stops the
    replication and starts it again. The backups already replicated are kept, AWS marks them V(retained) and
    deletes them after the retention period they were replicated with.
  - All checks that need no AWS call (ARN formats, the key in the destination Region, the retention range) are made
    before any call; the source's encryption and backup settings are checked before any change.
author:
  - envops maintainers (@envops)
options:
  source_db_instance_arn:
    description:
      - ARN of the DB instance whose automated backups are replicated, for example
        V(arn:aws:rds:me-south-1:123456789012:db:orders).
      - Its Region must differ from O(region).
    type: str
    required: true
  kms_key_id:
    description:
      - ARN of the KMS key in the destination Region (O(region)) that encrypts the replicated backups, for example
        V(arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789).
      - Required when the source DB instance is encrypted, not allowed when it is not.
      - A key ARN, not a key id or an alias, because AWS reports the key ARN and the module compares them.
    type: str
  backup_retention_period:
    description:
      - Days the replicated backups are kept in the destination Region, from 1 to 35.
      - Independent of the retention period of the source DB instance.
    type: int
    default: 7
  state:
    description:
      - Whether the automated backups of the source should be replicated to O(region).
      - V(absent) stops the replication. The backups already replicated stay, as retained automated backups.
    type: str
    choices: [present, absent]
    default: present
  wait:
    description:
      - Wait until a started replication leaves the V(pending) status, and a stopped one is no longer listed by
        the source DB instance.
      - When a replication is replaced, the module always waits for the stop before starting again, because AWS
        refuses to start a replication of a source that is still replicating.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait, for each wait.
    type: int
    default: 1800
attributes:
  check_mode:
    description: Reads the source DB instance and the replicated backups and reports what would change, without
      starting or stopping a replication.
    support: full
  diff_mode:
    description: Returns the replication before and after the change, both in normalised form (source ARN,
      destination Region, retention period, KMS key ARN).
    support: full
notes:
  - The RDS API has no call to modify a replication, so changing O(backup_retention_period) or O(kms_key_id) stops
    the replication and starts it again; AWS then replicates the next backups under the new settings.
  - AWS documents that re-enabling a replication with a new KMS key may require deleting the replicated backups
    encrypted with the previous key first. This module never deletes backups.
  - When the source DB instance does not exist, O(state=absent) reports no change (there is nothing AWS can stop).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Replicate the backups of the prod database to the DR Region for 14 days
  envops.aws.rds_backup_replication:
    region: eu-central-1
    source_db_instance_arn: arn:aws:rds:me-south-1:123456789012:db:orders
    kms_key_id: arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789
    backup_retention_period: 14

- name: Replicate the backups of an unencrypted instance, without waiting
  envops.aws.rds_backup_replication:
    region: eu-central-1
    source_db_instance_arn: arn:aws:rds:me-south-1:123456789012:db:reporting
    wait: false

- name: Stop the replication (the backups already replicated are kept)
  envops.aws.rds_backup_replication:
    region: eu-central-1
    source_db_instance_arn: arn:aws:rds:me-south-1:123456789012:db:orders
    state: absent
"""

RETURN = r"""
automated_backup:
  description:
    - The replicated automated backup in the destination Region, as AWS describes it.
    - Empty when O(state=absent), and in check mode when the replication would be started.
    - In check mode, the replicated backup as it is before the change.
  returned: always
  type: dict
  contains:
    db_instance_automated_backups_arn:
      description: ARN of the replicated backups in the destination Region.
      returned: when replicating
      type: str
      sample: arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-2bqx3rqkvadxwjdnzjqvrhxyzq
    db_instance_arn:
      description: ARN of the source DB instance.
      returned: when replicating
      type: str
      sample: arn:aws:rds:me-south-1:123456789012:db:orders
    db_instance_identifier:
      description: Identifier of the source DB instance.
      returned: when replicating
      type: str
      sample: orders
    dbi_resource_id:
      description: Resource ID of the source DB instance.
      returned: when replicating
      type: str
      sample: db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U
    region:
      description: Region of the source DB instance.
      returned: when replicating
      type: str
      sample: me-south-1
    status:
      description: V(pending) until the first backups are copied, then V(replicating).
      returned: when replicating
      type: str
      sample: replicating
    backup_retention_period:
      description: Days the replicated backups are kept.
      returned: when replicating
      type: int
      sample: 14
    encrypted:
      description: Whether the replicated backups are encrypted.
      returned: when replicating
      type: bool
      sample: true
    kms_key_id:
      description: KMS key of the replicated backups, in the destination Region.
      returned: when the source is encrypted
      type: str
      sample: arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789
    engine:
      description: Engine of the source DB instance.
      returned: when replicating
      type: str
      sample: postgres
    engine_version:
      description: Engine version of the source DB instance.
      returned: when replicating
      type: str
      sample: "16.4"
    allocated_storage:
      description: Allocated storage of the source DB instance, in GiB.
      returned: when replicating
      type: int
      sample: 100
    instance_create_time:
      description: When the source DB instance was created.
      returned: when replicating
      type: str
      sample: "2026-11-23T09:26:58+00:00"
    restore_window:
      description: Earliest and latest time the replicated backups can restore to; empty until the first copy.
      returned: when replicating
      type: dict
      sample: {"earliest_time": "2026-11-23T09:40:00+00:00", "latest_time": "2026-11-23T10:05:00+00:00"}
    tags:
      description: Tags of the replicated backups.
      returned: when replicating
      type: dict
      sample: {}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.rds import AnsibleRDSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.envops.aws.plugins.module_utils import rds_backup_replication as replication


def find_replication(client, module, source):
    """The active replicated backup of the source in the destination Region (DescribeDBInstanceAutomatedBackups
    item), or None."""
    if not source:
        return None
    source_arn = module.params["source_db_instance_arn"]
    backups = replication.describe_automated_backups(client, DbiResourceId=source["DbiResourceId"])
    matches = replication.matching_replications(backups, source_arn)
    if len(matches) > 1:
        # AWS replicates a source once per Region; refuse rather than stop the wrong one.
        arns = ", ".join(match["DBInstanceAutomatedBackupsArn"] for match in matches)
        module.fail_json(msg=f"{len(matches)} replications of {source_arn} in {module.region} ({arns}).")
    return matches[0] if matches else None


def format_backup(backup):
    if not backup:
        return {}
    result = camel_dict_to_snake_dict({key: value for key, value in backup.items() if key != "TagList"})
    result["tags"] = boto3_tag_list_to_ansible_dict(backup.get("TagList") or [])
    return result


def exit_with(module, changed, backup, before, after):
    result = dict(changed=changed, automated_backup=backup)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


def stop(client, source_client, module, backup, wait):
    """Stop the replication, and wait until the source no longer lists it; False if it was not replicating."""
    source_arn = module.params["source_db_instance_arn"]
    stopped = replication.stop_replication(client, source_arn)
    if stopped and wait:
        replication.wait_stopped(
            source_client, source_arn, backup["DBInstanceAutomatedBackupsArn"], module.params["wait_timeout"]
        )
    return stopped


def ensure_present(client, source_client, module, source, current):
    if not source:
        module.fail_json(msg=f"Source DB instance {module.params['source_db_instance_arn']} not found.")
    problems = replication.validate_source(source, module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))

    destination = module.region
    after = replication.normalise_params(module.params, destination)
    before = replication.normalise_backup(current, destination, after["kms_key_id"]) if current else {}
    changed_fields = replication.differing_fields(before, after)

    if not changed_fields or module.check_mode:
        exit_with(module, bool(changed_fields), format_backup(current), before, after)

    if current:
        # No API modifies a replication: stop it and let the stop complete, or AWS refuses the start.
        stop(client, source_client, module, current, wait=True)
    started = replication.start_replication(client, **replication.start_params(after))
    if module.params["wait"]:
        replication.wait_replicating(client, started["DBInstanceAutomatedBackupsArn"], module.params["wait_timeout"])

    exit_with(module, True, format_backup(find_replication(client, module, source) or started), before, after)


def ensure_absent(client, source_client, module, current):
    if not current:
        exit_with(module, False, {}, {}, {})
    before = replication.normalise_backup(current, module.region, module.params["kms_key_id"])
    changed = True
    if not module.check_mode:
        changed = stop(client, source_client, module, current, module.params["wait"])
    exit_with(module, changed, {}, before, {})


def main():
    argument_spec = dict(
        source_db_instance_arn=dict(type="str", required=True),
        kms_key_id=dict(type="str"),
        backup_retention_period=dict(type="int", default=replication.DEFAULT_BACKUP_RETENTION_PERIOD),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    problems = replication.validate_params(module.params, module.region)
    if problems:
        module.fail_json(msg=" ".join(problems))

    source_arn = module.params["source_db_instance_arn"]
    client = module.client("rds")
    source_client = module.client("rds", region=replication.parse_source_arn(source_arn)["region"])
    try:
        source = replication.describe_db_instance(source_client, source_arn)
        current = find_replication(client, module, source)
        if module.params["state"] == "present":
            ensure_present(client, source_client, module, source, current)
        else:
            ensure_absent(client, source_client, module, current)
    except AnsibleRDSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
