# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Who writes an Application Load Balancer's access logs into a bucket, per region.

Elastic Load Balancing delivers as the service principal ``logdelivery.elasticloadbalancing.amazonaws.com`` in the
regions opened since August 2022; in the older ones it writes as an Elastic Load Balancing account of the region,
which the bucket policy must name. The policy names both where the region has such an account, so that the same
statement holds whichever way the region delivers.
"""

from typing import Any
from typing import Dict

SERVICE_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"

# The regional Elastic Load Balancing accounts of the regions opened before August 2022 (AWS documentation,
# "Enable access logs for your Application Load Balancer", step 2).
REGION_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580", "ap-south-1": "718504428378", "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864", "ca-central-1": "985666609251", "eu-central-1": "054676820928",
    "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-south-1": "635631232127",
    "eu-west-3": "009996457667", "eu-north-1": "897822967062", "me-south-1": "076674570225",
    "sa-east-1": "507241528517", "us-gov-west-1": "048591011584", "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993", "cn-northwest-1": "037604701340",
}


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def log_delivery_principal(region: str) -> Dict[str, Any]:
    """The ``Principal`` of the bucket policy statement that lets the region's load balancers deliver access logs."""
    principal: Dict[str, Any] = {"Service": SERVICE_PRINCIPAL}
    if region in REGION_ACCOUNTS:
        principal["AWS"] = "arn:%s:iam::%s:root" % (partition(region), REGION_ACCOUNTS[region])
    return principal
