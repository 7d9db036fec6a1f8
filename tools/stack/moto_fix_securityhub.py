"""Corrections of moto's Security Hub: standards, hub tags, hub configuration (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects

# What DescribeStandards lists in every commercial region (ARN templates; {region} is the request's region).
# CIS 1.2.0 is the one standard AWS still names by a global "ruleset" ARN.
AVAILABLE_STANDARDS = (
    ("arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
     "AWS Foundational Security Best Practices v1.0.0", True),
    ("arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
     "CIS AWS Foundations Benchmark v1.2.0", True),
    ("arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/1.4.0",
     "CIS AWS Foundations Benchmark v1.4.0", False),
    ("arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
     "CIS AWS Foundations Benchmark v3.0.0", False),
    ("arn:aws:securityhub:{region}::standards/nist-800-53/v/5.0.0", "NIST Special Publication 800-53 Revision 5",
     False),
    ("arn:aws:securityhub:{region}::standards/pci-dss/v/3.2.1", "PCI DSS v3.2.1", False),
)


def _error(code, message, status):
    """An error answered the way Security Hub answers it (JSON body, the code's HTTP status)."""
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(code, message)
    error.code = status
    return error


@corrects("5.2.5")
def securityhub_standards() -> None:
    """DescribeStandards, BatchEnableStandards, BatchDisableStandards and GetEnabledStandards, missing in moto.

    AWS: DescribeStandards lists the standards of the region; BatchEnableStandards subscribes the hub to standards by
    their ARN (answering one StandardsSubscription each, an ARN of the account's own), BatchDisableStandards ends
    subscriptions by their subscription ARN, GetEnabledStandards lists the account's subscriptions of the region
    (or the ones asked for). A hub that is not enabled answers InvalidAccessException; an unknown standard ARN or a
    subscription ARN of another account or region, InvalidInputException. Subscriptions are per account and region.
    moto 5.2.5: no route for /standards (HTTP 404).
    Breaks: envops.aws.securityhub_account, which subscribes the hub to the baseline's standards and reads them back.
    Not modelled: the PENDING -> READY transition (a subscription is READY at once), the controls of a standard.
    """
    import json

    from moto.securityhub import models, responses, urls

    def _subscriptions(backend):
        if not hasattr(backend, "envops_standards"):
            backend.envops_standards = {}  # subscription ARN -> StandardsSubscription
        return backend.envops_standards

    def _enabled_hub(backend):
        if not backend.enabled:
            raise _error("InvalidAccessException", "Account %s is not subscribed to AWS Security Hub"
                         % backend.account_id, 401)
        return backend

    def _available(region):
        return [{"StandardsArn": arn.format(region=region), "Name": name, "Description": name,
                 "EnabledByDefault": default, "StandardsManagedBy": {"Company": "AWS", "Product": "Security Hub"}}
                for arn, name, default in AVAILABLE_STANDARDS]

    def _subscription_arn(backend, standards_arn):
        path = standards_arn.split("::", 1)[1].split("/", 1)[1]  # after ":standards/" or ":::ruleset/"
        return "arn:aws:securityhub:%s:%s:subscription/%s" % (backend.region_name, backend.account_id, path)

    def describe_standards(self):
        return json.dumps({"Standards": _available(self.region)})

    def batch_enable_standards(self):
        backend = _enabled_hub(self.securityhub_backend)
        requests = json.loads(self.body or "{}").get("StandardsSubscriptionRequests") or []
        known = {standard["StandardsArn"] for standard in _available(self.region)}
        for request in requests:
            if request.get("StandardsArn") not in known:
                raise _error("InvalidInputException", "Invalid StandardsArn: %s" % request.get("StandardsArn"), 400)
        answered = []
        for request in requests:
            subscription = {
                "StandardsSubscriptionArn": _subscription_arn(backend, request["StandardsArn"]),
                "StandardsArn": request["StandardsArn"],
                "StandardsInput": request.get("StandardsInput") or {},
                "StandardsStatus": "READY",
                "StandardsControlsUpdatable": "READY_FOR_UPDATES",
            }
            _subscriptions(backend)[subscription["StandardsSubscriptionArn"]] = subscription
            answered.append(subscription)
        return json.dumps({"StandardsSubscriptions": answered})

    def batch_disable_standards(self):
        backend = _enabled_hub(self.securityhub_backend)
        arns = json.loads(self.body or "{}").get("StandardsSubscriptionArns") or []
        subscriptions = _subscriptions(backend)
        for arn in arns:
            if arn not in subscriptions:
                raise _error("InvalidInputException", "Invalid StandardsSubscriptionArn: %s" % arn, 400)
        answered = [dict(subscriptions.pop(arn), StandardsStatus="DELETING") for arn in arns]
        return json.dumps({"StandardsSubscriptions": answered})

    def get_enabled_standards(self):
        backend = _enabled_hub(self.securityhub_backend)
        wanted = json.loads(self.body or "{}").get("StandardsSubscriptionArns")
        subscriptions = _subscriptions(backend)
        listed = [subscription for arn, subscription in subscriptions.items() if not wanted or arn in wanted]
        return json.dumps({"StandardsSubscriptions": listed})

    original_disable = models.SecurityHubBackend.disable_security_hub

    def disable_security_hub(self):
        answer = original_disable(self)
        _subscriptions(self).clear()  # a disabled hub keeps no subscription
        return answer

    models.SecurityHubBackend.disable_security_hub = disable_security_hub
    responses.SecurityHubResponse.describe_standards = describe_standards
    responses.SecurityHubResponse.batch_enable_standards = batch_enable_standards
    responses.SecurityHubResponse.batch_disable_standards = batch_disable_standards
    responses.SecurityHubResponse.get_enabled_standards = get_enabled_standards
    for path in ("{0}/standards$", "{0}/standards/register$", "{0}/standards/deregister$", "{0}/standards/get$"):
        urls.url_paths[path] = responses.SecurityHubResponse.dispatch


@corrects("5.2.5")
def securityhub_hub_tags_and_configuration() -> None:
    """TagResource, UntagResource, ListTagsForResource of the hub and UpdateSecurityHubConfiguration, missing in moto.

    AWS: the hub (arn:aws:securityhub:<region>:<account>:hub/default) keeps the tags EnableSecurityHub gave it and
    the ones TagResource adds; UntagResource removes keys; ListTagsForResource answers them.
    UpdateSecurityHubConfiguration sets ControlFindingGenerator (SECURITY_CONTROL or STANDARD_CONTROL) and
    AutoEnableControls, which DescribeHub then answers; EnableSecurityHub takes ControlFindingGenerator too.
    A hub not enabled answers InvalidAccessException, another resource ARN ResourceNotFoundException.
    moto 5.2.5: no route for /tags (HTTP 404), UpdateSecurityHubConfiguration not implemented, DescribeHub always
    answers SECURITY_CONTROL and AutoEnableControls true.
    Breaks: envops.aws.securityhub_account, which keeps the hub's tags (with purge) and its finding generator.
    """
    import json
    from urllib.parse import unquote

    from moto.securityhub import models, responses, urls

    def _hub(self):
        backend = self.securityhub_backend
        if not backend.enabled:
            raise _error("InvalidAccessException", "Account %s is not subscribed to AWS Security Hub"
                         % backend.account_id, 401)
        return backend

    def _tagged_hub(self):
        backend = _hub(self)
        arn = unquote(self.path.split("?")[0].split("/tags/", 1)[1])
        if arn != "arn:aws:securityhub:%s:%s:hub/default" % (backend.region_name, backend.account_id):
            raise _error("ResourceNotFoundException", "No resource found with ARN %s" % arn, 404)
        if getattr(backend, "tags", None) is None:
            backend.tags = {}
        return backend

    def tag_resource(self):
        _tagged_hub(self).tags.update(json.loads(self.body or "{}").get("Tags") or {})
        return "{}"

    def untag_resource(self):
        backend = _tagged_hub(self)
        for key in self.querystring.get("tagKeys", []):
            backend.tags.pop(key, None)
        return "{}"

    def list_tags_for_resource(self):
        return json.dumps({"Tags": _tagged_hub(self).tags})

    def update_security_hub_configuration(self):
        backend = _hub(self)
        body = json.loads(self.body or "{}")
        if "ControlFindingGenerator" in body:
            backend.envops_control_finding_generator = body["ControlFindingGenerator"]
        if "AutoEnableControls" in body:
            backend.envops_auto_enable_controls = body["AutoEnableControls"]
        return "{}"

    original_enable = responses.SecurityHubResponse.enable_security_hub

    def enable_security_hub(self):
        backend = self.securityhub_backend
        if backend.enabled:
            raise _error("ResourceConflictException", "Account %s is already subscribed to Security Hub"
                         % backend.account_id, 409)
        answer = original_enable(self)
        backend.envops_control_finding_generator = (
            json.loads(self.body or "{}").get("ControlFindingGenerator") or "SECURITY_CONTROL")
        backend.envops_auto_enable_controls = True
        return answer

    original_describe_hub = models.SecurityHubBackend.describe_hub

    def describe_hub(self, hub_arn=None):
        hub = original_describe_hub(self, hub_arn=hub_arn)
        hub.pop("Tags", None)  # AWS answers tags through ListTagsForResource only
        hub["ControlFindingGenerator"] = getattr(self, "envops_control_finding_generator", "SECURITY_CONTROL")
        hub["AutoEnableControls"] = getattr(self, "envops_auto_enable_controls", True)
        return hub

    responses.SecurityHubResponse.tag_resource = tag_resource
    responses.SecurityHubResponse.untag_resource = untag_resource
    responses.SecurityHubResponse.list_tags_for_resource = list_tags_for_resource
    responses.SecurityHubResponse.update_security_hub_configuration = update_security_hub_configuration
    responses.SecurityHubResponse.enable_security_hub = enable_security_hub
    models.SecurityHubBackend.describe_hub = describe_hub
    urls.url_paths["{0}/tags/(?P<resource_arn>.+)$"] = responses.SecurityHubResponse.dispatch
