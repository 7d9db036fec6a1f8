# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the alarms of an environment watch, shaped from what the AWS APIs answered (the ``*_info`` modules).

The shape is the contract of role observability (fact ``observability_resources``): a resource kind the environment
does not have is ``None`` (one resource) or ``[]`` (several), so it gets no alarm.
"""

from ansible_collections.envops.aws.plugins.module_utils import observability_plan as plan


def load_balancer(env_name, load_balancers, target_groups):
    name = plan.alb_name(env_name)
    found = [lb for lb in load_balancers or [] if lb.get("load_balancer_name") == name]
    if not found:
        return None
    # CloudWatch's dimension values: the ARNs after ``:loadbalancer/`` (app/<name>/<id>) and after the account
    # (targetgroup/<name>/<id>)
    arn = found[0]["load_balancer_arn"]
    groups = {}
    for colour in plan.TARGET_COLOURS:
        group_name = plan.target_group_name(env_name, colour)
        for group in target_groups or []:
            if group.get("target_group_name") == group_name:
                groups[colour] = {"name": group_name, "arn_suffix": group["target_group_arn"].split(":", 5)[5]}
    return {"name": name, "arn": arn, "arn_suffix": arn.split(":loadbalancer/", 1)[1], "target_groups": groups}


def database(instances, identifier):
    found = [db for db in instances or [] if db.get("db_instance_identifier") == identifier]
    if not identifier or not found:
        return None
    return {"identifier": identifier, "allocated_storage_gb": int(found[0]["allocated_storage"])}


def cache(clusters, replication_group_id):
    members = sorted(cluster["cache_cluster_id"] for cluster in clusters or []
                     if cluster.get("replication_group_id") == replication_group_id
                     and cluster.get("cache_cluster_status") not in ("deleting", "deleted"))
    if not members:
        return None
    return {"replication_group_id": replication_group_id, "cluster_ids": members}


def nat_gateways(gateways):
    return sorted(gateway["nat_gateway_id"] for gateway in gateways or []
                  if gateway.get("state") in ("pending", "available"))


def resources(env_name, load_balancers=None, target_groups=None, database_instances=None, database_identifier=None,
              tables=None, cache_clusters=None, cache_replication_group_id=None, gateways=None):
    return {
        "load_balancer": load_balancer(env_name, load_balancers, target_groups),
        "database": database(database_instances, database_identifier),
        "tables": sorted(set(tables or [])),
        "cache": cache(cache_clusters, cache_replication_group_id),
        "nat_gateways": nat_gateways(gateways),
    }
