#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: pg_masked_refresh
short_description: Refresh a PostgreSQL database with masked data from a source database, verified and atomic
version_added: 0.1.0
description:
  - Copies every table of the source database into a new scratch database next to the target, each column
    masked by the rules of O(policy) in SQL (keyed HMAC-SHA256 with pgcrypto), inside the copy stream so personal
    data never lands on the target server.
  - Fails closed before anything is created when a column or JSON path of the source has no entry in the policy,
    or when the policy names a table or column the source does not have, a rule that does not fit its column
    type or a related row the source cannot join, listing every one of them with its table, column and rule.
  - With O(policy_check_only), checks only the policy against the source's catalog (no row is read, the target is
    not contacted), so a run can refuse an incomplete policy before it creates anything.
  - Verifies the masked copy against the source independently of the masking code (unchanged values, pseudonyms
    found in the source, the shape of each rule, own PII left in free text, row counts, foreign-key orphans,
    constraints, k-anonymity of the quasi-identifiers); on any failure the scratch database is dropped and the
    target keeps its data.
  - Then swaps the verified copy in by renaming databases. Leftovers of a run killed at any step are finished or
    undone first, so a rerun always completes.
  - Never writes to the source, not even an extension. The keyed hashes use pgcrypto when the source has it, else
    the same HMAC-SHA256 from PostgreSQL's built-in C(sha256).
  - Free text (C(scrub)) also loses the PII of the rows it refers to by foreign key (C(related) on the rule) and
    every word that is a value of a column the policy classifies as a name.
  - Makes no AWS call. On AWS it runs against the scratch instance restored from the production snapshot.
author:
  - envops maintainers (@envops)
requirements:
  - psycopg >= 3.1
  - pg_dump and psql of the server's major version (on PATH, or O(pg_bin))
options:
  maintenance_db:
    description: Database of the target server used to create, rename and drop databases.
    type: str
    default: postgres
  policy:
    description: The masking policy (inventory variable C(envops_masking_policy)); its C(postgresql) section is used.
    type: dict
    required: true
  policy_check_only:
    description:
      - Only check the policy against the catalog of O(source), in a read-only transaction, and fail naming every
        unclassified column and every policy entry the source contradicts. No row is read (JSON paths inside
        documents are checked when the copy runs), O(target) is not contacted, nothing is changed.
    type: bool
    default: false
  run_id:
    description:
      - Id of this refresh (lowercase letters and digits), part of the scratch database names.
      - Required unless O(policy_check_only), as are O(key) or O(key_secret).
    type: str
  jobs:
    description: Tables (or block ranges of big tables) copied, and tables verified, at the same time.
    type: int
    default: 2
  progress_file:
    description: File to append a progress line to per table (rows, rows/s, ETA) while the copy runs.
    type: path
  pg_bin:
    description: Directory of pg_dump and psql.
    type: path
attributes:
  check_mode:
    description:
      - Reads, changes nothing. Classifies the source against the policy (fails with every unclassified field, as
        a run would) and returns the leftovers of earlier runs a run would clean up (RV(recovered)).
    support: full
  diff_mode:
    description: Databases are replaced whole; there is no diff.
    support: none
extends_documentation_fragment:
  - envops.aws.postgres.source_target
  - envops.aws.masking_key
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - envops.aws.attributes.platform
"""

EXAMPLES = r"""
- name: Refresh staging's database with masked production data
  envops.aws.pg_masked_refresh:
    source:  # the scratch instance restored from a snapshot of prod, with a password of this run
      host: "{{ scratch_instance.endpoint.address }}"
      port: "{{ scratch_instance.endpoint.port }}"
      user: "{{ scratch_instance.master_username }}"
      password: "{{ scratch_password }}"
      dbname: app
      ca_bundle: /etc/ssl/rds/global-bundle.pem
    target:
      rds_instance_identifier: staging-postgres
      secret_id: envops/staging/database/master
      ca_bundle: /etc/ssl/rds/global-bundle.pem
    policy: "{{ envops_masking_policy }}"
    key_secret:  # read by the module in prod's account
      secret_id: envops/masking/key
      region: eu-west-1
    run_id: "{{ refresh_run_id }}"
  no_log: false  # the key is never a variable, passwords are no_log options

- name: Refuse a policy the live source's catalog contradicts, before anything is created (reads no row)
  envops.aws.pg_masked_refresh:
    source:
      rds_instance_identifier: prod-postgres
      secret_id: envops/prod/database/master
      dbname: app
      ca_bundle: /etc/ssl/rds/global-bundle.pem
    target:
      rds_instance_identifier: staging-postgres
      secret_id: envops/staging/database/master
    policy: "{{ envops_masking_policy }}"
    policy_check_only: true
"""

RETURN = r"""
recovered:
  description: What was cleaned up from earlier runs, as sentences; in check mode the leftover databases a run would handle.
  returned: always
  type: list
  elements: str
leftovers:
  description: Scratch and old databases of earlier runs.
  returned: in check mode
  type: list
  elements: str
target_exists:
  description: Whether the target database exists.
  returned: in check mode
  type: bool
unclassified:
  description: Fields (C(schema.table.column), JSON paths included) of the source without an entry in the policy.
  returned: in check mode, with O(policy_check_only), and when a run stops on them
  type: list
  elements: str
problems:
  description:
    - Policy entries the source contradicts, each naming table, column and rule (no such table or column, a rule
      that does not fit the column type, a related row the source cannot join).
  returned: in check mode, with O(policy_check_only), and when a run stops on them
  type: list
  elements: str
stale:
  description: JSON paths of the policy found in no document of the source.
  returned: in check mode
  type: list
  elements: str
copy:
  description: Figures of the masked copy (rows, bytes, seconds, rows_per_s per table, phases, warnings, policy_hash).
  returned: success
  type: dict
verification:
  description:
    - The verifier's report (passed, failures, figures per table); no values.
    - C(leak_scan) sums up the scan of every clear text, JSON and array column for source PII values and PII shapes;
      C(exceptions) lists the policy's reviewed exceptions (field, reason, approver, expires, in force, the findings
      they covered).
  returned: when the copy finished
  type: dict
swapped:
  description: Whether the verified copy replaced the target database.
  returned: always
  type: bool
"""

import time

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import pg_copy_stream
from ansible_collections.envops.aws.plugins.module_utils.masking_key import KEY_SECRET_OPTIONS
from ansible_collections.envops.aws.plugins.module_utils.masking_key import masking_key
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import MaskingCopyError
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import classify_source
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_refresh import RefreshError
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_refresh import plan_refresh
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_refresh import refresh_database
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import MaskingPolicyError
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import load_policy
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import conninfo
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import connection_options
from ansible_collections.envops.aws.plugins.module_utils.pg_connection import resolve_connection


def progress_writer(path):
    if not path:
        return None

    def write(table, rows_done, rows_total, rows_per_s, eta_s):
        with open(path, "a") as progress:
            progress.write("%s %s: %d/%d rows, %d rows/s, ETA %ds\n" % (
                time.strftime("%H:%M:%S"), table, rows_done, max(rows_total, rows_done), rows_per_s or 0,
                eta_s or 0))
    return write


def refusal(opening, found):
    """One message listing every unclassified field and every problem of the policy against the source."""
    lines = ["unclassified (give it a rule in envops_masking_policy.postgresql): %s" % field
             for field in found["unclassified"]] + list(found["problems"])
    return "%s: %d problem(s) of the masking policy against the source:\n  - %s" % (
        opening, len(lines), "\n  - ".join(lines))


def check_policy(module, source, policy):
    """policy_check_only: the catalog of the source against the policy, read-only; exits or fails."""
    try:
        found = classify_source(source, policy, catalog_only=True)
    except Exception as error:  # pylint: disable=broad-except  # psycopg errors: connection, permissions
        module.fail_json(msg="cannot read the catalog of the source: %s" % error)
    if found["unclassified"] or found["problems"]:
        module.fail_json(msg=refusal("refused before any copy", found), **found)
    module.exit_json(changed=False, swapped=False, recovered=[], **found)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            source=dict(type="dict", required=True, options=connection_options()),
            target=dict(type="dict", required=True, options=connection_options()),
            maintenance_db=dict(type="str", default="postgres"),
            policy=dict(type="dict", required=True),
            policy_check_only=dict(type="bool", default=False),
            key=dict(type="str", no_log=True),
            key_secret=dict(type="dict", no_log=False, options=KEY_SECRET_OPTIONS),  # its keys are no_log
            run_id=dict(type="str"),
            jobs=dict(type="int", default=2),
            progress_file=dict(type="path"),
            pg_bin=dict(type="path"),
        ),
        supports_check_mode=True,
        mutually_exclusive=[("key", "key_secret")],
        required_if=[("policy_check_only", False, ("key", "key_secret"), True),
                     ("policy_check_only", False, ("run_id",))],
    )
    if not pg_copy_stream.HAS_PSYCOPG:
        module.fail_json(msg=missing_required_lib("psycopg"), exception=str(pg_copy_stream.PSYCOPG_IMPORT_ERROR))
    params = module.params
    try:
        policy = load_policy(params["policy"])
    except MaskingPolicyError as error:
        module.fail_json(msg="the masking policy is not valid: %s" % error)
    source = conninfo(resolve_connection(module, params["source"], "source"))
    if params["policy_check_only"]:
        check_policy(module, source, policy)
    key = masking_key(module)
    target = resolve_connection(module, params["target"], "target")
    database = target["dbname"]
    admin = conninfo(target, params["maintenance_db"])
    try:
        if module.check_mode:
            plan = plan_refresh(admin, source, database, policy, params["run_id"],
                                jobs=params["jobs"])
            if plan["unclassified"] or plan["problems"]:
                module.fail_json(msg=refusal("the refresh would stop", plan), **plan)
            module.exit_json(changed=True, swapped=False, recovered=plan["leftovers"], **plan)
        report = refresh_database(admin, source, database, policy,
                                  key, params["run_id"], jobs=params["jobs"],
                                  progress=progress_writer(params["progress_file"]))
    except RefreshError as error:
        module.fail_json(msg=str(error), **error.report)
    except MaskingCopyError as error:
        module.fail_json(msg=str(error), unclassified=error.unclassified, problems=error.problems)
    except pg_copy_stream.PgCopyError as error:
        module.fail_json(msg=str(error))
    except Exception as error:  # pylint: disable=broad-except  # psycopg errors: connection, permissions
        module.fail_json(msg="refresh of %s failed: %s" % (database, error))
    module.exit_json(changed=True, **report)


if __name__ == "__main__":
    main()
