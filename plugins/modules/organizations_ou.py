#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: organizations_ou
version_added: 0.1.0
short_description: An organizational unit found by its name under a parent
description:
  - Creates or deletes the OU O(name) directly under O(parent_id) (the organization's root when omitted).
  - OUs are found by name under the parent. Two OUs of that name under one parent (AWS refuses the second; a copy of
    the API that does not may hold both) are refused naming their ids, rather than one picked at random.
  - AWS refuses to delete an OU that still holds accounts or OUs; that refusal is reported as is.
  - Check mode and diff report the change without making it.
author:
  - envops maintainers (@envops)
options:
  name:
    description: The OU's name (1 to 128 characters, no control characters or surrounding spaces).
    type: str
    required: true
  parent_id:
    description: The root (r-...) or OU (ou-...) it sits under; the root when omitted.
    type: str
  tags:
    description: Tags given to a new OU (an existing OU's tags are left alone).
    type: dict
  state:
    description: V(present) creates the OU, V(absent) deletes it.
    type: str
    default: present
    choices: [present, absent]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    description: Reports the OU that would be created or deleted.
    support: full
  diff_mode:
    description: Whether the OU exists, before and after.
    support: full
"""

EXAMPLES = r"""
- name: The Production OU under the root
  envops.aws.organizations_ou:
    name: Production
  register: production_ou
"""

RETURN = r"""
ou:
  description: The OU after the run (empty when absent; no id yet in check mode for a new one).
  returned: always
  type: dict
  contains:
    id:
      description: Its id.
      type: str
    arn:
      description: Its ARN.
      type: str
    name:
      description: Its name.
      type: str
    parent_id:
      description: The root or OU it sits under.
      type: str
  sample: {"id": "ou-abcd-12345678", "arn": "arn:aws:organizations::100000000000:ou/o-abcdefghij/ou-abcd-12345678",
           "name": "Production", "parent_id": "r-abcd"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import organizations as orgs


def result_of(ou, parent_id):
    return {"id": ou["Id"], "arn": ou.get("Arn"), "name": ou["Name"], "parent_id": parent_id} if ou else {}


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            parent_id=dict(type="str"),
            tags=dict(type="dict"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        supports_check_mode=True,
    )
    name, parent_id = module.params["name"], module.params["parent_id"]
    problems = orgs.parent_problems("parent_id", parent_id)
    if not orgs.OU_NAME.fullmatch(name):
        problems.append("name %r must be 1 to 128 characters without control characters or surrounding spaces" % name)
    if problems:
        module.fail_json(msg="organizations OU: %s" % "; ".join(problems))
    tags = dict((str(key), str(value)) for key, value in (module.params["tags"] or {}).items())
    client = module.client("organizations")
    try:
        parent_id = parent_id or orgs.root(client)["Id"]
        found = orgs.ous_named(client, parent_id, name)
        if len(found) > 1:
            module.fail_json(msg="%d OUs are named %s under %s (%s): AWS allows one; remove the extra ones" % (
                len(found), name, parent_id, ", ".join(ou["Id"] for ou in found)))
        current = found[0] if found else None
        wanted = module.params["state"] == "present"
        if bool(current) == wanted:
            module.exit_json(changed=False, ou=result_of(current, parent_id))
        diff = {"before": {"exists": bool(current)}, "after": {"exists": wanted}}
        if module.check_mode:
            preview = {"name": name, "parent_id": parent_id} if wanted else {}
            module.exit_json(changed=True, ou=preview, diff=diff)
        if wanted:
            current = orgs.create_ou(client, parent_id, name, tags)
        else:
            orgs.delete_ou(client, current["Id"])
            current = None
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    module.exit_json(changed=True, ou=result_of(current, parent_id), diff=diff)


if __name__ == "__main__":
    main()
