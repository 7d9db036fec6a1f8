# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import json

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import cloudwatch_dashboards as dashboards

BODY = {"widgets": [{"type": "text", "x": 0, "y": 0, "width": 24, "height": 6, "properties": {"markdown": "# a"}}]}


@pytest.fixture
def client():
    cloudwatch = boto3.client("cloudwatch", region_name="me-south-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(cloudwatch) as stubber:
        yield cloudwatch, stubber
        stubber.assert_no_pending_responses()


def test_same_json_in_other_formatting_is_the_same_body():
    reformatted = '{"widgets":[{"properties":{"markdown":"# a"},"height":6,"width":24,"y":0,"x":0,"type":"text"}]}'
    assert dashboards.same_body(reformatted, BODY)
    assert not dashboards.same_body(reformatted.replace("# a", "# b"), BODY)
    assert not dashboards.same_body(None, BODY)


def test_diff_is_normalised_json_text_and_empty_for_no_dashboard():
    diff = dashboards.diff_of(None, BODY)
    assert diff["before"] == ""
    assert json.loads(diff["after"]) == BODY and '\n  "widgets": [' in diff["after"]
    assert dashboards.diff_of(json.dumps(BODY), None)["after"] == ""


@pytest.mark.parametrize("name,body,problem", [
    ("envops-prod-system-health", BODY, None),
    ("prod dashboard", BODY, "dashboard_name"),
    ("x" * 256, BODY, "dashboard_name"),
    ("ok", {"widget": []}, "list of widgets"),
    ("ok", [], "list of widgets"),
    ("ok", {"widgets": [{"properties": {"markdown": "x" * 1024 * 1024}}]}, "1 MB"),
    ("ok", None, None),
])
def test_name_and_body_are_checked_before_any_call(name, body, problem):
    problems = dashboards.body_problems(name, body)
    assert (problems == []) if problem is None else any(problem in text for text in problems), problems


def test_a_missing_dashboard_reads_as_none(client):
    cloudwatch, stubber = client
    stubber.add_client_error("get_dashboard", "ResourceNotFound", http_status_code=404,
                             expected_params={"DashboardName": "nope"})
    assert dashboards.get_body(cloudwatch, "nope") is None


def test_put_sends_sorted_json_and_returns_the_validation_messages(client):
    cloudwatch, stubber = client
    stubber.add_response("put_dashboard", {"DashboardValidationMessages": [{"DataPath": "/widgets/0",
                                                                            "Message": "Should be an object"}]},
                         {"DashboardName": "d", "DashboardBody": json.dumps(BODY, sort_keys=True)})
    assert dashboards.put_body(cloudwatch, "d", BODY) == ["Should be an object"]


def test_throttling_is_retried(client):
    cloudwatch, stubber = client
    stubber.add_client_error("get_dashboard", "Throttling", http_status_code=400)
    stubber.add_response("get_dashboard", {"DashboardBody": json.dumps(BODY), "DashboardName": "d"})
    assert dashboards.get_body(cloudwatch, "d") == json.dumps(BODY)


def test_deleting_a_missing_dashboard_is_no_error(client):
    cloudwatch, stubber = client
    stubber.add_client_error("delete_dashboards", "ResourceNotFound", http_status_code=404,
                             expected_params={"DashboardNames": ["gone"]})
    dashboards.delete(cloudwatch, "gone")
