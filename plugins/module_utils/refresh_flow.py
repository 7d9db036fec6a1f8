# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which data flows a masked refresh may make (seeds 003/004: "no data flow from lower to higher environments").

A refresh copies production data, masked, into a lower environment. Everything else is refused before any data
is read: a source that is not production, a target that holds live data (production, dr), a target whose spec
does not say it holds masked data, a flow from lower to higher, and a refresh of an environment into itself.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envops.aws.plugins.module_utils.env_schema import LIVE_DATA_TYPES
from ansible_collections.envops.aws.plugins.module_utils.env_schema import NON_PROD_TYPES

# Higher rank = closer to production. A flow always goes from a higher rank to a strictly lower one.
RANK = {"development": 0, "testing": 1, "staging": 2, "production": 3, "dr": 3}
SOURCE_TYPES = ("production",)


def flow_problems(source, target):
    """Every reason the refresh from spec ``source`` to spec ``target`` is not allowed (empty: allowed).

    Both are validated specs (name, type, data_masking)."""
    problems = []
    if source["name"] == target["name"]:
        problems.append("source and target are the same environment %r" % source["name"])
    if source["type"] not in SOURCE_TYPES:
        problems.append("the source must be a production environment, %r is %s" % (source["name"], source["type"]))
    if target["type"] in LIVE_DATA_TYPES:
        problems.append("the target %r is a %s environment: it holds live data and is never overwritten by a "
                        "refresh" % (target["name"], target["type"]))
    elif target["type"] not in NON_PROD_TYPES:
        problems.append("the target %r has type %s, not one of %s" % (target["name"], target["type"],
                                                                      ", ".join(NON_PROD_TYPES)))
    if RANK.get(target["type"], 0) >= RANK.get(source["type"], 0) and source["name"] != target["name"]:
        problems.append("data flows only from higher to lower environments: %s (%s) -> %s (%s) is not downward"
                        % (source["name"], source["type"], target["name"], target["type"]))
    if target["type"] in NON_PROD_TYPES and not target.get("data_masking"):
        problems.append("the target %r does not declare data_masking: true in its spec" % target["name"])
    return problems
