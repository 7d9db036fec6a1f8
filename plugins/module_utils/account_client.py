# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Clients for another environment's account (the source of a masked refresh, the account of its key), built from
that account's connection option only, never from the module's own keys."""

from typing import Any
from typing import Dict
from typing import Optional

try:
    import boto3
    import botocore
except ImportError:
    pass  # the modules report a missing boto3 themselves

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import layered_config

# The suboptions of an option naming another account's connection (region, endpoint, credentials, botocore config).
ACCOUNT_CONNECTION_OPTIONS = dict(
    region=dict(type="str"),
    endpoint_url=dict(type="str"),
    access_key=dict(type="str", no_log=True),
    secret_key=dict(type="str", no_log=True),
    session_token=dict(type="str", no_log=True),
    profile=dict(type="str"),
    aws_config=dict(type="dict"),
)


def account_client(service: str, connection: Dict[str, Any], default_region: Optional[str], *config_layers,
                   **fixed_config):
    """A boto3 client of ``service`` in the account of ``connection``; its botocore options are ``config_layers``
    (each over the ones before), then the connection's own ``aws_config``, then ``fixed_config``."""
    session = boto3.session.Session(
        aws_access_key_id=connection.get("access_key"), aws_secret_access_key=connection.get("secret_key"),
        aws_session_token=connection.get("session_token"), profile_name=connection.get("profile"),
        region_name=connection.get("region") or default_region)
    options = layered_config(*config_layers, connection.get("aws_config"), **fixed_config)
    return session.client(service, endpoint_url=connection.get("endpoint_url"), config=botocore.config.Config(**options))
