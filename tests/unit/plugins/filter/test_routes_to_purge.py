# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.filter.routes_to_purge import FilterModule

routes_to_purge = FilterModule().filters()["routes_to_purge"]
NAT = {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1", "origin": "CreateRoute"}


def test_the_filter_finds_the_table_by_its_tags_and_names_the_undeclared_routes():
    tables = [{"tags": {"Name": "prod-db"}, "routes": [NAT]}, {"tags": {"Name": "prod-app-a"}, "routes": [NAT]}]
    assert routes_to_purge(tables, {"Name": "prod-db"}, []) == [NAT]
    assert routes_to_purge(tables, {"Name": "prod-app-a"}, [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-1"}]) == []


def test_two_tables_with_the_same_tags_are_an_error():
    tables = [{"tags": {"Name": "prod-db"}, "routes": []}] * 2
    with pytest.raises(AnsibleFilterError, match="2 route tables"):
        routes_to_purge(tables, {"Name": "prod-db"}, [])
