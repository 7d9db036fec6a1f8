# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: audit_report
short_description: The reports of a conformance audit (JSON document, JUnit XML, HTML page)
version_added: 0.1.0
description:
  - Renders the results of module M(envops.aws.conformance_audit) of every environment (environment name to its
    RV(envops.aws.conformance_audit#module:checks)) as one of three reports, chosen by O(kind).
  - V(json) gives the report document (summaries, every check and, when given, the parity diff), V(junit) the JUnit
    XML (one test case per check, resource and environment; failed checks as failures, not applicable ones as
    skipped), V(html) one self-contained HTML page (no script, no external asset, every value escaped).
positional: kind, run_id, parity
options:
  _input:
    description: Environment name to the list of its check results.
    type: dict
    required: true
  kind:
    description: Which report.
    type: str
    choices: [json, junit, html]
    required: true
  run_id:
    description: The id of the audit run (it names the report directory).
    type: str
    required: true
  parity:
    description: The parity diff of compare mode (filter P(envops.aws.audit_parity#filter)), for V(json).
    type: dict
"""

EXAMPLES = r"""
- name: Write the JUnit report
  ansible.builtin.copy:
    content: "{{ audit_results | envops.aws.audit_report('junit', audit_run_id) }}"
    dest: "{{ audit_dir }}/audit.junit.xml"
    mode: "0644"
"""

RETURN = r"""
_value:
  description: The report document (V(json)) or its text (V(junit), V(html)).
  type: raw
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.module_utils import audit_report as reports


def audit_report(results_by_env, kind, run_id, parity=None):
    results_by_env = dict(results_by_env or {})
    if kind == "json":
        return reports.report_document(results_by_env, run_id, parity)
    if kind == "junit":
        return reports.junit_xml(results_by_env, run_id)
    if kind == "html":
        return reports.html_page(results_by_env, run_id)
    raise AnsibleFilterError("audit_report: kind must be json, junit or html, not %r" % (kind,))


class FilterModule(object):
    def filters(self):
        return {"audit_report": audit_report}
