"""Corrections to moto, applied when our moto server starts.

Each correction makes moto answer the way real AWS does where moto deviates and one of the modules
we use breaks because of it. None of them makes moto accept anything AWS would reject.

Each one is pinned to the moto versions it was checked against: on any other version the launcher
refuses to start (unless ENVOPS_ALLOW_UNPINNED_MOTO=1), because the deviation may be fixed or the
patched code may have moved. Re-check each correction against the new moto, then add the version.
"""

import importlib.metadata
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

ALLOW_UNPINNED_ENV = "ENVOPS_ALLOW_UNPINNED_MOTO"


@dataclass(frozen=True)
class Correction:
    name: str
    moto_versions: frozenset[str]
    apply: Callable[[], None]


CORRECTIONS: list[Correction] = []


def corrects(*moto_versions: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register a correction checked against exactly these moto versions."""

    def register(apply: Callable[[], None]) -> Callable[[], None]:
        CORRECTIONS.append(Correction(apply.__name__, frozenset(moto_versions), apply))
        return apply

    return register


def _report_tag_resource_type(id_prefix: str, aws_resource_type: str) -> None:
    # In moto 5.2.5 this map is read only by TagBackend.describe_tags (for the resource-type filter
    # and for the ResourceType it reports), so renaming an entry changes nothing else.
    from moto.ec2 import utils

    utils.EC2_PREFIX_TO_RESOURCE[id_prefix] = aws_resource_type


@corrects("5.2.5")
def nat_gateway_tag_resource_type() -> None:
    """DescribeTags names NAT gateways ``natgateway``, as AWS does.

    AWS: the documented DescribeTags ``resource-type`` value for a NAT gateway is ``natgateway``,
    and tags of a NAT gateway are reported with ResourceType ``natgateway``.
    moto 5.2.5: reports them as ``nat-gateway`` (its internal name), so the filter
    ``resource-type=natgateway`` returns nothing.
    Breaks: amazon.aws.ec2_vpc_nat_gateway, which reads the current tags through that filter, sees
    none, re-applies them and reports changed on every run.
    """
    _report_tag_resource_type("nat", "natgateway")


@corrects("5.2.5")
def elastic_ip_tag_resource_type() -> None:
    """DescribeTags names Elastic IP allocations ``elastic-ip``, as AWS does.

    AWS: the documented DescribeTags ``resource-type`` value for an Elastic IP is ``elastic-ip``.
    moto 5.2.5: reports ``vpc-elastic-ip``, so the filter ``resource-type=elastic-ip`` returns nothing.
    Breaks: amazon.aws.ec2_eip with ``tags``, which reads the current tags through that filter and
    reports changed on every run.
    """
    _report_tag_resource_type("eipalloc", "elastic-ip")


@corrects("5.2.5")
def rds_automated_backups_replication() -> None:
    """RDS replicates the automated backups of a DB instance to another Region, as AWS does.

    AWS: StartDBInstanceAutomatedBackupsReplication(SourceDBInstanceArn, KmsKeyId, BackupRetentionPeriod),
    called in the destination Region, creates a replicated automated backup there (Status ``pending``, then
    ``replicating``; ARN ``arn:aws:rds:<destination>:<account>:auto-backup:ab-...``; Region = the source Region) and
    lists its ARN in the source instance's ``DBInstanceAutomatedBackupsReplications``.
    DescribeDBInstanceAutomatedBackups in the destination Region shows it, selected by DBInstanceAutomatedBackupsArn
    or DbiResourceId (DBInstanceAutomatedBackupNotFound when nothing matches) or Filters (status, db-instance-id,
    dbi-resource-id). StopDBInstanceAutomatedBackupsReplication ends it: the replicated backup stays, Status
    ``retained``, and leaves the source's list. Errors: DBInstanceNotFound (unknown source), InvalidDBInstanceState
    (source with BackupRetentionPeriod 0 or not available; stop of a source "not replicating to the current region"),
    DBInstanceAutomatedBackupQuotaExceeded (source already replicating, to any Region: one destination at a time as
    the console and CloudFormation's single AutomaticBackupReplicationRegion have it; more than 20 replications into
    one Region), KMSKeyNotAccessibleFault (key not in the destination Region). Codes AWS does not document, chosen
    here: InvalidParameterValue for a malformed ARN, a source in the destination Region or a retention outside
    1-35; InvalidParameterCombination for an encrypted source without KmsKeyId. BackupRetentionPeriod defaults to 7.
    moto 5.2.5: Start and Stop are not implemented (HTTP 500); DescribeDBInstanceAutomatedBackups ignores
    DBInstanceAutomatedBackupsArn, DbiResourceId and Filters and returns only the Region's own automated backups,
    as DBInstanceIdentifier + Status.
    Breaks: envops.aws.rds_backup_replication (the DR copy of prod's automated backups) cannot run at all.
    Not modelled: time (pending turns replicating at the next describe), the source's later deletion, restoring from
    a replicated backup, DeleteDBInstanceAutomatedBackup. moto gives every DB instance the same DbiResourceId, so a
    DbiResourceId filter can match the replicated backups of several sources: select on DBInstanceArn or the ARN.
    The Region's own automated backups stay as moto reports them (no ARN, no DbiResourceId), Filters now apply.
    DBInstanceAutomatedBackupsReplications is a DBInstance property read by moto's response serializer, no template.
    """
    from moto.rds import exceptions, models, responses

    backend_cls = models.RDSBackend
    original_describe = backend_cls.describe_db_instance_automated_backups

    def start(self, source_db_instance_arn, backup_retention_period=None, kms_key_id=None, tags=None, **_):
        source = _replication_source(self, source_db_instance_arn)
        if source.backup_retention_period == 0:
            raise exceptions.RDSClientError(
                "InvalidDBInstanceState",
                f"Automated backups are not enabled for DB instance {source.db_instance_identifier}.",
            )
        if source.status != "available":
            raise exceptions.InvalidDBInstanceStateError(source.db_instance_identifier, "stop")
        retention = 7 if backup_retention_period is None else int(backup_retention_period)
        if not 1 <= retention <= 35:
            raise exceptions.InvalidParameterValue(
                f"Invalid backup retention period {retention}: it must be between 1 and 35 days."
            )
        if _backup_replications(source.backend).get(source.arn):
            raise _quota_exceeded(
                f"DB instance {source.db_instance_identifier} is already replicating its automated backups."
            )
        replicated = _replicated_backups(self)
        if sum(backup["Status"] != "retained" for backup in replicated.values()) >= 20:
            raise _quota_exceeded(f"Cannot replicate more than 20 automated backups to {self.region_name}.")
        if source.storage_encrypted:
            if not kms_key_id:
                raise exceptions.InvalidParameterCombination(
                    "KmsKeyId is required to replicate the automated backups of an encrypted DB instance."
                )
            kms_key_arn = self._validate_kms_key(kms_key_id)  # KMSKeyNotAccessibleFault unless in this Region
        else:
            kms_key_arn = None

        backup = replicated.get(source.arn)  # a retained replicated backup of an earlier replication goes on
        if backup is None:
            backup_id = "ab-" + models.random.get_random_string(length=26, lower_case=True)
            arn = f"arn:{self.partition}:rds:{self.region_name}:{self.account_id}:auto-backup:{backup_id}"
            backup = replicated[source.arn] = {"DBInstanceAutomatedBackupsArn": arn}
        backup.update(_replicated_backup_fields(source))
        backup.update(
            Status="pending",
            BackupRetentionPeriod=retention,
            KmsKeyId=kms_key_arn,
            TagList=[{"Key": tag["Key"], "Value": tag["Value"]} for tag in tags or []] or None,
        )
        _backup_replications(source.backend)[source.arn] = [backup["DBInstanceAutomatedBackupsArn"]]
        return dict(backup)

    def stop(self, source_db_instance_arn, **_):
        source = _replication_source(self, source_db_instance_arn)
        backup = _replicated_backups(self).get(source.arn)
        if backup is None or backup["Status"] == "retained":
            raise exceptions.RDSClientError(
                "InvalidDBInstanceState",
                f"DB instance {source.db_instance_identifier} is not replicating to the current region.",
            )
        backup["Status"] = "retained"
        _backup_replications(source.backend).pop(source.arn, None)
        return dict(backup)

    def describe(self, db_instance_identifier=None, **params):
        for backup in _replicated_backups(self).values():
            if backup["Status"] == "pending":
                backup["Status"] = "replicating"
        backups = [_LocalAutomatedBackup(item) for item in original_describe(self, db_instance_identifier)]
        backups += [
            _ReplicatedAutomatedBackup(backup)
            for backup in _replicated_backups(self).values()
            if db_instance_identifier is None or backup["DBInstanceIdentifier"] == db_instance_identifier.lower()
        ]
        arn = params.get("db_instance_automated_backups_arn")
        dbi_resource_id = params.get("dbi_resource_id")
        if arn:
            backups = [backup for backup in backups if backup.arn == arn]
        if dbi_resource_id:
            wanted = dbi_resource_id.lower()
            backups = [backup for backup in backups if (backup.dbi_resource_id or "").lower() == wanted]
        for name, values in ((f["Name"], f["Values"]) for f in params.get("filters") or []):
            backups = [backup for backup in backups if backup.matches(name, values)]
        if (arn or dbi_resource_id) and not backups:
            raise exceptions.RDSClientError(
                "DBInstanceAutomatedBackupNotFound",
                f"No automated backup found for {arn or dbi_resource_id}.",
            )
        return [backup.item for backup in backups]

    def respond_start(self):
        backup = self.backend.start_db_instance_automated_backups_replication(
            source_db_instance_arn=self.params.get("SourceDBInstanceArn"),
            backup_retention_period=self.params.get("BackupRetentionPeriod"),
            kms_key_id=self.params.get("KmsKeyId"),
            tags=self.params.get("Tags"),
        )
        return responses.ActionResult({"DBInstanceAutomatedBackup": backup})

    def respond_stop(self):
        backup = self.backend.stop_db_instance_automated_backups_replication(
            source_db_instance_arn=self.params.get("SourceDBInstanceArn"),
        )
        return responses.ActionResult({"DBInstanceAutomatedBackup": backup})

    def replications_of_source(instance):
        # Read by moto's serializer for the DBInstance member DBInstanceAutomatedBackupsReplications;
        # None leaves the member out, as before, for an instance that replicates nowhere.
        arns = _backup_replications(instance.backend).get(instance.arn)
        return [{"DBInstanceAutomatedBackupsArn": arn} for arn in arns] if arns else None

    backend_cls.start_db_instance_automated_backups_replication = start
    backend_cls.stop_db_instance_automated_backups_replication = stop
    backend_cls.describe_db_instance_automated_backups = describe
    responses.RDSResponse.start_db_instance_automated_backups_replication = respond_start
    responses.RDSResponse.stop_db_instance_automated_backups_replication = respond_stop
    models.DBInstance.db_instance_automated_backups_replications = property(replications_of_source)


# State of the correction above, kept on moto's backend objects so that moto's reset clears it with them.
_REPLICATED_BACKUPS_ATTR = "_envops_replicated_automated_backups"  # destination backend: source ARN -> backup
_BACKUP_REPLICATIONS_ATTR = "_envops_automated_backups_replications"  # source backend: source ARN -> [backup ARN]
_SOURCE_DB_INSTANCE_ARN = re.compile(
    r"^arn:aws[a-z-]*:rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):db:(?P<name>[A-Za-z][A-Za-z0-9-]*)$"
)


def _replicated_backups(backend) -> dict:
    return backend.__dict__.setdefault(_REPLICATED_BACKUPS_ATTR, {})


def _backup_replications(backend) -> dict:
    return backend.__dict__.setdefault(_BACKUP_REPLICATIONS_ATTR, {})


def _quota_exceeded(message: str):
    from moto.rds.exceptions import RDSClientError

    return RDSClientError("DBInstanceAutomatedBackupQuotaExceeded", message)


def _replication_source(destination, source_db_instance_arn: str):
    """The source DB instance of a replication into the destination backend's Region (same account)."""
    from moto.rds.exceptions import DBInstanceNotFoundError, InvalidParameterValue
    from moto.rds.models import rds_backends

    match = _SOURCE_DB_INSTANCE_ARN.match(source_db_instance_arn or "")
    if not match:
        raise InvalidParameterValue(f"Invalid source DB instance ARN: {source_db_instance_arn}")
    if match["region"] == destination.region_name:
        raise InvalidParameterValue(
            f"The source DB instance {source_db_instance_arn} is in {destination.region_name}: automated backups "
            "can only be replicated to another Region."
        )
    account_backends = rds_backends[destination.account_id]
    if match["account"] != destination.account_id or match["region"] not in account_backends.regions:
        raise DBInstanceNotFoundError(source_db_instance_arn)
    source = account_backends[match["region"]].databases.get(match["name"])
    if source is None:
        raise DBInstanceNotFoundError(source_db_instance_arn)
    return source


def _replicated_backup_fields(source) -> dict:
    """The DBInstanceAutomatedBackup members a replicated backup takes from its source instance."""
    return {
        "DBInstanceArn": source.arn,
        "DbiResourceId": source.dbi_resource_id,
        "Region": source.region,
        "DBInstanceIdentifier": source.db_instance_identifier,
        "RestoreWindow": {},
        "AllocatedStorage": source.allocated_storage,
        "Port": source.port,
        "InstanceCreateTime": source.instance_create_time,
        "MasterUsername": source.master_username,
        "Engine": source.engine,
        "EngineVersion": source.engine_version,
        "LicenseModel": source.license_model,
        "Iops": int(source.iops) if source.iops else None,
        "OptionGroupName": source.option_group_name,
        "Encrypted": bool(source.storage_encrypted),
        "StorageType": source.storage_type,
        "IAMDatabaseAuthenticationEnabled": bool(source.enable_iam_database_authentication),
        "BackupTarget": "region",
    }


class _ReplicatedAutomatedBackup:
    """A replicated backup (a dict of DBInstanceAutomatedBackup members) seen through describe's filters."""

    def __init__(self, item: dict):
        self.item = item
        self.arn = item["DBInstanceAutomatedBackupsArn"]
        self.dbi_resource_id = item["DbiResourceId"]
        self.status = item["Status"]
        self.identifiers = {item["DBInstanceIdentifier"], item["DBInstanceArn"]}

    def matches(self, name: str, values: list) -> bool:
        if name == "status":
            return self.status in values
        if name == "db-instance-id":
            return bool(self.identifiers & set(values))
        if name == "dbi-resource-id":
            return bool({self.dbi_resource_id, self.arn} & set(values))
        return True


class _LocalAutomatedBackup(_ReplicatedAutomatedBackup):
    """moto's own DBInstanceAutomatedBackup of an instance in this Region (no ARN, no DbiResourceId)."""

    def __init__(self, item):
        self.item = item
        self.arn = None
        self.dbi_resource_id = None
        self.status = item.status
        self.identifiers = {item.db_instance_identifier}


_REPLICATION_RULE_FIELDS = ("ID", "Priority", "Prefix", "Filter", "Status", "SourceSelectionCriteria",
                            "ExistingObjectReplication", "Destination", "DeleteMarkerReplication")


def _empty_prefix(mapping):
    # xmltodict parses <Prefix></Prefix> as None; AWS reports the empty prefix as "".
    if "Prefix" in mapping and mapping["Prefix"] is None:
        mapping["Prefix"] = ""
    return mapping


def _stored_filter(raw):
    raw = _empty_prefix(dict(raw or {}))
    if "And" in raw:
        conjunction = _empty_prefix(dict(raw["And"] or {}))
        if "Tag" in conjunction:
            tags = conjunction.pop("Tag")
            conjunction["Tags"] = tags if isinstance(tags, list) else [tags]
        raw["And"] = conjunction
    return raw


@corrects("5.2.5")
def s3_replication_rules_as_stored() -> None:
    """GetBucketReplication reports each rule as it was put, as AWS does.

    AWS: GetBucketReplication returns the stored V2 rules: Filter (prefix / tags),
    DeleteMarkerReplication, SourceSelectionCriteria (SSE-KMS objects) and ExistingObjectReplication
    as put; a V2 rule put without Priority reads back Priority 0.
    moto 5.2.5: stores the rules but always answers Filter {"Prefix": ""} and DeleteMarkerReplication
    Disabled, drops SourceSelectionCriteria and ExistingObjectReplication, and stores a missing
    Priority as 1.
    Breaks: envops.aws.s3_bucket_replication, which compares the configuration it reads back and
    reports changed on every run for rules with a prefix, delete-marker replication or a replica KMS key.
    """
    from moto.core.responses import ActionResult
    from moto.s3 import models, responses
    from moto.s3.exceptions import ReplicationConfigurationNotFoundError

    original_put = models.S3Backend.put_bucket_replication

    def put_bucket_replication(self, bucket_name, replication):
        rules = replication["Rule"] if isinstance(replication["Rule"], list) else [replication["Rule"]]
        for rule in rules:
            if "Priority" not in rule and "Filter" in rule:
                rule["Priority"] = 0
        replication["Rule"] = rules
        return original_put(self, bucket_name, replication)

    def get_bucket_replication(self):
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = []
        for stored in replication["Rule"]:
            rule = _empty_prefix({key: value for key, value in stored.items() if key in _REPLICATION_RULE_FIELDS})
            if "Filter" in rule:
                rule["Filter"] = _stored_filter(rule["Filter"])
            rules.append(rule)
        return self.serialized(ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}))

    models.S3Backend.put_bucket_replication = put_bucket_replication
    responses.S3Response.get_bucket_replication = get_bucket_replication


class UnpinnedMotoError(RuntimeError):
    pass


def installed_moto_version() -> str:
    return importlib.metadata.version("moto")


def unpinned_allowed() -> bool:
    return os.environ.get(ALLOW_UNPINNED_ENV) == "1"


def check_pinned(moto_version: str, allow_unpinned: bool = False) -> None:
    """Refuse a moto version the corrections were not checked against."""
    unchecked = [c.name for c in CORRECTIONS if moto_version not in c.moto_versions]
    if unchecked and not allow_unpinned:
        raise UnpinnedMotoError(
            f"moto {moto_version} is installed, but these corrections were checked only against "
            f"other versions: {', '.join(unchecked)}. Re-check each one in "
            f"tools/stack/moto_corrections.py against moto {moto_version} (drop it if moto now "
            f"behaves like AWS, else add the version), or set {ALLOW_UNPINNED_ENV}=1 to start "
            f"without them."
        )


def apply_corrections(moto_version: str, allow_unpinned: bool = False) -> list[str]:
    """Apply the corrections pinned to this moto version; return their names.

    With allow_unpinned, corrections not checked against this version are skipped rather than
    patched into code they were not written for.
    """
    check_pinned(moto_version, allow_unpinned)
    applicable = pinned_corrections(moto_version)
    for correction in applicable:
        correction.apply()
    return [correction.name for correction in applicable]


def pinned_corrections(moto_version: str) -> list[Correction]:
    return [c for c in CORRECTIONS if moto_version in c.moto_versions]
