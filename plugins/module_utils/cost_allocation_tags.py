# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cost allocation tags (Cost Explorer): which user-defined tag keys split the bill.

AWS knows a tag key only after billing has seen it on a resource (up to 24 hours after the first tagged resource):
until then UpdateCostAllocationTagsStatus answers an error for it. Those keys are reported as pending, not failed,
so a first provisioning of a new account goes through and a later run activates them. In an organization, only the
management account may change the status of cost allocation tags.
"""

import re
from typing import Any
from typing import Dict
from typing import List

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.baseline_plan import COST_ALLOCATION_TAGS

TAG_KEY = re.compile(r"^[\w.:/=+@ -]{1,128}$")
MAX_KEYS_PER_UPDATE = 20  # UpdateCostAllocationTagsStatus takes up to 20 keys a call
STATUSES = {"active": "Active", "inactive": "Inactive"}
DEFAULT_TAG_KEYS = list(COST_ALLOCATION_TAGS)


def problems(params: Dict[str, Any]) -> List[str]:
    bad = [key for key in params["tag_keys"] if not TAG_KEY.match(key) or key.startswith("aws:")]
    if bad:
        return ["tag_keys: %s %s not user-defined tag keys." % (", ".join(map(repr, bad)),
                                                                "is" if len(bad) == 1 else "are")]
    if not params["tag_keys"]:
        return ["tag_keys: at least one tag key."]
    return []


def statuses(listed: List[Dict[str, Any]]) -> Dict[str, str]:
    """Tag key -> Status of ListCostAllocationTags rows."""
    return {row["TagKey"]: row["Status"] for row in listed}


def to_change(current: Dict[str, str], tag_keys: List[str], status: str) -> List[str]:
    """The keys whose status is not yet status (Active / Inactive), in the order given, once each."""
    return [key for key in dict.fromkeys(tag_keys) if current.get(key) != status]


def batches(keys: List[str]) -> List[List[str]]:
    return [keys[start:start + MAX_KEYS_PER_UPDATE] for start in range(0, len(keys), MAX_KEYS_PER_UPDATE)]


@AWSErrorHandler.common_error_handler("list the cost allocation tags")
@aws_retry()
def list_tags(client, tag_keys: List[str]) -> List[Dict[str, Any]]:
    rows, token = [], None
    for batch in batches(list(dict.fromkeys(tag_keys))):
        while True:
            page = client.list_cost_allocation_tags(TagKeys=batch, Type="UserDefined", **({"NextToken": token} if token else {}))
            rows += page.get("CostAllocationTags", [])
            token = page.get("NextToken")
            if not token:
                break
    return rows


@AWSErrorHandler.common_error_handler("update the status of the cost allocation tags")
@aws_retry()
def update_status(client, keys: List[str], status: str) -> List[Dict[str, Any]]:
    """Set status on keys; the Errors AWS answers (keys it could not update)."""
    errors = []
    for batch in batches(keys):
        answer = client.update_cost_allocation_tags_status(
            CostAllocationTagsStatus=[{"TagKey": key, "Status": status} for key in batch])
        errors += answer.get("Errors", [])
    return errors
