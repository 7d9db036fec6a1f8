"""Corrections of moto's WAFv2 (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects

# ListResourcesForWebACL's ResourceType (AWS's default: APPLICATION_LOAD_BALANCER) and what its resources' ARNs
# look like; API Gateway stages are what moto associates besides load balancers.
_RESOURCE_ARN_MARKERS = {
    "APPLICATION_LOAD_BALANCER": ":loadbalancer/app/",
    "API_GATEWAY": ":apigateway:",
    "APPSYNC": ":appsync:",
    "COGNITO_USER_POOL": ":cognito-idp:",
    "APP_RUNNER_SERVICE": ":apprunner:",
    "VERIFIED_ACCESS_INSTANCE": ":ec2:",
    "AMPLIFY": ":amplify:",
}


@corrects("5.2.5")
def wafv2_web_acl_associations() -> None:
    """ListResourcesForWebACL answers the resources of a web ACL; a resource is associated with one web ACL at most.

    AWS: ListResourcesForWebACL(WebACLArn, ResourceType default APPLICATION_LOAD_BALANCER) answers the ARNs of the
    resources of that type associated with the web ACL (WAFNonexistentItemException for an unknown web ACL).
    AssociateWebACL of a resource already associated with another web ACL moves it (a resource has one web ACL),
    and associating it again with the same web ACL changes nothing.
    moto 5.2.5: no ListResourcesForWebACL (HTTP 500); AssociateWebACL appends the resource to the web ACL's list
    every time, so a resource can be listed twice or by two web ACLs.
    Breaks: community.aws.wafv2_resources, which lists a web ACL's resources on every run.
    """
    import json

    from moto.wafv2 import models, responses
    from moto.wafv2.exceptions import WAFNonexistentItemException

    def associate_web_acl(self, web_acl_arn, resource_arn):
        web_acl = self.wacls.get(web_acl_arn)
        if not web_acl:
            raise WAFNonexistentItemException()
        for other in self.wacls.values():
            if other is not web_acl and resource_arn in other.associated_resources:
                other.associated_resources.remove(resource_arn)
        if resource_arn not in web_acl.associated_resources:
            web_acl.associated_resources.append(resource_arn)
        stage = self._find_apigw_stage(resource_arn)
        if stage:
            stage.web_acl_arn = web_acl_arn

    def list_resources_for_web_acl(self):
        body = json.loads(self.body or "{}")
        web_acl = self.wafv2_backend.wacls.get(body.get("WebACLArn"))
        if web_acl is None:
            raise WAFNonexistentItemException()
        marker = _RESOURCE_ARN_MARKERS.get(body.get("ResourceType") or "APPLICATION_LOAD_BALANCER", "\0")
        arns = [arn for arn in web_acl.associated_resources if marker in arn]
        return 200, {"Content-Type": "application/json"}, json.dumps({"ResourceArns": arns})

    models.WAFV2Backend.associate_web_acl = associate_web_acl
    responses.WAFV2Response.list_resources_for_web_acl = list_resources_for_web_acl


@corrects("5.2.5")
def wafv2_logging_destination_checked() -> None:
    """PutLoggingConfiguration refuses an unknown web ACL and a log group whose name lacks ``aws-waf-logs-``.

    AWS: a CloudWatch Logs destination must be a log group named ``aws-waf-logs-...`` (likewise a Firehose stream or
    an S3 bucket); any other is WAFInvalidParameterException (field LOG_DESTINATION). An ARN of no web ACL is
    WAFNonexistentItemException.
    moto 5.2.5: stores any destination for any ARN.
    Breaks: nothing fails, but a logging configuration that AWS refuses passes every local test.
    Not modelled: the checks of Firehose and S3 destinations beyond their name prefix, the resource policy that
    CloudWatch Logs needs.
    """
    from moto.wafv2 import models
    from moto.wafv2.exceptions import WAFNonexistentItemException, WAFv2ClientError

    original = models.WAFV2Backend.put_logging_configuration
    prefixes = {"logs": ":log-group:aws-waf-logs-", "firehose": ":deliverystream/aws-waf-logs-",
                "s3": ":::aws-waf-logs-"}

    def put_logging_configuration(self, arn, log_destination_configs, *args, **kwargs):
        if arn not in self.wacls:
            raise WAFNonexistentItemException()
        for destination in log_destination_configs or []:
            service = destination.split(":")[2] if destination.count(":") >= 5 else ""
            if prefixes.get(service) not in destination:
                raise WAFv2ClientError(
                    "WAFInvalidParameterException",
                    "Error reason: The ARN isn't valid. A valid ARN begins with arn: and includes other "
                    "information separated by colons or slashes., field: LOG_DESTINATION, parameter: %s"
                    % destination)
        return original(self, arn, log_destination_configs, *args, **kwargs)

    models.WAFV2Backend.put_logging_configuration = put_logging_configuration
