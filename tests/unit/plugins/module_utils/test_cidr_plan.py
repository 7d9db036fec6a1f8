# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
import ipaddress

import pytest

from ansible_collections.envops.aws.plugins.module_utils.cidr_plan import CidrPlanError
from ansible_collections.envops.aws.plugins.module_utils.cidr_plan import plan_subnets

TIERS = {"public": 24, "app": 22, "db": 24}


def _by_key(plan):
    return dict(((row["tier"], row["az_index"]), row["cidr"]) for row in plan)


def test_three_tiers_times_az_count():
    plan = plan_subnets("10.40.0.0/16", TIERS, 3, 4)
    assert len(plan) == 9
    assert [row["tier"] for row in plan] == ["public"] * 3 + ["app"] * 3 + ["db"] * 3
    assert _by_key(plan)[("app", 0)] == "10.40.0.0/22"
    assert _by_key(plan)[("public", 2)] == "10.40.18.0/24"


def test_subnets_inside_vpc_sized_per_tier_and_disjoint():
    plan = plan_subnets("10.40.0.0/16", TIERS, 4, 4)
    vpc = ipaddress.ip_network("10.40.0.0/16")
    nets = [ipaddress.ip_network(row["cidr"]) for row in plan]
    assert all(net.subnet_of(vpc) for net in nets)
    assert all(net.prefixlen == TIERS[row["tier"]] for net, row in zip(nets, plan))
    for i, a in enumerate(nets):
        for b in nets[i + 1:]:
            assert not a.overlaps(b), (a, b)


def test_deterministic():
    assert plan_subnets("10.10.0.0/16", TIERS, 2, 4) == plan_subnets("10.10.0.0/16", TIERS, 2, 4)


@pytest.mark.parametrize("before,after", [(1, 2), (2, 3), (3, 4), (1, 4)])
def test_adding_an_az_never_moves_existing_subnets(before, after):
    old = _by_key(plan_subnets("10.40.0.0/16", TIERS, before, 4))
    new = _by_key(plan_subnets("10.40.0.0/16", TIERS, after, 4))
    assert all(new[key] == cidr for key, cidr in old.items())
    assert len(new) - len(old) == 3 * (after - before)


def test_tier_order_in_dict_does_not_matter():
    reordered = {"db": 24, "public": 24, "app": 22}
    assert plan_subnets("10.40.0.0/16", reordered, 3, 4) == plan_subnets("10.40.0.0/16", TIERS, 3, 4)


def test_tiers_that_do_not_fit_name_the_field():
    with pytest.raises(CidrPlanError) as err:
        plan_subnets("10.40.0.0/20", TIERS, 2, 4)
    assert err.value.field.startswith("network.tiers")


def test_subnet_larger_than_vpc_is_refused():
    with pytest.raises(CidrPlanError) as err:
        plan_subnets("10.40.0.0/24", {"public": 22, "app": 26, "db": 26}, 1, 1)
    assert err.value.field == "network.tiers.public.prefix"


def test_az_count_above_reserved_slots_is_refused():
    with pytest.raises(CidrPlanError) as err:
        plan_subnets("10.40.0.0/16", TIERS, 5, 4)
    assert err.value.field == "network.az_count"


def test_small_vpc_with_small_tiers():
    plan = plan_subnets("192.168.8.0/24", {"public": 28, "app": 27, "db": 28}, 2, 2)
    assert _by_key(plan) == {
        ("app", 0): "192.168.8.0/27", ("app", 1): "192.168.8.32/27",
        ("public", 0): "192.168.8.64/28", ("public", 1): "192.168.8.80/28",
        ("db", 0): "192.168.8.96/28", ("db", 1): "192.168.8.112/28",
    }
