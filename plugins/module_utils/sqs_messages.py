# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Wait for a message on an SQS queue that contains a text (a notification that must arrive)."""

import time

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

LONG_POLL_SECONDS = 5


@AWSErrorHandler.common_error_handler("find the queue")
@aws_retry()
def queue_url(client, name):
    return client.get_queue_url(QueueName=name)["QueueUrl"]


@AWSErrorHandler.common_error_handler("receive messages from the queue")
@aws_retry()
def receive(client, queue_url, wait_seconds):
    return client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                  WaitTimeSeconds=wait_seconds).get("Messages", [])


@AWSErrorHandler.common_error_handler("delete the message from the queue")
@aws_retry()
def delete(client, queue_url, receipt_handle):
    client.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)


def wait_for(client, queue_url, text, timeout_seconds, clock=time.monotonic):
    """(message body, seconds waited) of the first message containing ``text``, or (None, seconds) at the
    timeout. Every message read is deleted: the queue is the test's own."""
    start = clock()
    while True:
        left = timeout_seconds - (clock() - start)
        if left <= 0:
            return None, clock() - start
        for message in receive(client, queue_url, max(0, min(LONG_POLL_SECONDS, int(left)))):
            delete(client, queue_url, message["ReceiptHandle"])
            if text in message.get("Body", ""):
                return message["Body"], clock() - start
