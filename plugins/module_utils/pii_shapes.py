# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What personal data looks like in text, for the verifiers' leak scan: in Python and as PostgreSQL SQL.

Shapes: ``email`` (an address that is not masked output), ``phone`` (a run of 7 or more digits with the usual
separators, ISO dates and times excepted), ``card`` (13 to 19 digits, spaces or dashes allowed, passing the
Luhn check) and the national identifiers a policy declares (``pii_patterns``: name -> pattern).

Every pattern is written once and used by both Python ``re`` and PostgreSQL's regular expressions (ARE): the
syntax used (classes, ``{m,n}``, ``(?:``, lookbehind and lookahead) means the same in both.  A match must stand
alone: no letter, digit or ``_`` right before or after it.  Masked output is not a finding: masked emails
(``u_<16 hex>@example.invalid``) are blanked before looking for addresses.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

BEFORE = r"(?<![A-Za-z0-9_])"
AFTER = r"(?![A-Za-z0-9_])"
MASKED_EMAIL = r"u_[0-9a-f]{16}@example\.invalid"
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE = BEFORE + r"\+?[0-9](?:[ ().-]*[0-9]){6,}" + AFTER
ISO_DATE = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
            r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?")
CARD = BEFORE + r"([0-9](?:[ -]?[0-9]){12,18})" + AFTER

# characters a declared national-id pattern may use: no backslash (escapes differ between dialects), no anchors
PATTERN_CHARACTERS = re.compile(r"^[A-Za-z0-9 \[\]{}(),|?*+.:/#_-]+$")
MAX_PATTERN_LENGTH = 200

SHAPES = ("email", "phone", "card")

_MASKED_EMAIL = re.compile(MASKED_EMAIL)
_EMAIL = re.compile(EMAIL)
_PHONE = re.compile(PHONE)
_ISO_DATE = re.compile(ISO_DATE)
_CARD = re.compile(CARD)


def pattern_problem(pattern):
    """Why ``pattern`` cannot be a declared national-id pattern, or None when it can."""
    if not isinstance(pattern, str) or not pattern:
        return "must be a non-empty string"
    if len(pattern) > MAX_PATTERN_LENGTH:
        return "must be at most %d characters" % MAX_PATTERN_LENGTH
    if not PATTERN_CHARACTERS.match(pattern):
        return ("may only use letters, digits, spaces and [ ] { } ( ) , | ? * + . : / # _ - "
                "(no backslash, no anchors: the match is taken as a whole word)")
    if "(?" in pattern:
        return "cannot use (? constructs"
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return "is not a regular expression: %s" % error
    if compiled.match(""):
        return "matches the empty string"
    return None


def national_id_regex(pattern):
    """A declared pattern as a whole-word match (the same text in Python and PostgreSQL)."""
    return BEFORE + "(?:" + pattern + ")" + AFTER


def luhn_valid(digits):
    """The Luhn check of a string of digits (other characters ignored)."""
    numbers = [int(char) for char in digits if "0" <= char <= "9"]
    if len(numbers) < 2:
        return False
    total = 0
    for position, number in enumerate(reversed(numbers)):
        if position % 2:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def find_shapes(text, national_ids=None):
    """The shapes (``SHAPES`` names and names of ``national_ids``: name -> pattern) found in ``text``."""
    found = set()
    unmasked = _MASKED_EMAIL.sub(" ", text) if "@" in text else text
    if "@" in unmasked and _EMAIL.search(unmasked):
        found.add("email")
    if any("0" <= char <= "9" for char in text):
        if _PHONE.search(_ISO_DATE.sub(" ", unmasked)):
            found.add("phone")
        if any(luhn_valid(match.group(1)) for match in _CARD.finditer(unmasked)):
            found.add("card")
    for name, pattern in sorted((national_ids or {}).items()):
        if re.search(national_id_regex(pattern), unmasked):
            found.add(name)
    return found


# --- SQL -----------------------------------------------------------------------------------------

LUHN_FUNCTION = "pg_temp.envops_luhn"
# a function of the verifying session only (pg_temp): nothing is left in the database
LUHN_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION pg_temp.envops_luhn(candidate text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT length(d) > 1
     AND sum(CASE WHEN i % 2 = 0 THEN (substr(d, i, 1)::int * 2) % 10 + (substr(d, i, 1)::int * 2) / 10
                  ELSE substr(d, i, 1)::int END) % 10 = 0
  FROM (SELECT reverse(regexp_replace(candidate, '[^0-9]', '', 'g')) AS d) r, generate_series(1, length(r.d)) AS i
  GROUP BY d
$$
"""


def _literal(text):
    return "'%s'" % text.replace("'", "''")


def shape_conditions_sql(value, national_ids=None):
    """``[(shape name, SQL condition true when the text expression ``value`` holds it)]`` (needs LUHN_FUNCTION_SQL
    run in the session first).  Each costs a regular expression: use them on distinct values."""
    unmasked = "(CASE WHEN strpos(%s, '@') > 0 THEN regexp_replace(%s, %s, ' ', 'g') ELSE %s END)" % (
        value, value, _literal(MASKED_EMAIL), value)
    has_digit = "%s ~ '[0-9]'" % value
    conditions = [
        ("email", "strpos(%s, '@') > 0 AND %s ~ %s" % (unmasked, unmasked, _literal(EMAIL))),
        ("phone", "%s AND regexp_replace(%s, %s, ' ', 'g') ~ %s" % (
            has_digit, unmasked, _literal(ISO_DATE), _literal(PHONE))),
        ("card", "%s AND %s ~ %s AND EXISTS (SELECT 1 FROM regexp_matches(%s, %s, 'g') m WHERE %s(m[1]))" % (
            has_digit, unmasked, _literal(CARD), unmasked, _literal(CARD), LUHN_FUNCTION)),
    ]
    for name, pattern in sorted((national_ids or {}).items()):
        conditions.append((name, "%s ~ %s" % (unmasked, _literal(national_id_regex(pattern)))))
    return conditions
