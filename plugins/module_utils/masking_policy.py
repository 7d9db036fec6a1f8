# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The masking policy of a refresh: what it looks like in an inventory, validated before anything runs.

The inventory gives ``envops_masking_policy``::

    postgresql:
      database: app                             # optional: the database the tables live in
      quasi_identifiers:                        # optional: columns reported with k-anonymity
        public.customers: [date_of_birth, zip]
      tables:
        public.customers:                       # schema.table
          id: keep
          email: {rule: email}
          profile:                              # json/jsonb column: every path classified
            rule: json
            paths:
              email: {rule: email}
              address.city: {rule: substitute, list: city}
              tags[]: keep                      # [] = every element of an array
    dynamodb:
      tables:
        user-activity:                          # table name without the env prefix
          user_id: {rule: pseudonym}
          profile.email: {rule: email}          # attribute paths, nested with '.' and '[]'
          events[].note: {rule: scrub}

``load_policy(data)`` checks all of it and raises one ``MaskingPolicyError`` naming every problem with
its path (``envops_masking_policy.postgresql.tables["public.customers"].email.rule``).  The result is
normalised: both stores end up as ``{table: TablePolicy}`` whose ``fields`` map a top-level field
(column or attribute) to a ``Rule``; nested paths become a ``json`` rule on their top-level field, so
``profile.email`` in DynamoDB and ``profile: {rule: json, paths: {email: ...}}`` in PostgreSQL are the
same thing.  ``policy_hash`` fingerprints that normalised form.

Paths: keys joined by ``.``, ``[]`` after a key (or at the start) means every element of an array;
keys cannot contain ``.``, ``[`` or ``]``.  The same syntax names live fields for ``classify``:
``email`` (a column), ``profile.address.city`` (a path inside a json column), ``events[].note``.

Fail closed: ``classify(policy_tables, live_fields)`` compares the policy with the fields found in the
live source.  A field without a rule (on it or on an ancestor) is *unclassified* and must stop the
refresh; a policy entry matching nothing live is *stale* and is reported.  The maskers also drop any
field or JSON key that has no rule, so a field that appears between classification and copy is not
copied in clear.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import datetime
import hashlib
import json
import math
import re
from collections import namedtuple
from decimal import Decimal

from ansible_collections.envops.aws.plugins.module_utils.masking_lists import LISTS
from ansible_collections.envops.aws.plugins.module_utils.pii_shapes import pattern_problem

POLICY_VARIABLE = "envops_masking_policy"
STORES = ("postgresql", "dynamodb")
STORE_KEYS = {"postgresql": ("tables", "database", "quasi_identifiers"), "dynamodb": ("tables",)}
ITEMS = "[]"  # path component: every element of an array

# Rule name -> {parameter: required?}.  ``json`` takes ``paths``, handled separately.
RULE_PARAMETERS = {
    "keep": {},
    "null": {},
    "constant": {"value": True},
    "pseudonym": {"prefix": False},
    "email": {},
    "substitute": {"list": True},
    "partial": {"keep_last": False},
    "generalize_date": {},
    "generalize_prefix": {"keep": True},
    "noise": {"relative": False, "absolute": False},
    "scrub": {"related": False},
    "json": {"paths": True},
}
RULE_NAMES = tuple(sorted(RULE_PARAMETERS))
DEFAULT_KEEP_LAST = 4
MAX_KEEP_LAST = 4  # a partial showing more digits identifies the number: refused, whatever the policy says
# policy sections of the verifiers' leak scan (see ``_Loader.leak_scan``)
SCAN_KEYS = ("exceptions", "pii_patterns")
EXCEPTION_KEYS = ("reason", "approver", "expires")
_PATTERN_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

_PATH = re.compile(r"^(?:[^.\[\]]+|\[\])(?:\.[^.\[\]]+|\[\])*$")
_PATH_COMPONENT = re.compile(r"\[\]|[^.\[\]]+")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class MaskingPolicyError(ValueError):
    """The policy is not usable; ``problems`` lists ``(path, message)`` for every problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = ["%s: %s" % (where, message) for where, message in self.problems]
        super(MaskingPolicyError, self).__init__(
            "masking policy has %d problem(s):\n  - %s" % (len(lines), "\n  - ".join(lines)))


# --- paths -------------------------------------------------------------------------------------

def parse_path(text):
    """``'events[].note'`` -> ``('events', '[]', 'note')``; raises ValueError on a malformed path."""
    if not isinstance(text, str) or not _PATH.match(text):
        raise ValueError("%r is not a path: keys joined by '.', '[]' for array elements, "
                         "keys without '.', '[' or ']'" % (text,))
    return tuple(_PATH_COMPONENT.findall(text))


def format_path(components):
    """Inverse of ``parse_path``: ``('events', '[]', 'note')`` -> ``'events[].note'``."""
    text = ""
    for component in components:
        if component == ITEMS or not text:
            text += component
        else:
            text += "." + component
    return text


def _is_prefix(shorter, longer):
    return len(shorter) <= len(longer) and longer[:len(shorter)] == shorter


# --- the model ---------------------------------------------------------------------------------

class PathNode:
    """One node of a JSON path tree: a rule (a leaf), object ``keys``, or array ``items``."""

    def __init__(self):
        self.rule = None
        self.keys = {}
        self.items = None


class Rule:
    """One masking rule with its parameters (see masking_rules for what each one does).

    ``kind`` is the rule name.  Parameters: ``prefix`` (pseudonym), ``list_name`` (substitute),
    ``keep_last`` (partial), ``keep`` (generalize_prefix), ``relative``/``absolute`` as Decimal
    (noise), ``value`` (constant), ``paths`` (json: ``((sub_path, Rule), ...)`` sorted by path).
    """

    __slots__ = ("kind", "prefix", "list_name", "keep_last", "keep", "relative", "absolute", "value",
                 "paths", "related", "_tree")

    def __init__(self, kind, prefix="", list_name=None, keep_last=None, keep=None, relative=None,
                 absolute=None, value=None, paths=(), related=()):
        self.kind = kind
        self.prefix = prefix
        self.list_name = list_name
        self.keep_last = keep_last
        self.keep = keep
        self.relative = relative
        self.absolute = absolute
        self.value = value
        self.paths = tuple(sorted(paths, key=lambda path_rule: path_rule[0]))
        self.related = tuple(related)
        self._tree = None

    @property
    def is_pii(self):
        return self.kind != "keep"

    @property
    def tree(self):
        """For a json rule: the ``PathNode`` tree of its paths (built once)."""
        if self._tree is None:
            root = PathNode()
            for path, rule in self.paths:
                node = root
                for component in parse_path(path):
                    if component == ITEMS:
                        node.items = node.items or PathNode()
                        node = node.items
                    else:
                        node = node.keys.setdefault(component, PathNode())
                node.rule = rule
            self._tree = root
        return self._tree

    def to_dict(self):
        """Canonical form: what ``policy_hash`` fingerprints."""
        data = {"rule": self.kind}
        if self.kind == "pseudonym":
            data["prefix"] = self.prefix
        elif self.kind == "substitute":
            data["list"] = self.list_name
        elif self.kind == "partial":
            data["keep_last"] = self.keep_last
        elif self.kind == "generalize_prefix":
            data["keep"] = self.keep
        elif self.kind == "noise":
            data["relative" if self.relative is not None else "absolute"] = str(
                self.relative if self.relative is not None else self.absolute)
        elif self.kind == "constant":
            data["value"] = self.value
        elif self.kind == "json":
            data["paths"] = dict((path, rule.to_dict()) for path, rule in self.paths)
        if self.related:
            data["related"] = [related.to_dict() for related in self.related]
        return data

    def __eq__(self, other):
        return isinstance(other, Rule) and self.to_dict() == other.to_dict()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def __repr__(self):
        return "Rule(%s)" % json.dumps(self.to_dict(), sort_keys=True)


ScrubSource = namedtuple("ScrubSource", "path field keys rule")
ScrubSource.__doc__ = """A PII field whose value in a row is hidden in that row's free text.

``path`` as in classify, ``field`` the top-level column/attribute, ``keys`` the object keys inside it
(no arrays), ``rule`` the field's rule (gives the replacement)."""


class Related(namedtuple("Related", "table via key fields")):
    """A row a scrubbed free text refers to by foreign key: its ``fields`` are PII of that text too.

    ``table`` (schema.table) holds the row whose ``key`` column (default ``id``, unique) equals this
    row's ``via`` column; ``fields``: columns of that row scrubbed from the text (``[redacted]``).
    Declared on a PostgreSQL scrub rule::

        notes: {rule: scrub, related: [{table: public.customers, via: customer_id,
                                        fields: [first_name, last_name, email, phone]}]}
    """

    __slots__ = ()

    def to_dict(self):
        return {"table": self.table, "via": self.via, "key": self.key, "fields": list(self.fields)}


RELATED_KEYS = ("table", "via", "key", "fields")
DEFAULT_RELATED_KEY = "id"


def related_declarations(table_policy):
    """Every ``Related`` of the table's scrub rules (columns and JSON paths), once each, in path order."""
    found = []
    for rule in table_policy.rules_by_path().values():
        for related in rule.related:
            if related not in found:
                found.append(related)
    return tuple(found)


class TablePolicy:
    """The rules of one table: ``fields`` maps each top-level field to its Rule (sorted by name).

    ``exceptions`` (field -> ScanException) and ``pii_patterns`` (name -> pattern) are set by load_policy from
    the policy's sections of the same names: what the verifier's leak scan needs for this table.
    """

    exceptions = {}
    pii_patterns = {}

    def __init__(self, name, fields):
        self.name = name
        self.fields = dict(sorted(fields.items()))

    def rules_by_path(self):
        """Every leaf rule by its full path (``email``, ``profile.address.city``, ``events[].note``)."""
        flat = {}
        for field, rule in self.fields.items():
            if rule.kind == "json":
                for sub_path, sub_rule in rule.paths:
                    flat[format_path((field,) + parse_path(sub_path))] = sub_rule
            else:
                flat[field] = rule
        return dict(sorted(flat.items()))

    @property
    def pii_fields(self):
        """Paths whose rule is anything but keep: the fields that carry personal data."""
        return tuple(path for path, rule in self.rules_by_path().items() if rule.is_pii)

    @property
    def has_scrub(self):
        return any(rule.kind == "scrub" for rule in self.rules_by_path().values())

    @property
    def scrub_sources(self):
        """PII fields a scrub rule looks for in free text, in lookup order (sorted by path).

        Every non-keep, non-scrub leaf outside arrays: a row has one value there, so the free text of
        the same row can be searched for it.  Values inside arrays are covered by the email/phone
        detectors only.
        """
        sources = []
        for path, rule in self.rules_by_path().items():
            components = parse_path(path)
            if rule.kind in ("keep", "scrub") or ITEMS in components:
                continue
            sources.append(ScrubSource(path, components[0], components[1:], rule))
        return tuple(sources)

    def to_dict(self):
        return dict((field, rule.to_dict()) for field, rule in self.fields.items())


class MaskingPolicy:
    """The validated policy: ``postgresql`` and ``dynamodb`` map table names to TablePolicy.

    ``database``: the PostgreSQL database named by the policy (None if not given);
    ``quasi_identifiers``: PostgreSQL table -> columns to report k-anonymity on.
    """

    exceptions = ()
    pii_patterns = {}

    def __init__(self, postgresql, dynamodb, database=None, quasi_identifiers=None):
        self.postgresql = dict(sorted(postgresql.items()))
        self.dynamodb = dict(sorted(dynamodb.items()))
        self.database = database
        self.quasi_identifiers = dict(sorted((quasi_identifiers or {}).items()))

    def to_dict(self):
        data = {
            "postgresql": dict((name, table.to_dict()) for name, table in self.postgresql.items()),
            "dynamodb": dict((name, table.to_dict()) for name, table in self.dynamodb.items()),
            "database": self.database,
            "quasi_identifiers": self.quasi_identifiers,
        }
        data.update(_leak_scan_dict(self))
        return data


class ScanException(namedtuple("ScanException", "store table field reason approver expires")):
    """A reviewed exception to the leak scan for one column / top-level attribute: its findings are listed in
    the evidence instead of failing the verification, while it is in force (``expires``: a date, or None)."""

    __slots__ = ()

    @property
    def name(self):
        return "%s.%s" % (self.table, self.field)

    def in_force(self, today=None):
        today = today or datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        return self.expires is None or today <= self.expires

    def to_dict(self):
        return {"field": self.name, "store": self.store, "reason": self.reason, "approver": self.approver,
                "expires": self.expires}


def _is_date(text):
    try:
        return bool(isinstance(text, str) and re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", text)
                    and datetime.date(*map(int, text.split("-"))))
    except ValueError:
        return False


def _leak_scan_dict(policy):
    """The leak-scan sections in the canonical form (absent when the policy has none: hashes stay as they were)."""
    data = {}
    if policy.exceptions:
        data["exceptions"] = [exception.to_dict() for exception in policy.exceptions]
    if policy.pii_patterns:
        data["pii_patterns"] = dict(policy.pii_patterns)
    return data


def policy_hash(policy):
    """sha256 (hex) of the canonical JSON of the normalised policy: equal rules, equal hash."""
    canonical = json.dumps({"format": 1, "policy": policy.to_dict()}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


# --- loading -----------------------------------------------------------------------------------

def _where(parts):
    text = parts[0]
    for part in parts[1:]:
        text += ".%s" % part if _PLAIN_KEY.match(part) else "[%s]" % json.dumps(part)
    return text


class _Loader:
    """Walks the raw data once, collecting every problem instead of stopping at the first."""

    def __init__(self, root):
        self.root = root
        self.problems = []
        self.current_store = None

    def problem(self, parts, message):
        self.problems.append((_where([self.root] + list(parts)), message))

    def policy(self, data):
        if not isinstance(data, dict):
            self.problem([], "must be a mapping with 'postgresql' and/or 'dynamodb'")
            return MaskingPolicy({}, {})
        for store in data:
            if store not in STORES + SCAN_KEYS:
                self.problem([str(store)], "unknown store (known: %s)" % ", ".join(STORES + SCAN_KEYS))
        stores = {}
        for store in STORES:
            stores[store] = self.store(data[store], store) if store in data else {}
        postgresql = data.get("postgresql") if isinstance(data.get("postgresql"), dict) else {}
        policy = MaskingPolicy(stores["postgresql"], stores["dynamodb"], self.database(postgresql),
                               self.quasi_identifiers(postgresql, stores["postgresql"]))
        self.leak_scan(data, policy)
        return policy

    # --- the leak scan's sections: declared national-id patterns, reviewed exceptions ---

    def leak_scan(self, data, policy):
        """Check ``pii_patterns`` and ``exceptions`` and give them to the policy and to each of its tables."""
        policy.pii_patterns = self.pii_patterns(data.get("pii_patterns", {}))
        policy.exceptions = tuple(self.exceptions(data.get("exceptions", {}), policy))
        for store in STORES:
            for name, table in getattr(policy, store).items():
                table.pii_patterns = policy.pii_patterns
                table.exceptions = dict((exception.field, exception) for exception in policy.exceptions
                                        if exception.store == store and exception.table == name)

    def pii_patterns(self, given):
        if not isinstance(given, dict):
            self.problem(["pii_patterns"], "must map a name to a pattern (a national identifier, say)")
            return {}
        patterns = {}
        for name, pattern in given.items():
            if not isinstance(name, str) or not _PATTERN_NAME.match(name):
                self.problem(["pii_patterns", str(name)], "name: lowercase letters, digits and _ (at most 40)")
                continue
            problem = pattern_problem(pattern)
            if problem:
                self.problem(["pii_patterns", name], problem)
                continue
            patterns[name] = pattern
        return dict(sorted(patterns.items()))

    def exceptions(self, given, policy):
        if not isinstance(given, dict):
            self.problem(["exceptions"], "must map a store (%s) to its exceptions" % ", ".join(STORES))
            return
        for store, entries in given.items():
            if store not in STORES:
                self.problem(["exceptions", str(store)], "unknown store (known: %s)" % ", ".join(STORES))
                continue
            if not isinstance(entries, dict):
                self.problem(["exceptions", store], "must map table.field to {reason, approver, expires}")
                continue
            for name, entry in entries.items():
                exception = self.exception(store, name, entry, getattr(policy, store))
                if exception is not None:
                    yield exception

    def exception(self, store, name, entry, tables):
        parts = ["exceptions", store, str(name)]
        table = next((table for table in sorted(tables, key=len, reverse=True)
                      if isinstance(name, str) and name.startswith(table + ".")), None)
        if table is None or name[len(table) + 1:] not in tables[table].fields:
            self.problem(parts, "not a table.field of the policy's %s tables (an exception names one column "
                                "or top-level attribute)" % store)
            return None
        if not isinstance(entry, dict):
            self.problem(parts, "must be a mapping with reason and approver (expires optional)")
            return None
        clean = True
        for key in entry:
            if key not in EXCEPTION_KEYS:
                self.problem(parts + [str(key)], "unknown key (known: %s)" % ", ".join(EXCEPTION_KEYS))
                clean = False
        for key, explanation in (("reason", "why the finding is not personal data"), ("approver", "who reviewed it")):
            value = entry.get(key)
            if not isinstance(value, str) or len(value.strip()) < 3 or "\x00" in value:
                self.problem(parts + [key], "required: %s, in words" % explanation)
                clean = False
        expires = entry.get("expires")
        if isinstance(expires, datetime.date):
            expires = expires.isoformat()
        if expires is not None and not _is_date(expires):
            self.problem(parts + ["expires"], "must be a date YYYY-MM-DD")
            clean = False
        if not clean:
            return None
        return ScanException(store, table, name[len(table) + 1:], entry["reason"].strip(), entry["approver"].strip(),
                             expires)

    def database(self, postgresql):
        database = postgresql.get("database")
        if database is not None and (not isinstance(database, str) or not database or "\x00" in database):
            self.problem(["postgresql", "database"], "must be a database name")
            return None
        return database

    def quasi_identifiers(self, postgresql, tables):
        given = postgresql.get("quasi_identifiers", {})
        if not isinstance(given, dict):
            self.problem(["postgresql", "quasi_identifiers"], "must map tables to lists of columns")
            return {}
        checked = {}
        for table, columns in given.items():
            parts = ["postgresql", "quasi_identifiers", str(table)]
            if table not in tables:
                self.problem(parts, "not a table of the policy")
            elif not isinstance(columns, list) or not columns or not all(isinstance(column, str) for column in columns):
                self.problem(parts, "must be a list of column names")
            elif any(column not in tables[table].fields for column in columns):
                self.problem(parts, "not columns of the table: %s" % ", ".join(
                    column for column in columns if column not in tables[table].fields))
            else:
                checked[table] = list(columns)
        return checked

    def store(self, data, store):
        if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
            self.problem([store], "must be a mapping with a 'tables' mapping")
            return {}
        for extra in sorted(set(data) - set(STORE_KEYS[store]), key=str):
            self.problem([store, str(extra)], "unknown key (known: %s)" % ", ".join(STORE_KEYS[store]))
        tables = {}
        self.current_store = store
        for name, entries in data["tables"].items():
            parts = [store, "tables", str(name)]
            if not self.table_name(name, store, parts):
                continue
            fields = self.table(entries, store, parts)
            if fields is not None:
                tables[name] = TablePolicy(name, fields)
        return tables

    def table_name(self, name, store, parts):
        if store == "postgresql":
            if not isinstance(name, str) or not re.match(r'^[^."\x00]+\.[^."\x00]+$', name):
                self.problem(parts, "table must be named schema.table")
                return False
        elif not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_.-]{1,255}$", name):
            self.problem(parts, "not a DynamoDB table name")
            return False
        return True

    def table(self, entries, store, parts):
        if not isinstance(entries, dict) or not entries:
            self.problem(parts, "must map each field to its rule")
            return None
        leaves = []  # (components, rule, parts of the entry)
        for name, entry in entries.items():
            entry_parts = parts + [str(name)]
            try:
                components = parse_path(name)
            except ValueError as error:
                self.problem(entry_parts, str(error))
                continue
            if store == "postgresql" and len(components) > 1:
                self.problem(entry_parts, "a column name cannot contain '.', '[' or ']' "
                                          "(paths inside a json column go under 'paths')")
                continue
            if components[0] == ITEMS:
                self.problem(entry_parts, "must start with an attribute name")
                continue
            rule = self.entry(entry, entry_parts, allow_json=True)
            if rule is None:
                continue
            if rule.kind == "json":
                for sub_path, sub_rule in rule.paths:
                    leaves.append((components + parse_path(sub_path), sub_rule,
                                   entry_parts + ["paths", sub_path]))
            else:
                leaves.append((components, rule, entry_parts))
        if not self.no_overlaps(leaves):
            return None
        return self.group_by_field(leaves)

    def no_overlaps(self, leaves):
        """A path with a rule cannot also have rules below it, nor be both an array and an object."""
        clean = True
        ordered = sorted(leaves, key=lambda leaf: leaf[0])
        for index, (components, _rule, parts) in enumerate(ordered):
            for other, _other_rule, _other_parts in ordered[index + 1:]:
                if components == other:
                    self.problem(parts, "%s is given twice" % format_path(other))
                    clean = False
                    break
                if _is_prefix(components, other):
                    self.problem(parts, "has a rule and also rules below it (%s)" % format_path(other))
                    clean = False
                    break
        shapes = {}
        for components, _rule, parts in ordered:
            for depth in range(1, len(components)):
                shape = "array" if components[depth] == ITEMS else "object"
                seen = shapes.setdefault(components[:depth], (shape, parts))
                if seen[0] != shape:
                    self.problem(parts, "%s is used both as an array and as an object"
                                 % format_path(components[:depth]))
                    clean = False
        return clean

    @staticmethod
    def group_by_field(leaves):
        fields = {}
        nested = {}
        for components, rule, _parts in leaves:
            if len(components) == 1:
                fields[components[0]] = rule
            else:
                nested.setdefault(components[0], []).append((format_path(components[1:]), rule))
        for field, paths in nested.items():
            fields[field] = Rule("json", paths=paths)
        return fields

    def entry(self, entry, parts, allow_json):
        if isinstance(entry, str):
            if entry not in RULE_PARAMETERS:
                self.problem(parts, "unknown rule %r (known: %s)" % (entry, ", ".join(RULE_NAMES)))
                return None
            if any(RULE_PARAMETERS[entry].values()):
                self.problem(parts, "rule %r needs parameters: write {rule: %s, ...}" % (entry, entry))
                return None
            entry = {"rule": entry}
        if entry is None:
            self.problem(parts, "empty entry: write 'keep', or {rule: 'null'} (quote null in YAML)")
            return None
        if not isinstance(entry, dict):
            self.problem(parts, "must be a rule name or a mapping with 'rule'")
            return None
        kind = entry.get("rule")
        if not isinstance(kind, str) or kind not in RULE_PARAMETERS:
            self.problem(parts + ["rule"], "unknown rule %r (known: %s)" % (kind, ", ".join(RULE_NAMES)))
            return None
        if kind == "json" and not allow_json:
            self.problem(parts + ["rule"], "json rules do not nest: give the longer path instead")
            return None
        accepted = RULE_PARAMETERS[kind]
        clean = True
        for name in entry:
            if name != "rule" and name not in accepted:
                self.problem(parts + [str(name)], "rule %s takes no parameter %r%s" % (
                    kind, name, " (takes: %s)" % ", ".join(sorted(accepted)) if accepted else ""))
                clean = False
        for name, required in accepted.items():
            if required and name not in entry:
                self.problem(parts, "rule %s needs %r" % (kind, name))
                clean = False
        if not clean:
            return None
        return getattr(self, "rule_" + kind, self.rule_plain)(kind, entry, parts)

    @staticmethod
    def rule_plain(kind, _entry, _parts):
        return Rule(kind)

    def rule_constant(self, kind, entry, parts):
        value = entry["value"]
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(parts + ["value"], "must be a finite number")
            return None
        if isinstance(value, str) and "\x00" in value:
            self.problem(parts + ["value"], "cannot contain NUL")
            return None
        if value is None or not isinstance(value, (str, int, float)):
            self.problem(parts + ["value"], "must be a string, number or boolean (use rule 'null' for null)")
            return None
        return Rule(kind, value=value)

    def rule_pseudonym(self, kind, entry, parts):
        prefix = entry.get("prefix", "")
        if not isinstance(prefix, str) or "\x00" in prefix:
            self.problem(parts + ["prefix"], "must be a string")
            return None
        return Rule(kind, prefix=prefix)

    def rule_substitute(self, kind, entry, parts):
        if entry["list"] not in LISTS:
            self.problem(parts + ["list"], "unknown list %r (known: %s)" % (
                entry["list"], ", ".join(sorted(LISTS))))
            return None
        return Rule(kind, list_name=entry["list"])

    def count(self, entry, name, parts, default=None):
        value = entry.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(parts + [name], "must be a whole number >= 0")
            return None
        return value

    def rule_partial(self, kind, entry, parts):
        keep_last = self.keep_last_capped(self.count(entry, "keep_last", parts, DEFAULT_KEEP_LAST), parts)
        return None if keep_last is None else Rule(kind, keep_last=keep_last)

    def keep_last_capped(self, keep_last, parts):
        if keep_last is not None and keep_last > MAX_KEEP_LAST:
            self.problem(parts + ["keep_last"], "keeps at most %d digits (%d would identify the number)" % (
                MAX_KEEP_LAST, keep_last))
            return None
        return keep_last

    def rule_generalize_prefix(self, kind, entry, parts):
        keep = self.count(entry, "keep", parts)
        return None if keep is None else Rule(kind, keep=keep)

    def rule_noise(self, kind, entry, parts):
        given = [name for name in ("relative", "absolute") if name in entry]
        if len(given) != 1:
            self.problem(parts, "rule noise needs exactly one of 'relative' or 'absolute'")
            return None
        value = entry[given[0]]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or value <= 0:
            self.problem(parts + [given[0]], "must be a number > 0")
            return None
        # repr() is the shortest text of a float: '0.1' stays 0.1 exactly, in Python and in SQL.
        bound = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return Rule(kind, **{given[0]: bound})

    def rule_scrub(self, kind, entry, parts):
        declarations = entry.get("related", [])
        if not isinstance(declarations, list):
            self.problem(parts + ["related"], "must be a list of {table, via, fields} mappings")
            return None
        if declarations and self.current_store != "postgresql":
            self.problem(parts + ["related"], "related rows are a PostgreSQL declaration (foreign keys)")
            return None
        related = []
        for index, declaration in enumerate(declarations):
            checked = self.related_row(declaration, parts + ["related", str(index)])
            if checked is not None:
                related.append(checked)
        if len(related) != len(declarations):
            return None
        return Rule(kind, related=related)

    def related_row(self, declaration, parts):
        """One ``related`` entry: shapes only here, the source's catalog checks that they exist."""
        if not isinstance(declaration, dict):
            self.problem(parts, "must be a mapping with table, via and fields")
            return None
        clean = True
        for extra in sorted(set(declaration) - set(RELATED_KEYS), key=str):
            self.problem(parts + [str(extra)], "unknown key (known: %s)" % ", ".join(RELATED_KEYS))
            clean = False
        table = declaration.get("table")
        if not isinstance(table, str) or not re.match(r'^[^."\x00]+\.[^."\x00]+$', table):
            self.problem(parts + ["table"], "must name a table as schema.table")
            clean = False
        for name in ("via", "key"):
            value = declaration.get(name, DEFAULT_RELATED_KEY if name == "key" else None)
            if not isinstance(value, str) or not value or "\x00" in value:
                self.problem(parts + [name], "must be a column name")
                clean = False
        fields = declaration.get("fields")
        if not isinstance(fields, list) or not fields or not all(
                isinstance(field, str) and field and "\x00" not in field for field in fields):
            self.problem(parts + ["fields"], "must be a list of column names")
            clean = False
        elif len(set(fields)) != len(fields):
            self.problem(parts + ["fields"], "names a column twice")
            clean = False
        if not clean:
            return None
        return Related(table, declaration["via"], declaration.get("key", DEFAULT_RELATED_KEY), tuple(fields))

    def rule_json(self, kind, entry, parts):
        paths = entry["paths"]
        if not isinstance(paths, dict) or not paths:
            self.problem(parts + ["paths"], "must map each JSON path to its rule")
            return None
        rules = []
        for path, sub_entry in paths.items():
            path_parts = parts + ["paths", str(path)]
            try:
                parse_path(path)
            except ValueError as error:
                self.problem(path_parts, str(error))
                continue
            rule = self.entry(sub_entry, path_parts, allow_json=False)
            if rule is not None:
                rules.append((path, rule))
        if len(rules) != len(paths):
            return None
        return Rule(kind, paths=rules)


def load_policy(data, name=POLICY_VARIABLE):
    """Validate the inventory's policy mapping; returns MaskingPolicy or raises MaskingPolicyError."""
    loader = _Loader(name)
    policy = loader.policy(data)
    if loader.problems:
        raise MaskingPolicyError(loader.problems)
    return policy


# --- classification ----------------------------------------------------------------------------

class FieldRef(namedtuple("FieldRef", "table field")):
    """A field of a table; prints as ``table.field``."""

    __slots__ = ()

    def __str__(self):
        return "%s.%s" % (self.table, self.field)


class Classification:
    """Result of ``classify``: ``unclassified`` stops the refresh, ``stale`` is reported."""

    def __init__(self, unclassified, stale):
        self.unclassified = sorted(unclassified)
        self.stale = sorted(stale)

    @property
    def complete(self):
        """True when every live field has a rule."""
        return not self.unclassified

    def summary(self):
        lines = []
        if self.unclassified:
            lines.append("unclassified (no rule, the refresh stops): %s" % ", ".join(map(str, self.unclassified)))
        if self.stale:
            lines.append("stale (rule for a field that no longer exists): %s" % ", ".join(map(str, self.stale)))
        return "\n".join(lines) or "every field is classified"


def classify(policy_tables, live_fields):
    """Compare the policy of one store with the fields found in its live source (fail closed).

    ``policy_tables``: ``policy.postgresql`` or ``policy.dynamodb``.  ``live_fields``: table -> field
    paths found live: columns, paths inside json columns (``profile.address.city``, array elements
    as ``[]``), DynamoDB attribute paths.  A live path is classified when it or an ancestor has a
    rule, or when it is a container above rules (``profile`` above ``profile.email``).  A policy rule
    is stale when no live path is at or below it.  A live table missing from the policy has all its
    fields unclassified (``table.*`` when none were listed); a policy table missing live is stale.
    """
    unclassified, stale = [], []
    for table in sorted(set(live_fields) | set(policy_tables)):
        live = list(live_fields.get(table, ()))
        if table not in policy_tables:
            unclassified.extend(FieldRef(table, field) for field in (live or ["*"]))
            continue
        rules = dict((parse_path(path), path) for path in policy_tables[table].rules_by_path())
        containers = set(components[:depth] for components in rules for depth in range(1, len(components)))
        live_prefixes = set()
        for field in live:
            try:
                components = parse_path(field)
            except ValueError:
                unclassified.append(FieldRef(table, field))
                continue
            live_prefixes.update(components[:depth] for depth in range(1, len(components) + 1))
            covered = any(components[:depth] in rules for depth in range(1, len(components) + 1))
            if not covered and components not in containers:
                unclassified.append(FieldRef(table, field))
        stale.extend(FieldRef(table, path) for components, path in rules.items()
                     if components not in live_prefixes)
    return Classification(unclassified, stale)
