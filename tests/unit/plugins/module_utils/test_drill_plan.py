# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.envops.aws.plugins.module_utils.drill_plan import bucket_rows
from ansible_collections.envops.aws.plugins.module_utils.drill_plan import critical_buckets
from ansible_collections.envops.aws.plugins.module_utils.drill_plan import s3_stores
from ansible_collections.envops.aws.plugins.module_utils.drill_plan import scratch_tables
from ansible_collections.envops.aws.plugins.module_utils.drill_plan import table_rows

BUCKETS = [{"purpose": "assets", "bucket": "b-assets"}, {"purpose": "exports", "bucket": "b-exports"}]


def test_scratch_tables_take_the_live_table_of_the_parameter_and_the_marker_table_last():
    pairs = scratch_tables("prod", ["sessions", "orders"], "envops-drill-markers",
                           {"sessions": "prod-sessions.r20261201"}, "prod-drill-d1-")
    assert pairs == [
        {"name": "sessions", "source": "prod-sessions.r20261201", "restore_into": "prod-drill-d1-sessions"},
        {"name": "orders", "source": "prod-orders", "restore_into": "prod-drill-d1-orders"},
        {"name": "envops-drill-markers", "source": "prod-envops-drill-markers",
         "restore_into": "prod-drill-d1-envops-drill-markers"}]
    assert scratch_tables("dev", [], "m", None, "p-") == [{"name": "m", "source": "dev-m", "restore_into": "p-m"}]


def test_critical_buckets_only_named_by_the_given_function():
    buckets = [{"purpose": "assets", "critical": True}, {"purpose": "logs", "critical": False}, {"purpose": "exports"}]
    assert critical_buckets(buckets, lambda purpose: "b-" + purpose) == [{"purpose": "assets", "bucket": "b-assets"}]
    assert critical_buckets(None, str) == []


def test_s3_stores_pair_each_bucket_with_its_results_in_loop_order():
    restores = [{"validated": True}, {"validated": False}]
    before = [{"markers": [{"id": "a1", "written_at": "t"}]}, {"markers": [{"id": "e1", "written_at": "t"}]}]
    after = [{"markers": [{"id": "a1"}]}, {"markers": []}]
    assert s3_stores(BUCKETS, restores, before, after, "2026-12-05T10:00:00+00:00") == [
        {"store": "s3 assets", "markers": [{"id": "a1", "written_at": "t"}], "found": ["a1"],
         "validated_at": "2026-12-05T10:00:00+00:00"},
        {"store": "s3 exports", "markers": [{"id": "e1", "written_at": "t"}], "found": [], "validated_at": None}]


def test_s3_stores_of_loops_that_did_not_run_have_nothing():
    # a drill that failed before the S3 restores: no results at all, or skipped items without fields
    for results in ([], [{"skipped": True}, {"skipped": True}]):
        assert s3_stores(BUCKETS, results, results, results, "t") == [
            {"store": "s3 assets", "markers": [], "found": [], "validated_at": None},
            {"store": "s3 exports", "markers": [], "found": [], "validated_at": None}]


def test_report_rows_only_of_restores_that_gave_their_figures():
    tables = [{"item": {"source": "prod-orders"}, "table": {"name": "prod-drill-d1-orders"},
               "digest": {"items": 3, "checksum": "c"}, "source_digest": {"items": 4, "checksum": "d"}},
              {"item": {"source": "prod-sessions"}, "table": {"name": "prod-drill-d1-sessions"},
               "digest": {"items": 1, "checksum": "e"}},
              {"item": {"source": "prod-x"}, "skipped": True}]
    assert table_rows(tables) == [
        {"live": "prod-orders", "restored": "prod-drill-d1-orders", "digest": {"items": 3, "checksum": "c"},
         "live_now": {"items": 4, "checksum": "d"}},
        {"live": "prod-sessions", "restored": "prod-drill-d1-sessions", "digest": {"items": 1, "checksum": "e"},
         "live_now": None}]
    buckets = [{"item": {"bucket": "b-assets"}, "validated": True, "summary": {"objects_at_point": 2}},
               {"item": {"bucket": "b-exports"}, "failed": True}]
    assert bucket_rows(buckets, "2026-12-05T10:00:00+00:00", "envops-drill/d1/") == [
        {"bucket": "b-assets", "point": "2026-12-05T10:00:00+00:00", "restored_under": "envops-drill/d1/",
         "validated": True, "summary": {"objects_at_point": 2}}]
    assert table_rows(None) == [] and bucket_rows(None, "t", "s") == []
