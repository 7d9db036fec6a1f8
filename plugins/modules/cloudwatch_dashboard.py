#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloudwatch_dashboard
version_added: 0.1.0
short_description: A CloudWatch dashboard with the given body, or none
description:
  - Creates, updates or deletes one CloudWatch dashboard of the account.
  - The body is compared as parsed JSON with the stored one, so a body written with other key order or spacing is
    the same dashboard and the module reports no change.
  - No upstream module manages CloudWatch dashboards.
author:
  - envops maintainers (@envops)
options:
  dashboard_name:
    description: Name of the dashboard (1-255 letters, digits, hyphens and underscores).
    type: str
    required: true
    aliases: [name]
  dashboard_body:
    description:
      - The dashboard body (a mapping with C(widgets), or its JSON text), as documented in the CloudWatch dashboard
        body structure. Required with O(state=present).
    type: json
    aliases: [body]
  state:
    description: Whether the dashboard exists with this body (V(present)) or not at all (V(absent)).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
attributes:
  check_mode:
    description: Reads the dashboard and reports whether it would be created, changed or deleted, without calling
      PutDashboard or DeleteDashboards.
    support: full
  diff_mode:
    description: The body before and after as JSON text, keys sorted and indented, so the diff shows the widgets
      that change (empty text for no dashboard).
    support: full
"""

EXAMPLES = r"""
- name: The system health dashboard of prod
  envops.aws.cloudwatch_dashboard:
    dashboard_name: envops-prod-system-health
    dashboard_body:
      widgets:
        - {type: text, x: 0, y: 0, width: 24, height: 3, properties: {markdown: "## prod"}}

- name: No dashboard of the removed environment
  envops.aws.cloudwatch_dashboard:
    dashboard_name: envops-preview-42-system-health
    state: absent
"""

RETURN = r"""
dashboard:
  description: The dashboard after the run.
  returned: always
  type: dict
  contains:
    name:
      description: Its name.
      type: str
    exists:
      description: Whether it exists (in check mode, whether it would).
      type: bool
    widgets:
      description: The number of widgets of its body (0 when it does not exist).
      type: int
  sample: {"name": "envops-prod-system-health", "exists": true, "widgets": 17}
validation_messages:
  description: What CloudWatch said of a body it accepted (PutDashboard's validation messages).
  returned: when the dashboard was written
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import cloudwatch_dashboards as dashboards


def summary(name, body):
    return {"name": name, "exists": body is not None, "widgets": len(body["widgets"]) if body else 0}


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            dashboard_name=dict(type="str", required=True, aliases=["name"]),
            dashboard_body=dict(type="json", aliases=["body"]),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["dashboard_body"])],
        supports_check_mode=True,
    )
    name, present = module.params["dashboard_name"], module.params["state"] == "present"
    desired = dashboards.parse_body(module.params["dashboard_body"]) if present else None
    problems = dashboards.body_problems(name, desired if present else None)
    if present and desired is None:
        problems.append("dashboard_body: is not JSON.")
    if problems:
        module.fail_json(msg="CloudWatch dashboard: %s" % " ".join(problems))
    client = module.client("cloudwatch")
    try:
        current_text = dashboards.get_body(client, name)
        if present:
            changed = not dashboards.same_body(current_text, desired)
        else:
            changed = current_text is not None
        diff = dashboards.diff_of(current_text, desired)
        result = {"changed": changed, "dashboard": summary(name, desired if present else None), "diff": diff}
        if not changed:
            result["dashboard"] = summary(name, dashboards.parse_body(current_text) if current_text else None)
            module.exit_json(**result)
        if module.check_mode:
            module.exit_json(**result)
        if present:
            result["validation_messages"] = dashboards.put_body(client, name, desired)
        else:
            dashboards.delete(client, name)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
