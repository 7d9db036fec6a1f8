# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.envops.aws.plugins.filter.baseline_detection import baseline_detection
from ansible_collections.envops.aws.plugins.module_utils import baseline_plan


def test_production_publishes_findings_every_15_minutes_the_others_hourly():
    assert baseline_detection("me-south-1", "production")["guardduty"]["finding_publishing_frequency"] == \
        "FIFTEEN_MINUTES"
    for env_type in ("development", "testing", "staging", "dr"):
        assert baseline_detection("me-south-1", env_type)["guardduty"]["finding_publishing_frequency"] == "ONE_HOUR"


def test_the_plan_is_made_of_baseline_plan_names():
    plan = baseline_detection("eu-central-1", "dr", primary_region="eu-central-1")
    assert plan["guardduty"]["features"] == {"S3_DATA_EVENTS": True, "RDS_LOGIN_EVENTS": True}
    assert plan["security_hub"]["standards"] == baseline_plan.security_hub_standards("eu-central-1")
    assert plan["config"] == {
        "recorder_name": "default", "include_global_resource_types": True, "delivery_channel_name": "default",
        "s3_prefix": "config", "snapshot_frequency": "TwentyFour_Hours", "rules": baseline_plan.CONFIG_RULES,
        "rule_prefix": "envops-"}
    assert baseline_detection("eu-central-1", "production", "me-south-1")["config"][
        "include_global_resource_types"] is False, "global resources are recorded in the primary region only"
