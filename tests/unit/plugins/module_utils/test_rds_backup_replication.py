# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.rds import AnsibleRDSError

from ansible_collections.envops.aws.plugins.module_utils import rds_backup_replication as replication

DESTINATION = "eu-central-1"
SOURCE_ARN = "arn:aws:rds:me-south-1:123456789012:db:orders"
KEY_ID = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
KEY_ARN = f"arn:aws:kms:eu-central-1:123456789012:key/{KEY_ID}"
BACKUP_ARN = "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-2bqx3rqkvadxwjdnzjqvrhxyzq"


def module_params(**overrides):
    """Parameters as AnsibleAWSModule hands them over, with the module's defaults."""
    params = {
        "source_db_instance_arn": SOURCE_ARN,
        "kms_key_id": KEY_ARN,
        "backup_retention_period": 7,
        "state": "present",
        "wait": True,
        "wait_timeout": 1800,
    }
    params.update(overrides)
    return params


def source_instance(**overrides):
    """A DescribeDBInstances item of an encrypted source."""
    item = {
        "DBInstanceIdentifier": "orders",
        "DBInstanceArn": SOURCE_ARN,
        "DbiResourceId": "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "StorageEncrypted": True,
        "KmsKeyId": "arn:aws:kms:me-south-1:123456789012:key/11111111-2222-3333-4444-555555555555",
        "BackupRetentionPeriod": 35,
    }
    item.update(overrides)
    return item


def replicated_backup(**overrides):
    """A DescribeDBInstanceAutomatedBackups item of a replicated backup, as AWS returns it in the destination."""
    item = {
        "DBInstanceArn": SOURCE_ARN,
        "DbiResourceId": "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "Region": "me-south-1",
        "DBInstanceIdentifier": "orders",
        "RestoreWindow": {},
        "AllocatedStorage": 20,
        "Status": "replicating",
        "Engine": "postgres",
        "Encrypted": True,
        "KmsKeyId": KEY_ARN,
        "BackupRetentionPeriod": 7,
        "DBInstanceAutomatedBackupsArn": BACKUP_ARN,
    }
    item.update(overrides)
    return item


def changes(item, params):
    desired = replication.normalise_params(params, DESTINATION)
    current = replication.normalise_backup(item, DESTINATION, desired["kms_key_id"])
    return replication.differing_fields(current, desired)


class TestParseSourceArn:
    def test_db_instance_arn(self):
        assert replication.parse_source_arn(SOURCE_ARN) == {
            "region": "me-south-1",
            "account_id": "123456789012",
            "identifier": "orders",
        }

    @pytest.mark.parametrize(
        "arn",
        [
            "orders",
            "",
            None,
            "arn:aws:rds:me-south-1:123456789012:cluster:orders",
            "arn:aws:rds:me-south-1:123456789012:snapshot:rds:orders-2026-11-23",
            "arn:aws:rds::123456789012:db:orders",
            "arn:aws:ec2:me-south-1:123456789012:db:orders",
            "arn:aws:rds:me-south-1:1234:db:orders",
        ],
    )
    def test_not_a_db_instance_arn(self, arn):
        assert replication.parse_source_arn(arn) is None


class TestValidateParams:
    def test_valid(self):
        assert replication.validate_params(module_params(), DESTINATION) == []

    def test_valid_without_key(self):
        assert replication.validate_params(module_params(kms_key_id=None), DESTINATION) == []

    @pytest.mark.parametrize(
        "params, destination, problem",
        [
            (module_params(), None, "region (the destination Region of the replicated backups) is required"),
            (module_params(source_db_instance_arn="orders"), DESTINATION, "is not an RDS DB instance ARN"),
            (
                module_params(kms_key_id=None),
                "me-south-1",
                "The source DB instance is in me-south-1: region must be another Region",
            ),
            (module_params(backup_retention_period=0), DESTINATION, "between 1 and 35 days, not 0"),
            (module_params(backup_retention_period=36), DESTINATION, "between 1 and 35 days, not 36"),
            (module_params(kms_key_id=KEY_ID), DESTINATION, "is not a KMS key ARN"),
            (
                module_params(kms_key_id="arn:aws:kms:eu-central-1:123456789012:alias/dr"),
                DESTINATION,
                "is not a KMS key ARN",
            ),
            (
                module_params(kms_key_id=KEY_ARN.replace("eu-central-1", "me-south-1")),
                DESTINATION,
                "must be a key in the destination Region eu-central-1, not in me-south-1",
            ),
        ],
    )
    def test_problems(self, params, destination, problem):
        problems = replication.validate_params(params, destination)
        assert len(problems) == 1
        assert problem in problems[0]

    @pytest.mark.parametrize("retention", [1, 35])
    def test_retention_bounds_are_allowed(self, retention):
        assert replication.validate_params(module_params(backup_retention_period=retention), DESTINATION) == []


class TestValidateSource:
    def test_encrypted_source_with_key(self):
        assert replication.validate_source(source_instance(), module_params()) == []

    def test_unencrypted_source_without_key(self):
        assert (
            replication.validate_source(source_instance(StorageEncrypted=False), module_params(kms_key_id=None)) == []
        )

    @pytest.mark.parametrize(
        "source, params, problem",
        [
            (source_instance(), module_params(kms_key_id=None), "orders is encrypted: kms_key_id"),
            (source_instance(StorageEncrypted=False), module_params(), "orders is not encrypted"),
            (source_instance(BackupRetentionPeriod=0), module_params(), "automated backups turned off"),
        ],
    )
    def test_problems(self, source, params, problem):
        problems = replication.validate_source(source, params)
        assert len(problems) == 1
        assert problem in problems[0]


class TestMatching:
    def test_only_the_active_replication_of_our_source(self):
        ours = replicated_backup()
        others = [
            replicated_backup(DBInstanceArn=SOURCE_ARN.replace("orders", "billing"), DBInstanceIdentifier="billing"),
            replicated_backup(Status="retained", DBInstanceAutomatedBackupsArn=BACKUP_ARN + "old"),
        ]
        assert replication.matching_replications(others + [ours], SOURCE_ARN) == [ours]

    @pytest.mark.parametrize("status", ["pending", "replicating", "Replicating", "REPLICATING"])
    def test_pending_and_replicating_in_any_case_are_active(self, status):
        assert replication.is_active(replicated_backup(Status=status))

    @pytest.mark.parametrize("status", ["retained", "Retained", "RETAINED"])
    def test_retained_is_not_active(self, status):
        assert not replication.is_active(replicated_backup(Status=status))

    def test_nothing(self):
        assert replication.matching_replications([], SOURCE_ARN) == []


class TestCompare:
    def test_same_settings(self):
        assert changes(replicated_backup(), module_params()) == []

    @pytest.mark.parametrize(
        "overrides, expected",
        [
            ({"backup_retention_period": 14}, ["backup_retention_period"]),
            ({"kms_key_id": KEY_ARN.replace(KEY_ID, "99999999-2222-3333-4444-555555555555")}, ["kms_key_id"]),
            (
                {"backup_retention_period": 1, "kms_key_id": KEY_ARN.replace(KEY_ID, "9-9")},
                ["backup_retention_period", "kms_key_id"],
            ),
        ],
    )
    def test_fields_that_differ(self, overrides, expected):
        assert changes(replicated_backup(), module_params(**overrides)) == expected

    def test_retention_reported_as_a_string_is_not_a_change(self):
        assert changes(replicated_backup(BackupRetentionPeriod="7"), module_params()) == []

    def test_a_bare_key_id_reported_for_our_key_is_not_a_change(self):
        assert changes(replicated_backup(KmsKeyId=KEY_ID), module_params()) == []

    def test_a_bare_key_id_of_another_key_differs(self):
        assert changes(replicated_backup(KmsKeyId="another-key"), module_params()) == ["kms_key_id"]

    def test_unencrypted_backup_has_no_key(self):
        item = replicated_backup(Encrypted=False)
        del item["KmsKeyId"]
        assert replication.normalise_backup(item, DESTINATION)["kms_key_id"] is None
        assert changes(item, module_params(kms_key_id=None)) == []

    def test_everything_differs_from_nothing(self):
        desired = replication.normalise_params(module_params(), DESTINATION)
        assert replication.differing_fields({}, desired) == sorted(desired)

    def test_normalised_shape(self):
        assert replication.normalise_backup(replicated_backup(), DESTINATION) == {
            "source_db_instance_arn": SOURCE_ARN,
            "destination_region": DESTINATION,
            "backup_retention_period": 7,
            "kms_key_id": KEY_ARN,
        }


class TestStartParams:
    def test_encrypted(self):
        desired = replication.normalise_params(module_params(backup_retention_period=14), DESTINATION)
        assert replication.start_params(desired) == {
            "SourceDBInstanceArn": SOURCE_ARN,
            "BackupRetentionPeriod": 14,
            "KmsKeyId": KEY_ARN,
        }

    def test_unencrypted_sends_no_key(self):
        desired = replication.normalise_params(module_params(kms_key_id=None), DESTINATION)
        assert "KmsKeyId" not in replication.start_params(desired)


class PollingClient:
    """Answers DescribeDBInstanceAutomatedBackups / DescribeDBInstances from a list of prepared answers."""

    def __init__(self, backups=(), instances=()):
        self.backups = list(backups)
        self.instances = list(instances)

    def get_paginator(self, operation):
        assert operation == "describe_db_instance_automated_backups"
        return self

    def paginate(self, **params):
        assert params == {"DBInstanceAutomatedBackupsArn": BACKUP_ARN}
        return self

    def build_full_result(self):
        return {"DBInstanceAutomatedBackups": self.backups.pop(0)}

    def describe_db_instances(self, DBInstanceIdentifier):
        assert DBInstanceIdentifier == SOURCE_ARN
        return {"DBInstances": [self.instances.pop(0)]}


class TestWaits:
    def test_wait_replicating_polls_until_replicating(self):
        sleeps = []
        client = PollingClient(
            backups=[[], [replicated_backup(Status="pending")], [replicated_backup(Status="Replicating")]]
        )
        replication.wait_replicating(client, BACKUP_ARN, 60, sleep=sleeps.append)
        assert sleeps == [replication.POLL_DELAY] * 2

    def test_wait_replicating_fails_when_the_replication_stopped(self):
        client = PollingClient(backups=[[replicated_backup(Status="retained")]])
        with pytest.raises(AnsibleRDSError, match="stopped while it was starting"):
            replication.wait_replicating(client, BACKUP_ARN, 60, sleep=lambda _: None)

    def test_wait_replicating_times_out(self):
        client = PollingClient(backups=[[replicated_backup(Status="pending")]] * 3)
        with pytest.raises(AnsibleRDSError, match="Timeout after 0 s"):
            replication.wait_replicating(client, BACKUP_ARN, 0, sleep=lambda _: None)

    def test_wait_stopped_polls_until_the_source_no_longer_lists_it(self):
        listed = source_instance(DBInstanceAutomatedBackupsReplications=[{"DBInstanceAutomatedBackupsArn": BACKUP_ARN}])
        sleeps = []
        client = PollingClient(instances=[listed, source_instance()])
        replication.wait_stopped(client, SOURCE_ARN, BACKUP_ARN, 60, sleep=sleeps.append)
        assert sleeps == [replication.POLL_DELAY]

    def test_another_replication_of_the_source_does_not_hold_the_wait(self):
        other = [{"DBInstanceAutomatedBackupsArn": BACKUP_ARN.replace("eu-central-1", "us-west-2")}]
        client = PollingClient(instances=[source_instance(DBInstanceAutomatedBackupsReplications=other)])
        replication.wait_stopped(client, SOURCE_ARN, BACKUP_ARN, 60, sleep=lambda _: pytest.fail("slept"))
