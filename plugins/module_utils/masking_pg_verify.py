# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verify a masked PostgreSQL copy against its source, independently of the masking code path.

Nothing here calls masking_rules or masking_sql: the checks compare the two databases and check the shape
each rule promises, so a wrong or weakened rule is caught rather than reproduced.

Values never leave the databases as plaintext.  The source side is read as ``(primary key, hash)`` rows, the
hash being ``hashtextextended(value, seed)`` (64 bits) with a random seed drawn for this run only and never
returned, and streamed into a temporary table of the target session, where the comparisons run set-based.

Checks per table of the policy (``failures`` make the verification fail; ``figures`` are reported):
- rows: the same row count, every source primary key present in the target;
- unchanged: for rules that always change a non-null value (email, pseudonym, substitute) zero rows whose
  target value equals the source value of the same row; for json paths with those rules (outside arrays) the
  same, path by path;
- pseudonyms_in_source: zero masked email / pseudonym values that occur anywhere in the source column;
- shape: ``null`` rule columns are all null; ``partial`` keeps at most keep_last digits (never more than
  MAX_KEEP_LAST); ``generalize_date`` leaves only January 1st; ``generalize_prefix`` leaves only '*' after the
  kept prefix; ``substitute`` leaves only entries of its list; ``constant`` only the constant; scrubbed free text
  holds no email address and no phone-like run of 7 or more digits;
- own_pii_in_text: zero scrubbed texts containing, as a word, a single-word PII value of the same source row
  (first name, last name, email...: compared as seeded hashes of lowercase words), and zero scrubbed texts
  where the source row has none (scrubbing keeps NULL);
- figures: rows whose value is unchanged for the other rules (scrub text without PII stays as it was), and
  k-anonymity of the declared quasi-identifiers (smallest group, groups below k).
For the database: zero foreign-key orphans, every unique index valid, and the same primary key / unique /
foreign key constraints as the source.

Then the leak scan (leak_scan, masking_pg_leak_scan), which does not trust the policy: every text the target holds
in clear, kept columns included, is searched for the source's identifying values and name words (the per-row
source hashes above are matched against the hashes of the target's texts) and for PII shapes.  A finding fails
the verification naming table.column and a count, unless the policy's exception for that column is in force:
``report["exceptions"]`` lists the exceptions with what they covered.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets
import threading
import time
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.envops.aws.plugins.module_utils import masking_pg_leak_scan
from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import IDENTIFYING_RULES
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import masked_forms
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import pseudonym_prefixes
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import settle
from ansible_collections.envops.aws.plugins.module_utils.masking_lists import LISTS
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import MAX_KEEP_LAST
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import parse_path
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import ITEMS
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_ident
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_literal
from ansible_collections.envops.aws.plugins.module_utils.masking_sql import quote_table

if pg_copy_stream.HAS_PSYCOPG:
    import psycopg

ALWAYS_CHANGED = ("email", "pseudonym", "substitute")
PSEUDONYMS = ("email", "pseudonym")
DEFAULT_K = 5
EMAIL_LIKE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE_LIKE = r"(^|[^A-Za-z0-9_])[0-9][0-9 ().-]{5,}[0-9]($|[^A-Za-z0-9_])"
MASKED_EMAIL = r"[A-Za-z0-9._%+-]+@example\.invalid"
WORD_SPLIT = r"[^a-z0-9@._+-]+"
VERIFY_TABLE = "envops_verify_source"

PRIMARY_KEY_SQL = """
SELECT a.attname
FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
WHERE i.indrelid = %s::regclass AND i.indisprimary
ORDER BY array_position(i.indkey::int2[], a.attnum)
"""

CONSTRAINTS_SQL = """
SELECT n.nspname || '.' || c.relname AS table_name, k.conname, k.contype
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype IN ('p', 'u', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2
"""

FOREIGN_KEYS_SQL = """
SELECT k.conname, k.conrelid::regclass::text, k.confrelid::regclass::text,
       array(SELECT attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
             JOIN pg_attribute ON attrelid = k.conrelid AND attnum = u.n ORDER BY o),
       array(SELECT attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
             JOIN pg_attribute ON attrelid = k.confrelid AND attnum = u.n ORDER BY o)
FROM pg_constraint k WHERE k.contype = 'f' ORDER BY 1
"""

INVALID_UNIQUE_SQL = "SELECT indexrelid::regclass::text FROM pg_index WHERE indisunique AND NOT indisvalid"


class VerificationError(RuntimeError):
    pass


def _value_sql(alias, field, keys, as_text=True):
    """SQL of a column, or of a json path inside it, as text."""
    column = "%s.%s" % (alias, quote_ident(field))
    if not keys:
        return "(%s)::text" % column if as_text else column
    return "(%s)::jsonb #>> %s" % (column, quote_literal("{%s}" % ",".join('"%s"' % k for k in keys)))


Leaf = namedtuple("Leaf", "path field keys rule")


def _checked_paths(table_policy):
    """Every leaf rule outside arrays: its path, top-level field, object keys inside it and rule."""
    for path, rule in table_policy.rules_by_path().items():
        components = parse_path(path)
        if ITEMS not in components:
            yield Leaf(path, components[0], components[1:], rule)


def _hash(expression, seed_param="%(seed)s"):
    return "hashtextextended(%s, %s)" % (expression, seed_param)


class _TableCheck:
    """The checks of one table, run in the target session once the source hashes are loaded."""

    def __init__(self, name, table_policy, primary_key, quasi_identifiers, k):
        self.name = name
        self.policy = table_policy
        self.primary_key = primary_key
        self.quasi_identifiers = quasi_identifiers
        self.k = k
        paths = list(_checked_paths(table_policy))
        # hashed source columns: every non-keep leaf outside arrays (compared row by row)
        self.hashed = [leaf for leaf in paths if leaf.rule.kind != "keep"]
        # single-word PII values of the row, looked for in its scrubbed text
        self.scrubbed = [leaf for leaf in paths if leaf.rule.kind == "scrub"]
        self.own_pii = [leaf for leaf in self.hashed if leaf.rule.kind not in ("scrub", "null")]

    def source_select(self):
        """(pk..., h0, h1, ...) and, per own-PII field, the hash of each word of its lowercase value.

        The lowercase values are computed once per row in a subquery (OFFSET 0 keeps the planner from copying
        them back into each of their three uses) and the word hashes collected in one array; only for rows with
        a scrubbed text to look in (the others get an empty array).
        """
        pk = ", ".join("s.%s" % quote_ident(c) for c in self.primary_key)
        hashes = [_hash(_value_sql("s", leaf.field, leaf.keys)) for leaf in self.hashed]
        # single-word values only (names, emails): the words of a street or a full name are common words
        own_pii = self.own_pii if self.scrubbed else []
        values = ['s."__envops_v%d"' % i for i in range(len(own_pii))]
        words = ", ".join("CASE WHEN length(%s) >= 3 AND %s !~ %s THEN %s END" % (
            value, value, quote_literal(WORD_SPLIT), _hash(value)) for value in values)
        own = "array_remove(ARRAY[%s]::bigint[], NULL)" % words if words else "ARRAY[]::bigint[]"
        source = quote_table(self.name)
        if values:
            has_text = " OR ".join("%s IS NOT NULL" % _value_sql("s", leaf.field, leaf.keys) for leaf in self.scrubbed)
            source = "(SELECT s.*, %s FROM %s s OFFSET 0)" % (", ".join(
                'CASE WHEN %s THEN lower(trim(%s)) END AS "__envops_v%d"' % (
                    has_text, _value_sql("s", leaf.field, leaf.keys), i) for i, leaf in enumerate(own_pii)), source)
        return "SELECT %s, %s AS own_words FROM %s s" % (
            ", ".join([pk] + ["%s AS h%d" % (h, i) for i, h in enumerate(hashes)]), own, source)

    def create_temp_sql(self, pk_types):
        columns = ["%s %s" % (quote_ident(c), t) for c, t in zip(self.primary_key, pk_types)]
        columns += ["h%d bigint" % i for i in range(len(self.hashed))] + ["own_words bigint[]"]
        return "CREATE TEMP TABLE %s (%s) ON COMMIT PRESERVE ROWS" % (VERIFY_TABLE, ", ".join(columns))

    def target_sql(self):
        """One row of counts: the checks comparing the target with the loaded source hashes."""
        join = " AND ".join("t.%s = s.%s" % (quote_ident(c), quote_ident(c)) for c in self.primary_key)
        counts = ["count(*) AS joined"]
        for i, leaf in enumerate(self.hashed):
            counts.append("count(*) FILTER (WHERE %s = s.h%d) AS unchanged_%d" % (
                _hash(_value_sql("t", leaf.field, leaf.keys)), i, i))
        for j, leaf in enumerate(self.scrubbed):
            # the per-row subquery only where a word can be found: a text, and own words to look for
            text = _value_sql("t", leaf.field, leaf.keys)
            counts.append("count(*) FILTER (WHERE %s IS NOT NULL AND cardinality(s.own_words) > 0 AND EXISTS ("
                          "SELECT 1 FROM regexp_split_to_table(lower(%s), %s) w WHERE length(w) >= 3 AND %s = ANY "
                          "(s.own_words))) AS own_pii_%d" % (text, text, quote_literal(WORD_SPLIT), _hash("w"), j))
            # a text where the source row had none (own words are only shipped for rows with a source text)
            counts.append("count(*) FILTER (WHERE %s IS NOT NULL AND s.h%d IS NULL) AS appeared_%d" % (
                text, self.hashed.index(leaf), j))
        return "SELECT %s FROM %s t JOIN %s s ON %s" % (", ".join(counts), quote_table(self.name), VERIFY_TABLE, join)

    def pseudonym_sql(self, index):
        leaf = self.hashed[index]
        return ("SELECT count(*) FROM %s t WHERE %s IN (SELECT h%d FROM %s WHERE h%d IS NOT NULL)" % (
            quote_table(self.name), _hash(_value_sql("t", leaf.field, leaf.keys)), index, VERIFY_TABLE,
            index))

    def leak_match_sql(self):
        """``(i, hash)``: hashes of identifying source values (per-row hashes ``h<i>``) among ``%(tokens)s``, the
        hashes of the texts the whole target holds in clear (the leak scan); None when none is identifying."""
        indexes = [i for i, leaf in enumerate(self.hashed) if leaf.rule.kind in IDENTIFYING_RULES]
        if not indexes:
            return None
        return ("SELECT DISTINCT v.i, v.h FROM (SELECT * FROM %s s WHERE %s) s CROSS JOIN LATERAL (VALUES %s) v(i, h) "
                "WHERE v.h = ANY (%%(tokens)s::bigint[])" % (
                    VERIFY_TABLE, " OR ".join("s.h%d = ANY (%%(tokens)s::bigint[])" % i for i in indexes),
                    ", ".join("(%d, s.h%d)" % (i, i) for i in indexes)))

    def shape_sql(self):
        """``(names, SQL)``: one scan of the target counting, per name, the rows that break the shape its rule
        promises; None when no rule promises one."""
        names, counts = [], []
        for name, where in self.shape_conditions():
            names.append(name)
            counts.append("count(*) FILTER (WHERE %s)" % where)
        if not names:
            return None
        return names, "SELECT %s FROM %s t" % (", ".join(counts), quote_table(self.name))

    def shape_conditions(self):
        """(name, condition on the target row ``t`` that breaks the shape the rule promises)."""
        for leaf in _checked_paths(self.policy):
            path, rule = leaf.path, leaf.rule
            value = _value_sql("t", leaf.field, leaf.keys)
            where = None
            if rule.kind == "null":
                where = "%s IS NOT NULL" % value
            elif rule.kind == "partial":
                # the digits counted as what translate() removes (a regexp_replace per row costs 2.5 times more);
                # never more than the cap, whatever the policy object says
                where = "length(%s) - length(translate(%s, '0123456789', '')) > %d" % (
                    value, value, min(rule.keep_last, MAX_KEEP_LAST))
            elif rule.kind == "constant" and isinstance(rule.value, str):
                where = "%s <> %s" % (value, quote_literal(rule.value))
            elif rule.kind == "substitute":
                # only an entry of its list (invented values): anything else is not the rule's output
                where = "%s IS NOT NULL AND NOT %s = ANY (ARRAY[%s]::text[])" % (value, value, ", ".join(
                    quote_literal(entry) for entry in LISTS.get(rule.list_name, ())) or "NULL")
            elif rule.kind == "generalize_date":
                where = "%s IS NOT NULL AND substr(%s, 6, 5) <> '01-01'" % (value, value)
            elif rule.kind == "generalize_prefix":
                where = "substr(%s, %d) !~ '^[*]*$'" % (value, rule.keep + 1)
            elif rule.kind == "scrub":
                # an address left in free text may only be a masked one (@example.invalid); masked ones are
                # blanked first, which only a text with an '@' needs
                without_masked = "regexp_replace(%s, %s, ' ', 'g')" % (value, quote_literal(MASKED_EMAIL))
                where = "CASE WHEN strpos(%s, '@') > 0 THEN %s ~ %s OR %s ~ %s ELSE %s ~ %s END" % (
                    value, without_masked, quote_literal(EMAIL_LIKE), without_masked, quote_literal(PHONE_LIKE),
                    value, quote_literal(PHONE_LIKE))
            if where:
                yield "%s:%s" % (path, rule.kind), where

    def k_anonymity_sql(self):
        if not self.quasi_identifiers:
            return None
        columns = ", ".join(quote_ident(c) for c in self.quasi_identifiers)
        return ("SELECT min(n), count(*) FILTER (WHERE n < %d), coalesce(sum(n) FILTER (WHERE n < %d), 0) "
                "FROM (SELECT count(*) AS n FROM %s GROUP BY %s) g" % (self.k, self.k, quote_table(self.name), columns))


def _one(connection, sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _all(connection, sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _verify_table(source, target, check, seed, tokens=()):
    """The checks of one table; ``result["leak_matches"]``: ``{(source field, hash)}`` of its identifying values
    among ``tokens``."""
    result = {"table": check.name, "failures": [], "figures": {}, "leak_matches": set()}
    source_rows = _one(source, "SELECT count(*) FROM %s" % quote_table(check.name))[0]
    target_rows = _one(target, "SELECT count(*) FROM %s" % quote_table(check.name))[0]
    result["figures"].update(source_rows=source_rows, target_rows=target_rows)
    if source_rows != target_rows:
        result["failures"].append("row count: source %d, target %d" % (source_rows, target_rows))

    pk_types = [_one(target, "SELECT format_type(atttypid, atttypmod), atttypid::bigint FROM pg_attribute WHERE "
                             "attrelid = %s::regclass AND attname = %s", (check.name, c)) for c in check.primary_key]
    # binary when the key columns are built-in types (same binary form in both databases): no text to format / parse
    copy_format = "binary" if all(oid < pg_copy_stream.FIRST_NORMAL_OID for _type, oid in pk_types) else "text"
    pk_types = [type_text for type_text, _oid in pk_types]
    target.execute("DROP TABLE IF EXISTS %s" % VERIFY_TABLE)
    target.execute(check.create_temp_sql(pk_types))
    # the seed is a bound parameter of the source session: psycopg's COPY would inline it into the text
    with source.cursor() as cursor:
        cursor.execute("SELECT set_config('envops.verify_seed', %s, false)", (str(seed),))
    # an uncorrelated sub-select (InitPlan): the setting is read once, not for each of the row's hashes
    copy_out = "COPY (%s) TO STDOUT (FORMAT %s)" % (check.source_select().replace(
        "%(seed)s", "(SELECT current_setting('envops.verify_seed')::bigint)"), copy_format)
    pg_copy_stream.stream_copy(source, target, copy_out, "COPY %s FROM STDIN (FORMAT %s)" % (VERIFY_TABLE, copy_format))
    target.execute("ANALYZE %s" % VERIFY_TABLE)

    counts = _one(target, check.target_sql(), {"seed": seed})
    joined, rest = counts[0], list(counts[1:])
    if joined != source_rows:
        result["failures"].append("primary keys: %d source rows have no target row" % (source_rows - joined))
    for i, leaf in enumerate(check.hashed):
        unchanged = rest[i]
        if leaf.rule.kind in ALWAYS_CHANGED and unchanged:
            result["failures"].append("%s (%s): %d rows keep their source value" % (
                leaf.path, leaf.rule.kind, unchanged))
        else:
            result["figures"]["unchanged:%s" % leaf.path] = unchanged
    for j, leaf in enumerate(check.scrubbed):
        leaked, appeared = rest[len(check.hashed) + 2 * j:len(check.hashed) + 2 * j + 2]
        if leaked:
            result["failures"].append("%s (scrub): %d texts still hold a PII word of their own row" % (
                leaf.path, leaked))
        if appeared:
            result["failures"].append("%s (scrub): %d texts where the source row has none" % (leaf.path, appeared))
    for i, leaf in enumerate(check.hashed):
        if leaf.rule.kind in PSEUDONYMS:
            found = _one(target, check.pseudonym_sql(i), {"seed": seed})[0]
            if found:
                result["failures"].append("%s (%s): %d masked values occur in the source" % (
                    leaf.path, leaf.rule.kind, found))
    shape = check.shape_sql()
    if shape:
        names, sql = shape
        for name, broken in zip(names, _one(target, sql)):
            if broken:
                result["failures"].append("%s: %d rows break the rule's shape" % (name, broken))
    k_sql = check.k_anonymity_sql()
    if k_sql:
        smallest, groups_below, rows_below = _one(target, k_sql)
        result["figures"]["k_anonymity"] = {"quasi_identifiers": list(check.quasi_identifiers), "k": check.k,
                                            "smallest_group": smallest, "groups_below_k": groups_below,
                                            "rows_below_k": int(rows_below)}
    match_sql = check.leak_match_sql()
    if match_sql and tokens:
        result["leak_matches"] = set(("%s.%s" % (check.name, check.hashed[i].path), h)
                                     for i, h in _all(target, match_sql, {"tokens": list(tokens)}))
    target.execute("DROP TABLE %s" % VERIFY_TABLE)
    return result


def _database_checks(source, target):
    failures, figures = [], {}
    source_constraints = set(_all(source, CONSTRAINTS_SQL))
    target_constraints = set(_all(target, CONSTRAINTS_SQL))
    missing = sorted(source_constraints - target_constraints)
    if missing:
        failures.append("constraints missing in the target: %s" % ", ".join(
            "%s.%s" % (row[0], row[1]) for row in missing))
    invalid = [row[0] for row in _all(target, INVALID_UNIQUE_SQL)]
    if invalid:
        failures.append("unique indexes not valid: %s" % ", ".join(invalid))
    for name, child, parent, columns, parent_columns in _all(target, FOREIGN_KEYS_SQL):
        condition = " AND ".join("p.%s = c.%s" % (quote_ident(pc), quote_ident(cc))
                                 for cc, pc in zip(columns, parent_columns))
        not_null = " AND ".join("c.%s IS NOT NULL" % quote_ident(cc) for cc in columns)
        orphans = _one(target, "SELECT count(*) FROM %s c WHERE %s AND NOT EXISTS (SELECT 1 FROM %s p WHERE %s)"
                       % (child, not_null, parent, condition))[0]
        figures["orphans:%s" % name] = orphans
        if orphans:
            failures.append("foreign key %s: %d orphan rows" % (name, orphans))
    return failures, figures


def verify_masked_copy(source_conninfo, target_conninfo, policy, k=DEFAULT_K, progress=None, jobs=1, today=None):
    """Compare the masked database ``target_conninfo`` with its source; returns the report (no values in it).

    ``policy`` is a loaded MaskingPolicy (its postgresql tables, quasi_identifiers, exceptions and pii_patterns).
    ``report["passed"]`` is False when any check failed; ``report["failures"]`` says which, table by table, then
    the leak scan's findings (masking_pg_leak_scan) that no exception in force covers; ``report["exceptions"]``
    lists the policy's exceptions with the findings they covered.  ``jobs``: tables verified at once, each on its
    own pair of connections (``progress`` is then called from worker threads, one call at a time).  ``today``
    (``YYYY-MM-DD``, default the UTC date) decides which exceptions have expired."""
    pg_copy_stream.require_psycopg()
    seed = secrets.randbits(62)
    started = time.monotonic()
    report = {"tables": [], "failures": [], "figures": {}}
    quasi = getattr(policy, "quasi_identifiers", None) or {}
    masked = masked_forms(pseudonym_prefixes(policy.postgresql.values()))
    national_ids = getattr(policy, "pii_patterns", None) or {}
    progress_lock = threading.Lock()
    tables = sorted(policy.postgresql.items())

    def scan_one(item):
        name, table_policy = item
        with psycopg.connect(target_conninfo, autocommit=True) as target:
            scan_started = time.monotonic()
            scan = masking_pg_leak_scan.scan_target(target, name, table_policy, seed, masked, national_ids)
            scan["seconds"] = round(time.monotonic() - scan_started, 3)
        return name, scan

    # the leak scan's first step: the hashes of what the whole target holds in clear, which every table's source
    # hashes are then matched against (a name of one table in the free text of another)
    scans = dict(_map(scan_one, tables, jobs))
    tokens = sorted(set(h for scan in scans.values() for _column, h, _n in scan["tokens"]))

    def verify_one(item):
        name, table_policy = item
        with psycopg.connect(source_conninfo, autocommit=True) as source, \
                psycopg.connect(target_conninfo, autocommit=True) as target:
            primary_key = [row[0] for row in _all(target, PRIMARY_KEY_SQL, (name,))]
            if not primary_key:
                return {"table": name, "failures": ["no primary key, rows cannot be compared"], "figures": {},
                        "leak_matches": set()}
            check = _TableCheck(name, table_policy, primary_key, quasi.get(name, ()), k)
            table_started = time.monotonic()
            result = _verify_table(source, target, check, seed, tokens)
            result["seconds"] = round(time.monotonic() - table_started, 3)
        if progress:
            with progress_lock:
                progress(name, dict((key, value) for key, value in result.items() if key != "leak_matches"))
        return result

    def match_field(item):
        name, fields = item
        with psycopg.connect(source_conninfo, autocommit=True) as source:
            return {"leak_matches": masking_pg_leak_scan.scan_source(source, name, fields, seed, tokens)}

    # the words of names and the values inside arrays are not among the per-row hashes: a scan per table of their own
    fields = [(name, [field for field in masking_pg_leak_scan.source_fields(table_policy) if field[2] or field[3]])
              for name, table_policy in tables] if tokens else []
    outcomes = _map(lambda work: work[0](work[1]), [(verify_one, item) for item in tables]
                    + [(match_field, item) for item in fields], jobs)
    matches = set()
    for outcome in outcomes:
        matches.update(outcome.pop("leak_matches"))
        if "table" not in outcome:
            continue
        if "seconds" in outcome:
            report["tables"].append(outcome)
        report["failures"].extend("%s: %s" % (outcome["table"], failure) for failure in outcome["failures"])
    with psycopg.connect(source_conninfo, autocommit=True) as source, \
            psycopg.connect(target_conninfo, autocommit=True) as target:
        failures, figures = _database_checks(source, target)
        report["failures"].extend(failures)
        report["figures"].update(figures)

    leaks, report["exceptions"] = settle(masking_pg_leak_scan.findings(scans, matches), policy_exceptions(policy),
                                         today)
    report["failures"].extend(leaks)
    report["leak_scan"] = {
        "columns": dict((name, scan["columns"]) for name, scan in sorted(scans.items())),
        "target_seconds": dict((name, scan["seconds"]) for name, scan in sorted(scans.items())),
        "pii_patterns": sorted(national_ids), "distinct_hashes": len(tokens)}
    report["passed"] = not report["failures"]
    report["seconds"] = round(time.monotonic() - started, 3)
    return report


def policy_exceptions(policy):
    """The policy's exceptions for PostgreSQL columns."""
    return [exception for exception in getattr(policy, "exceptions", ()) if exception.store == "postgresql"]


def _map(function, items, jobs):
    if jobs > 1 and len(items) > 1:
        with ThreadPoolExecutor(max_workers=min(jobs, len(items))) as pool:
            return list(pool.map(function, items))
    return [function(item) for item in items]
