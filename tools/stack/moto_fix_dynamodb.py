"""Corrections of moto's DynamoDB encryption and billing settings (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


def _sse(backend, specification):
    """moto's stored form of an SSESpecification: AWS reports the KMS key as its ARN whatever form was given."""
    if not specification or not specification.get("Enabled"):
        return None  # the AWS owned key: DescribeTable shows no SSEDescription
    from moto.kms import kms_backends

    stored = dict(specification)
    key = stored.get("KMSMasterKeyId")
    if key:
        stored["KMSMasterKeyId"] = kms_backends[backend.account_id][backend.region_name].describe_key(key).arn
    return stored


@corrects("5.2.5")
def dynamodb_sse_and_billing_of_updates_and_restores() -> None:
    """UpdateTable applies SSESpecification; RestoreTableToPointInTime applies SSESpecificationOverride and
    BillingModeOverride, and keeps the source's settings where none is given, as AWS does.

    AWS: UpdateTable with SSESpecification {Enabled: true, SSEType: KMS, KMSMasterKeyId} switches the table to that
    customer managed key (DescribeTable then reports SSEDescription with the key's ARN); Enabled false switches it
    back to the AWS owned key. A restored table takes the overrides given, else the source table's encryption and
    billing mode.
    moto 5.2.5: UpdateTable ignores SSESpecification; a restore ignores both overrides, drops the source's
    encryption and reports no billing mode.
    Breaks: envops.aws.dynamodb_table, which re-applies the spec's data key to a restored table (role restore): it
    reports a change on every run and the table stays on the AWS owned key; envops.aws.dynamodb_table_restore,
    whose restored table is not encrypted with the key it asks for.
    Not modelled: the time of a point-in-time restore (moto copies the items the source has now).
    """
    from moto.dynamodb import responses

    original_update = responses.DynamoHandler.update_table

    def update_table(self):
        specification = self.body.get("SSESpecification")
        if specification is not None:
            table = self.dynamodb_backend.get_table(self.body["TableName"])
            table.sse_specification = _sse(self.dynamodb_backend, specification)
        return original_update(self)

    def restore_table_to_point_in_time(self):
        body = self.body
        backend = self.dynamodb_backend
        source = backend.get_table(body.get("SourceTableName"))
        restored = backend.restore_table_to_point_in_time(body.get("TargetTableName"), body.get("SourceTableName"))
        if "SSESpecificationOverride" in body:
            restored.sse_specification = _sse(backend, body["SSESpecificationOverride"])
        else:
            restored.sse_specification = dict(source.sse_specification) if source.sse_specification else None
        restored.billing_mode = body.get("BillingModeOverride") or source.billing_mode
        return responses.DynamoResult(restored.describe())

    responses.DynamoHandler.update_table = update_table
    responses.DynamoHandler.restore_table_to_point_in_time = restore_table_to_point_in_time


@corrects("5.2.5")
def dynamodb_create_table_is_atomic() -> None:
    """Of two CreateTable calls for one name at the same moment, one creates the table and the other fails.

    AWS: CreateTable of a name that exists, or is being created, fails with ResourceInUseException.
    moto 5.2.5: the check for an existing name and the creation are not atomic (the server answers in threads, and
    creating an encrypted table takes a while): both calls succeed, and the second replaces the table the first
    created, with the items written to it meanwhile.
    Breaks: envops.aws.env_lock, whose first two runs in an account may create the lock table at once: the second
    creation dropped the lock the first run had taken, and both runs held the environment.
    """
    from threading import Lock

    from moto.dynamodb.models import DynamoDBBackend

    original_create = DynamoDBBackend.create_table
    creating = Lock()

    def create_table(self, *args, **kwargs):
        with creating:
            return original_create(self, *args, **kwargs)

    DynamoDBBackend.create_table = create_table
