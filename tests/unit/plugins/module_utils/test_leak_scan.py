# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
import re

from ansible_collections.envops.aws.plugins.module_utils.leak_scan import Finding
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import masked_forms
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import settle
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import source_words
from ansible_collections.envops.aws.plugins.module_utils.leak_scan import tokens
from ansible_collections.envops.aws.plugins.module_utils.masking_policy import ScanException

MASKED = re.compile(masked_forms(["u_", "acct-"]))


def test_tokens_are_words_and_the_whole_value_in_their_case_variants():
    found = tokens("  Happy birthday WEI, from jane.doe@gmail.com ")
    assert {"Happy birthday WEI, from jane.doe@gmail.com", "birthday", "Birthday", "BIRTHDAY", "WEI", "Wei",
            "wei", "jane.doe@gmail.com", "Jane.Doe@Gmail.Com"} <= found
    assert not [word for word in found if len(word) < 3]


def test_masked_output_is_not_a_token():
    found = tokens("u_0123456789abcdef@example.invalid acct-0123456789abcdef acct-xyz", MASKED)
    assert "u_0123456789abcdef@example.invalid" not in found and "acct-0123456789abcdef" not in found
    assert "acct-xyz" in found


def test_source_words_split_names_only():
    assert source_words("Mary Ann Smith", True) == {"Mary Ann Smith", "Mary", "Ann", "Smith"}
    assert source_words("12 Main St", False) == {"12 Main St"}


def _exception(expires=None):
    return ScanException("postgresql", "public.orders", "notes", "reviewed", "dpo@example.com", expires)


def test_findings_fail_unless_an_exception_in_force_covers_them():
    findings = [Finding("public.orders", "notes", 3, "source", "public.customers.first_name"),
                Finding("public.orders", "status", 2, "phone"), Finding("public.orders", "channel", 0, "email")]

    failures, evidence = settle(findings, [_exception("2030-01-01")], today="2029-12-31")

    assert failures == ["public.orders.status: 2 value(s) hold a phone number"]
    assert evidence == [{"field": "public.orders.notes", "store": "postgresql", "reason": "reviewed",
                         "approver": "dpo@example.com", "expires": "2030-01-01", "in_force": True,
                         "findings": ["public.orders.notes: 3 value(s) hold source values of "
                                      "public.customers.first_name"]}]


def test_an_expired_exception_covers_nothing():
    failures, evidence = settle([Finding("public.orders", "notes", 1, "us_ssn")], [_exception("2030-01-01")],
                                today="2030-01-02")
    assert failures == ["public.orders.notes: 1 value(s) hold a national id (us_ssn)"]
    assert evidence[0]["in_force"] is False and evidence[0]["findings"] == []
