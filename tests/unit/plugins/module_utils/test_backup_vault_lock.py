# -*- coding: utf-8 -*-
# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from datetime import datetime
from datetime import timezone

import pytest

from ansible_collections.envops.aws.plugins.module_utils import backup_vault_lock as locks

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("days,problem", [
    ((7, 35, None), None), ((7, None, 3), None), ((None, 35, None), None),
    ((None, None, None), "needs min_retention_days or max_retention_days"),
    ((0, 35, None), "min_retention_days must be 1 to 36500"),
    ((7, 36501, None), "max_retention_days must be 1 to 36500"),
    ((40, 35, None), "min_retention_days 40 is more than max_retention_days 35"),
    ((7, 35, 2), "changeable_for_days must be at least 3"),
])
def test_validate_in_aws_limits(days, problem):
    problems = locks.validate(*days)
    assert (problems == []) if problem is None else any(problem in text for text in problems), problems


def test_lock_of_a_vault_without_governance_and_compliance():
    assert locks.lock_of({"BackupVaultName": "v"}, NOW) == {
        "locked": False, "min_retention_days": None, "max_retention_days": None, "mode": None, "lock_date": None,
        "immutable": False}
    governance = locks.lock_of({"Locked": True, "MinRetentionDays": 7, "MaxRetentionDays": 35}, NOW)
    assert (governance["mode"], governance["immutable"]) == ("governance", False)
    cooling = locks.lock_of({"Locked": True, "MinRetentionDays": 7, "LockDate": datetime(2026, 12, 6)}, NOW)
    assert (cooling["mode"], cooling["immutable"], cooling["lock_date"]) == (
        "compliance", False, "2026-12-06T00:00:00+00:00")
    immutable = locks.lock_of({"Locked": True, "MinRetentionDays": 7, "LockDate": 1764000000.0}, NOW)  # 2025-11-24
    assert (immutable["mode"], immutable["immutable"]) == ("compliance", True)


def test_a_matching_lock_does_not_differ_and_an_immutable_one_is_refused_with_the_reason():
    cooling = locks.lock_of({"Locked": True, "MinRetentionDays": 7, "MaxRetentionDays": 35,
                             "LockDate": datetime(2026, 12, 6, tzinfo=timezone.utc)}, NOW)
    assert not locks.differs(cooling, locks.wanted(7, 35, 3)), "same compliance lock: the cooling-off is not reset"
    assert locks.differs(cooling, locks.wanted(7, 35, None)), "compliance -> governance is a change"
    assert locks.differs(cooling, locks.wanted(14, 35, 3))
    assert locks.refusal("envops-prod", cooling, "changed") is None
    immutable = dict(cooling, immutable=True)
    assert "immutable since 2026-12-06" in locks.refusal("envops-prod", immutable, "removed")
