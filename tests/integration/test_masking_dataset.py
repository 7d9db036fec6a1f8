"""The masking test data (tools/masking_dataset.py), the prod masking policy that classifies it, and the plain-copy
baseline (tools/pg_plain_copy.py), against the local stack's PostgreSQL and moto. Small sizes: seconds in all."""

import secrets
import tracemalloc

import psycopg
from psycopg import sql
import pytest
import yaml
from boto3.dynamodb.types import TypeDeserializer

from harness import REPO, aws_client
from tools.local_inventory import fresh_account_id, load_spec
from tools.masking_dataset import (
    DYNAMODB_TABLES, FIRST_NAMES, _batch_write, create_dataset, create_dynamodb_dataset, customer_identity, drop_database,
    ensure_dynamodb_table, recreate_database, user_public_id)
from tools.pg_plain_copy import PlainCopyError, copy_table, dump_restore_copy, peak_rss_mb, plain_copy
from tools.stack.state import pg_dsn

CUSTOMERS = 2000
ORDERS_PER_CUSTOMER = 3
SEED = 7
POLICY = yaml.safe_load((REPO / "inventories/prod/host_vars/prod/masking_policy.yml").read_text())[
    "envops_masking_policy"]
SPEC = load_spec("prod")
RULES = {"keep", "pseudonym", "email", "substitute", "partial", "generalize_date", "generalize_prefix", "noise",
         "null", "constant", "scrub", "json"}
LISTS = {"first_name", "last_name", "full_name", "city", "street_address"}

# Leaf paths (scalars) of a jsonb column over all rows: "a.b" for nested keys, "a[]" for list elements.
JSON_LEAF_PATHS_SQL = """
WITH RECURSIVE walk(path, value) AS (
    SELECT e.key, e.value FROM {table} t, jsonb_each(t.{column}) e
  UNION ALL
    SELECT w.path || c.step, c.value
    FROM walk w
    CROSS JOIN LATERAL (
        SELECT '.' || o.key AS step, o.value
        FROM jsonb_each(CASE WHEN jsonb_typeof(w.value) = 'object' THEN w.value ELSE '{{}}'::jsonb END) o
      UNION ALL
        SELECT '[]', a.value
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(w.value) = 'array' THEN w.value ELSE '[]'::jsonb END) a
    ) c
)
SELECT DISTINCT path FROM walk WHERE jsonb_typeof(value) NOT IN ('object', 'array') ORDER BY 1
"""


def _unique_name(prefix):
    return "%s_%s" % (prefix, secrets.token_hex(4))


@pytest.fixture(scope="module")
def admin_dsn(stack):
    return pg_dsn("postgres")


@pytest.fixture(scope="module")
def dataset(admin_dsn):
    name = _unique_name("masking_it_src")
    figures = create_dataset(admin_dsn, name, CUSTOMERS, ORDERS_PER_CUSTOMER, seed=SEED)
    yield figures
    drop_database(admin_dsn, name)


@pytest.fixture
def db(dataset):
    with psycopg.connect(dataset["dsn"], autocommit=True) as connection:
        yield connection


@pytest.fixture
def target(admin_dsn):
    name = _unique_name("masking_it_copy")
    yield recreate_database(admin_dsn, name)
    drop_database(admin_dsn, name)


def _scalar(connection, query, params=None):
    return connection.execute(query, params).fetchone()[0]


def _table_checksum(connection, table):
    return _scalar(connection, "SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.id), ''))"
                               " FROM %s t" % table)


# --- the dataset -----------------------------------------------------------------------------------------------

def test_dataset_figures(dataset):
    assert dataset["rows"] == {"customers": CUSTOMERS, "orders": CUSTOMERS * ORDERS_PER_CUSTOMER}
    assert dataset["bytes"] > sum(dataset["table_bytes"].values()) > 0
    assert dataset["seconds"] < 30


def test_emails_unique_and_foreign_keys_valid(db):
    assert _scalar(db, "SELECT count(DISTINCT email) FROM customers") == CUSTOMERS
    assert _scalar(db, "SELECT count(*) FROM customers WHERE email !~ '^[a-z_.]+[0-9]+@[a-z.]+$'") == 0
    assert _scalar(db, "SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id"
                       " WHERE c.id IS NULL") == 0
    assert _scalar(db, "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id"
                       " WHERE o.ordered_at < c.created_at") == 0
    constraints = dict(db.execute("SELECT conname, contype FROM pg_constraint"
                                  " WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f')"))
    assert constraints == {"customers_pkey": "p", "customers_email_key": "u", "orders_pkey": "p",
                           "orders_customer_id_fkey": "f"}
    indexes = {row[0] for row in db.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    assert {"orders_customer_id_idx", "orders_ordered_at_idx"} <= indexes


def test_free_text_quotes_the_customers_own_pii(db):
    own = dict(db.execute("""
        SELECT 'first_name', count(*) FROM customers WHERE strpos(notes, first_name) > 0
        UNION ALL SELECT 'email', count(*) FROM customers WHERE strpos(notes, email) > 0
        UNION ALL SELECT 'phone', count(*) FROM customers WHERE strpos(notes, phone) > 0
        UNION ALL SELECT 'plain', count(*) FROM customers WHERE notes IS NOT NULL AND strpos(notes, first_name) = 0
        UNION ALL SELECT 'order_email', count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
                  WHERE strpos(o.notes, c.email) > 0
        UNION ALL SELECT 'order_phone', count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
                  WHERE strpos(o.notes, c.phone) > 0
        UNION ALL SELECT 'gift_names_customer', count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
                  WHERE strpos(o.metadata ->> 'gift_message', c.first_name) > 0
        UNION ALL SELECT 'profile_email', count(*) FROM customers WHERE profile ->> 'email' = email
        UNION ALL SELECT 'profile_city', count(*) FROM customers WHERE profile #>> '{address,city}' = city
    """).fetchall())
    for kind in ("first_name", "email", "phone", "plain", "order_email", "order_phone", "gift_names_customer"):
        assert own[kind] > 10, kind
    assert own["first_name"] < CUSTOMERS / 2
    assert own["profile_email"] > 0.9 * CUSTOMERS
    assert own["profile_city"] == CUSTOMERS


def test_contact_email_is_the_customers_email_in_most_orders(db):
    same, alias, total = db.execute(
        "SELECT count(*) FILTER (WHERE o.contact_email = c.email),"
        " count(*) FILTER (WHERE o.contact_email = replace(c.email, '@', '+shop@')), count(*)"
        " FROM orders o JOIN customers c ON c.id = o.customer_id").fetchone()
    assert 0.8 * total < same < 0.95 * total
    assert alias > 0


def test_phone_formats_vary(db):
    patterns = [r"^\+1 \d{3}-\d{3}-\d{4}$", r"^\(\d{3}\) \d{3}-\d{4}$", r"^\d{3}\.\d{3}\.\d{4}$",
                r"^\+1 \(\d{3}\) \d{3}-\d{4}$"]
    counts = db.execute("SELECT %s FROM customers" % ", ".join(
        "count(*) FILTER (WHERE phone ~ %s)" % sql.quote(pattern) for pattern in patterns)).fetchone()
    assert all(count > CUSTOMERS / 10 for count in counts), dict(zip(patterns, counts))


def test_python_knows_every_customers_identity(db):
    """customer_identity() (Python) gives what the SQL generator wrote: DynamoDB items rely on it."""
    columns = ["id", "first_name", "last_name", "full_name", "email", "phone", "street_address", "city", "zip"]
    rows = db.execute("SELECT %s FROM customers WHERE id IN (1, 2, 3, 500, 1999, 2000)" % ", ".join(columns))
    for row in rows:
        assert dict(zip(columns, row)) == customer_identity(row[0], SEED)


def test_seed_makes_the_data(admin_dsn, db):
    assert customer_identity(1, SEED) != customer_identity(1, SEED + 1)
    name = _unique_name("masking_it_seed")
    try:
        again = create_dataset(admin_dsn, name, 50, 2, seed=SEED)
        with psycopg.connect(again["dsn"]) as other:
            expected = db.execute("SELECT id, email, phone, notes FROM customers WHERE id <= 50 ORDER BY id")
            assert other.execute("SELECT id, email, phone, notes FROM customers ORDER BY id").fetchall() == \
                expected.fetchall()
    finally:
        drop_database(admin_dsn, name)


# --- the policy ------------------------------------------------------------------------------------------------

def _check_rule(where, spec):
    if isinstance(spec, str):
        assert spec in RULES - {"json"}, where
        return
    assert spec["rule"] in RULES, where
    if spec["rule"] == "substitute":
        assert spec["list"] in LISTS, where
    if spec["rule"] == "partial":
        assert isinstance(spec["keep_last"], int), where
    if spec["rule"] == "generalize_prefix":
        assert isinstance(spec["keep"], int), where
    if spec["rule"] == "noise":
        assert 0 < spec["relative"] < 1, where
    if spec["rule"] == "json":
        assert spec["paths"], where
        for path, path_spec in spec["paths"].items():
            assert not isinstance(path_spec, dict) or path_spec["rule"] != "json", (where, path)
            _check_rule("%s.%s" % (where, path), path_spec)


def test_policy_is_for_the_app_database():
    assert POLICY["postgresql"]["database"] == SPEC["data"]["database"]["database_name"]
    for table, columns in POLICY["postgresql"]["tables"].items():
        for column, spec in columns.items():
            _check_rule("%s.%s" % (table, column), spec)
    for table, attributes in POLICY["dynamodb"]["tables"].items():
        for attribute, spec in attributes.items():
            _check_rule("%s.%s" % (table, attribute), spec)


def test_policy_classifies_every_column_and_json_path(db):
    tables = POLICY["postgresql"]["tables"]
    actual = {}
    for schema, table, column in db.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns"
                                            " WHERE table_schema = 'public' ORDER BY ordinal_position"):
        actual.setdefault("%s.%s" % (schema, table), set()).add(column)
    assert {table: set(columns) for table, columns in tables.items()} == actual
    json_columns = 0
    for table, columns in tables.items():
        for column, spec in columns.items():
            if isinstance(spec, dict) and spec["rule"] == "json":
                json_columns += 1
                paths = [row[0] for row in db.execute(JSON_LEAF_PATHS_SQL.format(table=table, column=column))]
                assert set(paths) == set(spec["paths"]), "%s.%s" % (table, column)
    assert json_columns == 2
    for table, columns in POLICY["postgresql"]["quasi_identifiers"].items():
        assert set(columns) <= actual[table]


def test_policy_keeps_no_column_that_holds_pii(db):
    """A column in which any value looks like an email, a phone number or a first name is never kept as is."""
    pii = r"[a-z0-9._+]+@[a-z0-9.-]+|[0-9]{3}[-. )]+[0-9]{3}[-.][0-9]{4}|\m(%s)\M" % "|".join(FIRST_NAMES)
    for table, columns in POLICY["postgresql"]["tables"].items():
        for column, spec in columns.items():
            if _scalar(db, "SELECT count(*) FROM %s t WHERE t.%s::text ~ %%s" % (table, column), (pii,)):
                assert spec != "keep", "%s.%s holds PII but is kept" % (table, column)


# --- plain copy ------------------------------------------------------------------------------------------------

def test_plain_copy_is_identical(dataset, db, target):
    figures = plain_copy(dataset["dsn"], target, chunk_bytes=16 * 1024)
    assert figures["rows"] == CUSTOMERS * (1 + ORDERS_PER_CUSTOMER)
    assert set(figures["tables"]) == {"public.customers", "public.orders"}
    assert set(figures["phases"]) == {"pre_data", "data", "post_data"}
    with psycopg.connect(target, autocommit=True) as copy:
        for table in ("customers", "orders"):
            assert _table_checksum(copy, table) == _table_checksum(db, table)
        schema_sql = ("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                      " WHERE connamespace = 'public'::regnamespace UNION ALL"
                      " SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2")
        assert copy.execute(schema_sql).fetchall() == db.execute(schema_sql).fetchall()
    for name, table in figures["tables"].items():
        assert table["chunks"] >= table["bytes"] // (16 * 1024), name
        assert table["max_chunk_bytes"] < 16 * 1024 + 8192, name  # a chunk is at most one row over the size
    assert peak_rss_mb() > 0


def test_dump_restore_copy_is_identical_and_leaves_no_dump(dataset, db, target, tmp_path):
    figures = dump_restore_copy(dataset["dsn"], target, jobs=2, workdir=str(tmp_path))
    assert set(figures["phases"]) == {"dump", "restore"} and figures["bytes"] > 0
    with psycopg.connect(target, autocommit=True) as copy:
        for table in ("customers", "orders"):
            assert _table_checksum(copy, table) == _table_checksum(db, table)
    assert list(tmp_path.iterdir()) == []  # the dump directory is removed


def test_dump_restore_copy_fails_with_pg_restore_s_reason(dataset, target, tmp_path):
    dump_restore_copy(dataset["dsn"], target, jobs=1, workdir=str(tmp_path))
    with pytest.raises(PlainCopyError, match="pg_restore rc=1: .*already exists"):
        dump_restore_copy(dataset["dsn"], target, jobs=1, workdir=str(tmp_path))  # into a database not empty
    assert list(tmp_path.iterdir()) == []


def test_copy_table_streams_in_flat_memory(dataset, target):
    """Copying a table allocates about one chunk at a time, however large the table."""
    from tools.pg_plain_copy import _pipe_section

    _pipe_section(dataset["dsn"], target, "pre-data", no_owner=True)
    columns = ["id", "customer_id", "ordered_at", "amount", "status", "shipping_address", "contact_email",
               "notes", "metadata"]
    with psycopg.connect(dataset["dsn"]) as source, psycopg.connect(target) as sink:
        tracemalloc.start()
        try:
            figures = copy_table(source, sink, "public", "orders", columns, chunk_bytes=8 * 1024)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        sink.commit()
    assert figures["rows"] == CUSTOMERS * ORDERS_PER_CUSTOMER
    assert figures["bytes"] > 500_000
    assert peak < figures["bytes"] / 5, "peak %d bytes traced for a %d-byte table" % (peak, figures["bytes"])


# --- DynamoDB --------------------------------------------------------------------------------------------------

def test_dynamodb_shapes_match_the_spec():
    types = {"STRING": "S", "NUMBER": "N", "BINARY": "B"}
    spec_tables = {table["name"]: table for table in SPEC["data"]["dynamodb_tables"]}
    assert set(spec_tables) == set(DYNAMODB_TABLES) == set(POLICY["dynamodb"]["tables"])
    for name, table in spec_tables.items():
        shape = DYNAMODB_TABLES[name]
        assert shape["hash_key"] == (table["hash_key"], types[table.get("hash_key_type", "STRING")])
        if "range_key" in table:
            assert shape["range_key"] == (table["range_key"], types[table.get("range_key_type", "STRING")])
        else:
            assert shape["range_key"] is None
        assert shape["ttl"] == table.get("ttl_attribute")


def _leaf_paths(value, prefix):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaf_paths(inner, "%s.%s" % (prefix, key) if prefix else key)
    elif isinstance(value, list):
        for inner in value:
            yield from _leaf_paths(inner, prefix + "[]")
    else:
        yield prefix


@pytest.fixture(scope="module")
def dynamodb(stack):
    return aws_client(stack, "dynamodb", fresh_account_id(), SPEC["region"])


@pytest.mark.parametrize("name", sorted(DYNAMODB_TABLES))
def test_dynamodb_items_are_classified_and_name_postgres_customers(name, dynamodb, db):
    table_name = "prod-" + name
    assert ensure_dynamodb_table(dynamodb, table_name)
    written = create_dynamodb_dataset(dynamodb, table_name, items=120, seed=SEED, customers=100)
    assert written["items"] == 120
    deserializer = TypeDeserializer()
    items = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table_name):
        items += [{key: deserializer.deserialize(value) for key, value in item.items()} for item in page["Items"]]
    assert len(items) == 120

    policy = POLICY["dynamodb"]["tables"][name]
    seen = set()
    for item in items:
        assert set(item) <= set(policy), set(item) - set(policy)
        for attribute, value in item.items():
            spec = policy[attribute]
            if isinstance(spec, dict) and spec["rule"] == "json":
                assert isinstance(value, dict), attribute
                paths = set(_leaf_paths(value, ""))
                assert paths <= set(spec["paths"]), (attribute, paths - set(spec["paths"]))
                seen |= {"%s:%s" % (attribute, path) for path in paths}
            else:
                seen.add(attribute)
    expected = {attribute if not (isinstance(spec, dict) and spec["rule"] == "json") else None
                for attribute, spec in policy.items()} - {None}
    expected |= {"%s:%s" % (attribute, path) for attribute, spec in policy.items()
                 if isinstance(spec, dict) and spec["rule"] == "json" for path in spec["paths"]}
    assert seen == expected, "policy entries no item has: %s" % (expected - seen)

    emails = {item.get("email") or item.get("recipient", {}).get("email") or item.get("owner", {}).get("email")
              for item in items}
    in_postgres = {row[0] for row in db.execute("SELECT email FROM customers WHERE email = any(%s)", (list(emails),))}
    assert emails == in_postgres == {customer_identity(n, SEED)["email"] for n in range(1, 101)}
    if name == "user-activity":
        assert {item["user_id"] for item in items} == {user_public_id(n, SEED) for n in range(1, 101)}
        assert any(item["search_query"].find(" ") > 0 for item in items if "search_query" in item)
    if name == "campaign-events":
        assert any(item["recipient"]["first_name"] in item["message"] for item in items)


def test_batch_write_retries_unprocessed_items():
    class Throttled:
        calls = []

        def batch_write_item(self, RequestItems):
            self.calls.append(sum(len(requests) for requests in RequestItems.values()))
            if len(self.calls) == 1:
                return {"UnprocessedItems": {"t": RequestItems["t"][:10]}}
            return {"UnprocessedItems": {}}

    client = Throttled()
    assert _batch_write(client, "t", [{"PutRequest": {"Item": {}}}] * 25) == 1
    assert client.calls == [25, 10]
