# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import baseline_plan
from ansible_collections.envops.aws.plugins.module_utils import config_rules


def rule(name, identifier, **extra):
    return dict({"ConfigRuleName": name, "ConfigRuleArn": "arn:aws:config:me-south-1:111111111111:config-rule/x",
                 "ConfigRuleId": "config-rule-abc123", "ConfigRuleState": "ACTIVE",
                 "Source": {"Owner": "AWS", "SourceIdentifier": identifier}}, **extra)


@pytest.mark.parametrize("rules,prefix,problem", [
    (baseline_plan.CONFIG_RULES, baseline_plan.CONFIG_RULE_PREFIX, None), ({}, None, None),
    ({"envops x": "ENCRYPTED_VOLUMES"}, None, "name 'envops x' must be"),
    ({"envops-x": "encrypted_volumes"}, None, "rules.envops-x: 'encrypted_volumes' is not a managed rule"),
    ({"envops-x": ["ENCRYPTED_VOLUMES"]}, None, "is not a managed rule identifier"),
    ({}, "*", "purge_prefix: '*' must be"),
])
def test_validate_names_the_field_and_its_rule(rules, prefix, problem):
    problems = config_rules.validate(rules, prefix)
    assert (problems == []) if problem is None else any(problem in text for text in problems), problems


def test_rules_compare_by_identifier_parameters_and_modes_not_the_raw_answer():
    plain = config_rules.state_of(rule("envops-encrypted-volumes", "ENCRYPTED_VOLUMES"))
    assert plain == config_rules.wanted("ENCRYPTED_VOLUMES"), "no EvaluationModes answered: detective"
    listed = config_rules.state_of(rule("envops-encrypted-volumes", "ENCRYPTED_VOLUMES", InputParameters="{}",
                                        EvaluationModes=[{"Mode": "DETECTIVE"}]))
    assert listed == plain
    assert config_rules.state_of(rule("r", "ENCRYPTED_VOLUMES", InputParameters='{"kmsId": "k"}')) != plain
    assert config_rules.state_of(rule("r", "ENCRYPTED_VOLUMES", EvaluationModes=[
        {"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}])) != plain


def test_plan_puts_the_new_and_changed_and_deletes_only_stale_rules_of_the_prefix():
    current = {
        "envops-encrypted-volumes": config_rules.wanted("ENCRYPTED_VOLUMES"),
        "envops-rds-not-public": config_rules.wanted("RDS_STORAGE_ENCRYPTED"),  # changed identifier
        "envops-retired": config_rules.wanted("ENCRYPTED_VOLUMES"),
        "securityhub-encrypted-volumes-abc": config_rules.wanted("ENCRYPTED_VOLUMES"),
    }
    wanted = {"envops-encrypted-volumes": "ENCRYPTED_VOLUMES",
              "envops-rds-not-public": "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
              "envops-s3-sse-enabled": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"}
    assert config_rules.plan(current, wanted, "envops-") == {
        "put": ["envops-rds-not-public", "envops-s3-sse-enabled"], "delete": ["envops-retired"]}
    assert config_rules.plan(current, wanted, None)["delete"] == [], "no prefix: nothing deleted"


def test_calls_list_every_page_put_and_delete():
    config = boto3.client("config", region_name="me-south-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(config) as stubber:
        stubber.add_response("describe_config_rules", {"ConfigRules": [rule("a", "ENCRYPTED_VOLUMES")],
                                                       "NextToken": "b"}, {})
        stubber.add_response("describe_config_rules", {"ConfigRules": [rule("b", "ENCRYPTED_VOLUMES")]},
                             {"NextToken": "b"})
        stubber.add_response("put_config_rule", {}, {"ConfigRule": {
            "ConfigRuleName": "envops-encrypted-volumes", "Description": "d",
            "Source": {"Owner": "AWS", "SourceIdentifier": "ENCRYPTED_VOLUMES"},
            "EvaluationModes": [{"Mode": "DETECTIVE"}]}})
        stubber.add_response("delete_config_rule", {}, {"ConfigRuleName": "envops-retired"})
        stubber.add_client_error("delete_config_rule", "NoSuchConfigRuleException", http_status_code=400)
        assert sorted(config_rules.describe_rules(config)) == ["a", "b"]
        config_rules.put_rule(config, "envops-encrypted-volumes", "ENCRYPTED_VOLUMES", "d")
        assert config_rules.delete_rule(config, "envops-retired") is True
        assert not config_rules.delete_rule(config, "envops-retired"), "already gone: no change"
        stubber.assert_no_pending_responses()
