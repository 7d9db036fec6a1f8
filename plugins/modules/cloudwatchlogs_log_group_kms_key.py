#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudwatchlogs_log_group_kms_key
version_added: 0.1.0
short_description: Existing log groups under a name prefix encrypted with one KMS key
description:
  - Associates the KMS key with every existing log group whose name starts with O(log_group_name_prefix) and is
    not encrypted with it yet (AssociateKmsKey). New events of the group are encrypted with the key from then on.
  - Only the key changes; retention, tags, metric filters and subscriptions stay as they are. It creates no group.
  - amazon.aws.cloudwatchlogs_log_group gives a key only when it creates a group; this module encrypts groups
    created before their key existed.
  - The key policy must let the CloudWatch Logs service of the region use the key, or AWS refuses the association.
author:
  - envops maintainers (@envops)
options:
  log_group_name_prefix:
    description: The log groups concerned (end it with C(/) so C(/envops/prod/) leaves C(/envops/prod-eu/) alone).
    type: str
    required: true
  kms_key_arn:
    description: ARN of the KMS key (CloudWatch Logs takes no alias).
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
attributes:
  check_mode:
    description: Lists the log groups and reports those that would get the key, without calling AssociateKmsKey.
    support: full
  diff_mode:
    description: Each log group under the prefix with its key ARN before and after (null for none).
    support: full
"""

EXAMPLES = r"""
- name: Every log group of prod encrypted with its logs key
  envops.aws.cloudwatchlogs_log_group_kms_key:
    log_group_name_prefix: /envops/prod/
    kms_key_arn: arn:aws:kms:me-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
"""

RETURN = r"""
log_groups:
  description: Every log group under the prefix, name to its key ARN after the run (in check mode, as it would be).
  returned: always
  type: dict
  sample: {"/envops/prod/app": "arn:aws:kms:me-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
associated:
  description: The log groups that got the key (would get it, in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import log_group_keys


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            log_group_name_prefix=dict(type="str", required=True),
            kms_key_arn=dict(type="str", required=True, no_log=False),
        ),
        supports_check_mode=True,
    )
    prefix, key_arn = module.params["log_group_name_prefix"], module.params["kms_key_arn"]
    problems = log_group_keys.problems_of(prefix, key_arn)
    if problems:
        module.fail_json(msg="Log group KMS key: %s" % " ".join(problems))
    client = module.client("logs")
    try:
        before = log_group_keys.log_group_keys(client, prefix)
        to_change = log_group_keys.keys_to_change(before, key_arn)
        after = dict(before, **dict((name, key_arn) for name in to_change))
        if to_change and not module.check_mode:
            for name in to_change:
                log_group_keys.associate(client, name, key_arn)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    module.exit_json(changed=bool(to_change), log_groups=after, associated=to_change,
                     diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
