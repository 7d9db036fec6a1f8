# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compile a table's masking policy to PostgreSQL: masking_rules' algorithms, bit for bit, set-based.

``select_list(table_policy, columns)`` gives one masked expression per column, in column order, for
``COPY (SELECT <list> FROM schema.table) TO STDOUT``; ``update_statement`` gives the same
expressions as ``UPDATE ... SET col = <expr>`` for a clone masked in place.  ``columns`` are the
table's columns in order with their types as ``format_type(atttypid, atttypmod)`` prints them
(``COLUMNS_SQL`` reads them); every column needs a rule (unclassified columns are refused).

The SQL is plain expressions: no function, temp table or any other write is needed, so it runs on a
read replica or in a read-only transaction.  Requirements: PostgreSQL 13+, and pgcrypto installed
(``pgcrypto_schema`` qualifies ``hmac`` when it is not on the search_path) unless ``builtin_hmac``: then the
same HMAC-SHA256 is computed from the built-in ``sha256`` (RFC 2104, the key's pads computed once per
statement; about 15 % slower per hash), for a source where nothing may be installed.

Run it with JIT off (``JIT_OFF_SQL``): the expressions are large, their estimated cost passes
``jit_above_cost`` and LLVM then spends tens of seconds compiling them (41 s for one row of a table
with three scrubbed fields, measured); without JIT the same row takes 30 ms.

The key: every keyed rule calls ``hmac(convert_to(text, 'UTF8'), <key>, 'sha256')`` where ``<key>``
is ``key_param``, an SQL expression of type bytea; the key itself never appears in the SQL text.

- ``key_param='%(mask_key)s'`` (default): a psycopg named parameter, bound server-side by
  ``cursor.execute(sql, {'mask_key': key})``.  Literal ``%`` in the SQL is doubled for psycopg
  (``escape_percent``, automatic when key_param contains ``%``).
- ``key_param=SESSION_KEY`` for COPY: psycopg merges COPY parameters into the statement text on the
  client, which would put the key in the server log.  Set the key first with a bound parameter,
  ``cursor.execute(set_session_key_sql(), {'mask_key_hex': key.hex()})``, inside the transaction
  that runs the COPY (``local=True`` drops it at commit).

How rules are expressed (see masking_rules for the algorithms):

- ``u32``: the first 4 bytes of the hmac (``get_byte``, shifted) as an unsigned bigint,
  so it equals Python's ``int(hex[:8], 16)``.
- ASCII-only case: ``lower(x COLLATE "C")`` and regexes on ``x COLLATE "C"`` (the C collation folds
  ASCII only, whatever the database locale); trims use the explicit set ``E' \\t\\n\\r'``.
- noise is exact numeric arithmetic: ``2**-32`` is written as its 32-digit decimal, ``round`` is half
  away from zero like Python's ROUND_HALF_UP, ``scale()`` gives the value's decimals.
- no per-row subquery: a correlated one-row subquery is a SubPlan re-run for every row and cost
  more than the work inside it (scrub's source pass: 18 us of 23 us a row, measured), so every rule
  is one plain expression.  ``select_statement`` computes the values several uses need (normalized
  inputs, keyed hashes, lowered free text, scrub needles) once per row, as columns of nested
  ``OFFSET 0`` subqueries over the table; ``column_expressions`` / ``update_statement`` inline them.
  Within one rule an input equal to an earlier one of the row reuses its hash (``token``).
- substitute: the list is an ``ARRAY[...]`` constant indexed by ``u32 % n + 1``; the successor is
  only computed when ``n = ANY(<lowered list>)`` (a hashed lookup), the one case where the pick can
  equal the input, so the hmac is computed once.
- noise: the value is recast where it is needed (``x::numeric`` is cheap), its text hashed once.
- scrub: ``regexp_replace`` with a constant replacement, flags 'g', for emails (only when the text
  holds an '@') and for phone runs; then each source value is tested with ``strpos`` on ``lower``
  of the original text and of that result (ASCII, ``COLLATE "C"``).  No needle (most rows): the text
  of pass 2.  One needle value occurring once: ``overlay`` when its neighbours are no word
  characters (no per-row regex compile, ~20 us each).  Else the needles, escaped for ARE, are one
  case-insensitive alternation for a third ``regexp_replace``.
- json/jsonb: an object is one ``jsonb_build_object`` of its classified keys minus the absent ones
  (``- array_remove(ARRAY[CASE WHEN doc ? key ...], NULL)``: nothing is deleted, and the built
  object is returned as it is, when all are present; other keys are left out); an array whose
  items are kept is returned as it is, other arrays are rebuilt with ``jsonb_array_elements ...
  WITH ORDINALITY``/``jsonb_agg`` (the one subquery left).  json columns are masked as jsonb and
  cast back (key order and whitespace are not kept).
- partial: ``kept`` = ``length(substring(reverse(x) FROM '^(?:[^0-9]*[0-9]){k}'))`` (the text from
  the k-th digit before the end; NULL with fewer digits, then nothing is masked) and the rest is
  translated to 'x': ``coalesce(translate(left(x, -kept), ...) || right(x, kept), x)`` (the lookahead
  regex of the Python side costs several times more).
- text outputs are cast to the unbounded form of the column type (``character varying``, ``bpchar``)
  so an over-long value fails the load instead of being truncated (``CAST(x AS varchar(n))``
  truncates silently).  Fixed-length outputs (email, pseudonym, substitute, constant) are checked
  against ``varchar(n)`` here.  ``char(n)`` values are read without their pad spaces, as PostgreSQL
  compares them; Python callers should pass them right-stripped.
- scrub sources are text columns and JSON strings; values of other types (enums, uuids) are not
  searched for in free text.  A scrub rule's ``related`` rows add their fields as sources: in
  ``select_statement`` each related table is LEFT JOINed once, on its unique key, inside the
  innermost level (the ctid range stays on the table's own scan); inline, each field is a correlated
  sub-select.
- scrub's names pass (``names``): the dictionary is ``names_dictionary_sql``, a CTE of the statement
  (an uncorrelated subquery inline); each text is cut into its word / non-word runs by
  ``regexp_matches`` and put back with ``string_agg``, each word one lookup of a hashed SubPlan.
"""

from __future__ import absolute_import, annotations, division, print_function

__metaclass__ = type

import itertools
import json
import re

from ansible_collections.envops.aws.plugins.module_utils.masking_lists import LISTS
from ansible_collections.envops.aws.plugins.module_utils.masking_lists import MAX_LENGTH
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import DATE_PATTERN
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import EMAIL_DOMAIN
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import EMAIL_PATTERN
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import EMAIL_PREFIX
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import EMAIL_REPLACEMENT
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import HEX_CHARS
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import INTEGER_TEXT_PATTERN
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import PHONE_PATTERN
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import PHONE_REPLACEMENT
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import REDACTED
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import SOURCE_MIN_LENGTH
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import TWO_POW_MINUS_32
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import WHITESPACE
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import WORD_AFTER
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import WORD_BEFORE
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import WORD_CHARACTER
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import WORD_PATTERN

KEY_PLACEHOLDER = "%(mask_key)s"
SESSION_KEY_SETTING = "envops.mask_key"
# An uncorrelated sub-select is an InitPlan: the setting is read and decoded once per query.
SESSION_KEY = "(SELECT decode(current_setting('%s'), 'hex'))" % SESSION_KEY_SETTING

JIT_OFF_SQL = "SET jit = off"

COLUMNS_SQL = (
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute AS a "
    "WHERE a.attrelid = %(table)s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
)

# Stands for the key while compiling, so literal '%' can be doubled without touching key_param.
_KEY_SENTINEL = "\x00mask_key\x00"
# Stands for shared value number N while compiling (see _Compiler.share).
_SHARED = "\x00shared%d\x00"
_SHARED_REF = re.compile("\x00shared([0-9]+)\x00")
SHARED_PREFIX = "__envops_m"
# Characters special in an ARE outside brackets; each is escaped with a backslash.
_ARE_SPECIAL = r"[\\^$.|*+?(){}\[\]]"

_TEXT_TYPES = {"text": "text", "character varying": "character varying", "varchar": "character varying",
               "character": "bpchar", "char": "bpchar", "bpchar": "bpchar", "citext": "citext"}
_OTHER_KINDS = {
    "smallint": "integer", "int2": "integer", "integer": "integer", "int": "integer", "int4": "integer",
    "bigint": "integer", "int8": "integer", "numeric": "numeric", "decimal": "numeric",
    "double precision": "float", "float8": "float", "date": "date", "timestamp": "timestamp",
    "timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
    "timestamptz": "timestamptz", "json": "json", "jsonb": "jsonb",
}
_JSON_KINDS = ("json", "jsonb")
_STRING_KINDS = ("text",) + _JSON_KINDS
_ANY_KIND = None
_ACCEPTED_KINDS = {
    "keep": _ANY_KIND, "null": _ANY_KIND, "constant": _ANY_KIND,
    "pseudonym": _STRING_KINDS, "email": _STRING_KINDS, "substitute": _STRING_KINDS,
    "partial": _STRING_KINDS, "generalize_prefix": _STRING_KINDS, "scrub": _STRING_KINDS,
    "generalize_date": ("date", "timestamp", "timestamptz") + _STRING_KINDS,
    "noise": ("integer", "numeric", "float") + _JSON_KINDS,
    "json": _JSON_KINDS,
}
# Tokens a type name may be made of: words, quoted identifiers, dots, spaces, (n[,m]), [].
_SAFE_TYPE = re.compile(r'^(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"\x00]|"")+"|[ .]|\(\d+(?:, ?\d+)?\)|\[\])+$')
_TYPMOD = re.compile(r"\((\d+)(?:, ?\d+)?\)")
_ASCII_LOWER = dict((code, code + 32) for code in range(ord("A"), ord("Z") + 1))
# ARE's largest repetition count: more is written as nested repetitions.
_ARE_DUPMAX = 255


NAMES_CTE = "_envops_names"
# Split at every word boundary: runs of word characters and runs of other characters, alternately.
_WORD_BOUNDARY = "\\y"
_HMAC_BLOCK = 64  # bytes, SHA-256's block


def _key_pad(byte):
    """The key as HMAC pads it, each byte XOR ``byte`` (0x36 inner, 0x5c outer): one uncorrelated sub-select
    (an InitPlan, computed once per statement).  A key longer than a block is its sha256 first (RFC 2104)."""
    key = "(CASE WHEN length(%s) > %d THEN sha256(%s) ELSE %s END)" % (
        _KEY_SENTINEL, _HMAC_BLOCK, _KEY_SENTINEL, _KEY_SENTINEL)
    return ("(SELECT decode(string_agg(lpad(to_hex(CASE WHEN _i < length(_k.k) THEN get_byte(_k.k, _i) ELSE 0 END "
            "# %d), 2, '0'), '' ORDER BY _i), 'hex') FROM (SELECT %s AS k) AS _k, generate_series(0, %d) AS _i)"
            % (byte, key, _HMAC_BLOCK - 1))


def names_dictionary_sql(names):
    """The names dictionary (scrub's pass 4): ``SELECT w`` of every distinct word (3+ characters, ASCII
    lowercase) of every value of the ``names`` sources, ``[(table, column, keys, is_json)]``, set-based."""
    values = []
    for table, column, keys, is_json in names:
        ref = "_n.%s" % quote_ident(column)
        if is_json:
            doc = "(%s)::jsonb" % ref
            path = text_array(keys) if keys else "'{}'"
            values.append("SELECT %s #>> %s FROM %s AS _n WHERE jsonb_typeof(%s #> %s) = 'string'" % (
                doc, path, quote_table(table), doc, path))
        else:
            values.append("SELECT (%s)::text FROM %s AS _n" % (ref, quote_table(table)))
    # UNION: the distinct values first (one hashed pass over the rows), then only those are cut into words
    return ("SELECT DISTINCT lower(_m.m[1] COLLATE \"C\") AS w FROM (%s) AS _v(v), regexp_matches(_v.v COLLATE \"C\", "
            "%s, 'g') AS _m(m) WHERE length(_m.m[1]) >= %d" % (
                " UNION ".join(values), quote_literal(WORD_PATTERN), SOURCE_MIN_LENGTH))


def _repeat(unit, count):
    """An ARE for ``count`` (>= 1) repetitions of ``unit``."""
    if count <= _ARE_DUPMAX:
        return "(?:%s){%d}" % (unit, count)
    whole, rest = divmod(count, _ARE_DUPMAX)
    return _repeat("(?:%s){%d}" % (unit, _ARE_DUPMAX), whole) + (_repeat(unit, rest) if rest else "")


class MaskingSqlError(ValueError):
    """The policy cannot be compiled for these columns; the message names every column concerned."""


def quote_ident(name):
    if not isinstance(name, str) or not name or "\x00" in name:
        raise MaskingSqlError("not a usable identifier: %r" % (name,))
    return '"%s"' % name.replace('"', '""')


def quote_literal(text):
    """An SQL string literal, right whatever standard_conforming_strings says."""
    if "\x00" in text:
        raise MaskingSqlError("PostgreSQL text cannot contain NUL")
    body = text.replace("'", "''")
    if not re.search(r"[\\\x01-\x1f\x7f]", text):
        return "'%s'" % body
    body = re.sub(r"[\x01-\x1f\x7f]", lambda match: "\\x%02x" % ord(match.group(0)), body.replace("\\", "\\\\"))
    return "E'%s'" % body


def text_array(items):
    """``ARRAY['a', 'b']::text[]``: a path for ``#>`` / ``#>>``, or a key list for ``-`` / ``?&``."""
    return "ARRAY[%s]::text[]" % ", ".join(quote_literal(item) for item in items)


def quote_table(name):
    """``'public.customers'`` -> ``'"public"."customers"'``."""
    schema, _dot, table = name.partition(".")
    return "%s.%s" % (quote_ident(schema), quote_ident(table))


class ColumnType:
    """A column's type: ``text`` as given, its ``kind`` for the rules, ``length`` of varchar(n)/char(n)."""

    def __init__(self, text):
        if not isinstance(text, str) or not _SAFE_TYPE.match(text.strip()):
            raise MaskingSqlError("not a type name: %r" % (text,))
        self.text = text.strip()
        base = " ".join(_TYPMOD.sub(" ", self.text).lower().split())
        typmod = _TYPMOD.search(self.text)
        self.is_array = self.text.endswith("[]")
        self.unbounded = None if self.is_array else _TEXT_TYPES.get(base)
        if self.unbounded:
            self.kind = "text"
            self.length = int(typmod.group(1)) if typmod else None
        else:
            self.kind = None if self.is_array else _OTHER_KINDS.get(base)
            self.length = None


def _constant_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else repr(value)


def _fixed_output_length(rule):
    if rule.kind == "pseudonym":
        return len(rule.prefix) + HEX_CHARS
    if rule.kind == "email":
        return len(EMAIL_PREFIX) + HEX_CHARS + len(EMAIL_DOMAIN)
    if rule.kind == "substitute":
        return MAX_LENGTH[rule.list_name]
    if rule.kind == "constant":
        return len(_constant_text(rule.value))
    return None


class _Compiler:
    """Builds the SQL of one table; one instance per compile (it numbers its subquery aliases)."""

    def __init__(self, table_policy, columns, table_alias, pgcrypto_schema, names=(), builtin_hmac=False,
                 joined=False):
        self.policy = table_policy
        pairs = list(columns.items()) if hasattr(columns, "items") else [tuple(pair) for pair in columns]
        self.columns = dict((name, ColumnType(type_text)) for name, type_text in pairs)
        self.order = [name for name, _type in pairs]
        self.qualifier = quote_ident(table_alias or table_policy.name.partition(".")[2] or table_policy.name)
        self.hmac = "%s.hmac" % quote_ident(pgcrypto_schema) if pgcrypto_schema else "hmac"
        self.builtin_hmac = builtin_hmac
        self.names = tuple(names)
        # select_statement joins the related rows and reads the names dictionary from a CTE; the inline forms
        # (column_expressions, update_statement) use correlated and uncorrelated subqueries instead.
        self.joined = joined
        self._related = []  # Related declarations met while compiling, in order: their join aliases
        self._numbers = itertools.count(1)
        self._sources = None
        self._shared = {}  # SQL -> number
        self._definitions = []  # number -> SQL (may hold references to lower numbers)
        self._families = {}  # family -> [(hash input SQL, token reference)]
        self._local = 0  # > 0 while compiling inside a per-row subquery: nothing there can be shared

    def share(self, sql):
        """A reference to ``sql`` computed once per row (``nested_from``), not once per use.

        The same SQL text is one shared value.  Inside a per-row subquery (array items) the SQL
        depends on that subquery's row and is returned as it is.
        """
        if self._local:
            return "(%s)" % sql
        number = self._shared.get(sql)
        if number is None:
            number = self._shared[sql] = len(self._definitions)
            self._definitions.append(sql)
        return _SHARED % number

    def inline(self, sql):
        """``sql`` with every shared reference replaced by its definition: one standalone expression."""
        return _SHARED_REF.sub(lambda match: "(%s)" % self.inline(self._definitions[int(match.group(1))]), sql)

    def nested_from(self, table_sql, where=None):
        """The FROM item that computes the shared values: one subquery level per dependency depth.

        ``SELECT t.*, <level 1> FROM table AS t WHERE .. OFFSET 0`` wrapped by ``SELECT t.*, <level 2>
        FROM (..) AS t OFFSET 0`` and so on; OFFSET 0 keeps the planner from pulling a level up (which
        would copy each definition back into every use).  Every level has the table's alias, so column
        references read the same at any level; ``where`` (ctid ranges) applies to the table itself.
        """
        taken = set(self.columns)
        prefix = SHARED_PREFIX
        while any(name.startswith(prefix) for name in taken):
            prefix += "_"
        levels = []
        for sql in self._definitions:
            levels.append(1 + max([levels[int(number)] for number in _SHARED_REF.findall(sql)] or [0]))

        def resolve(sql):
            return _SHARED_REF.sub(lambda match: "%s.%s" % (
                self.qualifier, quote_ident("%s%s" % (prefix, match.group(1)))), sql)

        source = "%s AS %s%s" % (table_sql, self.qualifier, " WHERE %s" % where if where else "")
        if self._related:
            # the ctid range stays the table's own (a subquery the planner pulls up into a TID range scan)
            source = "(SELECT * FROM %s) AS %s%s" % (source, self.qualifier, self.joins())
        for level in range(1, max(levels or [0]) + 1):
            outputs = ["%s.*" % self.qualifier] + [
                "%s AS %s" % (resolve(sql), quote_ident("%s%d" % (prefix, number)))
                for number, sql in enumerate(self._definitions) if levels[number] == level]
            source = "(SELECT %s FROM %s OFFSET 0) AS %s" % (", ".join(outputs), source, self.qualifier)
        self.resolve = resolve
        return source

    def alias(self):
        return "_mask%d" % next(self._numbers)

    def ref(self, column):
        return "%s.%s" % (self.qualifier, quote_ident(column))

    # --- shared definitions --------------------------------------------------------------------

    def token(self, text, family=None):
        """The keyed hash of ``text`` (bytea), once per row.

        Within a ``family`` (the same rule: email, one substitute list) an input equal to an earlier
        one takes that one's hash instead of computing it again (a JSON copy of a column, as
        ``profile.email`` of ``email``): the same input, the same output, one hmac.
        """
        plain = self.keyed_hash("convert_to(%s, 'UTF8')" % text)
        if family is None or self._local:
            return self.share(plain)
        earlier = self._families.setdefault(family, [])
        for hashed, reference in earlier:
            if hashed == text:
                return reference
        if earlier:
            plain = "CASE %s ELSE %s END" % (" ".join(
                "WHEN %s = %s THEN %s" % (text, hashed, reference) for hashed, reference in earlier), plain)
        reference = self.share(plain)
        earlier.append((text, reference))
        return reference

    def keyed_hash(self, data):
        """HMAC-SHA256 of the bytea ``data`` under the key: pgcrypto's ``hmac``, or the same bytes from the
        built-in ``sha256`` (RFC 2104) when the source has no pgcrypto, which the copy never installs there."""
        if not self.builtin_hmac:
            return "%s(%s, %s, 'sha256')" % (self.hmac, data, _KEY_SENTINEL)
        return "sha256(%s || sha256(%s || %s))" % (_key_pad(0x5C), _key_pad(0x36), data)

    def hex16(self, text, family=None):
        """The first HEX_CHARS hex digits of the hash: its first bytes encoded (no 64-digit text to cut)."""
        return "encode(substring(%s FROM 1 FOR %d), 'hex')" % (self.token(text, family), HEX_CHARS // 2)

    def u32(self, text, family=None):
        """The hash's first 4 bytes as an unsigned big-endian integer (Python's ``int(hex[:8], 16)``)."""
        digest = self.token(text, family)
        return "((get_byte({h}, 0)::bigint << 24) | (get_byte({h}, 1) << 16) | (get_byte({h}, 2) << 8) | get_byte({h}, 3))".format(
            h=digest)

    def normalize(self, text):
        return self.share('lower(btrim(%s, %s) COLLATE "C")' % (text, quote_literal(WHITESPACE)))

    # --- rules on text -------------------------------------------------------------------------

    def text_rule(self, rule, text):
        """SQL text for ``rule`` applied to the text expression ``text``; None if it yields no text."""
        kind = rule.kind
        if kind == "keep":
            return text
        if kind == "constant":
            return quote_literal(rule.value) if isinstance(rule.value, str) else None
        if kind in ("null", "noise", "json"):
            return None
        if kind == "pseudonym":
            hashed = self.hex16(text)
            return "(%s || %s)" % (quote_literal(rule.prefix), hashed) if rule.prefix else hashed
        if kind == "email":
            return "(%s || %s || %s)" % (quote_literal(EMAIL_PREFIX), self.hex16(self.normalize(text), "email"),
                                         quote_literal(EMAIL_DOMAIN))
        if kind == "substitute":
            return self.substitute(rule.list_name, text)
        if kind == "partial":
            return self.partial(text, rule.keep_last)
        if kind == "generalize_date":
            return "(CASE WHEN %s ~ %s THEN left(%s, 4) || '-01-01' END)" % (text, quote_literal(DATE_PATTERN), text)
        if kind == "generalize_prefix":
            return "(left(%s, %d) || repeat('*', greatest(length(%s) - %d, 0)))" % (text, rule.keep, text, rule.keep)
        if kind == "scrub":
            return self.scrub(text, rule)
        raise MaskingSqlError("no SQL for rule %r" % kind)

    def substitute(self, list_name, text):
        """The pick, one hmac; the successor only when the input is one of the entries.

        Only then can the pick equal the input: ``n = ANY(<lowered entries>)`` (a hashed lookup of a
        constant array) guards the rare branch, so the usual row computes ``u32(n)`` once and never
        needs a subquery.
        """
        entries = LISTS[list_name]
        size = len(entries)
        array = "ARRAY[%s]" % ", ".join(quote_literal(entry) for entry in entries)
        lowered = "ARRAY[%s]" % ", ".join(quote_literal(entry.translate(_ASCII_LOWER)) for entry in entries)
        norm = self.normalize(text)
        index = "(%s %% %d + 1)::integer" % (self.u32(norm, "substitute:" + list_name), size)
        pick = "(%s)[%s]" % (array, index)
        following = "(%s)[%s %% %d + 1]" % (array, index, size)
        return "(CASE WHEN {n} = ANY ({lowered}) AND lower({pick} COLLATE \"C\") = {n} THEN {following} ELSE {pick} END)".format(
            n=norm, lowered=lowered, pick=pick, following=following)

    def partial(self, text, keep_last):
        """Digits but the last ``keep_last`` -> 'x'.

        ``kept`` is the reversed text up to its keep_last-th digit (a start-anchored ``{k}``
        repetition on ``reverse(x)``, cheaper than an end-anchored one; NULL when there are fewer
        digits: then nothing is masked): that many characters at the end are kept, the rest is
        translated.  Several times faster than the lookahead regex of the Python side.
        """
        if keep_last == 0:
            return "translate(%s, '0123456789', 'xxxxxxxxxx')" % text
        kept = "length(substring(reverse(%s) FROM %s))" % (text, quote_literal("^" + _repeat("[^0-9]*[0-9]", keep_last)))
        general = "coalesce(translate(left({x}, -{kept}), '0123456789', 'xxxxxxxxxx') || right({x}, {kept}), {x})".format(
            x=text, kept=kept)
        # most values end in keep_last digits: then no regex (a shorter all-digit value is kept whole either way)
        return ("(CASE WHEN translate(right({x}, {k}), '0123456789', '') = '' "
                "THEN translate(left({x}, -{k}), '0123456789', 'xxxxxxxxxx') || right({x}, {k}) ELSE {general} END)").format(
                    x=text, k=keep_last, general=general)

    def noise(self, number, rule):
        """Numeric SQL: ``number`` (any numeric expression) with the rule's bounded noise."""
        x = "(%s)::numeric" % number
        if rule.absolute is not None:
            bound = "%s::numeric" % quote_literal(str(rule.absolute))
        else:
            bound = "%s::numeric * abs(%s)" % (quote_literal(str(rule.relative)), x)
        return (
            "(CASE WHEN {x} IN ('NaN', 'Infinity', '-Infinity') THEN {x} "
            "ELSE round({x} + {bound} * (2 * {u32} - 4294967296) * {step}, scale({x})) END)"
        ).format(x=x, bound=bound, u32=self.u32("%s::text" % x), step=str(TWO_POW_MINUS_32))

    # --- scrub ---------------------------------------------------------------------------------

    def sources(self):
        """``[(raw text SQL, type check SQL or None)]`` for the table's scrub sources present as columns."""
        if self._sources is None:
            self._sources = []
            for source in self.policy.scrub_sources:
                column = self.columns.get(source.field)
                if column is None:
                    continue
                if column.kind == "text" and not source.keys:
                    self._sources.append(("(%s)::text" % self.ref(source.field), None))
                elif column.kind in _JSON_KINDS:
                    ref = (self.column_doc(source.field, column), tuple(source.keys))
                    self._sources.append((self.json_path(ref, text=True),
                                          "jsonb_typeof(%s) = 'string'" % self.json_path(ref)))
        return self._sources

    def related_sources(self, rule, text):
        """``[(raw text SQL, None)]``: the fields of the rows ``rule`` refers to (``Rule.related``).

        In select_statement each related table is LEFT JOINed once on its unique key (no row is added or
        lost); its fields are read only where the row's ``text`` is not NULL (most free text is), so the
        needles of an empty text cost nothing.  Inline, each field is a correlated sub-select.
        """
        sources = []
        # a column's text only: inside an array it is the element's, and a shared value (a JSON path) is computed at
        # a level above the join
        gate = None if self._local or _SHARED_REF.search(text) else text
        for related in rule.related:
            if related not in self._related:
                self._related.append(related)
            alias = "_envops_r%d" % (self._related.index(related) + 1)
            for field in related.fields:
                if self.joined:
                    value = "(%s.%s)::text" % (alias, quote_ident(field))
                    if gate is not None:
                        value = "CASE WHEN %s IS NOT NULL THEN %s END" % (gate, value)
                    local, self._local = self._local, 0  # the related row is the table row's, also in arrays
                    sources.append((self.share(value), None))
                    self._local = local
                else:
                    sources.append(("(SELECT (%s.%s)::text FROM %s AS %s WHERE %s.%s = %s)" % (
                        alias, quote_ident(field), quote_table(related.table), alias, alias, quote_ident(related.key),
                        self.ref(related.via)), None))
        return sources

    def joins(self):
        """The LEFT JOINs of the related rows, for nested_from."""
        return "".join(" LEFT JOIN %s AS _envops_r%d ON _envops_r%d.%s = %s" % (
            quote_table(related.table), number, number, quote_ident(related.key), self.ref(related.via))
            for number, related in enumerate(self._related, start=1))

    def names_pass(self, text):
        """Pass 4 of scrub: each word of ``text`` found in the names dictionary -> [redacted].

        The text is cut at its word boundaries (``\\y`` on the text in the C collation: word characters
        are ASCII letters, digits and ``_`` in every database locale) into runs of word and non-word
        characters and put back together with the dictionary's words replaced (``regexp_matches`` of the
        runs costs about 1.5x more); ``IN (SELECT ...)`` of an uncorrelated query is a hashed SubPlan:
        the dictionary is hashed once per statement, each word is one lookup.
        """
        if not self.names:
            return text
        dictionary = NAMES_CTE if self.joined else "(%s)" % names_dictionary_sql(self.names)
        return (
            "(CASE WHEN {t} IS NULL THEN NULL ELSE coalesce((SELECT string_agg(CASE WHEN lower(_w.r COLLATE \"C\") "
            "IN (SELECT w FROM {d} AS _d) THEN {redacted} ELSE _w.r END, '' ORDER BY _w.n) FROM regexp_split_to_table("
            "{t} COLLATE \"C\", {boundary}) WITH ORDINALITY AS _w(r, n)), '') END)"
        ).format(t=text, d=dictionary, redacted=quote_literal(REDACTED), boundary=quote_literal(_WORD_BOUNDARY))

    def scrub(self, text, rule):
        return self.names_pass(self.scrub_sources(text, rule))

    def scrub_sources(self, text, rule):
        """Emails and phones by constants (plain regexp_replace calls), then the row's own values.

        A source is a needle when it occurs (strpos on ``lower``) in the original text, as the rules
        say, and in the text after pass 2: one that occurs only inside a replaced email or phone
        cannot match any more.  Most rows have no needle and return the text of pass 2.  When the
        needles are one value (case aside) occurring once, the match is decided by its two
        neighbouring characters and replaced with ``overlay``: what the regex would do, without
        compiling a regex for this row (each costs ~20 us).  Otherwise the needles, escaped for ARE,
        are one case-insensitive alternation for a third ``regexp_replace``.
        """
        email = "(CASE WHEN strpos(%s, '@') > 0 THEN regexp_replace(%s COLLATE \"C\", %s, %s, 'g') ELSE %s END)" % (
            text, text, quote_literal(EMAIL_PATTERN), quote_literal(EMAIL_REPLACEMENT), text)
        passed = self.share("regexp_replace(%s COLLATE \"C\", %s, %s, 'g')" % (
            email, quote_literal(PHONE_PATTERN), quote_literal(PHONE_REPLACEMENT)))
        sources = self.sources() + self.related_sources(rule, text)
        if not sources:
            return passed
        lowered = self.share('lower((%s) COLLATE "C")' % text)
        lowered_passed = self.share('lower(%s COLLATE "C")' % passed)
        needles = []
        for raw, is_string in sources:
            # lower() keeps the length (ASCII only); the trimmed value itself only for a needle found
            folded = self.normalize(raw)
            test = "strpos({lx}, {v}) > 0 AND strpos({lp}, {v}) > 0 AND length({v}) >= {least}".format(
                v=folded, least=SOURCE_MIN_LENGTH, lx=lowered, lp=lowered_passed)
            if is_string:
                test += " AND " + is_string
            needles.append(self.share('CASE WHEN %s THEN btrim(%s, %s) COLLATE "C" END' % (
                test, raw, quote_literal(WHITESPACE))))
        first = 'lower(coalesce(%s) COLLATE "C")' % ", ".join(needles)
        one_value = " AND ".join('(%s IS NULL OR lower(%s COLLATE "C") = %s)' % (needle, needle, first)
                                 for needle in needles)
        at = "strpos(%s, %s)" % (lowered_passed, first)
        word = quote_literal(WORD_CHARACTER)
        single = (
            "CASE WHEN substr({p}, {at} - 1, 1) !~ {word} AND substr({p}, {at} + length({first}), 1) !~ {word} "
            "THEN overlay({p} PLACING {redacted} FROM {at} FOR length({first})) ELSE {p} END"
        ).format(p=passed, at=at, first=first, word=word, redacted=quote_literal(REDACTED))
        alternatives = "concat_ws('|', %s)" % ", ".join(
            "regexp_replace(%s, %s, %s, 'g')" % (needle, quote_literal(_ARE_SPECIAL), quote_literal("\\\\\\&"))
            for needle in needles)
        # NULL text (free-text columns are often empty): NULL needles, NULL result.
        return (
            "(CASE WHEN {text} IS NULL THEN NULL WHEN num_nonnulls({needles}) = 0 THEN {p} "
            "WHEN {one_value} AND strpos(substr({lp}, {at} + 1), {first}) = 0 THEN {single} "
            "ELSE regexp_replace({p}, {before} || {alternatives} || {after}, {redacted}, 'gi') END)"
        ).format(text=text, needles=", ".join(needles), p=passed, one_value=one_value, lp=lowered_passed, at=at,
                 first=first, single=single, alternatives=alternatives, before=quote_literal(WORD_BEFORE + "(?:"),
                 after=quote_literal(")" + WORD_AFTER), redacted=quote_literal(REDACTED))

    # --- JSON ----------------------------------------------------------------------------------

    def json_path(self, ref, text=False):
        """``ref`` = (jsonb expression, keys): the value at the keys, as jsonb or as text.

        One ``#>``/``#>>`` from the root instead of a chain of ``->`` (each copies its object).
        Only used below levels checked to be objects, so a key never indexes an array.
        """
        root, keys = ref
        if not keys:
            return self.share("(%s #>> '{}')" % root) if text else root
        return self.share("(%s %s %s)" % (root, "#>>" if text else "#>", text_array(keys)))

    def json_rule(self, rule, ref):
        """jsonb SQL for ``rule`` applied to the jsonb value at ``ref`` (never SQL NULL inside a document).

        ``ref``: a jsonb expression, or (jsonb expression, keys) for the value at those keys.
        """
        if isinstance(ref, str):
            ref = (ref, ())
        doc = self.json_path(ref)
        if rule.kind == "keep":
            return doc
        if rule.kind == "null":
            return "'null'::jsonb"
        if rule.kind == "constant":
            return "%s::jsonb" % quote_literal(json.dumps(rule.value))
        if rule.kind == "json":
            return self.json_node(rule.tree, ref)
        if rule.kind == "noise":
            return "(CASE WHEN jsonb_typeof(%s) = 'number' THEN to_jsonb(%s) ELSE 'null'::jsonb END)" % (
                doc, self.noise("(%s)::numeric" % doc, rule))
        text = self.json_path(ref, text=True)
        readable = "jsonb_typeof(%s) = 'string'" % doc
        if rule.kind != "generalize_date":
            readable += " OR (jsonb_typeof(%s) = 'number' AND %s ~ %s)" % (
                doc, text, quote_literal(INTEGER_TEXT_PATTERN))
        return "(CASE WHEN %s THEN coalesce(to_jsonb(%s), 'null'::jsonb) ELSE 'null'::jsonb END)" % (
            readable, self.text_rule(rule, text))

    def json_node(self, node, ref):
        if isinstance(ref, str):
            ref = (ref, ())
        if node.rule is not None:
            return self.json_rule(node.rule, ref)
        doc = self.json_path(ref)
        if node.keys:
            # One jsonb_build_object of the classified keys; the absent ones are deleted again (the
            # array is empty, and the object returned as built, when all are present).
            root, keys = ref
            names = list(node.keys)
            members = ", ".join("%s, %s" % (quote_literal(name), self.json_node(node.keys[name], (root, keys + (name,))))
                                for name in names)
            absent = ", ".join("CASE WHEN %s ? %s THEN NULL ELSE %s END" % (doc, quote_literal(name), quote_literal(name))
                               for name in names)
            # all keys present (the usual document): one ?& test instead of deleting the absent ones
            return ("(CASE WHEN jsonb_typeof({doc}) = 'object' THEN CASE WHEN {doc} ?& {names} "
                    "THEN jsonb_build_object({members}) ELSE jsonb_build_object({members}) "
                    "- array_remove(ARRAY[{absent}]::text[], NULL) END ELSE 'null'::jsonb END)").format(
                        doc=doc, members=members, absent=absent, names=text_array(names))
        if node.items is not None and node.items.rule is not None and node.items.rule.kind == "keep":
            return "(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s ELSE 'null'::jsonb END)" % (doc, doc)
        row = self.alias()
        if node.items is not None:
            self._local += 1  # the items' SQL reads this subquery's row
            try:
                item = self.json_node(node.items, "%s.value" % row)
            finally:
                self._local -= 1
            return (
                "(CASE WHEN jsonb_typeof({doc}) = 'array' THEN (SELECT coalesce(jsonb_agg({item} ORDER BY {r}.n), "
                "'[]'::jsonb) FROM jsonb_array_elements({doc}) WITH ORDINALITY AS {r}(value, n)) "
                "ELSE 'null'::jsonb END)"
            ).format(doc=doc, r=row, item=item)
        return "'null'::jsonb"

    # --- columns -------------------------------------------------------------------------------

    def column_doc(self, name, column):
        """A json/jsonb column as jsonb (json is parsed once per row)."""
        ref = self.ref(name)
        return ref if column.kind == "jsonb" else self.share("(%s)::jsonb" % ref)

    def check(self, name, rule, column):
        accepted = _ACCEPTED_KINDS[rule.kind]
        if accepted is not _ANY_KIND and column.kind not in accepted:
            return "column %s (%s): rule %s does not apply to this type" % (name, column.text, rule.kind)
        fixed = _fixed_output_length(rule)
        if column.kind == "text" and column.length is not None and fixed is not None and fixed > column.length:
            return "column %s (%s): rule %s gives %d characters" % (name, column.text, rule.kind, fixed)
        return None

    def column(self, name, rule, column):
        ref = self.ref(name)
        if rule.kind == "keep":
            return ref
        if rule.kind == "null":
            return "CAST(NULL AS %s)" % column.text
        if rule.kind == "constant":
            value = json.dumps(rule.value) if column.kind in _JSON_KINDS else _constant_text(rule.value)
            return "CAST(%s AS %s)" % (quote_literal(value), column.text)
        if column.kind in _JSON_KINDS:
            masked = "CASE WHEN %s IS NULL THEN NULL ELSE %s END" % (ref, self.json_rule(rule, self.column_doc(name, column)))
            return masked if column.kind == "jsonb" else "CAST(%s AS json)" % masked
        if column.kind == "text":
            return "CAST(%s AS %s)" % (self.text_rule(rule, "(%s)::text" % ref), column.unbounded)
        if rule.kind == "generalize_date":
            if column.kind == "date":
                return "CAST(date_trunc('year', %s) AS date)" % ref
            return "date_trunc('year', %s%s)" % (ref, ", 'UTC'" if column.kind == "timestamptz" else "")
        # noise: numeric arithmetic, back to the column's type
        return "CAST(%s AS %s)" % (self.noise(ref, rule), column.text)

    def expressions(self):
        problems = []
        unclassified = [name for name in self.order if name not in self.policy.fields]
        if unclassified:
            problems.append("no rule for column(s) %s: classify the table first" % ", ".join(unclassified))
        for name in self.order:
            rule = self.policy.fields.get(name)
            problem = rule and self.check(name, rule, self.columns[name])
            if problem:
                problems.append(problem)
        if problems:
            raise MaskingSqlError("cannot mask %s: %s" % (self.policy.name, "; ".join(problems)))
        return [(name, self.column(name, self.policy.fields[name], self.columns[name])) for name in self.order]


def _finish(sql, key_param, escape_percent):
    if escape_percent is None:
        escape_percent = "%" in key_param
    if escape_percent:
        sql = sql.replace("%", "%%")
    return sql.replace(_KEY_SENTINEL, key_param)


def column_expressions(table_policy, columns, key_param=KEY_PLACEHOLDER, table_alias=None,
                       pgcrypto_schema=None, escape_percent=None, names=(), builtin_hmac=False):
    """``[(column, masked SQL expression)]`` in column order; the core of the functions below.

    ``columns``: ``{name: type}`` or ``[(name, type)]`` in table order, types as format_type prints
    them.  Column references are qualified with ``table_alias`` (default: the table name without
    its schema), so use ``FROM schema.table`` unaliased or pass the alias.  Raises MaskingSqlError
    for a column without a rule or a rule that does not fit the column type.  ``names``: the sources
    of scrub's names dictionary, ``[(table, column, keys, is_json)]`` (none: no names pass).
    ``builtin_hmac``: HMAC from the built-in sha256, for a source without pgcrypto (same bytes).
    """
    compiler = _Compiler(table_policy, columns, table_alias, pgcrypto_schema, names, builtin_hmac)
    return [(name, _finish(compiler.inline(sql), key_param, escape_percent)) for name, sql in compiler.expressions()]


def select_list(table_policy, columns, key_param=KEY_PLACEHOLDER, **options):
    """``expr AS "col", ...`` in column order: ``SELECT <list> FROM schema.table``."""
    return ",\n  ".join("%s AS %s" % (sql, quote_ident(name))
                        for name, sql in column_expressions(table_policy, columns, key_param, **options))


def select_statement(table_policy, columns, key_param=KEY_PLACEHOLDER, where=None, table_alias=None,
                     pgcrypto_schema=None, escape_percent=None, names=(), builtin_hmac=False):
    """``SELECT <masked list> FROM (<shared values> FROM "schema"."table" AS alias [WHERE where])``.

    Wrap it in ``COPY (...) TO STDOUT`` to stream it.  Values several rules need (a normalized
    input, its keyed hash, a lowered free text, a scrub needle) are computed once per row in nested
    subqueries (``_Compiler.nested_from``) instead of once per use.  ``where``: a condition on the
    table's own columns or ctid (the rows to mask).  The alias defaults to the table name without
    its schema; the output columns are the table's, in order.  The rows a scrub rule's ``related``
    names are LEFT JOINed on their unique key; the names dictionary (``names``, see
    column_expressions) is a CTE computed once per statement.
    """
    compiler = _Compiler(table_policy, columns, table_alias, pgcrypto_schema, names, builtin_hmac, joined=True)
    expressions = compiler.expressions()
    source = compiler.nested_from(quote_table(table_policy.name), where)
    listing = ",\n  ".join("%s AS %s" % (compiler.resolve(sql), quote_ident(name)) for name, sql in expressions)
    statement = "SELECT %s\nFROM %s" % (listing, source)
    if compiler.names and table_policy.has_scrub:
        statement = "WITH %s AS MATERIALIZED (%s)\n%s" % (NAMES_CTE, names_dictionary_sql(compiler.names), statement)
    return _finish(statement, key_param, escape_percent)


def update_statement(table_policy, columns, key_param=KEY_PLACEHOLDER, **options):
    """``UPDATE "schema"."table" SET col = <expr>, ...`` for every non-keep column; None if none.

    All SET expressions read the row as it was before the update, so scrub still finds the
    original PII values of the other columns.
    """
    rules = table_policy.fields
    assignments = ["%s = %s" % (quote_ident(name), sql)
                   for name, sql in column_expressions(table_policy, columns, key_param, **options)
                   if rules[name].kind != "keep"]
    if not assignments:
        return None
    alias = options.get("table_alias")
    return "UPDATE %s%s SET\n  %s" % (quote_table(table_policy.name), " AS %s" % quote_ident(alias) if alias else "",
                                      ",\n  ".join(assignments))


def set_session_key_sql(local=True):
    """Statement that stores the key (hex, bound as ``%(mask_key_hex)s``) for ``key_param=SESSION_KEY``."""
    return "SELECT set_config('%s', %%(mask_key_hex)s, %s)" % (SESSION_KEY_SETTING, "true" if local else "false")
