#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: s3_bucket_replication
version_added: 0.1.0
short_description: Manage the replication configuration of an S3 bucket
description:
  - Sets or removes the replication configuration of an S3 bucket, typically to copy the objects of a critical
    bucket to a bucket in the disaster recovery region.
  - The module owns the whole replication configuration of O(bucket). PutBucketReplication replaces it as a whole,
    so rules that are not listed in O(rules) are removed.
  - Rules are written in the V2 schema (C(Filter), C(Priority) and C(DeleteMarkerReplication) on every rule).
    A configuration in the older V1 schema is rewritten.
  - The wanted and the current configuration are compared in a normalised form, so the defaults AWS fills in
    (priority 0, an empty filter, delete marker replication disabled, bucket ARNs for bucket names) do not count as
    changes.
  - Before changing anything, the module checks that versioning is enabled on the source bucket and on every
    destination bucket, and that each replica KMS key is in the region of its destination bucket. It fails naming
    every unmet precondition.
  - A destination bucket that the same credentials cannot read (typically a bucket of another account, see
    O(rules[].replica_owner_account)) is not checked. The module then warns that the check was skipped;
    AWS itself rejects a destination that does not exist or is not versioned.
author:
  - envops maintainers (@envops)
options:
  bucket:
    description:
      - Name of the source bucket.
    type: str
    required: true
  state:
    description:
      - Whether the bucket should have this replication configuration, or none at all.
      - V(absent) removes the whole replication configuration of O(bucket). Nothing happens when O(bucket) has none
        or does not exist.
    type: str
    choices: [present, absent]
    default: present
  role_arn:
    description:
      - ARN of the IAM role that S3 assumes to replicate objects.
      - Required when O(state=present).
    type: str
  rules:
    description:
      - Replication rules. Required and not empty when O(state=present).
      - Rule ids and priorities must be unique.
    type: list
    elements: dict
    suboptions:
      id:
        description:
          - Unique identifier of the rule, up to 255 characters.
        type: str
        required: true
      priority:
        description:
          - Which rule wins when several rules replicate the same object to the same destination; the higher wins.
          - When unset, the rule has priority V(0), the value AWS stores when none is given, so two rules cannot both
            leave it unset.
        type: int
      prefix:
        description:
          - Replicate only the objects whose key starts with this prefix. V('') replicates every object.
        type: str
        default: ''
      destination_bucket:
        description:
          - Name or ARN (V(arn:aws:s3:::bucket-name)) of the destination bucket. It must not be O(bucket).
        type: str
        required: true
      destination_kms_key_id:
        description:
          - ARN of the KMS key (or key alias) in the destination region that encrypts the replicas.
          - When set, objects encrypted with SSE-KMS are replicated too (C(SourceSelectionCriteria.SseKmsEncryptedObjects)
            enabled, C(EncryptionConfiguration.ReplicaKmsKeyID) set). When unset, SSE-KMS encrypted objects are not
            replicated.
          - O(role_arn) needs C(kms:Decrypt) on the source keys and C(kms:Encrypt) on this key.
        type: str
      storage_class:
        description:
          - Storage class of the replicas. When unset, a replica keeps the storage class of its source object.
        type: str
        choices: [STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, GLACIER_IR,
                  DEEP_ARCHIVE, OUTPOSTS]
      delete_marker_replication:
        description:
          - Whether delete markers are replicated, so that a delete in the source bucket hides the replica too.
        type: bool
        default: false
      replica_owner_account:
        description:
          - Account id that owns the destination bucket. When set, the replicas are owned by that account
            (C(AccessControlTranslation) owner C(Destination)).
        type: str
      status:
        description:
          - Whether the rule is applied.
        type: str
        choices: [Enabled, Disabled]
        default: Enabled
attributes:
  check_mode:
    description:
      - Reports what would change without calling PutBucketReplication or DeleteBucketReplication.
      - The preconditions are checked too, but an unmet one is reported as a warning rather than a failure, because an
        earlier task of the same check mode run (creating or versioning a bucket) did not really happen.
    support: full
  diff_mode:
    description: Returns the replication configuration before and after the change, both in normalised form.
    support: full
notes:
  - Settings this module does not manage (replication time control, replication metrics, tag filters, replica
    modification sync, existing object replication) are reported under C(unmanaged) of the rule that has them, and are
    removed when the configuration is rewritten.
  - The replication role needs permissions on both buckets (and KMS keys); the module does not check them. Objects
    that the role cannot replicate end with replication status C(FAILED).
  - Only objects written after the configuration is set are replicated. Existing objects need S3 Batch Replication.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Replicate a critical bucket, SSE-KMS objects included, to the DR region
  envops.aws.s3_bucket_replication:
    region: me-south-1
    bucket: envops-prod-documents
    role_arn: arn:aws:iam::123456789012:role/envops-prod-s3-replication
    rules:
      - id: dr
        destination_bucket: envops-prod-documents-dr
        destination_kms_key_id: arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
        storage_class: STANDARD_IA
        delete_marker_replication: true

- name: Two prefixes, to two destinations, one of them in another account
  envops.aws.s3_bucket_replication:
    region: me-south-1
    bucket: envops-prod-exports
    role_arn: arn:aws:iam::123456789012:role/envops-prod-s3-replication
    rules:
      - id: invoices-to-dr
        priority: 2
        prefix: invoices/
        destination_bucket: arn:aws:s3:::envops-prod-exports-dr
      - id: audit-to-archive
        priority: 1
        prefix: audit/
        destination_bucket: envops-audit-archive
        replica_owner_account: "210987654321"
        storage_class: GLACIER

- name: Stop replicating a bucket
  envops.aws.s3_bucket_replication:
    region: me-south-1
    bucket: envops-prod-documents
    state: absent
"""

RETURN = r"""
replication:
  description:
    - The replication configuration of O(bucket), normalised.
    - Empty when the bucket has none, and when O(state=absent).
    - In check mode, the configuration as it is before the change.
  returned: always
  type: dict
  contains:
    role_arn:
      description: IAM role that S3 assumes to replicate.
      returned: when the bucket has a replication configuration
      type: str
      sample: arn:aws:iam::123456789012:role/envops-prod-s3-replication
    rules:
      description: Rules, sorted by priority then id.
      returned: when the bucket has a replication configuration
      type: list
      elements: dict
      contains:
        id:
          description: Rule id.
          type: str
          sample: dr
        priority:
          description: Rule priority (V(0) when AWS reports none).
          type: int
          sample: 0
        status:
          description: V(Enabled) or V(Disabled).
          type: str
          sample: Enabled
        prefix:
          description: Key prefix of the replicated objects, V('') for all objects.
          type: str
          sample: ""
        destination_bucket:
          description: ARN of the destination bucket.
          type: str
          sample: arn:aws:s3:::envops-prod-documents-dr
        storage_class:
          description: Storage class of the replicas, null when they keep the class of the source object.
          type: str
          sample: STANDARD_IA
        delete_marker_replication:
          description: Whether delete markers are replicated.
          type: bool
          sample: true
        replicate_sse_kms_objects:
          description: Whether SSE-KMS encrypted objects are replicated (true exactly when a replica KMS key is set).
          type: bool
          sample: true
        destination_kms_key_id:
          description: KMS key that encrypts the replicas, null when none.
          type: str
          sample: arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
        replica_owner_account:
          description: Account that owns the replicas, null when the replicas keep the owner of the source object.
          type: str
          sample: null
        unmanaged:
          description:
            - Enabled settings of the rule that this module does not manage, as AWS reports them.
            - C(schema=V1) marks a rule in the older V1 schema.
          returned: when the rule has any
          type: dict
          sample: {"replication_time": {"Status": "Enabled", "Time": {"Minutes": 15}}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.s3 import AnsibleS3PermissionsError

from ansible_collections.envops.aws.plugins.module_utils import s3_replication


def exit_with(module, changed, replication, before, after):
    result = dict(changed=changed, replication=replication)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


def destination_problems(client, module, desired):
    """Unmet preconditions of the destination buckets; unreadable buckets are skipped with a warning."""
    problems = []
    for bucket, key_arns in s3_replication.destination_buckets(desired).items():
        try:
            status = s3_replication.get_bucket_versioning_status(client, bucket)
            problem = s3_replication.versioning_problem("destination", bucket, status)
            if problem:
                problems.append(problem)
                continue
            if key_arns:
                region = s3_replication.get_bucket_region(client, bucket)
                problems.extend(s3_replication.kms_region_problems(bucket, region, key_arns))
        except AnsibleS3PermissionsError:
            module.warn(
                f"Destination bucket {bucket!r} cannot be read with these credentials: its versioning"
                " (and the region of its replica KMS key) was not checked."
            )
    return problems


def report_problems(module, problems):
    """Fail on unmet preconditions; in check mode, warn instead (earlier tasks did not really run)."""
    if not problems:
        return
    msg = f"Cannot replicate bucket {module.params['bucket']!r}: " + " ".join(problems)
    if not module.check_mode:
        module.fail_json(msg=msg)
    module.warn(msg + " The change reported by check mode would fail unless earlier tasks fix this.")


def ensure_present(client, module):
    bucket = module.params["bucket"]
    desired = s3_replication.normalise_params(module.params)

    source_status = s3_replication.get_bucket_versioning_status(client, bucket)
    problems = []
    problem = s3_replication.versioning_problem("source", bucket, source_status)
    if problem:
        problems.append(problem)

    current = {}
    if source_status is not None:
        current = s3_replication.get_bucket_replication(client, bucket)
    before = s3_replication.normalise_configuration(current)
    problems.extend(destination_problems(client, module, desired))
    report_problems(module, problems)

    changed = bool(s3_replication.differing_fields(before, desired))
    if not changed or module.check_mode:
        exit_with(module, changed, before, before, desired)

    s3_replication.put_bucket_replication(client, bucket, s3_replication.replication_configuration(desired))
    after = s3_replication.normalise_configuration(s3_replication.get_bucket_replication(client, bucket))
    exit_with(module, True, after, before, desired)


def ensure_absent(client, module):
    bucket = module.params["bucket"]
    current = {}
    if s3_replication.get_bucket_versioning_status(client, bucket) is not None:
        current = s3_replication.get_bucket_replication(client, bucket)
    if not current:
        exit_with(module, False, {}, {}, {})
    before = s3_replication.normalise_configuration(current)
    changed = True
    if not module.check_mode:
        changed = s3_replication.delete_bucket_replication(client, bucket)
    exit_with(module, changed, {}, before, {})


def main():
    rule_spec = dict(
        id=dict(type="str", required=True),
        priority=dict(type="int"),
        prefix=dict(type="str", default=""),
        destination_bucket=dict(type="str", required=True),
        destination_kms_key_id=dict(type="str"),
        storage_class=dict(type="str", choices=s3_replication.STORAGE_CLASSES),
        delete_marker_replication=dict(type="bool", default=False),
        replica_owner_account=dict(type="str"),
        status=dict(type="str", choices=["Enabled", "Disabled"], default="Enabled"),
    )
    argument_spec = dict(
        bucket=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        role_arn=dict(type="str"),
        rules=dict(type="list", elements="dict", options=rule_spec),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[("state", "present", ["role_arn", "rules"])],
        supports_check_mode=True,
    )

    problems = s3_replication.validate_params(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))

    client = module.client("s3")
    try:
        if module.params["state"] == "present":
            ensure_present(client, module)
        else:
            ensure_absent(client, module)
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
