"""Corrections of moto's AWS Config rules (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


@corrects("5.2.5")
def config_named_rule_missing_without_rules() -> None:
    """DescribeConfigRules of named rules fails with NoSuchConfigRuleException when the account has no rule at all.

    AWS: any name that is not a rule of the account and region is NoSuchConfigRuleException, rules or none.
    moto 5.2.5: answers an empty list when the account has no rule yet (and the exception once it has one).
    Breaks: a reader that asks for its rules by name (the conformance audit) takes "no rules" for "no such rule"
    only sometimes.
    """
    from moto.config import models
    from moto.config.exceptions import NoSuchConfigRuleException

    original = models.ConfigBackend.describe_config_rules

    def describe_config_rules(self, config_rule_names, next_token):
        for name in config_rule_names or []:
            if name not in self.config_rules:
                raise NoSuchConfigRuleException(name)
        return original(self, config_rule_names, next_token)

    models.ConfigBackend.describe_config_rules = describe_config_rules


@corrects("5.2.5")
def config_rule_evaluation_modes() -> None:
    """DescribeConfigRules answers each rule's EvaluationModes, DETECTIVE unless PutConfigRule gave others.

    AWS: every rule carries EvaluationModes ([{"Mode": "DETECTIVE"}] by default, PROACTIVE added on request).
    moto 5.2.5: drops EvaluationModes from PutConfigRule and omits it from DescribeConfigRules.
    Breaks: a module comparing a rule's evaluation modes with the wanted ones sees a change on every run.
    """
    from moto.config import models

    original = models.ConfigRule.modify_fields

    def modify_fields(self, region, config_rule, tags):
        original(self, region, config_rule, tags)
        self.evaluation_modes = config_rule.get("EvaluationModes") or [{"Mode": "DETECTIVE"}]

    models.ConfigRule.modify_fields = modify_fields
