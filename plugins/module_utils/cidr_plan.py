# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Derive tier subnets from a VPC CIDR, the tier sizes and the AZ count.

Layout: every tier gets one aligned block of the VPC that has room for
``max_azs`` subnets of the tier's size (rounded up to a power of two).  The
subnet of AZ ``i`` is the ``i``-th subnet of its tier block.  Adding an AZ
therefore only appends subnets: the CIDRs of existing subnets never move,
which is what keeps an existing VPC stable when an environment grows.

Blocks are placed largest first (ties by tier order) so every block stays
aligned without holes; the order depends only on the tier sizes, never on
the AZ count.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

TIER_ORDER = ("public", "app", "db")


class CidrPlanError(ValueError):
    """The tiers do not fit into the VPC; ``field`` names the spec field at fault."""

    def __init__(self, field, message):
        super(CidrPlanError, self).__init__(message)
        self.field = field


def _slots(max_azs):
    """Subnet slots reserved per tier: the next power of two >= max_azs."""
    slots = 1
    while slots < max_azs:
        slots *= 2
    return slots


def tier_blocks(vpc_cidr, tier_prefixes, max_azs):
    """Return ``{tier: IPv4Network}``, the block reserved for each tier."""
    vpc = ipaddress.ip_network(vpc_cidr, strict=True)
    slots = _slots(max_azs)
    slot_bits = slots.bit_length() - 1
    tiers = sorted(tier_prefixes, key=lambda t: (tier_prefixes[t], _tier_rank(t)))

    blocks = {}
    cursor = int(vpc.network_address)
    vpc_end = int(vpc.broadcast_address) + 1
    for tier in tiers:
        prefix = tier_prefixes[tier]
        if prefix <= vpc.prefixlen:
            raise CidrPlanError(
                "network.tiers.%s.prefix" % tier,
                "a /%d %s subnet cannot fit in the /%d VPC %s" % (prefix, tier, vpc.prefixlen, vpc),
            )
        block_prefix = prefix - slot_bits
        if block_prefix < vpc.prefixlen:
            raise CidrPlanError(
                "network.tiers.%s.prefix" % tier,
                "%d %s subnets of /%d (max_azs %d) need a /%d block, larger than the /%d VPC %s"
                % (slots, tier, prefix, max_azs, block_prefix, vpc.prefixlen, vpc),
            )
        size = 2 ** (32 - block_prefix)
        start = -(-cursor // size) * size  # align up to the block size
        if start + size > vpc_end:
            raise CidrPlanError(
                "network.tiers",
                "the tier blocks (%s) need more addresses than the VPC %s holds"
                % (", ".join("%s /%d x %d" % (t, tier_prefixes[t], slots) for t in tiers), vpc),
            )
        blocks[tier] = ipaddress.ip_network((start, block_prefix))
        cursor = start + size
    return blocks


def _tier_rank(tier):
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER)


def plan_subnets(vpc_cidr, tier_prefixes, az_count, max_azs):
    """Return the subnet plan: a list of dicts ``tier, az_index, cidr``.

    Sorted by tier order then AZ index, so the plan itself is deterministic.
    """
    if az_count > max_azs:
        raise CidrPlanError("network.az_count", "az_count %d exceeds max_azs %d" % (az_count, max_azs))
    blocks = tier_blocks(vpc_cidr, tier_prefixes, max_azs)
    plan = []
    for tier in sorted(blocks, key=_tier_rank):
        subnets = blocks[tier].subnets(new_prefix=tier_prefixes[tier])
        for az_index in range(az_count):
            plan.append({"tier": tier, "az_index": az_index, "cidr": str(next(subnets))})
    return plan
