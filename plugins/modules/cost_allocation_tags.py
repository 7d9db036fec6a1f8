#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cost_allocation_tags
version_added: 0.1.0
short_description: Activate (or deactivate) user-defined cost allocation tags
description:
  - Sets the status of user-defined tag keys in Cost Explorer, so that the bill can be split by them.
  - AWS knows a tag key only after billing has seen it on a resource (up to 24 hours). Keys AWS cannot update yet
    are returned in RV(pending) with a warning, not as a failure; a later run activates them.
  - In an AWS Organizations organization, only the management account may change cost allocation tags.
author:
  - envops maintainers (@envops)
options:
  tag_keys:
    description: The tag keys. The default is the collection's baseline (env, service, owner, cost_center,
      data_class).
    type: list
    elements: str
    default: [env, service, owner, cost_center, data_class]
  status:
    description: The status the keys should have.
    type: str
    default: active
    choices: [active, inactive]
attributes:
  check_mode:
    description: Lists the tags and reports the change without UpdateCostAllocationTagsStatus.
    support: full
  diff_mode:
    description: Returns the status of each key before and after.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: The baseline's cost allocation tags active
  envops.aws.cost_allocation_tags:

- name: One more key
  envops.aws.cost_allocation_tags:
    tag_keys: [team]
"""

RETURN = r"""
tag_status:
  description: Status of each key after the run (in check mode, as it would be); V(None) for a key AWS does not
    know yet.
  returned: always
  type: dict
  sample: {"env": "Active", "owner": "Active"}
pending:
  description: Keys AWS could not update yet, with its reason.
  returned: always
  type: list
  elements: dict
  sample: [{"TagKey": "data_class", "Code": "TagKeysNotFoundException", "Message": "Tag keys not found"}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import cost_allocation_tags as tags


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            tag_keys=dict(type="list", elements="str", no_log=False, default=tags.DEFAULT_TAG_KEYS),
            status=dict(type="str", default="active", choices=sorted(tags.STATUSES)),
        ),
        supports_check_mode=True,
    )
    problems = tags.problems(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))
    keys = module.params["tag_keys"]
    status = tags.STATUSES[module.params["status"]]
    pending = []
    try:
        client = module.client("ce")
        before = tags.statuses(tags.list_tags(client, keys))
        before = {key: before.get(key) for key in dict.fromkeys(keys)}
        to_change = tags.to_change(before, keys, status)
        after = dict(before, **{key: status for key in to_change})
        if to_change and not module.check_mode:
            pending = tags.update_status(client, to_change, status)
            now = tags.statuses(tags.list_tags(client, keys))
            after = {key: now.get(key) for key in dict.fromkeys(keys)}
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    for error in pending:
        module.warn("cost allocation tag %s not updated yet: %s %s (AWS knows a tag key only once billing has seen "
                    "it on a resource; run again later)" % (error.get("TagKey"), error.get("Code"), error.get("Message")))
    result = dict(changed=before != after, tag_status=after, pending=pending)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
