# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: aws_config
short_description: The botocore configuration every AWS module of a procedure gets
version_added: 0.1.0
description:
  - The playbooks pass it as C(aws_config) to every amazon.aws, community.aws and envops.aws module through
    C(module_defaults), so upstream modules survive throttling (C(ThrottlingException), S3 C(SlowDown)) and 5xx
    answers like the collection's own.
  - The inventory's C(envops_aws_config) (botocore C(Config) options) over the default retries
    C({mode=standard, max_attempts=10}); a C(retries) mode other than legacy, standard or adaptive, or a
    C(max_attempts) (retries) outside 1..50, fail naming the field.
options:
  _input:
    description: The inventory's C(envops_aws_config), or C(none).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Every AWS module of the play retries like the collection's own calls
  hosts: envops_environments
  module_defaults:
    group/amazon.aws.aws:
      aws_config: "{{ envops_aws_config | default(none) | envops.aws.aws_config }}"
  tasks: []
"""

RETURN = r"""
_value:
  description: Botocore C(Config) options, C(retries) always set.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils.aws_retry import botocore_config


def aws_config(config):
    try:
        return botocore_config(config)
    except ValueError as error:
        raise AnsibleFilterError(str(error)) from None


class FilterModule(object):
    def filters(self):
        return {"aws_config": aws_config}
