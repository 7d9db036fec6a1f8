# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The estate's OUs, accounts and guardrails policies, planned from every environment's spec."""
import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.envops.aws.plugins.module_utils import account_plan as plans
from ansible_collections.envops.aws.plugins.module_utils import scp_guardrails

INVENTORIES = Path(__file__).resolve().parents[4] / "inventories"
ACCOUNTS = {"dev": "100000000001", "test": "100000000002", "staging": "100000000003", "prod": "100000000004",
            "dr": "100000000005"}


def estate(**changes):
    found = {}
    for name, account in ACCOUNTS.items():
        spec = yaml.safe_load((INVENTORIES / name / "host_vars" / name / "envops_spec.yml").read_text())["envops_spec"]
        if name in changes:
            spec = copy.deepcopy(spec)
            changes[name](spec)
        found[name] = {"spec": spec, "overrides": {"account": {"id": account}}}
    return found


def test_the_shipped_estate():
    plan = plans.plan(estate())
    assert [(ou["name"], ou["environments"], ou["policy_name"]) for ou in plan["ous"]] == [
        ("NonProduction", ["dev", "test"], "envops-guardrails-nonproduction"),
        ("Production", ["dr", "prod"], "envops-guardrails-production"),
        ("Staging", ["staging"], "envops-guardrails-staging")]
    production = plan["ous"][1]
    assert production["allowed_regions"] == ["eu-central-1", "me-south-1"]
    assert production["accounts"] == [{"id": "100000000004", "environments": ["prod"]},
                                      {"id": "100000000005", "environments": ["dr"]}]
    assert plan["accounts"][0] == {"id": "100000000001", "environments": ["dev"], "ou": "NonProduction"}
    assert [a["id"] for a in plan["accounts"]] == sorted(ACCOUNTS.values())
    for ou in plan["ous"]:
        assert scp_guardrails.document_problems(ou["policy_document"]) == []
        assert ou["guardrails"] == list(scp_guardrails.GUARDRAILS)


def test_a_guardrail_one_environment_turns_off_stays_on_for_its_ou():
    plan = plans.plan(estate(dev=lambda spec: spec["account"].update(guardrails={"deny_root": False})))
    nonproduction = plan["ous"][0]
    assert "deny_root" in nonproduction["guardrails"], "test still needs it"
    both = plans.plan(estate(dev=lambda s: s["account"].update(guardrails={"deny_root": False}),
                             test=lambda s: s["account"].update(guardrails={"deny_root": False})))
    assert "deny_root" not in both["ous"][0]["guardrails"]
    assert "DenyRootUser" not in [s["Sid"] for s in both["ous"][0]["policy_document"]["Statement"]]


def test_an_ou_without_any_guardrail_has_no_policy_document():
    off = dict.fromkeys(scp_guardrails.GUARDRAILS, False)
    plan = plans.plan(estate(staging=lambda spec: spec["account"].update(guardrails=off)))
    assert plan["ous"][2]["policy_document"] is None and plan["ous"][2]["guardrails"] == []


def test_an_estate_with_a_problem_is_refused_naming_it():
    with pytest.raises(plans.AccountPlanError, match=r"environment 'dev': field 'account.budget.monthly_usd'"):
        plans.plan(estate(dev=lambda spec: spec["account"].update(budget={"monthly_usd": 0})))


def test_report_lines():
    plan = plans.plan(estate())
    ous = [{"item": {"name": "NonProduction"}, "ou": {"id": "ou-ab12-11111111"}},
           {"item": {"name": "Production"}, "ou": {"id": "ou-ab12-22222222"}},
           {"item": {"name": "Staging"}, "skipped": True}]
    accounts = [{"item": {"id": "100000000001"}, "account": {"status": "member"}},
                {"item": {"id": "100000000002"}, "account": {"status": "invited"}}]
    policies = [{"item": {"name": "Production"}, "policy": {"id": "p-12345678", "targets": ["ou-ab12-22222222"]}}]
    lines = plans.report_lines(plan["ous"], ous, accounts, policies)
    assert lines[0] == ("OU NonProduction (ou-ab12-11111111): accounts 100000000001=member(dev) "
                        "100000000002=invited(test); guardrails envops-guardrails-nonproduction (to create) -> (none) "
                        "[deny_leave_organization, protect_security_services, allowed_regions_only, "
                        "require_encryption, deny_root] regions me-south-1")
    assert lines[1].startswith("OU Production (ou-ab12-22222222): accounts 100000000004=unknown(prod) "
                               "100000000005=unknown(dr); guardrails envops-guardrails-production p-12345678 -> "
                               "ou-ab12-22222222 [")
    assert lines[2].startswith("OU Staging (to create): accounts 100000000003=unknown(staging)")
