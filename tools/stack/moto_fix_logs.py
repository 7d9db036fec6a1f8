"""Corrections of moto's CloudWatch Logs (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects


@corrects("5.2.5")
def logs_kms_key_association() -> None:
    """AssociateKmsKey and DisassociateKmsKey of a log group, missing in moto.

    AWS: AssociateKmsKey(logGroupName, kmsKeyId) encrypts the group's new events with the key from then on and
    DescribeLogGroups answers the key's ARN as ``kmsKeyId``; DisassociateKmsKey removes it. A group that does not
    exist is ResourceNotFoundException "The specified log group does not exist.".
    moto 5.2.5: no such actions (the call fails): a log group keeps the key CreateLogGroup gave it, or none.
    Breaks: envops.aws.cloudwatchlogs_log_group_kms_key, which encrypts log groups created before the key existed
    (the VPC flow log group of role network).
    Not modelled: AWS's check that the key policy lets CloudWatch Logs use the key.
    """
    from moto.logs import responses
    from moto.logs.exceptions import ResourceNotFoundException

    def _group(self):
        group = self.logs_backend.groups.get(self._get_param("logGroupName"))
        if group is None:
            raise ResourceNotFoundException("The specified log group does not exist.")
        return group

    def associate_kms_key(self):
        _group(self).kms_key_id = self._get_param("kmsKeyId")
        return ""

    def disassociate_kms_key(self):
        _group(self).kms_key_id = None
        return ""

    responses.LogsResponse.associate_kms_key = associate_kms_key
    responses.LogsResponse.disassociate_kms_key = disassociate_kms_key
