# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the alarms watch, shaped from the info modules' answers; absent kinds are null or empty."""

from ansible_collections.envops.aws.plugins.module_utils import watched_resources

LB_ARN = "arn:aws:elasticloadbalancing:me-south-1:111111111111:loadbalancer/app/envops-prod/50dc6c495c0c9188"
TG = "arn:aws:elasticloadbalancing:me-south-1:111111111111:targetgroup/envops-prod-%s/%s"


def test_every_kind_found():
    found = watched_resources.resources(
        "prod",
        load_balancers=[{"load_balancer_name": "envops-staging", "load_balancer_arn": "x"},
                        {"load_balancer_name": "envops-prod", "load_balancer_arn": LB_ARN}],
        target_groups=[{"target_group_name": "envops-prod-blue", "target_group_arn": TG % ("blue", "1a")},
                       {"target_group_name": "envops-prod-green", "target_group_arn": TG % ("green", "2b")}],
        database_instances=[{"db_instance_identifier": "prod-postgres", "allocated_storage": 200}],
        database_identifier="prod-postgres",
        tables=["prod-b", "prod-a", "prod-a"],
        cache_clusters=[{"cache_cluster_id": "prod-redis-002", "replication_group_id": "prod-redis"},
                        {"cache_cluster_id": "prod-redis-001", "replication_group_id": "prod-redis"},
                        {"cache_cluster_id": "other-001", "replication_group_id": "other"},
                        {"cache_cluster_id": "prod-redis-003", "replication_group_id": "prod-redis",
                         "cache_cluster_status": "deleting"}],
        cache_replication_group_id="prod-redis",
        gateways=[{"nat_gateway_id": "nat-2", "state": "available"}, {"nat_gateway_id": "nat-1", "state": "pending"},
                  {"nat_gateway_id": "nat-0", "state": "deleted"}])
    assert found == {
        "load_balancer": {"name": "envops-prod", "arn": LB_ARN, "arn_suffix": "app/envops-prod/50dc6c495c0c9188",
                          "target_groups": {"blue": {"name": "envops-prod-blue",
                                                     "arn_suffix": "targetgroup/envops-prod-blue/1a"},
                                            "green": {"name": "envops-prod-green",
                                                      "arn_suffix": "targetgroup/envops-prod-green/2b"}}},
        "database": {"identifier": "prod-postgres", "allocated_storage_gb": 200},
        "tables": ["prod-a", "prod-b"],
        "cache": {"replication_group_id": "prod-redis", "cluster_ids": ["prod-redis-001", "prod-redis-002"]},
        "nat_gateways": ["nat-1", "nat-2"],
    }


def test_an_environment_without_them_gets_null_and_empty():
    assert watched_resources.resources("dev", load_balancers=[{"load_balancer_name": "envops-prod",
                                                               "load_balancer_arn": LB_ARN}],
                                       database_identifier="", cache_replication_group_id="dev-redis") == {
        "load_balancer": None, "database": None, "tables": [], "cache": None, "nat_gateways": []}
