# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parity diff of two environments (``audit.yml -e audit_compare=staging,prod``).

Two kinds of difference, kept apart:

- declared: the specs say so (sizes, thresholds, retention...): intended, shown so the operator sees how far
  staging is from prod;
- drift: a live setting that differs from its own environment's spec (a failed check of that environment's audit),
  whatever the other environment does.

Identity fields (names, account, region, CIDRs, tags, DNS) always differ and are left out of the declared part.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.envops.aws.plugins.module_utils.audit_checks import FAILED

# The spec sections whose values an operator compares between environments.
PARITY_SECTIONS = (
    "type", "isolation", "network.az_count", "network.nat_mode", "network.flow_logs", "network.endpoints",
    "compute", "storage", "backup", "recovery", "waf", "logging", "monitoring", "data.kms_key_classes",
    "data.database", "data.dynamodb_tables", "data.buckets", "data.cache", "data_masking", "deployment_strategy",
    "dr.strategy", "account.ou", "account.guardrails", "account.budget",
)

# Inside those sections, what is an identity rather than a setting.
IDENTITY_KEYS = ("name", "database_name", "master_username", "master_secret")


def _flatten(value, path, out):
    if isinstance(value, dict):
        for key in sorted(value):
            if key not in IDENTITY_KEYS or not path.startswith("data."):
                _flatten(value[key], "%s.%s" % (path, key) if path else key, out)
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        for item in value:
            label = item.get("name") or item.get("purpose") or json.dumps(item, sort_keys=True)
            _flatten(dict((k, v) for k, v in item.items() if k not in ("name", "purpose")),
                     "%s[%s]" % (path, label), out)
            out.setdefault("%s[%s]" % (path, label), True)
    else:
        out[path] = value
    return out


def _section(spec, dotted):
    value = spec
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def declared_differences(spec_a, spec_b):
    """Every setting of PARITY_SECTIONS whose value differs between the two specs: [{field, a, b}], by field;
    a value one spec does not have is None."""
    flat_a, flat_b = {}, {}
    for section in PARITY_SECTIONS:
        _flatten(_section(spec_a, section), section, flat_a)
        _flatten(_section(spec_b, section), section, flat_b)
    fields = sorted(set(flat_a) | set(flat_b))
    return [{"field": field, "a": flat_a.get(field), "b": flat_b.get(field)}
            for field in fields if flat_a.get(field) != flat_b.get(field)]


def drift(results):
    """The failed checks of one environment: where live state differs from its own spec."""
    return [{"id": r["id"], "severity": r["severity"], "resource": r["resource"], "message": r["message"]}
            for r in results if r["status"] == FAILED]


def parity(spec_a, spec_b, results_a, results_b):
    return {"environments": [spec_a["name"], spec_b["name"]],
            "declared": declared_differences(spec_a, spec_b),
            "drift": {spec_a["name"]: drift(results_a), spec_b["name"]: drift(results_b)}}


def parity_lines(diff):
    """The diff as the playbook prints it, one line per difference."""
    a, b = diff["environments"]
    lines = ["parity %s vs %s: %d declared differences, drift %s=%d %s=%d" % (
        a, b, len(diff["declared"]), a, len(diff["drift"][a]), b, len(diff["drift"][b]))]
    for row in diff["declared"]:
        lines.append("declared %s: %s=%s %s=%s" % (row["field"], a, json.dumps(row["a"]), b, json.dumps(row["b"])))
    for env in (a, b):
        for row in diff["drift"][env]:
            lines.append("drift %s %s (%s) %s: %s" % (env, row["id"], row["severity"], row["resource"],
                                                      row["message"]))
    return lines
