# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The leak scan of a masked PostgreSQL copy (what it looks for: leak_scan), set-based in both databases.

1. Target, per table (``scan_target``): every text the copy holds in clear (text columns kept, scrubbed or
   constant; kept / scrubbed / constant JSON paths; every string inside arrays; whole JSON documents and arrays
   the policy keeps or does not know) is grouped into its distinct values with their counts (a temporary table of
   the verifying session).  On those distinct values only: the PII shapes, and the keyed hashes
   (``hashtextextended(text, seed)``, the verifier's per-run seed) of each value and of its words, as written,
   lowercase, uppercase and capitalised, masked output left out.  Kept columns hold few distinct values,
   scrubbed texts few distinct templates: the costly regular expressions run a few thousand times, not once
   per row.
2. Source: the verifier's per-row hashes of the source (masking_pg_verify, in the target session) are matched
   against the target's hashes; the words of names and the values inside arrays, which those do not cover, are
   hashed in a scan of the source of their own (``scan_source``, names made distinct first) and matched there
   against the target's hashes (a bound array of the few distinct ones).  Only matching hashes come back,
   tagged with the source field.

Nothing but hashes and counts leaves either database; the source is only read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.envops.aws.plugins.module_utils.leak_scan import CLEAR_TEXT_RULES
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import Finding
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import IDENTIFYING_RULES
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import MIN_TOKEN
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import WORD_SPLIT
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import is_name
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import ITEMS
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import parse_path
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_ident
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_literal
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_table
from ansible_collections.envops.aws.plugins.module_utils.pii_shapes import LUHN_FUNCTION_SQL
from ansible_collections.envops.aws.plugins.module_utils.pii_shapes import shape_conditions_sql

VALUES_TABLE = "envops_verify_values"
WHITESPACE = " \t\r\n"

COLUMN_KINDS_SQL = """
SELECT a.attname,
       CASE WHEN t.typname IN ('json', 'jsonb') THEN 'json'
            WHEN t.typcategory = 'S' THEN 'text'
            WHEN t.typcategory = 'A' AND (e.typcategory = 'S' OR e.typname IN ('json', 'jsonb')) THEN 'array'
       END
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type e ON e.oid = t.typelem
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

STRINGS = "? (@.type() == \"string\")"
SEED, HASHES = "\x00seed\x00", "\x00hashes\x00"


def _jsonpath(components, strings_below=True):
    """``strict $[*]."b"`` for ('[]', 'b'); with every string at or below it when ``strings_below``."""
    text = "strict $"
    for component in components:
        text += "[*]" if component == ITEMS else '."%s"' % component.replace("\\", "\\\\").replace('"', '\\"')
    return text + (".** " + STRINGS if strings_below else "")


def _strings(document, components=(), strings_below=True):
    """Set-returning SQL: the text of every string at (or below) a path of a jsonb document; errors silenced
    (a path that is not there yields nothing)."""
    return "jsonb_path_query(%s, %s, '{}', true) #>> '{}'" % (
        document, quote_literal(_jsonpath(components, strings_below)))


def _keys(keys):
    return quote_literal("{%s}" % ",".join('"%s"' % key for key in keys))


def _hash(text):
    return "hashtextextended(%s, %s)" % (text, SEED)


def _bind(sql):
    """SQL for psycopg with the ``seed`` and ``hashes`` parameters: any other % (in a name) is doubled."""
    return sql.replace("%", "%%").replace(SEED, "%(seed)s").replace(HASHES, "%(hashes)s")


class Leaf:
    """A clear text of the target: ``grouped`` is the SQL of the row's value (text, or jsonb for ``below``), and
    ``below`` the path whose strings are read in that jsonb (None: the value is the text)."""

    def __init__(self, column, grouped, below=None):
        self.column, self.grouped, self.below = column, grouped, below

    def texts(self, ref):
        """Set-returning SQL of the texts of the grouped value ``ref``."""
        return ref if self.below is None else _strings(ref, self.below)


def target_leaves(table_policy, columns):
    """``[Leaf]``: what the target holds in clear, per column of the table as it is in the target (``columns``:
    ``[(name, 'text' | 'json' | 'array' | None)]``)."""
    leaves = []
    for column, kind in columns:
        if kind is None:
            continue
        rule = table_policy.fields.get(column)
        ref = "t.%s" % quote_ident(column)
        clear = rule is None or rule.kind in CLEAR_TEXT_RULES
        if kind == "text" and clear:
            leaves.append(Leaf(column, "(%s)::text" % ref))
        elif kind == "array" and clear:
            leaves.append(Leaf(column, "to_jsonb(%s)" % ref, ()))
        elif kind == "json" and clear:
            leaves.append(Leaf(column, "(%s)::jsonb" % ref, ()))
        elif kind == "json" and rule.kind == "json":
            document = "(%s)::jsonb" % ref
            for sub_path, sub_rule in rule.paths:
                components = parse_path(sub_path)
                if ITEMS in components:
                    # array elements, whatever their rule: masked output is recognised and left out
                    first = components.index(ITEMS)
                    leaves.append(Leaf(column, "%s #> %s" % (document, _keys(components[:first])), components[first:]))
                elif sub_rule.kind in CLEAR_TEXT_RULES:
                    leaves.append(Leaf(column, "%s #>> %s" % (document, _keys(components))))
    return leaves


def values_sql(name, leaves):
    """CREATE TEMP TABLE of the distinct clear texts ``(leaf, v, n)`` (leaf: index into ``leaves``).

    The rows are grouped by all their clear values at once (one scan, one aggregation: kept columns repeat), and
    only the groups are taken apart into texts: JSON paths are read once per distinct document part."""
    grouped = ", ".join("%s AS c%d" % (leaf.grouped, index) for index, leaf in enumerate(leaves))
    texts = " UNION ALL ".join("SELECT %d, %s" % (index, leaf.texts("g.c%d" % index))
                               for index, leaf in enumerate(leaves))
    return ("CREATE TEMP TABLE %s ON COMMIT PRESERVE ROWS AS SELECT x.leaf, x.v, sum(g.n)::bigint AS n "
            "FROM (SELECT %s, count(*) AS n FROM %s t GROUP BY %s) g CROSS JOIN LATERAL (%s) x(leaf, v) "
            "WHERE x.v IS NOT NULL GROUP BY 1, 2" % (
                VALUES_TABLE, grouped, quote_table(name), ", ".join(str(i + 1) for i in range(len(leaves))), texts))


def tokens_sql(masked):
    """``(leaf, hash, values holding it)``: each distinct text, and each of its words, as written, lowercase,
    uppercase and capitalised (the source's hashes are of its values as written); masked output left out."""
    words = "regexp_split_to_table(d.v, %s)" % quote_literal(WORD_SPLIT)
    variants = ('SELECT w.w UNION SELECT lower(w.w COLLATE "C") UNION SELECT upper(w.w COLLATE "C") '
                'UNION SELECT initcap(w.w COLLATE "C")')
    return _bind("SELECT d.leaf, %s AS h, sum(d.n)::bigint FROM %s d CROSS JOIN LATERAL (SELECT btrim(d.v, %s) "
                 "UNION SELECT %s) w(w) CROSS JOIN LATERAL (%s) v(w) WHERE length(v.w) >= %d AND "
                 "lower(v.w COLLATE \"C\") !~ %s GROUP BY 1, 2" % (
                     _hash("v.w"), VALUES_TABLE, quote_literal(WHITESPACE), words, variants, MIN_TOKEN,
                     quote_literal(masked)))


def shapes_sql(national_ids):
    """``(names, SQL)``: per leaf, the number of values holding each shape."""
    conditions = shape_conditions_sql("d.v", national_ids)
    return [name for name, _sql in conditions], "SELECT d.leaf, %s FROM %s d GROUP BY d.leaf" % (
        ", ".join("coalesce(sum(d.n) FILTER (WHERE %s), 0)::bigint" % sql for _name, sql in conditions), VALUES_TABLE)


def scan_target(connection, name, table_policy, seed, masked, national_ids):
    """Step 1 of the module doc for one table: ``{"columns": [...], "tokens": [(column, hash, count)],
    "shapes": [(column, shape, count)]}``."""
    with connection.cursor() as cursor:
        columns = cursor.execute(COLUMN_KINDS_SQL, (name,)).fetchall()
    leaves = target_leaves(table_policy, columns)
    scan = {"columns": sorted(set(leaf.column for leaf in leaves)), "tokens": [], "shapes": []}
    if not leaves:
        return scan
    connection.execute("DROP TABLE IF EXISTS %s" % VALUES_TABLE)
    connection.execute(values_sql(name, leaves))
    with connection.cursor() as cursor:
        scan["tokens"] = [(leaves[leaf].column, h, n) for leaf, h, n in
                          cursor.execute(tokens_sql(masked), {"seed": seed}).fetchall()]
        cursor.execute(LUHN_FUNCTION_SQL)
        names, sql = shapes_sql(national_ids)
        for row in cursor.execute(sql).fetchall():
            scan["shapes"].extend((leaves[row[0]].column, shape, count) for shape, count in zip(names, row[1:])
                                  if count)
    connection.execute("DROP TABLE %s" % VALUES_TABLE)
    return scan


def source_fields(table_policy):
    """``[(path, SQL text, set_returning, is_name)]`` of the identifying fields of a table (alias ``s``).

    The text is the one the verifier's per-row hashes are of (``(column)::text``, ``(column)::jsonb #>> path``)."""
    fields = []
    for path, rule in table_policy.rules_by_path().items():
        if rule.kind not in IDENTIFYING_RULES:
            continue
        components = parse_path(path)
        column = "(s.%s)" % quote_ident(components[0])
        if len(components) == 1:
            fields.append((path, "%s::text" % column, False, is_name(rule)))
        elif ITEMS in components:
            fields.append((path, _strings("%s::jsonb" % column, components[1:], strings_below=False), True,
                           is_name(rule)))
        else:
            fields.append((path, "%s::jsonb #>> %s" % (column, _keys(components[1:])), False, is_name(rule)))
    return fields


def source_sql(name, fields):
    """``(field index, hash)`` of the values of source fields (and of the words of names) that are among
    ``%(hashes)s``.  Names have few distinct values, fewer still together: the table's name fields are made
    distinct in one aggregation before their words are split; a field inside arrays is read on its own."""
    table = quote_table(name)
    words = "SELECT r.x UNION SELECT regexp_split_to_table(r.x, %s)" % quote_literal(WORD_SPLIT)
    grouped = [(index, sql) for index, (_path, sql, many, _name) in enumerate(fields) if not many]
    parts = []
    if grouped:
        parts.append("SELECT r.f, v.w FROM (SELECT DISTINCT %s FROM %s s) d CROSS JOIN LATERAL (VALUES %s) r(f, x) "
                     "CROSS JOIN LATERAL (%s) v(w)" % (
                         ", ".join("%s AS c%d" % (sql, index) for index, sql in grouped), table,
                         ", ".join("(%d, d.c%d)" % (index, index) for index, _sql in grouped), words))
    for index, (_path, sql, many, name_words) in enumerate(fields):
        if many:
            parts.append("SELECT %d, v.w FROM (SELECT DISTINCT %s AS x FROM %s s) r CROSS JOIN LATERAL (%s) v(w)" % (
                index, sql, table, words if name_words else "SELECT r.x"))
    return _bind("SELECT DISTINCT x.f, %s FROM (%s) x(f, w) WHERE %s IN (SELECT unnest(%s::bigint[]))" % (
        _hash("x.w"), " UNION ALL ".join(parts), _hash("x.w"), HASHES))


def scan_source(connection, name, fields, seed, hashes):
    """Step 2 of the module doc for fields of one table: ``{(source field, hash)}`` of the target's hashes found
    there."""
    if not hashes or not fields:
        return set()
    with connection.cursor() as cursor:
        rows = cursor.execute(source_sql(name, fields), {"seed": seed, "hashes": sorted(hashes)}).fetchall()
    return set(("%s.%s" % (name, fields[index][0]), h) for index, h in rows)


def findings(target_scans, source_matches):
    """Findings of the scans (``{table: scan_target result}``) given the source's matches ``{(field, hash)}``."""
    by_hash = {}
    for field, h in source_matches:
        by_hash.setdefault(h, set()).add(field)
    found = []
    for table, scan in sorted(target_scans.items()):
        counts = {}
        for column, h, n in scan["tokens"]:
            for field in by_hash.get(h, ()):
                counts[(column, field)] = counts.get((column, field), 0) + n
        found.extend(Finding(table, column, count, "source", field)
                     for (column, field), count in sorted(counts.items()))
        shapes = {}
        for column, shape, count in scan["shapes"]:
            shapes[(column, shape)] = shapes.get((column, shape), 0) + count
        found.extend(Finding(table, column, count, shape) for (column, shape), count in sorted(shapes.items()))
    return found
