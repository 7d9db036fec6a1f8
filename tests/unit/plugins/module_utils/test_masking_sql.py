# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
import re

import pytest

from ansible_collections.envops.aws.plugins.module_utils import masking_sql as sql
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy

COLUMNS = [
    ("id", "integer"),
    ("email", "character varying(64)"),
    ("full_name", "text"),
    ("date_of_birth", "date"),
    ("credit_limit", "numeric(12,2)"),
    ("tier", "text"),
    ("notes", "text"),
    ("we\"ird col", "text"),
    ("profile", "jsonb"),
]


def table(**overrides):
    fields = {
        "id": "keep",
        "email": {"rule": "email"},
        "full_name": {"rule": "substitute", "list": "full_name"},
        "date_of_birth": {"rule": "generalize_date"},
        "credit_limit": {"rule": "noise", "relative": 0.1},
        "tier": {"rule": "constant", "value": "it's 100%"},
        "notes": {"rule": "scrub"},
        "we\"ird col": {"rule": "pseudonym", "prefix": "p_"},
        "profile": {"rule": "json", "paths": {"email": {"rule": "email"}, "tags[]": "keep"}},
    }
    fields.update(overrides)
    fields = dict((name, rule) for name, rule in fields.items() if rule is not None)
    return load_policy({"postgresql": {"tables": {"public.customers": fields}}}).postgresql["public.customers"]


def without_placeholders(text):
    return text.replace(sql.KEY_PLACEHOLDER, "")


def test_one_expression_per_column_in_column_order():
    expressions = sql.column_expressions(table(), COLUMNS)
    assert [name for name, _expression in expressions] == [name for name, _type in COLUMNS]
    assert dict(expressions)["id"] == '"customers"."id"'


def test_select_list_aliases_every_column_with_quoted_identifiers():
    listing = sql.select_list(table(), COLUMNS)
    aliases = re.findall(r' AS ("(?:[^"]|"")+")(?:,\n  |$)', listing)
    assert aliases == ['"id"', '"email"', '"full_name"', '"date_of_birth"', '"credit_limit"', '"tier"', '"notes"',
                       '"we""ird col"', '"profile"']
    assert '"customers"."we""ird col"' in listing


def test_key_is_a_bound_parameter_and_literal_percent_is_doubled():
    listing = sql.select_list(table(), COLUMNS)
    assert listing.count(sql.KEY_PLACEHOLDER) > 5
    assert "hmac(convert_to(" in listing and ", %(mask_key)s, 'sha256')" in listing
    rest = without_placeholders(listing)
    assert "%" in rest and re.search(r"(?<!%)%(?!%)", rest.replace("%%", "")) is None
    assert "'it''s 100%%'" in listing


def test_session_key_needs_no_percent_escaping():
    listing = sql.select_list(table(), COLUMNS, key_param=sql.SESSION_KEY)
    assert sql.KEY_PLACEHOLDER not in listing and "%%" not in listing
    assert "current_setting('envops.mask_key')" in listing
    assert "'it''s 100%'" in listing
    assert sql.set_session_key_sql() == "SELECT set_config('envops.mask_key', %(mask_key_hex)s, true)"


def test_custom_key_expression_and_pgcrypto_schema():
    listing = sql.select_list(table(), COLUMNS, key_param="$1", pgcrypto_schema="ext")
    assert '"ext".hmac(convert_to(' in listing and ", $1, 'sha256')" in listing
    assert " hmac(" not in listing.replace('"ext".hmac(', "")


def test_expressions_yield_the_column_type():
    expressions = dict(sql.column_expressions(table(), COLUMNS))
    assert expressions["email"].startswith("CAST(") and expressions["email"].endswith(" AS character varying)")
    assert expressions["full_name"].endswith(" AS text)")
    assert expressions["date_of_birth"] == "CAST(date_trunc('year', \"customers\".\"date_of_birth\") AS date)"
    assert expressions["credit_limit"].endswith(" AS numeric(12,2))")
    assert expressions["profile"].startswith('CASE WHEN "customers"."profile" IS NULL THEN NULL ELSE ')


def test_other_types_and_rules():
    columns = [("at", "timestamp with time zone"), ("seen", "timestamp(3) without time zone"), ("n", "bigint"),
               ("doc", "json"), ("code", "character(8)"), ("gone", "uuid"), ("flags", "text[]")]
    policy = load_policy({"postgresql": {"tables": {"s.t": {
        "at": {"rule": "generalize_date"}, "seen": {"rule": "generalize_date"}, "n": {"rule": "noise", "absolute": 3},
        "doc": {"rule": "json", "paths": {"a": "email"}}, "code": {"rule": "partial"}, "gone": {"rule": "null"},
        "flags": {"rule": "constant", "value": "{a,b}"}}}}}).postgresql["s.t"]
    expressions = dict(sql.column_expressions(policy, columns))
    assert expressions["at"] == "date_trunc('year', \"t\".\"at\", 'UTC')"
    assert expressions["seen"] == "date_trunc('year', \"t\".\"seen\")"
    assert expressions["n"].endswith(" AS bigint)")
    assert expressions["doc"].startswith("CAST(CASE WHEN") and expressions["doc"].endswith(" AS json)")
    assert expressions["code"].endswith(" AS bpchar)")
    assert expressions["gone"] == "CAST(NULL AS uuid)"
    assert expressions["flags"] == "CAST('{a,b}' AS text[])"


def test_unclassified_columns_are_refused():
    with pytest.raises(sql.MaskingSqlError, match="no rule for column.s. loyalty_code, extra"):
        sql.select_list(table(), COLUMNS + [("loyalty_code", "text"), ("extra", "int")])


def test_rules_that_do_not_fit_the_type_are_refused_with_the_column_named():
    with pytest.raises(sql.MaskingSqlError) as error:
        sql.select_list(table(id={"rule": "email"}, credit_limit={"rule": "generalize_date"}), COLUMNS)
    assert "column id (integer): rule email" in str(error.value)
    assert "column credit_limit (numeric(12,2)): rule generalize_date" in str(error.value)


def test_fixed_length_outputs_must_fit_varchar():
    columns = [("email" if name == "email" else name, "character varying(20)" if name == "email" else kind)
               for name, kind in COLUMNS]
    with pytest.raises(sql.MaskingSqlError, match=r"column email \(character varying\(20\)\): rule email gives 34"):
        sql.select_list(table(), columns)


@pytest.mark.parametrize("bad_type", ["text); DROP TABLE x; --", "text'", "integer -- x", "numeric(12,2) ||"])
def test_type_names_are_checked_before_use(bad_type):
    with pytest.raises(sql.MaskingSqlError, match="not a type name"):
        sql.select_list(table(), [("id", bad_type)] + COLUMNS[1:])


def test_quote_literal_is_safe_whatever_the_string_setting():
    assert sql.quote_literal("it's") == "'it''s'"
    assert sql.quote_literal("a\\b") == "E'a\\\\b'"
    assert sql.quote_literal(" \t\n\r") == "E' \\x09\\x0a\\x0d'"
    assert sql.quote_ident('a"b') == '"a""b"'
    with pytest.raises(sql.MaskingSqlError):
        sql.quote_literal("nul\x00")


def test_select_statement_and_table_alias():
    statement = sql.select_statement(table(), COLUMNS, table_alias="c", where="ctid < '(8,0)'::tid")
    assert statement.startswith('SELECT "c"."id" AS "id",')
    assert 'FROM "public"."customers" AS "c" WHERE ctid < \'(8,0)\'::tid OFFSET 0) AS "c"' in statement
    assert statement.endswith(' OFFSET 0) AS "c"')


def test_select_statement_computes_each_shared_value_once_per_row():
    """The lowered free text is read by every scrub source's test: once in the statement, per use inline."""
    lowered = 'lower((("customers"."notes")::text) COLLATE "C")'
    statement = sql.select_statement(table(), COLUMNS)
    inline = dict(sql.column_expressions(table(), COLUMNS))["notes"]
    assert statement.count(lowered) == 1 and inline.count(lowered) > 1
    normalized_email = 'lower(btrim(("customers"."email")::text'
    assert statement.count(normalized_email) == 1


def test_an_input_equal_to_an_earlier_one_of_its_rule_reuses_its_hash():
    """profile.email holds the same address as email in most rows: one hmac for both then."""
    statement = sql.select_statement(table(), COLUMNS)
    assert re.search(r"CASE WHEN \"customers\"\.\"__envops_m\d+\" = \"customers\"\.\"__envops_m\d+\" THEN "
                     r"\"customers\"\.\"__envops_m\d+\" ELSE hmac\(", statement)


def test_update_sets_only_masked_columns():
    statement = sql.update_statement(table(), COLUMNS)
    assert statement.startswith('UPDATE "public"."customers" SET\n  "email" = CAST(')
    assert '"id" =' not in statement
    only_keep = load_policy({"postgresql": {"tables": {"s.t": {"a": "keep"}}}}).postgresql["s.t"]
    assert sql.update_statement(only_keep, [("a", "text")]) is None


def test_scrub_reads_the_rows_other_pii_columns():
    notes = dict(sql.column_expressions(table(), COLUMNS))["notes"]
    for column in ('"customers"."email"', '"customers"."full_name"', '"customers"."we""ird col"'):
        assert column in notes
    assert "jsonb_typeof(((\"customers\".\"profile\" #> ARRAY['email']::text[]))) = 'string'" in notes
    assert "'[email]', 'g'" in notes and "'[phone]', 'g'" in notes and "'[redacted]', 'gi'" in notes
    assert "strpos((lower(((\"customers\".\"notes\")::text) COLLATE \"C\")), (lower(btrim(" in notes


def test_no_per_row_subqueries_for_the_common_rules():
    """A correlated subquery is a SubPlan run once per row: the rules here are plain expressions."""
    expressions = dict(sql.column_expressions(table(), COLUMNS, key_param="NULL::bytea"))
    for name, expression in expressions.items():
        assert "SELECT" not in expression.upper().replace("SELECT DECODE", ""), name


def test_long_repetitions_are_nested_below_the_are_limit():
    pattern = sql._repeat("[^0-9]*[0-9]", 600)
    assert max(int(count) for count in re.findall(r"\{(\d+)\}", pattern)) <= 255
    assert re.fullmatch(pattern, "-1" * 600) and not re.fullmatch(pattern, "-1" * 599)


RELATED = {"table": "public.people", "via": "person_id", "fields": ["first_name"]}


def test_related_rows_are_joined_once_and_the_names_are_a_cte():
    policy = table(notes={"rule": "scrub", "related": [RELATED]}, person_id="keep")
    names = [("public.people", "first_name", (), False), ("public.customers", "profile", ("name",), True)]
    statement = sql.select_statement(policy, COLUMNS + [("person_id", "integer")], names=names,
                                     where="ctid < '(8,0)'::tid")
    assert statement.startswith("WITH _envops_names AS MATERIALIZED (SELECT DISTINCT")
    assert statement.count('LEFT JOIN "public"."people" AS _envops_r1 ON _envops_r1."id" = "customers"."person_id"') == 1
    # the ctid range is the table's own, inside the join
    assert '(SELECT * FROM "public"."customers" AS "customers" WHERE ctid < \'(8,0)\'::tid) AS "customers" LEFT JOIN' \
        in statement
    assert "IN (SELECT w FROM _envops_names AS _d)" in statement
    inline = dict(sql.column_expressions(policy, COLUMNS + [("person_id", "integer")], names=names))["notes"]
    assert "JOIN" not in inline and '_envops_r1."id" = "customers"."person_id"' in inline
    assert "_envops_names" not in inline and "SELECT DISTINCT" in inline


def test_no_names_no_names_pass_and_the_builtin_hmac_needs_no_extension():
    statement = sql.select_statement(table(), COLUMNS)
    assert "_envops_names" not in statement and "JOIN" not in statement and "hmac(" in statement
    builtin = sql.select_statement(table(), COLUMNS, builtin_hmac=True)
    assert "hmac(" not in builtin and "sha256(" in builtin and "mask_key" in builtin
