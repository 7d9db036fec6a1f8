"""Masked copy of DynamoDB tables (plugins/module_utils/masking_dynamodb.py) and its independent verification
(masking_dynamodb_verify.py) against the local moto server, in a fresh account: the prod policy's tables with
~500 items of the prod shape (tools/masking_dataset.py)."""

import copy
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.config import Config

from harness import REPO, aws_client
from tools.local_inventory import fresh_account_id, load_spec
from tools.masking_dataset import DYNAMODB_TABLES, create_dynamodb_dataset, ensure_dynamodb_table

try:
    import ansible_collections.envops.aws  # noqa: F401  pylint: disable=unused-import
except ImportError:  # plain pytest from the checkout: the collection is linked under .scratch (make collection)
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".scratch" / "collections"))

from ansible_collections.envops.aws.plugins.module_utils import masking_rules  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb import (  # noqa: E402
    ItemMasker, MaskedCopyError, UnclassifiedAttributesError, attribute_paths, masked_copy_table, switch_live_table,
    to_av)
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_verify import verify_masked_copy  # noqa: E402
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import MAX_KEEP_LAST, load_policy  # noqa: E402

KEY = b"integration-masking-key-0123456789"
SEED = 11
ITEMS = 500
SPEC = load_spec("prod")
RAW_POLICY = yaml.safe_load((REPO / "inventories/prod/host_vars/prod/masking_policy.yml").read_text())[
    "envops_masking_policy"]
POLICY = load_policy({"dynamodb": RAW_POLICY["dynamodb"]})
DESERIALIZER = TypeDeserializer()
SERIALIZER = TypeSerializer()


def plain(item):
    return dict((name, DESERIALIZER.deserialize(value)) for name, value in item.items())


def low_level(item):
    return dict((name, SERIALIZER.serialize(value)) for name, value in item.items())


def scan_all(client, table):
    return [item for page in client.get_paginator("scan").paginate(TableName=table) for item in page["Items"]]


def table_exists(client, table):
    try:
        client.describe_table(TableName=table)
        return True
    except client.exceptions.ResourceNotFoundException:
        return False


def weakened(name, path, entry="keep", exceptions=None):
    """The prod policy of one table with one path's rule replaced (a deliberately weakened copy).

    A partial keeping more digits than a policy may (MAX_KEEP_LAST) is refused by load_policy: the rule is given
    its keep_last after loading, as a masking bug would."""
    raw = copy.deepcopy(RAW_POLICY["dynamodb"])
    table = raw["tables"][name]
    keep_last = entry.get("keep_last", 0) if isinstance(entry, dict) else 0
    loaded_entry = dict(entry, keep_last=MAX_KEEP_LAST) if keep_last > MAX_KEEP_LAST else entry
    if path in table:
        table[path] = loaded_entry
    else:
        field, _dot, sub_path = path.partition(".")
        table[field]["paths"][sub_path] = loaded_entry
    policy = load_policy(dict({"dynamodb": raw}, **({"exceptions": {"dynamodb": exceptions}} if exceptions else {})))
    if keep_last > MAX_KEEP_LAST:
        policy.dynamodb[name].rules_by_path()[path].keep_last = keep_last
    return policy.dynamodb[name]


@pytest.fixture(scope="module")
def account():
    return fresh_account_id()


@pytest.fixture(scope="module")
def client(stack, account):
    import boto3
    return boto3.client("dynamodb", endpoint_url=stack["moto_url"], region_name=SPEC["region"],
                        aws_access_key_id=account, aws_secret_access_key="local-moto-not-a-secret",
                        config=Config(max_pool_connections=24))


@pytest.fixture(scope="module")
def kms_key_arn(stack, account):
    return aws_client(stack, "kms", account, SPEC["region"]).create_key(Description="staging data")["KeyMetadata"]["Arn"]


@pytest.fixture(scope="module")
def sources(client):
    """prod-<name> for each table of the policy, ITEMS items each, TTL on as in the spec."""
    figures = {}
    for name, shape in sorted(DYNAMODB_TABLES.items()):
        table = "prod-" + name
        ensure_dynamodb_table(client, table)
        figures[name] = create_dynamodb_dataset(client, table, items=ITEMS, seed=SEED, customers=100)
        if shape["ttl"]:
            client.update_time_to_live(TableName=table, TimeToLiveSpecification={
                "Enabled": True, "AttributeName": shape["ttl"]})
    return figures


@pytest.fixture(scope="module")
def copies(client, sources, kms_key_arn):
    """Each source copied, masked by the prod policy, into staging-<name>-copy."""
    results = {}
    for name in sorted(DYNAMODB_TABLES):
        results[name] = masked_copy_table(client, client, "prod-" + name, "staging-%s-copy" % name,
                                          POLICY.dynamodb[name], KEY, segments=4, writers=4, kms_key_id=kms_key_arn,
                                          tags={"env": "staging"})
    return results


# --- pure ----------------------------------------------------------------------------------------

def test_attribute_paths_in_the_policy_syntax():
    item = {"id": "x", "profile": {"email": "a@b.example", "address": {"city": "X"}, "empty": {}},
            "events": [{"note": "n", "tags": ["a", "b"]}, {"note": "m", "tags": []}], "segments": {"vip"},
            "blob": Binary(b"\x00\x01"), "nothing": None}
    expected = {"id", "profile.email", "profile.address.city", "profile.empty", "events[].note", "events[].tags[]",
                "events[].tags", "segments[]", "blob", "nothing"}
    assert attribute_paths(low_level(item)) == expected
    assert attribute_paths(item, deserialized=True) == expected


ODD_POLICY = load_policy({"dynamodb": {"tables": {"odd": {
    "pk": {"rule": "pseudonym", "prefix": "p_"},
    "born": {"rule": "generalize_date"},
    "flag": {"rule": "constant", "value": "redacted"},
    "count": {"rule": "constant", "value": 7},
    "blob": "keep",
    "secret_blob": {"rule": "null"},
    "emails[]": {"rule": "email"},
    "numbers": {"rule": "noise", "absolute": 5},
    "scores[]": {"rule": "noise", "relative": 0.5},
    "grid[][]": {"rule": "partial", "keep_last": 1},
    "doc.inner.name": {"rule": "substitute", "list": "first_name"},
    "doc.inner.tags[]": "keep",
    "doc.phone": {"rule": "partial"},
    "doc.note": {"rule": "scrub"},
    "bio": {"rule": "scrub"},
}}}}).dynamodb["odd"]


@pytest.mark.parametrize("item", [
    {"pk": "abc", "born": "1984-07-03", "flag": "x", "count": Decimal(1), "blob": Binary(b"\x00\xff"),
     "secret_blob": Binary(b"\x01"), "emails": ["A@Example.com", " a@example.com "],
     "numbers": {Decimal("1.5"), Decimal(10)}, "scores": {Decimal("3.25")},
     "grid": [["555-1234", "12"], []],
     "doc": {"inner": {"name": "Alice", "tags": ["t"], "extra": "x"},
             "phone": "+1 555 123 4567", "note": "call Alice at +1 555 123 4567"},
     "bio": "I am Alice, alice@example.com", "unknown": {"a": [1, 2]}},
    {"pk": Decimal(42), "born": None, "emails": {"a@x.example"}, "doc": "not a map", "grid": "not a list",
     "numbers": Decimal("-0.00"), "bio": None},
    {"pk": "x", "doc": {"inner": None, "phone": Decimal(12345678)}, "emails": [], "scores": {Decimal(0)}},
])
def test_low_level_masker_equals_mask_row(item):
    """The masker on low-level values gives what masking_rules.mask_row gives on deserialized items."""
    masker = ItemMasker(ODD_POLICY, KEY)
    masked = plain(masker.mask(low_level(item)))
    expected = masking_rules.mask_row(KEY, ODD_POLICY, item)

    def normal(value):  # DynamoDB has no empty sets and no None inside sets: the masker writes NULL
        if isinstance(value, (set, frozenset)):
            value = set(element for element in value if element is not None)
            return value or None
        if isinstance(value, dict):
            return dict((name, normal(inner)) for name, inner in value.items())
        if isinstance(value, list):
            return [normal(inner) for inner in value]
        if isinstance(value, bytes):
            return Binary(value)
        return value

    assert masked == normal(expected)
    assert masker.unclassified == ({"unknown.a[]", "doc.inner.extra"} if "unknown" in item else set())


def test_to_av_round_trips():
    for value in ("x", Decimal("1.50"), True, None, b"\x00", {"a": [Decimal(1), "b"]}, {"s", "t"},
                  {Decimal(1), Decimal("2.5")}):
        assert DESERIALIZER.deserialize(to_av(value)) == (Binary(value) if isinstance(value, bytes) else value)
    assert to_av(set()) == {"NULL": True}


# --- against moto --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(DYNAMODB_TABLES))
def test_masked_copy_applies_every_rule(name, client, copies, kms_key_arn):
    result = copies[name]
    assert result["items"] == result["written"] == ITEMS
    assert result["unclassified"] == [] and result["target_deleted"] is False
    assert result["items_per_second"] > 0 and set(result["thread_seconds"]) == {"scan", "mask", "write"}

    source = [plain(item) for item in scan_all(client, "prod-" + name)]
    target = [plain(item) for item in scan_all(client, "staging-%s-copy" % name)]
    assert len(source) == len(target) == ITEMS
    table_policy = POLICY.dynamodb[name]
    keys = [entry["AttributeName"] for entry in client.describe_table(TableName="prod-" + name)["Table"]["KeySchema"]]
    by_key = dict((tuple(item[key] for key in keys), item) for item in target)
    email_path = {"user-activity": ("email",), "campaign-events": ("recipient", "email"),
                  "product-feeds": ("owner", "email")}[name]
    for original in source:
        # Item for item, the same values as the Python rules on deserialized items (so as PostgreSQL's).
        wanted = masking_rules.mask_row(KEY, table_policy, original)
        masked = by_key[tuple(wanted[key] for key in keys)]
        assert masked == wanted
        # Cross-store consistency: an email masks to what masking_rules.email gives (PostgreSQL's value too).
        value, got = original, masked
        for part in email_path:
            value, got = value[part], got[part]
        assert got == masking_rules.email(KEY, value) != value

    kinds = set(rule.kind for rule in table_policy.rules_by_path().values())
    assert kinds >= {"keep", "email"}
    described = client.describe_table(TableName="staging-%s-copy" % name)["Table"]
    original = client.describe_table(TableName="prod-" + name)["Table"]
    assert described["KeySchema"] == original["KeySchema"]
    assert sorted(described["AttributeDefinitions"], key=str) == sorted(original["AttributeDefinitions"], key=str)
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert described["SSEDescription"]["KMSMasterKeyArn"] == kms_key_arn
    backups = client.describe_continuous_backups(TableName="staging-%s-copy" % name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = client.describe_time_to_live(TableName="staging-%s-copy" % name)["TimeToLiveDescription"]
    assert ttl.get("AttributeName") == DYNAMODB_TABLES[name]["ttl"]


def test_every_rule_of_the_dynamodb_policy_is_exercised(copies):
    kinds = set(rule.kind for table in POLICY.dynamodb.values() for rule in table.rules_by_path().values())
    assert kinds == {"keep", "pseudonym", "email", "substitute", "partial", "generalize_prefix", "noise", "null",
                     "scrub"}


@pytest.mark.parametrize("name", sorted(DYNAMODB_TABLES))
def test_verification_passes_on_the_copy(name, client, copies):
    report = verify_masked_copy(client, client, "prod-" + name, "staging-%s-copy" % name, POLICY.dynamodb[name], KEY)
    assert report["ok"], report["problems"]
    assert report["matched_items"] == report["source_items"] == report["target_items"] == ITEMS


@pytest.mark.parametrize("name, path, entry, expected", [
    ("campaign-events", "recipient.email", "keep", "recipient.email (email)"),
    ("user-activity", "user_id", "keep", "source item without its target item"),
    ("user-activity", "location.city", "keep", "location.city (substitute) equals the source"),
    ("campaign-events", "revenue", "keep", "noise left"),
    ("campaign-events", "message", "keep", "message (scrub) still holds"),
    ("product-feeds", "owner.phone", {"rule": "partial", "keep_last": 9}, "owner.phone (partial) has more than 4"),
    ("user-activity", "session.ip_address", "keep", "session.ip_address (null) is not null"),
])
def test_verification_catches_a_weakened_rule(name, path, entry, expected, client, sources):
    target = "staging-%s-weak-%s" % (name, path.replace(".", "-").replace("_", "-"))
    masked_copy_table(client, client, "prod-" + name, target, weakened(name, path, entry), KEY, segments=2,
                      writers=2, enable_pitr=False)
    try:
        report = verify_masked_copy(client, client, "prod-" + name, target, POLICY.dynamodb[name], KEY)
        assert not report["ok"]
        assert any(problem.startswith(expected) for problem in report["problems"]), report["problems"]
    finally:
        client.delete_table(TableName=target)


def test_unclassified_attributes_stop_the_copy_and_leave_no_table(client):
    source, target, live = "prod-odd-user-activity", "staging-odd-user-activity", "staging-live-user-activity"
    ensure_dynamodb_table(client, source)
    ensure_dynamodb_table(client, live)
    create_dynamodb_dataset(client, source, items=120, seed=SEED, customers=20)
    create_dynamodb_dataset(client, live, items=10, seed=SEED + 1, customers=5)
    extra = [
        {"user_id": "u_new1", "occurred_at": 1, "loyalty_tier": "gold", "event_type": "login"},
        {"user_id": "u_new2", "occurred_at": 2, "session": {"session_id": "s", "geo": {"lat": Decimal("1.5")}}},
        {"user_id": "u_new3", "occurred_at": 3, "cart": {"currency": "EUR", "items": [{"sku": "a", "coupon": "X"}]},
         "notes": [{"by": "a@b.example"}]},
    ]
    for item in extra:
        client.put_item(TableName=source, Item=low_level(item))
    with pytest.raises(UnclassifiedAttributesError) as caught:
        masked_copy_table(client, client, source, target, POLICY.dynamodb["user-activity"], KEY, segments=3)
    assert caught.value.paths == ["cart.items[].coupon", "loyalty_tier", "notes[].by", "session.geo.lat"]
    assert all(path in str(caught.value) for path in caught.value.paths)
    assert caught.value.result["target_deleted"] is True
    assert not table_exists(client, target)
    assert len(scan_all(client, live)) == 10  # what the environment uses is untouched


def test_unprocessed_items_are_retried(client, sources):
    class Throttling:
        """The real client, but BatchWriteItem leaves half of the first three batches unprocessed."""

        def __init__(self, real):
            self.real, self.throttled = real, 0

        def __getattr__(self, name):
            return getattr(self.real, name)

        def batch_write_item(self, RequestItems):
            if self.throttled < 3:
                self.throttled += 1
                (table, requests), = RequestItems.items()
                half = len(requests) // 2
                self.real.batch_write_item(RequestItems={table: requests[:half]})
                return {"UnprocessedItems": {table: requests[half:]}}
            return self.real.batch_write_item(RequestItems=RequestItems)

    target = "staging-product-feeds-throttled"
    throttling = Throttling(client)
    result = masked_copy_table(client, throttling, "prod-product-feeds", target, POLICY.dynamodb["product-feeds"],
                               KEY, segments=2, writers=1, enable_pitr=False)
    try:
        assert throttling.throttled == 3
        assert result["unprocessed_retries"] == 3 and result["unprocessed_items"] > 0
        assert result["written"] == ITEMS == len(scan_all(client, target))
        assert verify_masked_copy(client, client, "prod-product-feeds", target, POLICY.dynamodb["product-feeds"],
                                  KEY)["ok"]
    finally:
        client.delete_table(TableName=target)


def test_an_existing_target_is_never_overwritten(client, sources):
    target = "staging-existing-product-feeds"
    ensure_dynamodb_table(client, target)
    client.put_item(TableName=target, Item=low_level({"feed_id": "keep-me"}))
    with pytest.raises(MaskedCopyError, match="exists already"):
        masked_copy_table(client, client, "prod-product-feeds", target, POLICY.dynamodb["product-feeds"], KEY)
    assert [plain(item) for item in scan_all(client, target)] == [{"feed_id": "keep-me"}]


def test_switch_only_after_verification_then_old_table_removed(stack, account, client, sources):
    ssm = aws_client(stack, "ssm", account, SPEC["region"])
    parameter, old, new = "/staging/dynamodb/product-feeds/table", "staging-old-product-feeds", "staging-new-product-feeds"
    ensure_dynamodb_table(client, old)
    ssm.put_parameter(Name=parameter, Value=old, Type="String")
    masked_copy_table(client, client, "prod-product-feeds", new, POLICY.dynamodb["product-feeds"], KEY, segments=2)

    weak = weakened("product-feeds", "owner.email", {"rule": "null"})
    bad = verify_masked_copy(client, client, "prod-product-feeds", new, weak, KEY)
    assert not bad["ok"]
    with pytest.raises(MaskedCopyError, match="not verified"):
        switch_live_table(ssm, parameter, new, bad, client)
    assert ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == old and table_exists(client, old)

    good = verify_masked_copy(client, client, "prod-product-feeds", new, POLICY.dynamodb["product-feeds"], KEY)
    assert good["ok"], good["problems"]
    switched = switch_live_table(ssm, parameter, new, good, client)
    assert switched == {"parameter": parameter, "old_table": old, "new_table": new, "old_table_deleted": True}
    assert ssm.get_parameter(Name=parameter)["Parameter"]["Value"] == new
    assert not table_exists(client, old) and table_exists(client, new)


@pytest.mark.parametrize("name, path, expected", [
    # a kept email: no masked form, real addresses
    ("campaign-events", "recipient.email", r"campaign-events\.recipient: \d+ value\(s\) hold an email address"),
    # a kept greeting: the recipient's first name (a name the policy classifies elsewhere in the item)
    ("campaign-events", "message",
     r"campaign-events\.message: \d+ value\(s\) hold source values of campaign-events\.recipient\.first_name"),
    # kept notes: the owner's phone number and first name
    ("product-feeds", "notes", r"product-feeds\.notes: \d+ value\(s\) hold a phone number"),
    ("product-feeds", "notes",
     r"product-feeds\.notes: \d+ value\(s\) hold source values of product-feeds\.owner\.name"),
], ids=["kept-email", "kept-message", "kept-notes-phone", "kept-notes-name"])
def test_a_policy_keeping_pii_fails_its_own_verification(name, path, expected, client, sources):
    """The copy is verified against the weakened policy it was made with: the leak scan does not trust it."""
    weak = weakened(name, path)
    target = "staging-%s-kept-%s" % (name, path.replace(".", "-").replace("_", "-"))
    if not table_exists(client, target):
        masked_copy_table(client, client, "prod-" + name, target, weak, KEY, segments=2, writers=2, enable_pitr=False)
    report = verify_masked_copy(client, client, "prod-" + name, target, weak, KEY)
    assert not report["ok"]
    assert any(re.match(expected, problem) for problem in report["problems"]), report["problems"]


def test_a_reviewed_exception_lets_a_kept_attribute_pass_and_is_listed(client, sources):
    exception = {"reason": "greetings reviewed: synthetic test data", "approver": "dpo@example.com",
                 "expires": "2099-12-31"}
    weak = weakened("campaign-events", "message", exceptions={"campaign-events.message": exception})
    target = "staging-campaign-events-excepted"
    masked_copy_table(client, client, "prod-campaign-events", target, weak, KEY, segments=2, writers=2,
                      enable_pitr=False)
    try:
        report = verify_masked_copy(client, client, "prod-campaign-events", target, weak, KEY)
        assert report["ok"], report["problems"]
        listed, = report["exceptions"]
        assert listed["field"] == "campaign-events.message" and listed["in_force"]
        assert listed["reason"] == exception["reason"] and listed["approver"] == exception["approver"]
        assert any("campaign-events.message: " in finding and "first_name" in finding
                   for finding in listed["findings"]), listed
        expired = weakened("campaign-events", "message",
                           exceptions={"campaign-events.message": dict(exception, expires="2020-01-01")})
        assert not verify_masked_copy(client, client, "prod-campaign-events", target, expired, KEY)["ok"]
    finally:
        client.delete_table(TableName=target)
