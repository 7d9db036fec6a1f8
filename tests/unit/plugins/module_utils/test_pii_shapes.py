# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
import pytest

from ansible_collections.envops.aws.plugins.module_utils.pii_shapes import find_shapes
from ansible_collections.envops.aws.plugins.module_utils.pii_shapes import luhn_valid
from ansible_collections.envops.aws.plugins.module_utils.pii_shapes import pattern_problem

SSN = {"us_ssn": "[0-9]{3}-[0-9]{2}-[0-9]{4}"}


@pytest.mark.parametrize("digits, valid", [
    ("4111111111111111", True), ("4111 1111 1111 1111", True), ("5500-0000-0000-0004", True),
    ("4111111111111112", False), ("1234567812345678", False), ("0", False), ("", False),
])
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize("text, expected", [
    ("write to jane.doe@gmail.com please", {"email"}),
    ("write to u_0123456789abcdef@example.invalid", set()),  # masked output
    ("call +1 (201) 555-1234 now", {"phone"}),
    ("call 201.555.1234", {"phone"}),
    ("order of 2024-03-01 10:00:00, 12 items", set()),  # dates and times are not phone numbers
    ("sess_0123456789abcdef", set()),  # digits inside a word
    ("u_1234567", set()),
    ("card 4111 1111 1111 1111 on file", {"phone", "card"}),
    ("ref 4111 1111 1111 1112", {"phone"}),  # fails the Luhn check
    ("ssn 123-45-6789", {"phone", "us_ssn"}),
    ("A123-45-6789", set()),  # not a word of its own
    ("xxx-xxx-1234", set()),  # masked partial
    ("Gift wrap please.", set()),
])
def test_find_shapes(text, expected):
    assert find_shapes(text, SSN) == expected


@pytest.mark.parametrize("pattern, problem", [
    ("[0-9]{3}-[0-9]{2}-[0-9]{4}", None),
    ("[A-Z]{2}[0-9]{6}[A-D]", None),
    ("\\d{9}", "no backslash"),
    ("^[0-9]{9}$", "may only use"),
    ("(?:x)[0-9]", "(?"),
    ("[0-9]*", "empty string"),
    ("[0-9", "not a regular expression"),
    ("", "non-empty"),
    ("x" * 201, "at most 200"),
])
def test_declared_patterns_are_checked(pattern, problem):
    found = pattern_problem(pattern)
    assert (found is None) if problem is None else (problem in found), found
