"""The error responses of AWS services for throttling and 5xx, shaped per protocol as the real services send them.

botocore parses each into the code the service returns (``ClientError.response["Error"]["Code"]``):

- ec2 (a form with Action, signing name ec2): RequestLimitExceeded 503; InternalError 500, ServiceUnavailable 503;
- query (a form or query string with Action: RDS, IAM, STS, ElastiCache, SNS...): Throttling 400; InternalFailure 500,
  ServiceUnavailable 503;
- json (X-Amz-Target: KMS, DynamoDB, Secrets Manager, SSM, Logs, CloudWatch...): ThrottlingException 400;
  InternalFailure 500 (DynamoDB: InternalServerError), ServiceUnavailable 503;
- smithy-rpc-v2-cbor (the smithy-protocol header): as json, in CBOR;
- rest-json (the other REST calls: Backup, Lambda...): ThrottlingException 429; 5xx as json;
- rest-xml, S3: SlowDown 503; InternalError 500, ServiceUnavailable 503;
- rest-xml, Route 53 and CloudFront: as query.

JSON services that were query services (CloudWatch: the client sends ``x-amzn-query-mode``) also send the query code
in ``x-amzn-query-error``, which botocore reports, as AWS does.
"""

import json
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape

REST_XML_SIGNING_NAMES = frozenset({"s3", "route53", "cloudfront"})  # every other REST service speaks rest-json
DYNAMODB_ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"


@dataclass(frozen=True)
class ServiceError:
    code: str
    status: int
    message: str
    sender: bool  # the fault of the caller (a throttle) or of the service (5xx): the query protocols' <Type>


# (protocol family, fault) -> error; the 5xx faults are "500" and "503"
_ERRORS = {
    ("ec2", "throttle"): ServiceError("RequestLimitExceeded", 503, "Request limit exceeded.", True),
    ("ec2", "500"): ServiceError("InternalError", 500, "An internal error has occurred.", False),
    ("ec2", "503"): ServiceError("ServiceUnavailable", 503, "The service is unavailable.", False),
    ("query", "throttle"): ServiceError("Throttling", 400, "Rate exceeded", True),
    ("query", "500"): ServiceError("InternalFailure", 500, "An internal error has occurred.", False),
    ("query", "503"): ServiceError("ServiceUnavailable", 503, "The service is unavailable.", False),
    ("json", "throttle"): ServiceError("ThrottlingException", 400, "Rate exceeded", True),
    ("json", "500"): ServiceError("InternalFailure", 500, "An internal error has occurred.", False),
    ("json", "503"): ServiceError("ServiceUnavailable", 503, "The service is unavailable.", False),
    ("rest-json", "throttle"): ServiceError("ThrottlingException", 429, "Rate exceeded", True),
    ("s3", "throttle"): ServiceError("SlowDown", 503, "Please reduce your request rate.", True),
    ("s3", "500"): ServiceError("InternalError", 500, "We encountered an internal error. Please try again.", False),
    ("s3", "503"): ServiceError("ServiceUnavailable", 503, "Please reduce your request rate.", False),
}
_FAMILY_FALLBACK = {"smithy-rpc-v2-cbor": "json", "rest-json": "json", "rest-xml": "query"}
_DYNAMODB_CODES = {"InternalFailure": "InternalServerError"}


@dataclass(frozen=True)
class Response:
    status: str  # "503 Service Unavailable"
    headers: list
    body: bytes


def protocol_of(environ: dict, service: str, label: str) -> str:
    """The protocol of a request, from what the client sent (the headers and whether it names an Action)."""
    if environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
        return "smithy-rpc-v2-cbor"
    if environ.get("HTTP_X_AMZ_TARGET"):
        return "json"
    if " " not in label.partition(":")[2]:  # the call counter labels REST calls service:METHOD /path
        return "ec2" if service == "ec2" else "query"
    return "rest-xml" if service in REST_XML_SIGNING_NAMES else "rest-json"


def service_error(protocol: str, service: str, fault: str) -> ServiceError:
    """The error of ``fault`` ("throttle", "500" or "503") in ``protocol``."""
    family = "s3" if (protocol, service) == ("rest-xml", "s3") else protocol
    return _ERRORS.get((family, fault)) or _ERRORS[(_FAMILY_FALLBACK[family], fault)]


def error_response(environ: dict, protocol: str, service: str, fault: str) -> Response:
    error = service_error(protocol, service, fault)
    request_id = str(uuid.uuid4())
    shape = {
        "ec2": _ec2, "query": _query, "json": _json, "smithy-rpc-v2-cbor": _cbor, "rest-json": _rest_json,
        "rest-xml": _s3 if service == "s3" else _query,
    }[protocol]
    headers, body = shape(environ, service, error, request_id)
    if environ.get("REQUEST_METHOD") == "HEAD":
        body = b""  # HEAD answers carry no body: botocore reports the HTTP status as the code, as with AWS
    headers.append(("Content-Length", str(len(body))))
    return Response("%d %s" % (error.status, _REASONS[error.status]), headers, body)


_REASONS = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def _ec2(_environ, _service, error, request_id):
    fields = (escape(error.code), escape(error.message), request_id)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message>'
            '</Error></Errors><RequestID>%s</RequestID></Response>' % fields)
    return [("Content-Type", "text/xml;charset=UTF-8")], body.encode()


def _error_responseescape(error, request_id):
    fields = ("Sender" if error.sender else "Receiver", escape(error.code), escape(error.message), request_id)
    return ('<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>'
            '<RequestId>%s</RequestId></ErrorResponse>' % fields).encode()


def _query(_environ, _service, error, request_id):
    """The query services, and Route 53 and CloudFront (rest-xml)."""
    return [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], _error_responseescape(error, request_id)


def _s3(_environ, _service, error, request_id):
    host_id = uuid.uuid4().hex
    fields = (escape(error.code), escape(error.message), request_id, host_id)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            '<RequestId>%s</RequestId><HostId>%s</HostId></Error>' % fields).encode()
    return [("Content-Type", "application/xml"), ("x-amz-request-id", request_id), ("x-amz-id-2", host_id)], body


def _json_type(service, error):
    if service == "dynamodb":
        return DYNAMODB_ERROR_PREFIX + _DYNAMODB_CODES.get(error.code, error.code)
    return error.code


def _query_compatible(environ, error):
    """CloudWatch and the other former query services: their query code, as botocore reads it."""
    if environ.get("HTTP_X_AMZN_QUERY_MODE", "").lower() != "true":
        return []
    query_error = service_error("query", "", "throttle" if error.sender else str(error.status))
    return [("x-amzn-query-error", "%s;%s" % (query_error.code, "Sender" if error.sender else "Receiver"))]


def _json(environ, service, error, request_id):
    content_type = environ.get("CONTENT_TYPE", "")
    if not content_type.startswith("application/x-amz-json-"):
        content_type = "application/x-amz-json-1.1"
    body = json.dumps({"__type": _json_type(service, error), "message": error.message}).encode()
    return [("Content-Type", content_type), ("x-amzn-RequestId", request_id)] + _query_compatible(environ, error), \
        body


def _rest_json(_environ, _service, error, request_id):
    body = json.dumps({"message": error.message}).encode()
    return [("Content-Type", "application/json"), ("x-amzn-RequestId", request_id),
            ("x-amzn-ErrorType", "%s:" % error.code)], body


def _cbor(environ, service, error, request_id):
    body = _cbor_map({"__type": _json_type(service, error), "message": error.message})
    return [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
            ("x-amzn-RequestId", request_id)] + _query_compatible(environ, error), body


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    if length < 256:
        return bytes([major << 5 | 24, length])
    return bytes([major << 5 | 25]) + length.to_bytes(2, "big")


def _cbor_map(items: dict) -> bytes:
    """A CBOR map of short text strings (RFC 8949): all an error body needs."""
    out = _cbor_head(5, len(items))
    for key, value in items.items():
        for text in (key, value):
            data = text.encode()
            out += _cbor_head(3, len(data)) + data
    return out
