# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.envops.aws.plugins.module_utils.pg_logical_backup import compare_fingerprints


def test_the_comparison_names_every_difference_by_table_and_count():
    backup = {"public.a": {"rows": 3, "checksum": "1"}, "public.b": {"rows": 2, "checksum": "5"},
              "public.c": {"rows": 4, "checksum": "9"}, "public.gone": {"rows": 1, "checksum": "2"}}
    restored = {"public.a": {"rows": 3, "checksum": "1"}, "public.b": {"rows": 2, "checksum": "6"},
                "public.c": {"rows": 5, "checksum": "9"}, "public.new": {"rows": 0, "checksum": "0"}}
    problems, tables = compare_fingerprints(backup, restored)
    assert problems == ["table public.b differs from the backup (same row count, other checksum)",
                        "table public.c has 5 rows, the backup 4",
                        "table public.gone is missing (1 rows in the backup)",
                        "table public.new is not in the backup"]
    assert tables == {"public.a": {"rows": 3, "backup_rows": 3, "matches": True},
                      "public.b": {"rows": 2, "backup_rows": 2, "matches": False},
                      "public.c": {"rows": 5, "backup_rows": 4, "matches": False},
                      "public.gone": {"rows": None, "backup_rows": 1, "matches": False},
                      "public.new": {"rows": 0, "backup_rows": None, "matches": False}}
    assert compare_fingerprints(backup, backup)[0] == []
