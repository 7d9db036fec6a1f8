# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where logical backups live in S3: ``<prefix><backup_id>/archive.dump`` and ``<prefix><backup_id>/manifest.json``.

The manifest is written last, so a backup is complete exactly when its manifest exists; a run killed during the
upload leaves an archive without a manifest, which no restore picks and the next run of the same id overwrites.
Both objects are encrypted with the given KMS key (SSE-KMS), else the bucket's default encryption applies.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
from datetime import datetime
from datetime import timezone

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

ARCHIVE = "archive.dump"
MANIFEST = "manifest.json"
_BACKUP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def check_location(prefix, backup_id):
    """Problems of a prefix / backup id (before any AWS call)."""
    problems = []
    if prefix and (prefix.startswith("/") or not prefix.endswith("/")):
        problems.append("prefix %r: no leading '/', and end it with '/'" % prefix)
    if backup_id is not None and not _BACKUP_ID.match(backup_id):
        problems.append("backup_id %r: 1-128 letters, digits, '_', '-' or '.', a letter or digit first" % backup_id)
    return problems


def keys(prefix, backup_id):
    folder = "%s%s/" % (prefix or "", backup_id)
    return folder + ARCHIVE, folder + MANIFEST


def encryption_args(kms_key_id):
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id else {}


@aws_retry()
def _get(client, bucket, key):
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


def read_manifest(client, bucket, prefix, backup_id):
    """The manifest of a complete backup, or None."""
    try:
        return json.loads(_get(client, bucket, keys(prefix, backup_id)[1]))
    except is_boto3_error_code(["NoSuchKey", "404"]):
        return None


@aws_retry()
def _list(client, **params):
    return client.list_objects_v2(**params)


def backup_ids(client, bucket, prefix):
    """Ids of the complete backups under ``prefix`` (those with a manifest), sorted."""
    found, params = [], {"Bucket": bucket, "Prefix": prefix or ""}
    while True:
        page = _list(client, **params)
        for entry in page.get("Contents", []):
            rest = entry["Key"][len(prefix or ""):]
            if rest.count("/") == 1 and rest.endswith("/" + MANIFEST):
                found.append(rest.split("/", 1)[0])
        if not page.get("IsTruncated"):
            return sorted(found)
        params["ContinuationToken"] = page["NextContinuationToken"]


def latest_backup(client, bucket, prefix, created_before=None):
    """(backup id, manifest) of the complete backup created last under ``prefix``, or (None, None); with
    ``created_before`` (an aware datetime) the last one created at or before it."""
    best = (None, None)
    for backup_id in backup_ids(client, bucket, prefix):
        manifest = read_manifest(client, bucket, prefix, backup_id)
        if not manifest or (created_before is not None and not _created_by(manifest, created_before)):
            continue
        if best[1] is None or manifest.get("created_at", "") > best[1].get("created_at", ""):
            best = (backup_id, manifest)
    return best


def _created_by(manifest, moment):
    try:
        created = datetime.fromisoformat(str(manifest.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        return False  # a manifest without a readable time cannot be placed before anything
    return (created if created.tzinfo else created.replace(tzinfo=timezone.utc)) <= moment


def upload(client, bucket, prefix, backup_id, archive_path, manifest, kms_key_id=None):
    """Archive first, manifest last; returns the two keys."""
    archive_key, manifest_key = keys(prefix, backup_id)
    extra = encryption_args(kms_key_id)
    client.upload_file(str(archive_path), bucket, archive_key, ExtraArgs=dict(extra) or None)
    _put(client, Bucket=bucket, Key=manifest_key, Body=json.dumps(manifest, indent=2, sort_keys=True).encode(),
         ContentType="application/json", **extra)
    return archive_key, manifest_key


@aws_retry()
def _put(client, **params):
    client.put_object(**params)


def download_archive(client, bucket, prefix, backup_id, path):
    client.download_file(bucket, keys(prefix, backup_id)[0], str(path))
