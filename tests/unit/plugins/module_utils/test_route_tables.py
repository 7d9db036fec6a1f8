# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils.route_tables import find_table
from ansible_collections.envops.aws.plugins.module_utils.route_tables import routes_to_purge

# Routes as amazon.aws.ec2_vpc_route_table_info returns them (AWS's shapes, snake_case)
LOCAL = {"destination_cidr_block": "10.40.0.0/16", "gateway_id": "local", "origin": "CreateRouteTable"}
ENDPOINT = {"destination_prefix_list_id": "pl-6ea54007", "destination_cidr_block": None, "gateway_id": "vpce-1",
            "origin": "CreateRoute"}
NAT = {"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1", "origin": "CreateRoute"}
STRAY = {"destination_cidr_block": "192.168.0.0/16", "gateway_id": "igw-1", "origin": "CreateRoute"}
PROPAGATED = {"destination_cidr_block": "172.16.0.0/12", "gateway_id": "vgw-1", "origin": "EnableVgwRoutePropagation"}
IPV6 = {"destination_ipv6_cidr_block": "::/0", "destination_cidr_block": None, "gateway_id": "igw-1",
        "origin": "CreateRoute"}


def table(name, *routes, **tags):
    return {"tags": dict(tags, Name=name, env="prod"), "routes": list(routes)}


def test_a_converged_private_table_has_nothing_to_purge_whatever_its_endpoint_routes():
    app = table("prod-app-a", LOCAL, NAT, ENDPOINT)
    assert routes_to_purge(app, [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-1"}]) == []
    assert routes_to_purge(table("prod-db", LOCAL, ENDPOINT), []) == []


def test_an_undeclared_ipv4_route_is_purged_and_nothing_else():
    assert routes_to_purge(table("prod-db", LOCAL, ENDPOINT, NAT, PROPAGATED, IPV6), []) == [NAT]
    assert routes_to_purge(table("prod-app-a", LOCAL, NAT, STRAY, ENDPOINT), [{"dest": "0.0.0.0/0"}]) == [STRAY]


def test_a_declared_destination_with_another_target_is_replaced_not_purged():
    assert routes_to_purge(table("prod-app-a", NAT), [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-2"}]) == []


def test_a_table_not_created_yet_has_nothing_to_purge():
    assert routes_to_purge(None, []) == []
    assert find_table([table("prod-db", LOCAL)], {"Name": "prod-public"}) is None


def test_the_table_is_found_by_all_its_tags_as_the_module_finds_it():
    db, other_env = table("prod-db", LOCAL), dict(table("prod-db", LOCAL), tags={"Name": "prod-db", "env": "dev"})
    assert find_table([other_env, db], {"Name": "prod-db", "env": "prod"}) is db
    with pytest.raises(ValueError, match="2 route tables carry the tags"):
        find_table([other_env, db], {"Name": "prod-db"})
