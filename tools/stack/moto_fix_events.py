"""Corrections of moto's EventBridge (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


@corrects("5.2.5")
def events_sns_targets() -> None:
    """Rules deliver matching events to their SNS topic targets.

    AWS: a rule whose target is an SNS topic publishes each matching event (the event as JSON, or the target's
    transformed input) to the topic, which delivers it to its subscriptions.
    moto 5.2.5: PutEvents raises NotImplementedError for a rule with an SNS target (HTTP 500), so no event reaches
    a topic.
    Breaks: the observability role's findings rules (GuardDuty / Security Hub to the severity topics) cannot be
    shown to deliver on the local stack.
    Not modelled: the topic policy check (AWS drops the event when the topic policy does not let
    events.amazonaws.com publish) and KMS permissions of an encrypted topic.
    """
    import json

    from moto.events import models
    from moto.sns.models import sns_backends
    from moto.utilities.arns import parse_arn

    original = models.Rule.send_to_targets

    def send_to_targets(self, original_event, transform_input=True):
        sns_targets = [target for target in self.targets if parse_arn(target["Arn"]).service == "sns"]
        if not sns_targets:
            return original(self, original_event, transform_input)
        if not self.event_pattern.matches_event(original_event):
            return None
        others = [target for target in self.targets if target not in sns_targets]
        for target in sns_targets:
            arn = parse_arn(target["Arn"])
            transformer = target.get("InputTransformer", {}) if transform_input else {}
            event = models.EventTemplateParser.parse(
                input_template=transformer.get("InputTemplate"),
                input_paths_map=transformer.get("InputPathsMap", {}),
                event=original_event,
            )
            message = event if isinstance(event, str) else json.dumps(event)
            sns_backends[arn.account][arn.region].publish(message=message, arn=target["Arn"])
        if others:
            self.targets, kept = others, self.targets
            try:
                original(self, original_event, transform_input)
            finally:
                self.targets = kept
        return None

    models.Rule.send_to_targets = send_to_targets
