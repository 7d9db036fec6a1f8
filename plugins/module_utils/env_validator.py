# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one validator of environment specs: schema, cross-field and estate rules.

It never talks to AWS: every playbook runs it first, so a bad spec stops the
run before the first API call with the environment, field and rule named.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envops.aws.plugins.module_utils.cidr_plan import CidrPlanError
from ansible_collections.envops.aws.plugins.module_utils.cidr_plan import plan_subnets
from ansible_collections.envops.aws.plugins.module_utils.env_rules import ESTATE_RULES
from ansible_collections.envops.aws.plugins.module_utils.env_rules import SPEC_RULES
from ansible_collections.envops.aws.plugins.module_utils.env_schema import SPEC
from ansible_collections.envops.aws.plugins.module_utils.spec_fields import SpecProblem


def deep_merge(base, overrides):
    """Return ``base`` with ``overrides`` merged in (dicts recursively, anything else replaced)."""
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class ValidatedEnvironment:
    """Result of validating one environment: the normalised spec, its subnet plan, the problems."""

    def __init__(self, spec, subnet_plan, problems):
        self.spec = spec
        self.subnet_plan = subnet_plan
        self.problems = problems

    @property
    def ok(self):
        return not self.problems


def check_schema(name, spec):
    """Schema only: return ``(normalised spec, problems)``."""
    problems = []
    normalised = SPEC.check(spec, "", name, problems)
    return normalised, problems


def validate_environment(name, spec, overrides=None, estate=None):
    """Validate environment ``name``.

    spec: the environment definition; overrides: what this inventory changes
    (merged in first); estate: ``{name: {'spec':..., 'overrides':...}}`` of
    every environment known to the inventory, for the rules that compare
    environments.  Other environments' own problems are not reported here.
    """
    merged = deep_merge(spec, overrides or {}) if isinstance(spec, dict) else spec
    normalised, problems = check_schema(name, merged)
    if problems:
        return ValidatedEnvironment(normalised, [], problems)

    if normalised["name"] != name:
        problems.append(SpecProblem(name, "name", "matches_inventory",
                                    "name %r differs from the inventory host %r" % (normalised["name"], name)))
    for rule in SPEC_RULES:
        problems.extend(SpecProblem(name, field, rule_id, msg) for field, rule_id, msg in rule(normalised))

    expires_at = normalised["lifecycle"].get("expires_at")
    if expires_at:
        # every resource of a preview carries its expiry, so the reaper and humans can see it on the resource
        normalised["tags"].setdefault("expires_at", expires_at)

    plan = []
    network = normalised["network"]
    tier_prefixes = dict((tier, cfg["prefix"]) for tier, cfg in network["tiers"].items())
    try:
        plan = plan_subnets(network["vpc_cidr"], tier_prefixes, network["az_count"], network["max_azs"])
    except CidrPlanError as exc:
        problems.append(SpecProblem(name, exc.field, "subnets_inside_vpc", str(exc)))

    others = _valid_others(name, estate or {})
    for rule in ESTATE_RULES:
        problems.extend(SpecProblem(name, field, rule_id, msg) for field, rule_id, msg in rule(normalised, others))
    return ValidatedEnvironment(normalised, plan, problems)


def _valid_others(name, estate):
    """Schema-valid specs of the other environments (invalid ones are reported in their own run)."""
    others = []
    for other_name, entry in sorted(estate.items()):
        if other_name == name or not isinstance(entry.get("spec"), dict):
            continue
        other, problems = check_schema(other_name, deep_merge(entry["spec"], entry.get("overrides") or {}))
        if not problems:
            others.append(other)
    return others
