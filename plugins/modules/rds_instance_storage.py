#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_instance_storage
version_added: 0.1.0
short_description: Manage the storage of an existing RDS DB instance
description:
  - Sets the storage type, size, provisioned IOPS, gp3 throughput and storage autoscaling ceiling of an RDS DB
    instance that already exists, for example one created by M(amazon.aws.rds_instance), whose O(storage_type)
    choices lack V(io2).
  - Compares the normalised storage of the instance with the wanted one and, when they differ, makes one
    ModifyDBInstance call with the fields that change. A change AWS has pending (in PendingModifiedValues) counts as
    made and is not requested again.
  - Options left unset (O(allocated_storage), O(iops) for V(gp3), O(storage_throughput), O(max_allocated_storage))
    keep their current value.
  - All checks that need no AWS call are made before any call; the checks against the instance (no shrinking, the
    10% steps AWS requires) are made before any change.
author:
  - envops maintainers (@envops)
options:
  db_instance_identifier:
    description:
      - Identifier of the DB instance, which must exist.
    type: str
    required: true
  storage_type:
    description:
      - Storage type of the DB instance.
      - V(io1) and V(io2) are provisioned IOPS SSD and require O(iops).
      - V(gp3) takes O(iops) and O(storage_throughput), both optional. Below the striping threshold of the engine
        (400 GiB for MariaDB, MySQL and PostgreSQL, 200 GiB for Oracle), AWS fixes gp3 at 3,000 IOPS and 125 MiB/s
        and refuses explicit values; the module accepts exactly these values there and never sends them.
      - V(gp2) and V(standard) (magnetic) take neither O(iops) nor O(storage_throughput).
    type: str
    required: true
    choices: [gp2, gp3, io1, io2, standard]
  allocated_storage:
    description:
      - Allocated storage, in GiB.
      - AWS cannot shrink storage, so a value below the current one fails, naming both.
      - For Db2, MariaDB, MySQL, Oracle and PostgreSQL, an increase must be at least 10%, or AWS would round it up
        silently; a smaller increase fails before any change.
      - Unset keeps the current size.
    type: int
  iops:
    description:
      - Provisioned IOPS. Required for V(io1) and V(io2), optional for V(gp3), not allowed for V(gp2) and
        V(standard).
      - AWS checks the range and the ratio to the allocated storage for the engine and storage type.
    type: int
  storage_throughput:
    description:
      - Storage throughput in MiB/s, for V(gp3) only.
      - Unset keeps the current throughput (AWS chooses it for a DB instance that changes to V(gp3)).
    type: int
  max_allocated_storage:
    description:
      - Ceiling of storage autoscaling, in GiB; setting it turns storage autoscaling on.
      - Must be at least 10% more than the allocated storage, as AWS requires.
      - Unset keeps the current setting.
    type: int
  apply_immediately:
    description:
      - Apply the change now rather than in the next maintenance window of the DB instance.
      - With V(false), AWS keeps the change pending; the module counts it as made and does not request it again.
      - With V(true), AWS also applies every other modification pending for the DB instance, not only storage.
    type: bool
    default: true
  wait:
    description:
      - After a change, wait until AWS has applied it (no storage change pending) and the DB instance is
        V(available) or V(storage-optimization).
      - V(storage-optimization) counts as done because it can last more than a day while the DB instance is fully
        operational on its new storage.
      - Not done with O(apply_immediately=false), because the change waits for the maintenance window.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait.
    type: int
    default: 1800
attributes:
  check_mode:
    description: Reads the DB instance, makes every check and reports what would change, without calling
      ModifyDBInstance.
    support: full
  diff_mode:
    description: Returns the storage before and after the change, both normalised (the fields of RV(storage)).
    support: full
notes:
  - After a storage change, AWS refuses the next one for six hours or until storage optimization completes,
    whichever is longer. The module then fails with the error of AWS.
  - Changing between magnetic (V(standard)) and SSD storage makes AWS reboot the DB instance.
  - The module does not turn storage autoscaling off.
  - DB instances of Aurora and Multi-AZ DB clusters are refused, their storage belongs to the cluster.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Create the database without storage settings (amazon.aws.rds_instance does not accept io2)
  amazon.aws.rds_instance:
    db_instance_identifier: orders
    engine: postgres
    db_instance_class: db.m6i.large
    allocated_storage: 200
    username: orders_admin
    password: "{{ orders_admin_password }}"
    storage_encrypted: true

- name: Provisioned IOPS io2 storage for prod, autoscaling up to 1 TiB
  envops.aws.rds_instance_storage:
    db_instance_identifier: orders
    storage_type: io2
    allocated_storage: 200
    iops: 3000
    max_allocated_storage: 1024

- name: gp3 storage for dev, with the IOPS and throughput AWS chooses
  envops.aws.rds_instance_storage:
    db_instance_identifier: orders-dev
    storage_type: gp3

- name: gp3 with provisioned IOPS and throughput (400 GiB or more for PostgreSQL)
  envops.aws.rds_instance_storage:
    db_instance_identifier: reporting
    storage_type: gp3
    allocated_storage: 500
    iops: 12000
    storage_throughput: 750

- name: Grow the storage in the next maintenance window
  envops.aws.rds_instance_storage:
    db_instance_identifier: orders
    storage_type: io2
    allocated_storage: 300
    iops: 3000
    apply_immediately: false
"""

RETURN = r"""
storage:
  description:
    - The storage of the DB instance, normalised, after the change (before it in check mode).
    - Values AWS has pending are shown as the DB instance will have them.
  returned: always
  type: dict
  contains:
    storage_type:
      description: Storage type.
      returned: always
      type: str
      sample: io2
    allocated_storage:
      description: Allocated storage, in GiB.
      returned: always
      type: int
      sample: 200
    iops:
      description:
        - Provisioned IOPS; null for V(gp2) and V(standard).
        - 3000 for V(gp3) below the engine's threshold.
      returned: always
      type: int
      sample: 3000
    storage_throughput:
      description:
        - Storage throughput in MiB/s; null for every type but V(gp3).
        - 125 for V(gp3) below the engine's threshold.
      returned: always
      type: int
      sample: 125
    max_allocated_storage:
      description: Ceiling of storage autoscaling, in GiB; null while storage autoscaling is off.
      returned: always
      type: int
      sample: 1024
pending:
  description:
    - The storage fields of RV(storage) that AWS has not applied yet (its PendingModifiedValues), for example after
      O(apply_immediately=false) or O(wait=false).
  returned: always
  type: list
  elements: str
  sample: [allocated_storage]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.rds import AnsibleRDSError

from ansible_collections.envops.aws.plugins.module_utils import rds_storage


def exit_with(module, changed, instance, before, after):
    result = dict(
        changed=changed,
        storage=rds_storage.normalise_instance(instance),
        pending=rds_storage.pending_fields(instance),
    )
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


def ensure_storage(client, module, instance):
    identifier = module.params["db_instance_identifier"]
    if not instance:
        module.fail_json(msg=f"DB instance {identifier} not found in {module.region}.")
    problems = rds_storage.validate_instance(instance, module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))

    engine = instance.get("Engine")
    before = rds_storage.normalise_instance(instance)
    after = rds_storage.desired_state(module.params, before, engine)
    request = rds_storage.modify_params(identifier, before, after, engine, module.params["apply_immediately"])

    if not request or module.check_mode:
        exit_with(module, bool(request), instance, before, after if request else before)

    rds_storage.modify_db_instance(client, **request)
    if module.params["wait"] and module.params["apply_immediately"]:
        rds_storage.wait_storage_applied(client, identifier, module.params["wait_timeout"])
    exit_with(module, True, rds_storage.describe_db_instance(client, identifier) or instance, before, after)


def main():
    argument_spec = dict(
        db_instance_identifier=dict(type="str", required=True),
        storage_type=dict(type="str", required=True, choices=list(rds_storage.STORAGE_TYPES)),
        allocated_storage=dict(type="int"),
        iops=dict(type="int"),
        storage_throughput=dict(type="int"),
        max_allocated_storage=dict(type="int"),
        apply_immediately=dict(type="bool", default=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)

    problems = rds_storage.validate_params(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))

    client = module.client("rds")
    try:
        instance = rds_storage.describe_db_instance(client, module.params["db_instance_identifier"])
        ensure_storage(client, module, instance)
    except AnsibleRDSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
