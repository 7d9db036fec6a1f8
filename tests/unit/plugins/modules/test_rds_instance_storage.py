# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What rds_instance_storage calls on RDS for each situation, with a recording fake client (no AWS)."""

import pytest

from ansible_collections.envops.aws.plugins.module_utils import rds_storage
from ansible_collections.envops.aws.plugins.modules import rds_instance_storage

REGION = "me-south-1"
DB_ID = "orders"

# The error handlers recognise RDS errors as botocore ClientErrors. ansible-test units runs in a venv without
# botocore (the collection has no tests/unit/requirements.txt): skip there, run under `make unit`.
ClientError = pytest.importorskip("botocore.exceptions").ClientError


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


class FakeModule:
    def __init__(self, check_mode=False, **overrides):
        self.params = {
            "db_instance_identifier": DB_ID,
            "storage_type": "io2",
            "allocated_storage": 200,
            "iops": 3000,
            "storage_throughput": None,
            "max_allocated_storage": None,
            "apply_immediately": True,
            "wait": True,
            "wait_timeout": 60,
        }
        self.params.update(overrides)
        self.check_mode = check_mode
        self.region = REGION
        self._diff = True

    def exit_json(self, **result):
        raise ModuleExit(False, result)

    def fail_json(self, **result):
        raise ModuleExit(True, result)


def client_error(code, message, operation):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class FakeRDS:
    """One DB instance in memory; records every API call with its arguments.

    Like AWS, a change applied immediately is pending (PendingModifiedValues, status modifying) until the instance
    is next described; a change not applied immediately stays pending.
    """

    def __init__(self, instance=None):
        self.instance = instance
        self.calls = []
        self.applying = False

    def describe_db_instances(self, DBInstanceIdentifier):
        self.calls.append(("describe_db_instances", {}))
        if not self.instance or DBInstanceIdentifier != self.instance["DBInstanceIdentifier"]:
            raise client_error(
                "DBInstanceNotFound", f"DBInstance {DBInstanceIdentifier} not found.", "DescribeDBInstances"
            )
        if self.applying:
            pending = self.instance.pop("PendingModifiedValues")
            self.instance.update(pending, PendingModifiedValues={}, DBInstanceStatus="available")
            self.applying = False
        return {"DBInstances": [dict(self.instance)]}

    def modify_db_instance(self, DBInstanceIdentifier, ApplyImmediately, **changes):
        self.calls.append(("modify_db_instance", dict(changes, ApplyImmediately=ApplyImmediately)))
        assert DBInstanceIdentifier == self.instance["DBInstanceIdentifier"]
        if "MaxAllocatedStorage" in changes:
            self.instance["MaxAllocatedStorage"] = changes.pop("MaxAllocatedStorage")
        pending = dict(self.instance.get("PendingModifiedValues") or {}, **changes)
        self.instance["PendingModifiedValues"] = pending
        if ApplyImmediately:
            self.instance["DBInstanceStatus"] = "modifying"
            self.applying = True
        return {"DBInstance": dict(self.instance)}

    def names(self):
        return [call[0] for call in self.calls]

    def modifications(self):
        return [arguments for name, arguments in self.calls if name == "modify_db_instance"]


def db_instance(**overrides):
    item = {
        "DBInstanceIdentifier": DB_ID,
        "DBInstanceStatus": "available",
        "Engine": "postgres",
        "StorageType": "gp2",
        "AllocatedStorage": 200,
        "PendingModifiedValues": {},
    }
    item.update(overrides)
    return item


@pytest.fixture(autouse=True)
def recorded_waits(monkeypatch):
    """Waits are recorded as calls; the botocore waiter is tested in test_rds_storage.py."""

    def wait_storage_applied(client, identifier, timeout):
        assert (identifier, timeout) == (DB_ID, 60)
        client.calls.append(("wait_storage_applied", {}))
        client.describe_db_instances(DBInstanceIdentifier=identifier)  # the waiter's polls apply the change
        client.calls.pop()

    monkeypatch.setattr(rds_storage, "wait_storage_applied", wait_storage_applied)


def run(module, client):
    """Run the module's handler as main() does and return what it exited with."""
    instance = rds_storage.describe_db_instance(client, module.params["db_instance_identifier"])
    with pytest.raises(ModuleExit) as exited:
        rds_instance_storage.ensure_storage(client, module, instance)
    return exited.value


def storage(storage_type="gp2", allocated=200, iops=None, throughput=None, maximum=None):
    return {
        "storage_type": storage_type,
        "allocated_storage": allocated,
        "iops": iops,
        "storage_throughput": throughput,
        "max_allocated_storage": maximum,
    }


@pytest.mark.parametrize("check_mode", [True, False])
def test_io2_from_gp2(check_mode):
    client = FakeRDS(db_instance())
    exited = run(FakeModule(check_mode=check_mode), client)
    assert not exited.failed
    assert exited.result["changed"] is True
    assert exited.result["diff"] == {"before": storage(), "after": storage("io2", iops=3000)}
    if check_mode:
        assert client.names() == ["describe_db_instances"]
        assert exited.result["storage"] == storage()  # as it is before the change
    else:
        assert client.modifications() == [{"StorageType": "io2", "Iops": 3000, "ApplyImmediately": True}]
        assert client.names() == [
            "describe_db_instances",
            "modify_db_instance",
            "wait_storage_applied",
            "describe_db_instances",
        ]
        assert exited.result["storage"] == storage("io2", iops=3000)
        assert exited.result["pending"] == []


def test_second_run_is_unchanged():
    client = FakeRDS(db_instance())
    run(FakeModule(), client)
    exited = run(FakeModule(), client)
    assert exited.result["changed"] is False
    assert len(client.modifications()) == 1
    assert exited.result["diff"]["before"] == exited.result["diff"]["after"] == storage("io2", iops=3000)


def test_a_pending_change_with_the_same_values_is_not_requested_again():
    client = FakeRDS(db_instance(PendingModifiedValues={"StorageType": "io2", "Iops": 3000}))
    exited = run(FakeModule(), client)
    assert exited.result["changed"] is False
    assert client.modifications() == []
    assert exited.result["storage"] == storage("io2", iops=3000)
    assert exited.result["pending"] == ["iops", "storage_type"]


def test_apply_later_neither_waits_nor_is_requested_twice():
    client = FakeRDS(db_instance())
    exited = run(FakeModule(apply_immediately=False), client)
    assert exited.result["changed"] is True
    assert client.modifications() == [{"StorageType": "io2", "Iops": 3000, "ApplyImmediately": False}]
    assert "wait_storage_applied" not in client.names()
    assert exited.result["storage"] == storage("io2", iops=3000)  # as it will be
    assert exited.result["pending"] == ["iops", "storage_type"]
    assert run(FakeModule(apply_immediately=False), client).result["changed"] is False


def test_without_wait():
    client = FakeRDS(db_instance())
    exited = run(FakeModule(wait=False), client)
    assert "wait_storage_applied" not in client.names()
    assert exited.result["changed"] is True


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"max_allocated_storage": 500}, {"MaxAllocatedStorage": 500}),
        ({"allocated_storage": 300}, {"AllocatedStorage": 300, "Iops": 3000}),
        ({"iops": 6000}, {"Iops": 6000}),
        ({"storage_type": "io1"}, {"StorageType": "io1", "Iops": 3000}),
    ],
)
def test_only_the_changed_fields_are_sent(overrides, expected):
    client = FakeRDS(db_instance(StorageType="io2", Iops=3000))
    exited = run(FakeModule(**overrides), client)
    assert exited.result["changed"] is True
    assert client.modifications() == [dict(expected, ApplyImmediately=True)]
    assert run(FakeModule(**overrides), client).result["changed"] is False


@pytest.mark.parametrize("iops, throughput", [(3000, 125), (None, None)])
def test_gp3_below_the_threshold_sends_only_the_type(iops, throughput):
    client = FakeRDS(db_instance(StorageType="io2", Iops=3000))
    module = FakeModule(storage_type="gp3", iops=iops, storage_throughput=throughput)
    exited = run(module, client)
    assert client.modifications() == [{"StorageType": "gp3", "ApplyImmediately": True}]
    assert exited.result["storage"] == storage("gp3", iops=3000, throughput=125)
    assert exited.result["diff"]["before"] == storage("io2", iops=3000)
    assert run(module, client).result["changed"] is False


def test_gp3_with_performance_at_500_gib():
    client = FakeRDS(db_instance(AllocatedStorage=500))
    module = FakeModule(storage_type="gp3", allocated_storage=None, iops=12000, storage_throughput=750)
    exited = run(module, client)
    assert client.modifications() == [
        {"StorageType": "gp3", "Iops": 12000, "StorageThroughput": 750, "ApplyImmediately": True}
    ]
    assert exited.result["storage"] == storage("gp3", 500, 12000, 750)
    assert run(module, client).result["changed"] is False


@pytest.mark.parametrize(
    "instance, overrides, message",
    [
        (
            db_instance(),
            {"allocated_storage": 100},
            "AWS cannot shrink storage: allocated_storage 100 GiB is less than the current 200 GiB of orders.",
        ),
        (db_instance(), {"allocated_storage": 210}, "AWS would round it up to 220 GiB"),
        (db_instance(), {"storage_type": "gp3", "iops": 5000}, "has a fixed 3000 IOPS and 125 MiB/s"),
        (
            db_instance(),
            {"allocated_storage": None, "max_allocated_storage": 200},
            "max_allocated_storage (200 GiB) must be at least 10% more than the 200 GiB of orders",
        ),
        (db_instance(DBClusterIdentifier="orders-cluster"), {}, "is a member of the DB cluster orders-cluster"),
        (None, {}, f"DB instance {DB_ID} not found in {REGION}."),
    ],
)
@pytest.mark.parametrize("check_mode", [True, False])
def test_refused_before_any_change(instance, overrides, message, check_mode):
    client = FakeRDS(instance)
    exited = run(FakeModule(check_mode=check_mode, **overrides), client)
    assert exited.failed
    assert message in exited.result["msg"]
    assert client.modifications() == []


def test_aws_errors_of_the_change_are_reported(monkeypatch):
    client = FakeRDS(db_instance())

    def refuse(**params):
        raise client_error(
            "InvalidParameterCombination",
            "You can't currently modify the storage of this DB instance because the previous storage change is"
            " being optimized.",
            "ModifyDBInstance",
        )

    monkeypatch.setattr(client, "modify_db_instance", refuse)
    with pytest.raises(rds_storage.AnsibleRDSError, match="Failed to modify DB instance storage"):
        run(FakeModule(), client)


def test_main_validates_before_any_aws_call(monkeypatch):
    calls = []

    class Module(FakeModule):
        def client(self, service):
            calls.append(service)
            return FakeRDS(db_instance())

    monkeypatch.setattr(rds_instance_storage, "AnsibleAWSModule", lambda **kwargs: Module(iops=None))
    with pytest.raises(ModuleExit) as exited:
        rds_instance_storage.main()
    assert exited.value.failed
    assert exited.value.result["msg"] == "storage_type io2 is provisioned IOPS storage: iops is required."
    assert calls == []


def test_main_runs_the_change(monkeypatch):
    client = FakeRDS(db_instance())

    class Module(FakeModule):
        def client(self, service):
            assert service == "rds"
            return client

    monkeypatch.setattr(rds_instance_storage, "AnsibleAWSModule", lambda **kwargs: Module())
    with pytest.raises(ModuleExit) as exited:
        rds_instance_storage.main()
    assert exited.value.result["changed"] is True
    assert client.modifications() == [{"StorageType": "io2", "Iops": 3000, "ApplyImmediately": True}]
