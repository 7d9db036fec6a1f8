# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading SSM parameters: one by name, or every one under a path, as ``{name: value}``.

The roles read parameters inside ``module_defaults`` (through module ssm_parameter_info) rather than with the
amazon.aws lookup: a lookup gets neither the playbooks' botocore retry configuration nor a retry on the JSON
protocol's ``ThrottlingException``. Every call here goes through the shared retry policy.

A missing parameter (or an empty path) is no error: the caller gets ``found`` false and decides.
"""

import re
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

# SSM's own rules: letters, digits and _.-/ only, at most 2048 characters, at most 15 levels; a hierarchical name
# starts with a slash, and a path is always hierarchical.
_NAME = re.compile(r"[A-Za-z0-9_.\-]+|(/[A-Za-z0-9_.\-]+)+")
_PATH = re.compile(r"/|(/[A-Za-z0-9_.\-]+)+/?")
MAX_LENGTH = 2048
MAX_LEVELS = 15


def _levels(text: str) -> int:
    return len([part for part in text.split("/") if part])


def name_problems(name: Optional[str] = None, path: Optional[str] = None) -> List[str]:
    """What is wrong with the wanted name or path (empty: nothing), naming the option and SSM's rule."""
    problems = []
    for option, value, pattern, shape in (
            ("name", name, _NAME, "letters, digits and _.- with / only as levels of a name starting with /"),
            ("path", path, _PATH, "a / then levels of letters, digits and _.- separated by /")):
        if value is None:
            continue
        if not pattern.fullmatch(value):
            problems.append("%s: %r is not an SSM parameter %s (%s)" % (option, value, option, shape))
        elif len(value) > MAX_LENGTH:
            problems.append("%s: longer than SSM's %d characters" % (option, MAX_LENGTH))
        elif _levels(value) > MAX_LEVELS:
            problems.append("%s: %r has more than SSM's %d levels" % (option, value, MAX_LEVELS))
    return problems


def short_name(name: str, path: Optional[str] = None) -> str:
    """The name under ``path`` (``a/b`` of ``/env/a/b`` under ``/env/``), else its last level."""
    if path is not None:
        prefix = path if path.endswith("/") else path + "/"
        if name.startswith(prefix):
            return name[len(prefix):]
    return name.rsplit("/", 1)[-1]


@aws_retry()
def _get_parameter(client, name: str, decrypt: bool):
    return client.get_parameter(Name=name, WithDecryption=decrypt)["Parameter"]


@aws_retry()
def _parameters_page(client, path: str, recursive: bool, decrypt: bool, token: Optional[str]):
    kwargs = {"Path": path, "Recursive": recursive, "WithDecryption": decrypt}
    if token:
        kwargs["NextToken"] = token
    return client.get_parameters_by_path(**kwargs)


def read_parameter(client, name: str, decrypt: bool = True) -> Optional[Dict[str, str]]:
    """The parameter ``name`` as ``{"name", "type", "value"}``, or None where it does not exist."""
    try:
        parameter = _get_parameter(client, name, decrypt)
    except is_boto3_error_code("ParameterNotFound"):
        return None
    return {"name": parameter["Name"], "type": parameter["Type"], "value": parameter["Value"]}


def read_path(client, path: str, recursive: bool = False, decrypt: bool = True) -> List[Dict[str, str]]:
    """Every parameter under ``path`` (its subpaths too when ``recursive``), sorted by name, each page retried."""
    found, token = [], None
    while True:
        page = _parameters_page(client, path, recursive, decrypt, token)
        found.extend({"name": p["Name"], "type": p["Type"], "value": p["Value"]} for p in page.get("Parameters", []))
        token = page.get("NextToken")
        if not token:
            return sorted(found, key=lambda parameter: parameter["name"])


def by_name(parameters: List[Dict[str, str]], path: Optional[str] = None,
            short_names: bool = False) -> Tuple[Dict[str, str], Dict[str, str]]:
    """``({name: value}, {name: type})``, names full or short (see short_name)."""
    def key(parameter):
        return short_name(parameter["name"], path) if short_names else parameter["name"]
    return ({key(p): p["value"] for p in parameters}, {key(p): p["type"] for p in parameters})
