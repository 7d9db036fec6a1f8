"""The compiled masking SQL and the Python rules give identical outputs, on the real PostgreSQL.

A scratch database (one per locale: C, libc C.UTF-8 and ICU en-US, dropped at the end) holds a table
with every rule on every column type it applies to (text, varchar, date, timestamp(tz), numeric(12,2),
integer, double precision, jsonb, json) and rows built to break things: NULLs, unicode, quotes,
backslashes and regex characters, emails and phone numbers inside free text, names in other case,
nested JSON arrays, values of the wrong JSON shape.  Each masked value from SQL must equal
``masking_rules.mask_row`` on the same source row with the same key: what makes PostgreSQL and
DynamoDB mask identically.  The same SQL is also run through COPY with the session key and as an
UPDATE of a clone.
"""

import functools
import json
import math
import random
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg")
from psycopg.types.json import Json, Jsonb, set_json_loads  # noqa: E402

from tools.stack.state import pg_dsn  # noqa: E402

try:
    import ansible_collections.envops.aws  # noqa: F401  pylint: disable=unused-import
except ImportError:  # plain pytest from the checkout: the collection is linked under .scratch (make collection)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".scratch" / "collections"))

from ansible_collections.envops.aws.plugins.module_utils import masking_rules  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils import masking_sql  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils.masking_lists import LISTS  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import TablePolicy  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import related_declarations  # noqa: E402

KEY = bytes(range(32))
OTHER_KEY = b"another-key-for-the-same-rows-32"
TABLE = "public.customers"

COLUMNS = [
    ("id", "integer"),
    ("email", "character varying(64)"),
    ("full_name", "text"),
    ("first_name", "character varying(40)"),
    ("phone", "text"),
    ("date_of_birth", "date"),
    ("signed_up", "timestamp with time zone"),
    ("last_seen", "timestamp(3) without time zone"),
    ("birth_text", "text"),
    ("zip", "character varying(10)"),
    ("credit_limit", "numeric(12,2)"),
    ("visits", "integer"),
    ("score", "double precision"),
    ("ssn", "text"),
    ("tier", "text"),
    ("notes", "text"),
    ("external_ref", "text"),
    ("profile", "jsonb"),
    ("settings", "json"),
    ("person_id", "integer"),
    ("gift_message", "text"),
]
# The rows gift_message (and settings.note) refer to by foreign key: their PII is scrubbed from those texts.
PEOPLE = "public.people"
PEOPLE_COLUMNS = [("pid", "integer PRIMARY KEY"), ("first_name", "text"), ("last_name", "character varying(40)"),
                  ("email", "text"), ("phone", "text")]
RELATED = {"table": PEOPLE, "via": "person_id", "key": "pid", "fields": ["first_name", "last_name", "email", "phone"]}

POLICY = {"postgresql": {"tables": {TABLE: {
    "id": "keep",
    "email": {"rule": "email"},
    "full_name": {"rule": "substitute", "list": "full_name"},
    "first_name": {"rule": "substitute", "list": "first_name"},
    "phone": {"rule": "partial", "keep_last": 4},
    "date_of_birth": {"rule": "generalize_date"},
    "signed_up": {"rule": "generalize_date"},
    "last_seen": {"rule": "generalize_date"},
    "birth_text": {"rule": "generalize_date"},
    "zip": {"rule": "generalize_prefix", "keep": 2},
    "credit_limit": {"rule": "noise", "relative": 0.1},
    "visits": {"rule": "noise", "absolute": 3},
    "score": {"rule": "noise", "relative": 0.05},
    "ssn": {"rule": "null"},
    "tier": {"rule": "constant", "value": "standard"},
    "notes": {"rule": "scrub"},
    "external_ref": {"rule": "pseudonym", "prefix": "c_"},
    "profile": {"rule": "json", "paths": {
        "email": {"rule": "email"},
        "first": {"rule": "substitute", "list": "first_name"},
        "address.city": {"rule": "substitute", "list": "city"},
        "address.street": {"rule": "substitute", "list": "street_address"},
        "address.zip": {"rule": "generalize_prefix", "keep": 1},
        "marketing_opt_in": "keep",
        "tags[]": "keep",
        "history[].note": {"rule": "scrub"},
        "history[].amount": {"rule": "noise", "absolute": 5},
        "contacts[].phones[]": {"rule": "partial", "keep_last": 2},
        "pin": {"rule": "partial", "keep_last": 0},
        "dob": {"rule": "generalize_date"},
        "ids[]": {"rule": "pseudonym", "prefix": "id_"},
        "it's \"odd\"": {"rule": "pseudonym"},
        "ssn": {"rule": "null"},
        "plan": {"rule": "constant", "value": 3},
    }},
    "settings": {"rule": "json", "paths": {
        "theme": "keep",
        "owner_email": {"rule": "email"},
        "note": {"rule": "scrub", "related": [RELATED]},
    }},
    "person_id": "keep",
    "gift_message": {"rule": "scrub", "related": [RELATED]},
}}}}

HAND_MADE = [
    # every column NULL: NULL out everywhere, except the constant
    dict(),
    dict(email=" John.Doe@Example.com ", full_name="John Doe", first_name="John", phone="555-123-1234",
         date_of_birth="1980-05-17", signed_up="2021-01-01 01:00:00+05", last_seen="1999-12-31 23:59:59.999",
         birth_text="1980-05-17T10:00:00Z", zip="12345", credit_limit="1234.50", visits=7, score=0.1 + 0.2,
         ssn="123-45-6789", tier="gold", external_ref="ext-1",
         notes="Call JOHN doe at (555) 123-4567 or mail john.doe@example.com; ssn 123-45-6789. John's file.",
         profile={"email": "J@X.io", "first": "John",
                  "address": {"city": "Paris", "street": "1 Rue X", "zip": "75001", "floor": 3},
                  "marketing_opt_in": True, "tags": ["vip", 1, None, {"deep": ["x"]}],
                  "history": [{"note": "John Doe paid, call +1 (555) 987-6543", "amount": 12.5},
                              {"note": None, "amount": 10}, {"amount": "12"}, "not an object"],
                  "contacts": [{"phones": ["555-000-1111", 5551112222, None]}, {"phones": "x"}],
                  "dob": "1980-05-17", "ids": ["a", "B", 7], "it's \"odd\"": "v", "ssn": "1", "plan": "gold",
                  "unclassified": "dropped"},
         settings={"theme": "dark", "owner_email": "Owner@Example.com", "note": "owner is owner@example.com"}),
    dict(email="ÉLISE.Dupont@Exemple.FR", full_name="Élise Dupont", first_name="Élise", phone="+33 1 23 45 67 89",
         zip="ÅÄÖ12", notes="élise dupont ≠ Élise Dupont; ÉLISE DUPONT 😀 naïve café, mail ÉLISE.Dupont@Exemple.FR",
         external_ref="Zoë", profile={"first": "Élise", "address": "a string, not an object"},
         settings={"theme": "😀", "note": "Élise"}),
    dict(email="o'brien@x.io", full_name="O'Brien \\ (Jr.) [x]", first_name="a+b|c$", phone="12",
         notes="Mr o'brien \\ (jr.) [x] met A+B|C$ and O'Brien \\ (Jr.)[x] (no). back\\slash 'quoted' \"dq\"",
         external_ref="it's", credit_limit="0.00", visits=0, score=1e-07,
         profile={"it's \"odd\"": 42, "ids": [], "history": []}, settings={"theme": None}),
    dict(email="a.b+c@sub.domain.co.uk", full_name="Ann Smith", first_name="Ann", phone="555.123.4567",
         notes="<a.b+c@sub.domain.co.uk>. Ann Smith, Ann, Annabel, JoAnn, ann-smith, Smith; x@y.z1 bad@x 5551234567 "
               "order 2024-01-15 10:30, ref 123-45, +44 20 7946 0958.",
         credit_limit="-1234.56", visits=-5, score=123456.789, zip="1", birth_text="17/05/1980",
         profile={"tags": "not a list", "history": {"note": "not a list"}, "contacts": [{"phones": [[1]]}]}),
    dict(email="", full_name="  Al  ", first_name="Al", phone="", zip="", notes="", external_ref="",
         credit_limit="999999999.99", visits=2147483, score=float("nan"),
         profile="just a string", settings=[1, 2]),
    dict(full_name="Mary-Ann", first_name="Mary", notes="MARY-ANN and mary-ann and Mary-Annette, line\nbreak\ttab",
         score=float("inf"), profile=None, settings={"owner_email": 5}),
    dict(email="dup@example.com", full_name="Mia", notes="Mia: mia@EXAMPLE.com, 555 123 4567, +15551234567.",
         profile={"email": "DUP@example.com ", "plan": None, "dob": "bad", "address": {"zip": 98765}}),
]


def self_picking(list_name):
    """An entry of the list that the substitute rule would pick for itself under KEY (skip-ahead case)."""
    entries = LISTS[list_name]
    for index, entry in enumerate(entries):
        if masking_rules.token_u32(KEY, masking_rules.normalize(entry)) % len(entries) == index:
            return entry
    raise AssertionError("no self-picking entry in %s" % list_name)


HAND_MADE.append(dict(phone="1" * 300 + "-end", notes="n/a", profile={"pin": "12-34"}))
HAND_MADE.append(dict(phone="n/a", profile={"pin": "none"}))
# scrub's prefilter reads the original text: 'Email' occurs there, 'Phone' only after pass 2
HAND_MADE.append(dict(first_name="Email", full_name="Phone", email="x@y.io",
                      notes="EMAIL x@y.io or 555 123 4567 (+44) 20-7946-0958 x5551234567 2024-01-15",
                      settings={"note": "x@y.io phone"}))
HAND_MADE.append(dict(
    email="\tTab.Padded@Example.com\n", full_name=self_picking("full_name"), first_name=self_picking("first_name"),
    ssn="X12-34-Y", notes="7 digits 555-1234, 6 digits 55-1234; ssn x12-34-y; plan PREMIUM; %s" % self_picking("full_name"),
    profile={"address": {"city": self_picking("city")}, "plan": "premium"}))
# one needle value occurring once is replaced without a regex in SQL: at the start, at the end, next to a word
# character (no match), in another case, from two sources at once, inside an email only, twice, non-ASCII
HAND_MADE.extend([
    dict(first_name="Ann", notes="Ann"), dict(first_name="Ann", notes="Annabel called"),
    dict(first_name="Ann", notes="_Ann; xAnn ann."), dict(first_name="Bob", full_name="bob", notes="met BOB."),
    dict(first_name="Zed", notes="mail Zed@zed.io today"), dict(first_name="Lea", notes="(Lea) and _Lea"),
    dict(first_name="Éva", notes="Éva и ÉVA!"), dict(first_name="Ida", full_name="Ida Ek", notes="Ida Ek, not Ida"),
])

NAMES = ["John Smith", "María José", "Zoë Saldaña", "O'Neil", "Jean-Luc Picard", "李 小龙", "Ann", "Ann Lee", "Al",
         "Dr. Who?", "A+B [x]", "back\\slash", "$money", "a|b", "Émile Zola", "Mary-Ann"]
DOMAINS = ["example.com", "Example.ORG", "mail.co.uk", "x.io"]
PHONES = ["555-123-{:04d}", "(555) 123 {:04d}", "+1 555 123 {:04d}", "555.123.{:04d}", "555123{:04d}", "12-{:04d}"]


PEOPLE_ROWS = [
    dict(pid=1, first_name="Wei", last_name="Zhang", email="wei.zhang@example.com", phone="+86 10 1234 5678"),
    dict(pid=2, first_name="Zoë", last_name="O'Neil", email="zoe@x.io", phone="555-123-0001"),
    dict(pid=3, first_name="Al", last_name="Li", email=None, phone=None),
    dict(pid=4, first_name="Mary-Ann", last_name="Smith (Jr.)", email="MA@Example.ORG", phone="12-34"),
    dict(pid=5, first_name=None, last_name="Ek", email="e@k.se", phone="555 000 1111"),
]
GIFT_WORDS = ["Happy", "birthday", "Wei!", "wei", "WEI", "Zhang,", "Weiss", "call", "me", "at", "+86 10 1234 5678",
              "zoë", "Zoë", "O'Neil", "o'neil.", "Mary-Ann", "Smith", "(Jr.)", "Ek", "Li", "Al", "John", "Ann", "Picard",
              "Luc", "from", "your", "Émile", "José", "redacted", "[x]", "a|b", "wei.zhang@example.com"]


def random_rows(count, seed=20261102):
    rng = random.Random(seed)
    rows = []
    for _row in range(count):
        name = rng.choice(NAMES)
        first = name.split()[0]
        email = "%s.%d@%s" % (first.lower().replace(" ", ""), rng.randrange(1000), rng.choice(DOMAINS))
        phone = rng.choice(PHONES).format(rng.randrange(10000))
        fragments = [name, name.upper(), name.lower(), first, email, email.upper(), phone, rng.choice(PHONES).format(7),
                     "ünïcödé", "(", "[", "$", "|", "\\", "'", "%", "word", first + "x", "x" + first]
        notes = " ".join(rng.choice(fragments) for _word in range(rng.randrange(0, 8)))
        rows.append(dict(
            email=email if rng.random() > 0.1 else None, full_name=name, first_name=first, phone=phone,
            date_of_birth="%04d-%02d-%02d" % (rng.randrange(1930, 2010), rng.randrange(1, 13), rng.randrange(1, 29)),
            signed_up="2020-12-31 %02d:30:00+%02d" % (rng.randrange(24), rng.randrange(0, 14)),
            zip=str(rng.randrange(100000)), credit_limit="%d.%02d" % (rng.randrange(100000), rng.randrange(100)),
            visits=rng.randrange(-10, 1000), score=rng.uniform(-1000, 1000), ssn="%09d" % rng.randrange(10 ** 9),
            tier=rng.choice(["gold", "silver", None]), notes=notes if rng.random() > 0.05 else None,
            external_ref="ext-%d" % rng.randrange(100),
            profile={"email": email.upper(), "first": first, "address": {"city": rng.choice(["Paris", "Oslo", None])},
                     "history": [{"note": "%s called %s" % (first, phone), "amount": Decimal(rng.randrange(-999, 999)) / 10}
                                 for _entry in range(rng.randrange(3))],
                     "contacts": [{"phones": [phone, rng.randrange(10 ** 9)]}]},
            settings={"owner_email": email, "note": "contact %s at %s" % (name, email), "theme": "light"},
            person_id=rng.choice([None] + list(range(1, len(PEOPLE_ROWS) + 2))),  # one past the last: no row
            gift_message=" ".join(rng.choice(GIFT_WORDS) for _word in range(rng.randrange(0, 9)))
            if rng.random() > 0.1 else None,
        ))
    return rows


def create_table(conn, name, columns=None):
    columns = COLUMNS if columns is None else columns
    conn.execute("CREATE TABLE %s (%s)" % (masking_sql.quote_table(name), ", ".join(
        "%s %s" % (masking_sql.quote_ident(column), kind) for column, kind in columns)))


def create_people(conn):
    create_table(conn, PEOPLE, PEOPLE_COLUMNS)
    names = [column for column, _kind in PEOPLE_COLUMNS]
    with conn.cursor() as cursor:
        for row in PEOPLE_ROWS:
            cursor.execute("INSERT INTO people (%s) VALUES (%s)" % (", ".join(names), ", ".join(["%s"] * len(names))),
                           [row[column] for column in names])


def insert_rows(conn, rows):
    names = [column for column, _kind in COLUMNS]
    with conn.cursor() as cursor:
        for number, row in enumerate(rows, start=1):
            values = dict(row, id=number)
            for column in ("profile", "settings"):
                if column in values and values[column] is not None:
                    values[column] = (Jsonb if column == "profile" else Json)(values[column], dumps=decimal_dumps)
            cursor.execute("INSERT INTO customers (%s) VALUES (%s)" % (
                ", ".join(names), ", ".join(["%s"] * len(names))), [values.get(column) for column in names])


def decimal_dumps(value):
    return json.dumps(value, default=str)


@pytest.fixture(scope="module", params=["C", "C.utf8", "icu-en-US"])
def database(request, stack):
    """A scratch database in the given locale, with pgcrypto and the customers table; dropped afterwards."""
    name = "envops_masking_%s" % uuid.uuid4().hex[:12]
    locale = request.param
    options = ("LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.utf8'" if locale.startswith("icu")
               else "LOCALE %s" % masking_sql.quote_literal(locale))
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' %s" % (name, options))
    try:
        with psycopg.connect(pg_dsn(name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
            create_table(conn, TABLE)
            create_people(conn)
            insert_rows(conn, HAND_MADE + random_rows(600))
        yield name
    finally:
        with psycopg.connect(pg_dsn("postgres"), autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


@pytest.fixture
def conn(database):
    with psycopg.connect(pg_dsn(database), autocommit=True) as connection:
        # JSON numbers as Decimal, like DynamoDB: '1.50' keeps its scale on both sides.
        set_json_loads(functools.partial(json.loads, parse_float=Decimal), connection)
        # date_trunc must not depend on the session time zone: pick an odd one.
        connection.execute("SET TimeZone = 'Pacific/Chatham'")
        connection.execute(masking_sql.JIT_OFF_SQL)
        yield connection


@pytest.fixture(scope="module")
def table_policy():
    return load_policy(POLICY).postgresql[TABLE]


def source_rows(conn, table="customers"):
    cursor = conn.execute("SELECT * FROM %s ORDER BY id" % table)
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def masked_rows(conn, statement, key):
    cursor = conn.execute(statement + " ORDER BY 1", {"mask_key": key})
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def same(left, right):
    """Equal values of the same type; Decimals equal in scale too; NaN equals NaN."""
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
        return True
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same(one, other) for one, other in zip(left, right))
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        return str(left) == str(right)
    return type(left) is type(right) and left == right


def related_rows(table_policy, source):
    """The rows ``source`` refers to by the policy's related declarations, as masking_rules.mask_row takes them."""
    people = dict((row["pid"], row) for row in PEOPLE_ROWS)
    return dict((related, people.get(source[related.via])) for related in related_declarations(table_policy))


def mismatches(sql_rows, sources, table_policy, key, names=frozenset()):
    found = []
    for masked, source in zip(sql_rows, sources):
        expected = masking_rules.mask_row(key, table_policy, source, related_rows(table_policy, source), names)
        for column, _kind in COLUMNS:
            if not same(masked[column], expected[column]):
                found.append("row %s %s:\n  source %r\n  sql    %r\n  python %r" % (
                    source["id"], column, source[column], masked[column], expected[column]))
    return found


def test_sql_masks_exactly_like_python(conn, table_policy):
    statement = masking_sql.select_statement(table_policy, masking_rules_columns(conn))
    assert KEY.hex() not in statement and "mask_key" in statement
    sources = source_rows(conn)
    masked = masked_rows(conn, statement, KEY)
    assert len(masked) == len(sources) == len(HAND_MADE) + 600
    problems = mismatches(masked, sources, table_policy, KEY)
    assert not problems, "%d mismatches, first ones:\n%s" % (len(problems), "\n".join(problems[:10]))


def masking_rules_columns(conn):
    """The table's columns and types as the pipeline reads them (COLUMNS_SQL)."""
    rows = conn.execute(masking_sql.COLUMNS_SQL, {"table": TABLE}).fetchall()
    assert rows == COLUMNS
    return rows


def test_every_rule_did_something(conn, table_policy):
    masked = masked_rows(conn, masking_sql.select_statement(table_policy, COLUMNS), KEY)
    john = masked[1]
    assert john["email"].endswith("@example.invalid") and john["phone"] == "xxx-xxx-1234"
    assert john["ssn"] is None and john["tier"] == "standard" and masked[0]["tier"] == "standard"
    assert "John" not in john["notes"] and "555-123" not in john["notes"] and "example.com" not in john["notes"]
    assert "unclassified" not in john["profile"] and john["profile"]["address"].keys() == {"city", "street", "zip"}
    assert john["profile"]["contacts"][0]["phones"] == ["xxx-xxx-xx11", "xxxxxxxx22", None]
    assert all(value is None for column, value in masked[0].items() if column not in ("id", "tier"))


def test_the_key_changes_every_keyed_output(conn, table_policy):
    statement = masking_sql.select_statement(table_policy, COLUMNS)
    first, second = masked_rows(conn, statement, KEY), masked_rows(conn, statement, OTHER_KEY)
    for column in ("email", "external_ref"):
        pairs = [(one[column], other[column]) for one, other in zip(first, second) if one[column] is not None]
        assert pairs and all(one != other for one, other in pairs)
    assert not mismatches(second, source_rows(conn), table_policy, OTHER_KEY)


def test_copy_with_the_session_key_streams_the_same_rows(conn, table_policy):
    statement = masking_sql.select_statement(table_policy, COLUMNS, key_param=masking_sql.SESSION_KEY)
    type_oids = [row[0] for row in conn.execute(
        "SELECT atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum", [TABLE]).fetchall()]
    with conn.transaction():
        conn.execute(masking_sql.set_session_key_sql(), {"mask_key_hex": KEY.hex()})
        with conn.cursor().copy("COPY (%s ORDER BY 1) TO STDOUT" % statement) as copy:
            copy.set_types(type_oids)
            copied = [dict(zip([name for name, _kind in COLUMNS], row)) for row in copy.rows()]
    assert conn.execute("SELECT current_setting('envops.mask_key', true)").fetchone()[0] in ("", None)
    assert not mismatches(copied, source_rows(conn), table_policy, KEY)


def test_update_of_a_clone_gives_the_same_rows(conn, table_policy):
    conn.execute("DROP TABLE IF EXISTS public.customers_clone")
    conn.execute("CREATE TABLE public.customers_clone AS TABLE public.customers")
    clone_policy = TablePolicy("public.customers_clone", table_policy.fields)
    conn.execute(masking_sql.update_statement(clone_policy, COLUMNS), {"mask_key": KEY})
    updated = source_rows(conn, "customers_clone")
    assert not mismatches(updated, source_rows(conn), table_policy, KEY)


def name_sources(conn):
    """The policy's name columns as masking_sql takes them, and the Python dictionary of their source values."""
    policy = load_policy(POLICY).postgresql
    kinds = dict(COLUMNS)
    sources = [(table, column, keys, kinds[column] in ("json", "jsonb"))
               for table, column, keys in masking_rules.name_sources(policy)]
    values = []
    for row in source_rows(conn):
        for _table, column, keys, _is_json in sources:
            value = row[column]
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            values.append(value)
    return sources, masking_rules.name_dictionary(values)


def test_related_rows_and_the_names_pass_mask_exactly_like_python(conn, table_policy):
    """Free text loses the PII of the row it refers to by foreign key and every word that is a source name."""
    sources, dictionary = name_sources(conn)
    assert [(column, keys) for _table, column, keys, _json in sources] == [
        ("first_name", ()), ("full_name", ()), ("profile", ("first",))]
    assert {"john", "wei", "picard", "luc"} - dictionary == {"wei"}  # Wei is only a related row's name
    statement = masking_sql.select_statement(table_policy, COLUMNS, names=sources)
    assert "LEFT JOIN" in statement and masking_sql.NAMES_CTE in statement
    masked = masked_rows(conn, statement, KEY)
    problems = mismatches(masked, source_rows(conn), table_policy, KEY, dictionary)
    assert not problems, "%d mismatches, first ones:\n%s" % (len(problems), "\n".join(problems[:10]))
    gifts = [(row["gift_message"], row["person_id"]) for row in masked if row["gift_message"]]
    assert not any(word in gift for gift, _person in gifts for word in ("John", "Picard", "+86", "@"))
    weis = [gift for gift, person in gifts if person == 1]
    assert weis and not any(word in gift.lower() for gift in weis for word in ("wei!", "wei ", "zhang"))
    assert any("[redacted]" in gift for gift in weis) and any("birthday" in gift for gift, _person in gifts)


def test_inline_forms_and_the_builtin_hmac_give_the_same_rows(conn, table_policy):
    """The UPDATE of a clone (correlated sub-selects instead of joins) and the HMAC of the built-in sha256 (a
    source without pgcrypto) give the same bytes as pgcrypto."""
    sources, dictionary = name_sources(conn)
    statement = masking_sql.select_statement(table_policy, COLUMNS, names=sources, builtin_hmac=True)
    assert "hmac(" not in statement
    assert not mismatches(masked_rows(conn, statement, KEY), source_rows(conn), table_policy, KEY, dictionary)
    conn.execute("DROP TABLE IF EXISTS public.customers_clone")
    conn.execute("CREATE TABLE public.customers_clone AS TABLE public.customers")
    clone_policy = TablePolicy("public.customers_clone", table_policy.fields)
    conn.execute(masking_sql.update_statement(clone_policy, COLUMNS, names=sources, builtin_hmac=True),
                 {"mask_key": OTHER_KEY})
    updated = source_rows(conn, "customers_clone")
    assert not mismatches(updated, source_rows(conn), table_policy, OTHER_KEY, dictionary)
