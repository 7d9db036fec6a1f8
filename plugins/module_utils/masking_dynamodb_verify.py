# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Independent verification of a masked DynamoDB copy, before the environment is switched to it.

``verify_masked_copy(source_client, target_client, source_table, target_table, table_policy, key)`` scans
both tables again and checks the copy against the *policy*, with code of its own: it does not call the
masker (masking_dynamodb) nor the rules (masking_rules); it reads the items through boto3's
TypeDeserializer (the masker works on low-level values), walks paths with its own walker, and knows
each rule only by the property its output must have (the definitions in masking_rules' docstring).
A bug or a weakened rule in the masking code therefore shows up here instead of being repeated.

What it proves, when ``ok``:

1. *Completeness*: the target has exactly as many items as the source, the same key schema, and every
   source item has its own target item.  Items are matched by their key: a key attribute the policy
   keeps is compared as is; a pseudonymised one is re-derived independently from the documented
   definition (``prefix + hex(HMAC-SHA256(key, text))[:16]``, with ``hmac`` directly).  Since target
   keys are unique (DynamoDB) and counts are equal, no two source items were merged by a pseudonym
   collision and nothing was added.
2. *Nothing unclassified in the target*: every leaf path of every target item has a rule (on itself or
   an ancestor).  An attribute the policy does not know can not have been copied.
3. *Per item, per PII path* (every non-keep rule), target value vs the same item's source value at the
   same path (array elements by position): null -> absent/NULL; constant -> the constant;
   pseudonym -> ``prefix`` + 16 hex, not the source; email -> ``u_<16 hex>@example.invalid``;
   substitute -> not the source (ASCII case and blanks ignored); partial -> same length, at most
   ``keep_last`` digits left; generalize_prefix -> same length, only ``*`` after ``keep`` characters;
   generalize_date -> ``YYYY-01-01`` of the source's year; noise -> within the bound of the source, and
   at most ``NOISE_UNCHANGED_MAX`` of the values unchanged (rounding can legitimately hit the source
   value now and then); scrub -> no email address (other than ``@example.invalid``), no run of 7+
   digits, and none of the item's own PII strings (its other non-keep string values, 3+ characters,
   as whole words, ASCII case ignored) left in the text.
4. *Across items*, for the identifying rules (pseudonym, email, null, constant): no value found at a
   path anywhere in the source appears at that path anywhere in the target (compared as HMAC digests
   under a random per-run key, so the report and the memory hold no values).  This catches, e.g., a
   target email that is another customer's real email.
5. *Keep paths are faithful*: a kept value equals the source's (the copy is usable, not only safe).
6. *Nothing identifying in what is kept* (leak_scan): every string the copy keeps (keep paths, and every string
   below a kept map, list or set) holds no value of the source's identifying paths and no word of its names
   (compared as HMAC digests under the per-run key, the kept text as written, lowercase, uppercase and
   capitalised), and no PII shape (pii_shapes: emails that are not masked output, phone and card numbers, the
   policy's national-id patterns); a finding names table.attribute and a count and fails the check unless the
   policy has an exception in force for that attribute, which is listed in the report's ``exceptions``.

What it does not prove: that the substitute/noise outputs are the ones the keyed algorithm gives
(tests/integration cross-checks that against masking_rules and PostgreSQL), nor anything about
items written to the source after the copy (they make the counts differ: the check fails closed).
Problems name paths and counts, never values.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

try:
    from boto3.dynamodb.types import TypeDeserializer
    HAS_BOTO3 = True
except ImportError:
    HAS_BOTO3 = False

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import IDENTIFYING_RULES
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import Finding
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import is_name
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import masked_forms
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import pseudonym_prefixes
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import settle
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import source_words
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import tokens
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb import describe_table
from ansible_collections.envops.aws.plugins.module_utils.pii_shapes import find_shapes

NOISE_UNCHANGED_MAX = 0.05
IDENTIFYING = ("pseudonym", "email", "null", "constant")
_HEX16 = re.compile(r"^[0-9a-f]{16}$")
_MASKED_EMAIL = re.compile(r"^u_[0-9a-f]{16}@example\.invalid$")
_ANY_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_DIGIT_RUN = re.compile(r"(?<![A-Za-z0-9_])[0-9](?:[ ().-]*[0-9]){6,}(?![A-Za-z0-9_])")
_JAN_1 = re.compile(r"^[0-9]{4}-01-01$")
_DATE = re.compile(r"^([0-9]{4})-[0-9]{2}-[0-9]{2}")
MAX_EXAMPLES = 5


@aws_retry(retries=8, delay=1)
def _scan(client, **params):
    return client.scan(**params)


def scan_items(client, table_name, segments=4):
    """Every item of a table (parallel segmented scan), deserialized."""
    deserializer = TypeDeserializer()
    items, lock = [], threading.Lock()

    def segment(number):
        params = {"TableName": table_name, "Segment": number, "TotalSegments": segments}
        while True:
            page = _scan(client, **params)
            found = [dict((name, deserializer.deserialize(value)) for name, value in item.items())
                     for item in page.get("Items", ())]
            with lock:
                items.extend(found)
            if "LastEvaluatedKey" not in page:
                return
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    with ThreadPoolExecutor(max_workers=segments) as pool:
        list(pool.map(segment, range(segments)))
    return items


# --- paths (own walker) ------------------------------------------------------------------------

def _split(path):
    parts = []
    for dotted in path.split("."):
        name = dotted.replace("[]", "")
        if name:
            parts.append(name)
        parts.extend(["[]"] * dotted.count("[]"))
    return parts


def _values_at(value, parts):
    """Values at a path ('[]' expands lists and sets); a missing key yields nothing."""
    if not parts:
        yield value
        return
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if isinstance(value, (list, tuple)):
            for element in value:
                yield from _values_at(element, rest)
        elif isinstance(value, (set, frozenset)):
            for element in sorted(value, key=repr):
                yield from _values_at(element, rest)
    elif isinstance(value, dict) and head in value:
        yield from _values_at(value[head], rest)


def _leaf_paths(value, prefix, out):
    if isinstance(value, dict):
        if not value:
            out.add(prefix)
        for name, inner in value.items():
            _leaf_paths(inner, prefix + "." + name if prefix else name, out)
    elif isinstance(value, (list, tuple, set, frozenset)):
        if not value:
            out.add(prefix)
        for inner in value:
            _leaf_paths(inner, prefix + "[]", out)
    else:
        out.add(prefix)


def _covered(path, rule_paths):
    """A rule on the path or an ancestor, or the path is a container above rules (an empty map/list)."""
    parts = tuple(_split(path))
    return any(parts[:depth] in rule_paths for depth in range(1, len(parts) + 1)) \
        or any(rule[:len(parts)] == parts for rule in rule_paths)


# --- rule properties ---------------------------------------------------------------------------

def _text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _fold(text):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text.strip(" \t\n\r"))


def _derive_pseudonym(key, prefix, value):
    text = _text(value)
    if text is None:
        return None
    return prefix + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _digits(text):
    return sum(1 for char in text if "0" <= char <= "9")


def _check(rule, source, target, own_pii):
    """None when ``target`` has the property ``rule`` promises for ``source``, else the failed property."""
    kind = rule.kind
    if kind == "null":
        return None if target is None else "is not null"
    if kind == "constant":
        expected = rule.value
        if isinstance(expected, (int, float)) and not isinstance(expected, bool):
            return None if isinstance(target, Decimal) and target == Decimal(str(expected)) else "is not the constant"
        return None if target == expected else "is not the constant"
    if source is None:
        return None if target is None else "is set where the source is null"
    if target is None:
        return None  # a value the rule cannot read becomes NULL: fail closed
    if kind == "pseudonym":
        if not isinstance(target, str) or not target.startswith(rule.prefix) \
                or not _HEX16.match(target[len(rule.prefix):]):
            return "is not a pseudonym"
        return "equals the source" if target == source else None
    if kind == "email":
        return None if isinstance(target, str) and _MASKED_EMAIL.match(target) else "is not a masked email"
    if kind == "substitute":
        text = _text(source)
        if not isinstance(target, str):
            return "is not a substitute"
        return "equals the source" if text is not None and _fold(target) == _fold(text) else None
    if kind == "partial":
        text = _text(source)
        if not isinstance(target, str) or text is None or len(target) != len(text):
            return "is not a partial of the source"
        return "has more than %d digits" % rule.keep_last if _digits(target) > rule.keep_last else None
    if kind == "generalize_prefix":
        text = _text(source)
        if not isinstance(target, str) or text is None or len(target) != len(text):
            return "is not a prefix of the source"
        return None if set(target[rule.keep:]) <= {"*"} else "shows more than %d characters" % rule.keep
    if kind == "generalize_date":
        match = _DATE.match(source) if isinstance(source, str) else None
        if not isinstance(target, str) or not _JAN_1.match(target) or not match \
                or target[:4] != match.group(1):
            return "is not January 1st of the source's year"
        return None
    if kind == "noise":
        if not isinstance(target, Decimal) or not isinstance(source, Decimal):
            return "is not a number"
        bound = rule.absolute if rule.absolute is not None else rule.relative * abs(source)
        exponent = source.as_tuple().exponent
        unit = Decimal(1).scaleb(min(exponent, 0))
        return "is beyond the noise bound" if abs(target - source) > bound + unit else None
    if kind == "scrub":
        if not isinstance(target, str):
            return "is not text"
        if any(not found.endswith("@example.invalid") for found in _ANY_EMAIL.findall(target)):
            return "still holds an email address"
        if _DIGIT_RUN.search(_ANY_EMAIL.sub(" ", target)):
            return "still holds a run of 7+ digits"
        folded = _fold(target)
        for pii in own_pii:
            if re.search(r"(?<![a-z0-9_])" + re.escape(pii) + r"(?![a-z0-9_])", folded):
                return "still holds one of the item's own PII values"
        return None
    return "has an unknown rule %s" % kind


# --- the verification --------------------------------------------------------------------------

def verify_items(source_items, target_items, table_policy, key, key_schema, today=None):
    """The checks of the module doc on deserialized items; returns the report (see verify_masked_copy).
    ``today`` (``YYYY-MM-DD``, default the UTC date) decides which exceptions of the policy have expired."""
    key = bytes(key)
    rules = table_policy.rules_by_path()
    rule_paths = set(tuple(_split(path)) for path in rules)
    split = dict((path, _split(path)) for path in rules)
    pii = dict((path, rule) for path, rule in rules.items() if rule.kind != "keep")
    problems = {}

    def problem(text, count=1):
        problems[text] = problems.get(text, 0) + count

    if len(source_items) != len(target_items):
        problem("item count differs: source %d, target %d" % (len(source_items), len(target_items)))

    # 2. nothing unclassified in the target
    unclassified = set()
    for item in target_items:
        paths = set()
        _leaf_paths(item, "", paths)
        unclassified.update(path for path in paths if not _covered(path, rule_paths))
    for path in sorted(unclassified):
        problem("target holds unclassified path %s" % path)

    # 1. matching by key
    key_names = [entry["AttributeName"] for entry in key_schema]
    derivers = []
    for name in key_names:
        rule = rules.get(name)
        if rule is None or rule.kind == "keep":
            derivers.append(lambda value: value)
        elif rule.kind == "pseudonym":
            derivers.append(lambda value, prefix=rule.prefix: _derive_pseudonym(key, prefix, value))
        else:
            derivers.append(None)
    matchable = all(derive is not None for derive in derivers)
    by_key = dict((tuple(item.get(name) for name in key_names), item) for item in target_items)
    pairs = []
    if matchable:
        for item in source_items:
            expected = tuple(derive(item.get(name)) for derive, name in zip(derivers, key_names))
            found = by_key.get(expected)
            if found is None:
                problem("source item without its target item (key %s)" % ", ".join(key_names))
            else:
                pairs.append((item, found))
    else:
        problem("key attributes %s use a rule other than keep/pseudonym: items not matched" % key_names)

    # 3. per item, per PII path; 5. keep paths
    own_pii_paths = [path for path, rule in pii.items() if rule.kind not in ("scrub",) and "[]" not in path]
    noise_total = noise_unchanged = 0
    for source, target in pairs:
        own = None
        for path, rule in rules.items():
            parts = split[path]
            source_values = list(_values_at(source, parts))
            target_values = list(_values_at(target, parts))
            if rule.kind == "keep":
                if source_values != target_values:
                    problem("kept path %s differs from the source" % path)
                continue
            if rule.kind == "scrub" and own is None:
                own = set()
                for other in own_pii_paths:
                    for value in _values_at(source, split[other]):
                        text = _text(value)
                        if text is not None and len(text.strip(" \t\n\r")) >= 3:
                            own.add(_fold(text))
            if len(target_values) != len(source_values) and rule.kind not in ("null", "constant"):
                if not (len(target_values) < len(source_values) and all(v is None for v in target_values)):
                    problem("%s: target has %d value(s) where the source has %d"
                            % (path, len(target_values), len(source_values)))
                    continue
            if rule.kind == "null" and any(value is not None for value in target_values):
                problem("%s (null) is not null" % path)
                continue
            for source_value, target_value in zip(source_values, target_values):
                failed = _check(rule, source_value, target_value, own or ())
                if failed:
                    problem("%s (%s) %s" % (path, rule.kind, failed))
                if rule.kind == "noise" and source_value is not None:
                    noise_total += 1
                    noise_unchanged += source_value == target_value
    if noise_total and noise_unchanged > max(1, NOISE_UNCHANGED_MAX * noise_total):
        problem("noise left %d of %d values unchanged" % (noise_unchanged, noise_total))

    # 4. across items: identifying values of the source never appear in the target
    salt = secrets.token_bytes(32)

    def digest(value):
        return hmac.new(salt, repr(value).encode("utf-8"), hashlib.sha256).digest()

    for path, rule in pii.items():
        if rule.kind not in IDENTIFYING:
            continue
        parts = split[path]
        seen = set(digest(value) for item in source_items for value in _values_at(item, parts) if value is not None)
        leaked = sum(1 for item in target_items for value in _values_at(item, parts)
                     if value is not None and digest(value) in seen)
        if leaked:
            problem("%s (%s): source values found in the target" % (path, rule.kind), leaked)

    # 6. the leak scan of what the copy keeps
    leaks, exceptions = settle(_leak_findings(source_items, target_items, table_policy, split, digest),
                               getattr(table_policy, "exceptions", {}).values(), today)
    for leak in leaks:
        problem(leak)

    listed = ["%s (%d item value(s))" % (text, count) if count > 1 else text for text, count in problems.items()]
    return {"ok": not problems, "problems": sorted(listed), "source_items": len(source_items),
            "target_items": len(target_items), "matched_items": len(pairs),
            "pii_paths": sorted(pii), "noise_unchanged": [noise_unchanged, noise_total], "exceptions": exceptions}


def _strings_below(value):
    """Every string at or below a value (maps, lists, sets walked)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings_below(inner)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for inner in value:
            yield from _strings_below(inner)


def _leak_findings(source_items, target_items, table_policy, split, digest):
    """Findings of the leak scan (module doc, 6.) per top-level attribute of the kept paths."""
    rules = table_policy.rules_by_path()
    sources = {}
    for path, rule in rules.items():
        if rule.kind not in IDENTIFYING_RULES:
            continue
        for item in source_items:
            for value in _values_at(item, split[path]):
                text = _text(value)
                if text is not None:
                    for word in source_words(text, is_name(rule)):
                        sources.setdefault(digest(word), set()).add("%s.%s" % (table_policy.name, path))
    masked = re.compile(masked_forms(pseudonym_prefixes([table_policy])))
    national_ids = getattr(table_policy, "pii_patterns", None) or {}
    kept = [path for path, rule in rules.items() if rule.kind == "keep"]
    counts = {}
    for item in target_items:
        for path in kept:
            attribute = split[path][0]
            for value in _values_at(item, split[path]):
                for text in _strings_below(value):
                    found = set()
                    for token in tokens(text, masked):
                        found.update(sources.get(digest(token), ()))
                    found.update(find_shapes(text, national_ids))
                    for what in found:
                        counts[(attribute, what)] = counts.get((attribute, what), 0) + 1
    findings = []
    for (attribute, what), count in sorted(counts.items()):
        if "." in what:
            findings.append(Finding(table_policy.name, attribute, count, "source", what))
        else:
            findings.append(Finding(table_policy.name, attribute, count, what))
    return findings


def verify_masked_copy(source_client, target_client, source_table, target_table, table_policy, key, segments=4):
    """Scan both tables and check the copy (see the module doc).

    Returns ``{"ok", "problems", "source_table", "target_table", "source_items", "target_items",
    "matched_items", "pii_paths", "noise_unchanged", "exceptions"}``; ``ok`` is what switch_live_table requires;
    ``exceptions``: the policy's exceptions for the table, each with the findings it covered.
    """
    source_schema = describe_table(source_client, source_table)["KeySchema"]
    target_schema = describe_table(target_client, target_table)["KeySchema"]
    source_items = scan_items(source_client, source_table, segments)
    target_items = scan_items(target_client, target_table, segments)
    report = verify_items(source_items, target_items, table_policy, key, source_schema)
    if source_schema != target_schema:
        report["problems"].insert(0, "key schema differs: %s vs %s" % (source_schema, target_schema))
        report["ok"] = False
    report.update(source_table=source_table, target_table=target_table)
    return report
