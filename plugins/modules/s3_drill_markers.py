#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: s3_drill_markers
version_added: 0.1.0
short_description: Write and read the RPO markers of DR drills in a versioned S3 bucket
description:
  - A marker is an empty object C(<prefix><written_at>_<id>) (write time in UTC in the key, so markers are read by
    listing). A drill restores the prefix to its point in time with M(envops.aws.s3_object_restore) and reads the
    markers found there; the newest bounds the data lost (the achieved RPO).
  - V(written) writes one marker (always C(changed)); V(read) lists the markers under O(prefix), optionally only
    those written before O(before).
author:
  - envops maintainers (@envops)
options:
  bucket:
    description: The bucket.
    type: str
    required: true
  prefix:
    description: Where the markers are (a drill reads its restored copy under another prefix).
    type: str
    default: envops-drill-markers/
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
    description: V(written) returns the marker it would write and writes no object (the bucket is not read, so a
      missing bucket shows only in a real run); V(read) lists as in a real run.
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
- name: Write an RPO marker into prod's assets bucket
  envops.aws.s3_drill_markers:
    bucket: envops-prod-210000000004-assets
    state: written

- name: Read the markers a drill restored
  envops.aws.s3_drill_markers:
    bucket: envops-prod-210000000004-assets
    prefix: envops-drill/20261204120000/envops-drill-markers/
"""

RETURN = r"""
marker:
  description: The marker written (id, written_at, key).
  returned: with state=written
  type: dict
markers:
  description: The markers (id, written_at), oldest first.
  returned: with state=read
  type: list
  elements: dict
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import drill_markers
from ansible_collections.envops.aws.plugins.module_utils import s3_drill_markers as markers


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            bucket=dict(type="str", required=True),
            prefix=dict(type="str", default=markers.MARKER_PREFIX),
            state=dict(type="str", default="read", choices=["written", "read"]),
            before=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not params["prefix"].endswith("/"):
        module.fail_json(msg="prefix %r must end in '/'." % params["prefix"])
    try:
        before = drill_markers.parse_before(params["before"])
    except ValueError as error:
        module.fail_json(msg=str(error))
    client = module.client("s3")
    try:
        if params["state"] == "written":
            marker = drill_markers.new_marker()
            marker["key"] = markers.marker_key(marker, params["prefix"])
            if not module.check_mode:
                markers.put_marker(client, params["bucket"], marker["key"])
            module.exit_json(changed=True, marker=marker)
        keys = markers.current_keys(client, params["bucket"], params["prefix"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg="markers of s3://%s/%s" % (params["bucket"], params["prefix"]))
    module.exit_json(changed=False, markers=markers.markers_from_keys(keys, params["prefix"], before))


if __name__ == "__main__":
    main()
