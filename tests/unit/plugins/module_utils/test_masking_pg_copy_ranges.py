# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import block_ranges
from ansible_collections.envops.aws.plugins.module_utils.masking_pg_copy import range_condition

MB = 1024 * 1024


def test_small_tables_and_one_job_go_whole():
    assert block_ranges(1 * MB, 8192, 2) == [(None, None)]
    assert block_ranges(500 * MB, 8192, 1) == [(None, None)]
    assert block_ranges(8192, 8192, 2, min_bytes=0) == [(None, None)]  # fewer blocks than jobs


def test_big_tables_split_into_ranges_open_at_both_ends():
    blocks = 100 * MB // 8192
    assert block_ranges(100 * MB, 8192, 2) == [(None, blocks // 2), (blocks // 2, None)]
    three = block_ranges(100 * MB, 8192, 3)
    assert [three[0][0], three[-1][1]] == [None, None]
    assert all(three[index][1] == three[index + 1][0] for index in range(2)), "adjacent, no gap, no overlap"


def test_range_conditions():
    assert range_condition((None, None)) == ""
    assert range_condition((None, 10)) == "ctid < '(10,0)'::tid"
    assert range_condition((10, None)) == "ctid >= '(10,0)'::tid"
    assert range_condition((10, 20)) == "ctid >= '(10,0)'::tid AND ctid < '(20,0)'::tid"
