# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A masked refresh of one DynamoDB table of an environment, atomic through the SSM parameter naming it.

An environment's application finds a table through an SSM parameter (``/<env>/dynamodb/<name>``, written
by role envops.aws.tables) whose value is the live table.  A refresh never writes into the live table:

1. *recover*: tables of the family (``<base>`` and ``<base>.r<run>``) that the parameter does not name are
   leftovers of a killed run (a half copy, or the old live table of a run killed after the switch); they
   are deleted first, so a rerun always starts clean;
2. *copy* the source into ``<base>.r<run>``, masked (masking_dynamodb.masked_copy_table);
3. *verify* it with the independent verifier (masking_dynamodb_verify.verify_masked_copy);
4. *switch* the parameter to it, then delete the old live table (masking_dynamodb.switch_live_table).

A failure or a kill before 4 leaves the parameter and the live table untouched.  A rerun of the run that
already switched finds the parameter naming its table and changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb import MaskedCopyError
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb import get_parameter
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb import delete_table
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb import masked_copy_table
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb import switch_live_table
from ansible_collections.envops.aws.plugins.module_utils.masking_dynamodb_verify import verify_masked_copy

RUN_SEPARATOR = ".r"  # "." never occurs in the environment's own table names (<env>-<name>)
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


class TableRefreshError(MaskedCopyError):
    """A refresh that stopped; ``result`` holds what was done (no values)."""


def run_table_name(base_name, run_id):
    """The table a run copies into: ``<base>.r<run>``; ValueError for names DynamoDB would refuse."""
    if not _RUN_ID.fullmatch(run_id or ""):
        raise ValueError("run id %r: 1-64 characters of letters, digits, '_' and '-'" % (run_id,))
    name = "%s%s%s" % (base_name, RUN_SEPARATOR, run_id)
    if RUN_SEPARATOR in base_name or not _TABLE_NAME.fullmatch(name):
        raise ValueError("table name %r: 3-255 characters of letters, digits, '_', '-', '.', and the base "
                         "name without %r" % (name, RUN_SEPARATOR))
    return name


def family_leftovers(table_names, base_name, live_table, new_table=None):
    """Tables of the family of ``base_name`` (itself and its run copies) other than the live one, sorted.

    ``new_table`` is a leftover too unless it is live: a table of this very run that the parameter does not
    name was left by a killed attempt and is copied again from the start."""
    family = [name for name in table_names
              if name == base_name or name.startswith(base_name + RUN_SEPARATOR)]
    leftovers = [name for name in family if name != live_table]
    if new_table and new_table != live_table and new_table not in leftovers and new_table in table_names:
        leftovers.append(new_table)
    return sorted(leftovers)


def live_table_of(ssm_client, parameter_name, table_names, base_name):
    """The table the parameter names; without the parameter, the base table when it exists (an estate
    provisioned before the parameter existed), else None."""
    value = get_parameter(ssm_client, parameter_name)
    if value:
        return value
    return base_name if base_name in table_names else None


@aws_retry()
def list_tables(client):
    names = []
    for page in client.get_paginator("list_tables").paginate():
        names.extend(page.get("TableNames", []))
    return names


def plan_table_refresh(ssm_client, dynamodb_client, parameter_name, base_name, run_id):
    """What a refresh would do, read only: ``{"parameter", "live_table", "new_table", "leftovers", "done"}``."""
    new_table = run_table_name(base_name, run_id)
    tables = list_tables(dynamodb_client)
    live = live_table_of(ssm_client, parameter_name, tables, base_name)
    return {"parameter": parameter_name, "live_table": live, "new_table": new_table, "done": live == new_table,
            "leftovers": family_leftovers(tables, base_name, live, new_table)}


def refresh_table(source_client, target_client, ssm_client, source_table, parameter_name, base_name, run_id,
                  table_policy, key, kms_key_id=None, tags=None, segments=8, writers=8, progress=None,
                  timeout=600):
    """Run steps 1-4 of the module doc; returns ``{"changed", "parameter", "live_table", "new_table",
    "recovered", "copy", "verification", "switch", "seconds"}``.  Raises TableRefreshError (with ``result``)
    when the copy or the verification fails: the new table is gone then, the live one untouched."""
    started = time.monotonic()
    plan = plan_table_refresh(ssm_client, target_client, parameter_name, base_name, run_id)
    result = {"changed": False, "parameter": parameter_name, "live_table": plan["live_table"],
              "new_table": plan["new_table"], "recovered": [], "copy": {}, "verification": {}, "switch": {}}
    for leftover in plan["leftovers"]:
        if delete_table(target_client, leftover, wait=True, timeout=timeout):
            result["recovered"].append(leftover)
            result["changed"] = True
    if plan["done"]:
        result["seconds"] = round(time.monotonic() - started, 3)
        return result

    result["changed"] = True
    try:
        result["copy"] = masked_copy_table(source_client, target_client, source_table, plan["new_table"],
                                           table_policy, key, segments=segments, writers=writers,
                                           progress=progress, kms_key_id=kms_key_id, tags=tags, timeout=timeout)
    except MaskedCopyError as error:
        result["copy"] = error.result or {}
        raise TableRefreshError("masked copy of %s failed: %s" % (source_table, error), result)
    verification = verify_masked_copy(source_client, target_client, source_table, plan["new_table"], table_policy,
                                      key, segments=segments)
    result["verification"] = verification
    if not verification.get("ok"):
        delete_table(target_client, plan["new_table"], wait=True, timeout=timeout)
        raise TableRefreshError("verification of %s failed (%s); the new table is deleted, %s still names %s"
                                % (plan["new_table"], "; ".join(verification.get("problems", [])[:5]),
                                   parameter_name, plan["live_table"]), result)
    result["switch"] = switch_live_table(ssm_client, parameter_name, plan["new_table"], verification,
                                         target_client, remove_old=True, timeout=timeout)
    result["live_table"] = plan["new_table"]
    result["seconds"] = round(time.monotonic() - started, 3)
    return result
