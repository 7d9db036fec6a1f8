# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.filter.aws_config import aws_config
from ansible_collections.envops.aws.plugins.filter.aws_connection import aws_connection

DEFAULT = {"retries": {"mode": "standard", "max_attempts": 10}}


def test_no_inventory_setting_gives_the_collection_default():
    assert aws_config(None) == DEFAULT


def test_the_inventory_overrides_the_retry_default_key_by_key_and_keeps_other_botocore_options():
    config = aws_config({"retries": {"mode": "adaptive"}, "connect_timeout": 5})
    assert config == {"retries": {"mode": "adaptive", "max_attempts": 10}, "connect_timeout": 5}


@pytest.mark.parametrize("config,field", [
    ({"retries": {"mode": "fast"}}, "envops_aws_config.retries.mode"),
    ({"retries": {"max_attempts": 0}}, "envops_aws_config.retries.max_attempts"),
    ({"retries": {"max_attempts": 51}}, "envops_aws_config.retries.max_attempts"),
    ({"retries": {"max_attempts": True}}, "envops_aws_config.retries.max_attempts"),
    ({"retries": {"max_attempts": "10"}}, "envops_aws_config.retries.max_attempts"),
    ({"retries": {"attempts": 3}}, "envops_aws_config.retries: unknown keys attempts"),
    ({"retries": 5}, "envops_aws_config.retries"),
    ("standard", "envops_aws_config"),
])
def test_a_wrong_setting_fails_naming_the_field(config, field):
    with pytest.raises(AnsibleFilterError, match=field.replace(".", r"\.")):
        aws_config(config)


def test_a_connection_carries_only_what_the_inventory_sets_and_always_the_retries():
    on_aws = {"envops_env": {"region": "eu-west-1"}}
    assert aws_connection(on_aws) == {"region": "eu-west-1", "aws_config": DEFAULT}
    local = {"envops_env": {"region": "me-south-1"}, "envops_endpoint_url": "http://127.0.0.1:5000",
             "envops_aws_access_key": "210000000004", "envops_aws_secret_key": "x",
             "envops_aws_config": {"retries": {"max_attempts": 20}}}
    assert aws_connection(local) == {
        "region": "me-south-1", "endpoint_url": "http://127.0.0.1:5000", "access_key": "210000000004",
        "secret_key": "x", "aws_config": {"retries": {"mode": "standard", "max_attempts": 20}}}


def test_an_assumed_role_session_carries_its_token():
    session = {"envops_env": {"region": "me-south-1"}, "envops_aws_access_key": "ASIAEXAMPLE",
               "envops_aws_secret_key": "x", "envops_aws_session_token": "token"}
    assert aws_connection(session) == {
        "region": "me-south-1", "access_key": "ASIAEXAMPLE", "secret_key": "x", "session_token": "token",
        "aws_config": DEFAULT}


def test_a_connection_of_an_environment_without_a_validated_spec_fails():
    with pytest.raises(AnsibleFilterError, match="envops_env"):
        aws_connection({"envops_endpoint_url": "http://127.0.0.1:5000"})
    with pytest.raises(AnsibleFilterError, match=r"envops_aws_config\.retries\.mode"):
        aws_connection({"envops_env": {"region": "eu-west-1"}, "envops_aws_config": {"retries": {"mode": "x"}}})
