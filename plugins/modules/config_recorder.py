#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: config_recorder
version_added: 0.1.0
short_description: AWS Config recording in an account and region - recorder, role, delivery channel, started
description:
  - Keeps the AWS Config recorder O(name) recording every supported resource type, its delivery channel
    O(delivery_channel.name) delivering to an S3 bucket, and the recorder started (or stopped).
  - AWS allows one recorder and one delivery channel per account and region; one of another name is refused with
    its name, before any change.
  - Without O(role_arn) the recorder uses AWS Config's service-linked role C(AWSServiceRoleForConfig), created when
    missing.
  - Unlike community.aws.config_recorder (changed on every run, no check mode) and
    community.aws.config_delivery_channel (no check mode), it compares normalised state, supports check mode and
    diff, and applies recorder, channel and start in the order AWS requires.
author:
  - envops maintainers (@envops)
options:
  name:
    description: The recorder's name.
    type: str
    default: default
  role_arn:
    description:
      - The IAM role the recorder uses.
      - Omitted, a new recorder uses AWS Config's service-linked role and an existing one keeps its role.
    type: str
  include_global_resource_types:
    description:
      - Whether global resources (IAM users, roles, policies) are recorded. Record them in one region of the account
        only, or each change is recorded once per region.
    type: bool
    default: false
  recording:
    description: Whether the recorder is started (V(true)) or stopped.
    type: bool
    default: true
  delivery_channel:
    description: Where the recorder delivers configuration history and snapshots.
    type: dict
    required: true
    suboptions:
      name:
        description: The delivery channel's name.
        type: str
        default: default
      s3_bucket:
        description: The bucket (its policy must let AWS Config write there).
        type: str
        required: true
      s3_prefix:
        description: Key prefix in the bucket (Config adds C(AWSLogs/<account>/Config) after it).
        type: str
      s3_kms_key_arn:
        description: KMS key the deliveries are encrypted with.
        type: str
      sns_topic_arn:
        description: SNS topic notified of deliveries.
        type: str
      delivery_frequency:
        description: How often configuration snapshots are delivered.
        type: str
        choices: [One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
attributes:
  check_mode:
    description: Reads the recorders, channels, recorder status and role, refuses what a real run refuses and reports
      what would change, without creating the role, putting the recorder or channel, or starting or stopping it.
    support: full
  diff_mode:
    description: Recorder, recording and delivery channel before and after.
    support: full
"""

EXAMPLES = r"""
- name: AWS Config records everything (global resources in the primary region) into the logs bucket
  envops.aws.config_recorder:
    include_global_resource_types: true
    delivery_channel:
      s3_bucket: envops-prod-111111111111-logs
      s3_prefix: config
      delivery_frequency: TwentyFour_Hours
"""

RETURN = r"""
config:
  description: The recording after the run (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    recorder:
      description: name, role_arn, all_supported, include_global_resource_types (null when there is none).
      type: dict
    recording:
      description: Whether the recorder is started.
      type: bool
    delivery_channel:
      description: name, s3_bucket, s3_prefix, s3_kms_key_arn, sns_topic_arn, delivery_frequency (null when there
        is none).
      type: dict
  sample: {"recorder": {"name": "default", "all_supported": true, "include_global_resource_types": true,
           "role_arn": "arn:aws:iam::111111111111:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"},
           "recording": true, "delivery_channel": {"name": "default", "s3_bucket": "envops-prod-111111111111-logs",
           "s3_prefix": "config", "s3_kms_key_arn": null, "sns_topic_arn": null,
           "delivery_frequency": "TwentyFour_Hours"}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import config_recorder as recording


def read(client, name, channel_name):
    """(the state, names of all recorders, names of all channels)."""
    all_recorders = recording.recorders(client)
    all_channels = recording.delivery_channels(client)
    recorder = next((r for r in all_recorders if r["name"] == name), None)
    channel = next((c for c in all_channels if c["name"] == channel_name), None)
    status = recording.recorder_status(client, name) if recorder else None
    return (recording.state_of(recorder, status, channel), [r["name"] for r in all_recorders],
            [c["name"] for c in all_channels])


def role_of(module):
    """(the role ARN wanted, whether the service-linked role must be created first)."""
    if module.params["role_arn"]:
        return module.params["role_arn"], False
    iam = module.client("iam")
    arn = recording.service_linked_role(iam)
    if arn:
        return arn, False
    caller = recording.caller_arn(module.client("sts")).split(":")
    return recording.service_linked_role_arn(caller[1], caller[4]), True


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", default="default"),
            role_arn=dict(type="str"),
            include_global_resource_types=dict(type="bool", default=False),
            recording=dict(type="bool", default=True),
            delivery_channel=dict(type="dict", required=True, options=dict(
                name=dict(type="str", default="default"),
                s3_bucket=dict(type="str", required=True),
                s3_prefix=dict(type="str"),
                s3_kms_key_arn=dict(type="str", no_log=False),
                sns_topic_arn=dict(type="str"),
                delivery_frequency=dict(type="str", choices=list(recording.DELIVERY_FREQUENCIES)),
            )),
        ),
        supports_check_mode=True,
    )
    params = module.params
    name, channel = params["name"], params["delivery_channel"]
    problems = recording.validate(name, params["role_arn"], channel)
    if problems:
        module.fail_json(msg="AWS Config recording: %s" % " ".join(problems))
    client = module.client("config")
    try:
        current, recorder_names, channel_names = read(client, name, channel["name"])
        refused = (recording.others("configuration recorder", recorder_names, name, module.region)
                   or recording.others("delivery channel", channel_names, channel["name"], module.region))
        if refused:
            module.fail_json(msg=refused, config=current)
        if current["recorder"] and not params["role_arn"]:
            role_arn, create_role = current["recorder"]["role_arn"], False  # keep the role it has
        else:
            role_arn, create_role = role_of(module)
        desired = recording.desired_state(name, role_arn, params["include_global_resource_types"],
                                          params["recording"], channel)
        if current == desired:
            module.exit_json(changed=False, config=current)
        diff = {"before": current, "after": desired}
        if module.check_mode:
            module.exit_json(changed=True, config=desired, diff=diff)
        if create_role:
            recording.create_service_linked_role(module.client("iam"))
        if current["recorder"] != desired["recorder"]:
            recording.put_recorder(client, desired["recorder"])
        if current["delivery_channel"] != desired["delivery_channel"]:
            recording.put_channel(client, desired["delivery_channel"])
        if current["recording"] != desired["recording"]:
            (recording.start_recorder if desired["recording"] else recording.stop_recorder)(client, name)
        after = read(client, name, channel["name"])[0]
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    diff["after"] = after
    module.exit_json(changed=True, config=after, diff=diff)


if __name__ == "__main__":
    main()
