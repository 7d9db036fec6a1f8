"""Corrections of moto's RDS: backup replication, parameter groups, instance reporting (see moto_corrections)."""

import re

from tools.stack.moto_corrections import corrects


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


@corrects("5.2.5")
def rds_parameter_group_not_found() -> None:
    """DescribeDBParameterGroups with an unknown name fails with DBParameterGroupNotFound, as AWS does.

    AWS: DescribeDBParameterGroups(DBParameterGroupName=<unknown>) raises DBParameterGroupNotFound (404).
    moto 5.2.5: returns an empty DBParameterGroups list.
    Breaks: amazon.aws.rds_instance_param_group, which treats a successful answer as "the group exists",
    reads DBParameterGroups[0] and fails with "list index out of range" instead of creating the group.
    """
    from moto.rds.exceptions import DBParameterGroupNotFoundError
    from moto.rds.models import RDSBackend

    original = RDSBackend.describe_db_parameter_groups

    def describe_db_parameter_groups(self, db_parameter_group_kwargs):
        groups = original(self, db_parameter_group_kwargs)
        name = db_parameter_group_kwargs.get("db_parameter_group_name")
        if name and not groups:
            raise DBParameterGroupNotFoundError(name)
        return groups

    RDSBackend.describe_db_parameter_groups = describe_db_parameter_groups


# What DescribeDBParameters lists for a new PostgreSQL parameter group on AWS, for the parameters
# envops sets (AWS lists the whole engine catalogue; moto 5.2.5 lists none).
_POSTGRES_ENGINE_DEFAULTS = {
    "rds.force_ssl": {
        "ParameterName": "rds.force_ssl", "ParameterValue": "0", "Description": "Force SSL connections.",
        "Source": "engine-default", "ApplyType": "dynamic", "DataType": "boolean", "AllowedValues": "0,1",
        "IsModifiable": True, "ApplyMethod": "pending-reboot",
    },
}


@corrects("5.2.5")
def rds_postgres_engine_default_parameters() -> None:
    """A new PostgreSQL parameter group lists its engine-default parameters, as AWS does.

    AWS: DescribeDBParameters of a new postgres<N> parameter group lists every parameter of the engine
    with Source engine-default (for PostgreSQL 15, rds.force_ssl is listed with value 0, modifiable).
    moto 5.2.5: lists only parameters that were modified, so a new group has none.
    Breaks: amazon.aws.rds_instance_param_group, which only modifies parameters the group lists: it
    reports "rds.force_ssl is not an available parameter" and never forces TLS.
    Only the parameters envops sets are seeded (_POSTGRES_ENGINE_DEFAULTS), not the whole catalogue.
    """
    import copy

    from moto.rds.models import DBParameterGroup

    original_init = DBParameterGroup.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if str(getattr(self, "family", "") or "").startswith("postgres"):
            for name, parameter in _POSTGRES_ENGINE_DEFAULTS.items():
                self.parameters.setdefault(name, copy.deepcopy(parameter))

    DBParameterGroup.__init__ = __init__


@corrects("5.2.5")
def rds_performance_insights_reported() -> None:
    """DescribeDBInstances reports Performance Insights as set, as AWS does.

    AWS: PerformanceInsightsEnabled reflects EnablePerformanceInsights of CreateDBInstance / ModifyDBInstance,
    with PerformanceInsightsRetentionPeriod 7 (days) by default when enabled.
    moto 5.2.5: accepts EnablePerformanceInsights but never reports PerformanceInsightsEnabled.
    Breaks: amazon.aws.rds_instance with enable_performance_insights: true, which sees it off and modifies
    the instance on every run.
    """
    from moto.rds.models import DBInstance

    original_init = DBInstance.__init__

    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.enable_performance_insights = bool(kwargs.get("enable_performance_insights"))
        if kwargs.get("performance_insights_retention_period"):
            self.performance_insights_retention_period = kwargs["performance_insights_retention_period"]

    def enabled(self):
        return bool(getattr(self, "enable_performance_insights", False))

    def retention(self):
        explicit = self.__dict__.get("performance_insights_retention_period")
        return explicit or (7 if enabled(self) else None)

    def set_retention(self, value):
        self.__dict__["performance_insights_retention_period"] = value

    DBInstance.__init__ = __init__
    DBInstance.performance_insights_enabled = property(enabled)
    DBInstance.performance_insights_retention_period = property(retention, set_retention)


# gp3 storage: what AWS reports when no IOPS / throughput were given, by engine (prefix of Engine) and size.
_GP3_BASELINE = {"iops": 3000, "storage_throughput": 125}
_GP3_STRIPED_BASELINE = {"iops": 12000, "storage_throughput": 500}  # from the engine's striping threshold on
_GP3_STRIPING_THRESHOLDS = (("postgres", 400), ("mysql", 400), ("mariadb", 400), ("db2", 400), ("oracle", 200))


def _gp3_baseline(instance, name: str) -> int:
    engine = str(getattr(instance, "engine", "") or "")
    allocated = getattr(instance, "allocated_storage", None) or 0
    for prefix, threshold in _GP3_STRIPING_THRESHOLDS:
        if engine.startswith(prefix) and int(allocated) >= threshold:
            return _GP3_STRIPED_BASELINE[name]
    return _GP3_BASELINE[name]  # below the threshold, or an engine without striping (SQL Server)


@corrects("5.2.5")
def rds_gp3_iops_and_throughput_reported() -> None:
    """A gp3 DB instance reports Iops and StorageThroughput, given or not, as AWS does.

    AWS: DescribeDBInstances (and the DBInstance answered by CreateDBInstance / ModifyDBInstance) reports Iops and
    StorageThroughput for every gp3 instance: the values given at create or modify, else the baseline of the engine
    and size: 3000 IOPS and 125 MiB/s below the striping threshold (400 GiB for PostgreSQL, MySQL, MariaDB and Db2,
    200 GiB for Oracle; SQL Server at any size), 12000 IOPS and 500 MiB/s from it on.
    moto 5.2.5: reports them only when they were given, so a gp3 instance created or modified without them has
    neither; StorageThroughput given in the same ModifyDBInstance as StorageType gp3 can be dropped (it is kept
    only if the instance is already gp3 when moto sets it).
    Breaks: amazon.aws.rds_instance 10.1.2, which reads instance["StorageThroughput"] and instance["Iops"] of a gp3
    instance on every run after the create: KeyError 'StorageThroughput'.
    Given values are kept, also across a growth past the threshold; a change to gp3 without them forgets the values
    of the earlier type (gp3 starts from its baseline). Not modelled: AWS refusing IOPS or throughput below the
    threshold and values under the striped baseline from it on (InvalidParameterCombination), time
    (PendingModifiedValues: moto applies every change at once). Other storage types are reported as before: Iops
    when given (also the Iops of an earlier type), no StorageThroughput.
    """
    from moto.rds.models import DBInstance

    original_update = DBInstance.update

    def is_gp3(instance) -> bool:
        # moto reads iops in DBInstance.__init__ before the storage type is set: no type yet is not gp3.
        return getattr(instance, "storage_type", None) == "gp3"

    def performance(name: str) -> property:
        stored = "_" + name  # moto's restore copies __dict__ with the underscore stripped: the given value goes on

        def get(self):
            given = self.__dict__.get(stored)
            if is_gp3(self):
                return given if given else _gp3_baseline(self, name)
            return given if name == "iops" else None

        def set_(self, value):
            self.__dict__[stored] = value

        return property(get, set_)

    def update(self, *args, **kwargs):
        storage_type = getattr(self, "storage_type", None)
        original_update(self, *args, **kwargs)
        if self.storage_type != storage_type and is_gp3(self):
            for name in ("iops", "storage_throughput"):
                if kwargs.get(name) is None:
                    self.__dict__["_" + name] = None

    DBInstance.iops = performance("iops")
    DBInstance.storage_throughput = performance("storage_throughput")
    DBInstance.update = update


# Settings of a restored instance that AWS does not take from the source: false unless the restore call sets them.
_RESTORE_SETTINGS = ("deletion_protection", "multi_az", "publicly_accessible")


@corrects("5.2.5")
def rds_restore_takes_false_settings() -> None:
    """A restored DB instance has the DeletionProtection, MultiAZ and PubliclyAccessible the restore asks for.

    AWS: RestoreDBInstanceFromDBSnapshot and RestoreDBInstanceToPointInTime create the instance with the settings of
    the call: DeletionProtection, MultiAZ and PubliclyAccessible are false unless given true (PubliclyAccessible
    defaults by subnet group; envops never relies on that default), whatever the source instance had.
    moto 5.2.5: copies every setting of the source instance, then applies only the overrides that are truthy
    (``if value:``), so false is never applied: a restore of a deletion-protected Multi-AZ source is
    deletion-protected and Multi-AZ whatever the call says.
    Breaks: the scratch instance of a masked refresh (restored from a snapshot of the deletion-protected prod
    instance with deletion_protection false) cannot be deleted: DeleteDBInstance fails with
    InvalidParameterCombination; the same for the scratch instances of restore drills.
    Other settings keep moto's behaviour (copied from the source, overridden by truthy values).
    """
    from moto.rds.models import RDSBackend

    def settle(instance, overrides):
        for name in _RESTORE_SETTINGS:
            value = overrides.get(name)
            setattr(instance, name, bool(value) if value is not None else False)
        return instance

    original_from_snapshot = RDSBackend.restore_db_instance_from_db_snapshot
    original_to_point_in_time = RDSBackend.restore_db_instance_to_point_in_time

    def from_snapshot(self, from_snapshot_id, overrides):
        return settle(original_from_snapshot(self, from_snapshot_id, overrides), overrides)

    def to_point_in_time(self, source_db_identifier, target_db_identifier, overrides):
        return settle(original_to_point_in_time(self, source_db_identifier, target_db_identifier, overrides),
                      overrides)

    RDSBackend.restore_db_instance_from_db_snapshot = from_snapshot
    RDSBackend.restore_db_instance_to_point_in_time = to_point_in_time
