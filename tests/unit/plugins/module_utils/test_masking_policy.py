# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
import copy
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from ansible_collections.envops.aws.plugins.module_utils.masking_policy import MaskingPolicyError
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import Rule
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import classify
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import format_path
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import parse_path
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import policy_hash
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import related_declarations

CUSTOMERS = "public.customers"

POLICY = {
    "postgresql": {"tables": {CUSTOMERS: {
        "id": "keep",
        "email": {"rule": "email"},
        "full_name": {"rule": "substitute", "list": "full_name"},
        "phone": {"rule": "partial", "keep_last": 4},
        "date_of_birth": {"rule": "generalize_date"},
        "zip": {"rule": "generalize_prefix", "keep": 2},
        "credit_limit": {"rule": "noise", "relative": 0.1},
        "ssn": {"rule": "null"},
        "tier": {"rule": "constant", "value": "standard"},
        "notes": {"rule": "scrub"},
        "external_ref": {"rule": "pseudonym", "prefix": "c_"},
        "profile": {"rule": "json", "paths": {
            "email": {"rule": "email"},
            "address.city": {"rule": "substitute", "list": "city"},
            "address.street": {"rule": "substitute", "list": "street_address"},
            "marketing_opt_in": "keep",
            "tags[]": "keep",
        }},
    }}},
    "dynamodb": {"tables": {"user-activity": {
        "user_id": {"rule": "pseudonym"},
        "profile.email": {"rule": "email"},
        "profile.first_name": {"rule": "substitute", "list": "first_name"},
        "events[].note": {"rule": "scrub"},
        "events[].at": "keep",
    }}},
}


def problems_of(data):
    with pytest.raises(MaskingPolicyError) as error:
        load_policy(data)
    return dict(error.value.problems)


def with_column(entry, column="email"):
    data = copy.deepcopy(POLICY)
    data["postgresql"]["tables"][CUSTOMERS][column] = entry
    return data


def test_example_policy_loads_with_every_rule():
    policy = load_policy(POLICY)
    customers = policy.postgresql[CUSTOMERS]
    assert customers.fields["id"] == Rule("keep")
    assert customers.fields["external_ref"].prefix == "c_"
    assert customers.fields["phone"].keep_last == 4
    assert customers.fields["credit_limit"].relative == Decimal("0.1")
    assert customers.fields["tier"].value == "standard"
    assert dict(customers.fields["profile"].paths)["address.city"] == Rule("substitute", list_name="city")


def test_partial_keeps_last_four_by_default():
    rule = load_policy(with_column({"rule": "partial"}, "phone")).postgresql[CUSTOMERS].fields["phone"]
    assert rule.keep_last == 4


def test_dynamodb_attribute_paths_become_json_rules_on_their_attribute():
    table = load_policy(POLICY).dynamodb["user-activity"]
    assert sorted(table.fields) == ["events", "profile", "user_id"]
    assert table.fields["events"].kind == "json"
    assert [path for path, _rule in table.fields["events"].paths] == ["[].at", "[].note"]
    assert table.fields["events"].tree.items.keys["note"].rule.kind == "scrub"


def test_flat_and_nested_spellings_are_the_same_policy():
    flat = {"dynamodb": {"tables": {"t": {"a": "keep", "p.email": {"rule": "email"}}}}}
    nested = {"dynamodb": {"tables": {"t": {"a": {"rule": "keep"},
                                            "p": {"rule": "json", "paths": {"email": "email"}}}}}}
    assert policy_hash(load_policy(flat)) == policy_hash(load_policy(nested))


def test_policy_hash_is_sha256_and_follows_the_rules_not_the_key_order():
    reordered = copy.deepcopy(POLICY)
    table = reordered["postgresql"]["tables"][CUSTOMERS]
    reordered["postgresql"]["tables"][CUSTOMERS] = dict(reversed(list(table.items())))
    digest = policy_hash(load_policy(POLICY))
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert policy_hash(load_policy(reordered)) == digest
    assert policy_hash(load_policy(with_column({"rule": "pseudonym"}))) != digest
    assert policy_hash(load_policy(with_column({"rule": "noise", "relative": 0.2}, "credit_limit"))) != digest


def test_every_problem_is_reported_with_its_path():
    data = copy.deepcopy(POLICY)
    table = data["postgresql"]["tables"][CUSTOMERS]
    table["email"] = {"rule": "emial"}
    table["zip"] = {"rule": "generalize_prefix"}
    table["phone"] = {"rule": "partial", "keep_last": -1}
    table["tier"] = {"rule": "constant", "value": "x", "colour": "red"}
    table["profile"]["paths"]["address.city"] = {"rule": "substitute", "list": "planets"}
    problems = problems_of(data)
    base = 'envops_masking_policy.postgresql.tables["public.customers"]'
    assert "unknown rule 'emial'" in problems[base + ".email.rule"]
    assert "needs 'keep'" in problems[base + ".zip"]
    assert ">= 0" in problems[base + ".phone.keep_last"]
    assert "no parameter 'colour'" in problems[base + ".tier.colour"]
    assert "unknown list 'planets'" in problems[base + '.profile.paths["address.city"].list']
    assert len(problems) == 5


def test_error_message_lists_every_problem():
    with pytest.raises(MaskingPolicyError) as error:
        load_policy({"postgresql": {"tables": {"customers": {}}}, "s3": {}})
    message = str(error.value)
    assert "2 problem(s)" in message
    assert "envops_masking_policy.s3: unknown store" in message
    assert "envops_masking_policy.postgresql.tables.customers: table must be named schema.table" in message


@pytest.mark.parametrize("entry, where, fragment", [
    (None, ".email", "quote null in YAML"),
    (42, ".email", "rule name or a mapping"),
    ("substitute", ".email", "needs parameters"),
    ({"rule": "noise"}, ".email", "exactly one of"),
    ({"rule": "noise", "relative": 0.1, "absolute": 5}, ".email", "exactly one of"),
    ({"rule": "noise", "absolute": 0}, ".email.absolute", "> 0"),
    ({"rule": "noise", "absolute": True}, ".email.absolute", "> 0"),
    ({"rule": "constant"}, ".email", "needs 'value'"),
    ({"rule": "constant", "value": None}, ".email.value", "use rule 'null'"),
    ({"rule": "constant", "value": [1]}, ".email.value", "string, number or boolean"),
    ({"rule": "pseudonym", "prefix": 7}, ".email.prefix", "must be a string"),
    ({"rule": "json", "paths": {}}, ".email.paths", "map each JSON path"),
    ({"rule": "json", "paths": {"a..b": "keep"}}, '.email.paths["a..b"]', "not a path"),
    ({"rule": "json", "paths": {"a": {"rule": "json", "paths": {"b": "keep"}}}}, ".email.paths.a.rule", "do not nest"),
    ({"rule": "json", "paths": {"a": "keep", "a.b": "email"}}, ".email.paths.a", "rules below it (email.a.b)"),
    ({"rule": "json", "paths": {"a[]": "keep", "a.b": "email"}}, '.email.paths["a.b"]', "array and as an object"),
])
def test_bad_entries_are_named(entry, where, fragment):
    problems = problems_of(with_column(entry))
    assert fragment in problems['envops_masking_policy.postgresql.tables["public.customers"]' + where]


def test_postgresql_column_names_cannot_be_paths():
    problems = problems_of(with_column("keep", "profile.email"))
    assert "cannot contain '.'" in problems['envops_masking_policy.postgresql.tables["public.customers"]["profile.email"]']


def test_dynamodb_path_conflicts_are_named():
    problems = problems_of({"dynamodb": {"tables": {"t": {"profile": "keep", "profile.email": "email"}}}})
    assert "rules below it (profile.email)" in problems["envops_masking_policy.dynamodb.tables.t.profile"]
    problems = problems_of({"dynamodb": {"tables": {"t": {"p.e": "keep", "p": {"rule": "json", "paths": {"e": "email"}}}}}})
    assert list(problems.values()) == ["p.e is given twice"]


def test_store_shape_is_checked():
    assert "'tables' mapping" in problems_of({"postgresql": []})["envops_masking_policy.postgresql"]
    assert "known: tables" in problems_of({"dynamodb": {"tables": {}, "region": "x"}})["envops_masking_policy.dynamodb.region"]
    assert "mapping" in problems_of("postgresql")["envops_masking_policy"]


def test_paths_parse_and_format_both_ways():
    for text, components in [("email", ("email",)), ("address.city", ("address", "city")),
                             ("tags[]", ("tags", "[]")), ("events[].note", ("events", "[]", "note")),
                             ("[].email", ("[]", "email")), ("m[][]", ("m", "[]", "[]"))]:
        assert parse_path(text) == components
        assert format_path(components) == text
    for bad in ["", ".a", "a.", "a[0]", "a..b", "a[", None]:
        with pytest.raises(ValueError):
            parse_path(bad)


def test_pii_fields_are_every_rule_but_keep():
    policy = load_policy(POLICY)
    assert policy.postgresql[CUSTOMERS].pii_fields == (
        "credit_limit", "date_of_birth", "email", "external_ref", "full_name", "notes", "phone",
        "profile.address.city", "profile.address.street", "profile.email", "ssn", "tier", "zip")
    assert policy.dynamodb["user-activity"].pii_fields == ("events[].note", "profile.email",
                                                           "profile.first_name", "user_id")


def test_scrub_sources_are_pii_outside_arrays_and_not_free_text():
    table = load_policy(POLICY).dynamodb["user-activity"]
    assert [(source.field, source.keys) for source in table.scrub_sources] == [
        ("profile", ("email",)), ("profile", ("first_name",)), ("user_id", ())]
    assert table.has_scrub
    customers = load_policy(POLICY).postgresql[CUSTOMERS]
    assert "notes" not in [source.path for source in customers.scrub_sources]
    assert "id" not in [source.path for source in customers.scrub_sources]


LIVE = ["id", "email", "full_name", "phone", "date_of_birth", "zip", "credit_limit", "ssn", "tier", "notes",
        "external_ref", "profile", "profile.email", "profile.address", "profile.address.city",
        "profile.address.street", "profile.marketing_opt_in", "profile.tags[]"]


def test_classification_of_the_matching_source_is_complete():
    result = classify(load_policy(POLICY).postgresql, {CUSTOMERS: LIVE})
    assert result.complete and result.unclassified == [] and result.stale == []
    assert result.summary() == "every field is classified"


def test_new_columns_and_json_paths_are_unclassified():
    result = classify(load_policy(POLICY).postgresql,
                      {CUSTOMERS: LIVE + ["loyalty_code", "profile.address.zip", "profile.phones[]"]})
    assert [str(ref) for ref in result.unclassified] == [
        "public.customers.loyalty_code", "public.customers.profile.address.zip", "public.customers.profile.phones[]"]
    assert not result.complete
    assert "refresh stops" in result.summary()


def test_a_rule_covers_everything_below_it():
    policy = load_policy({"dynamodb": {"tables": {"t": {"pk": "keep", "blob": "keep", "events[]": {"rule": "null"}}}}})
    result = classify(policy.dynamodb, {"t": ["pk", "blob.a.b", "blob.c[]", "events[].x.y"]})
    assert result.complete and result.stale == []


def test_removed_fields_are_stale_but_do_not_block():
    live = [field for field in LIVE if field not in ("ssn", "profile.address.street")]
    result = classify(load_policy(POLICY).postgresql, {CUSTOMERS: live})
    assert result.complete
    assert [str(ref) for ref in result.stale] == ["public.customers.profile.address.street", "public.customers.ssn"]


def test_tables_missing_on_either_side():
    result = classify(load_policy(POLICY).postgresql, {CUSTOMERS: LIVE, "public.orders": ["id", "total"],
                                                       "public.audit": []})
    assert [str(ref) for ref in result.unclassified] == ["public.audit.*", "public.orders.id", "public.orders.total"]
    result = classify(load_policy(POLICY).postgresql, {})
    assert len(result.stale) == len(load_policy(POLICY).postgresql[CUSTOMERS].rules_by_path())
    assert result.complete


def test_unparseable_live_field_is_unclassified():
    result = classify(load_policy(POLICY).postgresql, {CUSTOMERS: LIVE + ["odd[name"]})
    assert [ref.field for ref in result.unclassified] == ["odd[name"]


def test_database_and_quasi_identifiers_are_part_of_the_policy():
    data = copy.deepcopy(POLICY)
    data["postgresql"].update(database="app", quasi_identifiers={CUSTOMERS: ["date_of_birth", "zip"]})
    policy = load_policy(data)
    assert policy.database == "app" and policy.quasi_identifiers == {CUSTOMERS: ["date_of_birth", "zip"]}
    assert policy_hash(policy) != policy_hash(load_policy(POLICY))


def test_quasi_identifiers_must_name_policy_columns():
    data = copy.deepcopy(POLICY)
    data["postgresql"].update(database="", quasi_identifiers={CUSTOMERS: ["zip", "shoe_size"], "public.x": ["a"]})
    problems = problems_of(data)
    assert problems == {
        "envops_masking_policy.postgresql.database": "must be a database name",
        'envops_masking_policy.postgresql.quasi_identifiers["public.customers"]': "not columns of the table: shoe_size",
        'envops_masking_policy.postgresql.quasi_identifiers["public.x"]': "not a table of the policy",
    }


PROD_POLICY = Path(__file__).resolve().parents[4] / "inventories" / "prod" / "host_vars" / "prod" / "masking_policy.yml"


@pytest.mark.skipif(not PROD_POLICY.exists(), reason="no prod masking policy in this checkout")
def test_the_prod_inventory_policy_loads():
    policy = load_policy(yaml.safe_load(PROD_POLICY.read_text())["envops_masking_policy"])
    assert policy.postgresql and policy.dynamodb


RELATED_NOTES = {"rule": "scrub", "related": [
    {"table": CUSTOMERS, "via": "customer_id", "fields": ["first_name", "phone"]}]}


def test_related_rows_of_a_scrub_rule_load_with_the_key_defaulting_to_id():
    policy = load_policy({"postgresql": {"tables": {"public.orders": {
        "customer_id": "keep", "notes": RELATED_NOTES,
        "metadata": {"rule": "json", "paths": {"gift_message": RELATED_NOTES}}}}}})
    related = policy.postgresql["public.orders"].fields["notes"].related
    assert [(item.table, item.via, item.key, item.fields) for item in related] == [
        (CUSTOMERS, "customer_id", "id", ("first_name", "phone"))]
    assert related_declarations(policy.postgresql["public.orders"]) == related  # the json path's is the same one
    assert policy.postgresql["public.orders"].fields["notes"].to_dict()["related"][0]["key"] == "id"


def test_a_scrub_rule_without_related_rows_hashes_as_before():
    """Policies written before related rows keep their hash (evidence of earlier refreshes stays comparable)."""
    assert Rule("scrub").to_dict() == {"rule": "scrub"}


@pytest.mark.parametrize("related,where,fragment", [
    ("public.customers", "notes.related", "must be a list"),
    (["x"], 'notes.related["0"]', "must be a mapping with table, via and fields"),
    ([{"table": "customers", "via": "customer_id", "fields": ["a"]}], 'notes.related["0"].table', "schema.table"),
    ([{"table": CUSTOMERS, "fields": ["a"]}], 'notes.related["0"].via', "must be a column name"),
    ([{"table": CUSTOMERS, "via": "c", "key": "", "fields": ["a"]}], 'notes.related["0"].key', "column name"),
    ([{"table": CUSTOMERS, "via": "c", "fields": []}], 'notes.related["0"].fields', "list of column names"),
    ([{"table": CUSTOMERS, "via": "c", "fields": ["a", "a"]}], 'notes.related["0"].fields', "twice"),
    ([{"table": CUSTOMERS, "via": "c", "fields": ["a"], "join": "x"}], 'notes.related["0"].join', "unknown key"),
])
def test_bad_related_rows_are_named(related, where, fragment):
    with pytest.raises(MaskingPolicyError) as error:
        load_policy({"postgresql": {"tables": {"public.orders": {"notes": {"rule": "scrub", "related": related}}}}})
    assert any(path.endswith(where) and fragment in message for path, message in error.value.problems), \
        error.value.problems


def test_related_rows_are_postgresql_only():
    with pytest.raises(MaskingPolicyError) as error:
        load_policy({"dynamodb": {"tables": {"feeds": {"notes": RELATED_NOTES}}}})
    assert "related rows are a PostgreSQL declaration" in str(error.value)


def _with(**sections):
    data = copy.deepcopy(POLICY)
    data.update(sections)
    return data


def test_partial_keeps_at_most_four_digits():
    data = copy.deepcopy(POLICY)
    data["postgresql"]["tables"][CUSTOMERS]["phone"] = {"rule": "partial", "keep_last": 15}
    with pytest.raises(MaskingPolicyError) as error:
        load_policy(data)
    assert error.value.problems == [('envops_masking_policy.postgresql.tables["public.customers"].phone.keep_last',
                                     "keeps at most 4 digits (15 would identify the number)")]


def test_exceptions_and_patterns_are_given_to_the_tables_and_hashed():
    exception = {"reason": "names reviewed", "approver": "dpo@example.com", "expires": "2027-06-30"}
    policy = load_policy(_with(exceptions={"postgresql": {CUSTOMERS + ".email": exception}},
                               pii_patterns={"us_ssn": "[0-9]{3}-[0-9]{2}-[0-9]{4}"}))
    given = policy.postgresql[CUSTOMERS].exceptions["email"]
    assert (given.name, given.reason, given.approver, given.expires) == (
        CUSTOMERS + ".email", "names reviewed", "dpo@example.com", "2027-06-30")
    assert given.in_force("2027-06-30") and not given.in_force("2027-07-01")
    assert policy.postgresql[CUSTOMERS].pii_patterns == {"us_ssn": "[0-9]{3}-[0-9]{2}-[0-9]{4}"}
    assert policy_hash(policy) != policy_hash(load_policy(POLICY))


def test_bad_exceptions_and_patterns_are_all_listed():
    with pytest.raises(MaskingPolicyError) as error:
        load_policy(_with(exceptions={"postgresql": {
            CUSTOMERS + ".passport": {"reason": "x", "approver": "y"},
            CUSTOMERS + ".email": {"reason": "", "approver": "dpo@example.com", "expires": "soon", "by": "me"}},
            "redis": {}}, pii_patterns={"US SSN": "[0-9]{9}", "tax_id": "\\d{9}"}))
    problems = dict(error.value.problems)
    base = 'envops_masking_policy.exceptions.postgresql["public.customers.%s"]'
    assert "not a table.field" in problems[base % "passport"]
    assert "required" in problems[base % "email" + ".reason"]
    assert "YYYY-MM-DD" in problems[base % "email" + ".expires"]
    assert "unknown key" in problems[base % "email" + ".by"]
    assert "unknown store" in problems["envops_masking_policy.exceptions.redis"]
    assert "lowercase" in problems['envops_masking_policy.pii_patterns["US SSN"]']
    assert "no backslash" in problems["envops_masking_policy.pii_patterns.tax_id"]
