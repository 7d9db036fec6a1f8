"""Corrections of moto's KMS key state calls (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


# KmsBackend methods that take KeyId (key id or key ARN, checked by the response's _validate_cmk_id) and index
# moto's keys with it unchanged. amazon.aws.kms_key passes the key ARN to each of them.
_KEY_STATE_CALLS = ("schedule_key_deletion", "cancel_key_deletion", "enable_key", "disable_key")


def _with_key_id(method):
    def call(self, key_id, *args, **kwargs):
        return method(self, self.get_key_id(key_id), *args, **kwargs)  # key ARN -> key id; a key id stays

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


@corrects("5.2.5")
def kms_key_state_calls_accept_a_key_arn() -> None:
    """ScheduleKeyDeletion, CancelKeyDeletion, EnableKey and DisableKey accept a key ARN, as AWS does.

    AWS: the four calls take KeyId as a key id or a key ARN (an alias is refused: NotFoundException).
    ScheduleKeyDeletion answers KeyId (the key ARN), DeletionDate, KeyState ``PendingDeletion`` and
    PendingWindowInDays (30 when not given); CancelKeyDeletion answers KeyId (the key ARN) and leaves the key
    ``Disabled``.
    moto 5.2.5: accepts the ARN in its check, then indexes its keys with it unchanged: KeyError, answered as HTTP 500
    (which boto3 retries before giving up); given a key id, both answer KeyId as given, and ScheduleKeyDeletion
    leaves out KeyState and PendingWindowInDays.
    Breaks: amazon.aws.kms_key, which passes the key ARN: state=absent fails with "Failed to schedule key for
    deletion", and state=present fails to cancel a pending deletion, to enable or to disable a key.
    Not modelled: the key state rules (KMSInvalidStateException for scheduling a key already pending deletion,
    cancelling one that is not, enabling one pending deletion); PendingWindowInDays outside 7-30 (moto changes
    nothing and answers DeletionDate null, AWS refuses it with ValidationException).
    """
    import json

    from moto.kms import models, responses

    backend_cls = models.KmsBackend
    for name in _KEY_STATE_CALLS:
        setattr(backend_cls, name, _with_key_id(getattr(backend_cls, name)))

    response_cls = responses.KmsResponse
    original_schedule = response_cls.schedule_key_deletion
    original_cancel = response_cls.cancel_key_deletion

    def key_of(response):
        backend = response.kms_backend
        return backend.keys[backend.get_key_id(response._get_param("KeyId"))]  # pylint: disable=protected-access

    def schedule_key_deletion(self):
        answer = json.loads(original_schedule(self))
        key = key_of(self)
        answer["KeyId"] = key.arn
        if answer.get("DeletionDate") is not None:
            answer["KeyState"] = key.key_state
            window = self._get_param("PendingWindowInDays")  # pylint: disable=protected-access
            answer["PendingWindowInDays"] = window or 30
        return json.dumps(answer)

    def cancel_key_deletion(self):
        answer = json.loads(original_cancel(self))
        answer["KeyId"] = key_of(self).arn
        return json.dumps(answer)

    response_cls.schedule_key_deletion = schedule_key_deletion
    response_cls.cancel_key_deletion = cancel_key_deletion
