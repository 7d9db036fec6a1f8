# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The regions AWS has, from the partition data botocore ships (endpoints.json).

A region that only looks right ("eu-central-9") would pass a pattern and fail at the first API call, after the
calls of the other regions already landed; the spec is checked against this list before any call instead.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

_PARTITIONS = {}


def _load():
    if not _PARTITIONS:
        from botocore.loaders import create_loader  # botocore comes with every AWS module's boto3

        for partition in create_loader().load_data("endpoints")["partitions"]:
            for region in partition.get("regions", {}):
                _PARTITIONS[region] = partition["partition"]
    return _PARTITIONS


def partition_of(region):
    """The partition (aws, aws-cn, aws-us-gov...) of ``region``, None when AWS has no such region."""
    return _load().get(region)
