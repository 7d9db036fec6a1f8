"""Corrections of moto's SNS (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


@corrects("5.2.5")
def unreachable_http_subscribers_do_not_fail_publishers() -> None:
    """An HTTP(S) subscription whose endpoint cannot be reached does not fail the message's publication.

    AWS: Publish (and every service publishing to a topic: EventBridge, CloudWatch alarms, Budgets) succeeds once the
    topic has the message; SNS then delivers to each subscription on its own and retries an HTTP(S) endpoint that
    does not answer, following the subscription's delivery policy.
    moto 5.2.5: posts to the endpoint while publishing; an endpoint that does not resolve or answer raises, and the
    publication fails (HTTP 500), so the other subscriptions (SQS...) of the topic get nothing.
    Breaks: the observability role's topics with the spec's paging endpoints (https) beside an SQS subscription of a
    test: a finding routed by EventBridge or an alarm state change never reaches the queue.
    Not modelled: the retries and the delivery policy.
    """
    import requests
    from moto.sns import models

    original = models.Subscription.publish

    def publish(self, *args, **kwargs):
        try:
            return original(self, *args, **kwargs)
        except requests.exceptions.RequestException:
            if self.protocol not in ("http", "https"):
                raise
            return None

    models.Subscription.publish = publish
