# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from xml.etree import ElementTree
from datetime import datetime, timedelta, timezone

from ansible_collections.envops.aws.plugins.module_utils import drill_measure as measure
from ansible_collections.envops.aws.plugins.module_utils.drill_junit import junit_xml

START = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)
MARKERS = [{"id": "m1", "written_at": START - timedelta(minutes=10)}]


def cases(xml):
    suite = ElementTree.fromstring(xml.split("\n", 1)[1])
    return suite, dict((case.get("name"), case.find("failure")) for case in suite.findall("testcase"))


def test_a_passed_drill_has_five_cases_per_store_set_and_no_failure():
    stores = [measure.measure_store("postgres <prod>", START, MARKERS, ["m1"], START + timedelta(minutes=3), 600, 900)]
    result = measure.overall(stores, 600, 900)
    xml = junit_xml("prod", "d1", stores, result)
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    suite, found = cases(xml)
    assert sorted(found) == ["RPO", "RTO", "postgres <prod> RPO", "postgres <prod> RTO",
                             "postgres <prod> restore and validation"]
    assert all(failure is None for failure in found.values())
    assert (suite.get("tests"), suite.get("failures"), suite.get("time")) == ("5", "0", "180.000")
    assert "&lt;prod&gt;" in xml, "names are escaped"


def test_missed_and_unmeasured_targets_are_failures_with_the_reason():
    late = measure.measure_store("postgres", START, MARKERS, ["m1"], START + timedelta(minutes=20), 600, 300)
    lost = measure.measure_store("dynamodb", START, MARKERS, [], None, 600, 300)
    result = measure.overall([late, lost], 600, 300)
    suite, found = cases(junit_xml("staging", "d2", [late, lost], result))
    assert found["postgres RTO"].get("message") == "RTO 20m 0s exceeds the target 10m 0s"
    assert found["postgres RPO"].get("message") == "RPO 10m 0s exceeds the target 5m 0s"
    assert found["dynamodb restore and validation"].get("message") == "dynamodb: the restored data did not validate"
    assert found["dynamodb RPO"].get("message") == "RPO could not be measured"
    assert found["RTO"].get("message") == "RTO could not be measured"
    assert suite.get("failures") == "7"
