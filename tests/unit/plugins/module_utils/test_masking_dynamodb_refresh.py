# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_refresh import family_leftovers
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_refresh import run_table_name

TABLES = ["staging-user-activity", "staging-user-activity.r1", "staging-user-activity.r2",
          "staging-user-activity-archive", "staging-product-feeds", "test-user-activity"]


def test_run_table_name():
    assert run_table_name("staging-user-activity", "20261123101500") == "staging-user-activity.r20261123101500"


@pytest.mark.parametrize("base,run_id", [
    ("staging-user-activity", ""),
    ("staging-user-activity", "a b"),
    ("staging-user-activity", "x" * 65),
    ("staging-user-activity.r1", "2"),  # a run copy is never a base
    ("x" * 250, "123456"),  # over DynamoDB's 255 characters
    ("bad/name", "1"),
])
def test_run_table_name_refuses_what_dynamodb_or_the_family_would_not_take(base, run_id):
    with pytest.raises(ValueError):
        run_table_name(base, run_id)


def test_after_a_switch_the_base_and_older_runs_are_leftovers():
    assert family_leftovers(TABLES, "staging-user-activity", "staging-user-activity.r2") == [
        "staging-user-activity", "staging-user-activity.r1"]


def test_the_live_table_is_never_a_leftover_and_other_families_are_left_alone():
    assert family_leftovers(TABLES, "staging-user-activity", "staging-user-activity") == [
        "staging-user-activity.r1", "staging-user-activity.r2"]
    assert family_leftovers(TABLES, "staging-product-feeds", "staging-product-feeds") == []


def test_a_half_copy_of_this_run_is_a_leftover_but_a_switched_one_is_not():
    assert "staging-user-activity.r1" in family_leftovers(TABLES, "staging-user-activity", "staging-user-activity",
                                                          "staging-user-activity.r1")
    assert "staging-user-activity.r1" not in family_leftovers(TABLES, "staging-user-activity",
                                                              "staging-user-activity.r1", "staging-user-activity.r1")


def test_without_a_live_table_the_whole_family_is_leftover():
    assert family_leftovers(TABLES, "staging-user-activity", None) == [
        "staging-user-activity", "staging-user-activity.r1", "staging-user-activity.r2"]
