# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Config recording in an account and region: the recorder, its IAM role, its delivery channel, its status.

AWS allows one recorder and one delivery channel per account and region, a channel only once a recorder exists, and
starts a recorder only once a channel exists: so they are compared together and applied in that order. A recorder
or channel of another name is refused with its name rather than replaced. The recorder records every supported
resource type; global ones (IAM) are recorded in one region only, or each change is recorded once per region.
Without a role of its own, the recorder uses Config's service-linked role, created when it is missing.
"""

import re
from typing import Any
from typing import Dict
from typing import List
from typing import Optional

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

SERVICE_LINKED_ROLE = "AWSServiceRoleForConfig"
CONFIG_SERVICE = "config.amazonaws.com"
DELIVERY_FREQUENCIES = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()/-]{1,256}$")
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")


def validate(name: str, role_arn: Optional[str], channel: Dict[str, Any]) -> List[str]:
    """What is wrong with the wanted recorder and channel, field by field (empty: nothing)."""
    checks = [
        ("name", name, NAME, "1 to 256 letters, digits, '_', '.' or '-'"),
        ("role_arn", role_arn, ROLE_ARN, "the ARN of an IAM role"),
        ("delivery_channel.name", channel.get("name"), NAME, "1 to 256 letters, digits, '_', '.' or '-'"),
        ("delivery_channel.s3_bucket", channel.get("s3_bucket"), BUCKET, "an S3 bucket name"),
        ("delivery_channel.s3_prefix", channel.get("s3_prefix"), PREFIX, "a key prefix of 1 to 256 safe characters"),
        ("delivery_channel.s3_kms_key_arn", channel.get("s3_kms_key_arn"), KMS_KEY_ARN, "the ARN of a KMS key"),
        ("delivery_channel.sns_topic_arn", channel.get("sns_topic_arn"), TOPIC_ARN, "the ARN of an SNS topic"),
    ]
    problems = ["%s: %r must be %s." % (field, value, rule) for field, value, pattern, rule in checks
                if value is not None and not pattern.match(str(value))]
    prefix = channel.get("s3_prefix")
    if prefix is not None and (prefix.startswith("/") or prefix.endswith("/") or "AWSLogs" in prefix):
        problems.append("delivery_channel.s3_prefix: %r must not start or end with '/' nor contain AWSLogs "
                        "(Config adds AWSLogs/<account>/Config itself)." % prefix)
    return problems


def others(kind: str, names: List[str], wanted: str, region: str) -> Optional[str]:
    """Why the wanted recorder or channel cannot be made (None: it can): AWS allows one per account and region."""
    found = sorted(name for name in names if name != wanted)
    if found:
        return ("AWS Config in %s already has the %s %s, not %s: AWS allows one per account and region. Delete it "
                "or name it in the spec, then re-run." % (region, kind, ", ".join(found), wanted))
    return None


def state_of(recorder: Optional[Dict[str, Any]], status: Optional[Dict[str, Any]],
             channel: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """What is compared: the recorder (role, recording group), whether it records, the channel."""
    group = (recorder or {}).get("recordingGroup") or {}
    return {
        "recorder": None if recorder is None else {
            "name": recorder["name"],
            "role_arn": recorder.get("roleARN"),
            "all_supported": bool(group.get("allSupported")),
            "include_global_resource_types": bool(group.get("includeGlobalResourceTypes")),
        },
        "recording": bool((status or {}).get("recording")),
        "delivery_channel": None if channel is None else {
            "name": channel["name"],
            "s3_bucket": channel.get("s3BucketName"),
            "s3_prefix": channel.get("s3KeyPrefix"),
            "s3_kms_key_arn": channel.get("s3KmsKeyArn"),
            "sns_topic_arn": channel.get("snsTopicARN"),
            "delivery_frequency": (channel.get("configSnapshotDeliveryProperties") or {}).get("deliveryFrequency"),
        },
    }


def desired_state(name: str, role_arn: str, include_global: bool, recording: bool,
                  channel: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "recorder": {"name": name, "role_arn": role_arn, "all_supported": True,
                     "include_global_resource_types": include_global},
        "recording": recording,
        "delivery_channel": dict((key, channel.get(key)) for key in (
            "name", "s3_bucket", "s3_prefix", "s3_kms_key_arn", "sns_topic_arn", "delivery_frequency")),
    }


def service_linked_role_arn(partition: str, account_id: str) -> str:
    return "arn:%s:iam::%s:role/aws-service-role/%s/%s" % (partition, account_id, CONFIG_SERVICE,
                                                           SERVICE_LINKED_ROLE)


class ConfigErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(["NoSuchConfigurationRecorderException", "NoSuchDeliveryChannelException",
                                    "NoSuchEntity"])


@ConfigErrorHandler.common_error_handler("describe the AWS Config recorders")
@aws_retry()
def recorders(client) -> List[Dict[str, Any]]:
    return client.describe_configuration_recorders().get("ConfigurationRecorders") or []


@ConfigErrorHandler.list_error_handler("describe the AWS Config recorder status", None)
@aws_retry()
def recorder_status(client, name: str) -> Optional[Dict[str, Any]]:
    statuses = client.describe_configuration_recorder_status(ConfigurationRecorderNames=[name])
    return (statuses.get("ConfigurationRecordersStatus") or [None])[0]


@ConfigErrorHandler.common_error_handler("describe the AWS Config delivery channels")
@aws_retry()
def delivery_channels(client) -> List[Dict[str, Any]]:
    return client.describe_delivery_channels().get("DeliveryChannels") or []


@ConfigErrorHandler.list_error_handler("read AWS Config's service-linked role", None)
@aws_retry()
def service_linked_role(iam) -> Optional[str]:
    return iam.get_role(RoleName=SERVICE_LINKED_ROLE)["Role"]["Arn"]


@ConfigErrorHandler.common_error_handler("create AWS Config's service-linked role")
@aws_retry()
def create_service_linked_role(iam) -> str:
    return iam.create_service_linked_role(AWSServiceName=CONFIG_SERVICE)["Role"]["Arn"]


@ConfigErrorHandler.common_error_handler("read the caller's account")
@aws_retry()
def caller_arn(sts) -> str:
    return sts.get_caller_identity()["Arn"]


@ConfigErrorHandler.common_error_handler("put the AWS Config recorder")
@aws_retry()
def put_recorder(client, recorder: Dict[str, Any]) -> None:
    client.put_configuration_recorder(ConfigurationRecorder={
        "name": recorder["name"], "roleARN": recorder["role_arn"],
        "recordingGroup": {"allSupported": True,
                           "includeGlobalResourceTypes": recorder["include_global_resource_types"]}})


@ConfigErrorHandler.common_error_handler("put the AWS Config delivery channel")
@aws_retry()
def put_channel(client, channel: Dict[str, Any]) -> None:
    wanted: Dict[str, Any] = {"name": channel["name"], "s3BucketName": channel["s3_bucket"]}
    for key, field in (("s3_prefix", "s3KeyPrefix"), ("s3_kms_key_arn", "s3KmsKeyArn"),
                       ("sns_topic_arn", "snsTopicARN")):
        if channel.get(key) is not None:
            wanted[field] = channel[key]
    if channel.get("delivery_frequency"):
        wanted["configSnapshotDeliveryProperties"] = {"deliveryFrequency": channel["delivery_frequency"]}
    client.put_delivery_channel(DeliveryChannel=wanted)


@ConfigErrorHandler.common_error_handler("start the AWS Config recorder")
@aws_retry()
def start_recorder(client, name: str) -> None:
    client.start_configuration_recorder(ConfigurationRecorderName=name)


@ConfigErrorHandler.common_error_handler("stop the AWS Config recorder")
@aws_retry()
def stop_recorder(client, name: str) -> None:
    client.stop_configuration_recorder(ConfigurationRecorderName=name)
