# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reports of a conformance audit, from the results of every environment (``{env: [result, ...]}``):
JUnit XML for CI and AWX (one test case per check, resource and environment; a failed check is a ``<failure>``)
and one self-contained HTML page (inline style, no script, no external asset; every value escaped)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import json
from xml.etree import ElementTree

from ansible_collections.envops.aws.plugins.module_utils.audit_checks import FAILED
from ansible_collections.envops.aws.plugins.module_utils.audit_checks import HIGH
from ansible_collections.envops.aws.plugins.module_utils.audit_checks import NOT_APPLICABLE
from ansible_collections.envops.aws.plugins.module_utils.audit_checks import summary


def junit_xml(results_by_env, run_id):
    """One ``<testsuite>`` per environment inside ``<testsuites>``; not_applicable checks are ``<skipped>``."""
    suites = ElementTree.Element("testsuites", name="conformance audit %s" % run_id)
    for environment in sorted(results_by_env):
        results = results_by_env[environment]
        suite = ElementTree.SubElement(suites, "testsuite", name="audit %s" % environment,
                                       tests=str(len(results)),
                                       failures=str(sum(1 for r in results if r["status"] == FAILED)),
                                       skipped=str(sum(1 for r in results if r["status"] == NOT_APPLICABLE)),
                                       errors="0")
        for r in results:
            case = ElementTree.SubElement(suite, "testcase", classname="audit.%s.%s" % (environment, r["id"]),
                                          name="%s %s" % (r["id"], r["resource"]))
            if r["status"] == FAILED:
                failure = ElementTree.SubElement(case, "failure", type="severity %s" % r["severity"],
                                                 message="%s: %s" % (r["resource"], r["message"]))
                failure.text = json.dumps(r["evidence"], sort_keys=True, default=str)
            elif r["status"] == NOT_APPLICABLE:
                ElementTree.SubElement(case, "skipped", message=r["message"])
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


_STYLE = """body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:2em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.9em}
th{background:#eee}.passed{color:#176317}.failed{color:#a01010;font-weight:bold}.not_applicable{color:#666}
pre{margin:0;white-space:pre-wrap;max-width:50em;font-size:.85em}"""


def _cell(value, css=None):
    return "<td%s>%s</td>" % (' class="%s"' % html.escape(css, quote=True) if css else "",
                              html.escape(str(value), quote=True))


def esc(text):
    """Text as HTML, quotes included."""
    return html.escape(str(text), quote=True)


def html_page(results_by_env, run_id):
    """The whole report as one HTML page; nothing is fetched when it is opened."""
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             "<title>%s</title><style>%s</style></head><body>" % (esc("conformance audit %s" % run_id), _STYLE),
             "<h1>%s</h1><ul>" % esc("Conformance audit %s" % run_id)]
    for environment in sorted(results_by_env):
        parts.append("<li>%s</li>" % esc(summary(environment, results_by_env[environment])["line"]))
    parts.append("</ul>")
    for environment in sorted(results_by_env):
        parts.append("<h2>%s</h2><table><tr><th>check</th><th>severity</th><th>status</th><th>resource</th>"
                     "<th>message</th><th>evidence</th></tr>" % esc(environment))
        for r in results_by_env[environment]:
            parts.append("<tr>%s%s%s%s%s<td><pre>%s</pre></td></tr>" % (
                _cell(r["id"]), _cell(r["severity"]), _cell(r["status"], r["status"]), _cell(r["resource"]),
                _cell(r["message"]), esc(json.dumps(r["evidence"], indent=1, sort_keys=True, default=str))))
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)


def report_document(results_by_env, run_id, parity=None):
    """The JSON report: every check of every environment, the summaries and (compare mode) the parity diff."""
    document = {"run_id": run_id,
                "summaries": [summary(env, results_by_env[env]) for env in sorted(results_by_env)],
                "high_failures": ["%s %s %s: %s" % (env, r["id"], r["resource"], r["message"])
                                  for env in sorted(results_by_env) for r in results_by_env[env]
                                  if r["status"] == FAILED and r["severity"] == HIGH],
                "environments": dict((env, results_by_env[env]) for env in sorted(results_by_env))}
    if parity is not None:
        document["parity"] = parity
    return document
