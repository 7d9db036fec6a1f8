"""The GuardDuty correction of moto (detector tags), shown through boto3 against a moto server of this module's own."""

import boto3
import pytest
from botocore.exceptions import ClientError

from tools.local_inventory import fresh_account_id

REGION = "eu-central-1"


def test_detector_tags_are_added_removed_and_listed(private_moto):
    account = fresh_account_id()
    guardduty = boto3.client("guardduty", endpoint_url=private_moto, region_name=REGION, aws_access_key_id=account,
                             aws_secret_access_key="local-moto-not-a-secret")
    detector_id = guardduty.create_detector(Enable=True, Tags={"env": "dev", "old": "x"})["DetectorId"]
    arn = "arn:aws:guardduty:%s:%s:detector/%s" % (REGION, account, detector_id)
    guardduty.tag_resource(ResourceArn=arn, Tags={"owner": "ops"})
    guardduty.untag_resource(ResourceArn=arn, TagKeys=["old"])
    assert guardduty.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "dev", "owner": "ops"}
    assert guardduty.get_detector(DetectorId=detector_id)["Tags"] == {"env": "dev", "owner": "ops"}
    with pytest.raises(ClientError) as caught:
        guardduty.list_tags_for_resource(ResourceArn=arn.replace(detector_id, "0" * 32))
    assert caught.value.response["Error"]["Code"] == "BadRequestException"
