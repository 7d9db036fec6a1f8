# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import ssm_parameters


@pytest.fixture(name="ssm")
def fixture_ssm():
    client = boto3.client("ssm", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="not-a-secret")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _parameter(name, value, kind="String"):
    return {"Name": name, "Type": kind, "Value": value}


@pytest.mark.parametrize("name,path,problem", [
    ("/staging/dynamodb/orders", None, None),
    ("plain-name_1.x", None, None),
    (None, "/", None),
    (None, "/staging/dynamodb/", None),
    (None, "/staging/dynamodb", None),
    ("staging/orders", None, "name: 'staging/orders' is not an SSM parameter name"),
    ("/staging/dynamodb/", None, "is not an SSM parameter name"),
    ("/staging//orders", None, "is not an SSM parameter name"),
    ("/staging/orders name", None, "is not an SSM parameter name"),
    ("/staging/{{ x }}", None, "is not an SSM parameter name"),
    ("", None, "is not an SSM parameter name"),
    (None, "staging/", "path: 'staging/' is not an SSM parameter path"),
    (None, "//", "is not an SSM parameter path"),
    (None, "/staging/*", "is not an SSM parameter path"),
    (None, "", "is not an SSM parameter path"),
    ("/" + "a/" * 15 + "b", None, "more than SSM's 15 levels"),
    ("/" + "a" * 2048, None, "longer than SSM's 2048 characters"),
])
def test_names_and_paths_follow_the_rules_of_ssm(name, path, problem):
    problems = ssm_parameters.name_problems(name, path)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0], problems


def test_fifteen_levels_are_allowed():
    assert ssm_parameters.name_problems("/" + "/".join(["a"] * 15)) == []


@pytest.mark.parametrize("name,path,short", [
    ("/staging/dynamodb/orders", "/staging/dynamodb/", "orders"),
    ("/staging/dynamodb/orders", "/staging/dynamodb", "orders"),
    ("/staging/app/db/user", "/staging/", "app/db/user"),
    ("/staging/dynamodb/orders", None, "orders"),
    ("plain", None, "plain"),
])
def test_short_names_are_relative_to_the_path(name, path, short):
    assert ssm_parameters.short_name(name, path) == short


def test_a_missing_parameter_is_none(ssm):
    client, stubber = ssm
    stubber.add_client_error("get_parameter", "ParameterNotFound", expected_params={
        "Name": "/staging/dynamodb/orders", "WithDecryption": True})
    assert ssm_parameters.read_parameter(client, "/staging/dynamodb/orders") is None


def test_one_parameter_is_read_decrypted_after_throttling(ssm):
    client, stubber = ssm
    expected = {"Name": "/staging/app/token", "WithDecryption": True}
    stubber.add_client_error("get_parameter", "ThrottlingException", http_status_code=400, expected_params=expected)
    stubber.add_response("get_parameter", {"Parameter": _parameter("/staging/app/token", "s3cret", "SecureString")},
                         expected_params=expected)
    assert ssm_parameters.read_parameter(client, "/staging/app/token") == {
        "name": "/staging/app/token", "type": "SecureString", "value": "s3cret"}


def test_other_errors_are_not_swallowed(ssm):
    client, stubber = ssm
    stubber.add_client_error("get_parameter", "AccessDeniedException", http_status_code=400)
    with pytest.raises(ClientError):
        ssm_parameters.read_parameter(client, "/staging/app/token")


def test_every_page_of_a_path_is_read_and_sorted(ssm):
    client, stubber = ssm
    base = {"Path": "/staging/", "Recursive": True, "WithDecryption": False}
    stubber.add_response("get_parameters_by_path", {
        "Parameters": [_parameter("/staging/dynamodb/orders", "staging-orders")], "NextToken": "t1"},
        expected_params=base)
    stubber.add_client_error("get_parameters_by_path", "ThrottlingException", http_status_code=400,
                             expected_params=dict(base, NextToken="t1"))
    stubber.add_response("get_parameters_by_path", {
        "Parameters": [_parameter("/staging/app/token", "AQICAH...", "SecureString")]},
        expected_params=dict(base, NextToken="t1"))
    parameters = ssm_parameters.read_path(client, "/staging/", recursive=True, decrypt=False)
    assert [p["name"] for p in parameters] == ["/staging/app/token", "/staging/dynamodb/orders"]
    assert ssm_parameters.by_name(parameters, "/staging/", short_names=True) == (
        {"app/token": "AQICAH...", "dynamodb/orders": "staging-orders"},
        {"app/token": "SecureString", "dynamodb/orders": "String"})
    assert ssm_parameters.by_name(parameters)[0] == {
        "/staging/app/token": "AQICAH...", "/staging/dynamodb/orders": "staging-orders"}


def test_an_empty_path_is_an_empty_list(ssm):
    client, stubber = ssm
    stubber.add_response("get_parameters_by_path", {"Parameters": []}, expected_params={
        "Path": "/preview-1/dynamodb/", "Recursive": False, "WithDecryption": True})
    assert ssm_parameters.read_path(client, "/preview-1/dynamodb/") == []
