# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A CloudWatch dashboard: its name and body checked, compared as parsed JSON, read, written and deleted.

CloudWatch stores the body as the text it was given; two texts of the same JSON (key order, spacing) are the same
dashboard, so bodies are compared parsed, and shown in diffs as normalised JSON text (keys sorted, indented).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

# PutDashboard: 1-255 letters, digits, hyphens and underscores; a body of at most 1 MB.
NAME_PATTERN = re.compile(r"\A[A-Za-z0-9_-]{1,255}\Z")
MAX_BODY_BYTES = 1024 * 1024


def body_problems(name, body):
    """Why ``name`` and ``body`` (a parsed dashboard body, or None for state absent) cannot be put (empty: they
    can), before any AWS call."""
    problems = []
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        problems.append("dashboard_name: %r must be 1-255 letters, digits, '-' or '_'." % (name,))
    if body is None:
        return problems
    if not isinstance(body, dict) or not isinstance(body.get("widgets"), list):
        problems.append("dashboard_body: must be a mapping with a list of widgets.")
    elif len(canonical(body).encode("utf-8")) > MAX_BODY_BYTES:
        problems.append("dashboard_body: larger than CloudWatch's 1 MB.")
    return problems


def parse_body(text):
    """A body as given to the module (JSON text): the parsed value, or None when it is not JSON."""
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return None


def canonical(body):
    """The body as JSON text, keys sorted, for comparing and for diffs."""
    return json.dumps(body, sort_keys=True, indent=2, separators=(",", ": "))


def same_body(current_text, desired):
    """Whether the stored body (text; None: no dashboard) is the desired one (parsed), whatever its formatting."""
    if current_text is None:
        return False
    return canonical(parse_body(current_text)) == canonical(desired)


def diff_of(current_text, desired):
    """Ansible's diff: the bodies before and after as normalised JSON text ("" for no dashboard)."""
    before = canonical(parse_body(current_text)) + "\n" if current_text is not None else ""
    after = canonical(desired) + "\n" if desired is not None else ""
    return {"before": before, "after": after}


class DashboardErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleAWSError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("ResourceNotFound")


@DashboardErrorHandler.list_error_handler("get the CloudWatch dashboard", None)
@aws_retry()
def get_body(client, name):
    """The stored body text of dashboard ``name``, None when there is none."""
    return client.get_dashboard(DashboardName=name)["DashboardBody"]


@DashboardErrorHandler.common_error_handler("put the CloudWatch dashboard")
@aws_retry()
def put_body(client, name, body):
    """Writes the body; returns CloudWatch's validation messages (warnings: an invalid body is refused)."""
    answer = client.put_dashboard(DashboardName=name, DashboardBody=json.dumps(body, sort_keys=True))
    return [message.get("Message", "") for message in answer.get("DashboardValidationMessages") or []]


@DashboardErrorHandler.deletion_error_handler("delete the CloudWatch dashboard")
@aws_retry()
def delete(client, name):
    client.delete_dashboards(DashboardNames=[name])
