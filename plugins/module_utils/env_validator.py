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
    if spec is None:
        # an empty spec file, `envops_spec:` with nothing under it, or no envops_spec at all
        return spec, [SpecProblem(name, "(spec)", "required",
                                  "no environment spec: envops_spec is undefined, empty or null")]
    if not isinstance(spec, dict):
        return spec, [SpecProblem(name, "(spec)", "type", "envops_spec must be a mapping, got %s"
                                  % type(spec).__name__)]
    problems = []
    normalised = SPEC.check(spec, "", name, problems)
    return normalised, problems


def validate_environment(name, spec, overrides=None, estate=None):
    """Validate environment ``name``.

    spec: the environment definition; overrides: what this inventory changes
    (merged in first); estate: ``{name: {'spec':..., 'overrides':...}}`` of
    every environment known to the inventory, for the rules that compare
    environments: each runs against every other environment, so a rule that
    binds two environments refuses either one's run.  Another environment
    whose spec fails the schema refuses the run too (naming it), since the
    rules cannot be checked against it; its other problems are its own run's.
    """
    merged = deep_merge(spec, overrides or {}) if isinstance(spec, dict) else spec
    normalised, problems = check_schema(name, merged)
    if problems:
        return ValidatedEnvironment(normalised, [], problems)

    if normalised["name"] != name:
        problems.append(SpecProblem(name, "name", "matches_inventory",
                                    "name %r differs from the inventory host %r" % (normalised["name"], name)))
    expires_at = normalised["lifecycle"].get("expires_at")
    if expires_at:
        # every resource of a preview carries its expiry, so the reaper and humans can see it on the resource
        normalised["tags"].setdefault("expires_at", expires_at)
    for rule in SPEC_RULES:
        problems.extend(SpecProblem(name, field, rule_id, msg) for field, rule_id, msg in rule(normalised))

    plan = []
    network = normalised["network"]
    tier_prefixes = dict((tier, cfg["prefix"]) for tier, cfg in network["tiers"].items())
    try:
        plan = plan_subnets(network["vpc_cidr"], tier_prefixes, network["az_count"], network["max_azs"])
    except CidrPlanError as exc:
        problems.append(SpecProblem(name, exc.field, "subnets_inside_vpc", str(exc)))

    others, invalid = _others(name, estate or {})
    problems.extend(invalid)
    for other in others:
        for rule in ESTATE_RULES:
            problems.extend(SpecProblem(name, field, rule_id, msg) for field, rule_id, msg in rule(normalised, other))
    return ValidatedEnvironment(normalised, plan, problems)


def _others(name, estate):
    """The other environments' normalised specs, and the problems that refuse ``name`` because one is invalid."""
    others, problems = [], []
    for other_name, entry in sorted(estate.items()):
        if other_name == name:
            continue
        entry = entry if isinstance(entry, dict) else {}
        overrides = entry.get("overrides") or {}
        if not isinstance(overrides, dict):
            other, found = None, [SpecProblem(other_name, "(overrides)", "type", "envops_spec_overrides must be a "
                                              "mapping, got %s" % type(overrides).__name__)]
        else:
            spec = entry.get("spec")
            other, found = check_schema(other_name, deep_merge(spec, overrides) if isinstance(spec, dict) else spec)
        if not found and other["name"] != other_name:
            found = [SpecProblem(other_name, "name", "matches_inventory",
                                 "name %r differs from the inventory host %r" % (other["name"], other_name))]
        if found:
            problems.append(SpecProblem(name, "(estate)", "estate_valid", (
                "environment %r of the inventory is invalid (below): the rules that compare environments cannot be "
                "checked against it" % other_name)))
            problems.extend(found)
        else:
            others.append(other)
    return others, problems
