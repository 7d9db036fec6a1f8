# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What s3_bucket_replication calls on S3 for each situation, with a recording fake client (no AWS)."""

import copy

import pytest

from ansible_collections.envops.aws.plugins.module_utils import s3_replication
from ansible_collections.envops.aws.plugins.modules import s3_bucket_replication

SOURCE = "envops-prod-documents"
DESTINATION = "envops-prod-documents-dr"
ROLE_ARN = "arn:aws:iam::123456789012:role/envops-s3-replication"
KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
MUTATING_CALLS = {"put_bucket_replication", "delete_bucket_replication"}

# The error handlers recognise S3 errors as botocore ClientErrors. ansible-test units runs in a venv without
# botocore (the collection has no tests/unit/requirements.txt): skip there, run under `make unit`.
ClientError = pytest.importorskip("botocore.exceptions").ClientError


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result)
        self.failed = failed
        self.result = result


def rule(**overrides):
    entry = {
        "id": "dr",
        "priority": None,
        "prefix": "",
        "destination_bucket": DESTINATION,
        "destination_kms_key_id": KEY_ARN,
        "storage_class": None,
        "delete_marker_replication": False,
        "replica_owner_account": None,
        "status": "Enabled",
    }
    entry.update(overrides)
    return entry


class FakeModule:
    def __init__(self, check_mode=False, **overrides):
        self.params = {"bucket": SOURCE, "state": "present", "role_arn": ROLE_ARN, "rules": [rule()]}
        self.params.update(overrides)
        self.check_mode = check_mode
        self._diff = True
        self.warnings = []
        self.client_for = None

    def client(self, service):
        assert service == "s3"
        return self.client_for

    def warn(self, warning):
        self.warnings.append(warning)

    def exit_json(self, **result):
        raise ModuleExit(False, result)

    def fail_json(self, **result):
        raise ModuleExit(True, result)

    def fail_json_aws_error(self, error):
        raise ModuleExit(True, {"msg": error.message})


def client_error(code, operation):
    status = {"AccessDenied": 403}.get(code, 404)
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


class FakeBucket:
    def __init__(self, versioning="Enabled", region="eu-central-1", replication=None, readable=True):
        self.versioning = versioning
        self.region = region
        self.replication = replication
        self.readable = readable


class FakeS3:
    """Keeps buckets in memory, stores replication configurations as AWS does, records every call."""

    def __init__(self, **buckets):
        self.buckets = buckets
        self.calls = []

    def _bucket(self, name, operation):
        self.calls.append(operation)
        bucket = self.buckets.get(name)
        if bucket is None:
            raise client_error("NoSuchBucket", operation)
        if not bucket.readable:
            raise client_error("AccessDenied", operation)
        return bucket

    def get_bucket_versioning(self, Bucket):
        bucket = self._bucket(Bucket, "get_bucket_versioning")
        return {"Status": bucket.versioning} if bucket.versioning else {}

    def get_bucket_location(self, Bucket):
        return {"LocationConstraint": self._bucket(Bucket, "get_bucket_location").region}

    def get_bucket_replication(self, Bucket):
        bucket = self._bucket(Bucket, "get_bucket_replication")
        if not bucket.replication:
            raise client_error("ReplicationConfigurationNotFoundError", "GetBucketReplication")
        return {"ReplicationConfiguration": copy.deepcopy(bucket.replication)}

    def put_bucket_replication(self, Bucket, ReplicationConfiguration):
        self._bucket(Bucket, "put_bucket_replication").replication = copy.deepcopy(ReplicationConfiguration)

    def delete_bucket_replication(self, Bucket):
        self._bucket(Bucket, "delete_bucket_replication").replication = None

    def mutating_calls(self):
        return [call for call in self.calls if call in MUTATING_CALLS]


def configured(*rules):
    """The configuration the module writes for these rule entries."""
    params = {"bucket": SOURCE, "state": "present", "role_arn": ROLE_ARN, "rules": list(rules) or [rule()]}
    return s3_replication.replication_configuration(s3_replication.normalise_params(params))


def stack(source=None, destination=None, **others):
    buckets = {SOURCE: source or FakeBucket(region="me-south-1"), DESTINATION: destination or FakeBucket()}
    buckets.update(others)
    return FakeS3(**buckets)


def run(module, client):
    """Run the module's state handler and return what it exited with."""
    handler = (
        s3_bucket_replication.ensure_present
        if module.params["state"] == "present"
        else s3_bucket_replication.ensure_absent
    )
    with pytest.raises(ModuleExit) as exited:
        handler(client, module)
    return exited.value


@pytest.mark.parametrize("check_mode", [True, False])
def test_create(check_mode):
    client = stack()
    exited = run(FakeModule(check_mode=check_mode), client)
    assert not exited.failed
    assert exited.result["changed"] is True
    assert exited.result["diff"]["before"] == {}
    assert exited.result["diff"]["after"]["rules"][0]["destination_kms_key_id"] == KEY_ARN
    if check_mode:
        assert client.mutating_calls() == []
        assert client.buckets[SOURCE].replication is None
        assert exited.result["replication"] == {}
    else:
        assert client.mutating_calls() == ["put_bucket_replication"]
        assert client.buckets[SOURCE].replication == configured()
        assert exited.result["replication"] == exited.result["diff"]["after"]


def test_no_change_makes_no_call():
    client = stack(source=FakeBucket(region="me-south-1", replication=configured()))
    exited = run(FakeModule(), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []
    assert exited.result["replication"]["rules"][0]["id"] == "dr"
    assert exited.result["diff"]["before"] == exited.result["diff"]["after"]


def test_aws_defaults_are_not_a_change():
    # What AWS may report for a rule written without priority, with the bucket as a name and no delete-marker element.
    reported = configured()
    reported["Rules"][0].pop("Priority")
    reported["Rules"][0].pop("DeleteMarkerReplication")
    reported["Rules"][0]["Filter"] = {}
    reported["Rules"][0]["Destination"]["Bucket"] = DESTINATION
    client = stack(source=FakeBucket(region="me-south-1", replication=reported))
    assert run(FakeModule(), client).result["changed"] is False


@pytest.mark.parametrize("check_mode, calls", [(True, []), (False, ["put_bucket_replication"])])
def test_rule_change(check_mode, calls):
    client = stack(source=FakeBucket(region="me-south-1", replication=configured()))
    exited = run(FakeModule(check_mode=check_mode, rules=[rule(storage_class="GLACIER_IR")]), client)
    assert exited.result["changed"] is True
    assert client.mutating_calls() == calls
    before, after = exited.result["diff"]["before"], exited.result["diff"]["after"]
    assert (before["rules"][0]["storage_class"], after["rules"][0]["storage_class"]) == (None, "GLACIER_IR")
    if check_mode:
        assert exited.result["replication"] == before


def test_unlisted_rules_are_removed():
    existing = configured(rule(id="old", priority=1), rule(id="dr", priority=2))
    client = stack(source=FakeBucket(region="me-south-1", replication=existing))
    run(FakeModule(rules=[rule(priority=2)]), client)
    assert [entry["ID"] for entry in client.buckets[SOURCE].replication["Rules"]] == ["dr"]


@pytest.mark.parametrize(
    "source, destination, problem",
    [
        (FakeBucket(versioning=""), None, f"source bucket {SOURCE!r} needs versioning enabled (versioning is never enabled)"),
        (FakeBucket(versioning="Suspended"), None, "versioning is suspended"),
        (None, FakeBucket(versioning="Suspended"), f"destination bucket {DESTINATION!r} needs versioning enabled"),
        (None, FakeBucket(region="me-south-1"), "the replica key must be in the destination region"),
    ],
)
def test_precondition_failures_make_no_mutating_call(source, destination, problem):
    client = stack(source=source, destination=destination)
    exited = run(FakeModule(), client)
    assert exited.failed
    assert exited.result["msg"].startswith(f"Cannot replicate bucket {SOURCE!r}: ")
    assert problem in exited.result["msg"]
    assert client.mutating_calls() == []


def test_missing_buckets_are_named():
    client = FakeS3()
    exited = run(FakeModule(), client)
    assert exited.failed
    assert f"source bucket {SOURCE!r} does not exist." in exited.result["msg"]
    assert f"destination bucket {DESTINATION!r} does not exist." in exited.result["msg"]
    assert client.mutating_calls() == []


def test_every_unmet_precondition_is_reported_at_once():
    client = stack(source=FakeBucket(versioning=""), destination=FakeBucket(versioning=""))
    exited = run(FakeModule(), client)
    assert "source bucket" in exited.result["msg"] and "destination bucket" in exited.result["msg"]


def test_precondition_failures_are_checked_even_when_nothing_changes():
    client = stack(
        source=FakeBucket(region="me-south-1", replication=configured()), destination=FakeBucket(versioning="Suspended")
    )
    exited = run(FakeModule(), client)
    assert exited.failed
    assert client.mutating_calls() == []


def test_check_mode_warns_about_preconditions_instead_of_failing():
    client = FakeS3()
    module = FakeModule(check_mode=True)
    exited = run(module, client)
    assert not exited.failed
    assert exited.result["changed"] is True
    assert client.mutating_calls() == []
    assert "does not exist" in module.warnings[0]
    assert "would fail unless earlier tasks fix this" in module.warnings[0]
    # The replication of a bucket that does not exist is not read.
    assert "get_bucket_replication" not in client.calls


def test_unreadable_destination_is_skipped_with_a_warning():
    client = stack(destination=FakeBucket(readable=False))
    module = FakeModule(rules=[rule(replica_owner_account="210987654321")])
    exited = run(module, client)
    assert not exited.failed
    assert client.mutating_calls() == ["put_bucket_replication"]
    assert module.warnings == [
        f"Destination bucket {DESTINATION!r} cannot be read with these credentials: its versioning"
        " (and the region of its replica KMS key) was not checked."
    ]


def test_destination_region_is_read_only_for_kms_rules():
    client = stack()
    run(FakeModule(rules=[rule(destination_kms_key_id=None)]), client)
    assert "get_bucket_location" not in client.calls


def test_each_destination_is_checked_once():
    client = stack(archive=FakeBucket())
    rules = [
        rule(id="a", priority=1),
        rule(id="b", priority=2, destination_bucket=f"arn:aws:s3:::{DESTINATION}"),
        rule(id="c", priority=3, destination_bucket="archive", destination_kms_key_id=None),
    ]
    run(FakeModule(rules=rules), client)
    assert client.calls.count("get_bucket_versioning") == 3  # source, DESTINATION, archive


@pytest.mark.parametrize("check_mode, calls", [(True, []), (False, ["delete_bucket_replication"])])
def test_absent_removes_the_configuration(check_mode, calls):
    client = stack(source=FakeBucket(region="me-south-1", replication=configured()))
    exited = run(FakeModule(check_mode=check_mode, state="absent", role_arn=None, rules=None), client)
    assert exited.result["changed"] is True
    assert exited.result["replication"] == {}
    assert exited.result["diff"]["before"]["rules"][0]["id"] == "dr"
    assert exited.result["diff"]["after"] == {}
    assert client.mutating_calls() == calls
    assert (client.buckets[SOURCE].replication is None) is not check_mode


@pytest.mark.parametrize("buckets", [{}, {SOURCE: FakeBucket()}])
def test_absent_without_configuration_or_bucket_is_unchanged(buckets):
    client = FakeS3(**buckets)
    exited = run(FakeModule(state="absent"), client)
    assert exited.result["changed"] is False
    assert client.mutating_calls() == []


class TestMain:
    """main(): bad input is refused before any AWS call."""

    def run_main(self, monkeypatch, client, **params):
        module = FakeModule(**params)
        module.client_for = client

        def fake_module(**kwargs):
            assert kwargs["supports_check_mode"] is True
            return module

        monkeypatch.setattr(s3_bucket_replication, "AnsibleAWSModule", fake_module)
        with pytest.raises(ModuleExit) as exited:
            s3_bucket_replication.main()
        return exited.value

    @pytest.mark.parametrize(
        "params",
        [
            {"rules": [rule(id="a"), rule(id="a", priority=1)]},
            {"rules": [rule(id="a"), rule(id="b")]},
            {"role_arn": "arn:aws:iam::123456789012:user/bob"},
            {"rules": [rule(destination_bucket=SOURCE)]},
            {"rules": [rule(destination_kms_key_id="alias/envops-dr")]},
            {"rules": []},
        ],
    )
    def test_bad_input_makes_no_call(self, monkeypatch, params):
        client = stack()
        exited = self.run_main(monkeypatch, client, **params)
        assert exited.failed
        assert client.calls == []

    def test_good_input_runs(self, monkeypatch):
        client = stack()
        exited = self.run_main(monkeypatch, client)
        assert exited.result["changed"] is True
        assert client.mutating_calls() == ["put_bucket_replication"]

    def test_aws_errors_are_reported(self, monkeypatch):
        client = stack()

        def refuse(**kwargs):
            raise client_error("InvalidRequest", "PutBucketReplication")

        client.put_bucket_replication = refuse
        exited = self.run_main(monkeypatch, client)
        assert exited.failed
        assert exited.result["msg"] == "Failed to put bucket replication"
