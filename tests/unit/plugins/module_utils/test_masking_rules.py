# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
import hashlib
import hmac
import math
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ansible_collections.envops.aws.plugins.module_utils import masking_rules as rules
from ansible_collections.envops.aws.plugins.module_utils.masking_lists import LISTS
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import Rule
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy

KEY = b"unit-test-masking-key-0123456789"
OTHER_KEY = b"another-masking-key-abcdefghijkl"

EVERY_RULE = [Rule("keep"), Rule("null"), Rule("pseudonym", prefix="c_"), Rule("email"),
              Rule("substitute", list_name="first_name"), Rule("partial", keep_last=4), Rule("generalize_date"),
              Rule("generalize_prefix", keep=2), Rule("noise", relative=Decimal("0.1")), Rule("scrub"),
              Rule("json", paths=[("a", Rule("email"))])]


def test_token_is_hmac_sha256_of_utf8_text():
    expected = hmac.new(KEY, "Zoë".encode("utf-8"), hashlib.sha256).hexdigest()
    assert rules.token(KEY, "Zoë") == expected


@pytest.mark.parametrize("key", [b"short", "a text key of enough length", None])
def test_key_must_be_bytes_of_16_or_more(key):
    with pytest.raises(rules.MaskingKeyError):
        rules.token(key, "x")


def test_normalize_is_trim_and_ascii_lowercase_only():
    assert rules.normalize(" \tJohn.DOE@X.com\r\n") == "john.doe@x.com"
    assert rules.normalize("ÉLISE") == "Élise"  # É is not ASCII: PostgreSQL's C collation leaves it too
    assert rules.normalize("\u00a0x\u00a0") == "\u00a0x\u00a0"  # only space, tab, LF, CR are trimmed


def test_pseudonym_is_prefix_and_16_hex_case_sensitive_and_keyed():
    masked = rules.pseudonym(KEY, "ext-1", "c_")
    assert re.match(r"^c_[0-9a-f]{16}$", masked)
    assert masked == "c_" + rules.token(KEY, "ext-1")[:16]
    assert rules.pseudonym(KEY, "EXT-1", "c_") != masked
    assert rules.pseudonym(OTHER_KEY, "ext-1", "c_") != masked
    assert rules.pseudonym(KEY, 1234) == rules.pseudonym(KEY, "1234")  # a JSON integer reads as its digits


def test_email_is_normalised_then_hashed():
    masked = rules.email(KEY, "John.Doe@Example.com")
    assert re.match(r"^u_[0-9a-f]{16}@example\.invalid$", masked)
    assert rules.email(KEY, "  john.doe@EXAMPLE.COM\n") == masked
    assert rules.email(OTHER_KEY, "john.doe@example.com") != masked


def test_email_stays_unique_over_100k_addresses():
    masked = set(rules.email(KEY, "user%d@example.com" % number) for number in range(100000))
    assert len(masked) == 100000


def test_substitute_lists_are_large_unique_and_ascii():
    for name, entries in LISTS.items():
        assert len(entries) >= 200, name
        assert len(set(rules.ascii_lower(entry) for entry in entries)) == len(entries), name
        assert all(entry.isascii() and entry == entry.strip() for entry in entries), name


def test_substitute_is_deterministic_by_normalised_value_and_keyed():
    picked = rules.substitute(KEY, "John", "first_name")
    assert picked in LISTS["first_name"]
    assert rules.substitute(KEY, " JOHN ", "first_name") == picked
    outputs = set(rules.substitute(other, "John", "first_name") for other in (KEY, OTHER_KEY, b"k" * 16, b"q" * 16))
    assert len(outputs) > 1


def test_substitute_never_returns_its_input_and_takes_the_next_entry():
    skipped = 0
    for name, entries in LISTS.items():
        for index, entry in enumerate(entries):
            for variant in (entry, entry.upper()):
                masked = rules.substitute(KEY, variant, name)
                assert rules.ascii_lower(masked) != rules.ascii_lower(variant)
            pick = rules.token_u32(KEY, rules.normalize(entry)) % len(entries)
            if pick == index:
                skipped += 1
                assert rules.substitute(KEY, entry, name) == entries[(index + 1) % len(entries)]
    assert skipped > 0, "no entry picked itself: the skip-ahead branch was not exercised"


@pytest.mark.parametrize("value, keep_last, expected", [
    ("555-123-1234", 4, "xxx-xxx-1234"),
    ("(555) 123 4567", 4, "(xxx) xxx 4567"),
    ("+44 20 7946 0958", 4, "+xx xx xxxx 0958"),
    ("123", 4, "123"),
    ("555-1234", 0, "xxx-xxxx"),
    ("a1b2c3", 1, "axbxc3"),
    ("", 4, ""),
    (5551231234, 4, "xxxxxx1234"),
])
def test_partial_masks_all_digits_but_the_last_n(value, keep_last, expected):
    assert rules.partial(value, keep_last) == expected


def test_generalize_date_keeps_the_year_and_the_type():
    assert rules.generalize_date(date(1980, 5, 17)) == date(1980, 1, 1)
    assert rules.generalize_date(datetime(1980, 5, 17, 13, 45)) == datetime(1980, 1, 1)
    new_year_eve_in_utc = datetime(2021, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    assert rules.generalize_date(new_year_eve_in_utc) == datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert rules.generalize_date("1980-05-17") == "1980-01-01"
    assert rules.generalize_date("1980-05-17T10:00:00Z") == "1980-01-01"
    assert rules.generalize_date("17/05/1980") is None
    assert rules.generalize_date(19800517) is None


def test_generalize_prefix_keeps_length():
    assert rules.generalize_prefix("12345", 2) == "12***"
    assert rules.generalize_prefix("1", 2) == "1"
    assert rules.generalize_prefix("SW1A 1AA", 3) == "SW1*****"


def test_noise_is_bounded_deterministic_and_keeps_scale_and_type():
    for cents in range(0, 2000000, 7919):
        value = Decimal(cents).scaleb(-2)
        masked = rules.noise(KEY, value, relative=Decimal("0.1"))
        assert isinstance(masked, Decimal) and masked.as_tuple().exponent == -2
        assert abs(masked - value) <= value * Decimal("0.1") + Decimal("0.005")
        assert masked == rules.noise(KEY, value, relative=Decimal("0.1"))
    assert rules.noise(KEY, Decimal("1234.50"), relative=Decimal("0.1")) != rules.noise(
        OTHER_KEY, Decimal("1234.50"), relative=Decimal("0.1"))
    integer = rules.noise(KEY, 40, absolute=Decimal(5))
    assert isinstance(integer, int) and 35 <= integer <= 45
    assert isinstance(rules.noise(KEY, 2.5, absolute=Decimal(1)), float)
    assert rules.noise(KEY, 0, relative=Decimal("0.5")) == 0


def test_noise_moves_values_both_ways():
    deltas = [rules.noise(KEY, 1000 + number, absolute=Decimal(100)) - 1000 - number for number in range(200)]
    assert min(deltas) < -50 and max(deltas) > 50


def test_noise_reads_floats_like_postgresql_and_leaves_nan_alone():
    # float8 -> numeric keeps 15 significant digits: 0.1 + 0.2 is 0.3 there.
    assert rules.noise(KEY, 0.1 + 0.2, absolute=Decimal(1)) == rules.noise(KEY, 0.3, absolute=Decimal(1))
    assert rules.noise(KEY, float("inf"), absolute=Decimal(1)) == float("inf")
    nan = rules.noise(KEY, float("nan"), absolute=Decimal(1))
    assert math.isnan(nan)
    assert rules.noise(KEY, "12", absolute=Decimal(1)) is None
    assert rules.noise(KEY, True, absolute=Decimal(1)) is None


@pytest.mark.parametrize("rule", EVERY_RULE, ids=lambda rule: rule.kind)
def test_null_in_null_out(rule):
    assert rules.mask_value(KEY, rule, None) is None


def test_constant_replaces_everything_null_included():
    rule = Rule("constant", value="standard")
    assert rules.mask_value(KEY, rule, None) == "standard"
    assert rules.mask_value(KEY, rule, "gold") == "standard"


def test_text_rules_refuse_values_without_text():
    for value in (1.5, True, {"a": 1}, ["x"], Decimal("1.50")):
        assert rules.mask_value(KEY, Rule("email"), value) is None
    assert rules.mask_value(KEY, Rule("email"), Decimal("1E+3")) == rules.email(KEY, "1000")


def test_scrub_masks_emails_phones_and_the_rows_own_pii():
    sources = [("John Doe", "Zyvana Braxqwick"), ("Doe", "Quillvbury"), ("ssn-value", "[redacted]")]
    text = "Call john doe at (555) 123-4567 or JOHN.DOE@example.com; Doe said ssn-value. Doeville stays."
    assert rules.scrub(KEY, text, sources) == (
        "Call [redacted] at ([phone] or [email]; [redacted] said [redacted]. Doeville stays.")
    # plain strings work as sources too; the replacement of a pair is not used
    assert rules.scrub(KEY, text, ["John Doe"]) == rules.scrub(KEY, text, [("John Doe", "x")])


def test_scrub_phone_runs_need_seven_digits_and_whole_tokens():
    assert rules.scrub(KEY, "+1 (555) 987-6543, 555.1234567, 2024-01-15 10:30, 12-34-56, x5551234567") == \
        "[phone], [phone], [phone]:30, 12-34-56, x5551234567"


def test_scrub_searches_only_values_that_occur_in_the_original_text():
    # 'email' occurs only through the replacement of pass 1: not searched for
    assert rules.scrub(KEY, "mail a@b.io", [("email", "x")]) == "mail [email]"
    # once it occurs, every whole-token match counts, the replacements' included
    assert rules.scrub(KEY, "EMAIL a@b.io", [("email", "x")]) == "[redacted] [[redacted]]"


def test_scrub_leaves_short_numbers_and_short_values_alone():
    assert rules.scrub(KEY, "room 12, order 123-45, Al", [("Al", "X")]) == "room 12, order 123-45, Al"


def test_scrub_takes_the_longest_value_at_a_position():
    sources = [("Ann", "Zyvira"), ("Ann Smith", "Xylana Fyxxwick")]
    assert rules.scrub(KEY, "Ann Smith and Ann, Ann Smithers", sources) == "[redacted] and [redacted], [redacted] Smithers"


def test_scrub_treats_regex_characters_in_values_literally():
    sources = [("O'Brien (Jr.)", "Jyxela"), ("a+b|c", "Q")]
    assert rules.scrub(KEY, "Mr O'Brien (Jr.) wrote a+b|c, not O'Brien (Jr)", sources) == \
        "Mr [redacted] wrote [redacted], not O'Brien (Jr)"


def test_scrub_does_not_touch_masked_emails():
    masked = rules.scrub(KEY, "mail 5551231234@sms.example.com", [("sms", "[redacted]")])
    assert masked == "mail [email]"


DYNAMO = load_policy({"dynamodb": {"tables": {"user-activity": {
    "user_id": {"rule": "pseudonym"},
    "profile.email": {"rule": "email"},
    "profile.first_name": {"rule": "substitute", "list": "first_name"},
    "events[].note": {"rule": "scrub"},
    "events[].at": "keep",
}}}}).dynamodb["user-activity"]


def test_mask_row_masks_a_dynamodb_item_with_nested_paths():
    item = {
        "user_id": "u-1",
        "profile": {"email": "Mia@Example.com", "first_name": "Mia", "secret": "dropped"},
        "events": [{"note": "Mia wrote from mia@example.com", "at": "2024-01-02"}, {"at": "2024-01-03"}],
        "unlisted": "dropped too",
    }
    masked = rules.mask_row(KEY, DYNAMO, item)
    first_name = rules.substitute(KEY, "Mia", "first_name")
    assert masked == {
        "user_id": rules.pseudonym(KEY, "u-1"),
        "profile": {"email": rules.email(KEY, "mia@example.com"), "first_name": first_name},
        "events": [{"note": "[redacted] wrote from [email]", "at": "2024-01-02"}, {"at": "2024-01-03"}],
    }


def test_json_values_of_the_wrong_shape_are_not_copied():
    item = {"user_id": 7, "profile": "not an object", "events": {"note": "not a list"}}
    assert rules.mask_row(KEY, DYNAMO, item) == {"user_id": rules.pseudonym(KEY, "7"), "profile": None,
                                                 "events": None}


def test_json_arrays_keep_their_type_and_nulls():
    rule = Rule("json", paths=[("tags[]", Rule("partial", keep_last=2)), ("none", Rule("email"))])
    assert rules.mask_value(KEY, rule, {"tags": ["1234", None, 5678], "none": None}) == {
        "tags": ["xx34", None, "xx78"], "none": None}
    assert rules.mask_value(KEY, rule, {"tags": ("1234",)}) == {"tags": ["xx34"]}
    assert rules.mask_value(KEY, Rule("json", paths=[("t[]", Rule("keep"))]), {"t": {"a", "b"}}) == {"t": {"a", "b"}}


def test_scrub_sources_skip_short_and_non_text_values():
    policy = load_policy({"postgresql": {"tables": {"s.t": {
        "name": {"rule": "substitute", "list": "full_name"}, "code": {"rule": "null"}, "age": {"rule": "noise", "absolute": 1},
        "nick": {"rule": "pseudonym"}, "notes": {"rule": "scrub"}}}}}).postgresql["s.t"]
    sources = rules.scrub_sources(KEY, policy, {"name": "Ann Lee", "code": "X-99", "age": 41, "nick": "al",
                                                "notes": "..."})
    assert sources == [("X-99", "[redacted]"), ("Ann Lee", "[redacted]")]


def test_scrub_removes_the_related_rows_pii_and_every_known_name():
    policy = load_policy({"postgresql": {"tables": {
        "public.customers": {"id": "keep", "first_name": {"rule": "substitute", "list": "first_name"}},
        "public.orders": {"customer_id": "keep", "notes": {"rule": "scrub", "related": [
            {"table": "public.customers", "via": "customer_id", "fields": ["first_name", "phone"]}]}}}}}).postgresql
    orders = policy["public.orders"]
    related = {orders.fields["notes"].related[0]: {"first_name": "Wei", "phone": "12-34-56"}}
    names = rules.name_dictionary(["Ann-Marie", "Jo", None, "Bob"])
    assert names == frozenset(["ann", "marie", "bob"])  # words of 3+ characters, ASCII lowercase
    row = {"customer_id": 7, "notes": "Happy birthday Wei! From ANN, Jo and Bobby; call 12-34-56, Wei's phone"}
    assert rules.mask_row(KEY, orders, row, related, names)["notes"] == \
        "Happy birthday [redacted]! From [redacted], Jo and Bobby; call [redacted], [redacted]'s phone"
    assert rules.mask_row(KEY, orders, row)["notes"] == row["notes"]  # nothing known: nothing but the shapes
    assert rules.name_sources(policy) == [("public.customers", "first_name", ())]
