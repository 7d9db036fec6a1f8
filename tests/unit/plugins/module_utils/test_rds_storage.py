# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import copy

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.rds import AnsibleRDSError

from ansible_collections.envops.aws.plugins.module_utils import rds_storage

DB_ID = "orders"


def module_params(**overrides):
    """Parameters as AnsibleAWSModule hands them over, with the module's defaults."""
    params = {
        "db_instance_identifier": DB_ID,
        "storage_type": "io2",
        "allocated_storage": 200,
        "iops": 3000,
        "storage_throughput": None,
        "max_allocated_storage": None,
        "apply_immediately": True,
        "wait": True,
        "wait_timeout": 1800,
    }
    params.update(overrides)
    return params


def db_instance(**overrides):
    """A DescribeDBInstances item of a PostgreSQL instance on 200 GiB of gp2, as amazon.aws.rds_instance leaves it."""
    item = {
        "DBInstanceIdentifier": DB_ID,
        "DBInstanceStatus": "available",
        "Engine": "postgres",
        "StorageType": "gp2",
        "AllocatedStorage": 200,
        "StorageEncrypted": True,
        "PendingModifiedValues": {},
    }
    item.update(overrides)
    return item


def state(storage_type="gp2", allocated=200, iops=None, throughput=None, maximum=None):
    return {
        "storage_type": storage_type,
        "allocated_storage": allocated,
        "iops": iops,
        "storage_throughput": throughput,
        "max_allocated_storage": maximum,
    }


def plan(instance, params, apply_immediately=True):
    """The ModifyDBInstance arguments the module would send, without the identifier and ApplyImmediately."""
    current = rds_storage.normalise_instance(instance)
    desired = rds_storage.desired_state(params, current, instance.get("Engine"))
    request = rds_storage.modify_params(DB_ID, current, desired, instance.get("Engine"), apply_immediately)
    if request:
        assert request.pop("DBInstanceIdentifier") == DB_ID
        assert request.pop("ApplyImmediately") is apply_immediately
    else:
        # Nothing to send means nothing differs.
        assert rds_storage.differing_fields(current, desired) == []
    return request


class TestValidateParams:
    @pytest.mark.parametrize(
        "overrides",
        [
            {},
            {"storage_type": "io1", "iops": 1000},
            {"storage_type": "gp3", "iops": None},
            {"storage_type": "gp3", "iops": 12000, "storage_throughput": 500, "allocated_storage": 400},
            {"storage_type": "gp3", "iops": None, "storage_throughput": 125},
            {"storage_type": "gp2", "iops": None},
            {"storage_type": "standard", "iops": None, "allocated_storage": None},
            {"allocated_storage": None},
            {"max_allocated_storage": 220},
            {"allocated_storage": None, "max_allocated_storage": 201},
        ],
    )
    def test_valid(self, overrides):
        assert rds_storage.validate_params(module_params(**overrides)) == []

    @pytest.mark.parametrize(
        "overrides, problem",
        [
            ({"iops": None}, "storage_type io2 is provisioned IOPS storage: iops is required."),
            ({"storage_type": "io1", "iops": None}, "storage_type io1 is provisioned IOPS storage: iops is required."),
            ({"storage_type": "gp2"}, "storage_type gp2 has no provisioned IOPS: remove iops."),
            ({"storage_type": "standard"}, "storage_type standard has no provisioned IOPS: remove iops."),
            (
                {"storage_type": "gp2", "iops": None, "storage_throughput": 125},
                "storage_throughput can only be set for gp3 storage, not gp2",
            ),
            (
                {"storage_type": "standard", "iops": None, "storage_throughput": 125},
                "storage_throughput can only be set for gp3 storage, not standard",
            ),
            ({"storage_throughput": 500}, "storage_throughput can only be set for gp3 storage, not io2"),
            ({"storage_type": "io1", "storage_throughput": 500}, "can only be set for gp3 storage, not io1"),
            (
                {"max_allocated_storage": 200},
                "max_allocated_storage (200 GiB) must be at least 10% more than allocated_storage (200 GiB): 220 GiB",
            ),
            ({"max_allocated_storage": 219}, "220 GiB or more"),
            ({"max_allocated_storage": 150}, "must be at least 10% more than allocated_storage"),
            ({"allocated_storage": 0}, "allocated_storage must be a positive number, not 0."),
            ({"iops": -1}, "iops must be a positive number, not -1."),
            ({"storage_type": "gp3", "storage_throughput": 0}, "storage_throughput must be a positive number"),
            ({"allocated_storage": None, "max_allocated_storage": 0}, "max_allocated_storage must be a positive"),
        ],
    )
    def test_problems(self, overrides, problem):
        problems = rds_storage.validate_params(module_params(**overrides))
        assert len(problems) == 1, problems
        assert problem in problems[0]

    def test_every_problem_is_reported(self):
        problems = rds_storage.validate_params(module_params(storage_type="gp2", storage_throughput=125))
        assert problems == [
            "storage_type gp2 has no provisioned IOPS: remove iops.",
            "storage_throughput can only be set for gp3 storage, not gp2: remove it.",
        ]


class TestValidateInstance:
    def test_valid(self):
        assert rds_storage.validate_instance(db_instance(), module_params()) == []

    @pytest.mark.parametrize("allocated", [100, 199])
    def test_shrink_names_current_and_wanted(self, allocated):
        problems = rds_storage.validate_instance(db_instance(), module_params(allocated_storage=allocated))
        assert problems == [
            f"AWS cannot shrink storage: allocated_storage {allocated} GiB is less than the current 200 GiB of orders."
        ]

    def test_shrink_below_a_pending_growth_is_checked_against_the_applied_size(self):
        instance = db_instance(PendingModifiedValues={"AllocatedStorage": 300})
        assert rds_storage.validate_instance(instance, module_params(allocated_storage=250)) == []
        assert "cannot shrink" in rds_storage.validate_instance(instance, module_params(allocated_storage=150))[0]

    @pytest.mark.parametrize("allocated", [201, 210, 219])
    def test_growth_below_ten_percent(self, allocated):
        problems = rds_storage.validate_instance(db_instance(), module_params(allocated_storage=allocated))
        assert problems == [
            f"allocated_storage {allocated} GiB is less than 10% more than the current 200 GiB of orders: AWS would"
            " round it up to 220 GiB. Ask for 220 GiB or more."
        ]

    @pytest.mark.parametrize("allocated", [220, 1000])
    def test_growth_of_ten_percent_or_more(self, allocated):
        assert rds_storage.validate_instance(db_instance(), module_params(allocated_storage=allocated)) == []

    @pytest.mark.parametrize("engine", ["mysql", "mariadb", "oracle-ee", "oracle-se2-cdb", "db2-se", "postgres"])
    def test_ten_percent_engines(self, engine):
        assert rds_storage.validate_instance(db_instance(Engine=engine), module_params(allocated_storage=210))

    @pytest.mark.parametrize("engine", ["sqlserver-se", "custom-sqlserver-ee"])
    def test_other_engines_may_grow_less(self, engine):
        assert rds_storage.validate_instance(db_instance(Engine=engine), module_params(allocated_storage=210)) == []

    def test_growth_to_the_pending_size_is_not_checked_again(self):
        # The change is already pending: nothing is sent, whatever its size.
        instance = db_instance(PendingModifiedValues={"AllocatedStorage": 210})
        assert rds_storage.validate_instance(instance, module_params(allocated_storage=210)) == []

    def test_rounding_of_ten_percent(self):
        assert rds_storage.at_least_ten_percent_more(200) == 220
        assert rds_storage.at_least_ten_percent_more(21) == 24  # 23.1 GiB rounds up
        assert rds_storage.at_least_ten_percent_more(20) == 22

    def test_max_below_the_current_size(self):
        problems = rds_storage.validate_instance(
            db_instance(), module_params(allocated_storage=None, max_allocated_storage=210)
        )
        assert problems == [
            "max_allocated_storage (210 GiB) must be at least 10% more than the 200 GiB of orders: 220 GiB or more."
        ]

    def test_max_against_the_pending_size(self):
        instance = db_instance(PendingModifiedValues={"AllocatedStorage": 400})
        params = module_params(allocated_storage=None, max_allocated_storage=300)
        assert "than the 400 GiB of orders: 440 GiB or more" in rds_storage.validate_instance(instance, params)[0]

    def test_unchanged_max_is_not_checked(self):
        instance = db_instance(MaxAllocatedStorage=210)
        params = module_params(allocated_storage=None, max_allocated_storage=210)
        assert rds_storage.validate_instance(instance, params) == []

    def test_growth_beyond_the_current_max(self):
        instance = db_instance(MaxAllocatedStorage=300)
        problems = rds_storage.validate_instance(instance, module_params(allocated_storage=280))
        assert problems == [
            "orders scales its storage automatically up to 300 GiB, which must stay at least 10% above"
            " allocated_storage: set max_allocated_storage to 308 GiB or more."
        ]
        params = module_params(allocated_storage=280, max_allocated_storage=308)
        assert rds_storage.validate_instance(instance, params) == []

    def test_growth_within_the_current_max(self):
        instance = db_instance(MaxAllocatedStorage=1000)
        assert rds_storage.validate_instance(instance, module_params(allocated_storage=400)) == []

    @pytest.mark.parametrize(
        "overrides, fields",
        [
            ({"iops": 4000}, "iops"),
            ({"iops": None, "storage_throughput": 250}, "storage_throughput"),
            ({"iops": 12000, "storage_throughput": 500}, "iops, storage_throughput"),
        ],
    )
    def test_gp3_below_the_threshold_has_fixed_performance(self, overrides, fields):
        problems = rds_storage.validate_instance(db_instance(), module_params(storage_type="gp3", **overrides))
        assert len(problems) == 1
        assert problems[0].startswith(
            f"gp3 storage of postgres below 400 GiB has a fixed 3000 IOPS and 125 MiB/s, which AWS does not let you"
            f" change ({fields})"
        )

    @pytest.mark.parametrize(
        "overrides",
        [
            {"iops": 3000, "storage_throughput": 125},
            {"iops": None, "storage_throughput": None},
            {"iops": 3000, "storage_throughput": None},
        ],
    )
    def test_gp3_below_the_threshold_with_the_fixed_values(self, overrides):
        assert rds_storage.validate_instance(db_instance(), module_params(storage_type="gp3", **overrides)) == []

    def test_gp3_at_the_threshold_takes_any_performance(self):
        params = module_params(storage_type="gp3", allocated_storage=400, iops=12000, storage_throughput=1000)
        assert rds_storage.validate_instance(db_instance(), params) == []

    def test_gp3_threshold_of_oracle_is_200_gib(self):
        params = module_params(storage_type="gp3", allocated_storage=None, iops=12000)
        assert rds_storage.validate_instance(db_instance(Engine="oracle-ee"), params) == []
        assert rds_storage.validate_instance(db_instance(Engine="oracle-ee", AllocatedStorage=100), params)

    def test_gp3_of_an_engine_without_known_threshold_is_left_to_aws(self):
        params = module_params(storage_type="gp3", allocated_storage=None, iops=4000, storage_throughput=200)
        assert rds_storage.validate_instance(db_instance(Engine="sqlserver-se"), params) == []

    def test_member_of_a_cluster(self):
        instance = db_instance(DBClusterIdentifier="orders-cluster", Engine="aurora-postgresql")
        assert rds_storage.validate_instance(instance, module_params()) == [
            "orders is a member of the DB cluster orders-cluster, whose storage is managed by the cluster, not by the"
            " DB instance."
        ]


class TestNormalise:
    def test_gp2(self):
        assert rds_storage.normalise_instance(db_instance()) == state()

    def test_io2(self):
        instance = db_instance(StorageType="io2", Iops=3000, MaxAllocatedStorage=500)
        assert rds_storage.normalise_instance(instance) == state("io2", iops=3000, maximum=500)

    @pytest.mark.parametrize("storage_type", ["gp2", "standard"])
    def test_iops_and_throughput_of_an_earlier_type_are_ignored(self, storage_type):
        instance = db_instance(StorageType=storage_type, Iops=3000, StorageThroughput=500)
        assert rds_storage.normalise_instance(instance) == state(storage_type)

    @pytest.mark.parametrize("storage_type", ["io1", "io2"])
    def test_provisioned_iops_have_no_throughput(self, storage_type):
        instance = db_instance(StorageType=storage_type, Iops=5000, StorageThroughput=600, AllocatedStorage=500)
        assert rds_storage.normalise_instance(instance) == state(storage_type, 500, iops=5000)

    def test_gp3_above_the_threshold_as_reported(self):
        instance = db_instance(StorageType="gp3", AllocatedStorage=500, Iops=12000, StorageThroughput=750)
        assert rds_storage.normalise_instance(instance) == state("gp3", 500, 12000, 750)

    @pytest.mark.parametrize(
        "reported",
        [{"Iops": 3000, "StorageThroughput": 125}, {}, {"Iops": 1000}],
        ids=["as AWS reports it", "nothing reported (moto)", "IOPS of an earlier type"],
    )
    def test_gp3_below_the_threshold_has_the_fixed_values(self, reported):
        instance = db_instance(StorageType="gp3", **reported)
        assert rds_storage.normalise_instance(instance) == state("gp3", iops=3000, throughput=125)

    def test_type_in_capitals(self):
        assert rds_storage.normalise_instance(db_instance(StorageType="IO2", Iops=1000))["storage_type"] == "io2"

    def test_numbers_as_strings(self):
        instance = db_instance(StorageType="io1", AllocatedStorage="300", Iops="3000", MaxAllocatedStorage="600")
        assert rds_storage.normalise_instance(instance) == state("io1", 300, 3000, maximum=600)

    def test_pending_values_are_the_target(self):
        instance = db_instance(PendingModifiedValues={"StorageType": "io2", "Iops": 3000, "AllocatedStorage": 300})
        assert rds_storage.normalise_instance(instance) == state("io2", 300, 3000)
        assert rds_storage.pending_fields(instance) == ["allocated_storage", "iops", "storage_type"]

    def test_pending_values_of_other_settings_are_ignored(self):
        instance = db_instance(PendingModifiedValues={"DBInstanceClass": "db.m6i.large", "MultiAZ": True})
        assert rds_storage.normalise_instance(instance) == state()
        assert rds_storage.pending_fields(instance) == []

    def test_no_pending_modified_values_at_all(self):
        instance = db_instance()
        del instance["PendingModifiedValues"]
        assert rds_storage.normalise_instance(instance) == state()
        assert rds_storage.pending_fields(instance) == []


class TestDesired:
    def test_unset_options_keep_their_value(self):
        current = state("io2", 300, 3000, maximum=1000)
        params = module_params(allocated_storage=None, max_allocated_storage=None)
        assert rds_storage.desired_state(params, current, "postgres") == current

    def test_gp3_without_iops_keeps_the_current_ones(self):
        current = state("gp3", 500, 12000, 750)
        params = module_params(storage_type="gp3", allocated_storage=None, iops=None)
        assert rds_storage.desired_state(params, current, "postgres") == current

    def test_a_new_type_leaves_unset_performance_to_aws(self):
        current = state("io1", 500, 5000)
        params = module_params(storage_type="gp3", allocated_storage=None, iops=None)
        assert rds_storage.desired_state(params, current, "postgres") == state("gp3", 500)

    def test_crossing_the_gp3_threshold_leaves_unset_performance_to_aws(self):
        current = state("gp3", 200, 3000, 125)
        params = module_params(storage_type="gp3", allocated_storage=400, iops=None)
        assert rds_storage.desired_state(params, current, "postgres") == state("gp3", 400)

    def test_gp3_below_the_threshold_is_fixed(self):
        params = module_params(storage_type="gp3", iops=None)
        assert rds_storage.desired_state(params, state("io2", iops=1000), "postgres") == state("gp3", 200, 3000, 125)

    @pytest.mark.parametrize("storage_type", ["gp2", "standard"])
    def test_types_without_iops(self, storage_type):
        params = module_params(storage_type=storage_type, iops=None)
        assert rds_storage.desired_state(params, state("io1", iops=1000), "postgres") == state(storage_type)


class TestModifyParams:
    def test_io2_from_gp2(self):
        assert plan(db_instance(), module_params()) == {"StorageType": "io2", "Iops": 3000}

    def test_same_storage_sends_nothing(self):
        assert plan(db_instance(StorageType="io2", Iops=3000), module_params()) == {}

    def test_pending_change_is_not_requested_again(self):
        instance = db_instance(PendingModifiedValues={"StorageType": "io2", "Iops": 3000})
        assert plan(instance, module_params()) == {}

    def test_a_different_pending_change_is_replaced(self):
        instance = db_instance(PendingModifiedValues={"StorageType": "io2", "Iops": 2000})
        assert plan(instance, module_params()) == {"Iops": 3000}

    def test_only_iops(self):
        assert plan(db_instance(StorageType="io2", Iops=1000), module_params()) == {"Iops": 3000}

    def test_io1_to_io2_sends_the_iops_again(self):
        assert plan(db_instance(StorageType="io1", Iops=3000), module_params()) == {"StorageType": "io2", "Iops": 3000}

    def test_growth_of_provisioned_iops_storage_sends_the_iops_again(self):
        instance = db_instance(StorageType="io2", Iops=3000)
        assert plan(instance, module_params(allocated_storage=300)) == {"AllocatedStorage": 300, "Iops": 3000}

    def test_growth_of_gp3_above_the_threshold_sends_the_current_iops(self):
        instance = db_instance(StorageType="gp3", AllocatedStorage=500, Iops=12000, StorageThroughput=500)
        params = module_params(storage_type="gp3", allocated_storage=600, iops=None)
        assert plan(instance, params) == {"AllocatedStorage": 600, "Iops": 12000}

    def test_growth_of_gp2(self):
        params = module_params(storage_type="gp2", allocated_storage=250, iops=None)
        assert plan(db_instance(), params) == {"AllocatedStorage": 250}

    @pytest.mark.parametrize(
        "params",
        [
            module_params(storage_type="gp3", iops=3000, storage_throughput=125),
            module_params(storage_type="gp3", iops=None),
        ],
    )
    def test_gp3_below_the_threshold_sends_only_the_type(self, params):
        assert plan(db_instance(StorageType="io2", Iops=3000), params) == {"StorageType": "gp3"}
        assert plan(db_instance(), params) == {"StorageType": "gp3"}

    def test_gp3_below_the_threshold_again_sends_nothing(self):
        params = module_params(storage_type="gp3", iops=3000, storage_throughput=125)
        assert plan(db_instance(StorageType="gp3", Iops=3000), params) == {}  # moto: no throughput reported
        assert plan(db_instance(StorageType="gp3", Iops=3000, StorageThroughput=125), params) == {}

    def test_gp3_above_the_threshold_sends_iops_and_throughput_with_the_type(self):
        instance = db_instance(StorageType="io1", AllocatedStorage=500, Iops=12000)
        params = module_params(storage_type="gp3", allocated_storage=None, iops=12000, storage_throughput=500)
        assert plan(instance, params) == {"StorageType": "gp3", "Iops": 12000, "StorageThroughput": 500}

    def test_gp3_only_throughput(self):
        instance = db_instance(StorageType="gp3", AllocatedStorage=500, Iops=12000, StorageThroughput=500)
        params = module_params(storage_type="gp3", allocated_storage=None, iops=None, storage_throughput=1000)
        assert plan(instance, params) == {"StorageThroughput": 1000}

    def test_gp3_crossing_the_threshold_with_performance(self):
        instance = db_instance(StorageType="gp3", Iops=3000, StorageThroughput=125)
        params = module_params(storage_type="gp3", allocated_storage=400, iops=12000, storage_throughput=500)
        assert plan(instance, params) == {"AllocatedStorage": 400, "Iops": 12000, "StorageThroughput": 500}

    def test_gp3_crossing_the_threshold_without_performance(self):
        instance = db_instance(StorageType="gp3", Iops=3000, StorageThroughput=125)
        params = module_params(storage_type="gp3", allocated_storage=400, iops=None)
        assert plan(instance, params) == {"AllocatedStorage": 400}

    def test_gp2_from_io2_drops_the_iops(self):
        params = module_params(storage_type="gp2", iops=None)
        assert plan(db_instance(StorageType="io2", Iops=3000), params) == {"StorageType": "gp2"}

    def test_gp2_with_stale_iops_sends_nothing(self):
        params = module_params(storage_type="gp2", iops=None)
        assert plan(db_instance(Iops=3000, StorageThroughput=125), params) == {}

    def test_autoscaling_ceiling(self):
        instance = db_instance(StorageType="io2", Iops=3000)
        assert plan(instance, module_params(max_allocated_storage=500)) == {"MaxAllocatedStorage": 500}
        assert plan(dict(instance, MaxAllocatedStorage=500), module_params(max_allocated_storage=500)) == {}
        assert plan(dict(instance, MaxAllocatedStorage=500), module_params(max_allocated_storage=None)) == {}

    def test_everything_at_once(self):
        params = module_params(allocated_storage=400, iops=8000, max_allocated_storage=1000)
        assert plan(db_instance(), params) == {
            "StorageType": "io2",
            "AllocatedStorage": 400,
            "Iops": 8000,
            "MaxAllocatedStorage": 1000,
        }

    @pytest.mark.parametrize("apply_immediately", [True, False])
    def test_apply_immediately_is_passed_on(self, apply_immediately):
        assert plan(db_instance(), module_params(), apply_immediately=apply_immediately)

    def test_the_full_request(self):
        current = rds_storage.normalise_instance(db_instance())
        desired = rds_storage.desired_state(module_params(), current, "postgres")
        assert rds_storage.modify_params(DB_ID, current, desired, "postgres", False) == {
            "DBInstanceIdentifier": DB_ID,
            "ApplyImmediately": False,
            "StorageType": "io2",
            "Iops": 3000,
        }
        assert rds_storage.differing_fields(current, desired) == ["storage_type", "iops"]


class FakeDescribeClient:
    """Answers DescribeDBInstances from a list of responses (or ClientErrors), for the botocore waiter."""

    def __init__(self, *responses):
        import boto3

        self.meta = boto3.client("rds", region_name="me-south-1", aws_access_key_id="x", aws_secret_access_key="y").meta
        self.responses = list(responses)
        self.calls = 0

    def describe_db_instances(self, **kwargs):
        assert kwargs == {"DBInstanceIdentifier": DB_ID}
        self.calls += 1
        response = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(response, Exception):
            raise response
        return {"DBInstances": [copy.deepcopy(response)]}


def client_error(code):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": code}}, "DescribeDBInstances")


@pytest.fixture
def no_sleep(monkeypatch):
    pytest.importorskip("boto3")
    monkeypatch.setattr("time.sleep", lambda seconds: None)


class TestWaiter:
    def test_waits_for_the_pending_change_and_the_modification(self, no_sleep):
        client = FakeDescribeClient(
            db_instance(PendingModifiedValues={"StorageType": "io2", "Iops": 3000}),  # still available: not done
            db_instance(DBInstanceStatus="modifying", PendingModifiedValues={"StorageType": "io2", "Iops": 3000}),
            db_instance(DBInstanceStatus="modifying", StorageType="io2", Iops=3000),
            db_instance(DBInstanceStatus="available", StorageType="io2", Iops=3000),
        )
        rds_storage.wait_storage_applied(client, DB_ID, 600)
        assert client.calls == 4

    def test_storage_optimization_is_done(self, no_sleep):
        client = FakeDescribeClient(
            db_instance(DBInstanceStatus="modifying"), db_instance(DBInstanceStatus="storage-optimization")
        )
        rds_storage.wait_storage_applied(client, DB_ID, 600)
        assert client.calls == 2

    def test_other_pending_changes_do_not_hold_the_wait(self, no_sleep):
        client = FakeDescribeClient(db_instance(PendingModifiedValues={"DBInstanceClass": "db.m6i.large"}))
        rds_storage.wait_storage_applied(client, DB_ID, 600)
        assert client.calls == 1

    @pytest.mark.parametrize("status", ["failed", "deleting", "incompatible-parameters"])
    def test_failed_states_fail_at_once(self, no_sleep, status):
        client = FakeDescribeClient(db_instance(DBInstanceStatus=status))
        with pytest.raises(AnsibleRDSError, match="wait for the DB instance storage change"):
            rds_storage.wait_storage_applied(client, DB_ID, 600)
        assert client.calls == 1

    def test_times_out(self, no_sleep):
        client = FakeDescribeClient(db_instance(DBInstanceStatus="modifying"))
        with pytest.raises(AnsibleRDSError, match="Timeout trying to wait for the DB instance storage change"):
            rds_storage.wait_storage_applied(client, DB_ID, 10)

    def test_throttling_is_retried(self, no_sleep):
        client = FakeDescribeClient(client_error("Throttling"), db_instance())
        rds_storage.wait_storage_applied(client, DB_ID, 600)
        assert client.calls == 2


class FakeErrors:
    """A client whose calls raise the given error code, like AWS for a missing DB instance."""

    def __init__(self, code):
        self.code = code

    def __getattr__(self, name):
        def call(**kwargs):
            raise client_error(self.code)

        return call


class TestWrappers:
    @pytest.fixture(autouse=True)
    def botocore(self):
        pytest.importorskip("botocore")

    def test_missing_instance_is_none(self):
        assert rds_storage.describe_db_instance(FakeErrors("DBInstanceNotFound"), DB_ID) is None

    def test_other_describe_errors_raise(self):
        with pytest.raises(AnsibleRDSError, match="Failed to describe DB instance"):
            rds_storage.describe_db_instance(FakeErrors("AccessDenied"), DB_ID)

    def test_modify_errors_raise(self):
        with pytest.raises(AnsibleRDSError, match="Failed to modify DB instance storage"):
            rds_storage.modify_db_instance(FakeErrors("InvalidParameterCombination"), DBInstanceIdentifier=DB_ID)
