# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resources that carry an expiry: the tag ``envops:expires-at`` (UTC, ``YYYY-MM-DDTHH:MM:SSZ``).

Procedures tag what they create for a while and remove themselves (the scratch copies of a masked refresh); a run
killed before its cleanup leaves them, and a scheduled reaper removes those whose time is up.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datetime import datetime
from datetime import timezone

EXPIRY_TAG = "envops:expires-at"
_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def parse_utc(value):
    """A UTC time of the tag's format (seconds may be left out); ValueError otherwise."""
    text = str(value)
    if len(text) == 17 and text.endswith("Z"):
        text = text[:16] + ":00Z"
    return datetime.strptime(text, _FORMAT).replace(tzinfo=timezone.utc)


def resource_tags(resource):
    """A resource's tags as a dict: ``tags`` (a dict), else ``tag_list`` / ``TagList`` (key-value pairs), as the info
    modules differ (amazon.aws.rds_snapshot_info fills only tag_list)."""
    tags = dict(resource.get("tags") or {})
    for pair in resource.get("tag_list") or resource.get("TagList") or []:
        tags.setdefault(pair.get("key", pair.get("Key")), pair.get("value", pair.get("Value")))
    return tags


def expired(resources, now, required_tags=None, name_key="name"):
    """The names of the resources whose expiry tag is at or before ``now`` and which carry every required tag.

    ``resources``: dicts with the name under ``name_key`` and their tags (``resource_tags``), as the amazon.aws info
    modules return them. A resource without the tag, or with a tag that is not a time, never expires: it is not ours
    to remove.
    """
    moment = parse_utc(now)
    found = []
    for resource in resources or []:
        tags = resource_tags(resource)
        if any(tags.get(key) != value for key, value in (required_tags or {}).items()):
            continue
        try:
            expires_at = parse_utc(tags[EXPIRY_TAG])
        except (KeyError, ValueError):
            continue
        if expires_at <= moment:
            found.append(resource[name_key])
    return sorted(found)
