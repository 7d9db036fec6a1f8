# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.envops.aws.plugins.filter.drill_evidence import drill_evidence
from ansible_collections.envops.aws.plugins.filter.drill_plan import drill_plan

ENV = {"name": "prod", "account": {"id": "111111111111"},
       "data": {"dynamodb_tables": [{"name": "sessions"}],
                "buckets": [{"purpose": "assets", "critical": True}, {"purpose": "logs"}]}}


def test_plan_names_the_scratch_tables_and_the_critical_buckets_as_role_buckets_does():
    plan = drill_plan(ENV, {}, "envops-drill-markers", "prod-drill-d1-")
    assert [pair["restore_into"] for pair in plan["tables"]] == ["prod-drill-d1-sessions", "prod-drill-d1-envops-drill-markers"]
    assert plan["buckets"] == [{"purpose": "assets", "bucket": "envops-prod-111111111111-assets"}]
    assert drill_plan({"name": "dev", "account": {"id": "2"}}, {}, "m", "p-") == {
        "tables": [{"name": "m", "source": "dev-m", "restore_into": "p-m"}], "buckets": []}


def test_evidence_of_a_drill_whose_restores_did_not_run():
    evidence = drill_evidence({"buckets": [{"purpose": "assets", "bucket": "b"}], "s3_validated_at": None,
                               "s3_point": "t", "s3_scratch": "envops-drill/d1/"})
    assert evidence == {"s3_stores": [{"store": "s3 assets", "markers": [], "found": [], "validated_at": None}],
                        "tables": [], "buckets": []}
