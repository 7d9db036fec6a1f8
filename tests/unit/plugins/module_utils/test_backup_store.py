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


def _s3_with_backups(manifests):
    """An S3 client stubbed to list the backups of ``manifests`` (id -> manifest) and read each manifest once."""
    import io
    import json

    import boto3
    from botocore.response import StreamingBody
    from botocore.stub import Stubber

    client = boto3.client("s3", region_name="eu-west-1", aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="not-a-secret")
    stubber = Stubber(client)
    contents = [{"Key": "postgres/app/%s/%s" % (backup_id, name)} for backup_id in manifests
                for name in (backup_store.ARCHIVE, backup_store.MANIFEST)]
    stubber.add_response("list_objects_v2", {"Contents": contents, "IsTruncated": False},
                         {"Bucket": "backups", "Prefix": "postgres/app/"})
    for backup_id in sorted(manifests):
        body = json.dumps(manifests[backup_id]).encode()
        stubber.add_response("get_object", {"Body": StreamingBody(io.BytesIO(body), len(body))},
                             {"Bucket": "backups", "Key": "postgres/app/%s/manifest.json" % backup_id})
    stubber.activate()
    return client, stubber


MANIFESTS = {"b1": {"created_at": "2026-12-07T01:00:00+00:00"}, "b2": {"created_at": "2026-12-07T02:00:00+00:00"},
             "b3": {"created_at": "2026-12-07T03:00:00+00:00"}}


@pytest.mark.parametrize("created_before,expected", [
    (None, "b3"),
    ("2026-12-07T02:00:00+00:00", "b2"),   # at the moment counts
    ("2026-12-07T02:59:59+00:00", "b2"),
    ("2026-12-07T00:59:59+00:00", None),
])
def test_latest_backup_created_by_a_moment(created_before, expected):
    from datetime import datetime

    client, stubber = _s3_with_backups(MANIFESTS)
    moment = datetime.fromisoformat(created_before) if created_before else None
    backup_id, manifest = backup_store.latest_backup(client, "backups", "postgres/app/", created_before=moment)
    assert backup_id == expected and manifest == MANIFESTS.get(expected)
    stubber.assert_no_pending_responses()
