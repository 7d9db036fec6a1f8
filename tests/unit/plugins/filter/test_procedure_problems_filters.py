# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.filter.procedure_host_problems import procedure_host_problems
from ansible_collections.envops.aws.plugins.filter.procedure_input_problems import procedure_input_problems


def test_input_problems_of_a_drill_name_variable_value_and_rule():
    assert procedure_input_problems({"dr_drill_id": "x-1", "dr_drill_s3_prefix": ""}, "dr_drill", {"name": "prod"}) == [
        'dr_drill_id "x-1": 1-32 letters and digits (it names the drill\'s databases, instances and tables)']


def test_an_unknown_procedure_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="no input rules for procedure 'provision'"):
        procedure_input_problems({}, "provision")


def test_host_problems_take_the_inventory_as_input():
    assert procedure_host_problems(["prod"], "restore", None, None, ["prod", "localhost"]) == []
    assert procedure_host_problems([], "restore", None, None, ["localhost"]) == [
        "the inventory has no environment (group envops_environments is empty): restore has nothing to act on"]
    assert procedure_host_problems(["prod", "staging"], "refresh_masked", "refresh_targets", ("nosuch",),
                                   ["prod", "staging"]) == [
        "refresh_targets names no environment of the inventory: nosuch (environments: prod, staging)"]
