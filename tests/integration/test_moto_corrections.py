"""Each moto correction, shown through boto3 against our moto server, and the version pin."""

import shutil
import sys
import tempfile
from pathlib import Path

import boto3
import pytest

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


def test_every_correction_is_tested_here():
    # A new correction needs a test above showing the corrected behaviour; then list it here.
    assert [c.name for c in CORRECTIONS] == ["nat_gateway_tag_resource_type", "elastic_ip_tag_resource_type"]


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
