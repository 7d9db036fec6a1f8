# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What rds_backup_replication calls on RDS for each situation, with a recording fake client (no AWS)."""

import pytest

from ansible_collections.envops.aws.plugins.module_utils import rds_backup_replication as replication
from ansible_collections.envops.aws.plugins.modules import rds_backup_replication

DESTINATION = "eu-central-1"
SOURCE_ARN = "arn:aws:rds:me-south-1:123456789012:db:orders"
DBI_RESOURCE_ID = "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
OTHER_KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/99999999-4e5f-6789-abcd-ef0123456789"

# The error handlers recognise RDS errors as botocore ClientErrors. ansible-test units runs in a venv without
# botocore (the collection has no tests/unit/requirements.txt): skip there, run under `make unit`.
ClientError = pytest.importorskip("botocore.exceptions").ClientError

MUTATING_CALLS = {"start_db_instance_automated_backups_replication", "stop_db_instance_automated_backups_replication"}


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


class FakeModule:
    def __init__(self, check_mode=False, **overrides):
        self.params = {
            "source_db_instance_arn": SOURCE_ARN,
            "kms_key_id": KEY_ARN,
            "backup_retention_period": 14,
            "state": "present",
            "wait": True,
            "wait_timeout": 60,
        }
        self.params.update(overrides)
        self.check_mode = check_mode
        self.region = DESTINATION
        self._diff = True

    def exit_json(self, **result):
        raise ModuleExit(False, result)

    def fail_json(self, **result):
        raise ModuleExit(True, result)


def client_error(code, message, operation):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeRDS:
    """The source instance and the replicated backups in memory; records every API call by name.

    One object plays both clients, the source Region's (DescribeDBInstances) and the destination's.
    Like AWS, a started replication is pending until it is next described, and stopping keeps the
    replicated backup as retained.
    """

    def __init__(self, source=None, *backups):
        self.source = source
        self.backups = [dict(backup) for backup in backups]
        self.calls = []

    def describe_db_instances(self, DBInstanceIdentifier):
        self.calls.append("describe_db_instances")
        if not self.source or DBInstanceIdentifier != self.source["DBInstanceArn"]:
            raise client_error(
                "DBInstanceNotFound", f"DBInstance {DBInstanceIdentifier} not found.", "DescribeDBInstances"
            )
        arns = [b["DBInstanceAutomatedBackupsArn"] for b in self._active(DBInstanceIdentifier)]
        source = dict(self.source)
        if arns:
            source["DBInstanceAutomatedBackupsReplications"] = [{"DBInstanceAutomatedBackupsArn": arn} for arn in arns]
        return {"DBInstances": [source]}

    def get_paginator(self, operation):
        assert operation == "describe_db_instance_automated_backups"
        return self

    def paginate(self, **params):
        self.calls.append("describe_db_instance_automated_backups")
        for backup in self.backups:
            if backup["Status"] == "pending":
                backup["Status"] = "replicating"
        assert len(params) == 1, params  # the module selects by one key: DbiResourceId or the ARN
        found = [backup for backup in self.backups if all(backup[key] == value for key, value in params.items())]
        if not found:
            raise client_error("DBInstanceAutomatedBackupNotFound", "not found", "DescribeDBInstanceAutomatedBackups")
        return FakePage(found)

    def start_db_instance_automated_backups_replication(
        self, SourceDBInstanceArn, BackupRetentionPeriod, KmsKeyId=None
    ):
        self.calls.append("start_db_instance_automated_backups_replication")
        if self._active(SourceDBInstanceArn):
            raise client_error("DBInstanceAutomatedBackupQuotaExceeded", "already replicating", "Start")
        backup = replicated_backup(
            Status="pending",
            BackupRetentionPeriod=BackupRetentionPeriod,
            KmsKeyId=KmsKeyId,
            Encrypted=KmsKeyId is not None,
            DBInstanceAutomatedBackupsArn=f"arn:aws:rds:{DESTINATION}:123456789012:auto-backup:ab-new{len(self.calls)}",
        )
        self.backups.append(backup)
        return {"DBInstanceAutomatedBackup": dict(backup)}

    def stop_db_instance_automated_backups_replication(self, SourceDBInstanceArn):
        self.calls.append("stop_db_instance_automated_backups_replication")
        active = self._active(SourceDBInstanceArn)
        if not active:
            raise client_error(
                "InvalidDBInstanceState", "DB instance orders is not replicating to the current region.", "Stop"
            )
        active[0]["Status"] = "retained"
        return {"DBInstanceAutomatedBackup": dict(active[0])}

    def _active(self, source_arn):
        return replication.matching_replications(self.backups, source_arn)

    def mutating_calls(self):
        return [call for call in self.calls if call in MUTATING_CALLS]


class FakePage:
    def __init__(self, items):
        self.items = items

    def build_full_result(self):
        return {"DBInstanceAutomatedBackups": self.items}


def source_instance(**overrides):
    item = {
        "DBInstanceIdentifier": "orders",
        "DBInstanceArn": SOURCE_ARN,
        "DbiResourceId": DBI_RESOURCE_ID,
        "StorageEncrypted": True,
        "BackupRetentionPeriod": 35,
    }
    item.update(overrides)
    return item


def replicated_backup(**overrides):
    item = {
        "DBInstanceArn": SOURCE_ARN,
        "DbiResourceId": DBI_RESOURCE_ID,
        "Region": "me-south-1",
        "DBInstanceIdentifier": "orders",
        "Status": "replicating",
        "Encrypted": True,
        "KmsKeyId": KEY_ARN,
        "BackupRetentionPeriod": 14,
        "DBInstanceAutomatedBackupsArn": f"arn:aws:rds:{DESTINATION}:123456789012:auto-backup:ab-existing",
        "TagList": [],
    }
    item.update(overrides)
    return item


def run(module, client):
    """Run the module's state handler and return what it exited with."""
    source = replication.describe_db_instance(client, module.params["source_db_instance_arn"])
    current = rds_backup_replication.find_replication(client, module, source)
    with pytest.raises(ModuleExit) as exited:
        if module.params["state"] == "present":
            rds_backup_replication.ensure_present(client, client, module, source, current)
        else:
            rds_backup_replication.ensure_absent(client, client, module, current)
    return exited.value


@pytest.mark.parametrize("check_mode", [True, False])
def test_start(check_mode):
    client = FakeRDS(source_instance())
    exited = run(FakeModule(check_mode=check_mode), client)
    assert not exited.failed
    assert exited.result["changed"] is True
    assert exited.result["diff"]["before"] == {}
    assert exited.result["diff"]["after"] == {
        "source_db_instance_arn": SOURCE_ARN,
        "destination_region": DESTINATION,
        "backup_retention_period": 14,
        "kms_key_id": KEY_ARN,
    }
    if check_mode:
        assert client.mutating_calls() == []
        assert exited.result["automated_backup"] == {}
    else:
        assert client.mutating_calls() == ["start_db_instance_automated_backups_replication"]
        backup = exited.result["automated_backup"]
        assert backup["status"] == "replicating"  # waited until it left pending
        assert backup["db_instance_automated_backups_arn"].startswith("arn:aws:rds:eu-central-1:")
        assert (backup["kms_key_id"], backup["backup_retention_period"]) == (KEY_ARN, 14)


def test_same_settings_make_no_call():
    client = FakeRDS(source_instance(), replicated_backup())
    exited = run(FakeModule(), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []
    assert exited.result["automated_backup"]["db_instance_automated_backups_arn"].endswith("ab-existing")
    assert exited.result["diff"]["before"] == exited.result["diff"]["after"]


def test_pending_replication_with_same_settings_is_not_restarted():
    client = FakeRDS(source_instance(), replicated_backup(Status="PENDING"))
    exited = run(FakeModule(), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []


@pytest.mark.parametrize(
    "overrides, field",
    [({"backup_retention_period": 21}, "backup_retention_period"), ({"kms_key_id": OTHER_KEY_ARN}, "kms_key_id")],
)
@pytest.mark.parametrize(
    "check_mode, calls",
    [
        (True, []),
        (False, ["stop_db_instance_automated_backups_replication", "start_db_instance_automated_backups_replication"]),
    ],
)
def test_different_settings_stop_and_start_again(overrides, field, check_mode, calls):
    client = FakeRDS(source_instance(), replicated_backup())
    exited = run(FakeModule(check_mode=check_mode, **overrides), client)
    assert exited.result["changed"] is True
    assert client.mutating_calls() == calls
    diff = exited.result["diff"]
    assert diff["before"][field] != diff["after"][field] == list(overrides.values())[0]
    backup = exited.result["automated_backup"]
    if check_mode:
        assert backup["db_instance_automated_backups_arn"].endswith("ab-existing")  # as it is before the change
    else:
        assert backup[field] == list(overrides.values())[0]
        assert [b["Status"] for b in client.backups] == ["retained", "replicating"]


def test_the_stop_completes_before_the_start_even_without_wait():
    client = FakeRDS(source_instance(), replicated_backup())
    run(FakeModule(backup_retention_period=21, wait=False), client)
    stop = client.calls.index("stop_db_instance_automated_backups_replication")
    start = client.calls.index("start_db_instance_automated_backups_replication")
    assert "describe_db_instances" in client.calls[stop:start]


def test_a_retained_backup_of_an_earlier_replication_is_not_ours():
    client = FakeRDS(source_instance(), replicated_backup(Status="retained"))
    exited = run(FakeModule(), client)
    assert exited.result["changed"] is True
    assert exited.result["diff"]["before"] == {}
    assert client.mutating_calls() == ["start_db_instance_automated_backups_replication"]


def test_unencrypted_source_is_replicated_without_key():
    client = FakeRDS(source_instance(StorageEncrypted=False))
    exited = run(FakeModule(kms_key_id=None), client)
    assert exited.result["changed"] is True
    assert exited.result["automated_backup"]["encrypted"] is False
    assert run(FakeModule(kms_key_id=None), client).result["changed"] is False


@pytest.mark.parametrize(
    "source, overrides, message",
    [
        (source_instance(), {"kms_key_id": None}, "orders is encrypted: kms_key_id"),
        (source_instance(StorageEncrypted=False), {}, "orders is not encrypted"),
        (source_instance(BackupRetentionPeriod=0), {}, "automated backups turned off"),
        (None, {}, f"Source DB instance {SOURCE_ARN} not found."),
    ],
)
@pytest.mark.parametrize("check_mode", [True, False])
def test_refused_before_any_change(source, overrides, message, check_mode):
    client = FakeRDS(source)
    exited = run(FakeModule(check_mode=check_mode, **overrides), client)
    assert exited.failed
    assert message in exited.result["msg"]
    assert client.mutating_calls() == []


@pytest.mark.parametrize("check_mode, calls", [(True, []), (False, ["stop_db_instance_automated_backups_replication"])])
def test_absent_stops_the_replication(check_mode, calls):
    client = FakeRDS(source_instance(), replicated_backup())
    exited = run(FakeModule(check_mode=check_mode, state="absent"), client)
    assert exited.result["changed"] is True
    assert exited.result["automated_backup"] == {}
    assert exited.result["diff"]["before"]["backup_retention_period"] == 14
    assert exited.result["diff"]["after"] == {}
    assert client.mutating_calls() == calls
    if not check_mode:
        assert client.backups[0]["Status"] == "retained"  # the replicated backups are kept


@pytest.mark.parametrize(
    "client",
    [FakeRDS(source_instance()), FakeRDS(source_instance(), replicated_backup(Status="retained")), FakeRDS(None)],
    ids=["never replicated", "already stopped", "no source"],
)
def test_absent_when_not_replicating_is_unchanged(client):
    exited = run(FakeModule(state="absent"), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []


def test_absent_when_the_replication_stopped_meanwhile_is_unchanged():
    client = FakeRDS(source_instance(), replicated_backup())
    module = FakeModule(state="absent")
    current = rds_backup_replication.find_replication(client, module, source_instance())
    client.backups[0]["Status"] = "retained"  # stopped by someone else after we looked
    with pytest.raises(ModuleExit) as exited:
        rds_backup_replication.ensure_absent(client, client, module, current)
    assert exited.value.result["changed"] is False


def test_two_active_replications_are_refused():
    twin = replicated_backup(
        DBInstanceAutomatedBackupsArn=f"arn:aws:rds:{DESTINATION}:123456789012:auto-backup:ab-twin"
    )
    client = FakeRDS(source_instance(), replicated_backup(), twin)
    with pytest.raises(ModuleExit) as exited:
        rds_backup_replication.find_replication(client, FakeModule(), source_instance())
    assert exited.value.failed
    assert "ab-existing, arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-twin" in exited.value.result["msg"]
    assert client.mutating_calls() == []


def test_other_sources_sharing_the_resource_id_are_ignored():
    other = replicated_backup(
        DBInstanceArn=SOURCE_ARN.replace("orders", "billing"),
        DBInstanceAutomatedBackupsArn=f"arn:aws:rds:{DESTINATION}:123456789012:auto-backup:ab-billing",
    )
    client = FakeRDS(source_instance(), other)
    exited = run(FakeModule(), client)
    assert exited.result["diff"]["before"] == {}
    assert client.mutating_calls() == ["start_db_instance_automated_backups_replication"]


def test_format_converts_tags():
    formatted = rds_backup_replication.format_backup(replicated_backup(TagList=[{"Key": "env", "Value": "dr"}]))
    assert formatted["tags"] == {"env": "dr"}
    assert "tag_list" not in formatted
    assert formatted["dbi_resource_id"] == DBI_RESOURCE_ID
    assert rds_backup_replication.format_backup(None) == {}
