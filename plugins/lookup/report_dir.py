# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: report_dir
short_description: The directory the procedures write their reports to
version_added: 0.1.0
description:
  - The absolute path of the directory where roles C(dr_drill), C(failover), C(refresh_masked), C(restore) and
    C(teardown) write their reports.
  - It is O(envops_report_dir) when set, a relative path taken from the directory C(ansible-playbook) runs in.
  - Unset, it is C(reports) in the directory C(ansible-playbook) runs in, beside the run, so that the reports of a
    collection installed with C(ansible-galaxy) never land inside the installed collection.
  - The lookup only computes the path; the roles create the directory when they write a report.
options:
  envops_report_dir:
    description: Where the reports go.
    type: str
    vars:
      - name: envops_report_dir
"""

EXAMPLES = r"""
- name: Write a report beside the run, or where envops_report_dir says
  ansible.builtin.copy:
    content: "{{ report | to_nice_json }}\n"
    dest: "{{ lookup('envops.aws.report_dir') }}/my-report.json"
    mode: "0644"
"""

RETURN = r"""
_raw:
  description: The absolute path of the report directory (one element).
  type: list
  elements: str
"""

import os

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

DEFAULT_REPORT_DIR = "reports"


def report_dir(configured, working_dir):
    """The report directory: `configured` (relative to `working_dir`, `~` expanded), else `reports` beside the run."""
    path = os.path.expanduser(configured) if configured else DEFAULT_REPORT_DIR
    return os.path.normpath(os.path.join(working_dir, path))


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleError("lookup envops.aws.report_dir takes no terms: set envops_report_dir instead")
        self.set_options(var_options=variables, direct=kwargs)
        # ansible-playbook never changes its working directory, so this is where the user ran it.
        # a variable's value comes untemplated (e.g. "{{ playbook_dir }}/reports" from an inventory)
        configured = self._templar.template(self.get_option("envops_report_dir"))
        return [report_dir(configured, os.getcwd())]
