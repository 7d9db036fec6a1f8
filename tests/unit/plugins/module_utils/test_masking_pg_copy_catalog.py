# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""check_catalog: the policy against the catalog of a source, every problem named with its table, column and rule."""

from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import LiveTable
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import check_catalog
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import name_columns
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy


def live(name, *columns):
    schema, _dot, table_name = name.partition(".")
    table = LiveTable(schema, table_name, 10, 8192)
    table.columns = [(column, type_text, 25) for column, type_text in columns]
    return table


TABLES = dict((table.qualified, table) for table in (
    live("public.customers", ("id", "integer"), ("first_name", "text"), ("city", "character varying(40)"),
         ("limit", "numeric")),
    live("public.orders", ("id", "integer"), ("customer_id", "integer"), ("notes", "text"), ("extra", "text")),
))
UNIQUE = {"public.customers": {"id"}, "public.orders": {"id"}}


def policy(orders_notes, **customers):
    fields = {"id": "keep", "first_name": {"rule": "substitute", "list": "first_name"}, "city": "keep",
              "limit": "keep"}
    fields.update(customers)
    return load_policy({"postgresql": {"tables": {
        "public.customers": dict((name, rule) for name, rule in fields.items() if rule is not None),
        "public.orders": {"id": "keep", "customer_id": "keep", "notes": orders_notes, "extra": "keep"}}}})


def test_a_policy_that_fits_has_nothing_to_say():
    related = {"rule": "scrub", "related": [{"table": "public.customers", "via": "customer_id",
                                             "fields": ["first_name", "city"]}]}
    assert check_catalog(TABLES, UNIQUE, policy(related)) == ([], [])
    assert name_columns(TABLES, policy(related)) == [("public.customers", "first_name", (), False)]


def test_every_problem_is_named_with_its_rule():
    related = {"rule": "scrub", "related": [
        {"table": "public.customers", "via": "client_id", "key": "city", "fields": ["limit", "nick"]},
        {"table": "public.people", "via": "customer_id", "fields": ["name"]}]}
    weak = policy(related, city=None, nickname={"rule": "null"}, first_name={"rule": "noise", "relative": 0.1})
    unclassified, problems = check_catalog(TABLES, UNIQUE, weak)
    assert unclassified == ["public.customers.city"]
    assert problems == [
        "public.customers.nickname (rule null): no such column in the source",
        "cannot mask public.customers: column first_name (text): rule noise does not apply to this type",
        "public.orders.notes (rule scrub, related public.customers): no column client_id in public.orders",
        "public.orders.notes (rule scrub, related public.customers): public.customers.city is not a unique key "
        "(a primary key or unique index on that column alone)",
        "public.orders.notes (rule scrub, related public.customers): public.customers.limit is numeric, not text",
        "public.orders.notes (rule scrub, related public.customers): no column nick in public.customers",
        "public.orders.notes (rule scrub, related public.people): no such table in the source",
    ]


def test_tables_missing_on_either_side():
    extra = dict(TABLES, **{"public.audit": live("public.audit", ("who", "text"))})
    raw = policy({"rule": "scrub"}).postgresql
    raw["public.invoices"] = load_policy({"postgresql": {"tables": {"public.invoices": {
        "id": "keep", "iban": {"rule": "null"}}}}}).postgresql["public.invoices"]
    unclassified, problems = check_catalog(extra, UNIQUE, type("P", (), {"postgresql": raw})())
    assert unclassified == ["public.audit.who"]
    assert problems == ["public.invoices (2 rules): no such table in the source"]
