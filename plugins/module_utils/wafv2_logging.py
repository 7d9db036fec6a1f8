# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The logging configuration of a WAFv2 web ACL: read, compared with the wanted one, put or deleted.

A web ACL has at most one logging configuration: its destination (one CloudWatch Logs group, Firehose stream or S3
bucket whose name starts with ``aws-waf-logs-``) and the request fields redacted from the logs. Only single headers
are redacted here; header names are case-insensitive to AWS WAF and compared in lower case.
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

WEB_ACL_ARN_PATTERN = (r"^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:[0-9]{12}:(regional|global)/webacl/"
                       r"[A-Za-z0-9_-]{1,128}/[a-f0-9-]{36}$")
DESTINATION_ARN_PATTERN = (r"^arn:aws[a-z-]*:(logs:[a-z0-9-]+:[0-9]{12}:log-group:aws-waf-logs-[A-Za-z0-9._/#-]{1,498}"
                           r"|firehose:[a-z0-9-]+:[0-9]{12}:deliverystream/aws-waf-logs-[A-Za-z0-9_.-]{1,50}"
                           r"|s3:::aws-waf-logs-[a-z0-9.-]{1,50})$")
HEADER_PATTERN = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$"


def destination_arn(arn: str) -> str:
    """A log group's ARN as WAF takes it: DescribeLogGroups answers it with a ``:*`` suffix that WAF refuses."""
    return arn[:-2] if arn.endswith(":*") else arn


def problems(web_acl_arn: str, destination: Optional[str], headers: List[str], state: str) -> List[str]:
    """What is wrong with the options (empty: nothing), before any AWS call."""
    found = []
    if not re.match(WEB_ACL_ARN_PATTERN, web_acl_arn or ""):
        found.append("web_acl_arn: %r is not the ARN of a WAFv2 web ACL." % web_acl_arn)
    if state == "present":
        if destination is None or not re.match(DESTINATION_ARN_PATTERN, destination_arn(destination)):
            found.append("destination_arn: %r is not the ARN of a log group, Firehose stream or S3 bucket named "
                         "aws-waf-logs-..." % destination)
        for header in headers:
            if not re.match(HEADER_PATTERN, header):
                found.append("redacted_headers: %r is not an HTTP header name." % header)
    return found


def state_of(configuration: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """A GetLoggingConfiguration answer as compared: exists, destination, redacted_headers (sorted, lower case),
    other_redacted_fields (redactions that are not single headers: kept as they are)."""
    if configuration is None:
        return {"exists": False}
    headers, others = [], []
    for field in configuration.get("RedactedFields") or []:
        if set(field) == {"SingleHeader"}:
            headers.append(field["SingleHeader"]["Name"].lower())
        else:
            others.append(field)
    destinations = configuration.get("LogDestinationConfigs") or []
    return {"exists": True, "destination": destinations[0] if destinations else None,
            "redacted_headers": sorted(set(headers)), "other_redacted_fields": others}


def desired_state(current: Dict[str, Any], destination: str, headers: List[str]) -> Dict[str, Any]:
    return {"exists": True, "destination": destination_arn(destination),
            "redacted_headers": sorted(set(header.lower() for header in headers)),
            "other_redacted_fields": current.get("other_redacted_fields") or []}


def differs(current: Dict[str, Any], desired: Dict[str, Any]) -> bool:
    return any(current.get(key) != desired.get(key) for key in desired)


def logging_configuration(web_acl_arn: str, desired: Dict[str, Any]) -> Dict[str, Any]:
    """The ``LoggingConfiguration`` of PutLoggingConfiguration for the wanted state."""
    configuration: Dict[str, Any] = {"ResourceArn": web_acl_arn, "LogDestinationConfigs": [desired["destination"]]}
    redacted = [{"SingleHeader": {"Name": header}} for header in desired["redacted_headers"]]
    redacted += desired["other_redacted_fields"]
    if redacted:
        configuration["RedactedFields"] = redacted
    return configuration


class LoggingErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("WAFNonexistentItemException")


@LoggingErrorHandler.list_error_handler("get the web ACL's logging configuration", None)
@aws_retry()
def get_logging_configuration(client, web_acl_arn: str) -> Optional[Dict[str, Any]]:
    return client.get_logging_configuration(ResourceArn=web_acl_arn)["LoggingConfiguration"]


@LoggingErrorHandler.common_error_handler("put the web ACL's logging configuration")
@aws_retry(extra_codes=("WAFUnavailableEntityException",))
def put_logging_configuration(client, configuration: Dict[str, Any]) -> None:
    client.put_logging_configuration(LoggingConfiguration=configuration)


@LoggingErrorHandler.deletion_error_handler("delete the web ACL's logging configuration")
@aws_retry()
def delete_logging_configuration(client, web_acl_arn: str) -> None:
    client.delete_logging_configuration(ResourceArn=web_acl_arn)
