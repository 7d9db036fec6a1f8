# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The KMS key of existing log groups: found by name prefix, compared, associated (AssociateKmsKey).

CreateLogGroup takes a key, but a group created before the key existed (the VPC flow log group is created by the
network, before the keys) keeps none: amazon.aws.cloudwatchlogs_log_group gives a key at creation only. Associating
a key leaves the group's retention, tags and events as they are; new events are encrypted with it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

# CloudWatch Logs takes only a key's ARN (not an alias, not a bare id) for a log group.
KEY_ARN_PATTERN = re.compile(r"\Aarn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]{1,64}\Z")
PREFIX_PATTERN = re.compile(r"\A[A-Za-z0-9_./#-]{1,512}\Z")


def problems_of(prefix, key_arn):
    """Why the options cannot be used (empty: they can), before any AWS call."""
    problems = []
    if not isinstance(prefix, str) or not PREFIX_PATTERN.match(prefix):
        problems.append("log_group_name_prefix: %r must be 1-512 letters, digits, '_', '-', '.', '/' or '#'."
                        % (prefix,))
    if not isinstance(key_arn, str) or not KEY_ARN_PATTERN.match(key_arn):
        problems.append("kms_key_arn: %r is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
                        % (key_arn,))
    return problems


def keys_to_change(groups, key_arn):
    """The names of the log groups (name -> current key ARN or None) not encrypted with ``key_arn``, sorted."""
    return sorted(name for name, current in groups.items() if current != key_arn)


class LogGroupErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFoundException")


@LogGroupErrorHandler.common_error_handler("list the log groups")
@aws_retry()
def log_group_keys(client, prefix):
    """Every log group whose name starts with ``prefix``: name -> its KMS key ARN (None when it has none)."""
    found = {}
    for page in client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
        for group in page.get("logGroups") or []:
            found[group["logGroupName"]] = group.get("kmsKeyId")
    return found


@LogGroupErrorHandler.common_error_handler("associate the KMS key with the log group")
@aws_retry()
def associate(client, name, key_arn):
    client.associate_kms_key(logGroupName=name, kmsKeyId=key_arn)
