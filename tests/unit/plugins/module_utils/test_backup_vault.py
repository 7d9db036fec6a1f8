# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils import backup_vault as vaults

KEY = "arn:aws:kms:me-south-1:111111111111:key/0d2b6f3e-6a1c-4e43-9d0a-2c1a5e1b7f10"
OTHER_KEY = "arn:aws:kms:me-south-1:111111111111:key/9e8d7c6b-0000-4e43-9d0a-2c1a5e1b7f10"
ARN = "arn:aws:backup:me-south-1:111111111111:backup-vault:envops-prod"


@pytest.fixture
def client():
    backup = boto3.client("backup", region_name="me-south-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(backup) as stubber:
        yield backup, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize("name,key,problem", [
    ("envops-prod", KEY, None), ("envops_prod-dr", None, None),
    ("e", KEY, "must be 2 to 50 letters"), ("envops prod", KEY, "must be 2 to 50 letters"), ("x" * 51, None, "2 to 50"),
    ("envops-prod", "alias/envops/prod/backups", "must be the ARN of a KMS key"),
    ("envops-prod", "arn:aws:kms:me-south-1:111111111111:alias/envops", "must be the ARN of a KMS key"),
])
def test_validate_names_the_field_and_its_rule(name, key, problem):
    problems = vaults.validate(name, key)
    assert (problems == []) if problem is None else any(problem in text for text in problems), problems


def test_a_missing_vault_is_to_be_created_with_the_given_key_and_tags():
    current = vaults.state_of(None, None)
    assert current == {"exists": False}
    assert vaults.desired_state(current, KEY, {"env": "prod"}, True) == {
        "exists": True, "encryption_key_arn": KEY, "tags": {"env": "prod"}}
    assert vaults.refusal("envops-prod", current, vaults.desired_state(current, KEY, None, True)) is None


def test_tags_follow_the_amazon_aws_contract():
    current = vaults.state_of({"EncryptionKeyArn": KEY}, {"env": "prod", "team": "a", "aws:backup:source": "x"})
    assert vaults.desired_state(current, KEY, None, True) == current, "tags unset: left alone"
    purged = vaults.desired_state(current, KEY, {"env": "prod", "tier": 1}, True)
    assert purged["tags"] == {"env": "prod", "tier": "1", "aws:backup:source": "x"}, "aws: keys are never purged"
    kept = vaults.desired_state(current, KEY, {"tier": "1"}, False)
    assert kept["tags"] == {"env": "prod", "team": "a", "aws:backup:source": "x", "tier": "1"}
    assert vaults.tag_changes(current["tags"], purged["tags"]) == ({"tier": "1"}, ["team"])


def test_another_key_is_refused_with_the_reason_and_no_key_keeps_the_vaults():
    current = vaults.state_of({"EncryptionKeyArn": KEY}, {})
    assert vaults.desired_state(current, None, None, True)["encryption_key_arn"] == KEY
    refused = vaults.refusal("envops-prod", current, vaults.desired_state(current, OTHER_KEY, None, True))
    assert "envops-prod is encrypted with %s, not %s: a vault's key is fixed" % (KEY, OTHER_KEY) in refused


def test_find_vault_reads_every_page_by_listing(client):
    backup, stubber = client
    stubber.add_response("list_backup_vaults", {"BackupVaultList": [{"BackupVaultName": "other"}], "NextToken": "t"}, {})
    stubber.add_response("list_backup_vaults", {"BackupVaultList": [
        {"BackupVaultName": "envops-prod", "BackupVaultArn": ARN, "EncryptionKeyArn": KEY}]}, {"NextToken": "t"})
    assert vaults.find_vault(backup, "envops-prod")["BackupVaultArn"] == ARN


def test_find_vault_of_a_missing_vault_is_none_and_a_denied_list_is_an_error(client):
    backup, stubber = client
    stubber.add_response("list_backup_vaults", {"BackupVaultList": []}, {})
    assert vaults.find_vault(backup, "envops-prod") is None
    stubber.add_client_error("list_backup_vaults", "AccessDeniedException", "not allowed", 403)
    with pytest.raises(AnsibleAWSError, match="list the backup vaults"):
        vaults.find_vault(backup, "envops-prod")


def test_create_passes_the_key_and_tags_only_when_given(client):
    backup, stubber = client
    stubber.add_response("create_backup_vault", {}, {"BackupVaultName": "envops-prod", "EncryptionKeyArn": KEY,
                                                     "BackupVaultTags": {"env": "prod"}})
    stubber.add_response("create_backup_vault", {}, {"BackupVaultName": "envops-dev"})
    vaults.create_vault(backup, "envops-prod", KEY, {"env": "prod"})
    vaults.create_vault(backup, "envops-dev", None, {})


def test_tag_vault_removes_then_sets(client):
    backup, stubber = client
    stubber.add_response("untag_resource", {}, {"ResourceArn": ARN, "TagKeyList": ["team"]})
    stubber.add_response("tag_resource", {}, {"ResourceArn": ARN, "Tags": {"tier": "1"}})
    vaults.tag_vault(backup, ARN, {"tier": "1"}, ["team"])
    vaults.tag_vault(backup, ARN, {}, [])


def test_deleting_a_vault_already_gone_changes_nothing(client):
    backup, stubber = client
    stubber.add_client_error("delete_backup_vault", "ResourceNotFoundException", "gone", 404)
    assert vaults.delete_vault(backup, "envops-prod") is False
