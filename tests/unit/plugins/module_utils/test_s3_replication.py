# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

import copy

import pytest

from ansible_collections.envops.aws.plugins.module_utils import s3_replication

SOURCE = "envops-prod-documents"
DESTINATION = "envops-prod-documents-dr"
DESTINATION_ARN = f"arn:aws:s3:::{DESTINATION}"
ROLE_ARN = "arn:aws:iam::123456789012:role/envops-s3-replication"
KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def rule_params(**overrides):
    """One entry of the rules option as AnsibleAWSModule hands it over, with the module's defaults."""
    rule = {
        "id": "dr",
        "priority": None,
        "prefix": "",
        "destination_bucket": DESTINATION,
        "destination_kms_key_id": None,
        "storage_class": None,
        "delete_marker_replication": False,
        "replica_owner_account": None,
        "status": "Enabled",
    }
    rule.update(overrides)
    return rule


def module_params(*rules, **overrides):
    params = {
        "bucket": SOURCE,
        "state": "present",
        "role_arn": ROLE_ARN,
        "rules": list(rules) if rules else [rule_params()],
    }
    params.update(overrides)
    return params


def aws_rule(**overrides):
    """A rule as GetBucketReplication reports it for rule_params() written in the V2 schema."""
    rule = {
        "ID": "dr",
        "Priority": 0,
        "Filter": {"Prefix": ""},
        "Status": "Enabled",
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {"Bucket": DESTINATION_ARN},
    }
    rule.update(overrides)
    return rule


def aws_configuration(*rules, role=ROLE_ARN):
    return {"Role": role, "Rules": list(rules) if rules else [aws_rule()]}


def changes(configuration, params):
    current = s3_replication.normalise_configuration(configuration)
    desired = s3_replication.normalise_params(params)
    return s3_replication.differing_fields(current, desired)


class TestValidate:
    def test_valid_params(self):
        assert s3_replication.validate_params(module_params()) == []

    def test_full_rule_is_valid(self):
        rule = rule_params(
            priority=3,
            prefix="docs/",
            destination_bucket=DESTINATION_ARN,
            destination_kms_key_id=KEY_ARN,
            storage_class="STANDARD_IA",
            delete_marker_replication=True,
            replica_owner_account="210987654321",
        )
        assert s3_replication.validate_params(module_params(rule)) == []

    def test_kms_alias_arn_is_valid(self):
        rule = rule_params(destination_kms_key_id="arn:aws:kms:eu-central-1:123456789012:alias/envops-dr")
        assert s3_replication.validate_params(module_params(rule)) == []

    def test_distinct_priorities_are_valid(self):
        rules = [rule_params(id="a", priority=1), rule_params(id="b", priority=2), rule_params(id="c")]
        assert s3_replication.validate_params(module_params(*rules)) == []

    def test_china_partition(self):
        params = module_params(
            rule_params(destination_bucket="arn:aws-cn:s3:::envops-dr"),
            role_arn="arn:aws-cn:iam::123456789012:role/replication",
        )
        assert s3_replication.validate_params(params) == []

    @pytest.mark.parametrize(
        "params, problem",
        [
            (module_params(role_arn=None), "role_arn is required when state=present"),
            (module_params(role_arn="envops-s3-replication"), "is not an IAM role ARN"),
            (module_params(role_arn="arn:aws:iam::123456789012:user/bob"), "is not an IAM role ARN"),
            (module_params(role_arn="arn:aws:iam:::role/no-account"), "is not an IAM role ARN"),
            (module_params(role_arn="xarn:aws:iam::123456789012:role/r"), "is not an IAM role ARN"),
            (module_params(rules=[]), "rules must list at least one rule"),
            (module_params(rules=None), "rules must list at least one rule"),
            (module_params(rule_params(id="")), "id must be 1 to 255 characters long"),
            (module_params(rule_params(id="x" * 256)), "id must be 1 to 255 characters long"),
            (module_params(rule_params(priority=-1)), "priority must be 0 or more"),
            (module_params(rule_params(prefix="p" * 1025)), "prefix is longer than 1024 characters"),
            (module_params(rule_params(destination_bucket=None)), "destination_bucket is required"),
            (module_params(rule_params(destination_bucket=SOURCE)), "is the source bucket itself"),
            (module_params(rule_params(destination_bucket=f"arn:aws:s3:::{SOURCE}")), "is the source bucket itself"),
            (module_params(rule_params(destination_bucket="arn:aws:s3:::bucket/prefix")), "is not an S3 bucket ARN"),
            (module_params(rule_params(destination_bucket="arn:aws:s3:eu-central-1::b")), "is not an S3 bucket ARN"),
            (module_params(rule_params(destination_bucket="arn:aws:s3::123456789012:b")), "is not an S3 bucket ARN"),
            (module_params(rule_params(destination_bucket="arn:aws:sqs:::queue")), "is not an S3 bucket ARN"),
            (module_params(rule_params(destination_bucket="arn:aws:s3:::")), "is not an S3 bucket ARN"),
            (module_params(rule_params(destination_bucket="Envops_DR")), "is not a valid bucket name"),
            (module_params(rule_params(destination_bucket="ab")), "is not a valid bucket name"),
            (module_params(rule_params(destination_bucket="arn:aws:s3:::UPPER")), "is not a valid bucket name"),
            (
                module_params(rule_params(destination_bucket="arn:aws-cn:s3:::envops-dr")),
                "is not in the partition of role_arn (aws)",
            ),
            (module_params(rule_params(destination_kms_key_id="1234abcd")), "is not a KMS key or alias ARN"),
            (
                module_params(rule_params(destination_kms_key_id="arn:aws:kms::123456789012:key/1234")),
                "is not a KMS key or alias ARN",
            ),
            (
                module_params(rule_params(destination_kms_key_id="arn:aws:s3:eu-central-1:123456789012:key/1")),
                "is not a KMS key or alias ARN",
            ),
            (
                module_params(rule_params(destination_kms_key_id="arn:aws:kms:eu-central-1:123456789012:grant/1")),
                "is not a KMS key or alias ARN",
            ),
            (module_params(rule_params(replica_owner_account="12345")), "is not a 12-digit AWS account id"),
            (module_params(rule_params(replica_owner_account="prod")), "is not a 12-digit AWS account id"),
            (
                module_params(rule_params(id="a", priority=1), rule_params(id="a", priority=2)),
                "Rule ids must be unique: 'a' used more than once",
            ),
            (
                module_params(rule_params(id="a", priority=5), rule_params(id="b", priority=5)),
                "Rule priorities must be unique (an unset priority is 0): 5 used more than once",
            ),
            (
                module_params(rule_params(id="a"), rule_params(id="b")),
                "Rule priorities must be unique (an unset priority is 0): 0 used more than once",
            ),
            (
                module_params(rule_params(id="a", priority=0), rule_params(id="b")),
                "0 used more than once",
            ),
        ],
    )
    def test_problems(self, params, problem):
        problems = s3_replication.validate_params(params)
        assert len(problems) == 1, problems
        assert problem in problems[0]

    def test_problems_name_the_rule(self):
        rules = [rule_params(id="ok", priority=1), rule_params(id="bad", priority=2, replica_owner_account="1")]
        problems = s3_replication.validate_params(module_params(*rules))
        assert problems == ["rules[1] ('bad'): replica_owner_account '1' is not a 12-digit AWS account id."]

    def test_every_problem_is_reported_at_once(self):
        params = module_params(
            rule_params(id="a", destination_bucket=SOURCE),
            rule_params(id="a", destination_kms_key_id="key"),
            role_arn="role",
        )
        assert len(s3_replication.validate_params(params)) == 5

    def test_too_many_rules(self):
        rules = [rule_params(id=f"r{index}", priority=index) for index in range(1001)]
        problems = s3_replication.validate_params(module_params(*rules))
        assert problems == ["rules lists 1001 rules; a replication configuration holds at most 1000."]

    def test_nothing_is_needed_to_remove(self):
        assert s3_replication.validate_params(module_params(role_arn=None, rules=None, state="absent")) == []


class TestBucketNames:
    @pytest.mark.parametrize(
        "bucket, name, arn",
        [
            (DESTINATION, DESTINATION, DESTINATION_ARN),
            (DESTINATION_ARN, DESTINATION, DESTINATION_ARN),
            ("arn:aws-cn:s3:::envops-dr", "envops-dr", "arn:aws-cn:s3:::envops-dr"),
        ],
    )
    def test_name_and_arn(self, bucket, name, arn):
        assert s3_replication.bucket_name_of(bucket) == name
        assert s3_replication.bucket_arn(bucket, s3_replication.partition_of(arn)) == arn

    def test_name_gets_the_partition_of_the_role(self):
        assert s3_replication.bucket_arn("envops-dr", "aws-us-gov") == "arn:aws-us-gov:s3:::envops-dr"

    @pytest.mark.parametrize(
        "arn, partition",
        [(ROLE_ARN, "aws"), ("arn:aws-cn:iam::123456789012:role/r", "aws-cn"), (None, "aws"), ("role", "aws")],
    )
    def test_partition_of(self, arn, partition):
        assert s3_replication.partition_of(arn) == partition


class TestNormalise:
    def test_aws_response_matches_its_params(self):
        assert changes(aws_configuration(), module_params()) == []

    def test_full_rule_matches_its_params(self):
        rule = rule_params(
            priority=7,
            prefix="docs/",
            destination_kms_key_id=KEY_ARN,
            storage_class="STANDARD_IA",
            delete_marker_replication=True,
            replica_owner_account="210987654321",
        )
        reported = aws_rule(
            Priority=7,
            Filter={"Prefix": "docs/"},
            DeleteMarkerReplication={"Status": "Enabled"},
            SourceSelectionCriteria={"SseKmsEncryptedObjects": {"Status": "Enabled"}},
            Destination={
                "Bucket": DESTINATION_ARN,
                "Account": "210987654321",
                "StorageClass": "STANDARD_IA",
                "AccessControlTranslation": {"Owner": "Destination"},
                "EncryptionConfiguration": {"ReplicaKmsKeyID": KEY_ARN},
            },
        )
        assert changes(aws_configuration(reported), module_params(rule)) == []

    @pytest.mark.parametrize(
        "reported",
        [
            aws_rule(Filter={}),
            aws_rule(Filter={"And": {"Prefix": ""}}),
            aws_rule(Filter=None),
        ],
    )
    def test_empty_filter_forms_mean_every_object(self, reported):
        assert changes(aws_configuration(reported), module_params()) == []

    def test_missing_priority_means_zero(self):
        reported = aws_rule()
        del reported["Priority"]
        assert changes(aws_configuration(reported), module_params(rule_params(priority=0))) == []

    def test_missing_delete_marker_replication_means_disabled(self):
        reported = aws_rule()
        del reported["DeleteMarkerReplication"]
        assert changes(aws_configuration(reported), module_params()) == []

    @pytest.mark.parametrize(
        "selection",
        [
            {"SseKmsEncryptedObjects": {"Status": "Disabled"}},
            {"ReplicaModifications": {"Status": "Disabled"}},
            {},
        ],
    )
    def test_disabled_selection_criteria_are_no_selection(self, selection):
        assert changes(aws_configuration(aws_rule(SourceSelectionCriteria=selection)), module_params()) == []

    def test_destination_name_and_arn_are_the_same_bucket(self):
        reported = aws_rule(Destination={"Bucket": DESTINATION})
        assert changes(aws_configuration(reported), module_params(rule_params(destination_bucket=DESTINATION_ARN))) == []

    def test_rule_order_does_not_matter(self):
        reported = [aws_rule(ID="b", Priority=2), aws_rule(ID="a", Priority=1)]
        wanted = [rule_params(id="a", priority=1), rule_params(id="b", priority=2)]
        assert changes(aws_configuration(*reported), module_params(*wanted)) == []

    def test_rules_are_sorted_by_priority_then_id(self):
        reported = [aws_rule(ID="low", Priority=1), aws_rule(ID="high", Priority=9), aws_rule(ID="mid", Priority=5)]
        state = s3_replication.normalise_configuration(aws_configuration(*reported))
        assert [rule["id"] for rule in state["rules"]] == ["low", "mid", "high"]

    def test_no_configuration_is_empty(self):
        assert s3_replication.normalise_configuration({}) == {}
        assert s3_replication.normalise_configuration(None) == {}

    def test_normalised_rule_has_one_key_per_option(self):
        state = s3_replication.normalise_params(module_params())
        assert state == {
            "role_arn": ROLE_ARN,
            "rules": [
                {
                    "id": "dr",
                    "priority": 0,
                    "status": "Enabled",
                    "prefix": "",
                    "destination_bucket": DESTINATION_ARN,
                    "storage_class": None,
                    "delete_marker_replication": False,
                    "replicate_sse_kms_objects": False,
                    "destination_kms_key_id": None,
                    "replica_owner_account": None,
                }
            ],
        }

    def test_kms_key_turns_on_sse_kms_selection(self):
        state = s3_replication.normalise_params(module_params(rule_params(destination_kms_key_id=KEY_ARN)))
        assert state["rules"][0]["replicate_sse_kms_objects"] is True


class TestUnmanaged:
    def rule_state(self, rule):
        return s3_replication.normalise_configuration(aws_configuration(rule))["rules"][0]

    def test_v1_rule_is_marked_and_replicates_delete_markers(self):
        v1 = {"ID": "dr", "Prefix": "docs/", "Status": "Enabled", "Destination": {"Bucket": DESTINATION_ARN}}
        state = self.rule_state(v1)
        assert state["unmanaged"] == {"schema": "V1"}
        assert state["prefix"] == "docs/"
        assert state["delete_marker_replication"] is True
        assert state["priority"] == 0

    def test_v1_rule_differs_from_the_same_v2_rule(self):
        v1 = {"ID": "dr", "Prefix": "", "Status": "Enabled", "Destination": {"Bucket": DESTINATION_ARN}}
        assert "rules[dr].unmanaged" in changes(aws_configuration(v1), module_params())

    @pytest.mark.parametrize(
        "rule_filter, tags",
        [
            ({"Tag": {"Key": "dr", "Value": "yes"}}, {"dr": "yes"}),
            ({"And": {"Prefix": "docs/", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}}, {"a": "1", "b": "2"}),
        ],
    )
    def test_tag_filters(self, rule_filter, tags):
        state = self.rule_state(aws_rule(Filter=rule_filter))
        assert state["unmanaged"] == {"filter_tags": tags}

    def test_and_filter_keeps_its_prefix(self):
        state = self.rule_state(aws_rule(Filter={"And": {"Prefix": "docs/", "Tags": [{"Key": "a", "Value": "1"}]}}))
        assert state["prefix"] == "docs/"

    def test_enabled_extras_are_kept_disabled_ones_dropped(self):
        rule = aws_rule(
            Destination={
                "Bucket": DESTINATION_ARN,
                "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
                "Metrics": {"Status": "Disabled"},
            },
            SourceSelectionCriteria={"ReplicaModifications": {"Status": "Enabled"}},
            ExistingObjectReplication={"Status": "Disabled"},
        )
        assert self.rule_state(rule)["unmanaged"] == {
            "replication_time": {"Status": "Enabled", "Time": {"Minutes": 15}},
            "replica_modifications": {"Status": "Enabled"},
        }

    def test_destination_account_without_owner_override(self):
        rule = aws_rule(Destination={"Bucket": DESTINATION_ARN, "Account": "210987654321"})
        state = self.rule_state(rule)
        assert state["replica_owner_account"] is None
        assert state["unmanaged"] == {"destination_account": "210987654321"}

    def test_unmanaged_settings_are_a_difference(self):
        rule = aws_rule(Destination={"Bucket": DESTINATION_ARN, "Metrics": {"Status": "Enabled"}})
        assert changes(aws_configuration(rule), module_params()) == ["rules[dr].unmanaged"]


class TestDifferences:
    @pytest.mark.parametrize(
        "overrides, expected",
        [
            ({"priority": 4}, ["rules[dr].priority"]),
            ({"status": "Disabled"}, ["rules[dr].status"]),
            ({"prefix": "docs/"}, ["rules[dr].prefix"]),
            ({"destination_bucket": "envops-other-dr"}, ["rules[dr].destination_bucket"]),
            ({"storage_class": "STANDARD"}, ["rules[dr].storage_class"]),
            ({"delete_marker_replication": True}, ["rules[dr].delete_marker_replication"]),
            (
                {"destination_kms_key_id": KEY_ARN},
                ["rules[dr].destination_kms_key_id", "rules[dr].replicate_sse_kms_objects"],
            ),
            ({"replica_owner_account": "210987654321"}, ["rules[dr].replica_owner_account"]),
            ({"prefix": "a/", "status": "Disabled"}, ["rules[dr].prefix", "rules[dr].status"]),
        ],
    )
    def test_fields_that_differ(self, overrides, expected):
        assert changes(aws_configuration(), module_params(rule_params(**overrides))) == expected

    def test_role(self):
        params = module_params(role_arn="arn:aws:iam::123456789012:role/other")
        assert changes(aws_configuration(), params) == ["role_arn"]

    def test_added_and_removed_rules(self):
        params = module_params(rule_params(id="new", priority=1))
        assert changes(aws_configuration(), params) == ["rules[dr]", "rules[new]"]

    def test_sse_kms_selection_lost_by_the_store_is_a_difference(self):
        # The replica key alone (selection criteria missing) replicates no SSE-KMS object: not what was asked.
        reported = aws_rule(Destination={"Bucket": DESTINATION_ARN, "EncryptionConfiguration": {"ReplicaKmsKeyID": KEY_ARN}})
        params = module_params(rule_params(destination_kms_key_id=KEY_ARN))
        assert changes(aws_configuration(reported), params) == ["rules[dr].replicate_sse_kms_objects"]

    def test_everything_differs_from_nothing(self):
        desired = s3_replication.normalise_params(module_params())
        assert s3_replication.differing_fields({}, desired) == ["role_arn", "rules[dr]"]

    def test_nothing_differs_from_nothing(self):
        assert s3_replication.differing_fields({}, {}) == []


class TestPutConfiguration:
    def test_minimal_rule_in_v2_schema(self):
        desired = s3_replication.normalise_params(module_params())
        assert s3_replication.replication_configuration(desired) == {
            "Role": ROLE_ARN,
            "Rules": [
                {
                    "ID": "dr",
                    "Priority": 0,
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": DESTINATION_ARN},
                }
            ],
        }

    def test_full_rule(self):
        rule = rule_params(
            priority=2,
            prefix="docs/",
            destination_kms_key_id=KEY_ARN,
            storage_class="GLACIER_IR",
            delete_marker_replication=True,
            replica_owner_account="210987654321",
            status="Disabled",
        )
        configuration = s3_replication.replication_configuration(s3_replication.normalise_params(module_params(rule)))
        assert configuration["Rules"] == [
            {
                "ID": "dr",
                "Priority": 2,
                "Status": "Disabled",
                "Filter": {"Prefix": "docs/"},
                "DeleteMarkerReplication": {"Status": "Enabled"},
                "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
                "Destination": {
                    "Bucket": DESTINATION_ARN,
                    "StorageClass": "GLACIER_IR",
                    "Account": "210987654321",
                    "AccessControlTranslation": {"Owner": "Destination"},
                    "EncryptionConfiguration": {"ReplicaKmsKeyID": KEY_ARN},
                },
            }
        ]

    def test_what_is_put_reads_back_unchanged(self):
        rules = [
            rule_params(id="a", priority=1, prefix="a/", destination_kms_key_id=KEY_ARN, delete_marker_replication=True),
            rule_params(id="b", priority=2, storage_class="STANDARD_IA", replica_owner_account="210987654321"),
        ]
        desired = s3_replication.normalise_params(module_params(*rules))
        put = s3_replication.replication_configuration(desired)
        assert s3_replication.normalise_configuration(copy.deepcopy(put)) == desired


class TestPreconditions:
    @pytest.mark.parametrize(
        "status, problem",
        [
            ("Enabled", None),
            ("Suspended", "source bucket 'b' needs versioning enabled (versioning is suspended)."),
            ("", "source bucket 'b' needs versioning enabled (versioning is never enabled)."),
            (None, "source bucket 'b' does not exist."),
        ],
    )
    def test_versioning_problem(self, status, problem):
        assert s3_replication.versioning_problem("source", "b", status) == problem

    def test_kms_key_in_the_destination_region(self):
        assert s3_replication.kms_region_problems(DESTINATION, "eu-central-1", [KEY_ARN]) == []

    def test_kms_key_in_another_region(self):
        key = "arn:aws:kms:me-south-1:123456789012:key/1"
        assert s3_replication.kms_region_problems(DESTINATION, "eu-central-1", [key]) == [
            f"destination_kms_key_id {key!r} is in me-south-1, but destination bucket {DESTINATION!r} is in"
            " eu-central-1: the replica key must be in the destination region."
        ]

    @pytest.mark.parametrize(
        "location, region",
        [(None, "us-east-1"), ("", "us-east-1"), ("EU", "eu-west-1"), ("eu-central-1", "eu-central-1")],
    )
    def test_region_of_location(self, location, region):
        assert s3_replication.region_of_location(location) == region

    def test_destination_buckets_with_their_keys(self):
        other_key = "arn:aws:kms:eu-central-1:123456789012:key/other"
        rules = [
            rule_params(id="a", priority=1, destination_kms_key_id=KEY_ARN),
            rule_params(id="b", priority=2, destination_bucket=DESTINATION_ARN, destination_kms_key_id=other_key),
            rule_params(id="c", priority=3, destination_bucket=DESTINATION_ARN, destination_kms_key_id=KEY_ARN),
            rule_params(id="d", priority=4, destination_bucket="envops-archive"),
        ]
        desired = s3_replication.normalise_params(module_params(*rules))
        assert s3_replication.destination_buckets(desired) == {
            DESTINATION: [KEY_ARN, other_key],
            "envops-archive": [],
        }
