"""Corrections of moto's CloudWatch composite alarms and alarm actions (see moto_corrections for the rules)."""

import re

from tools.stack.moto_corrections import corrects

# The alarms a composite alarm's rule names: ALARM("name"), OK(name), INSUFFICIENT_DATA("name")...
_RULE_ALARMS = re.compile(r'\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]+?)"?\s*\)')


@corrects("5.2.5")
def composite_alarms() -> None:
    """PutCompositeAlarm, and DescribeAlarms by alarm type.

    AWS: PutCompositeAlarm creates or updates an alarm whose AlarmRule combines other alarms (each must exist,
    else ValidationError); DescribeAlarms answers only metric alarms unless AlarmTypes asks for CompositeAlarm,
    and a composite alarm carries its AlarmRule.
    moto 5.2.5: PutCompositeAlarm answers HTTP 500 (no handler, though the model keeps a rule), DescribeAlarms
    ignores AlarmTypes and answers composite alarms without their AlarmRule.
    Breaks: envops.aws.cloudwatch_alarms, which cannot create the "service down" composite alarm nor read it back.
    Not modelled: composite alarms are not evaluated (moto evaluates no alarm); the rule's syntax is not checked.
    """
    from moto.cloudwatch import models, responses
    from moto.cloudwatch.exceptions import ValidationError
    from moto.core.responses import ActionResult

    models.Alarm.alarm_rule = property(lambda self: self.rule)
    original_describe = responses.CloudWatchResponse.describe_alarms

    def put_composite_alarm(self):
        rule = self._get_param("AlarmRule") or ""
        missing = sorted(set(name for name in _RULE_ALARMS.findall(rule)
                             if name not in self.cloudwatch_backend.alarms))
        if missing:
            raise ValidationError("Could not save the composite alarm as alarms [%s] in the alarm rule do not exist"
                                  % ", ".join(missing))
        return self.put_metric_alarm()

    def describe_alarms(self):
        result = original_describe(self)
        types = self._get_param("AlarmTypes", []) or ["MetricAlarm"]
        body = result.result
        return ActionResult({"MetricAlarms": body["MetricAlarms"] if "MetricAlarm" in types else [],
                             "CompositeAlarms": body["CompositeAlarms"] if "CompositeAlarm" in types else []})

    responses.CloudWatchResponse.put_composite_alarm = put_composite_alarm
    responses.CloudWatchResponse.describe_alarms = describe_alarms


@corrects("5.2.5")
def alarm_state_changes_notify_their_actions() -> None:
    """An alarm's state change publishes to the SNS topics of its actions.

    AWS: when an alarm with ActionsEnabled changes state (by evaluation or SetAlarmState), CloudWatch publishes a
    JSON message (AlarmName, NewStateValue, OldStateValue, NewStateReason, AlarmArn...) with the subject
    'ALARM: "<name>" in <region>' to each SNS topic of the new state's actions (AlarmActions, OKActions,
    InsufficientDataActions); a state set to the state the alarm is in changes nothing and publishes nothing; a
    subscriber that cannot be reached (a deleted queue) never fails the state change.
    moto 5.2.5: SetAlarmState changes the state and publishes nothing.
    Breaks: playbooks/alarm_test.yml, which proves that an alarm reaches the subscribers of its severity topic.
    Not modelled: actions other than SNS topics (Auto Scaling, EC2, Systems Manager).
    """
    import json

    from moto.cloudwatch import models
    from moto.core.utils import iso_8601_datetime_with_milliseconds
    from moto.sns.models import sns_backends

    original = models.CloudWatchBackend.set_alarm_state
    actions_of_state = {"ALARM": "alarm_actions", "OK": "ok_actions", "INSUFFICIENT_DATA": "insufficient_data_actions"}

    def set_alarm_state(self, alarm_name, reason, reason_data, state_value):
        alarm = self.alarms.get(alarm_name)
        old_state = alarm.state_value if alarm else None
        original(self, alarm_name, reason, reason_data, state_value)
        if old_state == state_value or not alarm.actions_enabled:
            return
        message = json.dumps({
            "AlarmName": alarm.name, "AlarmDescription": alarm.description, "AWSAccountId": self.account_id,
            "NewStateValue": state_value, "NewStateReason": reason, "OldStateValue": old_state,
            "StateChangeTime": iso_8601_datetime_with_milliseconds(alarm.state_updated_timestamp),
            "Region": self.region_name, "AlarmArn": alarm.alarm_arn,
        })
        for action in getattr(alarm, actions_of_state[state_value]) or []:
            parts = action.split(":")
            if len(parts) < 6 or parts[2] != "sns":
                continue
            topics = sns_backends[parts[4]][parts[3]].topics
            if action in topics:
                try:
                    topics[action].publish(message, subject='%s: "%s" in %s' % (state_value, alarm.name,
                                                                                self.region_name))
                except Exception:  # pylint: disable=broad-exception-caught
                    # AWS delivers asynchronously: a subscriber that fails never fails the state change
                    continue

    models.CloudWatchBackend.set_alarm_state = set_alarm_state
