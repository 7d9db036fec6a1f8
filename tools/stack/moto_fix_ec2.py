"""Corrections of moto's EC2 tag resource types (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


def _report_tag_resource_type(id_prefix: str, aws_resource_type: str) -> None:
    # In moto 5.2.5 this map is read only by TagBackend.describe_tags (for the resource-type filter
    # and for the ResourceType it reports), so renaming an entry changes nothing else.
    from moto.ec2 import utils

    utils.EC2_PREFIX_TO_RESOURCE[id_prefix] = aws_resource_type


@corrects("5.2.5")
def nat_gateway_tag_resource_type() -> None:
    """DescribeTags names NAT gateways ``natgateway``, as AWS does.

    AWS: the documented DescribeTags ``resource-type`` value for a NAT gateway is ``natgateway``,
    and tags of a NAT gateway are reported with ResourceType ``natgateway``.
    moto 5.2.5: reports them as ``nat-gateway`` (its internal name), so the filter
    ``resource-type=natgateway`` returns nothing.
    Breaks: amazon.aws.ec2_vpc_nat_gateway, which reads the current tags through that filter, sees
    none, re-applies them and reports changed on every run.
    """
    _report_tag_resource_type("nat", "natgateway")


@corrects("5.2.5")
def elastic_ip_tag_resource_type() -> None:
    """DescribeTags names Elastic IP allocations ``elastic-ip``, as AWS does.

    AWS: the documented DescribeTags ``resource-type`` value for an Elastic IP is ``elastic-ip``.
    moto 5.2.5: reports ``vpc-elastic-ip``, so the filter ``resource-type=elastic-ip`` returns nothing.
    Breaks: amazon.aws.ec2_eip with ``tags``, which reads the current tags through that filter and
    reports changed on every run.
    """
    _report_tag_resource_type("eipalloc", "elastic-ip")
