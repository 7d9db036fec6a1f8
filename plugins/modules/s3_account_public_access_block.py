#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: s3_account_public_access_block
version_added: 0.1.0
short_description: Keep the S3 public access block of a whole account
description:
  - Keeps the account-level S3 public access block (S3 Control), which applies to every bucket of the account
    whatever the bucket's own settings. The defaults block everything.
  - The account is the one of the module's credentials, as STS GetCallerIdentity answers it.
  - With O(endpoint_url) set, the account id that S3 Control puts in front of the host is taken off again, so the
    call reaches the endpoint given.
author:
  - envops maintainers (@envops)
options:
  block_public_acls:
    description: Refuse requests that set a public ACL.
    type: bool
    default: true
  ignore_public_acls:
    description: Ignore public ACLs of buckets and objects.
    type: bool
    default: true
  block_public_policy:
    description: Refuse bucket policies that grant public access.
    type: bool
    default: true
  restrict_public_buckets:
    description: Only AWS services and the account's principals reach buckets with a public policy.
    type: bool
    default: true
  state:
    description: V(present) keeps the block, V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
attributes:
  check_mode:
    description: Reads the block and reports the change without PutPublicAccessBlock or DeletePublicAccessBlock.
    support: full
  diff_mode:
    description: Returns the block before and after, in the option names.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: No public bucket anywhere in the account
  envops.aws.s3_account_public_access_block:
"""

RETURN = r"""
account_id:
  description: The account whose block was read or changed.
  returned: always
  type: str
  sample: "111111111111"
public_access_block:
  description: The block after the run (in check mode, as it would be), in the option names; empty when none.
  returned: always
  type: dict
  sample: {"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true,
           "restrict_public_buckets": true}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import s3_account_public_access as blocks
from ansible_collections.envops.aws.plugins.module_utils.caller_account import caller_account_id


def main():
    module = AnsibleAWSModule(argument_spec=blocks.argument_spec(), supports_check_mode=True)
    try:
        account_id = caller_account_id(module.client("sts"))
        client = module.client("s3control")
        blocks.use_endpoint_url(client, module.params.get("endpoint_url"), account_id)
        before = blocks.current(blocks.get_block(client, account_id))
        after = blocks.desired(module.params) if module.params["state"] == "present" else {}
        changed = before != after
        if changed and not module.check_mode:
            if after:
                blocks.put_block(client, account_id, after)
            else:
                blocks.delete_block(client, account_id)
            after = blocks.current(blocks.get_block(client, account_id))
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    result = dict(changed=changed, account_id=account_id, public_access_block=after)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
