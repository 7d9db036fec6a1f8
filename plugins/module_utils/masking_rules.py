# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The masking rules in Python: deterministic from one secret key, identical to masking_sql's SQL.

Every keyed rule derives from ``token(key, text) = hex(HMAC-SHA256(key, UTF-8(text)))`` (lowercase
hex).  Same input, same output, in every table and in both stores: foreign keys, joins and unique
columns survive masking, and without the key nothing can be reversed by dictionary.  masking_sql
compiles the same algorithms to PostgreSQL (pgcrypto ``hmac``); tests/integration proves both give
the same bytes.  Change an algorithm here only together with the SQL.

Shared definitions (ASCII only on purpose: Python's Unicode case mapping and PostgreSQL's
locale-dependent one differ, ASCII is the same everywhere):

- ``WHITESPACE`` = space, tab, LF, CR.  ``trim(s)`` strips those from both ends.
- ``lower(s)`` maps ``A-Z`` to ``a-z`` and nothing else.  ``normalize(s) = lower(trim(s))``.
- ``hex16(s) = token(key, s)[:16]`` (64 bits: no collision expected below ~10^8 distinct values).
- ``u32(s) = int(token(key, s)[:8], 16)``, 0 <= u32 < 2**32.
- text of a value: a string is itself; an integer (``int``, or a Decimal with exponent >= 0; never a
  bool) is its plain decimal digits (``-12``, ``1E+3`` -> ``1000``).  Anything else has no text.
- a word character is ``[A-Za-z0-9_]``.

Rules.  Every rule maps NULL/None (and JSON null) to NULL, except ``constant``.  A rule that needs
text and gets a value without text (a float, a bool, an object...) returns None: fail closed.

keep
    the value unchanged.
null
    None.
constant (value)
    ``value``, whatever came in (None included).
pseudonym (prefix='')
    ``prefix + hex16(text)``; the text is not normalised (ids are case-sensitive).
email
    ``'u_' + hex16(normalize(text)) + '@example.invalid'``; unique as long as the inputs are.
substitute (list)
    ``n = normalize(text)``, ``entries = masking_lists.LISTS[list]``, ``i = u32(n) % len(entries)``;
    the pick is ``entries[i]``, or ``entries[(i + 1) % len(entries)]`` when ``lower(entries[i]) == n``
    so the output never equals the input.
partial (keep_last=4)
    every ASCII digit that has at least ``keep_last`` ASCII digits after it (anywhere later) becomes
    ``'x'``; other characters are kept: ``'555-123-1234'`` -> ``'xxx-xxx-1234'``.  Here the regex
    ``[0-9](?=(?:[^0-9]*[0-9]){N})`` replaced by ``x`` (``[0-9]`` when N is 0); the SQL translates the
    text up to the last digit to mask instead (faster, same result).
generalize_date
    date -> Jan 1 of its year; naive datetime -> Jan 1 00:00 of its year; aware datetime -> Jan 1
    00:00 UTC of its year in UTC.  A string that starts with ``YYYY-MM-DD`` -> ``'YYYY-01-01'`` (any
    time part dropped); another string -> None.
generalize_prefix (keep)
    ``text[:keep] + '*' * max(len(text) - keep, 0)``; length in characters is kept.
noise (relative | absolute)
    numbers only (int, Decimal, float; not bool).  ``d`` = the value as a Decimal (a float through
    ``'%.15g'``, exactly like PostgreSQL's float8 -> numeric cast; -0 -> 0).  NaN and infinities are
    returned unchanged.  ``scale`` = digits after the point of ``d`` (0 when exponent >= 0).
    ``u = u32(format(d, 'f'))``, ``bound = absolute`` or ``relative * |d|``,
    ``result = round_half_away_from_zero(d + bound * (2*u - 2**32) / 2**32, scale)``, computed exactly
    (2**-32 has 32 decimal digits).  So ``|result - d| <= bound`` (plus rounding) and the same value
    always gets the same noise.  Returned as the input's type (int, float or Decimal; -0 -> 0).
scrub
    free text, three passes in this order, each replacing by a constant:
    1. every match of ``EMAIL_PATTERN`` -> ``'[email]'``:
       ``[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}``
    2. every match of ``PHONE_PATTERN`` (a phone-like run: 7 or more ASCII digits, the first one
       optionally after ``+``, separated by any of `` ().-``, as a whole token) -> ``'[phone]'``:
       ``(?<![A-Za-z0-9_])\\+?[0-9](?:[ ().-]*[0-9]){6,}(?![A-Za-z0-9_])``; so a date with 8 digits in
       free text is masked too (over-masking is the safe side);
    3. the row's own PII values (``sources``, see ``scrub_sources``): each is trimmed and used only
       when 3 characters or longer and when it occurs in the original text (before pass 1) ignoring
       ASCII case (a substring test: the prefilter that spares most rows the regex; a value that
       only the replacements of passes 1-2 could make appear is not searched for); those form one
       alternation over the text from pass 2, matched
       case-insensitively (ASCII) as a whole token (no word character before or after), longest
       first at a position, and every match -> ``'[redacted]'``.
    4. the names net (``names``, see ``name_dictionary``): every word of the text from pass 3 (a
       maximal run of word characters) whose ASCII lowercase is in the dictionary -> ``'[redacted]'``.
       The dictionary holds the words (3 characters or longer) of every source value of the columns
       the policy classifies as names (substitute with a list of ``NAME_LISTS``): a name in a free
       text that no column of the row holds (a gift message naming the customer of another row) is
       removed too.  Common words that are also someone's name are removed as well (the safe side).
    The sources of pass 3 are the row's own PII values and those of the rows it refers to by foreign key
    (``related`` on the scrub rule, see ``related_sources``).
    Both patterns are written in the common subset of Python ``re`` and PostgreSQL ARE.  ARE picks
    the longest match at the leftmost position and Python the first alternative that matches; the
    patterns are built so both agree (single greedy runs, alternatives sorted longest first).
json (paths)
    walks nested dicts/lists: a key with a rule gets that rule (see "in JSON" below), a key with
    sub-paths is recursed into, ``[]`` applies to every element of a list.  Keys without a rule are
    dropped and a value of the wrong shape (a string where an object is expected) becomes None:
    whatever was not classified is not copied.

In JSON (and DynamoDB) values: the text rules read JSON strings and integral numbers (JSON numbers
should be parsed as Decimal, as DynamoDB and PostgreSQL do, so '1.50' keeps its scale); noise reads
numbers; generalize_date reads strings; a non-null value of another kind becomes None.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import hashlib
import hmac
import re
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from ansible_collections.envops.aws.plugins.module_utils.masking_lists import LISTS
from ansible_collections.envops.aws.plugins.module_utils.masking_lists import NAME_LISTS

MIN_KEY_BYTES = 16
WHITESPACE = " \t\n\r"
EMAIL_PREFIX = "u_"
EMAIL_DOMAIN = "@example.invalid"
HEX_CHARS = 16
REDACTED = "[redacted]"
EMAIL_REPLACEMENT = "[email]"
PHONE_REPLACEMENT = "[phone]"

# Patterns valid, and matching the same spans, in Python re and PostgreSQL ARE (see scrub above).
WORD_CHARACTER = "[A-Za-z0-9_]"
WORD_BEFORE = "(?<!%s)" % WORD_CHARACTER
WORD_AFTER = "(?!%s)" % WORD_CHARACTER
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE_MIN_DIGITS = 7
PHONE_PATTERN = WORD_BEFORE + r"\+?[0-9](?:[ ().-]*[0-9]){%d,}" % (PHONE_MIN_DIGITS - 1) + WORD_AFTER
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}"
INTEGER_TEXT_PATTERN = "^-?[0-9]+$"
WORD_PATTERN = "[A-Za-z0-9_]+"
PHONE_KEEP_LAST = 4
SOURCE_MIN_LENGTH = 3

_PATH_COMPONENT = re.compile(r"\[\]|[^.\[\]]+")  # as masking_policy.parse_path splits a valid path
_TWO_POW_32 = 2 ** 32
TWO_POW_MINUS_32 = Decimal("0.00000000023283064365386962890625")  # exactly 2**-32
_EXACT = Context(prec=1000, rounding=ROUND_HALF_UP)  # wide enough that nothing below is rounded
_ASCII_LOWER = dict((code, code + 32) for code in range(ord("A"), ord("Z") + 1))
_DIGITS = "0123456789"

_EMAIL = re.compile(EMAIL_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_WORD = re.compile(WORD_PATTERN)


class MaskingKeyError(ValueError):
    pass


# --- shared definitions ------------------------------------------------------------------------

def ascii_lower(text):
    return text.translate(_ASCII_LOWER)


def normalize(text):
    return ascii_lower(text.strip(WHITESPACE))


def token(key, text):
    """Lowercase hex HMAC-SHA256 of the UTF-8 text under key (bytes, at least 16)."""
    if not isinstance(key, (bytes, bytearray)) or len(key) < MIN_KEY_BYTES:
        raise MaskingKeyError("the masking key must be at least %d bytes" % MIN_KEY_BYTES)
    return hmac.new(bytes(key), text.encode("utf-8"), hashlib.sha256).hexdigest()


def token_u32(key, text):
    return int(token(key, text)[:8], 16)


def as_text(value):
    """The text a text rule reads from a value, or None (see module docstring)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent >= 0:
        return format(value.copy_abs() if value.is_zero() else value, "f")
    return None


def _is_number(value):
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def partial_pattern(keep_last):
    """The partial rule's regex (Python re and PostgreSQL ARE alike)."""
    return "[0-9](?=(?:[^0-9]*[0-9]){%d})" % keep_last if keep_last else "[0-9]"


# --- the rules ---------------------------------------------------------------------------------

def pseudonym(key, value, prefix=""):
    text = as_text(value)
    return None if text is None else prefix + token(key, text)[:HEX_CHARS]


def email(key, value):
    text = as_text(value)
    return None if text is None else EMAIL_PREFIX + token(key, normalize(text))[:HEX_CHARS] + EMAIL_DOMAIN


def substitute(key, value, list_name):
    text = as_text(value)
    if text is None:
        return None
    entries = LISTS[list_name]
    original = normalize(text)
    index = token_u32(key, original) % len(entries)
    if ascii_lower(entries[index]) == original:
        index = (index + 1) % len(entries)
    return entries[index]


def partial(value, keep_last=PHONE_KEEP_LAST):
    text = as_text(value)
    return None if text is None else re.sub(partial_pattern(keep_last), "x", text)


def generalize_date(value):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return datetime(value.astimezone(timezone.utc).year, 1, 1, tzinfo=timezone.utc)
        return datetime(value.year, 1, 1)
    if isinstance(value, date):
        return date(value.year, 1, 1)
    if isinstance(value, str) and _DATE.match(value):
        return value[:4] + "-01-01"
    return None


def generalize_prefix(value, keep):
    text = as_text(value)
    return None if text is None else text[:keep] + "*" * max(len(text) - keep, 0)


def _as_decimal(value):
    if isinstance(value, float):
        number = Decimal("%.15g" % value)  # what PostgreSQL's float8 -> numeric cast does
    else:
        number = Decimal(value)
    return number.copy_abs() if number.is_zero() else number


def noise(key, value, relative=None, absolute=None):
    if not _is_number(value):
        return None
    number = _as_decimal(value)
    if not number.is_finite():
        return value
    exponent = number.as_tuple().exponent
    scale = -exponent if exponent < 0 else 0
    u32 = token_u32(key, format(number, "f"))
    with localcontext(_EXACT):
        bound = Decimal(absolute) if absolute is not None else Decimal(relative) * abs(number)
        noisy = (number + bound * (2 * u32 - _TWO_POW_32) * TWO_POW_MINUS_32).quantize(Decimal(1).scaleb(-scale))
    if noisy.is_zero():
        noisy = noisy.copy_abs()
    if isinstance(value, int):
        return int(noisy)
    if isinstance(value, float):
        return float(noisy)
    return noisy


def scrub(key, value, sources=(), names=frozenset()):
    """Free text with emails, phone numbers, the row's own PII values and known names replaced (module doc).

    ``sources``: the row's PII strings, as ``scrub_sources`` gives them (``(original, replacement)``
    pairs; plain strings are accepted too).  Every match becomes ``'[redacted]'`` whatever the
    replacement says.  ``names``: the dictionary of the names pass (``name_dictionary``).  ``key`` is
    unused (kept for the common signature of the rules).
    """
    original = as_text(value)
    if original is None:
        return None
    text = _EMAIL.sub(EMAIL_REPLACEMENT, original) if "@" in original else original
    text = _PHONE.sub(PHONE_REPLACEMENT, text)
    text = _scrub_sources(original, text, sources)
    if names:
        text = _WORD.sub(lambda match: REDACTED if ascii_lower(match.group(0)) in names else match.group(0), text)
    return text


def _scrub_sources(original, text, sources):
    """Pass 3 of scrub: the sources found in ``original`` replaced in ``text``."""
    folded = None
    needles = set()
    for source in sources:
        needle = (source if isinstance(source, str) else source[0]).strip(WHITESPACE)
        if len(needle) < SOURCE_MIN_LENGTH:
            continue
        if folded is None:
            folded = ascii_lower(original)
        if ascii_lower(needle) in folded:  # the prefilter, on the original text
            needles.add(needle)
    if not needles:
        return text
    # Longest first: Python takes the first alternative that matches, PostgreSQL the longest.
    alternatives = sorted(needles, key=lambda needle: (-len(needle), needle))
    pattern = re.compile(WORD_BEFORE + "(?:" + "|".join(re.escape(needle) for needle in alternatives) + ")"
                         + WORD_AFTER, re.IGNORECASE | re.ASCII)
    return pattern.sub(REDACTED, text)


# --- applying a policy -------------------------------------------------------------------------

_TEXT_RULES = {
    "pseudonym": lambda key, rule, text, sources, context: pseudonym(key, text, rule.prefix),
    "email": lambda key, rule, text, sources, context: email(key, text),
    "substitute": lambda key, rule, text, sources, context: substitute(key, text, rule.list_name),
    "partial": lambda key, rule, text, sources, context: partial(text, rule.keep_last),
    "generalize_prefix": lambda key, rule, text, sources, context: generalize_prefix(text, rule.keep),
    "scrub": lambda key, rule, text, sources, context: scrub(
        key, text, tuple(sources) + related_sources(rule, context.related), context.names),
}


class ScrubContext:
    """What scrub reads beyond the row: ``related`` maps each ``Related`` of the table's scrub rules to the
    row it refers to (a dict, or None when there is none), ``names`` is the names dictionary."""

    def __init__(self, related=None, names=frozenset()):
        self.related = related or {}
        self.names = names


_NO_CONTEXT = ScrubContext()


def related_sources(rule, related_rows):
    """The PII strings of the rows a scrub rule's text refers to (``Rule.related``), as ``(value, REDACTED)``."""
    sources = []
    for related in rule.related:
        row = related_rows.get(related) or {}
        for field in related.fields:
            value = row.get(field)
            if isinstance(value, str) and len(value.strip(WHITESPACE)) >= SOURCE_MIN_LENGTH:
                sources.append((value, REDACTED))
    return tuple(sources)


def name_sources(policy_tables):
    """``[(table, field, keys)]``: every leaf outside arrays that a policy classifies as a name (substitute
    with a list of ``NAME_LISTS``), in table and path order: the columns the names dictionary is built from."""
    found = []
    for table, table_policy in sorted(policy_tables.items()):
        for path, rule in table_policy.rules_by_path().items():
            components = tuple(_PATH_COMPONENT.findall(path))
            if rule.kind == "substitute" and rule.list_name in NAME_LISTS and "[]" not in components:
                found.append((table, components[0], components[1:]))
    return found


def name_dictionary(values):
    """The names pass's dictionary from source values: each word (3 characters or longer) ASCII-lowercased."""
    return frozenset(ascii_lower(word) for value in values if isinstance(value, str)
                     for word in _WORD.findall(value) if len(word) >= SOURCE_MIN_LENGTH)


def mask_value(key, rule, value, sources=(), context=_NO_CONTEXT):
    """One rule applied to one value (a column value, an attribute, or anything inside a JSON doc).

    ``sources`` and ``context`` (a ``ScrubContext``) matter for scrub only (see ``scrub_sources``).
    """
    if rule.kind == "constant":
        return rule.value
    if value is None or rule.kind == "null":
        return None
    if rule.kind == "keep":
        return value
    if rule.kind == "json":
        return mask_document(key, rule.tree, value, sources, context)
    if rule.kind == "noise":
        return noise(key, value, rule.relative, rule.absolute)
    if rule.kind == "generalize_date":
        return generalize_date(value)
    text = as_text(value)
    return None if text is None else _TEXT_RULES[rule.kind](key, rule, text, sources, context)


def mask_document(key, node, value, sources=(), context=_NO_CONTEXT):
    """A JSON value masked by a ``PathNode`` tree (``Rule.tree``); unclassified keys are dropped."""
    if node.rule is not None:
        return mask_value(key, node.rule, value, sources, context)
    if value is None:
        return None
    if node.keys:
        if not isinstance(value, dict):
            return None
        return dict((name, mask_document(key, node.keys[name], item, sources, context))
                    for name, item in value.items() if name in node.keys)
    if node.items is not None and isinstance(value, (list, tuple, set, frozenset)):
        masked = [mask_document(key, node.items, item, sources, context) for item in value]
        return masked if isinstance(value, (list, tuple)) else type(value)(masked)
    return None


def _value_at(row, source):
    value = row.get(source.field)
    for name in source.keys:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def scrub_sources(key, table_policy, row):
    """The row's own PII strings, in lookup order, as ``(value, '[redacted]')`` pairs: input to ``scrub``.

    ``key`` is unused since scrub replaces every value by the same constant (kept for compatibility).
    """
    sources = []
    for source in table_policy.scrub_sources:
        value = _value_at(row, source)
        if isinstance(value, str) and len(value.strip(WHITESPACE)) >= SOURCE_MIN_LENGTH:
            sources.append((value, REDACTED))
    return sources


def mask_row(key, table_policy, row, related=None, names=frozenset()):
    """A row (column -> value) or a DynamoDB item (attribute -> value, deserialized) masked.

    Fields without a rule are left out (fail closed; ``classify`` reports them before a refresh).
    ``related`` and ``names``: see ``ScrubContext``.
    """
    sources = scrub_sources(key, table_policy, row) if table_policy.has_scrub else ()
    context = ScrubContext(related, names) if related or names else _NO_CONTEXT
    return dict((field, mask_value(key, table_policy.fields[field], value, sources, context))
                for field, value in row.items() if field in table_policy.fields)
