# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils import wafv2_logging as logging

ACL = "arn:aws:wafv2:eu-central-1:100000000004:regional/webacl/envops-prod/0d2b6f3e-6a1c-4e43-9d0a-2c1a5e1b7f10"
GROUP = "arn:aws:logs:eu-central-1:100000000004:log-group:aws-waf-logs-prod"


@pytest.fixture
def client():
    wafv2 = boto3.client("wafv2", region_name="eu-central-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(wafv2) as stubber:
        yield wafv2, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("acl,destination,headers,state,problem", [
    (ACL, GROUP, ["authorization", "Cookie"], "present", None),
    (ACL, GROUP + ":*", [], "present", None),
    (ACL, None, [], "absent", None),
    ("envops-prod", GROUP, [], "present", "web_acl_arn"),
    (ACL, None, [], "present", "destination_arn"),
    (ACL, GROUP.replace("aws-waf-logs-prod", "prod-waf"), [], "present", "aws-waf-logs-"),
    (ACL, GROUP, ["x-api key"], "present", "redacted_headers"),
])
def test_problems_name_the_option(acl, destination, headers, state, problem):
    found = logging.problems(acl, destination, headers, state)
    assert (found == []) if problem is None else any(problem in text for text in found), found


def test_the_log_groups_arn_loses_the_suffix_that_waf_refuses():
    assert logging.destination_arn(GROUP + ":*") == GROUP
    assert logging.destination_arn(GROUP) == GROUP


def test_headers_compare_in_lower_case_in_any_order_and_other_redactions_are_kept():
    current = logging.state_of({"ResourceArn": ACL, "LogDestinationConfigs": [GROUP], "RedactedFields": [
        {"SingleHeader": {"Name": "Cookie"}}, {"QueryString": {}}, {"SingleHeader": {"Name": "authorization"}}]})
    assert current == {"exists": True, "destination": GROUP, "redacted_headers": ["authorization", "cookie"],
                       "other_redacted_fields": [{"QueryString": {}}]}
    same = logging.desired_state(current, GROUP + ":*", ["cookie", "Authorization"])
    assert not logging.differs(current, same)
    assert logging.differs(current, logging.desired_state(current, GROUP, ["cookie"]))
    assert logging.differs(current, logging.desired_state(current, GROUP.replace("prod", "staging"),
                                                          ["cookie", "authorization"]))
    assert logging.logging_configuration(ACL, same) == {
        "ResourceArn": ACL, "LogDestinationConfigs": [GROUP],
        "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}, {"SingleHeader": {"Name": "cookie"}},
                           {"QueryString": {}}]}


def test_a_web_acl_without_logging_is_to_be_configured(client):
    wafv2, stubber = client
    stubber.add_client_error("get_logging_configuration", "WAFNonexistentItemException",
                             expected_params={"ResourceArn": ACL})
    current = logging.state_of(logging.get_logging_configuration(wafv2, ACL))
    assert current == {"exists": False}
    desired = logging.desired_state(current, GROUP, [])
    assert logging.differs(current, desired)
    assert logging.logging_configuration(ACL, desired) == {"ResourceArn": ACL, "LogDestinationConfigs": [GROUP]}


def test_the_configuration_read_back_is_compared(client):
    wafv2, stubber = client
    stubber.add_response("get_logging_configuration", {"LoggingConfiguration": {
        "ResourceArn": ACL, "LogDestinationConfigs": [GROUP],
        "RedactedFields": [{"SingleHeader": {"Name": "authorization"}}]}}, {"ResourceArn": ACL})
    current = logging.state_of(logging.get_logging_configuration(wafv2, ACL))
    assert not logging.differs(current, logging.desired_state(current, GROUP, ["authorization"]))
    assert logging.differs(current, logging.desired_state(current, GROUP, ["authorization", "cookie"]))


def test_put_sends_the_configuration_and_a_refusal_is_an_ansible_error(client):
    wafv2, stubber = client
    configuration = {"ResourceArn": ACL, "LogDestinationConfigs": [GROUP],
                     "RedactedFields": [{"SingleHeader": {"Name": "cookie"}}]}
    stubber.add_response("put_logging_configuration", {"LoggingConfiguration": configuration},
                         {"LoggingConfiguration": configuration})
    logging.put_logging_configuration(wafv2, configuration)
    stubber.add_client_error("put_logging_configuration", "WAFInvalidParameterException",
                             expected_params={"LoggingConfiguration": configuration})
    with pytest.raises(AnsibleAWSError):
        logging.put_logging_configuration(wafv2, configuration)


def test_deleting_a_configuration_already_gone_is_no_error(client):
    wafv2, stubber = client
    stubber.add_client_error("delete_logging_configuration", "WAFNonexistentItemException",
                             expected_params={"ResourceArn": ACL})
    logging.delete_logging_configuration(wafv2, ACL)
