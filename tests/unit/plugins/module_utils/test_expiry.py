# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils.expiry import expired
from ansible_collections.envops.aws.plugins.module_utils.expiry import parse_utc

SCRATCH = {"purpose": "masked-refresh"}


def instance(name, **tags):
    return {"db_instance_identifier": name, "tags": tags}


def test_expired_at_or_before_now_with_the_required_tags_only():
    resources = [
        instance("past", purpose="masked-refresh", **{"envops:expires-at": "2026-12-07T09:59:59Z"}),
        instance("now", purpose="masked-refresh", **{"envops:expires-at": "2026-12-07T10:00Z"}),
        instance("future", purpose="masked-refresh", **{"envops:expires-at": "2026-12-07T10:00:01Z"}),
        instance("someone-elses", purpose="other", **{"envops:expires-at": "2020-01-01T00:00:00Z"}),
        instance("untagged", purpose="masked-refresh"),
        instance("garbage", purpose="masked-refresh", **{"envops:expires-at": "soon"}),
    ]
    assert expired(resources, "2026-12-07T10:00:00Z", SCRATCH, "db_instance_identifier") == ["now", "past"]
    assert expired(resources, "2019-01-01T00:00:00Z", SCRATCH, "db_instance_identifier") == []


def test_a_resource_without_tags_is_never_expired():
    assert expired([{"name": "bare"}, {"name": "none", "tags": None}], "2030-01-01T00:00:00Z") == []


def test_now_must_be_a_utc_time():
    with pytest.raises(ValueError):
        expired([], "2026-12-07 10:00")
    assert parse_utc("2026-12-07T10:00Z").isoformat() == "2026-12-07T10:00:00+00:00"


def test_tags_are_read_from_tag_list_when_the_info_module_leaves_tags_empty():
    snapshot = {"db_snapshot_identifier": "s1", "tags": {},
                "tag_list": [{"key": "purpose", "value": "masked-refresh"},
                             {"key": "envops:expires-at", "value": "2026-12-07T09:00:00Z"}]}
    assert expired([snapshot], "2026-12-07T10:00:00Z", SCRATCH, "db_snapshot_identifier") == ["s1"]
