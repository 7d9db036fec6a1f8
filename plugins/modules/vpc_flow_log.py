#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: vpc_flow_log
version_added: 0.1.0
short_description: Manage a VPC, subnet or network interface flow log
description:
  - Creates, replaces, tags and deletes one flow log of a VPC, subnet or network interface.
  - The flow log is identified by O(resource_id) and its destination (O(log_group_name) or O(log_destination)).
    Other flow logs of the same resource are left alone.
  - AWS cannot modify a flow log, only its tags. Any other difference deletes the flow log and creates it again.
    No log record is lost with it, records live in the destination.
  - Options left unset are compared with the values AWS applies by default, so a flow log created outside Ansible
    with a different traffic type, interval or format is replaced.
author:
  - envops maintainers (@envops)
options:
  resource_id:
    description:
      - ID of the VPC, subnet or network interface whose traffic is logged.
    type: str
    required: true
  resource_type:
    description:
      - Type of O(resource_id).
    type: str
    choices: [VPC, Subnet, NetworkInterface]
    default: VPC
  traffic_type:
    description:
      - Traffic to log.
    type: str
    choices: [ALL, ACCEPT, REJECT]
    default: ALL
  log_destination_type:
    description:
      - Where the records are delivered.
    type: str
    choices: [cloud-watch-logs, s3]
    default: cloud-watch-logs
  log_group_name:
    description:
      - Name of the CloudWatch Logs log group.
      - Required when O(log_destination_type=cloud-watch-logs).
      - Mutually exclusive with O(log_destination).
    type: str
  log_destination:
    description:
      - ARN of the S3 bucket, optionally with a folder, for example V(arn:aws:s3:::my-bucket/flow-logs/).
      - Required when O(log_destination_type=s3).
      - Mutually exclusive with O(log_group_name).
    type: str
  deliver_logs_permission_arn:
    description:
      - ARN of the IAM role that lets the flow logs service write to the log group.
      - Required when O(log_destination_type=cloud-watch-logs) and O(state=present), not allowed with V(s3).
    type: str
  max_aggregation_interval:
    description:
      - Seconds over which packets are aggregated into one flow log record.
    type: int
    choices: [60, 600]
    default: 600
  log_format:
    description:
      - Fields of a record, for example V(${srcaddr} ${dstaddr} ${action}).
      - When unset, the AWS default format (version 2 fields) is used and compared.
    type: str
  state:
    description:
      - Whether the flow log should exist.
    type: str
    choices: [present, absent]
    default: present
attributes:
  check_mode:
    description: Reports what would change without calling any API that creates, deletes or tags.
    support: full
  diff_mode:
    description: Returns the flow log before and after the change, both in normalised form.
    support: full
notes:
  - Tags are the only change applied in place. When a flow log is replaced and O(tags) is unset, the new flow log
    gets the tags of the old one, except keys starting with V(aws:) which only AWS can set.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Log rejected traffic of a VPC to CloudWatch Logs
  envops.aws.vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    traffic_type: REJECT
    log_group_name: /envops/prod/vpc-flow-logs
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/envops-flow-logs
    max_aggregation_interval: 60
    tags:
      environment: prod

- name: Log all traffic of a subnet to S3 in a custom format
  envops.aws.vpc_flow_log:
    resource_id: subnet-0123456789abcdef0
    resource_type: Subnet
    log_destination_type: s3
    log_destination: arn:aws:s3:::envops-prod-flow-logs/subnets/
    log_format: "${version} ${interface-id} ${srcaddr} ${dstaddr} ${action} ${tcp-flags}"

- name: Remove the flow log of a VPC to a log group
  envops.aws.vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    log_group_name: /envops/prod/vpc-flow-logs
    state: absent
"""

RETURN = r"""
flow_log:
  description:
    - The flow log as AWS describes it.
    - Empty when O(state=absent), and in check mode when the flow log would be created.
    - In check mode, the flow log as it is before the change.
  returned: always
  type: dict
  contains:
    flow_log_id:
      description: ID of the flow log.
      returned: when the flow log exists
      type: str
      sample: fl-0123456789abcdef0
    resource_id:
      description: ID of the logged resource.
      returned: when the flow log exists
      type: str
      sample: vpc-0123456789abcdef0
    traffic_type:
      description: Logged traffic.
      returned: when the flow log exists
      type: str
      sample: ALL
    log_destination_type:
      description: Type of destination.
      returned: when the flow log exists
      type: str
      sample: cloud-watch-logs
    log_group_name:
      description: Log group of a CloudWatch Logs flow log.
      returned: when the destination is CloudWatch Logs
      type: str
      sample: /envops/prod/vpc-flow-logs
    log_destination:
      description: ARN of the destination.
      returned: when the flow log exists and AWS reports it
      type: str
      sample: arn:aws:s3:::envops-prod-flow-logs/subnets/
    deliver_logs_permission_arn:
      description: Role that delivers the records to CloudWatch Logs.
      returned: when the destination is CloudWatch Logs
      type: str
      sample: arn:aws:iam::123456789012:role/envops-flow-logs
    deliver_logs_status:
      description: Whether the last delivery succeeded.
      returned: when the flow log exists
      type: str
      sample: SUCCESS
    flow_log_status:
      description: Status of the flow log.
      returned: when the flow log exists
      type: str
      sample: ACTIVE
    max_aggregation_interval:
      description: Aggregation interval in seconds.
      returned: when the flow log exists
      type: int
      sample: 600
    log_format:
      description: Fields of a record.
      returned: when the flow log exists
      type: str
      sample: ${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${action}
    creation_time:
      description: When the flow log was created.
      returned: when the flow log exists
      type: str
      sample: "2026-11-23T09:26:58+00:00"
    tags:
      description: Tags of the flow log.
      returned: when the flow log exists
      type: dict
      sample: {"environment": "prod"}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import AnsibleEC2Error
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.envops.aws.plugins.module_utils import flow_logs


def find_flow_log(client, module):
    """Our flow log (DescribeFlowLogs item), or None."""
    params = module.params
    destination = flow_logs.destination_of(params)
    candidates = flow_logs.describe_flow_logs(client, params["resource_id"])
    matches = flow_logs.matching_flow_logs(candidates, params["log_destination_type"], destination)
    if len(matches) > 1:
        # Which one is ours is ambiguous: refuse rather than replace or delete the wrong one.
        ids = ", ".join(match["FlowLogId"] for match in matches)
        module.fail_json(
            msg=f"{len(matches)} flow logs of {params['resource_id']} deliver to {destination} ({ids}); remove all but one."
        )
    return matches[0] if matches else None


def format_flow_log(flow_log):
    if not flow_log:
        return {}
    result = camel_dict_to_snake_dict({key: value for key, value in flow_log.items() if key != "Tags"})
    result["tags"] = boto3_tag_list_to_ansible_dict(flow_log.get("Tags", []))
    return result


def exit_with(module, changed, flow_log, before, after):
    result = dict(changed=changed, flow_log=flow_log)
    if module._diff:
        result["diff"] = dict(before=before, after=after)
    module.exit_json(**result)


def update_tags(client, flow_log_id, current_tags, wanted_tags):
    tags_to_set, keys_to_unset = compare_aws_tags(current_tags, wanted_tags, purge_tags=True)
    if keys_to_unset:
        flow_logs.remove_flow_log_tags(client, flow_log_id, keys_to_unset)
    if tags_to_set:
        flow_logs.add_flow_log_tags(client, flow_log_id, tags_to_set)


def ensure_present(client, module, current):
    before = flow_logs.normalise_flow_log(current) if current else {}
    after = flow_logs.normalise_params(module.params, before.get("tags", {}))
    changed_fields = flow_logs.differing_fields(before, after)

    if not changed_fields or module.check_mode:
        exit_with(module, bool(changed_fields), format_flow_log(current), before, after)

    if current and flow_logs.needs_replacement(changed_fields):
        flow_logs.delete_flow_log(client, current["FlowLogId"])
        current = None
    if current:
        update_tags(client, current["FlowLogId"], before["tags"], after["tags"])
    else:
        flow_logs.create_flow_log(client, **flow_logs.create_flow_log_params(after, module.params["resource_type"]))

    exit_with(module, True, format_flow_log(find_flow_log(client, module)), before, after)


def ensure_absent(client, module, current):
    if not current:
        exit_with(module, False, {}, {}, {})
    before = flow_logs.normalise_flow_log(current)
    changed = True
    if not module.check_mode:
        changed = flow_logs.delete_flow_log(client, current["FlowLogId"])
    exit_with(module, changed, {}, before, {})


def main():
    argument_spec = dict(
        resource_id=dict(type="str", required=True),
        resource_type=dict(type="str", choices=["VPC", "Subnet", "NetworkInterface"], default="VPC"),
        traffic_type=dict(type="str", choices=["ALL", "ACCEPT", "REJECT"], default="ALL"),
        log_destination_type=dict(type="str", choices=["cloud-watch-logs", "s3"], default="cloud-watch-logs"),
        log_group_name=dict(type="str"),
        log_destination=dict(type="str"),
        deliver_logs_permission_arn=dict(type="str"),
        max_aggregation_interval=dict(type="int", choices=[60, 600], default=600),
        log_format=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        required_if=[
            ("log_destination_type", "s3", ["log_destination"]),
            ("log_destination_type", "cloud-watch-logs", ["log_group_name"]),
        ],
        mutually_exclusive=[("log_group_name", "log_destination")],
        supports_check_mode=True,
    )

    problems = flow_logs.validate_params(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems))

    client = module.client("ec2")
    try:
        current = find_flow_log(client, module)
        if module.params["state"] == "present":
            ensure_present(client, module, current)
        else:
            ensure_absent(client, module, current)
    except AnsibleEC2Error as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
