# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.envops.aws.plugins.module_utils import log_group_keys

KEY = "arn:aws:kms:me-south-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER = KEY.replace("1234abcd", "9999abcd")


@pytest.mark.parametrize("prefix,key,problem", [
    ("/envops/prod/", KEY, None),
    ("/envops/prod/;rm", KEY, "log_group_name_prefix"),
    ("", KEY, "log_group_name_prefix"),
    ("/envops/prod/", "alias/envops/prod/logs", "kms_key_arn"),
    ("/envops/prod/", KEY + "\n", "kms_key_arn"),
])
def test_options_are_checked_before_any_call(prefix, key, problem):
    problems = log_group_keys.problems_of(prefix, key)
    assert (problems == []) if problem is None else any(problem in text for text in problems), problems


def test_only_groups_without_the_key_change():
    groups = {"/envops/prod/app": KEY, "/envops/prod/vpc-flow-logs": None, "/envops/prod/audit": OTHER}
    assert log_group_keys.keys_to_change(groups, KEY) == ["/envops/prod/audit", "/envops/prod/vpc-flow-logs"]


def test_groups_are_listed_by_prefix_across_pages_and_associated():
    logs = boto3.client("logs", region_name="me-south-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(logs) as stubber:
        stubber.add_response("describe_log_groups", {"logGroups": [{"logGroupName": "/envops/prod/app", "kmsKeyId": KEY}],
                                                     "nextToken": "t"}, {"logGroupNamePrefix": "/envops/prod/"})
        stubber.add_response("describe_log_groups", {"logGroups": [{"logGroupName": "/envops/prod/vpc-flow-logs"}]},
                             {"logGroupNamePrefix": "/envops/prod/", "nextToken": "t"})
        stubber.add_client_error("associate_kms_key", "ThrottlingException", http_status_code=400)
        stubber.add_response("associate_kms_key", {}, {"logGroupName": "/envops/prod/vpc-flow-logs", "kmsKeyId": KEY})
        found = log_group_keys.log_group_keys(logs, "/envops/prod/")
        assert found == {"/envops/prod/app": KEY, "/envops/prod/vpc-flow-logs": None}
        log_group_keys.associate(logs, "/envops/prod/vpc-flow-logs", KEY)
        stubber.assert_no_pending_responses()
