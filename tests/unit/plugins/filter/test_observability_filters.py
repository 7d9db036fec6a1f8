# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The observability filters give the plan's names; the alarm test target filter reads the info module's keys."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.filter.alarm_test_target import alarm_test_target
from ansible_collections.envops.aws.plugins.filter.observability_alarm_names import observability_alarm_names
from ansible_collections.envops.aws.plugins.module_utils import observability_plan as plan


def test_names_of_an_environment():
    names = observability_alarm_names("prod")
    assert names["topics"] == {"P1": "envops-prod-p1-critical", "P2": "envops-prod-p2-high",
                               "P3": "envops-prod-p3-warning"}
    assert names["budget_topic"] == names["topics"][plan.BUDGET_SEVERITY] == "envops-prod-p3-warning"
    assert names["drill_topic"] == names["topics"][plan.DRILL_SEVERITY] == "envops-prod-p2-high"
    assert (names["alarm_prefix"], names["service_down_alarm"]) == ("envops-prod-", "envops-prod-service-down")
    assert names["target_groups"] == {"blue": "envops-prod-blue", "green": "envops-prod-green"}


def test_the_target_filter_reads_snake_case_alarms_and_fails_as_a_filter():
    topic = "arn:aws:sns:me-south-1:111111111111:envops-prod-p2-high"
    alarms = [{"alarm_name": "envops-prod-rds-cpu-percent-critical", "alarm_actions": [topic]}]
    assert alarm_test_target("prod", "rds_cpu_percent", alarms, [], [topic])["topic_arn"] == topic
    with pytest.raises(AnsibleFilterError, match="is neither an alarm key"):
        alarm_test_target("prod", "envops-prod-nope", alarms, [], [topic])
