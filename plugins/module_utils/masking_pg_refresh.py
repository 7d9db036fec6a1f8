# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refresh one PostgreSQL database with masked data, atomically: the target keeps its old data until the
masked copy is verified, and a run killed at any step is finished or undone by the next run.

On one server (the target's), for the target database ``<db>`` and a run id ``<run>``:

1. recover: leftovers of earlier runs are cleaned up first (see ``recover``);
2. ``<db>__refresh_<run>`` is created empty and filled by masking_pg_copy.masked_copy from the source;
3. masking_pg_verify.verify_masked_copy compares it with the source: on any failure it is dropped and the
   target is left as it was;
4. it is marked verified (``COMMENT ON DATABASE``), then swapped in: ``<db>`` is renamed ``<db>__old_<run>``,
   ``<db>__refresh_<run>`` is renamed ``<db>``, and the old one is dropped.

``recover`` (run at the start of every refresh) sees where a killed run stopped: with ``<db>`` present, every
``__refresh_`` and ``__old_`` leftover is dropped (a swap that finished, or a copy that never did); with
``<db>`` missing (killed between the two renames), a verified ``__refresh_`` copy becomes ``<db>``, else the
``__old_`` one is renamed back.  ``ALTER DATABASE ... RENAME`` is transactional, so each rename either happened
or not.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import classify_source
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import masked_copy
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_verify import verify_masked_copy
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import MaskingPolicy
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy

if pg_copy_stream.HAS_PSYCOPG:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import make_conninfo

REFRESH_INFIX = "__refresh_"
OLD_INFIX = "__old_"
VERIFIED_MARK = "envops:verified:"
RUN_ID_PATTERN = re.compile(r"^[a-z0-9]{1,20}$")
MAX_IDENTIFIER = 63


class RefreshError(RuntimeError):
    """A refresh that stopped; ``report`` holds what was done and found (no values)."""

    def __init__(self, message, report=None):
        super(RefreshError, self).__init__(message)
        self.report = report or {}


def names(database, run_id):
    """The scratch and old names of ``database`` for ``run_id``."""
    if not RUN_ID_PATTERN.match(run_id):
        raise RefreshError("run id %r: 1 to 20 lowercase letters and digits" % run_id)
    scratch, old = database + REFRESH_INFIX + run_id, database + OLD_INFIX + run_id
    if len(old) > MAX_IDENTIFIER or len(scratch) > MAX_IDENTIFIER:
        raise RefreshError("database name %r is too long for the refresh's scratch names" % database)
    return scratch, old


def _databases(admin, database):
    """{name: comment} of ``database`` and its leftovers."""
    pattern = database.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
    rows = admin.execute(
        "SELECT d.datname, shobj_description(d.oid, 'pg_database') FROM pg_database d "
        "WHERE d.datname = %s OR d.datname LIKE %s OR d.datname LIKE %s",
        (database, pattern + "\\_\\_refresh\\_%", pattern + "\\_\\_old\\_%")).fetchall()
    return dict(rows)


def _drop(admin, name):
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _rename(admin, old, new):
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                  "pg_backend_pid()", (old,))
    admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new)))


def recover(admin, database):
    """Clean up after earlier runs of ``database`` (module doc); returns what was done, as sentences."""
    found = _databases(admin, database)
    done = []
    leftovers = sorted(name for name in found if name != database)
    if database not in found:
        verified = [name for name in leftovers if REFRESH_INFIX in name
                    and (found[name] or "").startswith(VERIFIED_MARK)]
        olds = [name for name in leftovers if OLD_INFIX in name]
        if verified:
            _rename(admin, verified[-1], database)
            done.append("finished the swap of an interrupted run: %s is now %s" % (verified[-1], database))
        elif olds:
            _rename(admin, olds[-1], database)
            done.append("undid an interrupted swap: %s is %s again" % (olds[-1], database))
        leftovers = [name for name in leftovers if name not in (verified[-1:] if verified else olds[-1:])]
    for name in leftovers:
        _drop(admin, name)
        done.append("dropped the leftover %s" % name)
    return done


def plan_refresh(admin_conninfo, source_conninfo, database, policy, run_id, jobs=1):
    """Read only, what a refresh would meet (check mode): ``{"target_exists", "leftovers", "unclassified",
    "problems", "stale"}`` (see masking_pg_copy.classify_source); leftovers are the scratch and old databases of
    earlier runs that ``recover`` would handle."""
    names(database, run_id)
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        found = _databases(admin, database)
    plan = {"target_exists": database in found, "leftovers": sorted(name for name in found if name != database)}
    plan.update(classify_source(source_conninfo, policy, jobs))
    return plan


def refresh_database(admin_conninfo, source_conninfo, database, policy, key, run_id, jobs=1, progress=None,
                     verify_progress=None):
    """Refresh ``database`` (on the server of ``admin_conninfo``) from ``source_conninfo`` (module doc).

    Returns the report: ``recovered``, ``copy`` (masked_copy figures), ``verification`` and ``swapped``.
    Raises RefreshError with the report when verification fails (the target is untouched).
    """
    pg_copy_stream.require_psycopg()
    scratch, old = names(database, run_id)
    policy = policy if isinstance(policy, MaskingPolicy) else load_policy(policy)
    report = {"database": database, "run_id": run_id, "swapped": False}
    # The source is only read: nothing, not even an extension, is created there, whether it is the scratch copy
    # or, by mistake, production itself (without pgcrypto the copy computes the same HMAC from sha256).
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        report["recovered"] = recover(admin, database)
        existed = database in _databases(admin, database)
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(scratch)))
        scratch_conninfo = make_conninfo(admin_conninfo, dbname=scratch)
        try:
            report["copy"] = masked_copy(source_conninfo, scratch_conninfo, policy, key, progress=progress, jobs=jobs)
            report["verification"] = verify_masked_copy(source_conninfo, scratch_conninfo, policy,
                                                        progress=verify_progress, jobs=jobs)
        except Exception:
            _drop(admin, scratch)
            raise
        if not report["verification"]["passed"]:
            _drop(admin, scratch)
            raise RefreshError("verification failed, %s keeps its data: %s" % (
                database, "; ".join(report["verification"]["failures"])), report)
        admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
            sql.Identifier(scratch), sql.Literal(VERIFIED_MARK + run_id)))
        if existed:
            _rename(admin, database, old)
        _rename(admin, scratch, database)
        admin.execute(sql.SQL("COMMENT ON DATABASE {} IS NULL").format(sql.Identifier(database)))
        if existed:
            _drop(admin, old)
        report["swapped"] = True
    return report
