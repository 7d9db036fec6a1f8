"""The pure logic of make bench-faults: medians and ratios per rate, a failed provision reported FAILED (never timed
as a success), the first failed task read from the JSON report, and the options checked."""

import pytest

from tools.bench_faults import Run, first_failure, parse_args, summary_lines


def test_medians_and_ratios_to_the_clean_runs():
    runs = [Run(0.0, 100.0, 0), Run(0.1, 120.0, 0), Run(0.0, 90.0, 0), Run(0.1, 130.0, 0), Run(0.0, 110.0, 0),
            Run(0.1, 110.0, 0)]
    assert summary_lines(runs) == ["  0 % throttling: median 100.0 s of 3 runs",
                                   " 10 % throttling: median 120.0 s of 3 runs 1.20x of 0 %"]


def test_the_lines_name_the_kind_of_fault():
    runs = [Run(0.0, 100.0, 0), Run(0.1, 150.0, 0)]
    assert summary_lines(runs, "5xx")[1] == " 10 % 5xx answers: median 150.0 s of 1 run 1.50x of 0 %"
    assert parse_args(["--kind", "5xx"]).kind == "5xx" and parse_args([]).kind == "throttle"


def test_a_failed_run_is_reported_failed_not_timed():
    runs = [Run(0.0, 100.0, 0), Run(0.3, 40.0, 2, failure="Ensure the KMS key: ThrottlingException"),
            Run(0.3, 150.0, 0)]
    lines = summary_lines(runs)
    assert lines[1] == " 30 % throttling: FAILED in 1 of 2 runs (first: Ensure the KMS key: ThrottlingException)"
    assert not Run(0.3, 40.0, 0, failure="no end within 3600 s").ok


def test_no_ratio_when_the_clean_runs_failed():
    runs = [Run(0.0, 100.0, 2, failure="x: y"), Run(0.1, 120.0, 0)]
    assert summary_lines(runs)[1] == " 10 % throttling: median 120.0 s of 1 run"


def test_the_first_failed_task_with_its_failed_items():
    report = {"plays": [{"tasks": [
        {"task": {"name": "network : Ensure the VPC"}, "hosts": {"dev": {"changed": True}}},
        {"task": {"name": "data : Ensure the KMS key of each data class"}, "hosts": {"dev": {
            "failed": True, "msg": "One or more items failed",
            "results": [{"failed": False}, {"failed": True, "msg": "ListKeyPolicies ... ThrottlingException\n"}]}}},
        {"task": {"name": "later"}, "hosts": {"dev": {"failed": True, "msg": "not the first"}}},
    ]}]}
    assert first_failure(report, "dev") == ("data : Ensure the KMS key of each data class: One or more items failed "
                                            "ListKeyPolicies ... ThrottlingException")
    assert first_failure(report, "prod") == "" and first_failure({}, "dev") == ""


def test_options_are_checked():
    assert parse_args([]).rates == [0.0, 0.1, 0.3]
    assert parse_args(["--rates", "0,20", "--runs", "1"]).rates == [0.0, 0.2]
    for bad in (["--runs", "0"], ["--rates", "ten"], ["--rates", "0,150"]):
        with pytest.raises(SystemExit):
            parse_args(bad)
