# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils import rds_snapshot_copy as copies

ARN = "arn:aws:rds:eu-west-1:111122223333:snapshot:prod-source"


def params(**overrides):
    base = {"db_snapshot_identifier": "prod-copy", "source_db_snapshot_identifier": "prod-source", "state": "present",
            "source_region": None, "shared_accounts": None, "copy_tags": False, "tags": None}
    base.update(overrides)
    return base


@pytest.mark.parametrize("identifier,valid", [
    ("prod-copy", True), ("a", True), ("a" * 255, True), ("a" * 256, False), ("1prod", False), ("prod--copy", False),
    ("prod-", False), ("prod_copy", False), ("", False)])
def test_snapshot_ids(identifier, valid):
    assert copies.valid_snapshot_id(identifier) is valid


def test_valid_params_have_no_problems():
    assert copies.validate_params(params(), "eu-west-1") == []
    assert copies.validate_params(params(source_db_snapshot_identifier=ARN, source_region="eu-west-1"),
                                  "eu-central-1") == []
    assert copies.validate_params(params(source_db_snapshot_identifier="rds:prod-postgres-2026-11-23-03-00"),
                                  "eu-west-1") == []
    assert copies.validate_params(params(state="absent", source_db_snapshot_identifier=None), "eu-west-1") == []


@pytest.mark.parametrize("overrides,expected", [
    ({"source_db_snapshot_identifier": None}, "is required with state=present"),
    ({"source_db_snapshot_identifier": "arn:aws:rds:eu-west-1:1:snapshot:x"}, "is not a DB snapshot ARN"),
    ({"source_db_snapshot_identifier": ARN, "source_region": "us-east-1"}, "differs from the Region of the source ARN"),
    ({"source_region": "us-east-1"}, "needs the source snapshot's ARN"),
    ({"shared_accounts": ["all", "12345"]}, "'12345' is neither"),
    ({"db_snapshot_identifier": "x--y"}, "db_snapshot_identifier 'x--y'"),
])
def test_problems_are_named(overrides, expected):
    problems = copies.validate_params(params(**overrides), "eu-west-1")
    assert len(problems) == 1 and expected in problems[0], problems


def test_copy_params_name_the_source_region_only_for_another_region():
    local = copies.copy_params(params(tags={"run": 1}), "eu-west-1", "arn:key")
    assert local == {"SourceDBSnapshotIdentifier": "prod-source", "TargetDBSnapshotIdentifier": "prod-copy",
                     "CopyTags": False, "KmsKeyId": "arn:key", "Tags": [{"Key": "run", "Value": "1"}]}
    remote = copies.copy_params(params(source_db_snapshot_identifier=ARN), "eu-central-1", None)
    assert remote["SourceRegion"] == "eu-west-1" and "KmsKeyId" not in remote


def test_a_copy_under_another_key_is_a_problem():
    snapshot = {"DBSnapshotIdentifier": "prod-copy", "KmsKeyId": "arn:key:a"}
    assert copies.key_problem(snapshot, "arn:key:a") is None
    assert copies.key_problem(snapshot, None) is None
    assert "cannot change" in copies.key_problem(snapshot, "arn:key:b")


def test_share_changes():
    assert copies.share_changes(["111111111111"], None, True) == {"add": [], "remove": []}
    assert copies.share_changes(["111111111111"], ["222222222222"], True) == {
        "add": ["222222222222"], "remove": ["111111111111"]}
    assert copies.share_changes(["111111111111"], ["222222222222"], False) == {"add": ["222222222222"], "remove": []}


def test_tag_changes():
    assert copies.tag_changes({"a": "1"}, None, True) == ({}, [])
    assert copies.tag_changes({"a": "1", "b": "2"}, {"a": 1, "c": "3"}, True) == ({"c": "3"}, ["b"])
