# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: dynamodb_refresh_summary
short_description: The evidence of one masked DynamoDB table refresh, from a loop result of dynamodb_masked_refresh
version_added: 0.1.0
description:
  - Keeps what an evidence report and an audit record need (tables, counts, timings, verification outcome and
    problems, which name paths and counts, never values) and drops the rest of the module result.
options:
  _input:
    description: One element of C(results) of a looped M(envops.aws.dynamodb_masked_refresh) task.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Summarise the DynamoDB refreshes
  ansible.builtin.set_fact:
    summary: "{{ refresh.results | map('envops.aws.dynamodb_refresh_summary') | list }}"
"""

RETURN = r"""
_value:
  description: C(table), C(live_table), C(new_table), C(recovered), C(items), C(seconds), C(items_per_second),
    C(verified), C(problems), C(unclassified), C(old_table), C(old_table_deleted), C(failed), C(skipped).
  type: dict
"""


def dynamodb_refresh_summary(result):
    result = result or {}
    copy = result.get("copy") or {}
    verification = result.get("verification") or {}
    switch = result.get("switch") or {}
    return {
        "table": result.get("item"),
        "live_table": result.get("live_table"),
        "new_table": result.get("new_table"),
        "recovered": list(result.get("recovered") or []),
        "items": copy.get("items", 0),
        "seconds": copy.get("seconds", 0),
        "items_per_second": copy.get("items_per_second", 0),
        "verified": verification.get("ok", False) is True,
        "problems": list(verification.get("problems") or []),
        # the policy's reviewed exceptions that let a leak-scan finding pass: evidence, never dropped
        "exceptions": list(verification.get("exceptions") or []),
        "unclassified": list(result.get("unclassified") or copy.get("unclassified") or []),
        "old_table": switch.get("old_table"),
        "old_table_deleted": switch.get("old_table_deleted", False),
        "failed": bool(result.get("failed")),
        "skipped": bool(result.get("skipped")),
    }


class FilterModule(object):
    def filters(self):
        return {"dynamodb_refresh_summary": dynamodb_refresh_summary}
