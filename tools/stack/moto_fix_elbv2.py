"""Corrections of moto's Elastic Load Balancing v2 (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects

# DescribeLoadBalancerAttributes of a new application load balancer on AWS (every key it answers, with its value).
APPLICATION_DEFAULT_ATTRIBUTES = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "connection_logs.s3.enabled": "false",
    "connection_logs.s3.bucket": "",
    "connection_logs.s3.prefix": "",
    "client_keep_alive.seconds": "3600",
    "deletion_protection.enabled": "false",
    "idle_timeout.timeout_seconds": "60",
    "load_balancing.cross_zone.enabled": "true",
    "routing.http.desync_mitigation_mode": "defensive",
    "routing.http.drop_invalid_header_fields.enabled": "false",
    "routing.http.preserve_host_header.enabled": "false",
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
    "routing.http.xff_client_port.enabled": "false",
    "routing.http.xff_header_processing.mode": "append",
    "routing.http2.enabled": "true",
    "waf.fail_open.enabled": "false",
    "zonal_shift.config.enabled": "false",
}


@corrects("5.2.5")
def application_load_balancer_default_attributes() -> None:
    """DescribeLoadBalancerAttributes of an application load balancer answers every attribute with its default.

    AWS: a new application load balancer answers idle_timeout.timeout_seconds 60, routing.http2.enabled true,
    routing.http.desync_mitigation_mode defensive, routing.http.drop_invalid_header_fields.enabled false,
    waf.fail_open.enabled false, access_logs.s3.enabled false... (APPLICATION_DEFAULT_ATTRIBUTES) until they are
    modified. Network and gateway load balancers have other attributes and are left as moto makes them.
    moto 5.2.5: answers five attributes only (no idle timeout, no HTTP/2, no desync mitigation, no WAF fail-open, no
    access_logs.s3.enabled: "commented out for TF compatibility").
    Breaks: amazon.aws.elb_application_lb with idle_timeout, http2, drop_invalid_header_fields or access_logs_enabled
    (KeyError on the attribute it compares).
    """
    from moto.elbv2 import models

    original_init = models.FakeLoadBalancer.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if self.type == "application":
            self.attrs = dict(APPLICATION_DEFAULT_ATTRIBUTES, **self.attrs)
            self.attrs["load_balancing.cross_zone.enabled"] = "true"  # always on for an ALB

    models.FakeLoadBalancer.__init__ = __init__
