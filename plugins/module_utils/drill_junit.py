# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JUnit XML of a DR drill, for AWX and CI: one test case per store and target.

Per store: ``<store> restore and validation``, ``<store> RTO``, ``<store> RPO``; for the environment: ``RTO`` and
``RPO``. A missed target is a ``<failure>`` whose message says by how much; a store whose validation failed fails
its first case. Built with ElementTree, so names and messages are escaped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from xml.etree import ElementTree

from ansible_collections.envops.aws.plugins.module_utils.drill_measure import human


def _case(suite, classname, name, seconds, failure=None):
    case = ElementTree.SubElement(suite, "testcase", classname=classname, name=name,
                                  time="%.3f" % (seconds or 0.0))
    if failure:
        ElementTree.SubElement(case, "failure", message=failure, type="DrillTargetMissed").text = failure
    return case


def _target_failure(kind, achieved, target):
    if achieved is None:
        return "%s could not be measured" % kind
    if achieved > target:
        return "%s %s exceeds the target %s" % (kind, human(achieved), human(target))
    return None


def junit_xml(environment, drill_id, stores, result):
    """``stores``: results of drill_measure.measure_store; ``result``: drill_measure.overall. Returns the XML
    text (UTF-8 declaration included)."""
    classname = "dr_drill.%s" % environment
    suite = ElementTree.Element("testsuite", name="dr_drill %s %s" % (environment, drill_id))
    for store in stores:
        validated = store["rto_s"] is not None
        _case(suite, classname, "%s restore and validation" % store["store"], store["rto_s"],
              None if validated else "%s: the restored data did not validate" % store["store"])
        _case(suite, classname, "%s RTO" % store["store"], store["rto_s"],
              _target_failure("RTO", store["rto_s"], store["rto_target_s"]))
        _case(suite, classname, "%s RPO" % store["store"], 0.0,
              _target_failure("RPO", store["rpo_s"], store["rpo_target_s"]))
    _case(suite, classname, "RTO", result["rto_s"], _target_failure("RTO", result["rto_s"], result["rto_target_s"]))
    _case(suite, classname, "RPO", 0.0, _target_failure("RPO", result["rpo_s"], result["rpo_target_s"]))
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for case in cases if case.find("failure") is not None)))
    suite.set("errors", "0")
    suite.set("time", "%.3f" % (result["rto_s"] or 0.0))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suite, encoding="unicode") + "\n"
