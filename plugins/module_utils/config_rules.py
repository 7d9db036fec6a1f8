# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Config managed rules of an account and region: the wanted set kept, the ones of our prefix no longer wanted
removed.

A rule is compared by its managed rule identifier, its input parameters (as JSON, key order ignored) and its
evaluation modes, not by the raw DescribeConfigRules answer, which grows fields (ConfigRuleId, EvaluationModes...).
Only rules whose name starts with the purge prefix are ever deleted: rules of others (Security Hub's
securityhub-*, conformance packs) are never touched.
"""

import json
import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

RULE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
IDENTIFIER = re.compile(r"^[A-Z0-9_]{1,256}$")
PREFIX = re.compile(r"^[A-Za-z0-9_-]{2,64}$")
DETECTIVE = [{"Mode": "DETECTIVE"}]


def validate(rules: Dict[str, Any], purge_prefix: Optional[str]) -> List[str]:
    """What is wrong with the wanted rules (name -> managed identifier) and the purge prefix (empty: nothing)."""
    problems = []
    if purge_prefix is not None and not PREFIX.match(purge_prefix):
        problems.append("purge_prefix: %r must be 2 to 64 letters, digits, '_' or '-'." % purge_prefix)
    for name, identifier in rules.items():
        if not RULE_NAME.match(str(name)):
            problems.append("rules: name %r must be 1 to 128 letters, digits, '_' or '-'." % name)
        if not isinstance(identifier, str) or not IDENTIFIER.match(identifier):
            problems.append("rules.%s: %r is not a managed rule identifier (upper case, digits, '_')."
                            % (name, identifier))
    return problems


def state_of(rule: Dict[str, Any]) -> Dict[str, Any]:
    """A DescribeConfigRules rule as compared: identifier, input_parameters (dict), evaluation_modes."""
    source = rule.get("Source") or {}
    return {
        "identifier": source.get("SourceIdentifier") if source.get("Owner") == "AWS" else None,
        "input_parameters": json.loads(rule.get("InputParameters") or "{}"),
        "evaluation_modes": sorted(mode["Mode"] for mode in rule.get("EvaluationModes") or DETECTIVE),
    }


def wanted(identifier: str) -> Dict[str, Any]:
    return {"identifier": identifier, "input_parameters": {}, "evaluation_modes": ["DETECTIVE"]}


def plan(current: Dict[str, Dict[str, Any]], rules: Dict[str, str], purge_prefix: Optional[str]) -> Dict[str, Any]:
    """The rules to put (new or changed) and to delete (of the prefix, no longer wanted), by name."""
    to_put = sorted(name for name, identifier in rules.items() if current.get(name) != wanted(identifier))
    to_delete = sorted(name for name in current if name not in rules and purge_prefix
                       and name.startswith(purge_prefix))
    return {"put": to_put, "delete": to_delete}


class RuleErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NoSuchConfigRuleException")


@RuleErrorHandler.common_error_handler("describe the AWS Config rules")
@aws_retry()
def describe_rules(client) -> Dict[str, Dict[str, Any]]:
    """Every rule of the account and region, by name."""
    rules: Dict[str, Dict[str, Any]] = {}
    for page in client.get_paginator("describe_config_rules").paginate():
        for rule in page.get("ConfigRules") or []:
            rules[rule["ConfigRuleName"]] = rule
    return rules


@RuleErrorHandler.common_error_handler("put the AWS Config rule")
@aws_retry()
def put_rule(client, name: str, identifier: str, description: str) -> None:
    client.put_config_rule(ConfigRule={
        "ConfigRuleName": name, "Description": description,
        "Source": {"Owner": "AWS", "SourceIdentifier": identifier}, "EvaluationModes": DETECTIVE})


@RuleErrorHandler.deletion_error_handler("delete the AWS Config rule")
@aws_retry()
def delete_rule(client, name: str) -> bool:
    client.delete_config_rule(ConfigRuleName=name)
    return True
