# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""KMS key references: AWS reports key ARNs, users write ids, ARNs, alias names or alias ARNs."""

from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry


@aws_retry()
def _describe_key(kms_client, key: str):
    return kms_client.describe_key(KeyId=key)["KeyMetadata"]


def resolve_kms_key(kms_client, key: str) -> Optional[str]:
    """The ARN of a KMS key given by id, ARN, alias name or alias ARN; None when there is no such key.
    Other errors (access denied, throttling after the retries) propagate as botocore errors."""
    try:
        return _describe_key(kms_client, key)["Arn"]
    except is_boto3_error_code("NotFoundException"):
        return None
