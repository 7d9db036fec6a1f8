"""Each moto correction, shown through boto3 against our moto server, and the version pin."""

import shutil
import sys
import tempfile
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT))  # tools/ is a source tree, not an installed package

from tools.stack import moto_process  # noqa: E402
from tools.stack.moto_corrections import (  # noqa: E402
    CORRECTIONS,
    UnpinnedMotoError,
    apply_corrections,
    check_pinned,
    installed_moto_version,
)
from tools.local_inventory import fresh_account_id  # noqa: E402
from tools.stack.ports import pick_free_ports  # noqa: E402

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def moto_url():
    """A moto server of our own, so these checks leave the main stack's data alone."""
    log_dir = Path(tempfile.mkdtemp(prefix="moto-corrections-"))
    (port,) = pick_free_ports([None])
    url = f"http://127.0.0.1:{port}"
    server = moto_process.spawn(port, log_dir / "moto.log")
    try:
        moto_process.wait_until_answering(server, url, log_dir / "moto.log")
        yield url
    finally:
        moto_process.terminate(server.pid)
        shutil.rmtree(log_dir)


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


def test_every_correction_is_tested_here():
    # A new correction needs a test above showing the corrected behaviour; then list it here.
    assert [c.name for c in CORRECTIONS] == [
        "nat_gateway_tag_resource_type",
        "elastic_ip_tag_resource_type",
        "rds_automated_backups_replication",
        "s3_replication_rules_as_stored",
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
