"""The pure logic of the masking benchmarks: medians, the faster baseline, the target lines (a missed target says
MISSED), and the translation of the masking policy into the peers' own configurations."""

import pytest
import yaml

from tools import bench_peers, bench_targets
from tools.masking_dataset_clinic import luhn_complete, luhn_valid

REPO_POLICY = "inventories/prod/host_vars/prod/masking_policy.yml"


def test_median_of_odd_and_even_counts():
    assert bench_targets.median([31.0, 17.2, 18.9]) == 18.9
    assert bench_targets.median([4.0, 1.0, 3.0, 2.0]) == 2.5
    with pytest.raises(ValueError):
        bench_targets.median([])


def test_the_faster_baseline_is_the_one_with_fewer_seconds():
    assert bench_targets.faster_baseline({"plain": 17.1, "dump_restore": 15.8}) == ("dump_restore", 15.8)
    assert bench_targets.faster_baseline({"plain": 12.0, "dump_restore": 15.8}) == ("plain", 12.0)
    with pytest.raises(ValueError):
        bench_targets.faster_baseline({})


@pytest.mark.parametrize("value,limit,strict,expected", [
    (2.0, 2.0, False, "met"), (2.01, 2.0, False, "MISSED"), (299.9, 300.0, True, "met"),
    (300.0, 300.0, True, "MISSED"),
])
def test_verdict_says_met_or_missed(value, limit, strict, expected):
    line = bench_targets.verdict("masking stage", value, limit, "x", strict=strict)
    assert line.endswith(" " + expected)
    assert line.startswith("target masking stage %s %.2fx: %.2fx" % ("<" if strict else "<=", limit, value))


def test_targets_are_the_ones_set():
    assert (bench_targets.MASKING_STAGE_X, bench_targets.WHOLE_REFRESH_X, bench_targets.PEAK_RSS_MB,
            bench_targets.DYNAMODB_X) == (2.0, 3.0, 300.0, 1.3)


@pytest.fixture(scope="module")
def tables():
    with open(REPO_POLICY) as handle:
        return yaml.safe_load(handle)["envops_masking_policy"]["postgresql"]["tables"]


def test_pynonymizer_strategy_covers_every_masked_column_and_no_kept_one(tables):
    strategy, notes = bench_peers.pynonymizer_strategy(tables)
    by_table = {"%s.%s" % (entry["schema"], entry["table_name"]): entry for entry in strategy["tables"]}
    assert set(by_table) == set(tables)
    for qualified, columns in tables.items():
        masked = {column for column, rule in columns.items() if rule != "keep"}
        assert set(by_table[qualified]["columns"]) == masked, qualified
        assert by_table[qualified]["type"] == "UPDATE_COLUMNS"
    customers = by_table["public.customers"]["columns"]
    assert customers["email"] == "unique_email"
    assert customers["first_name"] == "first_name" and customers["full_name"] == "name"
    assert customers["ssn"] == "(NULL)"
    assert customers["date_of_birth"] == '''(date_trunc('year', "date_of_birth")::date)'''
    assert customers["phone"] == '''(regexp_replace(left("phone", -4), '[0-9]', 'x', 'g') || right("phone", 4))'''
    # every literal is an SQL expression in parentheses, the form pynonymizer takes as a literal
    literals = [value for entry in strategy["tables"] for value in entry["columns"].values() if "(" in value]
    assert all(value.startswith("(") and value.endswith(")") for value in literals)
    assert any("public.customers.profile: JSON document replaced by {}" in note for note in notes)
    assert any("public.orders.notes: scrub of emails and phone numbers only" in note for note in notes)


def test_pynonymizer_constant_is_quoted():
    strategy, _notes = bench_peers.pynonymizer_strategy(
        {"app.t": {"id": "keep", "c": {"rule": "constant", "value": "it's"}}})
    assert strategy["tables"] == [{"table_name": "t", "schema": "app", "type": "UPDATE_COLUMNS",
                                   "columns": {"c": "('it''s')"}}]


def test_pganonymize_schema_covers_every_masked_column(tables):
    schema, notes = bench_peers.pganonymize_schema(tables)
    by_table = {name: entry for item in schema["tables"] for name, entry in item.items()}
    assert set(by_table) == {"customers", "orders"}  # public tables by their bare name
    for qualified, columns in tables.items():
        entry = by_table[qualified.split(".")[1]]
        assert entry["primary_key"] == "id"
        fields = {name: field["provider"] for item in entry["fields"] for name, field in item.items()}
        assert set(fields) == {column for column, rule in columns.items() if rule != "keep"}
    customers = {name: field["provider"] for item in by_table["customers"]["fields"] for name, field in item.items()}
    assert customers["email"] == {"name": "md5"}
    assert customers["ssn"] == {"name": "clear"}
    assert customers["phone"] == {"name": "partial_mask", "sign": "x", "unmasked_left": 1, "unmasked_right": 4}
    assert customers["first_name"] == {"name": "fake.first_name"}
    assert any("public.customers.notes: free text replaced by a Faker sentence" in note for note in notes)


def test_peer_version_says_why_when_there_is_no_virtualenv(tmp_path):
    version, reason = bench_peers.peer_version("pynonymizer", tmp_path / "absent")
    assert version is None and "no virtualenv at %s" % (tmp_path / "absent") in reason


def test_clinic_card_numbers_are_luhn_valid():
    assert luhn_complete("400000000000000") == "4000000000000002"
    assert luhn_valid("4000 0000 0000 0002") and not luhn_valid("4000 0000 0000 0003")
    assert luhn_valid("4539 1488 0343 6467")  # a published test number


def test_summary_takes_medians_and_splits_the_masked_runs():
    from tools.bench_masking import summarize

    masked = [{"wall_seconds": wall, "verification": {"seconds": verify}, "peak_rss_mb": rss, "peak_rss_mb_self": 40}
              for wall, verify, rss in ((50.0, 20.0, 101.0), (44.0, 21.0, 99.0), (47.0, 19.0, 120.0))]
    plain = [{"wall_seconds": wall, "peak_rss_mb": 80, "peak_rss_mb_self": 40} for wall in (17.0, 15.0, 16.0)]
    summary = summarize({"masked_copy": masked, "plain": plain})
    assert summary["masked_copy"]["runs"] == [30.0, 23.0, 28.0] and summary["masked_copy"]["seconds"] == 28.0
    assert summary["whole_refresh"]["seconds"] == 47.0
    assert summary["whole_refresh"]["peak_rss_mb"] == 120.0  # the largest of the runs, not the median
    assert summary["plain"]["seconds"] == 16.0
