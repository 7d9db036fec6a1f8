# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The KMS key an SNS topic encrypts its messages with (topic attribute KmsMasterKeyId).

community.aws.sns_topic has no option for it; this is the one attribute the collection sets beside it.
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
# a key ARN, an alias ARN or an alias name (alias/aws/sns is the AWS managed key of SNS)
KEY_ID = re.compile(r"^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]{1,64}|alias/[A-Za-z0-9/_-]{1,250})"
                    r"|alias/[A-Za-z0-9/_-]{1,250})$")


def problems(params):
    found = []
    if not TOPIC_ARN.match(params["topic_arn"]):
        found.append("topic_arn %r is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)."
                     % params["topic_arn"])
    if params["kms_key_id"] and not KEY_ID.match(params["kms_key_id"]):
        found.append("kms_key_id %r is not a KMS key ARN, alias ARN or alias/<name>." % params["kms_key_id"])
    return found


@AWSErrorHandler.common_error_handler("read the encryption of the SNS topic")
@aws_retry()
def read_key(client, topic_arn):
    attributes = client.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    return attributes.get("KmsMasterKeyId") or ""


@AWSErrorHandler.common_error_handler("set the encryption of the SNS topic")
@aws_retry()
def set_key(client, topic_arn, key_id):
    # an empty value turns server-side encryption off
    client.set_topic_attributes(TopicArn=topic_arn, AttributeName="KmsMasterKeyId", AttributeValue=key_id or "")
