# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The account a module's credentials act in, as AWS says it (STS GetCallerIdentity), never as an inventory says."""

from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry


@AWSErrorHandler.common_error_handler("read the account of the credentials (sts GetCallerIdentity)")
@aws_retry()
def caller_account_id(client) -> str:
    return client.get_caller_identity()["Account"]
