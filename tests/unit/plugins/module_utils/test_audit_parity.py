"""The parity diff of two environments: what their specs declare differently, apart from drift."""

import copy

from ansible_collections.envops.aws.plugins.module_utils import audit_checks as ac
from ansible_collections.envops.aws.plugins.module_utils import audit_parity as ap

from test_audit_checks import normalised

STAGING = normalised("staging")
PROD = normalised("prod")


def test_declared_differences_are_settings_never_identities():
    fields = {row["field"]: (row["a"], row["b"]) for row in ap.declared_differences(STAGING, PROD)}
    assert fields["data.database.instance_class"] == (STAGING["data"]["database"]["instance_class"],
                                                      PROD["data"]["database"]["instance_class"])
    assert fields["backup.retention_days"] == (STAGING["backup"]["retention_days"], PROD["backup"]["retention_days"])
    assert fields["monitoring.alarms.rds_cpu_percent.critical"][1] == 85
    for identity in ("name", "region", "account.id", "network.vpc_cidr", "tags.env", "data.database.database_name"):
        assert identity not in fields


def test_the_same_spec_declares_no_difference():
    assert ap.declared_differences(PROD, copy.deepcopy(PROD)) == []


def test_a_table_only_one_spec_has_is_a_declared_difference():
    other = copy.deepcopy(PROD)
    other["data"]["dynamodb_tables"] = other["data"]["dynamodb_tables"][:1]
    fields = [row["field"] for row in ap.declared_differences(PROD, other)]
    assert "data.dynamodb_tables[product-feeds]" in fields


def test_drift_is_each_environments_failed_checks_and_lines_keep_them_apart():
    staging_results = [ac.result("backup.pitr.dynamodb", ac.HIGH, "dynamodb:staging-t",
                                 ["point-in-time recovery is DISABLED"], {}),
                       ac.result("encryption.rds", ac.HIGH, "rds:staging-postgres", [], {})]
    prod_results = [ac.result("encryption.rds", ac.HIGH, "rds:prod-postgres", [], {})]
    diff = ap.parity(STAGING, PROD, staging_results, prod_results)
    assert diff["drift"] == {"staging": [{"id": "backup.pitr.dynamodb", "severity": "high",
                                          "resource": "dynamodb:staging-t",
                                          "message": "point-in-time recovery is DISABLED"}], "prod": []}
    lines = ap.parity_lines(diff)
    assert lines[0] == "parity staging vs prod: %d declared differences, drift staging=1 prod=0" % len(diff["declared"])
    assert 'declared backup.retention_days: staging=%d prod=%d' % (
        STAGING["backup"]["retention_days"], PROD["backup"]["retention_days"]) in lines
    assert lines[-1] == ("drift staging backup.pitr.dynamodb (high) dynamodb:staging-t: point-in-time recovery is "
                         "DISABLED")
