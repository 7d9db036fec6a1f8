# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Organizations structure of an estate: its OUs, the accounts in each, and each OU's guardrails policy.

Computed from every environment of the inventory (whatever --limit selects), because an OU's policy is the union
of all its environments' needs: a run limited to dev must not shrink production's guardrails to dev's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envops.aws.plugins.module_utils import scp_guardrails
from ansible_collections.envops.aws.plugins.module_utils.env_validator import validate_environment


class AccountPlanError(ValueError):
    pass


def normalised_specs(estate):
    """Every environment's validated spec (``estate``: name -> {spec, overrides}); any problem refuses the plan."""
    specs, problems = [], []
    for name in sorted(estate):
        entry = estate[name]
        result = validate_environment(name, entry.get("spec"), entry.get("overrides"), estate)
        problems.extend(str(problem) for problem in result.problems)
        specs.append(result.spec)
    if problems:
        raise AccountPlanError("the estate's specs have problems, so its OUs and guardrails cannot be planned: %s"
                               % "; ".join(problems))
    return specs


def _accounts(environments):
    accounts = {}
    for env in environments:
        account = accounts.setdefault(env["account"]["id"], {"id": env["account"]["id"], "environments": []})
        account["environments"].append(env["name"])
    return sorted(accounts.values(), key=lambda a: a["id"])


def plan(estate):
    """{"ous": [{name, environments, accounts: [{id, environments}], policy_name, policy_description,
    policy_document (None: no guardrail enabled), allowed_regions}], "accounts": [{id, ou, environments}]} sorted
    by OU name and account id."""
    specs = normalised_specs(estate)
    ous, accounts, ou_of_account = [], [], {}
    for ou_name, environments in sorted(scp_guardrails.environments_by_ou(specs).items()):
        for account in _accounts(environments):
            if account["id"] in ou_of_account and ou_of_account[account["id"]] != ou_name:
                raise AccountPlanError("account %s is in OU %s (%s) and in OU %s (%s): an account is in one OU" % (
                    account["id"], ou_of_account[account["id"]], _names(accounts, account["id"]),
                    ou_name, ", ".join(account["environments"])))
            ou_of_account[account["id"]] = ou_name
            accounts.append(dict(account, ou=ou_name))
        ous.append({
            "name": ou_name,
            "environments": [env["name"] for env in environments],
            "accounts": _accounts(environments),
            "policy_name": scp_guardrails.policy_name(ou_name),
            "policy_description": scp_guardrails.policy_description(ou_name),
            "policy_document": scp_guardrails.policy_document(environments),
            "guardrails": list(scp_guardrails.enabled_guardrails(environments)),
            "allowed_regions": scp_guardrails.allowed_regions(environments),
        })
    return {"ous": ous, "accounts": sorted(accounts, key=lambda a: a["id"])}


def _names(accounts, account_id):
    return ", ".join(name for account in accounts if account["id"] == account_id for name in account["environments"])


def report_lines(ous, ou_results, account_results, policy_results):
    """One line per OU: its id, accounts (member / invited / ...), and its policy. The *_results are the
    ``results`` of the looped tasks (each with ``item``); a task skipped (check mode, nothing known yet) reads
    "unknown"."""
    ou_ids = dict((r["item"]["name"], (r.get("ou") or {}).get("id")) for r in ou_results)
    account_state = dict((r["item"]["id"], (r.get("account") or {}).get("status", "unknown")) for r in account_results)
    policies = dict((r["item"]["name"], r.get("policy") or {}) for r in policy_results)
    lines = []
    for ou in ous:
        accounts = " ".join("%s=%s(%s)" % (a["id"], account_state.get(a["id"], "unknown"), ",".join(a["environments"]))
                            for a in ou["accounts"])
        if ou["policy_document"] is None:
            guardrails = "no guardrail enabled"
        else:
            policy = policies.get(ou["name"], {})
            guardrails = "%s %s -> %s [%s] regions %s" % (
                ou["policy_name"], policy.get("id") or "(to create)", ",".join(policy.get("targets") or []) or "(none)",
                ", ".join(ou["guardrails"]), ",".join(ou["allowed_regions"]))
        lines.append("OU %s (%s): accounts %s; guardrails %s" % (
            ou["name"], ou_ids.get(ou["name"]) or "to create", accounts, guardrails))
    return lines
