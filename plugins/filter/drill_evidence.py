# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: drill_evidence
short_description: The S3 stores and the report rows of a DR drill, from the results of its restore tasks
version_added: 0.1.0
description:
  - Turns the registered results of the looped restore tasks of role C(dr_drill) (one per item, in loop order) into
    the S3 stores that filter C(drill_result) measures and the DynamoDB and S3 rows of the report. A loop that did
    not run gives stores without markers, found ids or validation. See module_utils C(drill_plan).
options:
  _input:
    description:
      - C(buckets) (the drill's buckets, as C(drill_plan) gives them, or none when S3 is left out),
        C(s3_restores), C(s3_markers), C(s3_restored_markers), C(table_restores) (registered C(results) lists),
        C(s3_validated_at) (UTC ISO 8601), C(s3_point) and C(s3_scratch).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Gather what the restores showed
  ansible.builtin.set_fact:
    evidence: >-
      {{ {'buckets': drill_buckets, 's3_restores': s3_restores.results, 's3_markers': s3_markers.results,
          's3_restored_markers': s3_restored_markers.results, 's3_validated_at': s3_validated_at,
          's3_point': s3_point, 's3_scratch': s3_scratch, 'table_restores': table_restores.results}
         | envops.aws.drill_evidence }}
"""

RETURN = r"""
_value:
  description: C(s3_stores) (store, markers, found, validated_at), C(tables) (live, restored, digest, live_now) and
    C(buckets) (bucket, point, restored_under, validated, summary).
  type: dict
"""

from ansible_collections.envops.aws.plugins.module_utils.drill_plan import bucket_rows
from ansible_collections.envops.aws.plugins.module_utils.drill_plan import s3_stores
from ansible_collections.envops.aws.plugins.module_utils.drill_plan import table_rows


def drill_evidence(results):
    restores = results.get("s3_restores") or []
    return {"s3_stores": s3_stores(results.get("buckets") or [], restores, results.get("s3_markers") or [],
                                   results.get("s3_restored_markers") or [], results.get("s3_validated_at")),
            "tables": table_rows(results.get("table_restores")),
            "buckets": bucket_rows(restores, results.get("s3_point"), results.get("s3_scratch"))}


class FilterModule(object):
    def filters(self):
        return {"drill_evidence": drill_evidence}
