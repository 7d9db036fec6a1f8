# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a DR drill (role dr_drill) restores, and what it gathers from the results of its restore tasks.

``scratch_tables`` and ``critical_buckets`` plan the drill; ``s3_stores``, ``table_rows`` and ``bucket_rows`` turn
the registered results of the looped restore tasks (Ansible's ``results``, one per item, in loop order) into the
stores measured by drill_measure and the rows of the report.  A loop that did not run (a store left out, or a drill
that failed before it) gives no results: the stores then have no markers, nothing found and no validation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def scratch_tables(env_name, spec_tables, marker_table, live_tables, prefix):
    """``[{"name", "source", "restore_into"}]``: each spec table, then the marker table; ``source`` is the live table
    the environment's parameter names (``live_tables``: spec name -> table), else ``<env>-<name>``."""
    names = list(spec_tables) + [marker_table]
    return [{"name": name, "source": (live_tables or {}).get(name) or "%s-%s" % (env_name, name),
             "restore_into": prefix + name} for name in names]


def critical_buckets(buckets, bucket_name):
    """``[{"purpose", "bucket"}]`` of the spec's critical buckets (those replicated to the DR region);
    ``bucket_name(purpose)`` names each."""
    return [{"purpose": bucket["purpose"], "bucket": bucket_name(bucket["purpose"])}
            for bucket in buckets or [] if bucket.get("critical")]


def _nth(results, index):
    return results[index] if index < len(results or []) else {}


def s3_stores(buckets, restores, before, after, validated_at):
    """One store per bucket (``s3 <purpose>``): the markers read before the drill, the ids found in the restored
    objects, and ``validated_at`` when that bucket's restore validated (else None)."""
    stores = []
    for index, bucket in enumerate(buckets):
        validated = _nth(restores, index).get("validated", False)
        stores.append({"store": "s3 %s" % bucket["purpose"],
                       "markers": _nth(before, index).get("markers") or [],
                       "found": [marker["id"] for marker in _nth(after, index).get("markers") or []],
                       "validated_at": validated_at if validated else None})
    return stores


def table_rows(restores):
    """The report's DynamoDB rows: live and restored table, the restored digest and the live one now."""
    return [{"live": result["item"]["source"], "restored": result["table"]["name"], "digest": result["digest"],
             "live_now": result.get("source_digest")} for result in restores or [] if "digest" in result]


def bucket_rows(restores, point, scratch):
    """The report's S3 rows: bucket, restore point, where the objects were restored, validation and summary."""
    return [{"bucket": result["item"]["bucket"], "point": point, "restored_under": scratch,
             "validated": result.get("validated"), "summary": result["summary"]}
            for result in restores or [] if "summary" in result]
