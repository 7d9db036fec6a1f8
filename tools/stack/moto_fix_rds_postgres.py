"""An RDS PostgreSQL instance of the local stack is a real PostgreSQL server (see moto_corrections for the rules).

The servers themselves are made by rds_postgres; this module ties their life to moto's RDS calls.
"""

import datetime
import threading

from tools.stack.moto_corrections import corrects

# The moto server's InstanceServers (made when the correction is applied, in the moto server process only).
_SERVERS = None
# id(DBInstance) -> (DBInstance, InstanceServer); id(DBSnapshot) -> (DBSnapshot, Backup). The object is kept with
# its entry so that its id cannot be reused while the entry exists. Keyed by object, not name: names repeat across
# accounts and Regions, and moto copies an instance's attributes into the instances restored from it.
_INSTANCE_SERVERS: dict = {}
_SNAPSHOT_BACKUPS: dict = {}
_LOCK = threading.RLock()
# The data a restore starts from, for the create_db_instance that the restore calls (same thread).
_RESTORING = threading.local()


def servers():
    return _SERVERS


def server_of(instance):
    entry = _INSTANCE_SERVERS.get(id(instance))
    return entry[1] if entry else None


def backup_of(snapshot):
    entry = _SNAPSHOT_BACKUPS.get(id(snapshot))
    return entry[1] if entry else None


def _is_postgres(instance) -> bool:
    return str(getattr(instance, "engine", "") or "") == "postgres"


def _force_ssl(backend, instance) -> bool:
    group = backend.db_parameter_groups.get(getattr(instance, "db_parameter_group_name", None) or "")
    parameter = (group.parameters if group else {}).get("rds.force_ssl") or {}
    return str(parameter.get("ParameterValue", "0")) == "1"


def _as_epoch(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


@corrects("5.2.5")
def rds_postgres_instances_are_servers() -> None:
    """Each RDS PostgreSQL instance is a PostgreSQL server holding its data; snapshots and restores copy that data.

    AWS: CreateDBInstance (Engine postgres) starts a server at Endpoint.Address:Port with the master user and
    password of the request and the database DBName, serving TLS with a certificate of the RDS CA; rds.force_ssl = 1
    in its parameter group refuses connections without TLS (dynamic: applies without a reboot); CreateDBSnapshot
    captures the data at that moment (also the final snapshot of DeleteDBInstance); CopyDBSnapshot copies it, under
    another key or Region, or into another account when the snapshot is shared with it; RestoreDBInstanceFromDBSnapshot
    gives a new server holding the snapshot's data (its master user and password included);
    RestoreDBInstanceToPointInTime the data at the chosen moment; ModifyDBInstance MasterUserPassword changes the
    master user's password; DeleteDBInstance removes the server.
    moto 5.2.5: keeps instances as records only: the endpoint (<id>.aaaaaaaaaa.<region>.rds.amazonaws.com) answers
    nothing, snapshots and restores hold no data. CopyDBSnapshot given the ARN of a snapshot of another account
    looks in the caller's own account (DBSnapshotNotFound) instead of the sharing account.
    Breaks: every procedure that reads or writes a database through the instance the environment's spec names
    (backups, drills, restores, masked refresh) cannot run the same way as on AWS.
    Here: each instance is a PostgreSQL 15 cluster (rds_postgres) at its own loopback address and the port of the
    instance; snapshots are base backups. Point-in-time restore differs from AWS: it restores the newest snapshot of
    the source instance (manual, automated or final) taken at or before the point, or the data as it is now for
    UseLatestRestorableTime (AWS replays the transaction log to the second; here the granularity is the snapshots).
    Not modelled: stopping and starting instances (the server keeps running), a port change after creation, read
    replicas (a new, empty server), engines other than postgres (records only, as before).
    """
    global _SERVERS  # pylint: disable=global-statement
    from moto.rds import exceptions, models

    from tools.stack.paths import StackPaths
    from tools.stack.rds_postgres import InstanceServers, sweep_orphans

    paths = StackPaths.resolve()
    sweep_orphans(paths)
    _SERVERS = InstanceServers(paths)
    backend_cls = models.RDSBackend

    def failure(message):
        return exceptions.RDSClientError("InternalFailure", message)

    original_address = models.DBInstance.address

    def address(self):
        server = server_of(self)
        return server.address if server else original_address.fget(self)

    models.DBInstance.address = property(address)

    original_create = backend_cls.create_db_instance

    def create_db_instance(self, db_kwargs):
        instance = original_create(self, db_kwargs)
        if not _is_postgres(instance):
            return instance
        restoring = getattr(_RESTORING, "backup", None)
        try:
            server = _SERVERS.create(
                port=instance.port, force_ssl=_force_ssl(self, instance), backup=restoring,
                master_user=instance.master_username, master_password=instance.__dict__.get("_master_user_password"),
                dbname=instance.db_name)
        except Exception as error:  # the instance must not exist without its server
            self.databases.pop(instance.db_instance_identifier, None)
            raise failure(f"the server of DB instance {instance.db_instance_identifier} did not start: {error}")
        with _LOCK:
            _INSTANCE_SERVERS[id(instance)] = (instance, server)
        return instance

    original_snapshot = backend_cls.create_db_snapshot

    def create_db_snapshot(self, db_instance_identifier, db_snapshot_identifier, *args, **kwargs):
        snapshot = original_snapshot(self, db_instance_identifier, db_snapshot_identifier, *args, **kwargs)
        instance = self.databases.get(db_instance_identifier)
        if instance is None or not _is_postgres(instance):
            return snapshot
        server = server_of(instance)
        try:
            if server is not None:
                backup = _SERVERS.backup(server)
            else:  # the automated snapshot moto takes while the instance is being created: its starting data
                restoring = getattr(_RESTORING, "backup", None)
                backup = _SERVERS.copy_backup(restoring) if restoring else None
        except Exception as error:
            self.database_snapshots.pop(snapshot.db_snapshot_identifier, None)
            raise failure(f"snapshot {db_snapshot_identifier} of {db_instance_identifier} failed: {error}")
        if backup is not None:
            with _LOCK:
                _SNAPSHOT_BACKUPS[id(snapshot)] = (snapshot, backup)
        return snapshot

    original_get_snapshot = backend_cls.get_snapshot

    def get_snapshot(self, identifier, resource_type, not_found_exception):
        """A snapshot ARN of another account: that account's snapshot, when it is shared with this one."""
        if str(identifier).startswith("arn:"):
            parts = str(identifier).split(":")
            account, region, name = parts[4], parts[3], parts[-1]
            if account != self.account_id:
                snapshots = models.rds_backends[account][region].resource_map[resource_type]
                snapshot = snapshots.get(name)
                shared = snapshot is not None and ({self.account_id, "all"} & set(snapshot.attributes["restore"]))
                if not shared:
                    raise not_found_exception(identifier)
                return snapshot
        return original_get_snapshot(self, identifier, resource_type, not_found_exception)

    original_copy = backend_cls.copy_db_snapshot

    def copy_db_snapshot(self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs):
        source = self.get_db_snapshot(source_db_snapshot_identifier)
        target = original_copy(self, source_db_snapshot_identifier, target_db_snapshot_identifier, *args, **kwargs)
        backup = backup_of(source)
        if backup is not None:
            with _LOCK:
                _SNAPSHOT_BACKUPS[id(target)] = (target, _SERVERS.copy_backup(backup))
        return target

    original_delete_snapshot = backend_cls.delete_db_snapshot

    def delete_db_snapshot(self, db_snapshot_identifier):
        snapshot = original_delete_snapshot(self, db_snapshot_identifier)
        with _LOCK:
            entry = _SNAPSHOT_BACKUPS.pop(id(snapshot), None)
        if entry:
            _SERVERS.drop_backup(entry[1])
        return snapshot

    original_from_snapshot = backend_cls.restore_db_instance_from_db_snapshot

    def restore_db_instance_from_db_snapshot(self, from_snapshot_id, overrides):
        snapshot = self.get_db_snapshot(from_snapshot_id)
        _RESTORING.backup = backup_of(snapshot)
        try:
            return original_from_snapshot(self, from_snapshot_id, overrides)
        finally:
            _RESTORING.backup = None

    original_to_point = backend_cls.restore_db_instance_to_point_in_time

    def restore_db_instance_to_point_in_time(self, source_db_identifier, target_db_identifier, overrides):
        source = self.describe_db_instances(db_instance_identifier=source_db_identifier)[0]
        server = server_of(source)
        if server is None:
            return original_to_point(self, source_db_identifier, target_db_identifier, overrides)
        point = _as_epoch(overrides.get("restore_time"))
        if point is None or overrides.get("use_latest_restorable_time"):
            backup = _SERVERS.backup(server)
        else:
            candidates = [entry[1] for entry in list(_SNAPSHOT_BACKUPS.values())
                          if entry[1].server_id == server.id and entry[1].taken_at <= point]
            if not candidates:
                raise exceptions.RDSClientError(
                    "InvalidRestoreFault",
                    f"The restore time {overrides.get('restore_time')} is before the earliest restorable time of "
                    f"{source_db_identifier}.")
            backup = _SERVERS.copy_backup(max(candidates, key=lambda candidate: candidate.taken_at))
        _RESTORING.backup = backup
        try:
            return original_to_point(self, source_db_identifier, target_db_identifier, overrides)
        finally:
            _RESTORING.backup = None
            _SERVERS.drop_backup(backup)  # the new server holds a copy

    original_modify = backend_cls.modify_db_instance

    def modify_db_instance(self, db_instance_identifier, db_kwargs):
        instance = original_modify(self, db_instance_identifier, db_kwargs)
        server = server_of(instance)
        if server is not None:
            if db_kwargs.get("master_user_password"):
                _SERVERS.set_password(server, instance.master_username, db_kwargs["master_user_password"])
            if db_kwargs.get("db_parameter_group_name"):
                _SERVERS.set_force_ssl(server, _force_ssl(self, instance))
        return instance

    original_modify_group = backend_cls.modify_db_parameter_group

    def modify_db_parameter_group(self, db_parameter_group_name, db_parameter_group_parameters):
        group = original_modify_group(self, db_parameter_group_name, db_parameter_group_parameters)
        for instance in list(self.databases.values()):
            server = server_of(instance)
            if server is not None and instance.db_parameter_group_name == db_parameter_group_name:
                _SERVERS.set_force_ssl(server, _force_ssl(self, instance))
        return group

    original_delete = backend_cls.delete_db_instance

    def delete_db_instance(self, db_instance_identifier, *args, **kwargs):
        instance = original_delete(self, db_instance_identifier, *args, **kwargs)  # takes the final snapshot first
        with _LOCK:
            entry = _INSTANCE_SERVERS.pop(id(instance), None)
        if entry:
            _SERVERS.destroy(entry[1])
        return instance

    backend_cls.create_db_instance = create_db_instance
    backend_cls.create_db_snapshot = create_db_snapshot
    backend_cls.get_snapshot = get_snapshot
    backend_cls.copy_db_snapshot = copy_db_snapshot
    backend_cls.delete_db_snapshot = delete_db_snapshot
    backend_cls.restore_db_instance_from_db_snapshot = restore_db_instance_from_db_snapshot
    backend_cls.restore_db_instance_to_point_in_time = restore_db_instance_to_point_in_time
    backend_cls.modify_db_instance = modify_db_instance
    backend_cls.modify_db_parameter_group = modify_db_parameter_group
    backend_cls.delete_db_instance = delete_db_instance
