#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: dynamodb_drill_markers
version_added: 0.1.0
short_description: Write and read the RPO markers of DR drills in a DynamoDB table
description:
  - A marker is an item (C(id), C(written_at) in UTC) of the environment's marker table, by convention
    C(<env>-envops-drill-markers) with the string hash key C(id), point-in-time recovery and the environment's data
    key (C(drill_markers.yml) provisions it with M(envops.aws.dynamodb_table)). A drill restores it together with the
    application's tables; the newest marker that survived bounds the data lost (the achieved RPO).
  - V(written) writes one marker (always C(changed)); V(read) returns the markers, optionally only those written
    before O(before). Reading scans the marker table, which holds only markers.
author:
  - envops maintainers (@envops)
options:
  table:
    description: The marker table.
    type: str
    required: true
  state:
    description: V(written) writes a marker, V(read) reads them.
    type: str
    default: read
    choices: [written, read]
  before:
    description: With V(read), only markers written before this time (ISO 8601 with a time zone).
    type: str
attributes:
  check_mode:
    description: V(written) checks that the marker table exists and returns the marker it would write, writes
      nothing; V(read) reads as in a real run.
    support: full
  diff_mode:
    description: A marker is added, there is nothing to compare.
    support: none
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Write an RPO marker for prod's DynamoDB tables
  envops.aws.dynamodb_drill_markers:
    table: prod-envops-drill-markers
    state: written

- name: Read the markers a restored marker table holds
  envops.aws.dynamodb_drill_markers:
    table: prod-drill-20261204-envops-drill-markers
"""

RETURN = r"""
marker:
  description: The marker written (id, written_at).
  returned: with state=written
  type: dict
  sample: {"id": "m-3f2a9c1d0b7e", "written_at": "2026-12-04T09:00:00.123456+00:00"}
markers:
  description: The markers (id, written_at), oldest first; empty when the table does not exist.
  returned: with state=read
  type: list
  elements: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import drill_markers
from ansible_collections.envops.aws.plugins.module_utils import dynamodb
from ansible_collections.envops.aws.plugins.module_utils import dynamodb_drill_markers as markers
from ansible_collections.envops.aws.plugins.module_utils import dynamodb_restore


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            table=dict(type="str", required=True),
            state=dict(type="str", default="read", choices=["written", "read"]),
            before=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not dynamodb.NAME.match(params["table"]):
        module.fail_json(msg="table %r: 3-255 letters, digits, '_', '-' and '.'." % params["table"])
    try:
        before = drill_markers.parse_before(params["before"])
    except ValueError as error:
        module.fail_json(msg=str(error))
    client = module.client("dynamodb")
    try:
        exists = dynamodb.describe_table(client, params["table"]) is not None
        if params["state"] == "written":
            if not exists:
                module.fail_json(msg="marker table %s does not exist: provision it first (drill_markers.yml does)."
                                 % params["table"])
            marker = drill_markers.new_marker()
            if not module.check_mode:
                markers.put_marker(client, params["table"], marker)
            module.exit_json(changed=True, marker=marker)
        found = markers.markers_from_items(dynamodb_restore.scan_items(client, params["table"]), before) if exists else []
    except dynamodb.AnsibleDynamoDBError as error:
        module.fail_json_aws_error(error)
    module.exit_json(changed=False, markers=found)


if __name__ == "__main__":
    main()
