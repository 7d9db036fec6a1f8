"""verify_masked_copy (plugins/module_utils/masking_pg_verify.py) on the real PostgreSQL of the local stack: it
passes a masked copy made with the prod policy, and catches a weakened rule, a row left unmasked, an orphan and
a missing row, without any value in its report."""

import json
import re
import secrets

import psycopg
import pytest
import yaml

from harness import REPO
from tools.collection_path import import_collection
from tools.masking_dataset import create_dataset, drop_database, recreate_database
from tools.stack.state import pg_dsn

masking_pg_copy = import_collection("plugins.module_utils.masking_pg_copy")
masking_pg_refresh = import_collection("plugins.module_utils.masking_pg_refresh")
masking_pg_verify = import_collection("plugins.module_utils.masking_pg_verify")
masking_policy = import_collection("plugins.module_utils.masking_policy")

RAW_POLICY = yaml.safe_load((REPO / "inventories/prod/host_vars/prod/masking_policy.yml").read_text())[
    "envops_masking_policy"]
POLICY = masking_policy.load_policy(RAW_POLICY)
KEY = secrets.token_bytes(32)


def _name(prefix):
    return "%s_%s" % (prefix, secrets.token_hex(4))


@pytest.fixture(scope="module")
def admin_dsn(stack):
    return pg_dsn("postgres")


@pytest.fixture(scope="module")
def source(admin_dsn):
    name = _name("masking_verify_src")
    figures = create_dataset(admin_dsn, name, 1500, 3, seed=5)
    with psycopg.connect(figures["dsn"], autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    yield figures["dsn"]
    drop_database(admin_dsn, name)


@pytest.fixture
def masked(admin_dsn, source):
    """A fresh masked copy per test (tests damage it)."""
    def make(policy=POLICY):
        name = _name("masking_verify_dst")
        made.append(name)
        target = recreate_database(admin_dsn, name)
        masking_pg_copy.masked_copy(source, target, policy, KEY, jobs=2)
        return target
    made = []
    yield make
    for name in made:
        drop_database(admin_dsn, name)


def _execute(dsn, sql):
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql)


def _source_values(source, sql):
    with psycopg.connect(source, autocommit=True) as connection:
        return [row[0] for row in connection.execute(sql).fetchall()]


def test_a_masked_copy_passes(masked, source):
    report = masking_pg_verify.verify_masked_copy(source, masked(), POLICY)
    assert report["passed"], report["failures"]
    tables = {t["table"]: t for t in report["tables"]}
    assert set(tables) == {"public.customers", "public.orders"}
    assert tables["public.customers"]["figures"]["source_rows"] == 1500
    assert tables["public.orders"]["figures"]["target_rows"] == 4500
    k_anonymity = tables["public.customers"]["figures"]["k_anonymity"]
    assert k_anonymity["quasi_identifiers"] == ["date_of_birth", "zip", "city"]
    assert k_anonymity["smallest_group"] >= 1
    assert report["figures"]["orphans:orders_customer_id_fkey"] == 0


def test_no_source_value_in_the_report(masked, source):
    report = json.dumps(masking_pg_verify.verify_masked_copy(source, masked(), POLICY))
    emails = _source_values(source, "SELECT email FROM customers")
    names = _source_values(source, "SELECT last_name FROM customers")
    assert not [value for value in emails + names if value in report]


def test_a_weakened_rule_is_caught(masked, source):
    weak = json.loads(json.dumps(RAW_POLICY))
    weak["postgresql"]["tables"]["public.customers"]["last_name"] = "keep"
    weak["postgresql"]["tables"]["public.orders"]["notes"] = "keep"

    report = masking_pg_verify.verify_masked_copy(source, masked(masking_policy.load_policy(weak)), POLICY)

    assert not report["passed"]
    failures = "\n".join(report["failures"])
    assert "public.customers: last_name (substitute): 1500 rows keep their source value" in failures
    assert re.search(r"public\.orders: notes \(scrub\): \d+ texts still hold a PII word of their own row", failures), failures
    # emails / phones left in the notes, found by the leak scan
    assert re.search(r"public\.orders\.notes: \d+ value\(s\) hold an email address", failures), failures
    assert re.search(r"public\.orders\.notes: \d+ value\(s\) hold a phone number", failures), failures
    assert "public.customers: notes (scrub)" not in failures  # customers' notes were scrubbed


def test_unmasked_rows_orphans_and_missing_rows_are_caught(masked, source):
    target = masked()
    with psycopg.connect(source, autocommit=True) as connection:
        email = connection.execute("SELECT email FROM customers WHERE id = 7").fetchone()[0]
        noted, first_name = connection.execute(
            "SELECT id, first_name FROM customers WHERE notes IS NOT NULL ORDER BY id LIMIT 1").fetchone()
        silent = connection.execute("SELECT min(id) FROM customers WHERE notes IS NULL").fetchone()[0]
    with psycopg.connect(target, autocommit=True) as connection:
        # a row whose email escaped masking, a note naming its own customer, a note where the source row had
        # none, an orphan order, a lost order
        connection.execute("UPDATE customers SET email = %s WHERE id = 7", (email,))
        connection.execute("UPDATE customers SET notes = %s WHERE id = %s", ("call %s back" % first_name, noted))
        connection.execute("UPDATE customers SET notes = 'call back' WHERE id = %s", (silent,))
        connection.execute("ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey")
        connection.execute("UPDATE orders SET customer_id = 999999 WHERE id = (SELECT min(id) FROM orders)")
        connection.execute("DELETE FROM orders WHERE id = (SELECT max(id) FROM orders)")

    report = masking_pg_verify.verify_masked_copy(source, target, POLICY)

    failures = "\n".join(report["failures"])
    assert "public.customers: email (email): 1 rows keep their source value" in failures
    assert "public.customers: email (email): 1 masked values occur in the source" in failures
    assert "public.customers: notes (scrub): 1 texts still hold a PII word of their own row" in failures
    assert "public.customers: notes (scrub): 1 texts where the source row has none" in failures
    assert "public.orders: row count: source 4500, target 4499" in failures
    assert "constraints missing in the target: public.orders.orders_customer_id_fkey" in failures
    assert not report["passed"]


def _weakened(changes, exceptions=None):
    """The prod policy with some rules replaced: ``{"table.column": entry}``."""
    raw = json.loads(json.dumps(RAW_POLICY))
    for name, entry in changes.items():
        table, column = name.rsplit(".", 1)
        raw["postgresql"]["tables"][table][column] = entry
    if exceptions:
        raw["exceptions"] = {"postgresql": exceptions}
    return raw


KEEPING_PII = {
    # the email kept: real addresses, the values of the other email columns
    "email-kept": ({"public.customers.email": "keep"}, [
        r"public\.customers\.email: 1500 value\(s\) hold an email address",
        r"public\.customers\.email: \d+ value\(s\) hold source values of public\.customers\.profile\.email"]),
    # free text kept: the customer's own phone, email and name in it
    "notes-kept": ({"public.customers.notes": "keep"}, [
        r"public\.customers\.notes: \d+ value\(s\) hold a phone number",
        r"public\.customers\.notes: \d+ value\(s\) hold an email address",
        r"public\.customers\.notes: \d+ value\(s\) hold source values of public\.customers\.first_name"]),
}


def _slip_related_names(source, target, count=25):
    """Give ``count`` target orders a note naming their customer (source first name), as a masker that missed a
    related row would: the copy itself removes them, so the slip is made by hand."""
    with psycopg.connect(source, autocommit=True) as connection:
        names = connection.execute(
            "SELECT o.id, c.first_name FROM orders o JOIN customers c ON c.id = o.customer_id"
            " WHERE o.notes IS NOT NULL ORDER BY o.id LIMIT %s",
            (count,)).fetchall()
    with psycopg.connect(target, autocommit=True) as connection:
        for order_id, first_name in names:
            connection.execute("UPDATE orders SET notes = %s WHERE id = %s",
                               ("Deliver to %s at reception" % first_name, order_id))


def test_a_related_row_name_that_slips_through_is_caught(masked, source):
    target = masked()
    _slip_related_names(source, target)

    report = masking_pg_verify.verify_masked_copy(source, target, POLICY, jobs=2)

    assert not report["passed"]
    assert [failure for failure in report["failures"] if re.fullmatch(
        r"public\.orders\.notes: \d+ value\(s\) hold source values of public\.customers\.first_name", failure)], \
        report["failures"]


@pytest.mark.parametrize("case", sorted(KEEPING_PII))
def test_a_policy_keeping_pii_fails_its_own_verification(masked, source, case):
    """The copy is verified against the weakened policy it was made with: the leak scan does not trust it."""
    changes, expected = KEEPING_PII[case]
    weak = masking_policy.load_policy(_weakened(changes))

    report = masking_pg_verify.verify_masked_copy(source, masked(weak), weak, jobs=2)

    assert not report["passed"]
    for pattern in expected:
        assert [failure for failure in report["failures"] if re.fullmatch(pattern, failure)], (
            pattern, report["failures"])
    assert json.dumps(report).count("@") == 0, "no value in the report"


def test_a_reviewed_exception_is_listed_in_the_evidence_and_an_expired_one_fails(masked, source):
    exception = {"reason": "delivery notes reviewed: names only, agreed with the DPO", "approver": "dpo@example.com",
                 "expires": "2099-12-31"}
    raw = _weakened({}, {"public.orders.notes": exception})
    target = masked(masking_policy.load_policy(raw))
    _slip_related_names(source, target)

    report = masking_pg_verify.verify_masked_copy(source, target, masking_policy.load_policy(raw))

    assert report["passed"], report["failures"]
    listed, = report["exceptions"]
    assert listed["field"] == "public.orders.notes" and listed["in_force"] is True
    assert listed["reason"] == exception["reason"] and listed["approver"] == exception["approver"]
    assert [finding for finding in listed["findings"] if "public.customers.first_name" in finding], listed
    expired = masking_policy.load_policy(_weakened({}, {
        "public.orders.notes": dict(exception, expires="2020-01-01")}))
    report = masking_pg_verify.verify_masked_copy(source, target, expired)
    assert not report["passed"] and report["exceptions"][0]["in_force"] is False


@pytest.mark.parametrize("case", ["email-kept", "notes-kept"])
def test_a_refresh_with_a_policy_keeping_pii_does_not_swap(admin_dsn, source, case):
    name = _name("masking_verify_live")
    target = recreate_database(admin_dsn, name)
    _execute(target, "CREATE TABLE marker AS SELECT 'the data before' AS what")
    try:
        with pytest.raises(masking_pg_refresh.RefreshError, match="verification failed") as refused:
            masking_pg_refresh.refresh_database(admin_dsn, source, name, _weakened(KEEPING_PII[case][0]), KEY, "r1",
                                                jobs=2)
        assert refused.value.report["swapped"] is False
        with psycopg.connect(target, autocommit=True) as connection:
            assert connection.execute("SELECT what FROM marker").fetchall() == [("the data before",)]
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            assert connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                      (name + "\\_\\_%",)).fetchall() == []
    finally:
        drop_database(admin_dsn, name)


def test_a_partial_keeping_more_than_four_digits_is_refused_before_anything_is_created(admin_dsn, source):
    name = _name("masking_verify_live")
    refusal = r"public\.customers.*phone\.keep_last: keeps at most 4"
    with pytest.raises(masking_policy.MaskingPolicyError, match=refusal):
        masking_pg_refresh.refresh_database(admin_dsn, source, name, _weakened(
            {"public.customers.phone": {"rule": "partial", "keep_last": 15}}), KEY, "r1")
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        assert connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                  (name + "%",)).fetchall() == []


SHAPED_TEXTS = ["write to jane.doe@gmail.com", "u_0123456789abcdef@example.invalid", "call +1 (201) 555-1234",
                "order of 2024-03-01 10:00:00", "sess_0123456789abcdef", "card 4111 1111 1111 1111 on file",
                "ref 4111 1111 1111 1112", "ssn 123-45-6789", "A123-45-6789", "xxx-xxx-1234", "Gift wrap please."]


def test_shapes_are_the_same_in_postgresql_and_python(source):
    pii_shapes = import_collection("plugins.module_utils.pii_shapes")
    patterns = {"us_ssn": "[0-9]{3}-[0-9]{2}-[0-9]{4}"}
    conditions = pii_shapes.shape_conditions_sql("v", patterns)
    with psycopg.connect(source, autocommit=True) as connection:
        connection.execute(pii_shapes.LUHN_FUNCTION_SQL)
        for text in SHAPED_TEXTS:
            row = connection.execute("SELECT %s FROM (SELECT %%s::text AS v) x" % ", ".join(
                "coalesce(%s, false)" % sql.replace("%", "%%") for _name, sql in conditions), (text,)).fetchone()
            in_sql = set(name for (name, _sql), found in zip(conditions, row) if found)
            assert in_sql == pii_shapes.find_shapes(text, patterns), text
