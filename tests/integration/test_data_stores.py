"""provision.yml builds the local prod data tier for real; boto3 then checks every property the spec asks.

One fresh fake account: the full provision (network + data), then the data tier again (changed=0),
in check mode (changed=0), and a spec change that would replace a table (refused, table untouched).
"""

import copy
import json

import pytest

from harness import aws_client, run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory

ENV = "prod"
SPEC = load_spec(ENV)
REGION = SPEC["region"]
DR_REGION = SPEC["dr"]["region"]


@pytest.fixture(scope="module")
def account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, stack, account):
    return write_inventory(tmp_path_factory.mktemp("inventory"), stack["moto_url"], {ENV: (None, account)})


@pytest.fixture(scope="module")
def provisioned(inventory):
    run = run_playbook("provision.yml", inventory)
    assert run.rc == 0, run.stdout[-5000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def client(stack, account, provisioned):
    def make(service, region=REGION):
        return aws_client(stack, service, account, region)
    return make


def key_arn(client, region, data_class):
    return client("kms", region).describe_key(KeyId="alias/envops/prod/%s" % data_class)["KeyMetadata"]["Arn"]


def test_keys_per_class_with_rotation_in_both_regions(client):
    for region in (REGION, DR_REGION):
        kms = client("kms", region)
        for data_class in SPEC["data"]["kms_key_classes"]:
            key_id = kms.describe_key(KeyId="alias/envops/prod/%s" % data_class)["KeyMetadata"]["KeyId"]
            assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
            policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
            admin = policy["Statement"][0]
            assert "kms:Decrypt" not in admin["Action"], "administrators do not get to use the key"


def test_database_secret_is_generated_encrypted_and_never_printed(client, provisioned):
    secrets = client("secretsmanager")
    described = secrets.describe_secret(SecretId="envops/prod/database/master")
    assert described["KmsKeyId"] == key_arn(client, REGION, "data")
    value = json.loads(secrets.get_secret_value(SecretId="envops/prod/database/master")["SecretString"])
    assert value["username"] == SPEC["data"]["database"]["master_username"]
    assert len(value["password"]) == 40
    assert value["password"] not in provisioned.stdout + provisioned.stderr
    token = secrets.get_secret_value(SecretId="envops/prod/cache/auth-token")["SecretString"]
    assert token not in provisioned.stdout + provisioned.stderr


def test_application_parameters_in_ssm(client):
    ssm = client("ssm")
    for name, value in SPEC["data"]["parameters"].items():
        assert ssm.get_parameter(Name="/prod/app/%s" % name)["Parameter"]["Value"] == str(value)


def test_database_follows_the_spec(client):
    rds = client("rds")
    db = rds.describe_db_instances(DBInstanceIdentifier="prod-postgres")["DBInstances"][0]
    assert db["StorageEncrypted"] and db["KmsKeyId"] == key_arn(client, REGION, "data")
    assert (db["StorageType"], db["AllocatedStorage"], db["Iops"]) == ("io2", 200, 3000)
    assert db["MultiAZ"] and db["DeletionProtection"] and not db["PubliclyAccessible"]
    assert db["BackupRetentionPeriod"] == 35
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == "envops-prod-db"
    group = db["DBParameterGroups"][0]["DBParameterGroupName"]
    params = rds.describe_db_parameters(DBParameterGroupName=group)["Parameters"]
    assert {p["ParameterName"]: p.get("ParameterValue") for p in params}["rds.force_ssl"] == "1"
    replicated = client("rds", DR_REGION).describe_db_instance_automated_backups()["DBInstanceAutomatedBackups"]
    assert [(b["DBInstanceArn"], b["KmsKeyId"]) for b in replicated] == [
        (db["DBInstanceArn"], key_arn(client, DR_REGION, "backups"))]


def test_tables_on_demand_with_pitr_sse_and_ttl(client):
    dynamodb = client("dynamodb")
    for table in SPEC["data"]["dynamodb_tables"]:
        name = "prod-%s" % table["name"]
        described = dynamodb.describe_table(TableName=name)["Table"]
        assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert described["SSEDescription"]["KMSMasterKeyArn"] == key_arn(client, REGION, "data")
        assert described["DeletionProtectionEnabled"] is True
        backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if "ttl_attribute" in table:
            assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", table["ttl_attribute"])
        tags = {t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=described["TableArn"])["Tags"]}
        assert tags["data_class"] == SPEC["tags"]["data_class"]
        # the application finds the live table through its parameter (switched by a masked refresh)
        assert client("ssm").get_parameter(Name="/prod/dynamodb/%s" % table["name"])["Parameter"]["Value"] == name


def test_buckets_encrypted_private_tls_only_with_lifecycle_and_dr_replication(client, account):
    s3 = client("s3")
    for bucket in SPEC["data"]["buckets"]:
        name = "envops-prod-%s-%s" % (account, bucket["purpose"])
        rule = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"][0]
        if bucket.get("encryption") == "s3_managed":  # the load balancer access logs: AWS delivers to SSE-S3 only
            assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
        else:
            assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                                  "KMSMasterKeyID": key_arn(client, REGION, "data")}
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        assert all(s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"].values())
        policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
        assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]
        assert [r["ID"] for r in lifecycle] == ["envops-%s" % bucket["purpose"]]
        if bucket.get("critical"):
            [repl] = s3.get_bucket_replication(Bucket=name)["ReplicationConfiguration"]["Rules"]
            assert repl["Destination"]["Bucket"] == "arn:aws:s3:::%s-dr" % name
            assert repl["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"] == key_arn(client, DR_REGION, "data")
            assert client("s3", DR_REGION).get_bucket_versioning(Bucket=name + "-dr")["Status"] == "Enabled"


def test_redis_encrypted_with_failover(client):
    group = client("elasticache").describe_replication_groups(ReplicationGroupId="prod-redis")["ReplicationGroups"][0]
    assert group["AtRestEncryptionEnabled"] and group["TransitEncryptionEnabled"] and group["AuthTokenEnabled"]
    assert group["KmsKeyId"] == key_arn(client, REGION, "data")
    assert group["MultiAZ"] == "enabled" and group["AutomaticFailover"] == "enabled"


# amazon.aws 10.1.2 backup_plan reports a tagged plan as changed in every check-mode run (tag_backup_plan returns
# True in check mode before comparing the tags); a real run changes nothing, as the first loop shows.
UPSTREAM_CHECK_MODE_NOISE = ["Ensure the backup plan envops-%s" % ENV]


def test_data_tier_rerun_and_check_mode_change_nothing(inventory, provisioned):
    for check in (False, True):
        run = run_playbook("provision.yml", inventory, check=check, tags="data")
        assert run.rc == 0, run.stdout[-3000:]
        assert run.changed_tasks(ENV) == (UPSTREAM_CHECK_MODE_NOISE if check else []), check


def test_a_change_that_would_replace_a_table_is_refused(tmp_path, stack, account, client, provisioned):
    spec = copy.deepcopy(SPEC)
    spec["data"]["dynamodb_tables"][0]["hash_key_type"] = "NUMBER"
    inventory = write_inventory(tmp_path, stack["moto_url"], {ENV: (spec, account)})

    run = run_playbook("provision.yml", inventory, tags="tables")

    assert run.rc != 0
    message = "\n".join(run.failure_messages(ENV))
    assert "hash_key_type" in message, message
    table = client("dynamodb").describe_table(TableName="prod-campaign-events")["Table"]
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}["merchant_id"] == "S"
