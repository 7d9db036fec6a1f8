"""The AWS Config corrections of moto, shown through boto3 against a moto server of this module's own."""

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.local_inventory import fresh_account_id

REGION = "eu-central-1"


def config_client(url):
    return boto3.client("config", endpoint_url=url, region_name=REGION, aws_access_key_id=fresh_account_id(),
                        aws_secret_access_key="local-moto-not-a-secret")


def rule(name, **extra):
    return dict({"ConfigRuleName": name, "Source": {"Owner": "AWS", "SourceIdentifier": "ENCRYPTED_VOLUMES"}}, **extra)


def test_a_named_rule_is_missing_with_or_without_other_rules(private_moto):
    config = config_client(private_moto)
    for situation in ("no rule yet", "one other rule"):
        with pytest.raises(ClientError) as caught:
            config.describe_config_rules(ConfigRuleNames=["envops-nothing"])
        assert caught.value.response["Error"]["Code"] == "NoSuchConfigRuleException", situation
        config.put_config_rule(ConfigRule=rule("envops-other"))
    assert config.describe_config_rules()["ConfigRules"][0]["ConfigRuleName"] == "envops-other"


def test_rules_answer_their_evaluation_modes(private_moto):
    config = config_client(private_moto)
    config.put_config_rule(ConfigRule=rule("envops-default"))
    config.put_config_rule(ConfigRule=rule("envops-both",
                                           EvaluationModes=[{"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}]))
    modes = {r["ConfigRuleName"]: r["EvaluationModes"] for r in config.describe_config_rules()["ConfigRules"]}
    assert modes == {"envops-default": [{"Mode": "DETECTIVE"}],
                     "envops-both": [{"Mode": "DETECTIVE"}, {"Mode": "PROACTIVE"}]}
