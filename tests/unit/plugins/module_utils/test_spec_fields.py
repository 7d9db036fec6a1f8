# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The field language of the spec: a pattern covers the whole value, null is no value, blank is no name."""
import pytest

from ansible_collections.envops.aws.plugins.module_utils import dynamodb
from ansible_collections.envops.aws.plugins.module_utils import elasticache
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_refresh import run_table_name
from ansible_collections.envops.aws.plugins.module_utils.spec_fields import Field


def check(field, value):
    problems = []
    out = field.check(value, "f", "dev", problems)
    return out, [(p.field, p.rule) for p in problems]


def test_a_pattern_must_cover_the_whole_value_trailing_newline_included():
    # re.match(r"^...$") accepts "me-south-1\n": $ matches before a final newline
    field = Field("str", pattern=r"^[a-z]{2}-[a-z]+-[0-9]$")
    assert check(field, "me-south-1")[1] == []
    assert check(field, "me-south-1\n")[1] == [("f", "pattern")]


def test_null_is_refused_rather_than_read_as_the_default():
    field = Field("dict", fields={"data": Field("dict", default={}, fields={}),
                                  "name": Field("str", required=True)})
    assert check(field, {"name": "x"}) == ({"name": "x", "data": {}}, [])
    assert check(field, {"name": "x", "data": None})[1] == [("f.data", "not_null")]
    assert check(field, {"name": None})[1] == [("f.name", "not_null")]


@pytest.mark.parametrize("value,rules", [("team", []), ("", ["not_blank"]), (" \t ", ["not_blank"]),
                                         ("x" * 257, ["max_length"])])
def test_blank_and_overlong_strings(value, rules):
    field = Field("str", not_blank=True, max_length=256)
    assert [problem[1] for problem in check(field, value)[1]] == rules


@pytest.mark.parametrize("value,rules", [(0.25, []), (0, ["exclusive_minimum"]), (-1, ["exclusive_minimum"])])
def test_an_exclusive_minimum(value, rules):
    assert [problem[1] for problem in check(Field("number", exclusive_minimum=0), value)[1]] == rules


def test_undeclared_keys_of_an_open_mapping_are_checked_too():
    field = Field("dict", extra=Field("str", max_length=3), extra_keys=r"^[a-z]+$", fields={})
    assert check(field, {"ab": "v"}) == ({"ab": "v"}, [])
    assert check(field, {"ab": "long"})[1] == [("f.ab", "max_length")]
    assert check(field, {"a/b": "v"})[1] == [("f.a/b", "pattern")]
    assert check(field, {"ab": None})[1] == [("f.ab", "not_null")]
    assert check(field, {"ab": 3})[1] == [("f.ab", "type")]


# the same whole-value rule in the identifier checks of the data-store modules


def test_a_table_name_with_a_trailing_newline_is_refused():
    assert dynamodb.validate_params({"name": "events", "state": "absent"}) == []
    assert dynamodb.validate_params({"name": "events\n", "state": "absent"}) != []


def test_a_replication_group_id_with_a_trailing_newline_is_refused():
    assert elasticache.validate_params({"replication_group_id": "dev-redis", "state": "absent"}) == []
    assert elasticache.validate_params({"replication_group_id": "dev-redis\n", "state": "absent"}) != []


def test_a_run_id_with_a_trailing_newline_is_refused():
    assert run_table_name("dev-events", "20261207") == "dev-events.r20261207"
    with pytest.raises(ValueError):
        run_table_name("dev-events", "r1\n")
