# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""EBS encryption by default of one region of an account, and the KMS key new volumes get.

Both are regional account settings: EnableEbsEncryptionByDefault / DisableEbsEncryptionByDefault, and
ModifyEbsDefaultKmsKeyId / ResetEbsDefaultKmsKeyId (back to the AWS managed key alias/aws/ebs).
"""

import re
from typing import Any
from typing import Dict
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

AWS_MANAGED_KEY = "alias/aws/ebs"
# a key ARN, single-region (key/<uuid>) or multi-region (key/mrk-<32 hex>)
KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/([0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")


def problems(params: Dict[str, Any]) -> list:
    key = params.get("kms_key_id")
    if key is not None and key != AWS_MANAGED_KEY and not KEY_ARN.match(key):
        return ["kms_key_id %r is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) nor %s."
                % (key, AWS_MANAGED_KEY)]
    return []


def desired(params: Dict[str, Any], current_state: Dict[str, Any]) -> Dict[str, Any]:
    """What the region's settings should be; an unset kms_key_id leaves the key as it is."""
    return {"encryption_by_default": params["encryption_by_default"],
            "kms_key_id": params["kms_key_id"] if params["kms_key_id"] is not None else current_state["kms_key_id"]}


def differing(current_state: Dict[str, Any], wanted: Dict[str, Any]) -> list:
    return sorted(key for key in wanted if current_state.get(key) != wanted[key])


@AWSErrorHandler.common_error_handler("read EBS encryption by default")
@aws_retry()
def read_settings(client) -> Dict[str, Any]:
    enabled = client.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
    key = client.get_ebs_default_kms_key_id()["KmsKeyId"]
    return {"encryption_by_default": bool(enabled), "kms_key_id": key}


@AWSErrorHandler.common_error_handler("set EBS encryption by default")
@aws_retry()
def set_encryption(client, enabled: bool) -> None:
    if enabled:
        client.enable_ebs_encryption_by_default()
    else:
        client.disable_ebs_encryption_by_default()


@AWSErrorHandler.common_error_handler("set the default KMS key of EBS")
@aws_retry()
def set_key(client, key: Optional[str]) -> None:
    if key == AWS_MANAGED_KEY:
        client.reset_ebs_default_kms_key_id()
    else:
        client.modify_ebs_default_kms_key_id(KmsKeyId=key)
