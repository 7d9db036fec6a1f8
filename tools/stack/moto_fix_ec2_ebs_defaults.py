"""Corrections of moto's EC2 EBS encryption-by-default key calls (see moto_corrections for the rules)."""

from tools.stack.moto_corrections import corrects

# What AWS answers for the default key of a region whose default was never changed (or was reset).
AWS_MANAGED_EBS_KEY = "alias/aws/ebs"


@corrects("5.2.5")
def ebs_default_kms_key_id() -> None:
    """GetEbsDefaultKmsKeyId and ResetEbsDefaultKmsKeyId, as AWS answers them.

    AWS: GetEbsDefaultKmsKeyId answers KmsKeyId, the key new encrypted volumes of the region get: the ARN given to
    ModifyEbsDefaultKmsKeyId, or ``alias/aws/ebs`` (the AWS managed key) when it was never changed or was reset;
    ResetEbsDefaultKmsKeyId makes it the AWS managed key again and answers it.
    moto 5.2.5: keeps the key that ModifyEbsDefaultKmsKeyId sets, but both calls answer HTTP 500 (not implemented).
    Breaks: envops.aws.ec2_ebs_default_encryption, which cannot read the default key it compares with.
    """
    from moto.core.responses import ActionResult
    from moto.ec2.responses.elastic_block_store import ElasticBlockStore

    def get_ebs_default_kms_key_id(self):
        self.error_on_dryrun()
        return ActionResult({"KmsKeyId": getattr(self.ec2_backend, "default_kms_key_id", None) or AWS_MANAGED_EBS_KEY})

    def reset_ebs_default_kms_key_id(self):
        self.error_on_dryrun()
        self.ec2_backend.default_kms_key_id = None
        return ActionResult({"KmsKeyId": AWS_MANAGED_EBS_KEY})

    ElasticBlockStore.get_ebs_default_kms_key_id = get_ebs_default_kms_key_id
    ElasticBlockStore.reset_ebs_default_kms_key_id = reset_ebs_default_kms_key_id
