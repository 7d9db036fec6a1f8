# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Objects of a versioned S3 bucket back as they were at a point in time.

The state at a time T is, per key, the newest version or delete marker written at or before T (none: the key did
not exist). A restore copies that version to the target key, where it becomes the current version, and deletes
the keys that did not exist at T. In place (target prefix = source prefix) nothing is lost: the replaced versions
stay as noncurrent versions and a delete only adds a delete marker. A key whose current object already has the
wanted content (same ETag) is left alone, so a second run changes nothing.

The plan and the check of the result are pure; the calls below them retry with backoff.
"""

from datetime import datetime
from typing import Any
from typing import Dict
from typing import Iterable
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry

Entry = Dict[str, Any]


def _entries(versions: Iterable[Entry], markers: Iterable[Entry]) -> List[Entry]:
    entries = []
    for version in versions:
        entries.append({"key": version["Key"], "version_id": version.get("VersionId"), "etag": version.get("ETag"),
                        "size": version.get("Size"), "modified": version["LastModified"],
                        "latest": version.get("IsLatest", False), "deleted": False})
    for marker in markers:
        entries.append({"key": marker["Key"], "version_id": marker.get("VersionId"), "etag": None, "size": None,
                        "modified": marker["LastModified"], "latest": marker.get("IsLatest", False),
                        "deleted": True})
    return entries


def state_at(versions: Iterable[Entry], markers: Iterable[Entry], point: datetime) -> Dict[str, Optional[Entry]]:
    """Per key seen, the version that was current at ``point``; None where the key was deleted or not yet written.

    Among entries of the same second the one S3 lists as latest, then a version over a marker, wins, because
    listings give times in whole seconds."""
    state: Dict[str, Optional[Entry]] = {}
    newest: Dict[str, Tuple[datetime, bool, bool]] = {}
    for entry in _entries(versions, markers):
        key = entry["key"]
        state.setdefault(key, None)
        if entry["modified"] > point:
            continue
        rank = (entry["modified"], entry["latest"], not entry["deleted"])
        if key not in newest or rank > newest[key]:
            newest[key] = rank
            state[key] = None if entry["deleted"] else entry
    return state


def current_state(versions: Iterable[Entry], markers: Iterable[Entry]) -> Dict[str, Optional[Entry]]:
    """Per key seen, its current version; None where a delete marker is current."""
    state: Dict[str, Optional[Entry]] = {}
    for entry in _entries(versions, markers):
        state.setdefault(entry["key"], None)
        if entry["latest"]:
            state[entry["key"]] = None if entry["deleted"] else entry
    return state


def target_key(key: str, prefix: str, target_prefix: str) -> str:
    return target_prefix + key[len(prefix):]


def plan_restore(wanted: Dict[str, Optional[Entry]], current: Dict[str, Optional[Entry]], prefix: str,
                 target_prefix: str) -> List[Dict[str, Any]]:
    """The copies and deletes that make the target look like ``wanted``, sorted by target key.

    ``current`` is the current state of the target prefix. Out of place, keys absent at the point are simply not
    copied: a restore area never deletes anything."""
    in_place = prefix == target_prefix
    actions = []
    for key in sorted(wanted):
        want = wanted[key]
        destination = target_key(key, prefix, target_prefix)
        have = current.get(destination)
        if want is None:
            if in_place and have is not None:
                actions.append({"action": "delete", "key": destination})
            continue
        if have is not None and have["etag"] == want["etag"]:
            continue
        actions.append({"action": "copy", "key": destination, "source_key": key, "version_id": want["version_id"],
                        "etag": want["etag"]})
    return actions


def mismatches(wanted: Dict[str, Optional[Entry]], current: Dict[str, Optional[Entry]], prefix: str,
               target_prefix: str) -> List[str]:
    """Target keys that do not hold what the point in time held (empty: the restore is validated)."""
    in_place = prefix == target_prefix
    problems = []
    for key in sorted(wanted):
        want = wanted[key]
        destination = target_key(key, prefix, target_prefix)
        have = current.get(destination)
        if want is None:
            if in_place and have is not None:
                problems.append("%s exists but did not exist at the point" % destination)
        elif have is None:
            problems.append("%s is missing" % destination)
        elif have["etag"] != want["etag"]:
            problems.append("%s has ETag %s, the point's version %s" % (destination, have["etag"], want["etag"]))
    return problems


def summary(actions: List[Dict[str, Any]], wanted: Dict[str, Optional[Entry]]) -> Dict[str, int]:
    copied = sum(1 for action in actions if action["action"] == "copy")
    deleted = sum(1 for action in actions if action["action"] == "delete")
    present = sum(1 for entry in wanted.values() if entry is not None)
    return {"objects_at_point": present, "copied": copied, "deleted": deleted, "unchanged": present - copied}


# Where restores write (restore role: restore-<id>/..., drills: envops-drill/<id>/...): the only prefixes whose every
# version a cleanup deletes, so that it can never remove live objects.
RESTORE_AREAS = ("restore-", "envops-drill/")


def restore_area_problem(prefix: str) -> Optional[str]:
    """Why every version under ``prefix`` may not be deleted (None: it is a restore area)."""
    if not prefix.startswith(RESTORE_AREAS) or ".." in prefix or not prefix.endswith("/"):
        return ("only a restore area (a prefix ending in '/' under %s) is ever deleted, not %r."
                % (" or ".join(RESTORE_AREAS), prefix))
    return None


def version_batches(entries: Iterable[Entry], size: int = 1000) -> Iterable[List[Dict[str, str]]]:
    """DeleteObjects batches (at most 1000 each) of object versions and delete markers."""
    batch: List[Dict[str, str]] = []
    for entry in entries:
        batch.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@aws_retry()
def delete_versions(client, bucket: str, batch: List[Dict[str, str]]) -> List[Dict[str, Any]]:
    return client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True}).get("Errors", [])


@aws_retry()
def versioning_status(client, bucket: str) -> str:
    return client.get_bucket_versioning(Bucket=bucket).get("Status", "")


@aws_retry()
def _versions_page(client, **params):
    return client.list_object_versions(**params)


def list_versions(client, bucket: str, prefix: str) -> Tuple[List[Entry], List[Entry]]:
    versions: List[Entry] = []
    markers: List[Entry] = []
    params = {"Bucket": bucket, "Prefix": prefix}
    while True:
        page = _versions_page(client, **params)
        versions.extend(page.get("Versions", []))
        markers.extend(page.get("DeleteMarkers", []))
        if not page.get("IsTruncated"):
            return versions, markers
        params["KeyMarker"] = page.get("NextKeyMarker")
        params["VersionIdMarker"] = page.get("NextVersionIdMarker")


@aws_retry()
def copy_version(client, bucket: str, action: Dict[str, Any], kms_key_id: Optional[str]) -> str:
    params = {"Bucket": bucket, "Key": action["key"],
              "CopySource": {"Bucket": bucket, "Key": action["source_key"], "VersionId": action["version_id"]}}
    if kms_key_id:
        params.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key_id)
    return client.copy_object(**params).get("VersionId", "")


@aws_retry()
def delete_key(client, bucket: str, key: str) -> None:
    client.delete_object(Bucket=bucket, Key=key)
