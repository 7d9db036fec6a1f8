# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The steps of a failover to the DR environment (or a failback), with their expected durations, and the Route 53
failover records of each side.

The phases are those a DR drill measures: detect, decide, restore, validate, cut over. Expected durations are
estimates from the data size and the DR strategy (a warm standby only loads data; a pilot light also starts its
database; backup-and-restore builds it first), so check mode can say before anything moves whether the plan fits
the RTO target. The playbook then measures each step, and the report puts the actual next to the expected.

The records: the name has a PRIMARY and a SECONDARY failover record, each with the health check of its own target.
Failing over makes the standby's target PRIMARY; failing back makes the primary's PRIMARY again. Route 53 still
answers with the SECONDARY when the PRIMARY's health check fails, so neither side is ever without an answer.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envops.aws.plugins.module_utils.drill_measure import human

ACTIONS = ("failover", "failback")
STRATEGIES = ("backup_restore", "pilot_light", "warm_standby")
# Seconds to have a database ready to load data into, per strategy (a warm standby's runs already; a pilot light's
# is started from its stopped state; backup-and-restore creates one from the newest copied snapshot).
DATABASE_READY_S = {"warm_standby": 0, "pilot_light": 600, "backup_restore": 1800}
RESTORE_BYTES_PER_S = 40 * 1024 * 1024  # pg_restore of a custom-format dump, 2 vCPU, measured locally
VALIDATE_BYTES_PER_S = 160 * 1024 * 1024  # counts and checksums read back
FIXED_S = 30  # per data step: connections, manifest, S3 round trips
PROPAGATION_S = 60  # Route 53 change to INSYNC


class FailoverPlanError(ValueError):
    pass


def _step(phase, name, expected_s, what):
    return {"phase": phase, "name": name, "expected_s": int(round(expected_s)), "what": what}


def plan(action, strategy, database_bytes, ttl, rto_target_s, health_interval_s=30, failure_threshold=3):
    """The steps of ``action`` and whether their expected total fits ``rto_target_s``."""
    if action not in ACTIONS:
        raise FailoverPlanError("failover_action %r: one of %s" % (action, ", ".join(ACTIONS)))
    if strategy not in STRATEGIES:
        raise FailoverPlanError("dr.strategy %r: one of %s" % (strategy, ", ".join(STRATEGIES)))
    if database_bytes < 0 or ttl < 0:
        raise FailoverPlanError("database_bytes and ttl must not be negative")
    load_s = FIXED_S + float(database_bytes) / RESTORE_BYTES_PER_S
    check_s = FIXED_S + float(database_bytes) / VALIDATE_BYTES_PER_S
    cutover_s = ttl + PROPAGATION_S
    if action == "failover":
        steps = [
            _step("detect", "primary unhealthy", health_interval_s * failure_threshold,
                  "Route 53 sees %d failed health checks %d s apart" % (failure_threshold, health_interval_s)),
            _step("decide", "confirmation", 0, "the operator runs the failover with the environment's name"),
            _step("restore", "standby database ready", DATABASE_READY_S[strategy], "%s: %s" % (strategy, {
                "warm_standby": "running already", "pilot_light": "started from its stopped state",
                "backup_restore": "created from the newest copied snapshot"}[strategy])),
            _step("restore", "newest backup loaded", load_s, "newest logical backup restored into the standby"),
            _step("validate", "data validated", check_s, "row counts and checksums against the manifest"),
            _step("cut over", "records switched", cutover_s, "the standby becomes PRIMARY; TTL + propagation"),
        ]
    else:
        steps = [
            _step("decide", "confirmation", 0, "the operator runs the failback with the environment's name"),
            _step("restore", "primary re-seeded", 2 * load_s,
                  "backup of the standby, restored into the primary (the primary's old data kept)"),
            _step("validate", "data validated", check_s, "row counts and checksums against the manifest"),
            _step("cut over", "records switched back", cutover_s, "the primary becomes PRIMARY again"),
        ]
    total = sum(step["expected_s"] for step in steps)
    return {"action": action, "strategy": strategy, "steps": steps, "expected_s": total,
            "rto_target_s": int(rto_target_s), "within_rto": total <= rto_target_s}


def records(dns, active):
    """The two failover records of ``dns`` (the spec's section) with ``active`` ("primary" or "standby") first."""
    if active not in ("primary", "standby"):
        raise FailoverPlanError("active %r: primary or standby" % active)
    name = "%s.%s" % (dns["record"], dns["zone"])
    targets = {"primary": dns["primary_target"], "standby": dns["standby_target"]}
    passive = "standby" if active == "primary" else "primary"
    return [
        {"record": name, "failover": "PRIMARY", "identifier": "%s-primary" % dns["record"], "value": targets[active],
         "side": active},
        {"record": name, "failover": "SECONDARY", "identifier": "%s-secondary" % dns["record"],
         "value": targets[passive], "side": passive},
    ]


def render(plan_result):
    """The plan as lines for a person: one per step, then the total against the RTO."""
    lines = ["%s (%s): expected %s" % (plan_result["action"], plan_result["strategy"], human(plan_result["expected_s"]))]
    for number, step in enumerate(plan_result["steps"], 1):
        lines.append("%d. [%s] %s: ~%s - %s" % (
            number, step["phase"], step["name"], human(step["expected_s"]), step["what"]))
    lines.append("RTO target %s: %s" % (human(plan_result["rto_target_s"]),
                                        "fits" if plan_result["within_rto"] else "EXCEEDED by the plan"))
    return lines


def outcome(plan_result, started, phases):
    """Measured against planned: ``phases`` maps a phase to ``(started, ended)`` datetimes; the result lists every
    phase of the plan with its expected and actual seconds (None: not measured, e.g. detection before the run),
    the actual total from ``started`` to the last end, and whether it fits the RTO target."""
    expected = {}
    for step in plan_result["steps"]:
        expected[step["phase"]] = expected.get(step["phase"], 0) + step["expected_s"]
    rows = []
    for phase in expected:
        measured = phases.get(phase)
        actual = None if measured is None else round((measured[1] - measured[0]).total_seconds(), 3)
        rows.append({"phase": phase, "expected_s": expected[phase], "actual_s": actual})
    ends = [ended for _started, ended in phases.values()]
    total = round((max(ends) - started).total_seconds(), 3) if ends else 0.0
    return {"phases": rows, "actual_s": total, "rto_target_s": plan_result["rto_target_s"],
            "within_rto": total <= plan_result["rto_target_s"]}
