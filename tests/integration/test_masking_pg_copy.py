"""masked_copy (plugins/module_utils/masking_pg_copy.py) on the real PostgreSQL of the local stack: a masked copy of
the masking dataset (tools/masking_dataset.py, 2,000 customers) into a fresh database, with the prod policy."""

import secrets
import time

import psycopg
import pytest
import yaml

from harness import REPO
from tools.collection_path import import_collection
from tools.masking_dataset import create_dataset, drop_database, recreate_database
from tools.stack.state import pg_dsn

masking_pg_copy = import_collection("plugins.module_utils.masking_pg_copy")
masking_policy = import_collection("plugins.module_utils.masking_policy")

CUSTOMERS = 2000
ORDERS_PER_CUSTOMER = 3
SEED = 11
KEY = secrets.token_bytes(32)
_RAW_POLICY = yaml.safe_load((REPO / "inventories/prod/host_vars/prod/masking_policy.yml").read_text())[
    "envops_masking_policy"]
POLICY = masking_policy.load_policy(_RAW_POLICY)
PII = {table: [column for column, rule in table_policy.fields.items() if rule.kind != "keep"]
       for table, table_policy in POLICY.postgresql.items()}


def _unique_name(prefix):
    return "%s_%s" % (prefix, secrets.token_hex(4))


@pytest.fixture(scope="module")
def admin_dsn(stack):
    return pg_dsn("postgres")


@pytest.fixture(scope="module")
def source(admin_dsn):
    name = _unique_name("masking_pgcopy_src")
    figures = create_dataset(admin_dsn, name, CUSTOMERS, ORDERS_PER_CUSTOMER, seed=SEED)
    with psycopg.connect(figures["dsn"], autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    yield figures["dsn"]
    drop_database(admin_dsn, name)


@pytest.fixture(scope="module")
def copied(admin_dsn, source):
    """One masked copy for the module: (figures, target dsn, progress calls)."""
    name = _unique_name("masking_pgcopy_dst")
    target = recreate_database(admin_dsn, name)
    calls = []
    # split_min_bytes=0: every table goes as two block ranges at once, the path big tables take
    figures = masking_pg_copy.masked_copy(source, target, POLICY, KEY, progress=lambda *args: calls.append(args),
                                          jobs=2, split_min_bytes=0)
    yield figures, target, calls
    drop_database(admin_dsn, name)


@pytest.fixture
def fresh_target(admin_dsn):
    name = _unique_name("masking_pgcopy_dst")
    yield recreate_database(admin_dsn, name)
    drop_database(admin_dsn, name)


def _rows(dsn, query, params=None):
    with psycopg.connect(dsn, autocommit=True) as connection:
        return connection.execute(query, params).fetchall()


def _column_digests(dsn, table, column):
    return dict(_rows(dsn, "SELECT id, md5(%s::text) FROM %s" % (column, table)))


def test_row_counts_and_figures(copied, source):
    figures, target, _calls = copied
    for table in ("public.customers", "public.orders"):
        count = _rows(source, "SELECT count(*) FROM %s" % table)[0][0]
        assert _rows(target, "SELECT count(*) FROM %s" % table)[0][0] == count
        assert figures["tables"][table]["rows"] == count
        assert figures["tables"][table]["rows_per_s"] > 0
        assert figures["tables"][table]["bytes"] > 0
        assert figures["tables"][table]["format"] == "binary"
        assert figures["tables"][table]["parts"] == 2
    assert figures["rows"] == CUSTOMERS * (1 + ORDERS_PER_CUSTOMER)
    assert set(figures["phases"]) == {"classify", "pre_data", "data", "post_data"}
    assert figures["warnings"] == []
    assert figures["policy_hash"] == masking_policy.policy_hash(POLICY)


def test_constraints_and_indexes_are_rebuilt_and_valid(copied, source):
    _figures, target, _calls = copied
    schema_sql = ("SELECT conname, contype, pg_get_constraintdef(oid), convalidated FROM pg_constraint"
                  " WHERE connamespace = 'public'::regnamespace ORDER BY 1")
    assert _rows(target, schema_sql) == _rows(source, schema_sql)
    kinds = {row[1] for row in _rows(target, schema_sql)}
    assert {"p", "u", "f"} <= kinds, kinds
    index_sql = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
    assert _rows(target, index_sql) == _rows(source, index_sql)
    assert _rows(target, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                         " WHERE c.relnamespace = 'public'::regnamespace AND NOT (i.indisvalid AND i.indisready)"
                 ) == [(0,)]
    assert _rows(target, "SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id"
                         " WHERE c.id IS NULL") == [(0,)]
    # The unique email survives masking as unique (the constraint was built on masked data, and holds).
    assert _rows(target, "SELECT count(*) - count(DISTINCT email) FROM customers") == [(0,)]


# Rules that replace every value: each non-null source value must differ in the copy, row by row.
REPLACING = ("email", "substitute", "partial", "pseudonym", "null", "generalize_prefix", "constant")


def test_every_replaced_pii_column_differs_in_every_row(copied, source):
    _figures, target, _calls = copied
    checked = 0
    for table, columns in PII.items():
        for column in columns:
            rule = POLICY.postgresql[table].fields[column]
            before = _column_digests(source, table, column)
            after = _column_digests(target, table, column)
            assert set(after) == set(before)
            same = [row_id for row_id, digest in before.items() if digest is not None and after[row_id] == digest]
            if rule.kind in REPLACING or (table, column) == ("public.customers", "profile"):
                assert not same, "%s.%s unchanged in rows %s" % (table, column, same[:10])
                checked += sum(1 for digest in before.values() if digest is not None)
    assert checked > CUSTOMERS * 10


def test_generalized_noised_and_scrubbed_columns(copied, source):
    """The other rules may leave a value as it was: a birth date on January 1st, a value whose noise rounds to
    nothing, free text without personal data. Each is checked for what it does."""
    _figures, target, _calls = copied
    dob = dict(_rows(source, "SELECT id, date_of_birth FROM customers"))
    for row_id, value in _rows(target, "SELECT id, date_of_birth FROM customers"):
        assert value == (dob[row_id].replace(month=1, day=1) if dob[row_id] else None)
    for table, column in (("customers", "credit_limit"), ("orders", "amount")):
        before = dict(_rows(source, "SELECT id, %s FROM %s" % (column, table)))
        after = dict(_rows(target, "SELECT id, %s FROM %s" % (column, table)))
        changed = sum(1 for row_id, value in before.items() if value is not None and after[row_id] != value)
        assert changed >= 0.99 * sum(1 for value in before.values() if value is not None), column
        assert all(abs(after[row_id] - value) <= abs(value) / 10 + 1 for row_id, value in before.items() if value)
    # free text: every source row quoting an email or a phone number is changed, and no source email is left
    pii_text = r"[a-z0-9._+]+@[a-z0-9.-]+|[0-9]{3}[-. )]+[0-9]{3}[-.][0-9]{4}"
    emails = {row[0] for row in _rows(source, "SELECT email FROM customers")}
    for table, expression in (("customers", "notes"), ("orders", "notes")):
        before = dict(_rows(source, "SELECT id, %s FROM %s WHERE %s ~* %%s" % (expression, table, expression),
                            (pii_text,)))
        assert before, (table, expression)
        after = dict(_rows(target, "SELECT id, %s FROM %s" % (expression, table)))
        assert all(after[row_id] != value for row_id, value in before.items()), (table, expression)
        leaked = [text for text in after.values() if text and any(email in text for email in emails)]
        assert not leaked, leaked[:3]


def test_gift_messages_lose_the_names(copied, source):
    # free text naming people no column of the row holds is replaced whole by the policy (constant)
    _figures, target, _calls = copied
    gifts = dict(_rows(source, "SELECT id, metadata->>'gift_message' FROM orders WHERE metadata ? 'gift_message'"))
    after = dict(_rows(target, "SELECT id, metadata->>'gift_message' FROM orders"))
    assert gifts and all(after[row_id] != text for row_id, text in gifts.items())


def test_kept_columns_are_identical(copied, source):
    _figures, target, _calls = copied
    for table, table_policy in POLICY.postgresql.items():
        for column, rule in table_policy.fields.items():
            if rule.kind == "keep":
                assert _column_digests(target, table, column) == _column_digests(source, table, column), column


def test_same_email_masks_the_same_in_both_tables(copied, source):
    _figures, target, _calls = copied
    join = ("SELECT o.id, c.id FROM orders o JOIN customers c ON c.email = o.contact_email ORDER BY o.id")
    source_pairs = _rows(source, join)
    assert len(source_pairs) > CUSTOMERS  # ~88% of the orders carry the customer's email
    assert _rows(target, join) == source_pairs
    # and the emails inside customers.profile mask to the same value too
    profile = "SELECT count(*) FROM customers WHERE profile ? 'email' AND profile->>'email' = email"
    assert _rows(target, profile) == _rows(source, profile)


def test_progress_is_reported_per_table(copied):
    _figures, _target, calls = copied
    tables = {call[0] for call in calls}
    assert tables == {"public.customers", "public.orders"}
    for table in tables:
        mine = [call for call in calls if call[0] == table]
        assert mine[0][1] == 0
        assert mine[-1][1] == mine[-1][2] or mine[-1][1] > 0
        assert mine[-1][4] == 0
        assert all(len(call) == 5 for call in mine)


def test_the_key_never_leaks(copied):
    figures, _target, _calls = copied
    text = repr(figures)
    assert KEY.hex() not in text and repr(KEY) not in text


def test_unclassified_column_stops_before_the_target_is_touched(admin_dsn, source, fresh_target):
    with psycopg.connect(source, autocommit=True) as connection:
        connection.execute("ALTER TABLE customers ADD COLUMN passport_no text")
        connection.execute("UPDATE customers SET profile = profile || '{\"nickname\": \"Bob\"}' WHERE id = 5")
    try:
        with pytest.raises(masking_pg_copy.MaskingCopyError) as raised:
            masking_pg_copy.masked_copy(source, fresh_target, POLICY, KEY, jobs=1)
    finally:
        with psycopg.connect(source, autocommit=True) as connection:
            connection.execute("ALTER TABLE customers DROP COLUMN passport_no")
            connection.execute("UPDATE customers SET profile = profile - 'nickname' WHERE id = 5")
    error = raised.value
    assert error.unclassified == ["public.customers.passport_no", "public.customers.profile.nickname"]
    assert "public.customers.passport_no" in str(error) and "profile.nickname" in str(error)
    assert KEY.hex() not in str(error) and repr(KEY) not in str(error)
    # nothing was created on the target
    assert _rows(fresh_target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace") == [(0,)]
    assert _rows(fresh_target, "SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql'") == [(0,)]


def test_table_missing_from_the_policy_is_unclassified(source, fresh_target):
    with psycopg.connect(source, autocommit=True) as connection:
        connection.execute("CREATE TABLE public.audit_log (id int, who text)")
    try:
        with pytest.raises(masking_pg_copy.MaskingCopyError) as raised:
            masking_pg_copy.masked_copy(source, fresh_target, POLICY, KEY)
    finally:
        with psycopg.connect(source, autocommit=True) as connection:
            connection.execute("DROP TABLE public.audit_log")
    assert raised.value.unclassified == ["public.audit_log.id", "public.audit_log.who"]


def test_stale_json_path_is_a_warning_and_bad_inputs_are_refused(source, fresh_target, admin_dsn):
    raw = {"postgresql": {"tables": dict(_RAW_POLICY["postgresql"]["tables"])}}
    customers = dict(raw["postgresql"]["tables"]["public.customers"])
    customers["profile"] = dict(customers["profile"], paths=dict(customers["profile"]["paths"],
                                                                 loyalty_id={"rule": "pseudonym"}))
    raw["postgresql"]["tables"]["public.customers"] = customers
    with pytest.raises(masking_pg_copy.MaskingCopyError, match="at least 16"):
        masking_pg_copy.masked_copy(source, fresh_target, raw, b"short")
    with pytest.raises(masking_pg_copy.MaskingCopyError, match="not empty"):
        masking_pg_copy.masked_copy(source, source, raw, KEY)
    figures = masking_pg_copy.masked_copy(source, fresh_target, raw, KEY)
    assert figures["warnings"] == ["stale masking rule (no such field in the source): "
                                   "public.customers.profile.loyalty_id"]
    assert figures["rows"] == CUSTOMERS * (1 + ORDERS_PER_CUSTOMER)


def _policy_with(changes):
    """The prod policy with ``changes``: {table: {column: rule or None (removed)}}, as raw data."""
    tables = dict((table, dict(columns)) for table, columns in _RAW_POLICY["postgresql"]["tables"].items())
    for table, columns in changes.items():
        for column, rule in columns.items():
            if rule is None:
                tables.setdefault(table, {}).pop(column, None)
            else:
                tables.setdefault(table, {})[column] = rule
    return {"postgresql": {"tables": tables}}


BAD_RELATED = {"rule": "scrub", "related": [
    {"table": "public.customers", "via": "buyer_id", "fields": ["first_name"]},
    {"table": "public.customers", "via": "customer_id", "key": "country", "fields": ["nick", "credit_limit"]},
    {"table": "public.clients", "via": "customer_id", "fields": ["first_name"]}]}


def test_policy_entries_the_source_lacks_are_refused_all_at_once_before_anything_is_read(source, fresh_target):
    """Absent tables and columns, a rule on the wrong type and related rows the source cannot join: one refusal
    naming each with its rule, before a row is read or the target touched (they used to pass, and the verifier
    died on an SQL error after the whole copy)."""
    raw = _policy_with({"public.customers": {"nickname": {"rule": "substitute", "list": "first_name"},
                                             "tier": {"rule": "noise", "relative": 0.1}},
                        "public.orders": {"notes": BAD_RELATED},
                        "public.invoices": {"id": "keep", "iban": {"rule": "null"}}})
    with pytest.raises(masking_pg_copy.MaskingCopyError) as raised:
        masking_pg_copy.masked_copy(source, fresh_target, raw, KEY)
    message = str(raised.value)
    for expected in (
            "public.customers.nickname (rule substitute): no such column in the source",
            "public.invoices (2 rules): no such table in the source",
            "column tier (text): rule noise does not apply to this type",
            "public.orders.notes (rule scrub, related public.customers): no column buyer_id in public.orders",
            "public.customers.country is not a unique key",
            "no column nick in public.customers", "public.customers.credit_limit is numeric(12,2), not text",
            "public.orders.notes (rule scrub, related public.clients): no such table in the source"):
        assert expected in message, message
    assert "8 problem(s)" in message, message
    assert raised.value.unclassified == []
    assert _rows(fresh_target, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace") == [(0,)]
    # the plan reads the catalog alone (no table scanned) and finds the same
    reads_before = _settled_reads(source)
    plan = masking_pg_copy.classify_source(source, raw, catalog_only=True)
    assert plan["problems"] == raised.value.problems and plan["unclassified"] == []
    assert _settled_reads(source) == reads_before


def _settled_reads(dsn):
    """Scans of the user tables, once the statistics of earlier sessions have arrived (a backend reports as it
    exits)."""
    query = "SELECT sum(seq_scan), sum(coalesce(idx_scan, 0)) FROM pg_stat_user_tables"
    reads, deadline = _rows(dsn, query), time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(0.5)
        reads, previous = _rows(dsn, query), reads
        if reads == previous:
            break
    return reads


def test_a_source_without_pgcrypto_is_masked_the_same_and_left_unchanged(admin_dsn, copied):
    """Nothing is ever created in a source: without pgcrypto the HMAC comes from the built-in sha256."""
    _figures, masked_with_pgcrypto, _calls = copied
    name = _unique_name("masking_pgcopy_plain")
    plain = create_dataset(admin_dsn, name, CUSTOMERS, ORDERS_PER_CUSTOMER, seed=SEED)["dsn"]
    target_name = _unique_name("masking_pgcopy_dst")
    target = recreate_database(admin_dsn, target_name)
    try:
        catalog = "SELECT (SELECT array_agg(extname ORDER BY extname) FROM pg_extension), " \
                  "(SELECT count(*) FROM pg_class WHERE relnamespace <> 'pg_toast'::regnamespace)"
        before = _rows(plain, catalog)
        masking_pg_copy.masked_copy(plain, target, POLICY, KEY, jobs=2)
        assert _rows(plain, catalog) == before == [(["plpgsql"], before[0][1])]
        for table, column in (("customers", "email"), ("customers", "first_name"), ("orders", "amount")):
            assert _column_digests(target, table, column) == _column_digests(masked_with_pgcrypto, table, column)
    finally:
        drop_database(admin_dsn, target_name)
        drop_database(admin_dsn, name)


def test_order_notes_lose_the_customers_pii(admin_dsn, source, fresh_target):
    """An order's notes quote its customer (first name, city, phone): the customer's row is scrubbed from them
    (orders.notes declares related customers), and so is every customer's name."""
    customer = _rows(source, "SELECT c.id, c.first_name, c.city, c.phone, o.id FROM customers c "
                             "JOIN orders o ON o.customer_id = c.id ORDER BY c.id LIMIT 1")[0]
    other = _rows(source, "SELECT last_name FROM customers WHERE id <> %s AND length(last_name) > 3 LIMIT 1",
                  (customer[0],))[0][0]
    note = "Happy birthday %s! Greetings from %s, call me at %s - %s" % (customer[1], customer[2], customer[3], other)
    with psycopg.connect(source, autocommit=True) as connection:
        before = connection.execute("SELECT notes FROM orders WHERE id = %s", (customer[4],)).fetchone()[0]
        connection.execute("UPDATE orders SET notes = %s WHERE id = %s", (note, customer[4]))
    try:
        masking_pg_copy.masked_copy(source, fresh_target, POLICY, KEY)
    finally:
        with psycopg.connect(source, autocommit=True) as connection:
            connection.execute("UPDATE orders SET notes = %s WHERE id = %s", (before, customer[4]))
    masked = _rows(fresh_target, "SELECT notes FROM orders WHERE id = %s", (customer[4],))[0][0]
    assert masked.startswith("Happy birthday [redacted]! Greetings from [redacted], call me at "), masked
    for value in (customer[1], customer[2], customer[3], other):
        assert value not in masked, (value, masked)


def test_json_paths_walk_every_level(source):
    with psycopg.connect(source, autocommit=True) as connection:
        found = masking_pg_copy.json_paths(connection, "public.customers", {"profile": True})
    assert found == {"profile": {("email",), ("address",), ("address", "street"), ("address", "city"),
                                 ("address", "zip"), ("marketing_opt_in",), ("tags",), ("tags", None)}}


def _classified(found, table="public.customers"):
    columns = list(POLICY.postgresql[table].fields)
    live = {table: columns + [masking_pg_copy._field_text("profile", path) for path in found["profile"]]}
    classification = masking_policy.classify({table: POLICY.postgresql[table]}, live)
    return sorted(map(str, classification.unclassified)), sorted(map(str, classification.stale))


@pytest.mark.parametrize("change, undeclared", [
    (None, None),
    ("profile || '{\"nickname\": \"Bob\"}'", "public.customers.profile.nickname"),
    ("jsonb_set(profile, '{address,floor}', '3')", "public.customers.profile.address.floor"),
    ("jsonb_set(profile, '{address}', '[{\"street\": \"x\"}]')", "public.customers.profile.address[]"),
    ("jsonb_set(profile, '{tags}', '{\"a\": 1}')", "public.customers.profile.tags.a"),
    ("'[1]'::jsonb", "public.customers.profile[]"),
])
def test_declared_paths_classify_like_the_walk_or_leave_it_to_the_walk(source, change, undeclared):
    """One read of each document when every row keeps to the policy (the same classification as the walk, stale
    rules included); a row that does not hands over to the walk, which names the undeclared path."""
    policy = POLICY.postgresql["public.customers"]
    with psycopg.connect(source, autocommit=False) as connection:
        if change:
            connection.execute("UPDATE customers SET profile = %s WHERE id = 7" % change)
        connection.execute("UPDATE customers SET profile = profile - 'marketing_opt_in'")
        walked = masking_pg_copy.json_paths(connection, "public.customers", {"profile": True})
        declared = masking_pg_copy.declared_json_paths(connection, "public.customers", {"profile": True}, policy)
        connection.rollback()
    assert _classified(walked)[1] == ["public.customers.profile.marketing_opt_in"]
    if undeclared is None:
        assert declared is not None and _classified(declared) == _classified(walked)
    else:
        assert declared is None and _classified(walked)[0][0] == undeclared


def test_module_util_imports_without_psycopg(tmp_path):
    """Ansible module_utils: importable where psycopg is missing (HAS_PSYCOPG False, a clear error on use)."""
    import subprocess
    import sys

    script = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def fake(name, *a, **k):\n"
        "    if name == 'psycopg' or name.startswith('psycopg.'):\n"
        "        raise ImportError('no psycopg here')\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = fake\n"
        "sys.path.insert(0, %r)\n"
        "from ansible_collections.envops.aws.plugins.module_utils import masking_pg_copy as m\n"
        "assert not m.HAS_PSYCOPG\n"
        "try:\n"
        "    m.masked_copy('a', 'b', {}, b'k' * 32)\n"
        "except m.MaskingCopyError as e:\n"
        "    raise SystemExit('wrong error')\n"
        "except Exception as e:\n"
        "    assert 'psycopg' in str(e), e\n"
        "print('ok')\n" % str(REPO / ".scratch" / "collections"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr
