# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Masked copy of one DynamoDB table into a new table (the DynamoDB part of a masked refresh).

    copy = masked_copy_table(source_client, target_client, "prod-user-activity", "staging-user-activity-0412",
                             policy.dynamodb["user-activity"], key, segments=8, kms_key_id=kms_arn)
    checks = verify_masked_copy(...)            # masking_dynamodb_verify: independent checks
    if checks["ok"]:
        switch_live_table(ssm, "/staging/dynamodb/user-activity/table", copy["target_table"], checks,
                          target_client)        # SSM switched, then the old table removed

How it works: a parallel segmented Scan of the source (``segments`` workers, each with its own
``Segment``/``TotalSegments``), every page masked in Python, written by a pool of writer threads with
BatchWriteItem (25 items a call; ``UnprocessedItems`` retried with exponential backoff and jitter;
throttling and transient errors retried by ``aws_retry``).  The new table gets the source's key schema, attribute
definitions, global and local secondary indexes, on-demand billing, SSE with the given KMS key; PITR and
the source's TTL attribute are turned on after the copy.  The target table must not exist: nothing is
ever overwritten.

Masking works on the low-level attribute values the API returns (``{"S": ...}``, ``{"M": {...}}``),
not on boto3's TypeDeserializer output: an attribute or map key kept by the policy is passed through
untouched (no conversion at all, binary and sets included), only the values a non-keep rule reads are
converted (``N`` -> Decimal, ``S`` -> str, ``SS`` -> set...), masked with ``masking_rules.mask_value``
(the same key derivation as PostgreSQL: an email masks to the same value in both stores) and
converted back.  A rule's None is written as ``{"NULL": true}``; a set whose elements all mask to None
becomes NULL (DynamoDB has no empty sets).  Semantics are those of ``masking_rules.mask_document``:
a map key without a rule is dropped, a value of the wrong shape (a string where the policy expects a
map) becomes NULL.

Fail-closed classification without two scans: the masker walks every item against the compiled policy
anyway, so every attribute path it meets that has no rule (on itself or an ancestor) is recorded
(``attribute_paths`` syntax: ``a``, ``a.b``, ``a[]``, ``a[].b``).  From the first such path on, nothing
more is written (the scan goes on, masking only, so the report lists *every* unclassified path of the
table, not just the first), then the new table is deleted and ``UnclassifiedAttributesError`` is raised
with all the paths (reported through ``masking_policy.classify``).  The live table and the SSM
parameter are never touched by the copy, so a stopped refresh leaves the target environment exactly as
it was.  Even before that decision, no unclassified value is ever written: the masker drops it.  Any
other error also deletes the new table before it propagates.

Throughput: per item the work is botocore parsing the Scan page, the masking walk and botocore
serialising BatchWriteItem; on a real table the segments scale reads and the writer pool scales writes.
``result["phases"]`` sums, over threads, the seconds spent in scan calls, masking and write calls.
Give clients a ``botocore.config.Config(max_pool_connections=...)`` of at least segments + writers.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

try:
    import botocore  # noqa: F401  pylint: disable=unused-import
    HAS_BOTO3 = True
except ImportError:
    HAS_BOTO3 = False

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import ITEMS
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import classify
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import WHITESPACE
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import ascii_lower
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import mask_value
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import scrub_sources
from ansible_collections.envops.aws.plugins.module_utils.masking_rules import token

BATCH_SIZE = 25  # BatchWriteItem limit
DEFAULT_SEGMENTS = 8
DEFAULT_WRITERS = 8
MAX_UNPROCESSED_ATTEMPTS = 12
# A table still being created, updated or deleted: tried again (every transient code is in the shared policy).
TABLE_BUSY_CODES = ["ResourceInUseException"]
NULL = {"NULL": True}
CACHE_ENTRIES = 200000  # masked scalars remembered per masker (then forgotten at once)

# Compiled policy nodes (tuples: cheap to dispatch on in the hot loop).
_KEEP, _RULE, _MAP, _ITEMS = 0, 1, 2, 3
_KEEP_NODE = (_KEEP,)


class MaskedCopyError(RuntimeError):
    """The copy did not complete; ``result`` holds the figures so far (the new table is deleted)."""

    def __init__(self, message, result=None):
        super(MaskedCopyError, self).__init__(message)
        self.result = result or {}


class UnclassifiedAttributesError(MaskedCopyError):
    """Items hold attribute paths without a rule: the refresh stops; ``paths`` lists all of them."""

    def __init__(self, table, paths, result=None):
        self.table = table
        self.paths = sorted(paths)
        super(UnclassifiedAttributesError, self).__init__(
            "%s: %d unclassified attribute path(s), nothing was switched and the new table was removed: %s"
            % (table, len(self.paths), ", ".join(self.paths)), result)


# --- paths -------------------------------------------------------------------------------------

def _join(prefix, name):
    return name if not prefix else prefix + "." + name


def _av_paths(av, prefix, paths):
    """Leaf paths under one low-level attribute value; an empty map/list/set counts as a leaf."""
    if "M" in av:
        if not av["M"]:
            paths.add(prefix)
        for name, inner in av["M"].items():
            _av_paths(inner, _join(prefix, name), paths)
    elif "L" in av:
        if not av["L"]:
            paths.add(prefix)
        for inner in av["L"]:
            _av_paths(inner, prefix + ITEMS, paths)
    elif "SS" in av or "NS" in av or "BS" in av:
        paths.add(prefix + ITEMS)
    else:
        paths.add(prefix)


def _value_paths(value, prefix, paths):
    if isinstance(value, dict):
        if not value:
            paths.add(prefix)
        for name, inner in value.items():
            _value_paths(inner, _join(prefix, name), paths)
    elif isinstance(value, (list, tuple, set, frozenset)):
        if not value:
            paths.add(prefix)
        for inner in value:
            _value_paths(inner, prefix + ITEMS, paths)
    else:
        paths.add(prefix)


def attribute_paths(item, deserialized=False):
    """Every leaf attribute path of an item, in the policy's syntax: ``a``, ``a.b``, ``a[]``, ``a[].b``.

    ``item`` is a low-level item as Scan returns it (``{"a": {"M": {"b": {"S": "x"}}}}``), or with
    ``deserialized=True`` a TypeDeserializer item (``{"a": {"b": "x"}}``).  Set elements count as array
    elements (``segments[]``); an empty map or list is a leaf of its own path.
    """
    paths = set()
    for name, value in item.items():
        if deserialized:
            _value_paths(value, name, paths)
        else:
            _av_paths(value, name, paths)
    return paths


# --- low-level values <-> Python ---------------------------------------------------------------

def to_python(av):
    """A low-level attribute value as Python (what boto3's TypeDeserializer gives, bytes for B)."""
    if "S" in av:
        return av["S"]
    if "N" in av:
        return Decimal(av["N"])
    if "BOOL" in av:
        return av["BOOL"]
    if "NULL" in av:
        return None
    if "M" in av:
        return dict((name, to_python(inner)) for name, inner in av["M"].items())
    if "L" in av:
        return [to_python(inner) for inner in av["L"]]
    if "SS" in av:
        return set(av["SS"])
    if "NS" in av:
        return set(Decimal(number) for number in av["NS"])
    if "BS" in av:
        return set(bytes(binary) for binary in av["BS"])
    if "B" in av:
        return bytes(av["B"])
    raise ValueError("unknown attribute value %r" % (sorted(av),))


def _number(value):
    if isinstance(value, float):
        value = Decimal(repr(value))
    return str(value)


def to_av(value):
    """Python -> low-level attribute value (None -> NULL; an empty set -> NULL)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (int, float, Decimal)):
        return {"N": _number(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"B": bytes(value)}
    if isinstance(value, dict):
        return {"M": dict((name, to_av(inner)) for name, inner in value.items())}
    if isinstance(value, (list, tuple)):
        return {"L": [to_av(inner) for inner in value]}
    if isinstance(value, (set, frozenset)):
        elements = [element for element in value if element is not None]
        if not elements:
            return NULL
        if all(isinstance(element, str) for element in elements):
            return {"SS": sorted(elements)}
        if all(isinstance(element, (bytes, bytearray)) for element in elements):
            return {"BS": sorted(bytes(element) for element in elements)}
        if all(isinstance(element, (int, float, Decimal)) and not isinstance(element, bool)
               for element in elements):
            return {"NS": sorted(set(_number(element) for element in elements))}
        return {"L": [to_av(element) for element in elements]}
    raise TypeError("cannot store %r in DynamoDB" % (type(value).__name__,))


# --- the masker --------------------------------------------------------------------------------

def _compile_node(node):
    """A masking_policy.PathNode -> compiled node."""
    if node.rule is not None:
        return _compile_rule(node.rule)
    if node.keys:
        return (_MAP, dict((name, _compile_node(child)) for name, child in node.keys.items()))
    return (_ITEMS, _compile_node(node.items))


def _compile_rule(rule):
    if rule.kind == "keep":
        return _KEEP_NODE
    if rule.kind == "json":
        return _compile_node(rule.tree)
    return (_RULE, rule)


class _ScrubSourcesOf:
    """What masking_rules.scrub_sources reads of a TablePolicy, computed once."""

    def __init__(self, sources):
        self.scrub_sources = tuple(sources)


class ItemMasker:
    """Masks low-level items by one TablePolicy; records every unclassified path it meets.

    ``mask(item)`` returns the masked item; ``unclassified`` is the set of paths without a rule seen so
    far (their values are never in a masked item).  One masker may be shared by threads.
    """

    def __init__(self, table_policy, key):
        self.table_policy = table_policy
        self.key = bytes(key)
        self.fields = dict((field, _compile_rule(rule)) for field, rule in table_policy.fields.items())
        self.scrub_fields = sorted(set(source.field for source in table_policy.scrub_sources)) \
            if table_policy.has_scrub else None
        # Top-level fields with a scrub rule somewhere below: an item without any of them needs no sources.
        self.scrubbed_fields = frozenset(path.split(".")[0].split("[")[0]
                                         for path, rule in table_policy.rules_by_path().items()
                                         if rule.kind == "scrub")
        # TablePolicy.scrub_sources is recomputed on every access: scrub_sources() gets it computed once.
        self._sources_policy = _ScrubSourcesOf(table_policy.scrub_sources) if table_policy.has_scrub else None
        self.unclassified = set()
        self._lock = threading.Lock()
        # Scalar results by (rule, type, exact text): the keyed rules are pure functions of the value, and
        # the exact text (not the Decimal) keeps '1.50' and '1.5' apart.  Scrub depends on the item: never.
        self._cache = {}

    def _unclassified(self, path, av):
        paths = set()
        _av_paths(av, path, paths)
        with self._lock:
            self.unclassified.update(paths)

    def mask(self, item):
        sources = ()
        if self.scrub_fields is not None and not self.scrubbed_fields.isdisjoint(item):
            row = dict((field, to_python(item[field])) for field in self.scrub_fields if field in item)
            sources = scrub_sources(self.key, self._sources_policy, row)
        fields = self.fields
        masked = {}
        for name, av in item.items():
            node = fields.get(name)
            if node is None:
                self._unclassified(name, av)
            elif node is _KEEP_NODE:
                masked[name] = av
            else:
                masked[name] = self._mask(node, av, sources, name)
        return masked

    def _scrub(self, rule, av, sources):
        """mask_value of a scrub rule, given only the sources whose text occurs in the value.

        Same result as with all of them: pass 3 of scrub can only match a source where its trimmed text
        occurs (ASCII case ignored) in the text after passes 1-2, which is ``mask_value(..., ())``; a
        source that does not occur there never matches nor replaces.  Saves compiling one regex per item.
        """
        value = to_python(av)
        base = mask_value(self.key, rule, value, ())
        if not sources or not isinstance(base, str):
            return base
        lowered = ascii_lower(base)
        present = [source for source in sources if ascii_lower(source[0].strip(WHITESPACE)) in lowered]
        return mask_value(self.key, rule, value, present) if present else base

    def _mask(self, node, av, sources, path):
        kind = node[0]
        if kind == _KEEP:
            return av
        if kind == _RULE:
            rule = node[1]
            if rule.kind == "constant":
                return to_av(rule.value)
            if "NULL" in av or rule.kind == "null":
                return NULL
            if rule.kind == "scrub":
                return to_av(self._scrub(rule, av, sources))
            if len(av) == 1:
                scalar = av.get("S")
                cache_key = (id(rule), "S", scalar) if scalar is not None else (
                    (id(rule), "N", av["N"]) if "N" in av else None)
                if cache_key is not None:
                    cached = self._cache.get(cache_key)
                    if cached is None:
                        if len(self._cache) >= CACHE_ENTRIES:
                            self._cache.clear()
                        cached = self._cache[cache_key] = to_av(mask_value(self.key, rule, to_python(av), sources))
                    return cached
            return to_av(mask_value(self.key, rule, to_python(av), sources))
        if kind == _MAP:
            inner = av.get("M")
            if inner is None:
                return NULL  # NULL stays NULL, a value of another shape is not copied
            children = node[1]
            masked = {}
            for name, child_av in inner.items():
                child = children.get(name)
                child_path = path + "." + name
                if child is None:
                    self._unclassified(child_path, child_av)
                else:
                    masked[name] = self._mask(child, child_av, sources, child_path)
            return {"M": masked}
        child, child_path = node[1], path + ITEMS
        if "L" in av:
            return {"L": [self._mask(child, element, sources, child_path) for element in av["L"]]}
        for set_type, scalar in (("SS", "S"), ("NS", "N"), ("BS", "B")):
            if set_type in av:
                if child is _KEEP_NODE:
                    return av
                masked = set()
                for element in av[set_type]:
                    value = to_python(self._mask(child, {scalar: element}, sources, child_path))
                    if value is not None:
                        masked.add(value)
                return to_av(masked)
        return NULL


# --- AWS calls ---------------------------------------------------------------------------------

@aws_retry(retries=8, delay=1)
def _scan_page(client, **params):
    return client.scan(**params)


@aws_retry(retries=8, delay=1)
def _batch_write_call(client, request_items):
    return client.batch_write_item(RequestItems=request_items)


@aws_retry(extra_codes=TABLE_BUSY_CODES)
def describe_table(client, table_name):
    return client.describe_table(TableName=table_name)["Table"]


@aws_retry(extra_codes=TABLE_BUSY_CODES)
def _create_table(client, **params):
    return client.create_table(**params)["TableDescription"]


@aws_retry(extra_codes=TABLE_BUSY_CODES)
def _delete_table(client, table_name):
    client.delete_table(TableName=table_name)


@aws_retry(extra_codes=TABLE_BUSY_CODES + ["ContinuousBackupsUnavailableException"])
def _enable_pitr(client, table_name):
    client.update_continuous_backups(TableName=table_name,
                                     PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


@aws_retry(extra_codes=TABLE_BUSY_CODES)
def _ttl_of(client, table_name):
    description = client.describe_time_to_live(TableName=table_name).get("TimeToLiveDescription", {})
    if description.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        return description.get("AttributeName")
    return None


@aws_retry(extra_codes=TABLE_BUSY_CODES)
def _enable_ttl(client, table_name, attribute):
    client.update_time_to_live(TableName=table_name,
                               TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute})


def _table_exists(client, table_name):
    try:
        describe_table(client, table_name)
        return True
    except client.exceptions.ResourceNotFoundException:
        return False


def new_table_params(source, target_table, kms_key_id=None, tags=None):
    """CreateTable arguments for a copy of the described ``source`` table: its keys, attribute definitions,
    global and local secondary indexes (same keys and projections), on demand, SSE under ``kms_key_id``
    (the AWS owned key when None).  Streams, TTL, PITR and deletion protection are not copied here."""
    params = {
        "TableName": target_table,
        "KeySchema": source["KeySchema"],
        "AttributeDefinitions": source["AttributeDefinitions"],
        "BillingMode": "PAY_PER_REQUEST",
    }
    gsis = [{"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": index["Projection"]}
            for index in source.get("GlobalSecondaryIndexes") or []]
    if gsis:
        params["GlobalSecondaryIndexes"] = gsis
    lsis = [{"IndexName": index["IndexName"], "KeySchema": index["KeySchema"], "Projection": index["Projection"]}
            for index in source.get("LocalSecondaryIndexes") or []]
    if lsis:
        params["LocalSecondaryIndexes"] = lsis
    if kms_key_id:
        params["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key_id}
    if tags:
        params["Tags"] = [{"Key": name, "Value": str(value)} for name, value in sorted(tags.items())]
    return params


def _wait(client, table_name, waiter, timeout):
    client.get_waiter(waiter).wait(TableName=table_name,
                                   WaiterConfig={"Delay": 1 if timeout <= 120 else 5,
                                                 "MaxAttempts": max(1, int(timeout))})


def delete_table(client, table_name, wait=True, timeout=600):
    """Delete a table (no error when it is gone already); returns True when it existed."""
    try:
        _delete_table(client, table_name)
    except client.exceptions.ResourceNotFoundException:
        return False
    if wait:
        _wait(client, table_name, "table_not_exists", timeout)
    return True


class _Writer:
    """BatchWriteItem of 25 items at a time; UnprocessedItems retried with exponential backoff + jitter."""

    def __init__(self, client, table_name, max_attempts=MAX_UNPROCESSED_ATTEMPTS, base_delay=0.05, max_delay=5.0):
        self.client = client
        self.table_name = table_name
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lock = threading.Lock()
        self.retries = 0          # BatchWriteItem calls made again for unprocessed items
        self.retried_items = 0    # items sent again
        self.written = 0
        self.batches = 0
        self.seconds = 0.0

    def write(self, items):
        started = time.monotonic()
        pending = [{"PutRequest": {"Item": item}} for item in items]
        retries = retried = 0
        for attempt in range(self.max_attempts):
            response = _batch_write_call(self.client, {self.table_name: pending})
            pending = (response.get("UnprocessedItems") or {}).get(self.table_name) or []
            if not pending:
                break
            retries += 1
            retried += len(pending)
            time.sleep(random.uniform(0, min(self.max_delay, self.base_delay * 2 ** attempt)))
        else:
            raise MaskedCopyError("BatchWriteItem to %s: %d item(s) still unprocessed after %d attempts"
                                  % (self.table_name, len(pending), self.max_attempts))
        with self.lock:
            self.retries += retries
            self.retried_items += retried
            self.written += len(items)
            self.batches += 1
            self.seconds += time.monotonic() - started


def masked_copy_table(source_client, target_client, source_table, target_table, table_policy, key,
                      segments=DEFAULT_SEGMENTS, progress=None, kms_key_id=None, tags=None, writers=DEFAULT_WRITERS,
                      consistent_read=False, page_limit=None, enable_pitr=True, copy_ttl=True, timeout=600):
    """Copy ``source_table`` into a new ``target_table``, masked by ``table_policy`` under ``key``.

    ``table_policy``: a ``masking_policy.TablePolicy`` (``load_policy(...).dynamodb[spec_name]``);
    ``key``: the masking key (bytes, >= 16).  ``segments``: parallel Scan segments (one thread each);
    ``writers``: BatchWriteItem threads.  ``progress(figures)`` is called after every page with
    ``{"scanned", "written"}`` (from worker threads).  ``kms_key_id``: SSE key of the new table.

    Returns ``{"source_table", "target_table", "items", "written", "seconds", "items_per_second",
    "segments", "writers", "pages", "batches", "unprocessed_retries", "unprocessed_items", "unclassified",
    "phases": {"create", "copy", "finish"}, "thread_seconds": {"scan", "mask", "write"}}``.
    Raises ``UnclassifiedAttributesError`` (all the paths; the new table deleted) or ``MaskedCopyError``;
    any other error also deletes the new table first.  The source is only read.
    """
    if not HAS_BOTO3:
        raise MaskedCopyError("masked_copy_table needs boto3/botocore")
    if segments < 1 or writers < 1:
        raise ValueError("segments and writers must be >= 1")
    token(key, "")  # a bad key raises MaskingKeyError before any AWS call
    masker = ItemMasker(table_policy, key)

    started = time.monotonic()
    source = describe_table(source_client, source_table)
    if _table_exists(target_client, target_table):
        raise MaskedCopyError("the target table %s exists already: a masked copy only goes into a new table"
                              % target_table)
    _create_table(target_client, **new_table_params(source, target_table, kms_key_id, tags))
    result = {"source_table": source_table, "target_table": target_table, "items": 0, "written": 0,
              "segments": segments, "writers": writers, "pages": 0, "unclassified": []}
    try:
        _wait(target_client, target_table, "table_exists", timeout)
        created = time.monotonic()
        copy_figures = _copy(source_client, target_client, source_table, target_table, masker, segments, writers,
                             progress, consistent_read, page_limit)
        result.update(copy_figures)
        copied = time.monotonic()
        if masker.unclassified:
            found = classify({table_policy.name: table_policy}, {table_policy.name: sorted(masker.unclassified)})
            paths = [ref.field for ref in found.unclassified] or sorted(masker.unclassified)
            result["unclassified"] = paths
            raise UnclassifiedAttributesError(source_table, paths, result)
        if enable_pitr:
            _enable_pitr(target_client, target_table)
        ttl_attribute = _ttl_of(source_client, source_table) if copy_ttl else None
        if ttl_attribute:
            _enable_ttl(target_client, target_table, ttl_attribute)
        result["ttl_attribute"] = ttl_attribute
        finished = time.monotonic()
    except BaseException as error:
        result["target_deleted"] = delete_table(target_client, target_table, wait=True, timeout=timeout)
        if isinstance(error, MaskedCopyError):
            error.result = result
        raise
    result["target_deleted"] = False
    result["phases"] = {"create": round(created - started, 3), "copy": round(copied - created, 3),
                        "finish": round(finished - copied, 3)}
    result["seconds"] = round(finished - started, 3)
    result["items_per_second"] = round(result["items"] / max(finished - started, 1e-9), 1)
    return result


def _copy(source_client, target_client, source_table, target_table, masker, segments, writers, progress,
          consistent_read, page_limit):
    """The parallel scan -> mask -> write; returns the copy figures."""
    writer = _Writer(target_client, target_table)
    lock = threading.Lock()
    figures = {"scanned": 0, "written": 0, "pages": 0, "scan": 0.0, "mask": 0.0}
    in_flight = threading.BoundedSemaphore(writers * 4)
    errors = []
    write_pool = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="ddb-write")

    def write(batch):
        try:
            if not errors and not masker.unclassified:
                writer.write(batch)
        except BaseException as error:  # pylint: disable=broad-except
            errors.append(error)
        finally:
            in_flight.release()

    def scan_segment(segment):
        params = {"TableName": source_table, "Segment": segment, "TotalSegments": segments,
                  "ConsistentRead": consistent_read}
        if page_limit:
            params["Limit"] = page_limit
        while not errors:
            clock = time.monotonic()
            page = _scan_page(source_client, **params)
            scanned = time.monotonic()
            masked = [masker.mask(item) for item in page.get("Items", ())]
            masked_at = time.monotonic()
            with lock:
                figures["scanned"] += len(masked)
                figures["pages"] += 1
                figures["scan"] += scanned - clock
                figures["mask"] += masked_at - scanned
            if not masker.unclassified:  # from the first unclassified path on: classify only, write nothing
                for start in range(0, len(masked), BATCH_SIZE):
                    in_flight.acquire()
                    write_pool.submit(write, masked[start:start + BATCH_SIZE])
            with lock:
                snapshot = {"scanned": figures["scanned"], "written": writer.written}
            if progress is not None:
                progress(snapshot)
            if "LastEvaluatedKey" not in page:
                return
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    try:
        with ThreadPoolExecutor(max_workers=segments, thread_name_prefix="ddb-scan") as scan_pool:
            for future in [scan_pool.submit(scan_segment, segment) for segment in range(segments)]:
                try:
                    future.result()
                except BaseException as error:  # pylint: disable=broad-except
                    errors.append(error)
    finally:
        write_pool.shutdown(wait=True)
    if errors:
        raise errors[0]
    if not masker.unclassified and writer.written != figures["scanned"]:
        raise MaskedCopyError("%d item(s) scanned but %d written" % (figures["scanned"], writer.written))
    return {"items": figures["scanned"], "written": writer.written, "pages": figures["pages"],
            "batches": writer.batches, "unprocessed_retries": writer.retries,
            "unprocessed_items": writer.retried_items,
            "thread_seconds": {"scan": round(figures["scan"], 3), "mask": round(figures["mask"], 3),
                               "write": round(writer.seconds, 3)}}


# --- switching the environment to the new table ------------------------------------------------

@aws_retry(extra_codes=["TooManyUpdates"])
def get_parameter(ssm_client, name):
    try:
        return ssm_client.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm_client.exceptions.ParameterNotFound:
        return None


@aws_retry(extra_codes=["TooManyUpdates"])
def _put_parameter(ssm_client, name, value):
    ssm_client.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def switch_live_table(ssm_client, parameter_name, new_table, verification, dynamodb_client, remove_old=True,
                      timeout=600):
    """Point the environment's SSM parameter ``parameter_name`` at ``new_table``, then delete the table it
    named before.  Only with a passed verification (``verification["ok"]`` true, from
    masking_dynamodb_verify, for this very table): otherwise nothing changes and MaskedCopyError is
    raised.  Returns ``{"parameter", "old_table", "new_table", "old_table_deleted"}``."""
    if not verification or verification.get("ok") is not True or verification.get("target_table") != new_table:
        raise MaskedCopyError("refusing to switch %s to %s: the copy is not verified" % (parameter_name, new_table))
    old_table = get_parameter(ssm_client, parameter_name)
    if old_table != new_table:
        _put_parameter(ssm_client, parameter_name, new_table)
    deleted = False
    if remove_old and old_table and old_table != new_table:
        deleted = delete_table(dynamodb_client, old_table, wait=True, timeout=timeout)
    return {"parameter": parameter_name, "old_table": old_table, "new_table": new_table,
            "old_table_deleted": deleted}
