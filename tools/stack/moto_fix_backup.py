"""Corrections of moto's AWS Backup vaults and backup selections (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


@corrects("5.2.5")
def backup_vault_not_found_is_access_denied() -> None:
    """DescribeBackupVault of a vault that does not exist fails with AccessDeniedException, as AWS does.

    AWS: answers HTTP 403 AccessDeniedException "Insufficient privileges to perform this action." for a vault that
    does not exist, even to a caller allowed to describe it.
    moto 5.2.5: answers ResourceNotFoundException.
    Breaks: amazon.aws.backup_vault, which reads a missing vault by expecting AccessDeniedException: every create
    fails with "Unable to get vault facts".
    """
    from moto.backup import models
    from moto.core.exceptions import JsonRESTError

    class AccessDeniedException(JsonRESTError):
        code = 403

        def __init__(self) -> None:
            super().__init__("AccessDeniedException", "Insufficient privileges to perform this action.")

    original = models.BackupBackend.describe_backup_vault

    def describe_backup_vault(self, backup_vault_name):
        if backup_vault_name not in self.vaults:
            raise AccessDeniedException()
        return original(self, backup_vault_name)

    models.BackupBackend.describe_backup_vault = describe_backup_vault


@corrects("5.2.5")
def backup_selections() -> None:
    """CreateBackupSelection, GetBackupSelection, ListBackupSelections and DeleteBackupSelection, missing in moto.

    AWS: a backup plan holds selections (name, IAM role, resources, tag conditions); Create answers SelectionId,
    BackupPlanId and CreationDate, Get the selection as created, List its summaries, Delete removes it; a plan that
    does not exist is ResourceNotFoundException.
    moto 5.2.5: the four calls are not implemented (HTTP 500 / NotImplemented).
    Breaks: amazon.aws.backup_selection, so no plan could select what it backs up.
    Not modelled: the checks AWS makes of the IAM role and of the resource ARNs.
    """
    import json
    import uuid

    from moto.backup import responses
    from moto.backup.exceptions import ResourceNotFoundException
    from moto.core.utils import unix_time

    def _plan(backend, plan_id):
        plan = backend.plans.get(plan_id)
        if plan is None or plan.deletion_date is not None:
            raise ResourceNotFoundException(msg="Failed reading Backup plan with provided version")
        return plan

    def _selections(backend):
        if not hasattr(backend, "envops_selections"):
            backend.envops_selections = {}
        return backend.envops_selections

    def _path_ids(path):
        parts = [part for part in path.split("?")[0].split("/") if part]
        plan_id = parts[parts.index("plans") + 1]
        selection_id = parts[parts.index("selections") + 1] if len(parts) > parts.index("selections") + 1 else None
        return plan_id, selection_id

    def create_backup_selection(self):
        plan_id = _path_ids(self.path)[0]
        backend = self.backup_backend
        _plan(backend, plan_id)
        body = json.loads(self.body)
        selection_id = str(uuid.uuid4())
        record = {"SelectionId": selection_id, "BackupPlanId": plan_id, "CreationDate": unix_time(),
                  "CreatorRequestId": body.get("CreatorRequestId"), "BackupSelection": body["BackupSelection"]}
        _selections(backend)[selection_id] = record
        return json.dumps({key: record[key] for key in ("SelectionId", "BackupPlanId", "CreationDate")})

    def get_backup_selection(self):
        plan_id, selection_id = _path_ids(self.path)
        backend = self.backup_backend
        _plan(backend, plan_id)
        record = _selections(backend).get(selection_id)
        if record is None or record["BackupPlanId"] != plan_id:
            raise ResourceNotFoundException(msg="Failed reading Backup selection %s" % selection_id)
        return json.dumps(record)

    def list_backup_selections(self):
        plan_id = _path_ids(self.path)[0]
        backend = self.backup_backend
        _plan(backend, plan_id)
        summaries = [{"SelectionId": r["SelectionId"], "SelectionName": r["BackupSelection"]["SelectionName"],
                      "BackupPlanId": plan_id, "CreationDate": r["CreationDate"],
                      "CreatorRequestId": r["CreatorRequestId"], "IamRoleArn": r["BackupSelection"]["IamRoleArn"]}
                     for r in _selections(backend).values() if r["BackupPlanId"] == plan_id]
        return json.dumps({"BackupSelectionsList": summaries})

    def delete_backup_selection(self):
        plan_id, selection_id = _path_ids(self.path)
        backend = self.backup_backend
        record = _selections(backend).get(selection_id)
        if record is None or record["BackupPlanId"] != plan_id:
            raise ResourceNotFoundException(msg="Failed reading Backup selection %s" % selection_id)
        del _selections(backend)[selection_id]
        return "{}"

    responses.BackupResponse.create_backup_selection = create_backup_selection
    responses.BackupResponse.get_backup_selection = get_backup_selection
    responses.BackupResponse.list_backup_selections = list_backup_selections
    responses.BackupResponse.delete_backup_selection = delete_backup_selection
