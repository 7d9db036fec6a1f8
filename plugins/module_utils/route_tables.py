# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which routes of a route table a run of amazon.aws.ec2_vpc_route_table with ``purge_routes`` would remove.

A gateway endpoint (S3) puts a prefix-list route into every route table it is attached to. ec2_vpc_route_table can
neither declare such a route nor remove it, and when asked to purge it warns about it on every run. So the route
tables ask to purge only when there is something to remove: a route of the table made by CreateRoute, with an IPv4
destination that none of the declared routes has (a declared destination with another target is replaced, not
purged). The local route (CreateRouteTable), propagated routes and prefix-list routes are never purged.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def find_table(tables, tags):
    """The route table among ``tables`` (ec2_vpc_route_table_info's route_tables) that carries all of ``tags``, as
    ec2_vpc_route_table finds it (None: not created yet)."""
    matches = [table for table in tables
               if all((table.get("tags") or {}).get(key) == value for key, value in tags.items())]
    if len(matches) > 1:
        raise ValueError("%d route tables carry the tags %s" % (len(matches), tags))
    return matches[0] if matches else None


def routes_to_purge(table, declared):
    """The routes of ``table`` (None: not created yet) a purge would remove, given the ``declared`` routes
    (ec2_vpc_route_table's ``routes`` option: dicts with ``dest``)."""
    if table is None:
        return []
    declared_destinations = set(route["dest"] for route in declared)
    return [route for route in table.get("routes") or []
            if route.get("origin") == "CreateRoute" and route.get("destination_cidr_block")
            and route["destination_cidr_block"] not in declared_destinations]
