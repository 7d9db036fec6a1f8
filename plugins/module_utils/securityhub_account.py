# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Security Hub in an account and region: the hub, its tags, its control finding generator, its standards.

The hub is enabled without AWS's default standards (EnableDefaultStandards false): the standards subscribed are
exactly the ones asked for, each checked against DescribeStandards before any change so that a wrong ARN is named
instead of half-applied. Subscriptions being deleted or failed count as not subscribed.
"""

import re
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.resource_tags import wanted_tags

FINDING_GENERATORS = ("SECURITY_CONTROL", "STANDARD_CONTROL")
# A standard's ARN: regional "standards/..." or the global "ruleset/..." of CIS 1.2.0.
STANDARDS_ARN = re.compile(r"^arn:aws[a-z-]*:securityhub:([a-z]{2}(-[a-z]+)+-\d)?::(standards|ruleset)/[a-z0-9./-]+$")
NOT_SUBSCRIBED = ("DELETING", "FAILED")


def validate(standards: Optional[Iterable[str]]) -> List[str]:
    """What is wrong with the wanted standards ARNs (empty: nothing)."""
    return ["standards: %r is not the ARN of a Security Hub standard (arn:aws:securityhub:<region>::standards/...)."
            % arn for arn in standards or [] if not isinstance(arn, str) or not STANDARDS_ARN.match(arn)]


def unknown_standards(wanted: Iterable[str], available: Iterable[str], region: str) -> Optional[str]:
    """Why the wanted standards cannot be subscribed (None: they can): ARNs Security Hub does not offer here."""
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        return "Security Hub in %s offers no standard %s (DescribeStandards)." % (region, ", ".join(unknown))
    return None


def state_of(hub: Optional[Dict[str, Any]], tags: Optional[Dict[str, str]],
             subscriptions: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """What is compared: enabled, hub_arn, control_finding_generator, tags, standards (ARNs subscribed, sorted)."""
    if hub is None:
        return {"enabled": False}
    return {
        "enabled": True,
        "hub_arn": hub.get("HubArn"),
        "control_finding_generator": hub.get("ControlFindingGenerator"),
        "tags": dict(tags or {}),
        "standards": sorted(s["StandardsArn"] for s in subscriptions if s.get("StandardsStatus") not in NOT_SUBSCRIBED),
    }


def desired_state(current: Dict[str, Any], generator: Optional[str], standards: Optional[List[str]],
                  purge_standards: bool, tags: Optional[Dict[str, Any]], purge_tags: bool) -> Dict[str, Any]:
    """The state after a run: what is not asked for stays as it is."""
    current_standards = current.get("standards") or []
    if standards is None:
        wanted = list(current_standards)
    elif purge_standards:
        wanted = sorted(set(standards))
    else:
        wanted = sorted(set(standards) | set(current_standards))
    return {
        "enabled": True,
        "hub_arn": current.get("hub_arn"),
        "control_finding_generator": generator or current.get("control_finding_generator") or "SECURITY_CONTROL",
        "tags": wanted_tags(current.get("tags") or {}, tags, purge_tags),
        "standards": wanted,
    }


def standards_changes(current: Dict[str, Any], desired: Dict[str, Any], subscriptions: Iterable[Dict[str, Any]]):
    """(standards ARNs to subscribe, subscription ARNs to end)."""
    to_enable = sorted(set(desired["standards"]) - set(current.get("standards") or []))
    ending = set(current.get("standards") or []) - set(desired["standards"])
    to_disable = sorted(s["StandardsSubscriptionArn"] for s in subscriptions
                        if s["StandardsArn"] in ending and s.get("StandardsStatus") not in NOT_SUBSCRIBED)
    return to_enable, to_disable


class HubErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        # a hub that is not enabled answers InvalidAccessException
        return is_boto3_error_code(["InvalidAccessException", "ResourceNotFoundException"])


@HubErrorHandler.list_error_handler("describe the Security Hub hub", None)
@aws_retry()
def describe_hub(client) -> Optional[Dict[str, Any]]:
    return client.describe_hub()


@HubErrorHandler.common_error_handler("enable Security Hub")
@aws_retry()
def enable_hub(client, generator: str, tags: Dict[str, str]) -> None:
    params: Dict[str, Any] = {"EnableDefaultStandards": False, "ControlFindingGenerator": generator}
    if tags:
        params["Tags"] = tags
    client.enable_security_hub(**params)


@HubErrorHandler.common_error_handler("update the Security Hub configuration")
@aws_retry()
def update_generator(client, generator: str) -> None:
    client.update_security_hub_configuration(ControlFindingGenerator=generator)


@HubErrorHandler.common_error_handler("list the tags of the Security Hub hub")
@aws_retry()
def list_tags(client, hub_arn: str) -> Dict[str, str]:
    return client.list_tags_for_resource(ResourceArn=hub_arn).get("Tags") or {}


@HubErrorHandler.common_error_handler("tag the Security Hub hub")
@aws_retry()
def tag_hub(client, hub_arn: str, to_set: Dict[str, str], to_remove: List[str]) -> None:
    if to_remove:
        client.untag_resource(ResourceArn=hub_arn, TagKeys=to_remove)
    if to_set:
        client.tag_resource(ResourceArn=hub_arn, Tags=to_set)


@HubErrorHandler.common_error_handler("describe the Security Hub standards")
@aws_retry()
def available_standards(client) -> List[str]:
    arns: List[str] = []
    for page in client.get_paginator("describe_standards").paginate():
        arns.extend(standard["StandardsArn"] for standard in page.get("Standards") or [])
    return arns


@HubErrorHandler.common_error_handler("get the enabled Security Hub standards")
@aws_retry()
def enabled_standards(client) -> List[Dict[str, Any]]:
    subscriptions: List[Dict[str, Any]] = []
    for page in client.get_paginator("get_enabled_standards").paginate():
        subscriptions.extend(page.get("StandardsSubscriptions") or [])
    return subscriptions


@HubErrorHandler.common_error_handler("subscribe Security Hub to standards")
@aws_retry()
def enable_standards(client, standards_arns: List[str]) -> None:
    client.batch_enable_standards(StandardsSubscriptionRequests=[{"StandardsArn": arn} for arn in standards_arns])


@HubErrorHandler.common_error_handler("unsubscribe Security Hub from standards")
@aws_retry()
def disable_standards(client, subscription_arns: List[str]) -> None:
    client.batch_disable_standards(StandardsSubscriptionArns=subscription_arns)
