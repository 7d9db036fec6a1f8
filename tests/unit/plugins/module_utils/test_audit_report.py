"""The reports of the conformance audit: JUnit XML (one case per check and environment), one self-contained HTML
page with every value escaped, and the JSON document."""

from xml.etree import ElementTree

from ansible_collections.envops.aws.plugins.module_utils import audit_checks as ac
from ansible_collections.envops.aws.plugins.module_utils import audit_report as ar

HOSTILE = '<script>alert("x")</script>&'
RESULTS = {
    "prod": [ac.result("encryption.rds", ac.HIGH, "rds:prod-postgres", [], {"kms_key_id": "k"}),
             ac.result("tags.required", ac.MEDIUM, "s3:" + HOSTILE, ["tag owner is missing"], {"tags": {"x": HOSTILE}}),
             ac.not_applicable("edge.waf", ac.HIGH, "wafv2:prod", "no role attaches a web ACL yet")],
    "dev": [ac.result("public.rds", ac.HIGH, "rds:dev-postgres", ["the instance is publicly accessible"],
                      {"publicly_accessible": True})],
}


def test_junit_has_one_case_per_check_and_environment_failures_and_skips():
    root = ElementTree.fromstring(ar.junit_xml(RESULTS, "20261207T120000Z").split("\n", 1)[1])
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["audit dev", "audit prod"]
    prod = suites["audit prod"]
    assert (prod.get("tests"), prod.get("failures"), prod.get("skipped")) == ("3", "1", "1")
    cases = {c.get("name"): c for c in prod.findall("testcase")}
    assert cases["encryption.rds rds:prod-postgres"].find("failure") is None
    failure = cases["tags.required s3:" + HOSTILE].find("failure")
    assert failure.get("type") == "severity medium" and "tag owner is missing" in failure.get("message")
    assert cases["edge.waf wafv2:prod"].find("skipped").get("message") == "no role attaches a web ACL yet"
    dev_case = suites["audit dev"].find("testcase")
    assert dev_case.get("classname") == "audit.dev.public.rds"
    assert dev_case.find("failure").get("type") == "severity high"


def test_html_is_one_page_without_external_assets_and_escapes_everything():
    page = ar.html_page(RESULTS, "20261207T120000Z")
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    for external in ("http://", "https://", "src=", "<link", "@import"):
        assert external not in page
    assert "audit prod: 1 passed, 1 failed (0 high), 1 not applicable" in page
    assert "audit dev: 0 passed, 1 failed (1 high), 0 not applicable" in page


def test_json_document_lists_summaries_high_failures_and_every_check():
    document = ar.report_document(RESULTS, "r1", parity={"declared": []})
    assert [s["environment"] for s in document["summaries"]] == ["dev", "prod"]
    assert document["high_failures"] == ["dev public.rds rds:dev-postgres: the instance is publicly accessible"]
    assert document["environments"]["prod"] == RESULTS["prod"]
    assert document["parity"] == {"declared": []}
    assert "parity" not in ar.report_document(RESULTS, "r1")
