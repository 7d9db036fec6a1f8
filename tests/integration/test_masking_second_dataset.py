"""The masked refresh of a second, independently shaped dataset: the clinic of tools/masking_dataset_clinic.py (schema
``clinic``, tables patients / appointments / invoices, keys not named id, free text inside JSON, free text naming rows
of other tables) with its own policy (tests/integration/data/clinic_masking_policy.yml), so neither the policy checks
nor the verifier are tuned to the shop dataset.

The clinic is loaded into prod's RDS instance of a fresh account (a real PostgreSQL server of the local stack),
reached through its endpoint and master secret; staging's instance holds the target. The real module
envops.aws.pg_masked_refresh runs through ansible-playbook. Then this test, on its own and sharing no code with the
masking or the verifier, reads every source value of the classified identifying fields (e-mails, phone numbers,
names, national numbers, insurer card numbers) and looks for each in every text and JSON column of the target.
"""

import re
import secrets

import psycopg
from psycopg import sql
import pytest
import yaml

from harness import REPO, run_playbook
from tools.estate_database import database_conninfo, ensure_database
from tools.local_inventory import fresh_account_id
from tools.masking_dataset_clinic import create_clinic_dataset

REGION = "eu-west-2"
PATIENTS = 300
SEED = 5
POLICY = yaml.safe_load((REPO / "tests/integration/data/clinic_masking_policy.yml").read_text())[
    "envops_masking_policy"]
DATABASE = POLICY["postgresql"]["database"]

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Masked refresh
      envops.aws.pg_masked_refresh:
        source:
          rds_instance_identifier: prod-postgres
          secret_id: envops/prod/database/master
          dbname: "{{ database }}"
          ca_bundle: "{{ ca_bundle }}"
        target:
          rds_instance_identifier: staging-postgres
          secret_id: envops/staging/database/master
          dbname: "{{ database }}"
          ca_bundle: "{{ ca_bundle }}"
        policy: "{{ policy }}"
        key: "{{ key }}"
        run_id: "{{ run_id }}"
        endpoint_url: "{{ endpoint_url }}"
        access_key: "{{ account }}"
        secret_key: local-moto-not-a-secret
        region: %s
""" % REGION

# The identifying source values, by kind: (SQL over the source, matched as). "substring": anywhere in a value,
# case-insensitive; "digits": the same digits in a phone- or card-like span; "word": a whole word.
SOURCE_VALUES = {
    "email": ("SELECT e_mail FROM clinic.patients UNION SELECT contact->>'e_mail' FROM clinic.patients"
              " UNION SELECT payer_email FROM clinic.invoices", "substring"),
    "phone": ("SELECT mobile FROM clinic.patients UNION SELECT contact->>'mobile' FROM clinic.patients"
              " UNION SELECT contact->'emergency'->>'mobile' FROM clinic.patients", "digits"),
    "national number": ("SELECT national_number FROM clinic.patients", "substring"),
    "card number": ("SELECT insurer_card FROM clinic.patients UNION SELECT insurer_card FROM clinic.invoices",
                    "digits"),
    "name": ("SELECT given_name FROM clinic.patients UNION SELECT surname FROM clinic.patients"
             " UNION SELECT regexp_split_to_table(contact->'emergency'->>'name', ' ') FROM clinic.patients"
             " UNION SELECT regexp_split_to_table(billed_to, ' ') FROM clinic.invoices", "word"),
}
# Every column whose text could hold a value: the catalog of the target, not a list of this dataset's columns.
TEXT_COLUMNS_SQL = """
SELECT n.nspname, c.relname, a.attname
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%%'
  AND (t.typcategory IN ('S', 'A') OR t.typname IN ('json', 'jsonb'))
ORDER BY 1, 2, 3
"""
DIGIT_SPAN = re.compile(r"\+?\d[\d ().-]{5,}\d")
WORD = re.compile(r"[A-Za-z]+")


def rows(conninfo, query, params=None):
    with psycopg.connect(conninfo, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def digits(text):
    return re.sub(r"\D", "", text)


@pytest.fixture(scope="module")
def estate(stack):
    """prod's and staging's RDS instances in a fresh account; the clinic in prod's, an older one in staging's."""
    account = fresh_account_id()
    for env in ("prod", "staging"):
        ensure_database(stack["moto_url"], account, REGION, env, database_name=DATABASE)
    admin = {env: database_conninfo(stack["moto_url"], account, REGION, env, dbname="postgres")
             for env in ("prod", "staging")}
    create_clinic_dataset(admin["prod"], DATABASE, PATIENTS, 3, seed=SEED)
    create_clinic_dataset(admin["staging"], DATABASE, 20, 1, seed=SEED + 1)  # replaced by the refresh
    return {"account": account, "source": database_conninfo(stack["moto_url"], account, REGION, "prod"),
            "target": database_conninfo(stack["moto_url"], account, REGION, "staging")}


@pytest.fixture(scope="module")
def refreshed(stack, estate, tmp_path_factory):
    directory = tmp_path_factory.mktemp("clinic")
    (directory / "hosts.yml").write_text("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
                                         "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n")
    (directory / "refresh.yml").write_text(PLAYBOOK)
    run = run_playbook(str(directory / "refresh.yml"), directory / "hosts.yml", timeout=600, extra_vars={
        "database": DATABASE, "ca_bundle": stack["ca_bundle"], "policy": POLICY, "key": secrets.token_hex(32),
        "run_id": "clinic%s" % secrets.token_hex(3), "endpoint_url": stack["moto_url"],
        "account": estate["account"]})
    assert run.report, run.stdout[-3000:] + run.stderr[-3000:]
    return run.facts("localhost", "Masked refresh")


@pytest.fixture(scope="module")
def source_values(estate):
    """{kind: set of source values} (phone and card numbers as digits)."""
    values = {}
    for kind, (query, match) in SOURCE_VALUES.items():
        found = {value for (value,) in rows(estate["source"], query) if value}
        values[kind] = {digits(value) for value in found} if match == "digits" else (
            {value.lower() for value in found})
    return values


@pytest.fixture(scope="module")
def patients(estate):
    """{patient_no: (given_name, surname)} of the source."""
    return {number: (given.lower(), surname.lower()) for number, given, surname in rows(
        estate["source"], "SELECT patient_no, given_name, surname FROM clinic.patients")}


@pytest.fixture(scope="module")
def hits(estate, refreshed, source_values, patients):
    """Every source value found in the target: [(column, kind, value, related)] where ``related`` says that a name
    was found in a row of another table that names that patient (patient_no) of the source."""
    assert refreshed.get("swapped"), refreshed.get("msg")
    substrings = {kind: values for kind, values in source_values.items() if SOURCE_VALUES[kind][1] == "substring"}
    digit_values = {kind: values for kind, values in source_values.items() if SOURCE_VALUES[kind][1] == "digits"}
    found = []
    for schema, table, column in rows(estate["target"], TEXT_COLUMNS_SQL):
        has_patient = rows(estate["target"], "SELECT 1 FROM pg_attribute WHERE attrelid = %s::regclass "
                           "AND attname = 'patient_no' AND NOT attisdropped", ('"%s"."%s"' % (schema, table),))
        query = sql.SQL("SELECT {}::text, {} FROM {}").format(
            sql.Identifier(column),
            sql.Identifier("patient_no") if has_patient else sql.NULL,
            sql.Identifier(schema, table))
        name = "%s.%s.%s" % (schema, table, column)
        for text, patient_no in rows(estate["target"], query):
            if text is None:
                continue
            lowered = text.lower()
            for kind, values in substrings.items():
                found += [(name, kind, value, False) for value in values if value in lowered]
            spans = {digits(span) for span in DIGIT_SPAN.findall(text)}
            for kind, values in digit_values.items():
                found += [(name, kind, value, False) for value in values
                          if any(value in span for span in spans)]
            related = patients.get(patient_no, ()) if table != "patients" else ()
            found += [(name, "name", word, word in related)
                      for word in {word.lower() for word in WORD.findall(text)} & source_values["name"]]
    return found


def test_the_clinic_is_refreshed_and_verification_passed(refreshed, estate):
    assert not refreshed.get("failed"), refreshed.get("msg")
    assert refreshed["verification"]["passed"] is True, refreshed["verification"]
    assert refreshed["swapped"] is True
    # the invoice numbers' phone-like digits pass only through the policy's reviewed exception, listed as evidence
    listed, = refreshed["verification"]["exceptions"]
    assert listed["field"] == "clinic.invoices.invoice_id" and listed["in_force"] is True
    assert [finding for finding in listed["findings"] if "phone number" in finding], listed
    counts = "SELECT (SELECT count(*) FROM clinic.patients), (SELECT count(*) FROM clinic.appointments), " \
             "(SELECT count(*) FROM clinic.invoices)"
    assert rows(estate["target"], counts) == rows(estate["source"], counts)
    assert rows(estate["target"], counts)[0][0] == PATIENTS


def test_the_scan_sees_every_kind_of_source_value(source_values, estate):
    """The check below is only as good as its needles: each kind is there, and each is present in the source's
    free text, so a masking that did nothing would be caught."""
    assert all(len(values) >= 50 for values in source_values.values()), {
        kind: len(values) for kind, values in source_values.items()}
    free_text = " ".join(text for (text,) in rows(
        estate["source"], "SELECT allergy_note FROM clinic.patients WHERE allergy_note IS NOT NULL "
        "UNION ALL SELECT visit_comment->>'summary' FROM clinic.appointments "
        "UNION ALL SELECT memo FROM clinic.invoices WHERE memo IS NOT NULL")).lower()
    assert any(value in free_text for value in source_values["email"])
    assert any(value in digits(free_text) for value in source_values["phone"])
    assert any(re.search(r"\b%s\b" % value, free_text) for value in source_values["name"])


def test_no_source_value_of_a_classified_field_anywhere_in_the_target(hits):
    leaks = sorted({(column, kind) for column, kind, _value, related in hits if not related})
    assert leaks == [], "source values in the target (column, kind): %s; e.g. %s" % (
        leaks, [hit for hit in hits if not hit[3]][:5])


def test_free_text_keeps_no_name_of_the_patient_it_refers_to(hits):
    related = sorted({(column, value) for column, kind, value, is_related in hits if is_related})
    assert related == [], "names of the referenced patient left in free text: %d, e.g. %s" % (
        len(related), related[:5])
