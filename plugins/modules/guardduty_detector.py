#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: guardduty_detector
version_added: 0.1.0
short_description: The one GuardDuty detector of an account and region, enabled, with its protection plans and tags
description:
  - Keeps the GuardDuty detector of the account in the region as wanted, creating it when there is none.
  - AWS allows one detector per account and region. The detector is found by listing, never created a second time;
    when more than one is found the module fails naming their ids, before any change.
  - Protection plans are set through the detector's C(Features) (the API that replaced C(DataSources)); features
    not named in O(features) are left as they are.
  - No upstream module manages GuardDuty detectors.
author:
  - envops maintainers (@envops)
options:
  enabled:
    description: Whether the detector is enabled (V(false) suspends it; its findings are kept).
    type: bool
    default: true
  finding_publishing_frequency:
    description:
      - How often updated findings are exported to EventBridge (and Security Hub).
      - Omitted, a new detector gets AWS's default (V(SIX_HOURS)) and an existing one keeps its own.
    type: str
    choices: [FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS]
  features:
    description:
      - Protection plans, feature name to enabled, for example C(S3_DATA_EVENTS) (S3 protection) and
        C(RDS_LOGIN_EVENTS) (RDS protection).
      - Names are C(S3_DATA_EVENTS), C(EKS_AUDIT_LOGS), C(EBS_MALWARE_PROTECTION), C(RDS_LOGIN_EVENTS),
        C(LAMBDA_NETWORK_LOGS), C(EKS_RUNTIME_MONITORING), C(RUNTIME_MONITORING).
    type: dict
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
  - envops.aws.attributes.platform
attributes:
  check_mode:
    description: Lists and reads the detectors, refuses what a real run refuses (more than one detector) and reports
      the detector that would be created or changed, without calling CreateDetector, UpdateDetector, TagResource or
      UntagResource.
    support: full
  diff_mode:
    description: The detector before and after (enabled, finding publishing frequency, features, tags; C(exists)
      false when there was none).
    support: full
"""

EXAMPLES = r"""
- name: GuardDuty in prod, findings every 15 minutes, S3 and RDS protection
  envops.aws.guardduty_detector:
    finding_publishing_frequency: FIFTEEN_MINUTES
    features:
      S3_DATA_EVENTS: true
      RDS_LOGIN_EVENTS: true
    tags:
      env: prod
"""

RETURN = r"""
detector:
  description: The detector after the run.
  returned: always
  type: dict
  contains:
    exists:
      description: Whether there is a detector (false only in check mode when it would be created).
      type: bool
    detector_id:
      description: Its id (null in check mode when it would be created).
      type: str
    enabled:
      description: Whether it is enabled.
      type: bool
    finding_publishing_frequency:
      description: FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS.
      type: str
    features:
      description: Feature name to enabled, as GetDetector answers them.
      type: dict
    tags:
      description: Its tags.
      type: dict
  sample: {"exists": true, "detector_id": "12abc34d567e8fa901bc2d34e56789f0", "enabled": true,
           "finding_publishing_frequency": "FIFTEEN_MINUTES", "features": {"S3_DATA_EVENTS": true,
           "RDS_LOGIN_EVENTS": true}, "tags": {"env": "prod"}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import guardduty_detector as detectors
from ansible_collections.envops.aws.plugins.module_utils.resource_tags import tag_changes


def read(client, detector_id):
    return detectors.get_detector(client, detector_id) if detector_id else None


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            enabled=dict(type="bool", default=True),
            finding_publishing_frequency=dict(type="str", choices=list(detectors.FREQUENCIES)),
            features=dict(type="dict"),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    problems = detectors.validate(params["features"])
    if problems:
        module.fail_json(msg="GuardDuty detector: %s" % " ".join(problems))
    client = module.client("guardduty")
    region = module.region
    try:
        ids = detectors.list_detector_ids(client)
        refused = detectors.refusal(region, ids)
        if refused:
            module.fail_json(msg=refused, detector_ids=sorted(ids))
        detector_id = ids[0] if ids else None
        answer = read(client, detector_id)
        current = detectors.state_of(detector_id, answer)
        desired = detectors.desired_state(current, params["enabled"], params["finding_publishing_frequency"],
                                          params["features"], params["tags"], params["purge_tags"])
        to_set, to_remove = tag_changes(current.get("tags") or {}, desired["tags"])
        changed = not current["exists"] or detectors.settings_differ(current, desired) or bool(to_set or to_remove)
        diff = {"before": current, "after": desired}
        if not changed:
            module.exit_json(changed=False, detector=current)
        if module.check_mode:
            module.exit_json(changed=True, detector=desired, diff=diff)
        if not current["exists"]:
            detector_id = detectors.create_detector(client, desired)
        else:
            if detectors.settings_differ(current, desired):
                detectors.update_detector(client, detector_id, desired)
            if to_set or to_remove:
                arn = detectors.detector_arn(answer["ServiceRole"], region, detector_id)
                detectors.tag_detector(client, arn, to_set, to_remove)
        after = detectors.state_of(detector_id, read(client, detector_id))
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)
    diff["after"] = after
    module.exit_json(changed=True, detector=after, diff=diff)


if __name__ == "__main__":
    main()
