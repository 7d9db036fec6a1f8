#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_alarm_state
version_added: 0.1.0
short_description: Set the state of a CloudWatch alarm (SetAlarmState) to test its notifications
description:
  - Sets an existing alarm to V(ALARM), V(OK) or V(INSUFFICIENT_DATA). CloudWatch notifies the actions of the new
    state when the state changes; the alarm returns to what its metric says at its next evaluation.
author:
  - envops maintainers (@envops)
options:
  name:
    description: The alarm.
    type: str
    required: true
  state:
    description: The state to set.
    type: str
    required: true
    choices: [OK, ALARM, INSUFFICIENT_DATA]
  reason:
    description: Why (shown in the notification and the alarm's history).
    type: str
    required: true
attributes:
  check_mode:
    description: Reads the state and reports the change without setting it.
    support: full
  diff_mode:
    description: Returns the state before and after.
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Fire the CPU alarm of prod's database to test who is told
  envops.aws.cloudwatch_alarm_state:
    name: envops-prod-rds-cpu-percent-critical
    state: ALARM
    reason: Alarm test by the platform team
"""

RETURN = r"""
previous_state:
  description: The state before the run.
  returned: always
  type: str
  sample: OK
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import alarm_state

NAME = re.compile(r"^[A-Za-z0-9 ._/#:()+=@-]{1,255}$")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(name=dict(type="str", required=True),
                           state=dict(type="str", required=True, choices=list(alarm_state.STATES)),
                           reason=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    name = module.params["name"]
    if not NAME.match(name):
        module.fail_json(msg="name %r is not an alarm name (1-255 letters, digits, spaces or ._/#:()+=@-)." % name)
    client = module.client("cloudwatch")
    try:
        before = alarm_state.read_state(client, name)
        if before is None:
            module.fail_json(msg="alarm %s does not exist." % name)
        changed = before != module.params["state"]
        if changed and not module.check_mode:
            alarm_state.set_state(client, name, module.params["state"], module.params["reason"][:1023])
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    result = dict(changed=changed, previous_state=before)
    if module._diff:
        result["diff"] = dict(before=dict(state=before), after=dict(state=module.params["state"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
