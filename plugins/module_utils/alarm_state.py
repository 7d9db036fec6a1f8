# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The state of one CloudWatch alarm, set by hand (SetAlarmState) to prove its notification path.

CloudWatch publishes the change to the alarm's actions of the new state; at its next evaluation the alarm
returns to the state its metric says.
"""

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


@AWSErrorHandler.common_error_handler("read the alarm")
@aws_retry()
def read_state(client, name):
    """The alarm's state, or None when there is no such alarm."""
    answer = client.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    for alarm in answer.get("MetricAlarms", []) + answer.get("CompositeAlarms", []):
        return alarm["StateValue"]
    return None


@AWSErrorHandler.common_error_handler("set the state of the alarm")
@aws_retry()
def set_state(client, name, state, reason):
    client.set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)
