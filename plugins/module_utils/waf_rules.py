# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rules of an environment's web ACL, from the spec's ``waf`` section, in the order AWS WAF evaluates them.

1. IP allow set (allow): trusted networks pass before anything else can block them;
2. IP deny set (block);
3. rate-based rule: more than ``rate_limit`` requests per 5 minutes from one IP are blocked;
4. geo block (only when ``geo_block`` names countries: a geo match needs at least one);
5. each AWS managed rule group of ``managed_rules``, in the spec's order, with its ``rule_overrides``.

Both IP sets and their rules always exist, empty or not: the ACL keeps the same rules and priorities whatever the
lists hold, so adding an address later changes only the IP set, and the audit always finds both sets.

The rules are given in the snake_case form of community.aws.wafv2_web_acl's ``rules`` option (the module turns
``ip_set_reference_statement`` / ``arn`` into ``IPSetReferenceStatement`` / ``ARN``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# A rate-based rule counts over 5 minutes unless told otherwise; AWS answers the window, so it is given.
RATE_WINDOW_SECONDS = 300
IP_SET_KINDS = ("allow", "deny")


def metric_name(env_name, rule_name):
    """CloudWatch metric of a rule (and of the ACL itself with rule_name None)."""
    return "envops-%s" % env_name if rule_name is None else "envops-%s-%s" % (env_name, rule_name)


def _visibility(env_name, rule_name):
    return {"sampled_requests_enabled": True, "cloud_watch_metrics_enabled": True,
            "metric_name": metric_name(env_name, rule_name)}


def _rule(env_name, name, statement, action=None):
    rule = {"name": name, "statement": statement, "visibility_config": _visibility(env_name, name)}
    if action is None:
        rule["override_action"] = {"none": {}}
    else:
        rule["action"] = {action: {}}
    return rule


def _managed_group(group, overrides):
    statement = {"vendor_name": "AWS", "name": group}
    if overrides:
        statement["rule_action_overrides"] = [{"name": rule, "action_to_use": {action: {}}}
                                              for rule, action in sorted(overrides.items())]
    return {"managed_rule_group_statement": statement}


def web_acl_rules(env_name, waf, ip_set_arns):
    """The ``rules`` of community.aws.wafv2_web_acl for the environment's web ACL.

    ``waf`` is the normalised spec section (envops_env.waf), ``ip_set_arns`` {allow: arn, deny: arn}.
    """
    missing = [kind for kind in IP_SET_KINDS if not ip_set_arns.get(kind)]
    if missing:
        raise ValueError("the ARN of the IP set(s) %s is missing" % ", ".join(missing))
    rules = [
        _rule(env_name, "ip-allow", {"ip_set_reference_statement": {"arn": ip_set_arns["allow"]}}, "allow"),
        _rule(env_name, "ip-deny", {"ip_set_reference_statement": {"arn": ip_set_arns["deny"]}}, "block"),
        _rule(env_name, "rate-limit", {"rate_based_statement": {
            "limit": int(waf["rate_limit"]), "aggregate_key_type": "IP",
            "evaluation_window_sec": RATE_WINDOW_SECONDS}}, "block"),
    ]
    if waf.get("geo_block"):
        rules.append(_rule(env_name, "geo-block",
                           {"geo_match_statement": {"country_codes": list(waf["geo_block"])}}, "block"))
    overrides = waf.get("rule_overrides") or {}
    for group in waf.get("managed_rules") or []:
        rules.append(_rule(env_name, group, _managed_group(group, overrides.get(group))))
    for priority, rule in enumerate(rules):
        rule["priority"] = priority
    return rules
