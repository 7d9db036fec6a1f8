"""The pure logic of the local stack's fault injection: the configuration and its spec string (every bad field
refused by name), the draw per request (rate, kinds, seed, filters), and the error responses, parsed by botocore's
own parsers into the code and status each real service returns."""

import random

import pytest
from botocore.awsrequest import HeadersDict
from botocore.parsers import create_parser

from tools.stack.fault_injection import faults_from_environment
from tools.stack.fault_plan import (
    Fault,
    FaultConfigError,
    applies,
    check_config,
    draw,
    format_spec,
    parse_spec,
)
from tools.stack.fault_responses import error_response, protocol_of


def test_a_full_spec_string():
    config = parse_spec("rate=0.1,kinds=throttle+5xx,seed=7,services=kms+s3,operations=kms:ListKeyPolicies,delay=0.5")
    assert config == {"rate": 0.1, "kinds": ["throttle", "5xx"], "seed": 7, "services": ["kms", "s3"],
                      "operations": ["kms:ListKeyPolicies"], "delay": 0.5}
    assert parse_spec(format_spec(config)) == config


def test_defaults_of_a_short_spec():
    config = parse_spec(" rate=1 , kinds=slow ")
    assert (config["services"], config["operations"], config["delay"]) == (None, None, 2.0)
    assert isinstance(config["seed"], int) and config["seed"] >= 0  # drawn, and reported so a run can be replayed
    assert "seed=%d" % config["seed"] in format_spec(config)


@pytest.mark.parametrize("spec,field", [
    ("", "fault spec"),
    ("rate", "fault spec"),
    ("kinds=throttle", "rate: required"),
    ("rate=0.1", "kinds: required"),
    ("rate=1.5,kinds=throttle", "rate: must be from 0 to 1"),
    ("rate=-0.1,kinds=throttle", "rate: must be from 0 to 1"),
    ("rate=ten,kinds=throttle", "rate: must be a number"),
    ("rate=nan,kinds=throttle", "rate: must be a number"),
    ("rate=0.1,rate=0.2,kinds=throttle", "rate: given twice"),
    ("rate=0.1,kinds=", "kinds: must be a non-empty list"),
    ("rate=0.1,kinds=throttle+flood", "kinds: 'flood' is not one of throttle, 5xx, reset, slow"),
    ("rate=0.1,kinds=throttle+throttle", "kinds: an entry is given twice"),
    ("rate=0.1,kinds=throttle,seed=-1", "seed: must be an integer"),
    ("rate=0.1,kinds=throttle,seed=7.5", "seed: must be an integer"),
    ("rate=0.1,kinds=throttle,services=KMS", "services: 'KMS' is not a signing name"),
    ("rate=0.1,kinds=throttle,services=kms;rm", "services: 'kms;rm' is not a signing name"),
    ("rate=0.1,kinds=throttle,operations=ListKeys", "operations: 'ListKeys' is not service:Action"),
    ("rate=0.1,kinds=slow,delay=61", "delay: must be from 0 to 60"),
    ("rate=0.1,kinds=throttle,colour=red", "colour: unknown field"),
])
def test_a_bad_spec_is_refused_naming_the_field(spec, field):
    with pytest.raises(FaultConfigError) as refused:
        parse_spec(spec)
    assert field in str(refused.value)


@pytest.mark.parametrize("raw,field", [
    ([0.1, ["throttle"]], "must be a JSON object"),
    ({"rate": True, "kinds": ["throttle"]}, "rate: must be a number"),
    ({"rate": "0.1", "kinds": ["throttle"]}, "rate: must be a number"),
    ({"rate": 0.1, "kinds": "throttle"}, "kinds: must be a non-empty list"),
    ({"rate": 0.1, "kinds": [5]}, "kinds: 5 is not one of"),
    ({"rate": 0.1, "kinds": ["throttle"], "seed": True}, "seed: must be an integer"),
    ({"rate": 0.1, "kinds": ["throttle"], "seed": 2 ** 64}, "seed: must be an integer"),
    ({"rate": 0.1, "kinds": ["throttle"], "services": []}, "services: must be a non-empty list"),
    ({"rate": 0.1, "kinds": ["throttle"], "services": ["kms"] * 101}, "services: at most 100 entries"),
    ({"rate": 0.1, "kinds": ["throttle"], "delay": "2"}, "delay: must be a number"),
])
def test_a_bad_json_configuration_is_refused_naming_the_field(raw, field):
    with pytest.raises(FaultConfigError) as refused:
        check_config(raw)
    assert field in str(refused.value)


def test_the_environment_variable_is_read_and_named_when_bad():
    assert faults_from_environment({}) is None
    assert faults_from_environment({"ENVOPS_STACK_FAULTS": " "}) is None
    assert faults_from_environment({"ENVOPS_STACK_FAULTS": "rate=0.5,kinds=reset,seed=1"})["kinds"] == ["reset"]
    with pytest.raises(FaultConfigError, match="^ENVOPS_STACK_FAULTS: rate: must be from 0 to 1"):
        faults_from_environment({"ENVOPS_STACK_FAULTS": "rate=3,kinds=reset"})


def _draws(config, count=200):
    rng = random.Random(config["seed"])
    return [draw(config, rng) for _draw in range(count)]


def test_rate_zero_never_faults_and_rate_one_always_does():
    assert _draws(check_config({"rate": 0, "kinds": ["throttle"], "seed": 1})) == [None] * 200
    assert _draws(check_config({"rate": 1, "kinds": ["throttle"], "seed": 1})) == [Fault("throttle")] * 200


def test_a_seed_gives_the_same_faults_and_another_seed_others():
    config = check_config({"rate": 0.3, "kinds": ["throttle", "5xx", "reset", "slow"], "seed": 7})
    first = _draws(config)
    assert first == _draws(config)
    assert first != _draws(dict(config, seed=8))


def test_the_rate_is_the_fraction_faulted_and_every_kind_and_5xx_status_occurs():
    config = check_config({"rate": 0.3, "kinds": ["throttle", "5xx", "reset", "slow"], "seed": 11})
    faults = [fault for fault in _draws(config, 10000) if fault]
    assert 2800 <= len(faults) <= 3200
    assert {fault.kind for fault in faults} == {"throttle", "5xx", "reset", "slow"}
    assert {fault.status for fault in faults if fault.kind == "5xx"} == {500, 503}
    assert {fault.status for fault in faults if fault.kind != "5xx"} == {0}


def test_filters_by_service_and_operation():
    everything = check_config({"rate": 1, "kinds": ["throttle"]})
    assert applies(everything, "ec2", "ec2:DescribeVpcs")
    kms_only = check_config({"rate": 1, "kinds": ["throttle"], "services": ["kms", "s3"]})
    assert applies(kms_only, "kms", "kms:ListKeys") and applies(kms_only, "s3", "s3:GET /bucket")
    assert not applies(kms_only, "ec2", "ec2:DescribeVpcs")
    one_call = check_config({"rate": 1, "kinds": ["throttle"], "operations": ["kms:ListKeyPolicies"]})
    assert applies(one_call, "kms", "kms:ListKeyPolicies") and not applies(one_call, "kms", "kms:ListKeys")


def _environ(service, target=None, method="POST", content_type=None, **extra):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/",
               "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-1/%s/aws4_request, "
                                     "SignedHeaders=host, Signature=0" % service}
    if target:
        environ["HTTP_X_AMZ_TARGET"] = target
    if content_type:
        environ["CONTENT_TYPE"] = content_type
    environ.update(extra)
    return environ


@pytest.mark.parametrize("environ,label,protocol", [
    (_environ("ec2"), "ec2:DescribeVpcs", "ec2"),
    (_environ("rds"), "rds:DescribeDBInstances", "query"),
    (_environ("kms", "TrentService.ListKeys"), "kms:ListKeys", "json"),
    (_environ("monitoring", "GraniteServiceVersion20100801.ListMetrics"), "monitoring:ListMetrics", "json"),
    (_environ("monitoring", HTTP_SMITHY_PROTOCOL="rpc-v2-cbor"), "monitoring:POST /service/x", "smithy-rpc-v2-cbor"),
    (_environ("s3", method="GET"), "s3:GET /bucket", "rest-xml"),
    (_environ("route53", method="GET"), "route53:GET /2013-04-01/hostedzone", "rest-xml"),
    (_environ("backup", method="GET"), "backup:GET /backup-vaults/", "rest-json"),
])
def test_the_protocol_is_read_from_the_request(environ, label, protocol):
    assert protocol_of(environ, label.partition(":")[0], label) == protocol


# (protocol, signing name, request environ, fault) -> the code and HTTP status botocore reports
CASES = [
    ("ec2", "ec2", {}, "throttle", "RequestLimitExceeded", 503),
    ("ec2", "ec2", {}, "500", "InternalError", 500),
    ("ec2", "ec2", {}, "503", "ServiceUnavailable", 503),
    ("query", "rds", {}, "throttle", "Throttling", 400),
    ("query", "iam", {}, "500", "InternalFailure", 500),
    ("query", "sts", {}, "503", "ServiceUnavailable", 503),
    ("json", "kms", {"CONTENT_TYPE": "application/x-amz-json-1.1"}, "throttle", "ThrottlingException", 400),
    ("json", "dynamodb", {"CONTENT_TYPE": "application/x-amz-json-1.0"}, "throttle", "ThrottlingException", 400),
    ("json", "dynamodb", {}, "500", "InternalServerError", 500),
    ("json", "secretsmanager", {}, "503", "ServiceUnavailable", 503),
    ("json", "monitoring", {"HTTP_X_AMZN_QUERY_MODE": "true"}, "throttle", "Throttling", 400),
    ("smithy-rpc-v2-cbor", "monitoring", {}, "throttle", "ThrottlingException", 400),
    ("smithy-rpc-v2-cbor", "monitoring", {"HTTP_X_AMZN_QUERY_MODE": "true"}, "500", "InternalFailure", 500),
    ("rest-json", "backup", {}, "throttle", "ThrottlingException", 429),
    ("rest-json", "backup", {}, "500", "InternalFailure", 500),
    ("rest-xml", "s3", {}, "throttle", "SlowDown", 503),
    ("rest-xml", "s3", {}, "500", "InternalError", 500),
    ("rest-xml", "s3", {}, "503", "ServiceUnavailable", 503),
    ("rest-xml", "route53", {}, "throttle", "Throttling", 400),
]


@pytest.mark.parametrize("protocol,service,environ,fault,code,status", CASES)
def test_botocore_parses_the_code_the_service_returns(protocol, service, environ, fault, code, status):
    response = error_response(dict(environ, REQUEST_METHOD="POST"), protocol, service, fault)
    assert response.status.split()[0] == str(status)
    headers = HeadersDict(response.headers)
    assert int(headers["Content-Length"]) == len(response.body) > 0
    parsed = create_parser(protocol).parse({"status_code": status, "headers": headers, "body": response.body}, None)
    assert parsed["Error"]["Code"] == code
    assert parsed["Error"]["Message"]


def test_the_dynamodb_type_carries_its_prefix_as_on_aws():
    response = error_response({"REQUEST_METHOD": "POST"}, "json", "dynamodb", "throttle")
    assert b'"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException"' in response.body


def test_a_head_request_gets_no_body_and_botocore_reports_the_status():
    response = error_response({"REQUEST_METHOD": "HEAD"}, "rest-xml", "s3", "throttle")
    assert response.body == b"" and response.status == "503 Service Unavailable"
    parsed = create_parser("rest-xml").parse({"status_code": 503, "headers": HeadersDict(response.headers),
                                              "body": b""}, None)
    assert parsed["Error"]["Code"] == "503"
