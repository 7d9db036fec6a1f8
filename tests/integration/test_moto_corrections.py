"""Each moto correction, shown through boto3 against our moto server, and the version pin."""

import json
import sys
import threading
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))  # tools/ is a source tree, not an installed package

from tools.stack.moto_corrections import (  # noqa: E402
    CORRECTIONS,
    UnpinnedMotoError,
    apply_corrections,
    check_pinned,
    installed_moto_version,
)
from tools.local_inventory import fresh_account_id  # noqa: E402

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def moto_url(private_moto):
    """A moto server of our own, so these checks leave the main stack's data alone."""
    return private_moto


@pytest.fixture
def ec2(moto_url):
    return boto3.client(
        "ec2",
        region_name=REGION,
        endpoint_url=moto_url,
        aws_access_key_id="100000000007",
        aws_secret_access_key="local",
    )


def tags_of_type(ec2, resource_type, resource_id):
    filters = [
        {"Name": "resource-type", "Values": [resource_type]},
        {"Name": "resource-id", "Values": [resource_id]},
    ]
    return ec2.describe_tags(Filters=filters)["Tags"]


def name_tag(resource_type, name):
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


def test_nat_gateway_tags_have_resource_type_natgateway(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    allocation_id = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat_id = ec2.create_nat_gateway(
        SubnetId=subnet_id, AllocationId=allocation_id, TagSpecifications=name_tag("natgateway", "nat-a")
    )["NatGateway"]["NatGatewayId"]

    assert tags_of_type(ec2, "natgateway", nat_id) == [
        {"Key": "Name", "ResourceId": nat_id, "ResourceType": "natgateway", "Value": "nat-a"}
    ]
    assert tags_of_type(ec2, "nat-gateway", nat_id) == []


def test_elastic_ip_tags_have_resource_type_elastic_ip(ec2):
    allocation_id = ec2.allocate_address(Domain="vpc", TagSpecifications=name_tag("elastic-ip", "eip-a"))[
        "AllocationId"
    ]

    assert tags_of_type(ec2, "elastic-ip", allocation_id) == [
        {"Key": "Name", "ResourceId": allocation_id, "ResourceType": "elastic-ip", "Value": "eip-a"}
    ]
    assert tags_of_type(ec2, "vpc-elastic-ip", allocation_id) == []


PROD_REGION = "me-south-1"
DR_REGION = "eu-central-1"


@pytest.fixture
def aws(moto_url):
    """boto3 clients of a fresh account (moto creates it on first use): aws(service, region)."""
    account = fresh_account_id(4)

    def client(service, region):
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=moto_url,
            aws_access_key_id=account,
            aws_secret_access_key="local-moto-not-a-secret",
        )

    return client


def create_db_instance(rds, identifier, kms_key_id=None, retention=35):
    encryption = {"StorageEncrypted": True, "KmsKeyId": kms_key_id} if kms_key_id else {}
    return rds.create_db_instance(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        EngineVersion="16.4",
        AllocatedStorage=20,
        MasterUsername="admin_user",
        MasterUserPassword="not-a-real-password-1",
        BackupRetentionPeriod=retention,
        **encryption,
    )["DBInstance"]


def error_code(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_rds_automated_backups_replication_start_describe_stop(aws):
    prod, dr = aws("rds", PROD_REGION), aws("rds", DR_REGION)
    prod_key = aws("kms", PROD_REGION).create_key()["KeyMetadata"]["Arn"]
    dr_key = aws("kms", DR_REGION).create_key()["KeyMetadata"]["Arn"]
    source = create_db_instance(prod, "orders", kms_key_id=prod_key)
    assert "DBInstanceAutomatedBackupsReplications" not in source

    started = dr.start_db_instance_automated_backups_replication(
        SourceDBInstanceArn=source["DBInstanceArn"], KmsKeyId=dr_key, BackupRetentionPeriod=14
    )["DBInstanceAutomatedBackup"]
    arn = started["DBInstanceAutomatedBackupsArn"]
    account = source["DBInstanceArn"].split(":")[4]
    assert arn.startswith(f"arn:aws:rds:{DR_REGION}:{account}:auto-backup:ab-")
    assert started["Status"] == "pending"
    expected = {
        "DBInstanceArn": source["DBInstanceArn"],
        "DbiResourceId": source["DbiResourceId"],
        "Region": PROD_REGION,
        "DBInstanceIdentifier": "orders",
        "Encrypted": True,
        "KmsKeyId": dr_key,
        "BackupRetentionPeriod": 14,
        "Engine": "postgres",
        "EngineVersion": "16.4",
        "AllocatedStorage": 20,
    }
    assert {key: started[key] for key in expected} == expected

    (by_arn,) = dr.describe_db_instance_automated_backups(DBInstanceAutomatedBackupsArn=arn)[
        "DBInstanceAutomatedBackups"
    ]
    assert by_arn["Status"] == "replicating"
    assert {key: by_arn[key] for key in expected} == expected
    by_resource_id = dr.describe_db_instance_automated_backups(DbiResourceId=source["DbiResourceId"])
    assert [item["DBInstanceAutomatedBackupsArn"] for item in by_resource_id["DBInstanceAutomatedBackups"]] == [arn]
    (listed,) = prod.describe_db_instances(DBInstanceIdentifier="orders")["DBInstances"]
    assert listed["DBInstanceAutomatedBackupsReplications"] == [{"DBInstanceAutomatedBackupsArn": arn}]
    # The source Region's own automated backups are unchanged: moto's, without the replicated one.
    local = prod.describe_db_instance_automated_backups()["DBInstanceAutomatedBackups"]
    assert [(item["DBInstanceIdentifier"], item["Status"]) for item in local] == [("orders", "active")]

    stopped = dr.stop_db_instance_automated_backups_replication(SourceDBInstanceArn=source["DBInstanceArn"])
    assert stopped["DBInstanceAutomatedBackup"]["DBInstanceAutomatedBackupsArn"] == arn
    (retained,) = dr.describe_db_instance_automated_backups(Filters=[{"Name": "status", "Values": ["retained"]}])[
        "DBInstanceAutomatedBackups"
    ]
    assert (retained["DBInstanceAutomatedBackupsArn"], retained["Status"]) == (arn, "retained")
    (listed,) = prod.describe_db_instances(DBInstanceIdentifier="orders")["DBInstances"]
    assert "DBInstanceAutomatedBackupsReplications" not in listed

    restarted = dr.start_db_instance_automated_backups_replication(
        SourceDBInstanceArn=source["DBInstanceArn"], KmsKeyId=dr_key, BackupRetentionPeriod=21
    )["DBInstanceAutomatedBackup"]
    (again,) = dr.describe_db_instance_automated_backups(
        DBInstanceAutomatedBackupsArn=restarted["DBInstanceAutomatedBackupsArn"]
    )["DBInstanceAutomatedBackups"]
    assert (again["Status"], again["BackupRetentionPeriod"]) == ("replicating", 21)


def test_rds_automated_backups_replication_of_an_unencrypted_source(aws):
    prod, dr = aws("rds", PROD_REGION), aws("rds", DR_REGION)
    source = create_db_instance(prod, "reports", retention=7)
    started = dr.start_db_instance_automated_backups_replication(SourceDBInstanceArn=source["DBInstanceArn"])[
        "DBInstanceAutomatedBackup"
    ]
    assert (started["Encrypted"], started.get("KmsKeyId"), started["BackupRetentionPeriod"]) == (False, None, 7)


def test_rds_automated_backups_replication_errors(aws):
    prod, dr = aws("rds", PROD_REGION), aws("rds", DR_REGION)
    prod_key = aws("kms", PROD_REGION).create_key()["KeyMetadata"]["Arn"]
    dr_key = aws("kms", DR_REGION).create_key()["KeyMetadata"]["Arn"]
    source_arn = create_db_instance(prod, "orders", kms_key_id=prod_key)["DBInstanceArn"]
    no_backups_arn = create_db_instance(prod, "scratch", retention=0)["DBInstanceArn"]
    start = dr.start_db_instance_automated_backups_replication
    stop = dr.stop_db_instance_automated_backups_replication

    assert error_code(start, SourceDBInstanceArn=source_arn.replace("orders", "missing")) == ("DBInstanceNotFound", 404)
    assert error_code(stop, SourceDBInstanceArn=source_arn.replace("orders", "missing")) == ("DBInstanceNotFound", 404)
    assert error_code(start, SourceDBInstanceArn=no_backups_arn) == ("InvalidDBInstanceState", 400)
    assert error_code(start, SourceDBInstanceArn=source_arn) == ("InvalidParameterCombination", 400)
    assert error_code(start, SourceDBInstanceArn=source_arn, KmsKeyId=prod_key) == ("KMSKeyNotAccessibleFault", 400)
    assert error_code(start, SourceDBInstanceArn=source_arn, KmsKeyId=dr_key, BackupRetentionPeriod=36) == (
        "InvalidParameterValue",
        400,
    )
    assert error_code(prod.start_db_instance_automated_backups_replication, SourceDBInstanceArn=source_arn) == (
        "InvalidParameterValue",
        400,
    )
    assert error_code(stop, SourceDBInstanceArn=source_arn) == ("InvalidDBInstanceState", 400)
    missing_arn = f"arn:aws:rds:{DR_REGION}:{source_arn.split(':')[4]}:auto-backup:ab-missing"
    assert error_code(dr.describe_db_instance_automated_backups, DBInstanceAutomatedBackupsArn=missing_arn) == (
        "DBInstanceAutomatedBackupNotFound",
        404,
    )

    start(SourceDBInstanceArn=source_arn, KmsKeyId=dr_key)
    assert error_code(start, SourceDBInstanceArn=source_arn, KmsKeyId=dr_key) == (
        "DBInstanceAutomatedBackupQuotaExceeded",
        400,
    )


def test_s3_replication_reads_back_as_put(moto_url):
    account = fresh_account_id()
    for name, region in (("src-bucket-repl", "me-south-1"), ("dst-bucket-repl", "eu-central-1")):
        s3 = boto3.client("s3", endpoint_url=moto_url, region_name=region, aws_access_key_id=account,
                          aws_secret_access_key="x")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3 = boto3.client("s3", endpoint_url=moto_url, region_name="me-south-1", aws_access_key_id=account,
                      aws_secret_access_key="x")
    rule = {
        "ID": "dr", "Priority": 3, "Status": "Enabled", "Filter": {"Prefix": "docs/"},
        "DeleteMarkerReplication": {"Status": "Enabled"},
        "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
        "Destination": {"Bucket": "arn:aws:s3:::dst-bucket-repl",
                        "EncryptionConfiguration": {"ReplicaKmsKeyID": "arn:aws:kms:eu-central-1:%s:key/k" % account}},
    }
    s3.put_bucket_replication(Bucket="src-bucket-repl", ReplicationConfiguration={
        "Role": "arn:aws:iam::%s:role/repl" % account, "Rules": [rule]})

    stored = s3.get_bucket_replication(Bucket="src-bucket-repl")["ReplicationConfiguration"]["Rules"][0]

    assert stored["Filter"] == {"Prefix": "docs/"}
    assert stored["DeleteMarkerReplication"] == {"Status": "Enabled"}
    assert stored["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    assert stored["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"].endswith(":key/k")
    assert stored["Priority"] == 3


CACHE_REGION = "me-south-1"


@pytest.fixture
def cache(aws):
    """ElastiCache of a fresh account, with a VPC of two subnets (AZs a and b) and the cache subnet group 'cache'."""
    ec2 = aws("ec2", CACHE_REGION)
    vpc_id = ec2.create_vpc(CidrBlock="10.62.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.62.{i}.0/24", AvailabilityZone=f"{CACHE_REGION}{zone}")[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    elasticache = aws("elasticache", CACHE_REGION)
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName="cache", CacheSubnetGroupDescription="cache subnets", SubnetIds=subnet_ids
    )
    default_sg = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    elasticache.default_security_group_id = default_sg
    return elasticache


def create_group(elasticache, group_id, replicas=1, **params):
    params.setdefault("CacheSubnetGroupName", "cache")
    return elasticache.create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="sessions",
        Engine="redis",
        CacheNodeType="cache.t4g.small",
        NumNodeGroups=1,
        ReplicasPerNodeGroup=replicas,
        **params,
    )["ReplicationGroup"]


def cache_cluster(elasticache, cluster_id):
    (cluster,) = elasticache.describe_cache_clusters(CacheClusterId=cluster_id)["CacheClusters"]
    return cluster


def describe_group(elasticache, group_id):
    (group,) = elasticache.describe_replication_groups(ReplicationGroupId=group_id)["ReplicationGroups"]
    return group


def members_of(group):
    return [(member["CacheClusterId"], member["PreferredAvailabilityZone"])
            for node_group in group["NodeGroups"] for member in node_group["NodeGroupMembers"]]


def test_elasticache_member_clusters_exist_with_the_group_settings(cache):
    group = create_group(cache, "sessions", replicas=1, Tags=[{"Key": "env", "Value": "it"}])
    assert members_of(group) == [("sessions-001", f"{CACHE_REGION}a"), ("sessions-002", f"{CACHE_REGION}b")]

    for cluster_id, zone in members_of(group):
        cluster = cache_cluster(cache, cluster_id)
        # What AWS picks when the caller gives none: the newest engine, its default parameter group,
        # the VPC's default security group, a maintenance window.
        assert {key: cluster[key] for key in ("ReplicationGroupId", "CacheNodeType", "Engine", "EngineVersion",
                                              "CacheSubnetGroupName", "PreferredAvailabilityZone",
                                              "CacheClusterStatus")} == {
            "ReplicationGroupId": "sessions", "CacheNodeType": "cache.t4g.small", "Engine": "redis",
            "EngineVersion": "7.1.0", "CacheSubnetGroupName": "cache", "PreferredAvailabilityZone": zone,
            "CacheClusterStatus": "available",
        }
        assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
        assert cluster["SecurityGroups"] == [{"SecurityGroupId": cache.default_security_group_id, "Status": "active"}]
        assert cluster["PreferredMaintenanceWindow"]

    given = create_group(
        cache, "given", replicas=0, EngineVersion="6.2", CacheParameterGroupName="custom6",
        SecurityGroupIds=["sg-0123456789abcdef0"], PreferredMaintenanceWindow="tue:03:00-tue:04:00",
        AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True, AuthToken="It-auth-token-0123456789",
    )
    assert given["MemberClusters"] == ["given-001"]
    cluster = cache_cluster(cache, "given-001")
    assert (cluster["EngineVersion"], cluster["CacheParameterGroup"]["CacheParameterGroupName"],
            [sg["SecurityGroupId"] for sg in cluster["SecurityGroups"]], cluster["PreferredMaintenanceWindow"]) == (
        "6.2", "custom6", ["sg-0123456789abcdef0"], "tue:03:00-tue:04:00")
    assert (cluster["AtRestEncryptionEnabled"], cluster["TransitEncryptionEnabled"], cluster["AuthTokenEnabled"]) == (
        True, True, True)

    sharded = cache.create_replication_group(
        ReplicationGroupId="sharded", ReplicationGroupDescription="sharded", Engine="redis",
        CacheNodeType="cache.t4g.small", NumNodeGroups=2, ReplicasPerNodeGroup=1, ClusterMode="enabled",
        AutomaticFailoverEnabled=True, CacheSubnetGroupName="cache",
    )["ReplicationGroup"]
    assert sharded["MemberClusters"] == ["sharded-0001-001", "sharded-0001-002", "sharded-0002-001", "sharded-0002-002"]
    cluster = cache_cluster(cache, "sharded-0002-002")
    assert cluster["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7.cluster.on"
    assert cluster["PreferredAvailabilityZone"].startswith(CACHE_REGION)


def test_elasticache_deleted_group_goes_away_after_a_final_snapshot(cache):
    group = create_group(cache, "sessions", replicas=1, Tags=[{"Key": "env", "Value": "it"}],
                         SnapshotWindow="03:00-04:00")
    cache.create_snapshot(ReplicationGroupId="sessions", SnapshotName="taken")
    assert error_code(cache.delete_replication_group, ReplicationGroupId="sessions",
                      FinalSnapshotIdentifier="taken") == ("SnapshotAlreadyExistsFault", 400)
    assert describe_group(cache, "sessions")["Status"] == "available"

    deleted = cache.delete_replication_group(ReplicationGroupId="sessions", FinalSnapshotIdentifier="sessions-final")
    assert deleted["ReplicationGroup"]["Status"] == "deleting"
    (snapshot,) = cache.describe_snapshots(SnapshotName="sessions-final")["Snapshots"]
    assert (snapshot["ReplicationGroupId"], snapshot["SnapshotSource"], snapshot["SnapshotWindow"]) == (
        "sessions", "manual", "03:00-04:00")
    assert error_code(cache.delete_replication_group, ReplicationGroupId="sessions") == (
        "InvalidReplicationGroupState", 400)
    # Until the deletion is over, the id is still taken.
    assert error_code(create_group, elasticache=cache, group_id="sessions") == ("ReplicationGroupAlreadyExists", 400)

    assert describe_group(cache, "sessions")["Status"] == "deleting"
    assert cache_cluster(cache, "sessions-002")["CacheClusterStatus"] == "deleting"
    assert error_code(cache.describe_replication_groups, ReplicationGroupId="sessions") == (
        "ReplicationGroupNotFoundFault", 404)
    assert error_code(cache.describe_cache_clusters, CacheClusterId="sessions-001") == ("CacheClusterNotFound", 404)
    assert "sessions" not in [g["ReplicationGroupId"] for g in cache.describe_replication_groups()["ReplicationGroups"]]

    again = create_group(cache, "sessions", replicas=0)
    assert again["ARN"] == group["ARN"]
    assert cache.list_tags_for_resource(ResourceName=again["ARN"])["TagList"] == []  # not the deleted group's
    assert [c["CacheClusterId"] for c in cache.describe_cache_clusters()["CacheClusters"]] == ["sessions-001"]


def test_elasticache_replication_group_deleted_waiter_succeeds(cache):
    create_group(cache, "sessions")
    cache.delete_replication_group(ReplicationGroupId="sessions")
    cache.get_waiter("replication_group_deleted").wait(
        ReplicationGroupId="sessions", WaiterConfig={"Delay": 1, "MaxAttempts": 5}
    )
    create_group(cache, "sessions")


def test_elasticache_delete_retaining_the_primary_cluster(cache):
    create_group(cache, "sessions", replicas=1)
    cache.delete_replication_group(ReplicationGroupId="sessions", RetainPrimaryCluster=True)
    assert describe_group(cache, "sessions")["Status"] == "deleting"
    assert error_code(cache.describe_replication_groups, ReplicationGroupId="sessions")[0] == (
        "ReplicationGroupNotFoundFault")
    (retained,) = cache.describe_cache_clusters()["CacheClusters"]
    assert retained["CacheClusterId"] == "sessions-001"
    assert "ReplicationGroupId" not in retained


def test_elasticache_modify_replication_group_applies_windows_security_groups_parameters_and_engine(cache):
    create_group(cache, "sessions", replicas=1, EngineVersion="7.0", SnapshotWindow="03:00-04:00")
    modified = cache.modify_replication_group(
        ReplicationGroupId="sessions", SnapshotWindow="05:00-06:00", PreferredMaintenanceWindow="sat:01:00-sat:02:00",
        SecurityGroupIds=["sg-0123456789abcdef0", "sg-0fedcba9876543210"], CacheParameterGroupName="custom7",
        EngineVersion="7.1", ApplyImmediately=False,
    )["ReplicationGroup"]
    assert modified["SnapshotWindow"] == "05:00-06:00"
    assert describe_group(cache, "sessions")["SnapshotWindow"] == "05:00-06:00"
    for cluster_id in ("sessions-001", "sessions-002"):
        cluster = cache_cluster(cache, cluster_id)
        assert (cluster["SnapshotWindow"], cluster["PreferredMaintenanceWindow"], cluster["EngineVersion"],
                cluster["CacheParameterGroup"]["CacheParameterGroupName"]) == (
            "05:00-06:00", "sat:01:00-sat:02:00", "7.1", "custom7")
        assert [sg["SecurityGroupId"] for sg in cluster["SecurityGroups"]] == [
            "sg-0123456789abcdef0", "sg-0fedcba9876543210"]

    # Parameters not given are left as they are.
    cache.modify_replication_group(ReplicationGroupId="sessions", SnapshotRetentionLimit=3, ApplyImmediately=True)
    assert describe_group(cache, "sessions")["SnapshotWindow"] == "05:00-06:00"
    assert cache_cluster(cache, "sessions-001")["EngineVersion"] == "7.1"
    assert error_code(cache.modify_replication_group, ReplicationGroupId="sessions", EngineVersion="6.2",
                      ApplyImmediately=True) == ("InvalidParameterCombination", 400)
    cache.modify_replication_group(ReplicationGroupId="sessions", EngineVersion="7.1.0", ApplyImmediately=True)
    cache.delete_replication_group(ReplicationGroupId="sessions")
    assert error_code(cache.modify_replication_group, ReplicationGroupId="sessions", SnapshotWindow="07:00-08:00",
                      ApplyImmediately=True) == ("InvalidReplicationGroupState", 400)


def test_elasticache_increase_and_decrease_replica_count(cache):
    create_group(cache, "sessions", replicas=1, AutomaticFailoverEnabled=True, MultiAZEnabled=True)

    increased = cache.increase_replica_count(ReplicationGroupId="sessions", NewReplicaCount=3, ApplyImmediately=True)
    group = increased["ReplicationGroup"]
    assert group["MemberClusters"] == ["sessions-001", "sessions-002", "sessions-003", "sessions-004"]
    assert [member.get("CurrentRole") for member in group["NodeGroups"][0]["NodeGroupMembers"]] == [
        "primary", "replica", "replica", "replica"]
    assert cache_cluster(cache, "sessions-004")["ReplicationGroupId"] == "sessions"
    assert group["NodeGroups"][0]["NodeGroupMembers"][3]["ReadEndpoint"]["Port"] == 6379

    decreased = cache.decrease_replica_count(ReplicationGroupId="sessions", ReplicasToRemove=["sessions-002"],
                                             ApplyImmediately=True)
    assert decreased["ReplicationGroup"]["MemberClusters"] == ["sessions-001", "sessions-003", "sessions-004"]
    assert error_code(cache.describe_cache_clusters, CacheClusterId="sessions-002") == ("CacheClusterNotFound", 404)
    decreased = cache.decrease_replica_count(ReplicationGroupId="sessions", NewReplicaCount=1, ApplyImmediately=True)
    assert describe_group(cache, "sessions")["MemberClusters"] == ["sessions-001", "sessions-003"]
    assert [c["CacheClusterId"] for c in cache.describe_cache_clusters()["CacheClusters"]] == [
        "sessions-001", "sessions-003"]

    increase, decrease = cache.increase_replica_count, cache.decrease_replica_count
    assert error_code(decrease, ReplicationGroupId="sessions", NewReplicaCount=0, ApplyImmediately=True) == (
        "InvalidParameterCombination", 400)  # Multi-AZ keeps a replica
    assert error_code(decrease, ReplicationGroupId="sessions", ReplicasToRemove=["sessions-001"],
                      ApplyImmediately=True) == ("InvalidParameterValue", 400)  # the primary
    assert error_code(increase, ReplicationGroupId="sessions", NewReplicaCount=6, ApplyImmediately=True) == (
        "InvalidParameterValue", 400)
    assert error_code(increase, ReplicationGroupId="sessions", NewReplicaCount=1, ApplyImmediately=True) == (
        "InvalidParameterValue", 400)
    assert error_code(increase, ReplicationGroupId="sessions", NewReplicaCount=2, ApplyImmediately=False) == (
        "InvalidParameterValue", 400)
    assert error_code(increase, ReplicationGroupId="missing", NewReplicaCount=2, ApplyImmediately=True) == (
        "ReplicationGroupNotFoundFault", 404)

    by_shard = increase(ReplicationGroupId="sessions", ApplyImmediately=True, ReplicaConfiguration=[
        {"NodeGroupId": "0001", "NewReplicaCount": 2,
         "PreferredAvailabilityZones": [f"{CACHE_REGION}a", f"{CACHE_REGION}b", f"{CACHE_REGION}b"]}])
    assert members_of(by_shard["ReplicationGroup"])[-1] == ("sessions-004", f"{CACHE_REGION}b")

    create_group(cache, "single", replicas=1)
    decrease(ReplicationGroupId="single", NewReplicaCount=0, ApplyImmediately=True)
    assert describe_group(cache, "single")["MemberClusters"] == ["single-001"]


def test_elasticache_delete_cache_subnet_group(cache):
    assert error_code(cache.delete_cache_subnet_group, CacheSubnetGroupName="nothing") == (
        "CacheSubnetGroupNotFoundFault", 400)
    (subnet_group,) = cache.describe_cache_subnet_groups(CacheSubnetGroupName="cache")["CacheSubnetGroups"]
    subnet_ids = [subnet["SubnetIdentifier"] for subnet in subnet_group["Subnets"]]

    create_group(cache, "sessions")
    assert error_code(cache.delete_cache_subnet_group, CacheSubnetGroupName="cache") == ("CacheSubnetGroupInUse", 400)
    cache.delete_replication_group(ReplicationGroupId="sessions")
    # A group being deleted still uses it; once it is gone the subnet group can go.
    assert error_code(cache.delete_cache_subnet_group, CacheSubnetGroupName="cache") == ("CacheSubnetGroupInUse", 400)
    cache.get_waiter("replication_group_deleted").wait(
        ReplicationGroupId="sessions", WaiterConfig={"Delay": 1, "MaxAttempts": 5}
    )
    cache.add_tags_to_resource(ResourceName=subnet_group["ARN"], Tags=[{"Key": "env", "Value": "it"}])
    answer = cache.delete_cache_subnet_group(CacheSubnetGroupName="cache")
    assert set(answer) == {"ResponseMetadata"}
    assert error_code(cache.describe_cache_subnet_groups, CacheSubnetGroupName="cache") == (
        "CacheSubnetGroupNotFoundFault", 400)
    assert error_code(cache.delete_cache_subnet_group, CacheSubnetGroupName="cache") == (
        "CacheSubnetGroupNotFoundFault", 400)

    again = cache.create_cache_subnet_group(
        CacheSubnetGroupName="cache", CacheSubnetGroupDescription="again", SubnetIds=subnet_ids
    )["CacheSubnetGroup"]
    assert cache.list_tags_for_resource(ResourceName=again["ARN"])["TagList"] == []  # not the deleted group's
    cache.create_cache_cluster(CacheClusterId="standalone", Engine="redis", CacheNodeType="cache.t4g.small",
                               NumCacheNodes=1, CacheSubnetGroupName="cache")
    assert error_code(cache.delete_cache_subnet_group, CacheSubnetGroupName="cache") == ("CacheSubnetGroupInUse", 400)


def test_unknown_rds_parameter_group_is_not_found(moto_url):
    rds = boto3.client("rds", endpoint_url=moto_url, region_name="me-south-1", aws_access_key_id=fresh_account_id(),
                       aws_secret_access_key="x")
    with pytest.raises(ClientError) as err:
        rds.describe_db_parameter_groups(DBParameterGroupName="envops-missing")
    assert err.value.response["Error"]["Code"] == "DBParameterGroupNotFound"
    rds.create_db_parameter_group(DBParameterGroupName="envops-there", DBParameterGroupFamily="postgres15",
                                  Description="x")
    found = rds.describe_db_parameter_groups(DBParameterGroupName="envops-there")["DBParameterGroups"]
    assert [g["DBParameterGroupName"] for g in found] == ["envops-there"]


def test_new_postgres_parameter_group_lists_force_ssl(moto_url):
    rds = boto3.client("rds", endpoint_url=moto_url, region_name="me-south-1", aws_access_key_id=fresh_account_id(),
                       aws_secret_access_key="x")
    rds.create_db_parameter_group(DBParameterGroupName="pg15", DBParameterGroupFamily="postgres15", Description="x")

    listed = {p["ParameterName"]: p for p in rds.describe_db_parameters(DBParameterGroupName="pg15")["Parameters"]}
    assert (listed["rds.force_ssl"]["ParameterValue"], listed["rds.force_ssl"]["IsModifiable"]) == ("0", True)

    rds.modify_db_parameter_group(DBParameterGroupName="pg15", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    listed = {p["ParameterName"]: p for p in rds.describe_db_parameters(DBParameterGroupName="pg15")["Parameters"]}
    assert listed["rds.force_ssl"]["ParameterValue"] == "1"


def test_performance_insights_are_reported(moto_url):
    rds = boto3.client("rds", endpoint_url=moto_url, region_name="me-south-1", aws_access_key_id=fresh_account_id(),
                       aws_secret_access_key="x")
    rds.create_db_instance(DBInstanceIdentifier="pi-db", DBInstanceClass="db.m5.large", Engine="postgres",
                           MasterUsername="admin_user", MasterUserPassword="password-1234", AllocatedStorage=20,
                           EnablePerformanceInsights=True)
    db = rds.describe_db_instances(DBInstanceIdentifier="pi-db")["DBInstances"][0]
    assert (db["PerformanceInsightsEnabled"], db["PerformanceInsightsRetentionPeriod"]) == (True, 7)

    rds.modify_db_instance(DBInstanceIdentifier="pi-db", EnablePerformanceInsights=False, ApplyImmediately=True)
    assert rds.describe_db_instances(DBInstanceIdentifier="pi-db")["DBInstances"][0]["PerformanceInsightsEnabled"] is False


def test_gp3_instances_report_iops_and_throughput(moto_url):
    rds = boto3.client("rds", endpoint_url=moto_url, region_name="me-south-1", aws_access_key_id=fresh_account_id(),
                       aws_secret_access_key="x")

    def create(identifier, allocated, engine="postgres", **params):
        return rds.create_db_instance(DBInstanceIdentifier=identifier, DBInstanceClass="db.m5.large", Engine=engine,
                                      MasterUsername="admin_user", MasterUserPassword="password-1234",
                                      AllocatedStorage=allocated, **params)["DBInstance"]

    def modify(identifier, **params):
        return rds.modify_db_instance(DBInstanceIdentifier=identifier, ApplyImmediately=True, **params)["DBInstance"]

    def performance(instance):
        return instance.get("Iops"), instance.get("StorageThroughput")

    def described(identifier):
        return performance(rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0])

    # Not given: the baseline, 3000 IOPS / 125 MiB/s below 400 GiB (PostgreSQL), 12000 / 500 from 400 GiB on.
    assert performance(create("small", 20, StorageType="gp3")) == (3000, 125)
    assert described("small") == (3000, 125)
    assert performance(create("striped", 400, StorageType="gp3")) == (12000, 500)
    assert described("striped") == (12000, 500)
    assert performance(modify("small", AllocatedStorage=400)) == (12000, 500)
    assert described("small") == (12000, 500)
    assert described("striped") == (12000, 500)
    # Oracle stripes from 200 GiB on, SQL Server never.
    assert performance(create("oracle", 200, engine="oracle-ee", StorageType="gp3")) == (12000, 500)
    assert performance(create("sqlserver", 1000, engine="sqlserver-se", StorageType="gp3")) == (3000, 125)

    # Given at create or modify: kept, also when the storage grows.
    assert performance(create("given", 500, StorageType="gp3", Iops=15000, StorageThroughput=750)) == (15000, 750)
    assert performance(modify("given", AllocatedStorage=1000)) == (15000, 750)
    assert described("given") == (15000, 750)
    assert performance(modify("given", StorageThroughput=1000)) == (15000, 1000)
    assert described("given") == (15000, 1000)

    # A change to gp3: the values sent with it, else gp3's baseline (not the IOPS of the earlier type).
    assert performance(create("was-gp2", 500, StorageType="gp2")) == (None, None)
    assert performance(modify("was-gp2", StorageType="gp3", Iops=13000, StorageThroughput=600)) == (13000, 600)
    assert described("was-gp2") == (13000, 600)
    assert performance(create("was-io1", 200, StorageType="io1", Iops=5000)) == (5000, None)
    assert performance(modify("was-io1", StorageType="gp3")) == (3000, 125)
    assert described("was-io1") == (3000, 125)


def test_kms_key_state_calls_accept_a_key_arn(aws):
    kms = aws("kms", REGION)
    key = kms.create_key(Description="envops-it")["KeyMetadata"]
    arn = key["Arn"]

    def state():
        return kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"]

    kms.disable_key(KeyId=arn)
    assert state() == "Disabled"
    kms.enable_key(KeyId=arn)
    assert state() == "Enabled"

    scheduled = kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    assert (scheduled["KeyId"], scheduled["KeyState"], scheduled["PendingWindowInDays"]) == (arn, "PendingDeletion", 7)
    assert scheduled["DeletionDate"]
    metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
    assert (metadata["KeyState"], metadata["Enabled"]) == ("PendingDeletion", False)
    assert metadata["DeletionDate"] == scheduled["DeletionDate"]

    assert kms.cancel_key_deletion(KeyId=arn)["KeyId"] == arn
    assert state() == "Disabled"
    assert "DeletionDate" not in kms.describe_key(KeyId=arn)["KeyMetadata"]

    # A key id goes on working, answered with the key ARN; the window defaults to 30 days.
    scheduled = kms.schedule_key_deletion(KeyId=key["KeyId"])
    assert (scheduled["KeyId"], scheduled["KeyState"], scheduled["PendingWindowInDays"]) == (arn, "PendingDeletion", 30)
    assert kms.cancel_key_deletion(KeyId=key["KeyId"])["KeyId"] == arn

    # An alias is not a key id for these calls; an unknown key ARN is not found.
    kms.create_alias(AliasName="alias/envops-it", TargetKeyId=arn)
    assert error_code(kms.schedule_key_deletion, KeyId="alias/envops-it") == ("NotFoundException", 400)
    assert error_code(kms.disable_key, KeyId=arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000") == (
        "NotFoundException", 400)


def test_restored_instances_take_the_settings_of_the_restore_call(aws):
    rds = aws("rds", "eu-west-1")
    rds.create_db_instance(DBInstanceIdentifier="live", DBInstanceClass="db.t3.micro", Engine="postgres",
                           EngineVersion="16.4", AllocatedStorage=20, MasterUsername="admin_user",
                           MasterUserPassword="not-a-real-password-1", BackupRetentionPeriod=7,
                           DeletionProtection=True, MultiAZ=True, PubliclyAccessible=True)
    rds.create_db_snapshot(DBInstanceIdentifier="live", DBSnapshotIdentifier="live-snap")

    def settings(identifier):
        (db,) = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"]
        return db["DeletionProtection"], db["MultiAZ"], db["PubliclyAccessible"]

    # Nothing said: false, not the source's true; false said: false; true said: true.
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="plain", DBSnapshotIdentifier="live-snap")
    assert settings("plain") == (False, False, False)
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="scratch", DBSnapshotIdentifier="live-snap",
                                             DeletionProtection=False, MultiAZ=False, PubliclyAccessible=False)
    assert settings("scratch") == (False, False, False)
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="kept", DBSnapshotIdentifier="live-snap",
                                             DeletionProtection=True, MultiAZ=True)
    assert settings("kept") == (True, True, False)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="live", TargetDBInstanceIdentifier="pitr",
                                             UseLatestRestorableTime=True, DeletionProtection=False)
    assert settings("pitr") == (False, False, False)
    assert settings("live") == (True, True, True), "the source is untouched"

    # A scratch restore can be deleted; a protected one still cannot.
    for identifier in ("plain", "scratch", "pitr"):
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True)
    assert error_code(rds.delete_db_instance, DBInstanceIdentifier="kept", SkipFinalSnapshot=True) == (
        "InvalidParameterCombination", 400)


def test_dynamodb_sse_of_updates_and_restores_is_applied(aws):
    ddb, kms = aws("dynamodb", "me-south-1"), aws("kms", "me-south-1")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/t-data", TargetKeyId=key["KeyId"])
    ddb.create_table(TableName="t-src", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    ddb.update_table(TableName="t-src", SSESpecification={"Enabled": True, "SSEType": "KMS",
                                                          "KMSMasterKeyId": "alias/t-data"})
    assert ddb.describe_table(TableName="t-src")["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key["Arn"]
    ddb.update_continuous_backups(TableName="t-src",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.restore_table_to_point_in_time(SourceTableName="t-src", TargetTableName="t-kept",
                                       UseLatestRestorableTime=True)
    kept = ddb.describe_table(TableName="t-kept")["Table"]
    assert kept["SSEDescription"]["KMSMasterKeyArn"] == key["Arn"], "the source's key when none is given"
    assert kept["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    other = kms.create_key()["KeyMetadata"]
    restored = ddb.restore_table_to_point_in_time(
        SourceTableName="t-src", TargetTableName="t-other", UseLatestRestorableTime=True,
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": other["KeyId"]})
    assert restored["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"] == other["Arn"]
    ddb.update_table(TableName="t-other", SSESpecification={"Enabled": False})
    assert "SSEDescription" not in ddb.describe_table(TableName="t-other")["Table"]


def test_dynamodb_tables_created_at_once_under_one_name_are_created_once(aws):
    def create(name, outcomes):
        client = aws("dynamodb", "me-south-1")  # a client per thread, as two runs have
        start.wait()
        try:
            client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", SSESpecification={"Enabled": True},
                                KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
            outcomes.append("created")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    for attempt in range(5):
        outcomes = []
        start = threading.Barrier(2)
        threads = [threading.Thread(target=create, args=("at-once-%d" % attempt, outcomes))
                   for _run in ("first", "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["ResourceInUseException", "created"]


def test_a_missing_backup_vault_is_access_denied_as_on_aws(aws):
    backup = aws("backup", "me-south-1")
    with pytest.raises(ClientError) as error:
        backup.describe_backup_vault(BackupVaultName="envops-nope")
    assert error.value.response["Error"]["Code"] == "AccessDeniedException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    backup.create_backup_vault(BackupVaultName="envops-there")
    assert backup.describe_backup_vault(BackupVaultName="envops-there")["BackupVaultName"] == "envops-there"


def test_backup_selections_are_created_read_listed_and_deleted(aws):
    backup = aws("backup", "me-south-1")
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "p", "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": "v"}]})["BackupPlanId"]
    selection = {"SelectionName": "by-env", "IamRoleArn": "arn:aws:iam::123456789012:role/backup",
                 "ListOfTags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "env", "ConditionValue": "prod"}]}
    created = backup.create_backup_selection(BackupPlanId=plan, BackupSelection=selection)
    assert created["BackupPlanId"] == plan
    assert backup.get_backup_selection(BackupPlanId=plan, SelectionId=created["SelectionId"])["BackupSelection"] \
        == selection
    (summary,) = backup.list_backup_selections(BackupPlanId=plan)["BackupSelectionsList"]
    assert (summary["SelectionName"], summary["IamRoleArn"]) == ("by-env", selection["IamRoleArn"])
    backup.delete_backup_selection(BackupPlanId=plan, SelectionId=created["SelectionId"])
    assert backup.list_backup_selections(BackupPlanId=plan)["BackupSelectionsList"] == []
    with pytest.raises(ClientError) as error:
        backup.list_backup_selections(BackupPlanId="no-such-plan")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


TLS_ONLY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": ["arn:aws:s3:::%(bucket)s", "arn:aws:s3:::%(bucket)s/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}


def test_a_statement_whose_condition_does_not_hold_does_not_apply(aws):
    s3 = aws("s3", "me-south-1")
    where = {"LocationConstraint": "me-south-1"}
    s3.create_bucket(Bucket="tls-only", CreateBucketConfiguration=where)
    s3.put_bucket_policy(Bucket="tls-only", Policy=json.dumps(TLS_ONLY) % {"bucket": "tls-only"})
    s3.put_object(Bucket="tls-only", Key="a", Body=b"kept")
    assert s3.get_object(Bucket="tls-only", Key="a")["Body"].read() == b"kept"
    # a Deny without a condition still denies
    s3.create_bucket(Bucket="no-reads", CreateBucketConfiguration=where)
    s3.put_object(Bucket="no-reads", Key="a", Body=b"x")
    s3.put_bucket_policy(Bucket="no-reads", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::no-reads/*"}]}))
    assert error_code(s3.get_object, Bucket="no-reads", Key="a")[1] == 403


def test_every_correction_is_tested_here():
    # A new correction needs a test above showing the corrected behaviour; then list it here.
    assert [c.name for c in CORRECTIONS] == [
        "nat_gateway_tag_resource_type",
        "elastic_ip_tag_resource_type",
        "rds_automated_backups_replication",
        "rds_parameter_group_not_found",
        "rds_postgres_engine_default_parameters",
        "rds_performance_insights_reported",
        "rds_gp3_iops_and_throughput_reported",
        "rds_restore_takes_false_settings",
        "s3_replication_rules_as_stored",
        "elasticache_replication_group_member_clusters",
        "elasticache_replication_group_deletion",
        "elasticache_modify_replication_group_settings",
        "elasticache_replica_count",
        "elasticache_delete_cache_subnet_group",
        "kms_key_state_calls_accept_a_key_arn",
        "dynamodb_sse_and_billing_of_updates_and_restores",
        "dynamodb_create_table_is_atomic",
        "backup_vault_not_found_is_access_denied",
        "backup_selections",
        "policy_statements_whose_conditions_do_not_hold_do_not_apply",
        "rds_postgres_instances_are_servers",  # tests/integration/test_rds_postgres_servers.py
        "ebs_default_kms_key_id",  # tests/integration/test_moto_fix_baseline.py
        "budget_updates_and_subscribers",  # tests/integration/test_moto_fix_baseline.py
        "cost_allocation_tags",  # tests/integration/test_moto_fix_baseline.py
        "guardduty_detector_tags",  # tests/integration/test_moto_fix_guardduty.py
        "securityhub_standards",  # tests/integration/test_moto_fix_securityhub.py
        "securityhub_hub_tags_and_configuration",  # tests/integration/test_moto_fix_securityhub.py
        "config_named_rule_missing_without_rules",  # tests/integration/test_moto_fix_config.py
        "config_rule_evaluation_modes",  # tests/integration/test_moto_fix_config.py
        "duplicate_ou_names_under_a_parent_are_refused",  # tests/integration/test_moto_fix_organizations.py
        "policy_attachments_are_refused_twice_and_above_the_quota",  # tests/integration/test_moto_fix_organizations.py
        "malformed_service_control_policies_are_refused",  # tests/integration/test_moto_fix_organizations.py
        "invitations_and_handshakes",  # tests/integration/test_moto_fix_organizations.py
        "assume_role_needs_the_role_and_its_trust",  # tests/integration/test_moto_fix_organizations.py
        "session_credentials_resolve_their_account_without_creating_backends",  # test_moto_fix_organizations.py
        "application_load_balancer_default_attributes",  # tests/integration/test_moto_fix_elbv2.py
        "wafv2_web_acl_associations",  # tests/integration/test_moto_fix_wafv2.py
        "wafv2_logging_destination_checked",  # tests/integration/test_moto_fix_wafv2.py
        "composite_alarms",  # tests/integration/test_moto_fix_cloudwatch.py
        "alarm_state_changes_notify_their_actions",  # tests/integration/test_moto_fix_cloudwatch.py
        "logs_kms_key_association",  # tests/integration/test_moto_fix_signals.py
        "events_sns_targets",  # tests/integration/test_moto_fix_signals.py
        "unreachable_http_subscribers_do_not_fail_publishers",  # tests/integration/test_moto_fix_signals.py
    ]


@pytest.mark.parametrize("correction", CORRECTIONS, ids=lambda c: c.name)
def test_correction_documents_aws_moto_and_the_broken_module(correction):
    doc = correction.apply.__doc__
    assert "AWS:" in doc and "moto 5.2.5:" in doc and "Breaks: " in doc


def test_corrections_are_pinned_to_the_installed_moto():
    check_pinned(installed_moto_version())


def test_pin_check_refuses_an_unknown_moto_version():
    with pytest.raises(UnpinnedMotoError, match=r"moto 5\.99\.0 is installed.*ENVOPS_ALLOW_UNPINNED_MOTO=1"):
        check_pinned("5.99.0")


def test_unpinned_moto_starts_without_the_corrections_when_allowed():
    assert apply_corrections("5.99.0", allow_unpinned=True) == []
