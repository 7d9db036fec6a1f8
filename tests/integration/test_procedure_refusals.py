"""What an operator passes a procedure is checked before any AWS call, and a procedure never succeeds silently.

Every case runs the real playbook against a moto server of this module's own and reads its call counter: a refused
run makes no AWS call but those of its audit record (CloudWatch Logs), and leaves that record (read back here) and its
evidence in the report directory. A run that would act on no environment fails instead of exiting 0 with a warning.
"""

import json
from datetime import datetime, timedelta, timezone

import pytest

from harness import audit_records, calls_besides_the_audit, run_playbook
from tools.local_inventory import fresh_account_id, load_spec, write_inventory
from tools.stack.state import calls, reset_calls

REGION = load_spec("prod")["region"]


@pytest.fixture(scope="module")
def moto_url(private_moto):
    # a server of this module's own: its call counter sees only these runs (other modules run in parallel)
    return private_moto


@pytest.fixture(scope="module")
def accounts():
    return dict((name, fresh_account_id()) for name in ("prod", "staging", "test", "dr"))


@pytest.fixture(scope="module")
def inventory(tmp_path_factory, moto_url, accounts):
    return write_inventory(tmp_path_factory.mktemp("estate"), moto_url,
                           dict((name, (None, account)) for name, account in accounts.items()))


def every_failure(run):
    return "\n".join(message for host in run.report.get("stats", {}) for message in run.failure_messages(host))


def utc(delta):
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_refused_and_recorded(run, moto_url, accounts, tmp_path, env, procedure, expected):
    """Refused naming the variable and rule, no AWS call but the audit record's, the record and the evidence there."""
    message = "\n".join(run.failure_messages(env))
    assert run.rc != 0, run.stdout[-3000:]
    for text in expected:
        assert text in message, message or run.stdout[-3000:]
    assert calls_besides_the_audit(calls(moto_url)) == {}
    records = audit_records(moto_url, accounts[env], load_spec(env)["region"], env, procedure.replace("_", "-"))
    record = records[-1] if records else {}
    assert record.get("report", "").startswith(str(tmp_path)), records  # this run's, in the environment's account
    assert record["refused"] is True and record["procedure"] == procedure and record["target"] == env
    assert any(text in problem for text in expected for problem in record["problems"]), record
    assert record["operator"] and record["refused_at"].endswith("Z")
    (evidence,) = tmp_path.glob("%s-%s-refused-*.json" % (procedure.replace("_", "-"), env))
    assert json.loads(evidence.read_text())["problems"] == record["problems"]


# --- a procedure that would act on no environment fails --------------------------------------------------------------

@pytest.mark.parametrize("targets,limit,expected", [
    ("nosuch", None, "refresh_targets names no environment of the inventory: nosuch (environments: "),
    ("staging,nosuch", None, "refresh_targets names no environment of the inventory: nosuch"),
    ("", None, "refresh_targets is empty: name the environments, e.g. -e refresh_targets="),
    ("staging", "prod", "--limit prod leaves out staging of refresh_targets"),
    ("staging", "staging", "--limit staging leaves out prod of refresh_masked_source"),
], ids=["unknown", "one-unknown", "empty", "limit-leaves-no-target", "limit-leaves-no-source"])
def test_a_refresh_of_no_target_fails_before_any_aws_call(inventory, moto_url, tmp_path, targets, limit, expected):
    reset_calls(moto_url)
    run = run_playbook("refresh_masked.yml", inventory, limit=limit,
                       extra_vars={"refresh_targets": targets, "envops_report_dir": str(tmp_path)})
    assert run.rc != 0, run.stdout[-3000:]
    assert expected in every_failure(run), every_failure(run) or run.stdout[-3000:]
    assert calls(moto_url)["total"] == 0, calls(moto_url)["by_action"]


@pytest.mark.parametrize("playbook", ["dr_drill.yml", "backup.yml", "teardown.yml", "drill_markers.yml"])
def test_a_procedure_on_an_inventory_without_environments_fails(tmp_path, moto_url, playbook):
    empty = tmp_path / "hosts.yml"
    empty.write_text("envops_environments:\n  hosts: {}\n")
    run = run_playbook(playbook, empty)
    assert run.rc != 0, run.stdout[-3000:]
    assert "the inventory has no environment (group envops_environments is empty)" in every_failure(run)


# --- malformed or out-of-range variables, refused before any call and recorded ---------------------------------------

@pytest.mark.parametrize("run_id", ["../../x", "a'b", 'a"b', "r1\n"], ids=["dot-dot", "quote", "double-quote",
                                                                           "newline"])
def test_a_bad_refresh_run_id_is_refused_before_any_call_and_recorded(
        inventory, moto_url, accounts, tmp_path, run_id):
    reset_calls(moto_url)
    run = run_playbook("refresh_masked.yml", inventory, extra_vars={
        "refresh_targets": "staging", "refresh_masked_run_id": run_id, "envops_report_dir": str(tmp_path)})
    assert_refused_and_recorded(run, moto_url, accounts, tmp_path, "staging", "refresh_masked", [
        "refusing to refresh staging from prod, nothing was read or changed",
        "refresh_masked_run_id %s: 1-20 lower case letters and digits" % json.dumps(run_id)])


def test_a_scratch_instance_open_to_the_world_is_refused(inventory, moto_url, accounts, tmp_path):
    reset_calls(moto_url)
    run = run_playbook("refresh_masked.yml", inventory, extra_vars={
        "refresh_targets": "staging", "refresh_masked_controller_cidrs": ["0.0.0.0/0"],
        "envops_report_dir": str(tmp_path)})
    assert_refused_and_recorded(run, moto_url, accounts, tmp_path, "staging", "refresh_masked", [
        'refresh_masked_controller_cidrs ["0.0.0.0/0"]: a list of CIDRs'])


def test_a_refused_flow_is_recorded_in_the_target_account(inventory, moto_url, accounts, tmp_path):
    reset_calls(moto_url)
    run = run_playbook("refresh_masked.yml", inventory, extra_vars={
        "refresh_targets": "dr", "envops_report_dir": str(tmp_path)})
    assert_refused_and_recorded(run, moto_url, accounts, tmp_path, "dr", "refresh_masked", [
        "the target 'dr' is a dr environment: it holds live data"])


RESTORE_CASES = [
    ({"restore_kind": "s3_versions", "restore_bucket_purpose": "exports", "restore_point": utc(-timedelta(hours=1)),
      "restore_prefix": "../reports/"}, 'restore_prefix "../reports/": an S3 key prefix'),
    ({"restore_kind": "s3_versions", "restore_bucket_purpose": "../exports", "restore_point": utc(-timedelta(hours=1))},
     'restore_bucket_purpose "../exports": a bucket purpose of the spec'),
    ({"restore_kind": "rds_pitr", "restore_point": utc(timedelta(days=1))}, "is in the future"),
    ({"restore_kind": "rds_pitr", "restore_point": utc(-timedelta(days=40))},
     "is before the oldest restorable point"),
    ({"restore_kind": "dynamodb_pitr", "restore_table": "user-activity", "restore_point": utc(-timedelta(days=36))},
     "(the DynamoDB point-in-time window: 35 days)"),
    ({"restore_kind": "rds_pitr", "restore_point": "2026-11-23T09:00:00+02:00"}, "is not in UTC (+02:00)"),
    ({"restore_kind": "rds_snapshot", "restore_snapshot": "x'; drop"}, "restore_snapshot \"x'; drop\": an RDS snapshot"),
    ({"restore_kind": "logical", "restore_backup_id": "../other"}, 'restore_backup_id "../other": 1-128 letters'),
    ({"restore_kind": "logical", "restore_database": 'app"; drop'}, 'restore_database "app\\"; drop": a PostgreSQL'),
    ({"restore_kind": "dynamodb_pitr", "restore_table": "../t"}, 'restore_table "../t": a table\'s spec name'),
    ({"restore_kind": "rds_pitr", "restore_id": "p1\n"}, 'restore_id "p1\\n": 1-20 lower case letters and digits'),
    ({"restore_kind": "rds_pitr", "restore_replace": "ture", "restore_confirm": "prod"},
     'restore_replace "ture": true or false'),
]


@pytest.mark.parametrize("extra,expected", RESTORE_CASES, ids=[
    "prefix-dot-dot", "purpose", "point-future", "point-before-retention", "point-before-dynamodb-window",
    "point-not-utc", "snapshot", "backup-id", "database", "table", "restore-id-newline", "replace-typo"])
def test_a_bad_restore_request_is_refused_before_any_call_and_recorded(
        inventory, moto_url, accounts, tmp_path, extra, expected):
    reset_calls(moto_url)
    run = run_playbook("restore.yml", inventory, limit="prod", extra_vars=dict(extra, envops_report_dir=str(tmp_path)))
    assert_refused_and_recorded(run, moto_url, accounts, tmp_path, "prod", "restore", [
        expected, "refusing to restore prod, nothing was restored or changed"])


@pytest.mark.parametrize("extra,expected", [
    ({"dr_drill_point": utc(timedelta(hours=2))}, "dr_drill_point"),
    ({"dr_drill_s3_prefix": "../"}, 'dr_drill_s3_prefix "../": an S3 key prefix'),
    ({"dr_drill_database": "app; drop"}, 'dr_drill_database "app; drop": a PostgreSQL database name'),
    ({"dr_drill_id": "d1\n"}, 'dr_drill_id "d1\\n": 1-32 letters and digits'),
], ids=["point-future", "prefix", "database", "id-newline"])
def test_a_bad_drill_request_is_refused_before_any_call_and_recorded(
        inventory, moto_url, accounts, tmp_path, extra, expected):
    reset_calls(moto_url)
    run = run_playbook("dr_drill.yml", inventory, limit="prod", extra_vars=dict(extra, envops_report_dir=str(tmp_path)))
    assert_refused_and_recorded(run, moto_url, accounts, tmp_path, "prod", "dr_drill", [
        expected, "refusing to drill prod, nothing was read or changed"])


@pytest.mark.parametrize("extra,expected", [
    ({"failover_confirm": "prod\n"}, "set failover_confirm=prod to confirm"),
    ({"failover_confirm": "prod", "failover_id": "../x"}, 'failover_id "../x": 1-20 lower case letters'),
    ({"failover_confirm": "prod", "failover_health_url": "file:///etc/passwd"}, 'failover_health_url "file:///etc/'),
    ({"failover_confirm": "prod", "failover_action": "fail-over"}, 'failover_action "fail-over": failover or failback'),
], ids=["confirm-newline", "id", "health-url", "action"])
def test_a_bad_failover_request_is_refused_before_any_call_and_recorded(
        inventory, moto_url, accounts, tmp_path, extra, expected):
    reset_calls(moto_url)
    run = run_playbook("failover.yml", inventory, limit="prod",
                       extra_vars=dict(extra, envops_report_dir=str(tmp_path)))
    assert_refused_and_recorded(run, moto_url, accounts, tmp_path, "prod", "failover", [
        expected, "nothing was read or changed"])


@pytest.mark.parametrize("playbook,procedure,extra,expected", [
    ("backup.yml", "backup", {"logical_backup_id": "../other"}, 'logical_backup_id "../other": 1-128 letters'),
    ("backup.yml", "backup", {"logical_backup_prefix": "../postgres/"}, 'logical_backup_prefix "../postgres/"'),
    ("drill_markers.yml", "drill_markers", {"drill_markers_database": "app; drop"},
     'drill_markers_database "app; drop": a PostgreSQL database name'),
    ("drill_markers.yml", "drill_markers", {"drill_markers_s3": "flase"}, 'drill_markers_s3 "flase": true or false'),
], ids=["backup-id", "backup-prefix", "markers-database", "markers-typo"])
def test_a_bad_backup_or_marker_request_is_refused_before_any_call_and_recorded(
        inventory, moto_url, accounts, tmp_path, playbook, procedure, extra, expected):
    reset_calls(moto_url)
    run = run_playbook(playbook, inventory, limit="prod", extra_vars=dict(extra, envops_report_dir=str(tmp_path)))
    assert_refused_and_recorded(run, moto_url, accounts, tmp_path, "prod", procedure, [expected])
