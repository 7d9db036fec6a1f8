# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Masked copy of a PostgreSQL database into a fresh one: personal data never lands on the target.

    figures = masked_copy(source_conninfo, target_conninfo, policy, key, progress=None, jobs=1)

``target_conninfo`` names an existing, empty database.  Steps:

1. classify (nothing is written anywhere, ever, in the source): in one REPEATABLE READ, READ ONLY transaction on
   the source, read every user table and its columns and take ACCESS SHARE locks on them (no ALTER TABLE until
   the end).  ``check_catalog`` then compares the policy with the catalog alone: a live column without a rule
   (a table missing from the policy), a policy table or column the source does not have, a rule that does not
   fit its column type, a related row whose table, columns or unique key do not exist: all of them raise one
   ``MaskingCopyError`` that lists every one, naming table, column and rule.  Then the paths of every
   json/jsonb column the policy masks per path are found (``declared_json_paths``: one read of each document
   when all keep to the policy; else the walk ``json_paths``, one scan per nesting level, which names what is
   undeclared) and ``classify``d: an unclassified JSON path is refused the same way; a policy path found in
   no document is returned in ``warnings``.  The transaction exports its snapshot: the schema dump and every
   table are read in that same snapshot.
2. pre-data: ``pg_dump --section=pre-data --snapshot=... source | psql target`` (tables without indexes).
3. data: per table, ``COPY (SELECT <masked expressions> FROM t) TO STDOUT`` on the source streamed into
   ``COPY t FROM STDIN`` on the target, binary when every output type is a built-in type equal to the
   column's, else text; ``jobs`` tables at a time.  The masking runs in the source database, set-based, read-only:
   the keyed hashes use pgcrypto's ``hmac`` when the source has pgcrypto, else the same HMAC from the built-in
   ``sha256`` (nothing is installed there); the rows a scrubbed text refers to (``related``) are joined on
   their unique key, and the names dictionary (every word of the columns classified as names) is a CTE of the
   statement.
   Generated columns are not copied: the target computes them from the masked values.  Sequences follow.
4. post-data: primary keys, unique constraints, indexes, foreign keys (built on masked data).

The key: bytes (at least 16).  It is set per source session with ``set_session_key_sql(local=True)`` and a
bound parameter, inside the transaction that runs the COPY, and is gone at its end.  It never appears in
SQL text, in the returned figures or in an error message.  (Bound parameters are logged by the server only
when the source logs statements with their parameters: ``log_statement``, ``log_min_duration_statement``.)

``progress(table, rows_done, rows_total, rows_per_s, eta_s)`` is called for each table when it starts, at
least every ``progress_interval`` seconds while rows flow, and when it ends; ``rows_total`` is the planner's
estimate (pg_class.reltuples, None when the table was never analyzed) and ``eta_s`` None when unknown.
With ``jobs`` > 1 it is called from worker threads, one call at a time.

On a failure after classification the target is left half-built: drop and recreate it before retrying.
Requires psycopg (3) where this runs, pg_dump / psql (``pg_bin``, else PATH, else
/usr/lib/postgresql/15/bin).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import ITEMS
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import MaskingPolicy
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import classify
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import parse_path
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import policy_hash
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import name_sources
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import ColumnType
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import JIT_OFF_SQL
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import SESSION_KEY
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import MaskingSqlError
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import column_expressions
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_ident
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_literal
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_table
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import select_statement
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import set_session_key_sql
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import text_array

HAS_PSYCOPG = pg_copy_stream.HAS_PSYCOPG
if HAS_PSYCOPG:
    import psycopg
    from psycopg import IsolationLevel

DEFAULT_CHUNK_BYTES = pg_copy_stream.DEFAULT_CHUNK_BYTES
# Tables from this size on are copied in ``jobs`` block ranges at once (TID range scans, PostgreSQL 14+): the
# masking is CPU work of the source backend, so one big table would otherwise keep one core busy and the others idle.
SPLIT_MIN_BYTES = 16 * 1024 * 1024
MIN_KEY_BYTES = 16
MAX_JSON_DEPTH = 64
FIRST_NORMAL_OID = pg_copy_stream.FIRST_NORMAL_OID
_PATH_SPECIAL = frozenset(".[]")

# Every column of the user's ordinary tables (see pg_copy_stream.TABLES_SQL for which tables), largest first.
LIVE_COLUMNS_SQL = """
SELECT n.nspname, c.relname, c.reltuples::bigint, pg_relation_size(c.oid),
       a.attname, format_type(a.atttypid, a.atttypmod), a.atttypid::bigint, a.attgenerated <> ''
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind = 'r' AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                             AND d.deptype = 'e')
ORDER BY pg_relation_size(c.oid) DESC, n.nspname, c.relname, a.attnum
"""

# Single-column unique keys (primary keys, unique indexes without predicate or expression): what a related row is
# joined on, so the join never adds a row.
UNIQUE_KEYS_SQL = """
SELECT n.nspname || '.' || c.relname, a.attname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
WHERE i.indisunique AND i.indisvalid AND i.indnkeyatts = 1 AND i.indpred IS NULL AND i.indexprs IS NULL
"""

PGCRYPTO_SQL = ("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'pgcrypto'")


class MaskingCopyError(pg_copy_stream.PgCopyError):
    """The masked copy cannot run or failed.  ``unclassified``: the live fields without a rule (``table.field``),
    ``problems``: every reason it was refused before the target was touched."""

    def __init__(self, message, unclassified=(), problems=()):
        super(MaskingCopyError, self).__init__(message)
        self.unclassified = list(unclassified)
        self.problems = list(problems)


class LiveTable:
    """A source table as read from the catalog: ``columns`` [(name, type text, type oid)] to copy."""

    def __init__(self, schema, name, reltuples, size):
        self.schema = schema
        self.name = name
        self.qualified = "%s.%s" % (schema, name)
        self.reltuples = reltuples if reltuples is not None and reltuples >= 0 else None
        self.size = size
        self.columns = []
        self.generated = []
        self.statement = None  # where=None -> the masked SELECT of the table (its rows matching ``where``)
        self.binary = False


def _field_text(column, components):
    """``profile.address.city`` / ``tags[]``; a key that cannot be a path component is JSON-quoted, which
    makes it unparseable: classify reports it unclassified (fail closed)."""
    text = column
    for component in components:
        if component is None:
            text += ITEMS
        elif not component or _PATH_SPECIAL.intersection(component):
            text += '.["%s"]' % component.replace("\\", "\\\\").replace('"', '\\"')
        else:
            text += "." + component
    return text


def _json_level_branch(index, column_sql, components):
    """One LATERAL branch: (index, child key or NULL for array elements, jsonb_typeof(child)) of the values
    found at ``components`` inside the column."""
    from_items = []
    current = column_sql
    for number, component in enumerate(components):
        if component is None:
            from_items.append("jsonb_array_elements(CASE WHEN jsonb_typeof(%s) = 'array' THEN %s END) AS _e%d(v)"
                              % (current, current, number))
            current = "_e%d.v" % number
        else:
            current = "(%s -> %s)" % (current, quote_literal(component))
    from_items.append(
        "LATERAL (SELECT o.key, jsonb_typeof(o.value) FROM jsonb_each(CASE WHEN jsonb_typeof(%s) = 'object' "
        "THEN %s END) AS o UNION ALL SELECT NULL, jsonb_typeof(a.value) FROM jsonb_array_elements("
        "CASE WHEN jsonb_typeof(%s) = 'array' THEN %s END) AS a) AS _c(k, t)" % ((current,) * 4))
    return "SELECT %d, _c.k, _c.t FROM %s" % (index, ", ".join(from_items))


def json_paths(connection, table, json_columns):
    """Every path present in the json/jsonb ``json_columns`` ({column: is_jsonb}) of ``table`` (schema.table):
    ``{column: set of component tuples}`` (None stands for ``[]``), containers included.  One set-based scan
    of the table per nesting level, keeping only the distinct (path, key, type) of each level."""
    found = dict((column, set()) for column in json_columns)
    frontier = [(column, ()) for column in sorted(json_columns)]
    depth = 0
    while frontier:
        depth += 1
        if depth > MAX_JSON_DEPTH:
            raise MaskingCopyError("%s: JSON nested deeper than %d levels" % (table, MAX_JSON_DEPTH))
        branches = []
        for index, (column, components) in enumerate(frontier):
            column_sql = "_t.%s%s" % (quote_ident(column), "" if json_columns[column] else "::jsonb")
            branches.append(_json_level_branch(index, column_sql, components))
        query = "SELECT DISTINCT _x.i, _x.k, _x.t FROM %s AS _t CROSS JOIN LATERAL (%s) AS _x(i, k, t)" % (
            quote_table(table), " UNION ALL ".join(branches))
        deeper = set()
        for index, key, kind in connection.execute(query).fetchall():
            column, components = frontier[index]
            child = components + (key,)
            found[column].add(child)
            if kind in ("object", "array"):
                deeper.add((column, child))
        frontier = sorted(deeper, key=lambda entry: (entry[0], [("" if c is None else c) for c in entry[1]]))
    return found


def declared_json_paths(connection, table, json_columns, table_policy):
    """``json_paths`` for a table whose documents hold only the paths the policy declares, or None.

    The walk reads every level of every document.  This reads each document once: one query finds the
    first row with a key or array element the policy does not declare below a container (the column,
    or a strict prefix of a rule path), and stops there; none means no field of the table is
    unclassified.  Then the found paths are the policy's rule paths present in at least one row (one
    EXISTS each, which stops at its first row), which is all ``classify`` needs for the stale ones.
    None (use ``json_paths``, which lists what is unclassified) when a row breaks the policy, or when
    a declared path has array elements above its end or a key that ``#>`` could read as an array index.
    """
    rules = [parse_path(path) for path in table_policy.rules_by_path()]
    checks, present = [], {}
    for column, is_jsonb in sorted(json_columns.items()):
        doc = "_t.%s%s" % (quote_ident(column), "" if is_jsonb else "::jsonb")
        paths = [rule[1:] for rule in rules if rule[0] == column and len(rule) > 1]
        containers = sorted(set(path[:depth] for path in paths for depth in range(len(path))))
        for path in paths:
            if ITEMS in path[:-1] or any(component.lstrip("-").isdigit() for component in path):
                return None

        def value(components, doc=doc):
            return "(%s #> %s)" % (doc, text_array(components)) if components else doc

        for container in containers:
            children = set(path[len(container)] for path in paths if path[:len(container)] == container)
            keys = sorted(child for child in children if child != ITEMS)
            node = value(container)
            object_clean = ("(%s - %s) = '{}'::jsonb" % (node, text_array(keys)) if keys
                            else "%s = '{}'::jsonb" % node)
            array_clean = "true" if ITEMS in children else "jsonb_array_length(%s) = 0" % node
            checks.append("CASE jsonb_typeof(%s) WHEN 'object' THEN %s WHEN 'array' THEN %s ELSE true END"
                          % (node, object_clean, array_clean))
        for path in paths:
            parent = value(path[:-1])
            if path[-1] == ITEMS:
                condition = "jsonb_typeof(%s) = 'array' AND jsonb_array_length(%s) > 0" % (parent, parent)
            else:
                condition = "jsonb_typeof(%s) = 'object' AND %s ? %s" % (parent, parent, quote_literal(path[-1]))
            present[(column,) + path] = condition
    if not checks:
        return None
    source = quote_table(table)
    if connection.execute("SELECT 1 FROM %s AS _t WHERE (%s) IS NOT TRUE LIMIT 1" % (
            source, " AND ".join(checks))).fetchone() is not None:
        return None
    found = dict((column, set()) for column in json_columns)
    for components, condition in present.items():
        if connection.execute("SELECT EXISTS (SELECT 1 FROM %s AS _t WHERE %s)" % (source, condition)).fetchone()[0]:
            found[components[0]].add(tuple(None if component == ITEMS else component for component in components[1:]))
    return found


def _read_live_tables(connection):
    tables = {}
    for schema, name, reltuples, size, column, type_text, type_oid, generated in \
            connection.execute(LIVE_COLUMNS_SQL).fetchall():
        table = tables.get("%s.%s" % (schema, name))
        if table is None:
            table = tables["%s.%s" % (schema, name)] = LiveTable(schema, name, reltuples, size)
        if generated:
            table.generated.append(column)
        else:
            table.columns.append((column, type_text, type_oid))
    return tables


def _unique_keys(connection):
    """{table: set of columns that are a single-column unique key}."""
    keys = {}
    for table, column in connection.execute(UNIQUE_KEYS_SQL).fetchall():
        keys.setdefault(table, set()).add(column)
    return keys


def _rule_names(table_policy, field):
    """``rule email`` / ``rules email, scrub`` of a top-level field, for a message."""
    rule = table_policy.fields[field]
    kinds = sorted(set(sub.kind for _path, sub in rule.paths)) if rule.kind == "json" else [rule.kind]
    return "rule%s %s" % ("s" if len(kinds) > 1 else "", ", ".join(kinds))


def check_catalog(tables, unique_keys, policy):
    """The policy against the source's catalog, nothing read but the catalog.

    Returns ``(unclassified, problems)``: the live columns without a rule (``table.column``, ``table.*`` for a
    table missing from the policy), and every policy entry the catalog contradicts, each naming the table or
    column and its rule: a table or column the source does not have, a rule that does not fit the column type,
    a related row whose table, columns or unique key the source does not have.
    """
    unclassified, problems = [], []
    for qualified in sorted(set(tables) | set(policy.postgresql)):
        table = tables.get(qualified)
        table_policy = policy.postgresql.get(qualified)
        if table_policy is None:
            unclassified.extend("%s.%s" % (qualified, column) for column, _type, _oid in table.columns)
            continue
        if table is None:
            count = len(table_policy.fields)
            problems.append("%s (%d rule%s): no such table in the source" % (qualified, count, "s" if count > 1 else ""))
            continue
        types = dict((column, type_text) for column, type_text, _oid in table.columns)
        live = set(types) | set(table.generated)
        unclassified.extend("%s.%s" % (qualified, column) for column, _type, _oid in table.columns
                            if column not in table_policy.fields)
        for field in table_policy.fields:
            if field not in live:
                problems.append("%s.%s (%s): no such column in the source" % (
                    qualified, field, _rule_names(table_policy, field)))
        try:
            select_statement(table_policy, [(column, type_text) for column, type_text in types.items()
                                            if column in table_policy.fields])
        except MaskingSqlError as error:
            problems.append(str(error))
        for path, rule in table_policy.rules_by_path().items():
            for related in rule.related:
                problems.extend("%s.%s (rule scrub, related %s): %s" % (qualified, path, related.table, problem)
                                for problem in _related_problems(related, table, tables, unique_keys))
    return sorted(set(unclassified)), problems


def _related_problems(related, table, tables, unique_keys):
    columns = set(column for column, _type, _oid in table.columns)
    found = []
    if related.via not in columns:
        found.append("no column %s in %s" % (related.via, table.qualified))
    other = tables.get(related.table)
    if other is None:
        return found + ["no such table in the source"]
    types = dict((column, type_text) for column, type_text, _oid in other.columns)
    if related.key not in types:
        found.append("no column %s (key) in %s" % (related.key, related.table))
    elif related.key not in unique_keys.get(related.table, ()):
        found.append("%s.%s is not a unique key (a primary key or unique index on that column alone)"
                     % (related.table, related.key))
    for field in related.fields:
        if field not in types:
            found.append("no column %s in %s" % (field, related.table))
        elif ColumnType(types[field]).kind != "text":
            found.append("%s.%s is %s, not text" % (related.table, field, types[field]))
    return found


def name_columns(tables, policy):
    """The names dictionary's sources for masking_sql: ``[(table, column, keys, is_json)]`` present in the source."""
    found = []
    for qualified, column, keys in name_sources(policy.postgresql):
        types = dict((name, type_text) for name, type_text, _oid in tables[qualified].columns) \
            if qualified in tables else {}
        if column in types:
            found.append((qualified, column, keys, types[column] in ("json", "jsonb")))
    return found


def _snapshot_connection(conninfo, snapshot):
    """A read-only source connection inside the exported ``snapshot`` (its transaction is open)."""
    connection = psycopg.connect(conninfo, autocommit=False)
    connection.isolation_level = IsolationLevel.REPEATABLE_READ
    connection.read_only = True
    connection.execute("SET TRANSACTION SNAPSHOT %s" % quote_literal(snapshot))
    return connection


def _live_fields(source_conninfo, snapshot, tables, policy, jobs):
    """table -> live field paths: its columns, and the paths inside the json columns the policy masks per path
    (walked in the snapshot, ``jobs`` tables at a time)."""
    live = {}
    walks = []
    for qualified, table in tables.items():
        live[qualified] = [column for column, _type, _oid in table.columns]
        table_policy = policy.postgresql.get(qualified)
        json_columns = {}
        if table_policy is not None:
            for column, type_text, _oid in table.columns:
                rule = table_policy.fields.get(column)
                if rule is not None and rule.kind == "json" and type_text in ("json", "jsonb"):
                    json_columns[column] = type_text == "jsonb"
        if json_columns:
            walks.append((qualified, json_columns))

    def walk(entry):
        qualified, json_columns = entry
        with _snapshot_connection(source_conninfo, snapshot) as connection:
            found = declared_json_paths(connection, qualified, json_columns, policy.postgresql[qualified])
            return qualified, json_paths(connection, qualified, json_columns) if found is None else found

    if jobs > 1 and len(walks) > 1:
        with ThreadPoolExecutor(max_workers=min(jobs, len(walks))) as pool:
            walked = list(pool.map(walk, walks))
    else:
        walked = [walk(entry) for entry in walks]
    for qualified, found in walked:
        for column, paths in sorted(found.items()):
            live[qualified].extend(_field_text(column, components) for components in sorted(
                paths, key=lambda path: [("" if c is None else c) for c in path]))
    return live


def _compile(connection, tables, policy, pgcrypto_schema, builtin_hmac=False):
    """Masked SELECT per table (key from the session setting) and whether binary COPY fits; problems listed."""
    problems = []
    names = name_columns(tables, policy)
    for qualified, table in tables.items():
        table_policy = policy.postgresql[qualified]
        columns = [(column, type_text) for column, type_text, _oid in table.columns]
        options = dict(pgcrypto_schema=pgcrypto_schema, names=names, builtin_hmac=builtin_hmac)
        try:
            table.statement = functools.partial(select_statement, table_policy, columns, key_param=SESSION_KEY,
                                                **options)
            table.statement()  # compiles, or raises MaskingSqlError
            probe = column_expressions(table_policy, columns, key_param="NULL::bytea", **options)
        except MaskingSqlError as error:
            problems.append(str(error))
            continue
        # Output types as PostgreSQL describes them; binary COPY only when each is the column's own built-in type.
        select_list = ", ".join("%s AS %s" % (expression, quote_ident(name)) for name, expression in probe)
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s FROM %s LIMIT 0" % (select_list, quote_table(qualified)))
            described = [column.type_code for column in cursor.description]
        table.binary = all(out_oid == type_oid and type_oid < FIRST_NORMAL_OID
                           for out_oid, (_name, _text, type_oid) in zip(described, table.columns))
    return problems


def block_ranges(size_bytes, block_size, jobs, min_bytes=SPLIT_MIN_BYTES):
    """``[(first block, end block)]`` covering a table of ``size_bytes``: one open range ``(None, None)`` for a
    small table or one job, else ``jobs`` ranges of about the same number of blocks, the first open below and the
    last open above (so no row of the snapshot is left out)."""
    blocks = size_bytes // block_size if block_size else 0
    if jobs < 2 or size_bytes < min_bytes or blocks < jobs:
        return [(None, None)]
    bounds = [blocks * index // jobs for index in range(jobs + 1)]
    return [(bounds[index] if index else None, bounds[index + 1] if index < jobs - 1 else None)
            for index in range(jobs)]


def range_condition(block_range):
    """The WHERE condition of a block range (TID range scan), or '' for the whole table."""
    first, end = block_range
    conditions = []
    if first is not None:
        conditions.append("ctid >= '(%d,0)'::tid" % first)
    if end is not None:
        conditions.append("ctid < '(%d,0)'::tid" % end)
    return " AND ".join(conditions)


def _load_policy(policy):
    if isinstance(policy, MaskingPolicy):
        return policy
    if isinstance(policy, dict):
        return load_policy(policy)
    raise MaskingCopyError("policy must be a MaskingPolicy or the envops_masking_policy mapping")


def _table_figures(parts, started):
    """One table's figures from those of its parts: counts added, seconds from the first start to the last end."""
    figures = {"rows": sum(part["rows"] for part in parts), "bytes": sum(part["bytes"] for part in parts),
               "seconds": round(max(part["finished"] for part in parts) - started, 3), "format": parts[0]["format"],
               "parts": len(parts)}
    for name, value in parts[0].items():
        if name not in figures and name != "finished" and isinstance(value, (int, float)):
            combine = max if name.startswith("max_") else sum
            figures[name] = combine(part[name] for part in parts)
    figures["rows_per_s"] = _rate(figures["rows"], figures["seconds"])
    return figures


def _rate(rows, seconds):
    return round(rows / seconds, 1) if seconds > 0 else None


def _json_stale(classification):
    """Stale JSON paths (a top-level column or table the source lacks is a problem of check_catalog instead)."""
    return [str(field) for field in classification.stale if _PATH_SPECIAL.intersection(field.field)]


def _refusal(unclassified, problems):
    lines = ["unclassified (give each a rule in envops_masking_policy.postgresql): %s" % field
             for field in unclassified] + problems
    return MaskingCopyError("masked copy refused, nothing was copied: %d problem(s) of the policy against the "
                            "source:\n  - %s" % (len(lines), "\n  - ".join(lines)),
                            unclassified=unclassified, problems=lines)


def classify_source(source_conninfo, policy, jobs=1, catalog_only=False):
    """Read only: the source against the policy, as a masked copy would check it (no lock taken, nothing written,
    in a READ ONLY transaction).  ``catalog_only``: the catalog alone (tables, columns, types, unique keys), no
    row is read; else the paths inside the JSON columns too, which reads every document.

    Returns ``{"unclassified": [field, ...], "problems": [...], "stale": [json path, ...]}``: the fields without
    a rule, what check_catalog finds wrong with the policy, the JSON paths of the policy found in no document.
    """
    pg_copy_stream.require_psycopg()
    policy = _load_policy(policy)
    coordinator = psycopg.connect(source_conninfo, autocommit=False)
    try:
        coordinator.isolation_level = IsolationLevel.REPEATABLE_READ
        coordinator.read_only = True
        tables = _read_live_tables(coordinator)
        unclassified, problems = check_catalog(tables, _unique_keys(coordinator), policy)
        stale = []
        if not catalog_only:
            snapshot = coordinator.execute("SELECT pg_export_snapshot()").fetchone()[0]
            classification = classify(policy.postgresql, _live_fields(source_conninfo, snapshot, tables, policy,
                                                                      max(1, int(jobs))))
            unclassified = sorted(set(unclassified) | set(str(field) for field in classification.unclassified))
            stale = _json_stale(classification)
    finally:
        coordinator.close()
    return {"unclassified": unclassified, "problems": problems, "stale": stale}


def masked_copy(source_conninfo, target_conninfo, policy, key, progress=None, jobs=1,
                chunk_bytes=DEFAULT_CHUNK_BYTES, pg_bin=None, no_owner=True, maintenance_work_mem="256MB",
                pgcrypto_schema=None, progress_interval=2.0, split_min_bytes=SPLIT_MIN_BYTES):
    """Copy the source database into the existing, empty target database, every column masked (module doc).

    ``policy``: a MaskingPolicy or the mapping of ``envops_masking_policy`` (its ``postgresql`` section is
    used).  ``key``: bytes.  ``jobs``: tables, or block ranges of tables of ``split_min_bytes`` and more,
    copied at once.  Returns ``{"seconds", "rows", "bytes",
    "rows_per_s", "tables": {"schema.table": {"rows", "bytes", "seconds", "rows_per_s", "format", "chunks",
    "max_chunk_bytes", "parts"}}, "sequences", "phases": {"classify", "pre_data", "data", "post_data"}, "warnings",
    "policy_hash"}``; ``bytes`` counts the COPY stream.  Raises MaskingCopyError.
    """
    pg_copy_stream.require_psycopg()
    if not isinstance(key, (bytes, bytearray)) or len(key) < MIN_KEY_BYTES:
        raise MaskingCopyError("the masking key must be bytes, at least %d of them" % MIN_KEY_BYTES)
    key_hex = bytes(key).hex()
    policy = _load_policy(policy)
    jobs = max(1, int(jobs))
    phases = {}
    started = clock = time.monotonic()

    def lap(name):
        now = time.monotonic()
        phases[name] = round(now - clock, 3)
        return now

    # Binaries first: a missing pg_dump should not be found out after the target was half-built.
    pg_copy_stream.find_pg_binary("pg_dump", pg_bin)
    pg_copy_stream.find_pg_binary("psql", pg_bin)

    coordinator = psycopg.connect(source_conninfo, autocommit=False)
    try:
        coordinator.isolation_level = IsolationLevel.REPEATABLE_READ
        coordinator.read_only = True
        tables = _read_live_tables(coordinator)
        for qualified in tables:
            coordinator.execute("LOCK TABLE %s IN ACCESS SHARE MODE" % quote_table(qualified))
        tables = _read_live_tables(coordinator)  # as locked: nobody can alter them any more
        unclassified, problems = check_catalog(tables, _unique_keys(coordinator), policy)
        snapshot = coordinator.execute("SELECT pg_export_snapshot()").fetchone()[0]
        live = _live_fields(source_conninfo, snapshot, tables, policy, jobs)
        classification = classify(policy.postgresql, live)
        unclassified = sorted(set(unclassified) | set(str(field) for field in classification.unclassified))
        if unclassified or problems:
            raise _refusal(unclassified, problems)
        warnings = ["stale masking rule (no such field in the source): %s" % (field,)
                    for field in _json_stale(classification)]
        # Nothing is ever installed in the source: without pgcrypto the keyed hashes are HMACs of the built-in
        # sha256 (the same bytes, a little slower).
        row = coordinator.execute(PGCRYPTO_SQL).fetchone()
        builtin_hmac = row is None
        if row is not None and pgcrypto_schema is None:
            pgcrypto_schema = row[0]
        coordinator.execute(JIT_OFF_SQL)
        problems += _compile(coordinator, tables, policy, pgcrypto_schema, builtin_hmac)
        with psycopg.connect(target_conninfo, autocommit=True) as target:
            existing = target.execute(pg_copy_stream.TABLES_SQL).fetchall()
            if existing:
                problems.append("the target database is not empty (%d table(s), e.g. %s.%s)"
                                % (len(existing), existing[0][0], existing[0][1]))
        if problems:
            raise MaskingCopyError("masked copy refused, nothing was copied: %s" % "; ".join(problems),
                                   problems=problems)
        clock = lap("classify")

        pg_copy_stream.pipe_section(source_conninfo, target_conninfo, "pre-data", no_owner=no_owner,
                                    pg_bin=pg_bin, snapshot=snapshot)
        clock = lap("pre_data")

        progress_lock = threading.Lock()

        def report(table, rows_done, rows_per_s, eta):
            if progress is not None:
                with progress_lock:
                    progress(table.qualified, rows_done, table.reltuples, rows_per_s, eta)

        block_size = int(coordinator.execute("SELECT current_setting('block_size')").fetchone()[0])
        parts = [(table, block_range) for table in tables.values()  # largest first
                 for block_range in block_ranges(table.size or 0, block_size, jobs, split_min_bytes)]
        started_at, done_rows = {}, {}

        def copy_one(part):
            table, block_range = part
            names = ", ".join(quote_ident(column) for column, _type, _oid in table.columns)
            copy_format = "binary" if table.binary else "text"
            statement = table.statement(where=range_condition(block_range) or None)
            copy_out = "COPY (%s) TO STDOUT (FORMAT %s)" % (statement, copy_format)
            copy_in = "COPY %s (%s) FROM STDIN (FORMAT %s)" % (quote_table(table.qualified), names, copy_format)
            part_started = time.monotonic()
            with progress_lock:
                table_started = started_at.setdefault(table.qualified, part_started)
            state = {"last": part_started, "rows": 0}
            report(table, done_rows.get(table.qualified, 0), None, None)

            def on_chunk(messages, _bytes):
                now = time.monotonic()
                if now - state["last"] < progress_interval:
                    return
                state["last"] = now
                rows_part = max(0, messages - 1) if table.binary else messages
                with progress_lock:
                    done_rows[table.qualified] = done_rows.get(table.qualified, 0) + rows_part - state["rows"]
                    rows_done = done_rows[table.qualified]
                state["rows"] = rows_part
                rate = _rate(rows_done, now - table_started)
                eta = None
                if rate and table.reltuples is not None:
                    eta = round(max(0, table.reltuples - rows_done) / rate, 1)
                report(table, rows_done, rate, eta)

            with _snapshot_connection(source_conninfo, snapshot) as source, \
                    psycopg.connect(target_conninfo, autocommit=False) as target:
                source.execute(JIT_OFF_SQL)
                source.execute(set_session_key_sql(local=True), {"mask_key_hex": key_hex})
                figures = pg_copy_stream.stream_copy(source, target, copy_out, copy_in, chunk_bytes,
                                                     on_chunk=on_chunk if progress is not None else None)
                source.rollback()  # ends the transaction: the key setting (local) is gone
                target.commit()
            figures["format"] = copy_format
            figures["finished"] = time.monotonic()
            with progress_lock:
                done_rows[table.qualified] = done_rows.get(table.qualified, 0) + figures["rows"] - state["rows"]
            return table.qualified, figures

        if jobs > 1 and len(parts) > 1:
            with ThreadPoolExecutor(max_workers=min(jobs, len(parts))) as pool:
                part_figures = list(pool.map(copy_one, parts))
        else:
            part_figures = [copy_one(part) for part in parts]
        copied = {}
        for qualified, figures in part_figures:
            copied.setdefault(qualified, []).append(figures)
        for qualified, figure_list in copied.items():
            copied[qualified] = _table_figures(figure_list, started_at[qualified])
            report(tables[qualified], copied[qualified]["rows"], copied[qualified]["rows_per_s"], 0)
        with psycopg.connect(target_conninfo, autocommit=True) as target:
            sequences = pg_copy_stream.copy_sequences(coordinator, target)
        clock = lap("data")

        pg_copy_stream.pipe_section(
            source_conninfo, target_conninfo, "post-data", no_owner=no_owner, pg_bin=pg_bin, snapshot=snapshot,
            psql_options="-c maintenance_work_mem=%s" % maintenance_work_mem if maintenance_work_mem else "")
        clock = lap("post_data")
    finally:
        coordinator.close()

    seconds = round(time.monotonic() - started, 3)
    rows = sum(figures["rows"] for figures in copied.values())
    return {
        "seconds": seconds,
        "rows": rows,
        "bytes": sum(figures["bytes"] for figures in copied.values()),
        "rows_per_s": _rate(rows, phases["data"]),
        "tables": copied,
        "sequences": sequences,
        "phases": phases,
        "warnings": warnings,
        "policy_hash": policy_hash(policy),
    }
