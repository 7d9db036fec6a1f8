#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: sns_topic_encryption
version_added: 0.1.0
short_description: Keep the KMS key an SNS topic encrypts its messages with
description:
  - Sets the topic attribute C(KmsMasterKeyId) of an existing SNS topic (server-side encryption), which
    community.aws.sns_topic does not manage. The publishers (CloudWatch, EventBridge, Budgets) need
    C(kms:GenerateDataKey*) and C(kms:Decrypt) on the key.
author:
  - envops maintainers (@envops)
options:
  topic_arn:
    description: ARN of the topic.
    type: str
    required: true
  kms_key_id:
    description: Key ARN, alias ARN or C(alias/<name>); empty turns encryption off.
    type: str
    required: true
attributes:
  check_mode:
    description: Reads the attribute and reports the change without calling SetTopicAttributes.
    support: full
  diff_mode:
    description: Returns the key before and after.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: The P1 topic of prod encrypted with the environment's logs key
  envops.aws.sns_topic_encryption:
    topic_arn: arn:aws:sns:eu-central-1:111111111111:envops-prod-p1-critical
    kms_key_id: arn:aws:kms:eu-central-1:111111111111:key/0b4ab09d-9afc-4151-b355-f63952e91d94
"""

RETURN = r"""
kms_key_id:
  description: The key of the topic after the run (in check mode, as it would be).
  returned: always
  type: str
  sample: arn:aws:kms:eu-central-1:111111111111:key/0b4ab09d-9afc-4151-b355-f63952e91d94
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import sns_topic_encryption as encryption


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(topic_arn=dict(type="str", required=True), kms_key_id=dict(type="str", required=True,
                                                                                      no_log=False)),
        supports_check_mode=True,
    )
    problems = encryption.problems(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))
    wanted = module.params["kms_key_id"]
    client = module.client("sns")
    try:
        before = encryption.read_key(client, module.params["topic_arn"])
        changed = before != wanted
        if changed and not module.check_mode:
            encryption.set_key(client, module.params["topic_arn"], wanted)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    result = dict(changed=changed, kms_key_id=wanted)
    if module._diff:
        result["diff"] = dict(before=dict(kms_key_id=before), after=dict(kms_key_id=wanted))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
