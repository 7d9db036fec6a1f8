# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS Backup plan of an environment, from its spec's ``backup`` section (seeds: backups daily + PITR, prod
snapshots 35 days, staging 7-14, copies in the DR region).

One rule in the format of amazon.aws.backup_plan: the spec's schedule, deletion after ``retention_days``,
continuous backup (point-in-time recovery of RDS and S3) where ``pitr`` is on, and a copy of each recovery point
to the environment's vault in the DR region, kept as long, where the spec has a DR region. No rule at all when
the schedule is ``none``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# At 03:00 UTC, clear of the seeds' maintenance windows (sun 02:00-04:00 is the database's, which RDS avoids itself).
SCHEDULES = {
    "hourly": "cron(0 * ? * * *)",
    "daily": "cron(0 3 ? * * *)",
    "weekly": "cron(0 3 ? * SUN *)",
}
# AWS Backup keeps continuous backups at most 35 days.
CONTINUOUS_MAX_DAYS = 35


def vault_name(environment, dr=False):
    return "envops-%s%s" % (environment, "-dr" if dr else "")


def vault_arn(environment, account, region, dr=False):
    return "arn:aws:backup:%s:%s:backup-vault:%s" % (region, account, vault_name(environment, dr))


def plan_rules(spec):
    """The rules of the plan ``envops-<env>`` (a list of at most one rule)."""
    backup = spec["backup"]
    if backup["schedule"] == "none" or backup["retention_days"] < 1:
        return []
    lifecycle = {"delete_after_days": backup["retention_days"]}
    rule = {
        "rule_name": "%s-%s" % (spec["name"], backup["schedule"]),
        "target_backup_vault_name": vault_name(spec["name"]),
        "schedule_expression": SCHEDULES[backup["schedule"]],
        "start_window_minutes": 60,
        "completion_window_minutes": 24 * 60,
        "lifecycle": lifecycle,
        "enable_continuous_backup": bool(backup["pitr"]) and backup["retention_days"] <= CONTINUOUS_MAX_DAYS,
        "recovery_point_tags": {"env": spec["name"], "created_by": "envops-backup-plan"},
    }
    if spec.get("dr"):
        rule["copy_actions"] = [{
            "destination_backup_vault_arn": vault_arn(spec["name"], spec["account"]["id"], spec["dr"]["region"],
                                                      dr=True),
            "lifecycle": dict(lifecycle),
        }]
    return [rule]


def selection_tags(spec):
    """Everything tagged ``env=<env>`` is backed up by the plan (the roles tag every data store so)."""
    return [{"condition_type": "STRINGEQUALS", "condition_key": "env", "condition_value": spec["name"]}]
