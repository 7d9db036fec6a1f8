# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.envops.aws.plugins.module_utils import backup_rules as br


def spec(schedule="daily", retention=35, pitr=True, dr=True):
    out = {"name": "prod", "account": {"id": "210000000004"},
           "backup": {"schedule": schedule, "retention_days": retention, "pitr": pitr}}
    if dr:
        out["dr"] = {"region": "eu-central-1", "strategy": "warm_standby"}
    return out


def test_prod_backs_up_daily_for_35_days_with_pitr_and_a_copy_in_the_dr_region():
    (rule,) = br.plan_rules(spec())
    assert rule["schedule_expression"] == "cron(0 3 ? * * *)"
    assert rule["lifecycle"] == {"delete_after_days": 35} and rule["enable_continuous_backup"]
    assert rule["target_backup_vault_name"] == "envops-prod"
    assert rule["copy_actions"] == [{
        "destination_backup_vault_arn": "arn:aws:backup:eu-central-1:210000000004:backup-vault:envops-prod-dr",
        "lifecycle": {"delete_after_days": 35}}]


def test_no_dr_no_copy_and_no_pitr_no_continuous_backup():
    (rule,) = br.plan_rules(spec(schedule="weekly", retention=7, pitr=False, dr=False))
    assert "copy_actions" not in rule and not rule["enable_continuous_backup"]
    assert rule["schedule_expression"] == "cron(0 3 ? * SUN *)" and rule["rule_name"] == "prod-weekly"


def test_no_schedule_or_no_retention_means_no_rule():
    assert br.plan_rules(spec(schedule="none")) == []
    assert br.plan_rules(spec(retention=0)) == []


def test_the_selection_takes_everything_tagged_with_the_environment():
    assert br.selection_tags(spec()) == [
        {"condition_type": "STRINGEQUALS", "condition_key": "env", "condition_value": "prod"}]
