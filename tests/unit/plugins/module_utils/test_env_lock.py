# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""env_lock: validation and decisions as plain functions; the DynamoDB requests through botocore's Stubber, which
checks every request against the API model, and fails on a call the test did not expect."""

import boto3
import pytest
from botocore.stub import ANY
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils import env_lock

NOW = 1796385600  # 2026-12-04T12:00:00+00:00
TABLE = "envops-locks"
KEY = {"environment": {"S": "prod"}}
NAMES = {"#environment": "environment", "#owner": "owner", "#expires_at": "expires_at"}
RULE = "(attribute_not_exists(#environment) OR #expires_at < :now OR #owner = :owner)"


def request(**changes):
    fields = dict(table=TABLE, environment="prod", owner="awx-4711", procedure="dr_drill", lease_seconds=1800,
                  wait_timeout=0, poll_interval=5, tags=None)
    fields.update(changes)
    return env_lock.LockRequest(**fields)


def item(owner, procedure, started_at, expires_at, took_over_from=None):
    attributes = {"environment": {"S": "prod"}, "owner": {"S": owner}, "procedure": {"S": procedure},
                  "started_at": {"S": started_at}, "expires_at": {"N": str(expires_at)}}
    if took_over_from:
        attributes["took_over_from"] = {"M": took_over_from}
    return attributes


class Clock:
    """Time that moves only when the code sleeps."""

    def __init__(self, start=NOW):
        self.now = float(start)
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def stubbed():
    client = boto3.client("dynamodb", region_name="me-south-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def no_retry_sleep(monkeypatch):
    """AWSRetry's backoff sleeps between attempts: not in unit tests."""
    monkeypatch.setattr("time.sleep", lambda seconds: None)


def table_active(stubber):
    stubber.add_response("describe_table", {"Table": {"TableName": TABLE, "TableStatus": "ACTIVE"}},
                         {"TableName": TABLE})


def lock_read(stubber, attributes=None):
    stubber.add_response("get_item", {"Item": attributes} if attributes else {},
                         {"TableName": TABLE, "Key": KEY, "ConsistentRead": True})


def put(stubber, attributes, condition, values, error=None):
    expected = {"TableName": TABLE, "Item": attributes, "ConditionExpression": condition,
                "ExpressionAttributeNames": NAMES, "ExpressionAttributeValues": values}
    if error:
        stubber.add_client_error("put_item", error, expected_params=expected)
    else:
        stubber.add_response("put_item", {}, expected)


# --- validation ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes,problem", [
    ({"environment": "Prod"}, "environment 'Prod' must match ^[a-z][a-z0-9-]{0,30}$"),
    ({"environment": "prod;drop"}, "environment 'prod;drop' must match"),
    ({"environment": "a" * 32}, "must match"),
    ({"environment": "prod\n"}, "environment 'prod\\n' must match"),  # '$' alone would let a trailing newline in
    ({"owner": ""}, "owner '' must match"),
    ({"owner": "-awx"}, "owner '-awx' must match"),
    ({"owner": "awx 4711"}, "owner 'awx 4711' must match"),
    ({"owner": "a" * 129}, "owner"),
    ({"owner": "awx-1\n"}, "owner 'awx-1\\n' must match"),
    ({"table": "envops-locks\n"}, "table 'envops-locks\\n' must be"),
    ({"procedure": None}, "procedure None must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$ (required to take the lock)"),
    ({"procedure": "dr drill"}, "procedure 'dr drill' must match"),
    ({"lease_seconds": 29}, "lease_seconds 29 must be 30 to 86400."),
    ({"lease_seconds": 86401}, "lease_seconds 86401 must be 30 to 86400."),
    ({"wait_timeout": -1}, "wait_timeout -1 must be 0 or more."),
    ({"poll_interval": 0}, "poll_interval 0 must be 1 to 300."),
    ({"table": "ab"}, "table 'ab' must be 3 to 255 letters"),
    ({"tags": {"aws:owner": "x"}}, "tags: key 'aws:owner' must be 1 to 128 characters and not start with 'aws:'."),
    ({"tags": {"team": 1}}, "tags: the value of 'team' must be a string"),
])
def test_each_bad_field_is_named_with_its_rule(changes, problem):
    problems = env_lock.validate(request(**changes), acquiring=True)
    assert len(problems) == 1 and problem in problems[0], problems


def test_limits_are_accepted_and_release_needs_no_procedure_or_lease():
    assert env_lock.validate(request(lease_seconds=30, wait_timeout=0, poll_interval=1,
                                     owner="run.2026-12-04T12:00:00_a", procedure="refresh:test"), True) == []
    assert env_lock.validate(request(lease_seconds=86400, environment="a" + "-" * 30), True) == []
    assert env_lock.validate(request(procedure=None, lease_seconds=0), acquiring=False) == []
    assert env_lock.validate(request(owner="x y", procedure=None), acquiring=False)[0].startswith("owner 'x y'")


# --- decisions -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("current,action", [
    (None, "acquire"),
    ({"owner": "awx-4711", "expires_at": NOW + 60}, "renew"),
    ({"owner": "awx-4711", "expires_at": NOW - 60}, "renew"),
    ({"owner": "awx-1", "expires_at": NOW - 1}, "take_over"),
    ({"owner": "awx-1", "expires_at": NOW}, "wait"),  # a lease ends after its last second, as in the condition
    ({"owner": "awx-1", "expires_at": NOW + 60}, "wait"),
])
def test_decide(current, action):
    assert env_lock.decide(current, "awx-4711", NOW) == action


def test_a_lock_round_trips_and_a_foreign_item_counts_as_expired():
    lock = {"environment": "prod", "owner": "a", "procedure": "p", "started_at": "s", "expires_at": NOW,
            "took_over_from": {"owner": "b", "procedure": "q", "started_at": "t", "expires_at": NOW - 5}}
    assert env_lock.lock_from_item(env_lock.item_from_lock(lock)) == lock
    assert env_lock.lock_from_item({"environment": {"S": "prod"}, "expires_at": {"N": "soon"}}) == {
        "environment": "prod", "owner": None, "procedure": None, "started_at": None, "expires_at": 0,
        "took_over_from": None}
    assert env_lock.lock_from_item(None) is None


# --- acquire -------------------------------------------------------------------------------------------------------

def test_acquire_a_free_environment_with_the_conditional_put(stubbed):
    client, stubber = stubbed
    table_active(stubber)
    lock_read(stubber)
    put(stubber, item("awx-4711", "dr_drill", "2026-12-04T12:00:00+00:00", NOW + 1800),
        RULE + " AND (attribute_not_exists(#environment))",
        {":now": {"N": str(NOW)}, ":owner": {"S": "awx-4711"}})
    outcome = env_lock.acquire(client, request(), clock=Clock())
    assert outcome == {
        "changed": True, "lock_action": "acquire", "took_over": None, "waited_seconds": 0.0,
        "msg": "acquired the lock of environment prod",
        "lock": {"environment": "prod", "owner": "awx-4711", "procedure": "dr_drill",
                 "started_at": "2026-12-04T12:00:00+00:00", "expires_at": NOW + 1800,
                 "lease_ends_at": "2026-12-04T12:30:00+00:00", "took_over_from": None},
        "diff": {"before": {}, "after": {"owner": "awx-4711", "procedure": "dr_drill",
                                         "started_at": "2026-12-04T12:00:00+00:00",
                                         "lease_ends_at": "2026-12-04T12:30:00+00:00"}}}


def test_a_missing_table_is_created_encrypted_on_demand_and_waited_for(stubbed, no_retry_sleep):
    client, stubber = stubbed
    stubber.add_client_error("describe_table", "ResourceNotFoundException", expected_params={"TableName": TABLE})
    stubber.add_response("create_table", {}, {
        "TableName": TABLE,
        "AttributeDefinitions": [{"AttributeName": "environment", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "environment", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST", "SSESpecification": {"Enabled": True},
        "Tags": [{"Key": "team", "Value": "platform"}]})
    stubber.add_response("describe_table", {"Table": {"TableStatus": "CREATING"}}, {"TableName": TABLE})
    table_active(stubber)  # the waiter's second look
    lock_read(stubber)
    put(stubber, item("awx-4711", "dr_drill", "2026-12-04T12:00:00+00:00", NOW + 1800), ANY, ANY)
    outcome = env_lock.acquire(client, request(tags={"team": "platform"}), clock=Clock())
    assert outcome["lock_action"] == "acquire" and outcome["changed"]


def test_a_table_another_run_creates_at_the_same_time_is_waited_for(stubbed, no_retry_sleep):
    client, stubber = stubbed
    stubber.add_client_error("describe_table", "ResourceNotFoundException", expected_params={"TableName": TABLE})
    stubber.add_client_error("create_table", "ResourceInUseException")
    table_active(stubber)
    lock_read(stubber)
    put(stubber, ANY, ANY, ANY)
    assert env_lock.acquire(client, request(), clock=Clock())["lock_action"] == "acquire"


def test_an_expired_lease_is_taken_over_and_the_item_says_whose(stubbed):
    client, stubber = stubbed
    table_active(stubber)
    lock_read(stubber, item("awx-1", "refresh_masked", "2026-12-04T10:00:00+00:00", NOW - 600))
    previous = {"owner": {"S": "awx-1"}, "procedure": {"S": "refresh_masked"},
                "started_at": {"S": "2026-12-04T10:00:00+00:00"}, "expires_at": {"N": str(NOW - 600)}}
    put(stubber, item("awx-4711", "dr_drill", "2026-12-04T12:00:00+00:00", NOW + 1800, took_over_from=previous),
        RULE + " AND (#owner = :read_owner AND #expires_at = :read_expires_at)",
        {":now": {"N": str(NOW)}, ":owner": {"S": "awx-4711"},
         ":read_owner": {"S": "awx-1"}, ":read_expires_at": {"N": str(NOW - 600)}})
    outcome = env_lock.acquire(client, request(), clock=Clock())
    assert outcome["changed"] and outcome["lock_action"] == "take_over"
    assert outcome["msg"] == ("took over the lock of awx-1 (refresh_masked), whose lease expired at "
                              "2026-12-04T11:50:00+00:00")
    assert outcome["took_over"]["owner"] == "awx-1" and outcome["took_over"]["lease_ends_at"] == \
        "2026-12-04T11:50:00+00:00"
    assert outcome["lock"]["took_over_from"] == {"owner": "awx-1", "procedure": "refresh_masked",
                                                 "started_at": "2026-12-04T10:00:00+00:00",
                                                 "expires_at": NOW - 600, "lease_ends_at": "2026-12-04T11:50:00+00:00"}


def test_a_renewal_extends_the_lease_keeps_the_start_and_is_no_change(stubbed):
    client, stubber = stubbed
    table_active(stubber)
    lock_read(stubber, item("awx-4711", "dr_drill", "2026-12-04T11:00:00+00:00", NOW + 60))
    put(stubber, item("awx-4711", "dr_drill", "2026-12-04T11:00:00+00:00", NOW + 3600),
        RULE + " AND (#owner = :read_owner AND #expires_at = :read_expires_at)",
        {":now": {"N": str(NOW)}, ":owner": {"S": "awx-4711"},
         ":read_owner": {"S": "awx-4711"}, ":read_expires_at": {"N": str(NOW + 60)}})
    outcome = env_lock.acquire(client, request(lease_seconds=3600), clock=Clock())
    assert (outcome["changed"], outcome["lock_action"], outcome["diff"]) == (False, "renew", None)
    assert outcome["lock"]["started_at"] == "2026-12-04T11:00:00+00:00"
    assert outcome["msg"] == "renewed the lock of environment prod until 2026-12-04T13:00:00+00:00"


def test_a_renewal_for_another_procedure_is_a_change(stubbed):
    client, stubber = stubbed
    table_active(stubber)
    lock_read(stubber, item("awx-4711", "backup", "2026-12-04T11:00:00+00:00", NOW - 10))
    put(stubber, item("awx-4711", "dr_drill", "2026-12-04T11:00:00+00:00", NOW + 1800), ANY, ANY)
    outcome = env_lock.acquire(client, request(), clock=Clock())
    assert outcome["changed"] and outcome["diff"]["before"]["procedure"] == "backup"
    assert "its lease had expired at 2026-12-04T11:59:50+00:00" in outcome["msg"]


def test_a_live_holder_is_polled_until_wait_timeout_then_named(stubbed):
    client, stubber = stubbed
    holder = item("awx-1", "refresh_masked", "2026-12-04T11:30:00+00:00", NOW + 3600)
    table_active(stubber)
    for _read in range(4):  # at 0, 5, 10 s and at 12 s, the end of the wait
        lock_read(stubber, holder)
    clock = Clock()
    with pytest.raises(env_lock.LockError) as raised:
        env_lock.acquire(client, request(wait_timeout=12), clock=clock, sleep=clock.sleep)
    assert clock.slept == [5, 5, 2]
    assert str(raised.value) == ("environment prod is locked by awx-1 (refresh_masked) since "
                                 "2026-12-04T11:30:00+00:00, lease until 2026-12-04T13:00:00+00:00 "
                                 "(waited 12 s, wait_timeout 12 s)")
    assert raised.value.holder["owner"] == "awx-1" and raised.value.waited_seconds == 12.0


def test_a_lock_released_during_the_wait_is_acquired(stubbed):
    client, stubber = stubbed
    table_active(stubber)
    lock_read(stubber, item("awx-1", "backup", "2026-12-04T11:30:00+00:00", NOW + 3600))
    lock_read(stubber)
    put(stubber, item("awx-4711", "dr_drill", "2026-12-04T12:00:05+00:00", NOW + 5 + 1800), ANY, ANY)
    clock = Clock()
    outcome = env_lock.acquire(client, request(wait_timeout=60), clock=clock, sleep=clock.sleep)
    assert (outcome["lock_action"], outcome["waited_seconds"], clock.slept) == ("acquire", 5.0, [5])


def test_a_put_refused_because_another_run_was_quicker_reads_again_and_names_it(stubbed):
    client, stubber = stubbed
    table_active(stubber)
    lock_read(stubber)
    put(stubber, ANY, ANY, ANY, error="ConditionalCheckFailedException")
    lock_read(stubber, item("awx-2", "provision", "2026-12-04T12:00:00+00:00", NOW + 1800))
    with pytest.raises(env_lock.LockError, match=r"locked by awx-2 \(provision\) since 2026-12-04T12:00:00"):
        env_lock.acquire(client, request(wait_timeout=0), clock=Clock())


def test_throttling_is_retried_and_a_failed_call_is_reported(stubbed, no_retry_sleep):
    client, stubber = stubbed
    table_active(stubber)
    stubber.add_client_error("get_item", "ProvisionedThroughputExceededException")
    stubber.add_client_error("get_item", "ThrottlingException")
    lock_read(stubber)
    put(stubber, ANY, ANY, ANY, error="InternalServerError")
    put(stubber, ANY, ANY, ANY)
    assert env_lock.acquire(client, request(), clock=Clock())["lock_action"] == "acquire"
    stubber.add_client_error("describe_table", "AccessDeniedException")
    with pytest.raises(AnsibleAWSError, match="Failed to describe the lock table"):
        env_lock.acquire(client, request(), clock=Clock())


def test_check_mode_only_reads(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("describe_table", "ResourceNotFoundException", expected_params={"TableName": TABLE})
    outcome = env_lock.acquire(client, request(), check_mode=True, clock=Clock())
    assert (outcome["changed"], outcome["lock_action"], outcome["msg"]) == (
        True, "acquire", "would create lock table envops-locks, then acquire the lock of environment prod")
    table_active(stubber)
    lock_read(stubber, item("awx-1", "backup", "2026-12-04T11:30:00+00:00", NOW - 1))
    outcome = env_lock.acquire(client, request(), check_mode=True, clock=Clock())
    assert outcome["lock_action"] == "take_over" and outcome["msg"].startswith("would take over the lock of awx-1 (backup)")
    table_active(stubber)
    lock_read(stubber, item("awx-1", "backup", "2026-12-04T11:30:00+00:00", NOW + 30))
    outcome = env_lock.acquire(client, request(wait_timeout=600), check_mode=True, clock=Clock())
    assert outcome["lock_action"] == "wait" and outcome["lock"]["owner"] == "awx-1"
    assert outcome["msg"].startswith("would wait up to 600 s for the lock: environment prod is locked by awx-1")


# --- release -------------------------------------------------------------------------------------------------------

def delete(stubber, error=None):
    expected = {"TableName": TABLE, "Key": KEY, "ConditionExpression": "#owner = :owner",
                "ExpressionAttributeNames": {"#owner": "owner"},
                "ExpressionAttributeValues": {":owner": {"S": "awx-4711"}}}
    if error:
        stubber.add_client_error("delete_item", error, expected_params=expected)
    else:
        stubber.add_response("delete_item", {}, expected)


def test_release_deletes_only_with_the_owner_condition(stubbed):
    client, stubber = stubbed
    lock_read(stubber, item("awx-4711", "dr_drill", "2026-12-04T11:00:00+00:00", NOW + 60))
    delete(stubber)
    outcome = env_lock.release(client, request(procedure=None))
    assert (outcome["changed"], outcome["lock_action"], outcome["lock"], outcome["msg"]) == (
        True, "release", None, "released the lock of environment prod")
    assert outcome["diff"]["before"]["owner"] == "awx-4711" and outcome["diff"]["after"] == {}


def test_release_of_a_lock_held_by_another_run_is_refused_and_never_deleted(stubbed):
    client, stubber = stubbed
    lock_read(stubber, item("awx-1", "backup", "2026-12-04T11:00:00+00:00", NOW - 60))  # expired: still not ours
    with pytest.raises(env_lock.LockError) as raised:
        env_lock.release(client, request())
    assert str(raised.value) == ("environment prod is locked by awx-1 (backup) since 2026-12-04T11:00:00+00:00, "
                                 "lease until 2026-12-04T11:59:00+00:00: not released by awx-4711")


def test_release_refused_by_the_condition_names_who_took_over_meanwhile(stubbed):
    client, stubber = stubbed
    lock_read(stubber, item("awx-4711", "dr_drill", "2026-12-04T11:00:00+00:00", NOW - 60))
    delete(stubber, error="ConditionalCheckFailedException")
    lock_read(stubber, item("awx-2", "provision", "2026-12-04T12:00:00+00:00", NOW + 1800))
    with pytest.raises(env_lock.LockError, match="locked by awx-2 .*: not released by awx-4711"):
        env_lock.release(client, request())


def test_release_of_no_lock_or_no_table_is_no_change_and_check_mode_only_reads(stubbed):
    client, stubber = stubbed
    lock_read(stubber)
    assert env_lock.release(client, request())["changed"] is False
    stubber.add_client_error("get_item", "ResourceNotFoundException")
    assert env_lock.release(client, request())["lock_action"] == "none"
    lock_read(stubber, item("awx-4711", "dr_drill", "2026-12-04T11:00:00+00:00", NOW + 60))
    outcome = env_lock.release(client, request(), check_mode=True)
    assert (outcome["changed"], outcome["msg"]) == (True, "would release the lock of environment prod")
