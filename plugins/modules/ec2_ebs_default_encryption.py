#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_ebs_default_encryption
version_added: 0.1.0
short_description: Keep EBS encryption by default and its KMS key in one region of an account
description:
  - Turns EBS encryption by default on (or off) in the module's region, and sets the KMS key every new volume
    of the region is encrypted with. Both are regional settings of the account.
author:
  - envops maintainers (@envops)
options:
  encryption_by_default:
    description: Whether new EBS volumes and snapshot copies of the region are always encrypted.
    type: bool
    default: true
  kms_key_id:
    description:
      - ARN of the KMS key new volumes get, or V(alias/aws/ebs) for the AWS managed key.
      - Unset leaves the default key as it is.
    type: str
attributes:
  check_mode:
    description: Reads both settings and reports the change without calling Enable/DisableEbsEncryptionByDefault
      or Modify/ResetEbsDefaultKmsKeyId.
    support: full
  diff_mode:
    description: Returns both settings before and after.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Every new volume of the region encrypted with the environment's data key
  envops.aws.ec2_ebs_default_encryption:
    region: eu-central-1
    kms_key_id: arn:aws:kms:eu-central-1:111111111111:key/0b4ab09d-9afc-4151-b355-f63952e91d94
"""

RETURN = r"""
ebs_default_encryption:
  description: The settings of the region after the run (in check mode, as they would be).
  returned: always
  type: dict
  contains:
    encryption_by_default:
      description: Whether new volumes are always encrypted.
      type: bool
      returned: always
      sample: true
    kms_key_id:
      description: The default KMS key of new volumes (V(alias/aws/ebs) for the AWS managed one).
      type: str
      returned: always
      sample: arn:aws:kms:eu-central-1:111111111111:key/0b4ab09d-9afc-4151-b355-f63952e91d94
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import ebs_default_encryption as ebs


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(encryption_by_default=dict(type="bool", default=True), kms_key_id=dict(type="str")),
        supports_check_mode=True,
    )
    problems = ebs.problems(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))
    client = module.client("ec2")
    try:
        before = ebs.read_settings(client)
        after = ebs.desired(module.params, before)
        differing = ebs.differing(before, after)
        if differing and not module.check_mode:
            # the key first: once encryption is on, no volume is created with a key that is about to change
            if "kms_key_id" in differing:
                ebs.set_key(client, after["kms_key_id"])
            if "encryption_by_default" in differing:
                ebs.set_encryption(client, after["encryption_by_default"])
            after = ebs.read_settings(client)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    result = dict(changed=bool(differing), ebs_default_encryption=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
