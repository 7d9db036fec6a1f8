# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime, timezone

import pytest

from ansible_collections.envops.aws.plugins.module_utils import procedure_inputs as pi

NOW = datetime(2026, 12, 7, 6, 0, 0, tzinfo=timezone.utc)
PROD = {"name": "prod", "backup": {"retention_days": 35}}


@pytest.mark.parametrize("check,good,bad", [
    (pi.run_id, ["20261207060000", "r1"], ["../x", "a'b", 'a"b', "abc\n", "A1", "", "a" * 21, "a b", "a;b"]),
    (pi.restore_id, ["p1"], ["p-1", "x\n", "../p"]),
    (pi.drill_id, ["Drill1", "20261207"], ["x-1", "a" * 33, "d1\n"]),
    (pi.backup_id, ["20261123T101500Z", "failback-r1", "a.b"], ["../x", "a..b", "-x", "a/b", "x\n"]),
    (pi.snapshot_id, ["prod-postgres-manual", "rds:prod-postgres-2026-11-23-10-15",
                      "arn:aws:rds:eu-west-1:123456789012:snapshot:shared-1"],
     ["1abc", "a--b", "a-", "a/b", "x'; drop", "rds:../x"]),
    (pi.database_name, ["app", "app_2"], ["App", "1app", "app-x", 'app"; drop', "a" * 64]),
    (pi.table_name, ["orders", "user-activity"], ["ab", "a/b", "a b", "../x"]),
    (pi.bucket_purpose, ["exports", "backups"], ["Exports", "e", "a/b"]),
    (pi.bucket_name, ["envops-prod-123456789012-backups"], ["a..b", "Upper", "xn--abc", "a"]),
    (pi.kms_key, ["alias/envops/prod/data", "1234abcd-12ab-34cd-56ef-1234567890ab",
                  "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
     ["envops/prod/data", "alias/a b", "alias/../x\n"]),
    (pi.https_url, ["https://api.example.com/health", "http://10.0.0.1:8080/"],
     ["ftp://x", "https://user@host/", "https://a b", "javascript:alert(1)"]),
    (pi.environment_name, ["prod", "staging-2"], ["Prod", "../prod", "prod\n", "", "p" * 32]),
])
def test_identifiers_fullmatch_their_pattern(check, good, bad):
    assert [value for value in good if check(value)] == []
    assert [value for value in bad if check(value) is None] == []


def test_a_number_given_as_json_is_the_same_id():
    assert pi.run_id(7) is None and pi.drill_id(20261207) is None
    assert pi.run_id(True) is not None


@pytest.mark.parametrize("prefix,ok", [
    ("reports/", True), ("envops-drill-markers/", True), ("a/b=c/", True),
    ("../reports/", False), ("reports/../", False), ("/reports/", False), ("a//b", False), ("a b/", False),
    ("a'b", False), ("a\n", False), ("", False),
])
def test_s3_prefixes_refuse_dot_dot_leading_slash_and_odd_characters(prefix, ok):
    assert (pi.s3_prefix(prefix) is None) == ok


@pytest.mark.parametrize("value,ok", [
    (True, True), ("false", True), ("yes", True), (0, True), ("ture", False), ("", False), (2, False), (None, False),
])
def test_booleans_refuse_a_typo_that_bool_would_read_as_false(value, ok):
    assert (pi.boolean(value) is None) == ok


def test_controller_cidrs_refuse_the_world_and_bad_syntax():
    assert pi.controller_cidrs([]) is None
    assert pi.controller_cidrs(["10.20.0.0/24", "192.0.2.7/32"]) is None
    for bad in (["0.0.0.0/0"], ["10.0.0.0/8"], ["10.20.0.1/24"], ["10.400.0.0/24"], "10.0.0.0/24", [7]):
        assert pi.controller_cidrs(bad) is not None, bad


@pytest.mark.parametrize("text,expected", [
    ("2026-11-23T09:00:00", "has no time zone"),
    ("2026-11-23T09:00:00+02:00", "is not in UTC (+02:00)"),
    ("2026-11-23 09:00:00Z", "not an ISO 8601 time"),
    ("2026-02-30T09:00:00Z", "is not a date and time that exists"),
    ("yesterday", "not an ISO 8601 time"),
    ("2026-11-23T09:00Z", "not an ISO 8601 time"),
])
def test_points_are_parsed_strictly_as_utc(text, expected):
    with pytest.raises(pi.PointError, match=expected.replace("(", r"\(").replace(")", r"\)").replace("+", r"\+")):
        pi.parse_utc_point(text)


def test_a_utc_point_parses_with_z_or_zero_offset_and_fractions():
    expected = datetime(2026, 11, 23, 9, 0, 0, 500000, tzinfo=timezone.utc)
    assert pi.parse_utc_point("2026-11-23T09:00:00.5Z") == expected
    assert pi.parse_utc_point("2026-11-23T09:00:00.500000+00:00") == expected


def test_a_point_in_the_future_or_before_the_window_is_refused():
    assert pi.point_problem("latest", NOW, 35, "w") is None
    assert pi.point_problem("2026-12-07T05:59:59Z", NOW, 35, "w") is None
    assert pi.point_problem("2026-12-07T06:00:01Z", NOW, 35, "w") == "is in the future (now 2026-12-07T06:00:00Z)"
    assert pi.point_problem("2026-11-02T06:00:00Z", NOW, 35, "w") is None
    assert pi.point_problem("2026-11-02T05:59:59Z", NOW, 35, "backup.retention_days of prod") == (
        "is before the oldest restorable point 2026-11-02T06:00:00Z (backup.retention_days of prod: 35 days)")
    assert "there is no point in time" in pi.point_problem("2026-12-07T05:00:00Z", NOW, 0, "w")
    assert pi.point_problem("2020-01-01T00:00:00Z", NOW, None, "") is None


def test_input_problems_name_the_variable_the_value_and_the_rule():
    problems = pi.input_problems("refresh_masked", {"refresh_masked_run_id": "../x", "refresh_masked_source": "prod"},
                                 PROD, NOW)
    assert problems == ['refresh_masked_run_id "../x": 1-20 lower case letters and digits (it names databases, '
                        'tables and reports)']


def test_empty_means_not_given_only_where_the_procedure_says_so():
    assert pi.input_problems("restore", {"restore_snapshot": "", "restore_confirm": "", "restore_prefix": ""},
                             PROD, NOW) == []
    assert pi.input_problems("restore", {"restore_id": ""}, PROD, NOW) == [
        'restore_id "": 1-20 lower case letters and digits.']


def test_the_window_of_a_restore_point_follows_the_kind():
    old = "2026-10-20T00:00:00Z"  # 48 days before NOW
    rds = pi.input_problems("restore", {"restore_kind": "rds_pitr", "restore_point": old}, PROD, NOW)
    assert rds == ['restore_point "%s": is before the oldest restorable point 2026-11-02T06:00:00Z '
                   '(backup.retention_days of prod: 35 days)' % old]
    short = dict(PROD, backup={"retention_days": 7})
    assert pi.input_problems("restore", {"restore_kind": "rds_pitr", "restore_point": "2026-11-25T00:00:00Z"},
                             short, NOW)
    dynamodb = pi.input_problems("restore", {"restore_kind": "dynamodb_pitr", "restore_point": old}, PROD, NOW)
    assert dynamodb and "the DynamoDB point-in-time window: 35 days" in dynamodb[0]
    assert pi.input_problems("restore", {"restore_kind": "s3_versions", "restore_point": old}, PROD, NOW) == []
    assert pi.input_problems("dr_drill", {"dr_drill_point": "2027-01-01T00:00:00Z"}, PROD, NOW) == [
        'dr_drill_point "2027-01-01T00:00:00Z": is in the future (now 2026-12-07T06:00:00Z)']


def test_every_variable_of_every_procedure_has_a_rule():
    for procedure, variables in pi.VARIABLES.items():
        for variable, (kind, _empty) in variables.items():
            assert kind == "point" or kind in pi.RULES, (procedure, variable)
    with pytest.raises(ValueError, match="no input rules for procedure 'nosuch'"):
        pi.input_problems("nosuch", {})


INVENTORY = ["dev", "test", "staging", "prod", "dr"]


def test_requested_targets_must_be_named_known_and_left_by_the_limit():
    assert pi.host_problems("refresh_masked", "refresh_targets", ["staging", "test"], INVENTORY, INVENTORY) == []
    assert pi.host_problems("refresh_masked", "refresh_targets", [""], INVENTORY, INVENTORY) == [
        "refresh_targets is empty: name the environments, e.g. -e refresh_targets=dev,test"]
    assert pi.host_problems("refresh_masked", "refresh_targets", ["nosuch", "staging"], INVENTORY, INVENTORY) == [
        "refresh_targets names no environment of the inventory: nosuch (environments: dev, test, staging, prod, dr)"]
    assert pi.host_problems("refresh_masked", "refresh_targets", ["st*"], INVENTORY, INVENTORY)[0].startswith(
        'refresh_targets "st*": each name is an environment name')
    assert pi.host_problems("refresh_masked", "refresh_targets", ["staging"], INVENTORY, ["prod"], "prod") == [
        "--limit prod leaves out staging of refresh_targets: add them to --limit or drop them from refresh_targets"]


def test_a_procedure_on_the_whole_group_needs_one_environment_left():
    assert pi.host_problems("dr_drill", None, None, INVENTORY, ["prod"], "prod") == []
    assert pi.host_problems("dr_drill", None, None, [], ["localhost"]) == [
        "the inventory has no environment (group envops_environments is empty): dr_drill has nothing to act on"]
    assert pi.host_problems("dr_drill", None, None, INVENTORY, ["bastion"], "bastion") == [
        "--limit bastion leaves no environment of the inventory (dev, test, staging, prod, dr): dr_drill has "
        "nothing to act on"]


@pytest.mark.parametrize("value,problem", [
    ("staging,prod", None),
    ("dev,pr-42", None),
    ("", None),  # not given: a plain audit
    ("prod", "two distinct environment names"),
    ("staging,prod,dev", "two distinct environment names"),
    ("staging, prod", "two distinct environment names"),
    ("staging,../prod", "two distinct environment names"),
    ("staging,prod\n", "two distinct environment names"),
    (["staging", "prod"], "two distinct environment names"),
    ("prod,prod", "prod is compared with itself"),
])
def test_audit_compare_is_two_distinct_environment_names(value, problem):
    problems = pi.input_problems("audit", {"audit_compare": value})
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problems[0].startswith("audit_compare %s: " % pi.shown(value))
        assert problem in problems[0]
