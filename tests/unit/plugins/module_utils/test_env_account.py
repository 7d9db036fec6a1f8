# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The spec's account section (access role, guardrails, budget): hostile values are refused naming the environment,
the field and the rule, and a live environment's OU is not shared with non-production ones."""
import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.envops.aws.plugins.module_utils.env_validator import validate_environment

INVENTORIES = Path(__file__).resolve().parents[4] / "inventories"
ENVIRONMENTS = ("dev", "test", "staging", "prod", "dr")


def load_spec(name):
    return yaml.safe_load((INVENTORIES / name / "host_vars" / name / "envops_spec.yml").read_text())["envops_spec"]


def estate(**specs):
    found = dict((name, {"spec": load_spec(name), "overrides": {}}) for name in ENVIRONMENTS)
    for name, spec in specs.items():
        found[name]["spec"] = spec
    return found


def with_account(name, **account):
    spec = copy.deepcopy(load_spec(name))
    spec["account"].update(account)
    return spec


def problems(name, spec):
    result = validate_environment(name, spec, {}, estate(**{name: spec}))
    return [(p.env, p.field, p.rule) for p in result.problems], result


def test_the_defaults_of_the_account_section():
    spec = with_account("dev")
    del spec["account"]["budget"]
    found, result = problems("dev", spec)
    assert found == []
    assert result.spec["account"]["access_role"] == "OrganizationAccountAccessRole"
    assert result.spec["account"]["guardrails"] == dict.fromkeys(
        ("deny_leave_organization", "protect_security_services", "allowed_regions_only", "require_encryption",
         "deny_root"), True)
    assert "budget" not in result.spec["account"]


def test_the_shipped_budgets():
    budgets = dict((name, load_spec(name)["account"]["budget"]["monthly_usd"]) for name in ENVIRONMENTS)
    assert budgets == {"dev": 500, "test": 800, "staging": 3000, "prod": 20000, "dr": 8000}


def test_a_budget_takes_the_default_thresholds():
    _found, result = problems("dev", with_account("dev", budget={"monthly_usd": 12.5}))
    assert result.spec["account"]["budget"] == {"monthly_usd": 12.5, "thresholds_percent": [50, 80, 100]}


HOSTILE = [
    ("access_role", "Organization Account Access Role", "account.access_role", "pattern"),
    ("access_role", "role/../admin", "account.access_role", "pattern"),
    ("access_role", "r" * 65, "account.access_role", "pattern"),
    ("access_role", "", "account.access_role", "pattern"),
    ("access_role", None, "account.access_role", "not_null"),
    ("access_role", ["OrganizationAccountAccessRole"], "account.access_role", "type"),
    ("guardrails", {"deny_everything": True}, "account.guardrails.deny_everything", "unknown_key"),
    ("guardrails", {"deny_root": "yes"}, "account.guardrails.deny_root", "type"),
    ("guardrails", {"deny_root": None}, "account.guardrails.deny_root", "not_null"),
    ("guardrails", None, "account.guardrails", "not_null"),
    ("guardrails", ["deny_root"], "account.guardrails", "type"),
    ("budget", None, "account.budget", "not_null"),
    ("budget", {}, "account.budget.monthly_usd", "required"),
    ("budget", {"monthly_usd": 0}, "account.budget.monthly_usd", "exclusive_minimum"),
    ("budget", {"monthly_usd": -10}, "account.budget.monthly_usd", "exclusive_minimum"),
    ("budget", {"monthly_usd": "500"}, "account.budget.monthly_usd", "type"),
    ("budget", {"monthly_usd": True}, "account.budget.monthly_usd", "type"),
    ("budget", {"monthly_usd": None}, "account.budget.monthly_usd", "not_null"),
    ("budget", {"monthly_usd": 500, "currency": "EUR"}, "account.budget.currency", "unknown_key"),
    ("budget", {"monthly_usd": 500, "thresholds_percent": [0, 50]}, "account.budget.thresholds_percent[0]", "minimum"),
    ("budget", {"monthly_usd": 500, "thresholds_percent": [50, 1001]}, "account.budget.thresholds_percent[1]",
     "maximum"),
    ("budget", {"monthly_usd": 500, "thresholds_percent": [50, 50, 100]}, "account.budget.thresholds_percent",
     "unique"),
    ("budget", {"monthly_usd": 500, "thresholds_percent": [100, 80]}, "account.budget.thresholds_percent",
     "ascending"),
    ("budget", {"monthly_usd": 500, "thresholds_percent": []}, "account.budget.thresholds_percent", "not_empty"),
    ("budget", {"monthly_usd": 500, "thresholds_percent": [50.5]}, "account.budget.thresholds_percent[0]", "type"),
    ("budget", {"monthly_usd": 500, "thresholds_percent": None}, "account.budget.thresholds_percent", "not_null"),
]


@pytest.mark.parametrize("key, value, field, rule", HOSTILE, ids=["%s:%s" % (h[2], h[3]) for h in HOSTILE])
@pytest.mark.parametrize("name", ("dev", "prod"))
def test_hostile_account_values_are_refused_naming_environment_field_and_rule(name, key, value, field, rule):
    found, result = problems(name, with_account(name, **{key: value}))
    assert (name, field, rule) in found, found
    text = str([p for p in result.problems if p.rule == rule][0])
    assert "environment '%s'" % name in text and "field '%s'" % field in text and "rule: %s" % rule in text


def test_a_production_ou_shared_with_development_is_refused_from_either_run():
    dev = with_account("dev", ou="Production")
    environments = estate(dev=dev)
    dev_problems = validate_environment("dev", dev, {}, environments).problems
    prod_problems = validate_environment("prod", load_spec("prod"), {}, environments).problems
    # dev shares the OU with prod and with dr: one problem each, naming them
    assert [(p.field, p.rule) for p in dev_problems] == [("account.ou", "live_ou_not_shared")] * 2
    assert sorted(str(p).split(": ")[2].split(" (")[0] for p in dev_problems) == [
        "'Production' is the OU of dr", "'Production' is the OU of prod"]
    assert [(p.field, p.rule) for p in prod_problems] == [("account.ou", "live_ou_not_shared")]
    assert "the OU 'Production' of a production environment is shared with dev (development)" in str(
        prod_problems[0])


def test_production_and_its_dr_may_share_an_ou_and_so_may_non_production_ones():
    assert load_spec("prod")["account"]["ou"] == load_spec("dr")["account"]["ou"]
    assert load_spec("dev")["account"]["ou"] == load_spec("test")["account"]["ou"]
    for name in ENVIRONMENTS:
        assert validate_environment(name, load_spec(name), {}, estate()).problems == []
