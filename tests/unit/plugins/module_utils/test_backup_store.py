# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils import backup_store


def test_keys_put_the_manifest_next_to_the_archive():
    assert backup_store.keys("postgres/app/", "20261123T0100Z") == (
        "postgres/app/20261123T0100Z/archive.dump", "postgres/app/20261123T0100Z/manifest.json")
    assert backup_store.keys("", "b1") == ("b1/archive.dump", "b1/manifest.json")


@pytest.mark.parametrize("prefix,backup_id,problem", [
    ("postgres/app/", "20261123T0100Z", None),
    ("", "b.1_x-2", None),
    ("postgres/app/", None, None),
    ("/postgres/", "b1", "prefix '/postgres/'"),
    ("postgres/app", "b1", "prefix 'postgres/app'"),
    ("postgres/", "../b1", "backup_id '../b1'"),
    ("postgres/", "a/b", "backup_id 'a/b'"),
    ("postgres/", "x" * 129, "backup_id"),
])
def test_locations(prefix, backup_id, problem):
    problems = backup_store.check_location(prefix, backup_id)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


def test_encryption_args():
    assert backup_store.encryption_args(None) == {}
    assert backup_store.encryption_args("arn:key") == {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "arn:key"}
