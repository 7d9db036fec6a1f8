# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The GuardDuty detector of an account and region: found, compared with the wanted one, created or updated.

AWS allows one detector per account and region (a second CreateDetector fails); moto creates as many as asked.
So the detector is always found by listing, never created when one exists, and more than one is refused with their
ids: which one to keep is a person's decision. Protection plans are ``Features`` (S3_DATA_EVENTS,
RDS_LOGIN_EVENTS...), the API that replaced ``DataSources``; only the features named are compared and changed.
"""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.resource_tags import wanted_tags

FREQUENCIES = ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")
# The features CreateDetector / UpdateDetector take (GetDetector also answers CLOUD_TRAIL, DNS_LOGS, FLOW_LOGS,
# which are always on).
FEATURES = ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS",
            "EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING")


def validate(features: Optional[Dict[str, Any]]) -> List[str]:
    """What is wrong with the wanted features (empty: nothing)."""
    problems = []
    for name, enabled in (features or {}).items():
        if name not in FEATURES:
            problems.append("features: %r is not one of %s." % (name, ", ".join(FEATURES)))
        elif not isinstance(enabled, bool):
            problems.append("features.%s: must be true or false." % name)
    return problems


def refusal(region: str, detector_ids: List[str]) -> Optional[str]:
    """Why the detectors found cannot be managed (None: they can): an account has one detector per region."""
    if len(detector_ids) > 1:
        return ("%d GuardDuty detectors in %s: %s. AWS allows one per account and region: delete the one(s) that "
                "should not be kept, then re-run." % (len(detector_ids), region, ", ".join(sorted(detector_ids))))
    return None


def state_of(detector_id: Optional[str], detector: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A GetDetector answer as compared: exists, detector_id, enabled, finding_publishing_frequency, features
    (name -> enabled), tags."""
    if detector is None:
        return {"exists": False}
    return {
        "exists": True,
        "detector_id": detector_id,
        "enabled": detector.get("Status") == "ENABLED",
        "finding_publishing_frequency": detector.get("FindingPublishingFrequency"),
        "features": dict((feature["Name"], feature.get("Status") == "ENABLED")
                         for feature in detector.get("Features") or [] if "Name" in feature),
        "tags": dict(detector.get("Tags") or {}),
    }


def desired_state(current: Dict[str, Any], enabled: bool, frequency: Optional[str],
                  features: Optional[Dict[str, bool]], tags: Optional[Dict[str, Any]],
                  purge_tags: bool) -> Dict[str, Any]:
    """The state after a run: what is not asked for stays as it is (a new detector gets AWS's defaults)."""
    current_features = current.get("features") or {}
    return {
        "exists": True,
        "detector_id": current.get("detector_id"),
        "enabled": enabled,
        "finding_publishing_frequency": frequency or current.get("finding_publishing_frequency") or "SIX_HOURS",
        "features": dict(current_features, **(features or {})),
        "tags": wanted_tags(current.get("tags") or {}, tags, purge_tags),
    }


def settings_differ(current: Dict[str, Any], desired: Dict[str, Any]) -> bool:
    """Whether UpdateDetector is needed (tags are changed by their own calls)."""
    return any(current.get(key) != desired[key] for key in ("enabled", "finding_publishing_frequency", "features"))


def feature_configurations(features: Dict[str, bool]) -> List[Dict[str, str]]:
    """The ``Features`` of CreateDetector / UpdateDetector for the wanted features."""
    return [{"Name": name, "Status": "ENABLED" if enabled else "DISABLED"}
            for name, enabled in sorted(features.items()) if name in FEATURES]


def detector_arn(service_role: str, region: str, detector_id: str) -> str:
    """The detector's ARN (GetDetector answers none): partition and account from its service role's ARN."""
    partition, account_id = service_role.split(":")[1], service_role.split(":")[4]
    return "arn:%s:guardduty:%s:%s:detector/%s" % (partition, region, account_id, detector_id)


class DetectorErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("BadRequestException")


@DetectorErrorHandler.common_error_handler("list the GuardDuty detectors")
@aws_retry()
def list_detector_ids(client) -> List[str]:
    ids: List[str] = []
    for page in client.get_paginator("list_detectors").paginate():
        ids.extend(page.get("DetectorIds") or [])
    return ids


@DetectorErrorHandler.list_error_handler("get the GuardDuty detector", None)
@aws_retry()
def get_detector(client, detector_id: str) -> Optional[Dict[str, Any]]:
    return client.get_detector(DetectorId=detector_id)


@DetectorErrorHandler.common_error_handler("create the GuardDuty detector")
@aws_retry()
def create_detector(client, desired: Dict[str, Any]) -> str:
    params: Dict[str, Any] = {"Enable": desired["enabled"],
                              "FindingPublishingFrequency": desired["finding_publishing_frequency"]}
    if desired["features"]:
        params["Features"] = feature_configurations(desired["features"])
    if desired["tags"]:
        params["Tags"] = desired["tags"]
    return client.create_detector(**params)["DetectorId"]


@DetectorErrorHandler.common_error_handler("update the GuardDuty detector")
@aws_retry()
def update_detector(client, detector_id: str, desired: Dict[str, Any]) -> None:
    params: Dict[str, Any] = {"DetectorId": detector_id, "Enable": desired["enabled"],
                              "FindingPublishingFrequency": desired["finding_publishing_frequency"]}
    if desired["features"]:
        params["Features"] = feature_configurations(desired["features"])
    client.update_detector(**params)


@DetectorErrorHandler.common_error_handler("tag the GuardDuty detector")
@aws_retry()
def tag_detector(client, arn: str, to_set: Dict[str, str], to_remove: List[str]) -> None:
    if to_remove:
        client.untag_resource(ResourceArn=arn, TagKeys=to_remove)
    if to_set:
        client.tag_resource(ResourceArn=arn, Tags=to_set)
