# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils import failover_plan as fp

GB = 1024 ** 3
DNS = {"zone": "merchant-ads.example.com", "record": "api", "primary_target": "p.example.com",
       "standby_target": "s.example.com", "ttl": 60}


def test_a_warm_standby_failover_of_1_gb_fits_prod_rto():
    out = fp.plan("failover", "warm_standby", GB, 60, 4 * 3600)
    assert [step["phase"] for step in out["steps"]] == ["detect", "decide", "restore", "restore", "validate",
                                                        "cut over"]
    load = next(step for step in out["steps"] if step["name"] == "newest backup loaded")
    assert load["expected_s"] == round(30 + 1024 / 40)  # 40 MiB/s
    assert out["expected_s"] == sum(step["expected_s"] for step in out["steps"]) and out["within_rto"]


def test_the_strategy_decides_how_long_the_database_takes_to_be_ready():
    ready = dict((strategy, fp.plan("failover", strategy, 0, 60, 3600)["steps"][2]["expected_s"])
                 for strategy in fp.STRATEGIES)
    assert ready == {"warm_standby": 0, "pilot_light": 600, "backup_restore": 1800}


def test_a_plan_longer_than_the_rto_says_so():
    out = fp.plan("failover", "backup_restore", 200 * GB, 300, 3600)
    assert not out["within_rto"]
    assert fp.render(out)[-1] == "RTO target 1h 0m 0s: EXCEEDED by the plan"


def test_failback_reseeds_the_primary_then_switches_back():
    out = fp.plan("failback", "warm_standby", GB, 60, 3600)
    assert [step["name"] for step in out["steps"]] == ["confirmation", "primary re-seeded", "data validated",
                                                       "records switched back"]


@pytest.mark.parametrize("args, message", [
    (("promote", "warm_standby", 0, 60, 60), "failover_action 'promote'"),
    (("failover", "hot", 0, 60, 60), "dr.strategy 'hot'"),
    (("failover", "warm_standby", -1, 60, 60), "must not be negative"),
])
def test_bad_input_is_named(args, message):
    with pytest.raises(fp.FailoverPlanError, match=message):
        fp.plan(*args)


def test_records_put_the_active_side_primary_each_with_its_own_target():
    normal = fp.records(DNS, "primary")
    assert [(r["failover"], r["value"], r["side"]) for r in normal] == [
        ("PRIMARY", "p.example.com", "primary"), ("SECONDARY", "s.example.com", "standby")]
    failed_over = fp.records(DNS, "standby")
    assert [(r["failover"], r["value"]) for r in failed_over] == [
        ("PRIMARY", "s.example.com"), ("SECONDARY", "p.example.com")]
    assert {r["record"] for r in failed_over} == {"api.merchant-ads.example.com"}
    with pytest.raises(fp.FailoverPlanError):
        fp.records(DNS, "both")


def test_render_lists_every_step_with_its_phase():
    lines = fp.render(fp.plan("failover", "warm_standby", GB, 60, 14400))
    assert lines[0].startswith("failover (warm_standby): expected ")
    assert lines[1] == "1. [detect] primary unhealthy: ~1m 30s - Route 53 sees 3 failed health checks 30 s apart"
    assert lines[-1] == "RTO target 4h 0m 0s: fits"


def test_outcome_puts_each_measured_phase_next_to_its_expected_time():
    from datetime import datetime, timedelta, timezone
    start = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    planned = fp.plan("failover", "warm_standby", GB, 60, 300)
    phases = {"restore": (start, start + timedelta(seconds=40)),
              "cut over": (start + timedelta(seconds=40), start + timedelta(seconds=50))}
    out = fp.outcome(planned, start, phases)
    rows = dict((row["phase"], (row["expected_s"], row["actual_s"])) for row in out["phases"])
    assert rows["restore"] == (round(30 + 1024 / 40), 40.0) and rows["cut over"] == (120, 10.0)
    assert rows["detect"][1] is None and out["actual_s"] == 50.0 and out["within_rto"]
    assert not fp.outcome(dict(planned, rto_target_s=30), start, phases)["within_rto"]
