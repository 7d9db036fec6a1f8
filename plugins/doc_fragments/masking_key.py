# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The masking key options of the masking modules, documented once (module_utils/masking_key.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  key:
    description:
      - The masking key (at least 32 characters). Never returned or logged.
      - Prefer O(key_secret), which keeps the key out of the playbook's variables. Not both.
    type: str
  key_secret:
    description:
      - The Secrets Manager secret whose string value is the masking key (at least 32 characters), read by the
        module with the connection given here (the key usually lives in the source's account), never with the
        module's own. The key is never returned or logged.
      - Not with O(key).
    type: dict
    suboptions:
      secret_id:
        description: Name or ARN of the secret.
        type: str
        required: true
      region:
        description: Region of the secret. Defaults to the module's region.
        type: str
      endpoint_url:
        description: Endpoint URL of the account's Secrets Manager, else the AWS one.
        type: str
      access_key:
        description: Access key of the account.
        type: str
      secret_key:
        description: Secret key of the account.
        type: str
      session_token:
        description: Session token of the account.
        type: str
      profile:
        description: Named profile for the account.
        type: str
      aws_config:
        description: botocore Config options for the client, such as its retry configuration.
        type: dict
"""
