# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verifiers' leak scan, the part shared by PostgreSQL and DynamoDB: what is looked for, and what a finding
does.

The rule checks of a verifier trust the policy: a column the policy keeps is copied as it is and checked as such.
The leak scan does not: it looks through the text the target still holds in clear (kept and free-text columns,
kept JSON paths, array elements) for

- the source's values of every field the policy classifies as identifying (``IDENTIFYING_RULES``), compared as
  keyed hashes: a whole value, or a word of a text (an email, a single-word name), the target's texts taken as
  written, lowercase, uppercase and capitalised;
- every word of the source's values of the fields classified as names (substitute rules with a ``NAME_LISTS``
  list): a first name inside a gift message that belongs to a related row is found this way;
- PII shapes (pii_shapes): email addresses that are not masked output, phone numbers, card numbers passing the
  Luhn check, the national-id patterns the policy declares.

A finding names the table.field and a count, never a value.  It fails the verification unless the policy carries
an exception in force for that field (reason, approver): then it is listed in the evidence with the exception.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.envops.aws.plugins.module_utils.pii_shapes import MASKED_EMAIL

IDENTIFYING_RULES = ("email", "pseudonym", "substitute", "partial", "null")
NAME_LISTS = ("first_name", "last_name", "full_name")
# rules whose output the leak scan reads as text the target holds in clear
CLEAR_TEXT_RULES = ("keep", "scrub", "constant")
MIN_TOKEN = 3
# a word: what is left between other characters (emails and dotted / dashed numbers stay one word)
WORD_SPLIT = r"[^A-Za-z0-9@._+-]+"
SHAPE_WORDS = {"email": "an email address", "phone": "a phone number", "card": "a card number (Luhn)"}

_WORD_SPLIT = re.compile(WORD_SPLIT)


def is_name(rule):
    return rule.kind == "substitute" and rule.list_name in NAME_LISTS


def masked_forms(prefixes):
    """A regular expression (Python and PostgreSQL alike) matching a whole lowercase token that is masked output:
    a masked email, or a pseudonym of one of ``prefixes``."""
    escaped = sorted(set("".join(char if char.isalnum() else "\\" + char for char in prefix.lower())
                         for prefix in prefixes))
    forms = [MASKED_EMAIL]
    if escaped:
        forms.append("(?:%s)[0-9a-f]{16}" % "|".join(escaped))
    return "^(?:%s)$" % "|".join(forms)


def pseudonym_prefixes(table_policies):
    return sorted(set(rule.prefix for table in table_policies for rule in table.rules_by_path().values()
                      if rule.kind == "pseudonym"))


def _lower(text):
    return "".join(chr(ord(char) + 32) if "A" <= char <= "Z" else char for char in text)


def _upper(text):
    return "".join(chr(ord(char) - 32) if "a" <= char <= "z" else char for char in text)


def _initcap(text):
    """PostgreSQL's initcap() under COLLATE "C": each run of letters and digits capitalised, ASCII only."""
    out, previous = [], False
    for char in text:
        alnum = char.isascii() and char.isalnum()
        out.append((_lower(char) if previous else _upper(char)) if alnum else char)
        previous = alnum
    return "".join(out)


def variants(word):
    """A word as written, lowercase, uppercase and capitalised: the source values are hashed as written."""
    return set([word, _lower(word), _upper(word), _initcap(word)])


def tokens(text, masked=None):
    """The whole value (trimmed) and its words, each in its variants, of MIN_TOKEN characters or more, masked
    output left out."""
    whole = text.strip(" \t\r\n")
    found = set()
    for word in set(_WORD_SPLIT.split(whole)) | set([whole]):
        found.update(variant for variant in variants(word) if len(variant) >= MIN_TOKEN)
    if masked is not None:
        found = set(word for word in found if not masked.match(_lower(word)))
    return found


def source_words(text, name):
    """What a source value contributes: itself, and for a name each of its words, as written."""
    found = set([text])
    if name:
        found.update(word for word in _WORD_SPLIT.split(text) if word)
    return found


class Finding:
    """``count`` values of ``field`` of ``table`` hold ``what`` (a source field's values, or a shape)."""

    def __init__(self, table, field, count, what, source_field=None):
        self.table, self.field, self.count, self.what, self.source_field = table, field, count, what, source_field

    @property
    def name(self):
        return "%s.%s" % (self.table, self.field)

    def sentence(self):
        if self.source_field:
            return "%s: %d value(s) hold source values of %s" % (self.name, self.count, self.source_field)
        return "%s: %d value(s) hold %s" % (self.name, self.count, SHAPE_WORDS.get(
            self.what, "a national id (%s)" % self.what))


def settle(findings, exceptions, today=None):
    """``(failures, evidence)``: the findings without an exception in force fail; every exception of the
    scanned tables is listed with the findings it covers.  ``exceptions``: ScanException objects."""
    failures, covered = [], {}
    in_force = dict((exception.name, exception) for exception in exceptions if exception.in_force(today))
    for finding in sorted(findings, key=lambda f: (f.name, f.what, f.source_field or "")):
        if finding.count <= 0:
            continue
        if finding.name in in_force:
            covered.setdefault(finding.name, []).append(finding.sentence())
        else:
            failures.append(finding.sentence())
    evidence = []
    for exception in sorted(exceptions, key=lambda e: e.name):
        entry = exception.to_dict()
        entry["in_force"] = exception.name in in_force
        entry["findings"] = covered.get(exception.name, [])
        evidence.append(entry)
    return failures, evidence
