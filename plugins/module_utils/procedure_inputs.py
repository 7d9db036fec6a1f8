# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What an operator may pass to a procedure (``-e name=value``), checked before any AWS call.

Every variable a user may set goes to the resources' names, S3 keys, SQL identifiers or the audit trail, so each one
is held to a strict pattern (``fullmatch``: ``$`` would let a trailing newline through) and refused with a message
that names the variable, the value and the rule. Points in time are UTC times, never in the future and never before
the window the store keeps. ``VARIABLES`` lists, per procedure, which rule each variable follows: the single list the
roles check and ``docs/procedures.md`` documents.
"""

import ipaddress
import json
import re
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Any
from typing import Callable
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional

from ansible_collections.envops.aws.plugins.module_utils.env_schema import BUCKET_PATTERN
from ansible_collections.envops.aws.plugins.module_utils.env_schema import BUCKET_PURPOSE_PATTERN
from ansible_collections.envops.aws.plugins.module_utils.env_schema import DATABASE_NAME_PATTERN
from ansible_collections.envops.aws.plugins.module_utils.env_schema import TABLE_NAME_PATTERN

# --------------------------------------------------------------------------------------------------------------------
# one function per kind of identifier: None when the value is acceptable, else the rule it breaks


def _pattern(regex: str, rule: str) -> Callable[[Any], Optional[str]]:
    compiled = re.compile(regex)

    def check(value: Any) -> Optional[str]:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # -e '{"restore_id": 7}' is still the id "7"
        if not isinstance(value, str) or not compiled.fullmatch(value):
            return rule
        return None

    check.rule = rule
    return check


environment_name = _pattern(r"[a-z][a-z0-9-]{0,30}",
                            "an environment name: a lower case letter, then up to 30 lower case letters, digits or '-'")
# run ids name scratch databases (<db>__refresh_<id>), reports and audit records: nothing a name or path could hide in
run_id = _pattern(r"[a-z0-9]{1,20}", "1-20 lower case letters and digits (it names databases, tables and reports)")
restore_id = _pattern(r"[a-z0-9]{1,20}", "1-20 lower case letters and digits.")
drill_id = _pattern(r"[A-Za-z0-9]{1,32}", "1-32 letters and digits (it names the drill's databases, instances and tables)")
backup_id = _pattern(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9_.-]{0,127}",
                     "1-128 letters, digits, '_', '-' or '.', a letter or digit first, no '..'")
# an RDS DB snapshot identifier (automated ones start rds:, AWS Backup's awsbackup:), or the ARN of a shared one
snapshot_id = _pattern(r"(?:(?:rds|awsbackup):)?[A-Za-z](?:-?[A-Za-z0-9]){0,254}"
                       r"|arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:snapshot:(?:rds:)?[A-Za-z](?:-?[A-Za-z0-9]){0,254}",
                       "an RDS snapshot identifier (a letter first, then letters, digits and single '-', optionally "
                       "rds: or awsbackup: first) or a snapshot ARN")
database_name = _pattern(DATABASE_NAME_PATTERN,
                         "a PostgreSQL database name: a lower case letter, then up to 62 lower case letters, digits "
                         "or '_'")
table_name = _pattern(TABLE_NAME_PATTERN, "a table's spec name: 3-200 letters, digits, '_', '.' or '-'")
bucket_purpose = _pattern(BUCKET_PURPOSE_PATTERN,
                          "a bucket purpose of the spec: a lower case letter, then 1-20 lower case letters, digits "
                          "or '-'")
bucket_name = _pattern(BUCKET_PATTERN,
                       "an S3 bucket name: 3-63 lower case letters, digits, '.' or '-'")
rds_instance = _pattern(r"[a-z](?:-?[a-z0-9]){0,62}",
                        "an RDS instance identifier: a lower case letter, then lower case letters, digits and single "
                        "'-', at most 63")
secret_name = _pattern(r"[A-Za-z0-9/_+=.@-]{1,512}", "a Secrets Manager name: 1-512 letters, digits or /_+=.@-")
kms_key = _pattern(r"alias/[A-Za-z0-9/_-]{1,250}"
                   r"|(?:mrk-)?[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12}"
                   r"|mrk-[0-9a-f]{32}"
                   r"|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(?:key/[A-Za-z0-9-]{1,64}|alias/[A-Za-z0-9/_-]{1,250})",
                   "a KMS key: alias/<name>, a key id or a key or alias ARN")
sns_topic = _pattern(r"[A-Za-z0-9_-]{1,256}", "an SNS topic name: 1-256 letters, digits, '_' or '-'")
metric_namespace = _pattern(r"[A-Za-z0-9][A-Za-z0-9._/#:-]{0,254}",
                            "a CloudWatch namespace: 1-255 letters, digits or ._/#:-, not starting with one of those")
https_url = _pattern(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?",
                     "an http(s) URL without spaces, user or fragment, e.g. https://api.example.com/health")
_S3_PREFIX = re.compile(r"[A-Za-z0-9/_.=+-]{1,1024}")


def s3_prefix(value: Any) -> Optional[str]:
    """A key prefix: letters, digits and /_.=+- only, no leading '/', no '..' and no '//' (as the drills' cleanup)."""
    if not isinstance(value, str) or not _S3_PREFIX.fullmatch(value) or value.startswith("/") \
            or ".." in value or "//" in value:
        return s3_prefix.rule
    return None


s3_prefix.rule = "an S3 key prefix: 1-1024 letters, digits or /_.=+-, no leading '/', no '..', no '//'"

_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def boolean(value: Any) -> Optional[str]:
    """true or false: '| bool' would take a typo such as 'ture' for false."""
    if isinstance(value, bool) or (isinstance(value, str) and value.lower() in _TRUE + _FALSE):
        return None
    if isinstance(value, int) and value in (0, 1):
        return None
    return boolean.rule


boolean.rule = "true or false"


def _integer(low: int, high: int) -> Callable[[Any], Optional[str]]:
    rule = "a whole number from %d to %d" % (low, high)

    def check(value: Any) -> Optional[str]:
        if isinstance(value, bool):
            return rule
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value):
            value = int(value)
        if not isinstance(value, int) or not low <= value <= high:
            return rule
        return None

    check.rule = rule
    return check


def environment_pair(value: Any) -> Optional[str]:
    """Two distinct environment names, comma-separated (the audit's compare mode: staging,prod)."""
    names = value.split(",") if isinstance(value, str) else None
    if names is None or len(names) != 2 or any(environment_name(name) for name in names):
        return environment_pair.rule
    if names[0] == names[1]:
        return "two distinct environments: %s is compared with itself" % names[0]
    return None


environment_pair.rule = ("two distinct environment names separated by a comma, e.g. staging,prod (each %s)"
                         % environment_name.rule)

# Wider than a /16 opens the scratch copy of production data to more than the refresh controller's own network.
CONTROLLER_CIDR_MIN_PREFIX = 16


def controller_cidrs(value: Any) -> Optional[str]:
    """A list of CIDRs, none wider than a /16 (they may reach the scratch instance that holds production data)."""
    rule = ("a list of CIDRs (e.g. [10.20.0.0/24]), none wider than /%d: they reach the scratch copy of production "
            "data" % CONTROLLER_CIDR_MIN_PREFIX)
    if not isinstance(value, list):
        return rule
    for item in value:
        try:
            network = ipaddress.ip_network(item, strict=True) if isinstance(item, str) else None
        except ValueError:
            network = None
        if network is None or network.prefixlen < CONTROLLER_CIDR_MIN_PREFIX:
            return rule
    return None


controller_cidrs.rule = "a list of CIDRs, none wider than /%d" % CONTROLLER_CIDR_MIN_PREFIX

# --------------------------------------------------------------------------------------------------------------------
# points in time

_POINT = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?)(Z|[+-][0-9]{2}:[0-9]{2})?")
POINT_EXAMPLE = "2026-11-23T10:15:00Z"
# DynamoDB keeps continuous backups for 35 days.
DYNAMODB_PITR_DAYS = 35


class PointError(ValueError):
    pass


def parse_utc_point(text: Any) -> datetime:
    """An ISO 8601 time in UTC (Z or +00:00), to the second or finer; anything else raises PointError."""
    match = _POINT.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise PointError("not an ISO 8601 time (e.g. %s) nor 'latest'" % POINT_EXAMPLE)
    if match.group(2) is None:
        raise PointError("has no time zone: give the time in UTC, e.g. %s" % POINT_EXAMPLE)
    if match.group(2) not in ("Z", "+00:00"):
        raise PointError("is not in UTC (%s): give the time in UTC, e.g. %s" % (match.group(2), POINT_EXAMPLE))
    try:
        return datetime.fromisoformat(match.group(1)).replace(tzinfo=timezone.utc)
    except ValueError:
        raise PointError("is not a date and time that exists (e.g. %s)" % POINT_EXAMPLE)


def point_problem(text: Any, now: datetime, window_days: Optional[int], window_name: str) -> Optional[str]:
    """Why a point cannot be restored: its syntax, the future, or before the window the store keeps (None: fine).

    ``latest`` is always fine; ``window_days`` None means no lower bound is known."""
    if text == "latest":
        return None
    try:
        point = parse_utc_point(text)
    except PointError as error:
        return str(error)
    if point > now:
        return "is in the future (now %s)" % _iso(now)
    if window_days is not None and point < now - timedelta(days=window_days):
        if window_days == 0:
            return "cannot be restored: %s is 0 days, there is no point in time to restore" % window_name
        return "is before the oldest restorable point %s (%s: %d days)" % (
            _iso(now - timedelta(days=window_days)), window_name, window_days)
    return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------------------------------
# what each procedure's variables are: (rule, empty means "not given" and is allowed)

RULES = {
    "environment": environment_name,
    "run_id": run_id,
    "restore_id": restore_id,
    "drill_id": drill_id,
    "backup_id": backup_id,
    "snapshot_id": snapshot_id,
    "database": database_name,
    "table": table_name,
    "bucket_purpose": bucket_purpose,
    "bucket": bucket_name,
    "s3_prefix": s3_prefix,
    "rds_instance": rds_instance,
    "secret_name": secret_name,
    "kms_key": kms_key,
    "sns_topic": sns_topic,
    "metric_namespace": metric_namespace,
    "url": https_url,
    "boolean": boolean,
    "jobs": _integer(1, 64),
    "hours": _integer(1, 168),
    "seconds": _integer(0, 86400),
    "controller_cidrs": controller_cidrs,
    "environment_pair": environment_pair,
}

VARIABLES = {
    "refresh_masked": {
        "refresh_masked_source": ("environment", False),
        "refresh_masked_run_id": ("run_id", False),
        "refresh_masked_key_secret": ("secret_name", False),
        "refresh_masked_jobs": ("jobs", False),
        "refresh_masked_dynamodb_segments": ("jobs", False),
        "refresh_masked_kms_key": ("kms_key", False),
        "refresh_masked_source_instance": ("rds_instance", False),
        "refresh_masked_masking_kms_alias": ("kms_key", False),
        "refresh_masked_controller_cidrs": ("controller_cidrs", False),
        "refresh_masked_scratch_ttl_hours": ("hours", False),
    },
    "restore": {
        "restore_id": ("restore_id", False),
        "restore_point": ("point", False),
        "restore_replace": ("boolean", False),
        "restore_confirm": ("environment", True),
        "restore_snapshot": ("snapshot_id", True),
        "restore_table": ("table", True),
        "restore_bucket_purpose": ("bucket_purpose", True),
        "restore_prefix": ("s3_prefix", True),
        "restore_backup_id": ("backup_id", True),
        "restore_database": ("database", True),
        "restore_backups_bucket": ("bucket", False),
        "restore_backups_prefix": ("s3_prefix", False),
        "restore_kms_key": ("kms_key", False),
    },
    "dr_drill": {
        "dr_drill_id": ("drill_id", False),
        "dr_drill_database": ("database", False),
        "dr_drill_point": ("point", False),
        "dr_drill_bucket": ("bucket", False),
        "dr_drill_prefix": ("s3_prefix", False),
        "dr_drill_s3_prefix": ("s3_prefix", True),
        "dr_drill_kms_key": ("kms_key", False),
        "dr_drill_notify_topic": ("sns_topic", False),
        "dr_drill_metric_namespace": ("metric_namespace", False),
        "dr_drill_snapshot_margin_s": ("seconds", False),
        "dr_drill_dynamodb": ("boolean", False),
        "dr_drill_s3": ("boolean", False),
        "dr_drill_compare_backup": ("boolean", False),
        "dr_drill_compare_live_tables": ("boolean", False),
    },
    "backup": {
        "logical_backup_id": ("backup_id", False),
        "logical_backup_database": ("database", False),
        "logical_backup_bucket": ("bucket", False),
        "logical_backup_prefix": ("s3_prefix", False),
        "logical_backup_kms_key": ("kms_key", False),
    },
    "drill_markers": {
        "drill_markers_database": ("database", False),
        "drill_markers_dynamodb": ("boolean", False),
        "drill_markers_s3": ("boolean", False),
    },
    "failover": {
        "failover_confirm": ("environment", True),
        "failover_id": ("run_id", False),
        "failover_backups_bucket": ("bucket", False),
        "failover_backups_prefix": ("s3_prefix", False),
        "failover_health_url": ("url", True),
    },
    "audit": {
        "audit_compare": ("environment_pair", True),
    },
}


def _point_window(procedure: str, values: Dict[str, Any], spec: Dict[str, Any]):
    """How far back the point of the procedure's store may go: (days or None, what sets it)."""
    if procedure == "restore" and values.get("restore_kind") == "rds_pitr":
        return (spec.get("backup") or {}).get("retention_days"), "backup.retention_days of %s" % spec.get("name")
    if procedure == "restore" and values.get("restore_kind") == "s3_versions":
        return None, ""
    return DYNAMODB_PITR_DAYS, "the DynamoDB point-in-time window"


def shown(value: Any) -> str:
    """The value as the message shows it: JSON, so quotes, newlines and '../' are visible as they were given."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return json.dumps(str(value))


def input_problems(procedure: str, values: Dict[str, Any], spec: Optional[Dict[str, Any]] = None,
                   now: Optional[datetime] = None) -> List[str]:
    """Every problem of the procedure's variables given in ``values``, each naming the variable, value and rule."""
    if procedure not in VARIABLES:
        raise ValueError("no input rules for procedure %r: one of %s" % (procedure, ", ".join(sorted(VARIABLES))))
    now = now or datetime.now(timezone.utc)
    problems = []
    for variable, (kind, empty_allowed) in VARIABLES[procedure].items():
        if variable not in values:
            continue
        value = values[variable]
        if empty_allowed and value in ("", None):
            continue
        if kind == "point":
            window_days, window_name = _point_window(procedure, values, spec or {})
            problem = point_problem(value, now, window_days, window_name)
        else:
            problem = RULES[kind](value)
        if problem:
            problems.append("%s %s: %s" % (variable, shown(value), problem))
    return problems


def host_problems(procedure: str, variable: Optional[str], requested: Optional[Iterable[str]],
                  inventory: Iterable[str], reachable: Iterable[str], limit: Optional[str] = None) -> List[str]:
    """Why a procedure would run on no environment (Ansible only warns, then exits 0).

    ``requested`` are the names the operator gave in ``variable`` (None: the procedure runs on the whole group),
    ``inventory`` the group envops_environments, ``reachable`` the hosts that --limit leaves."""
    inventory = list(inventory or [])
    reachable = set(reachable or [])
    where = "--limit %s" % limit if limit else "the inventory"
    if requested is None:
        if not inventory:
            return ["the inventory has no environment (group envops_environments is empty): %s has nothing to act on"
                    % procedure]
        if not reachable.intersection(inventory):
            return ["%s leaves no environment of the inventory (%s): %s has nothing to act on"
                    % (where, ", ".join(inventory), procedure)]
        return []
    requested = [name for name in requested if name]
    if not requested:
        return ["%s is empty: name the environments, e.g. -e %s=%s" % (variable, variable,
                                                                       ",".join(inventory[:2]) or "staging")]
    problems = []
    bad = [name for name in requested if environment_name(name)]
    if bad:
        problems.append("%s %s: each name is %s" % (variable, shown(",".join(bad)), environment_name.rule))
    unknown = [name for name in requested if name not in inventory and name not in bad]
    if unknown:
        problems.append("%s names no environment of the inventory: %s (environments: %s)"
                        % (variable, ", ".join(unknown), ", ".join(inventory) or "none"))
    left_out = [name for name in requested if name in inventory and name not in reachable]
    if left_out and not problems:
        problems.append("%s leaves out %s of %s: add them to --limit or drop them from %s"
                        % (where, ", ".join(left_out), variable, variable))
    return problems
