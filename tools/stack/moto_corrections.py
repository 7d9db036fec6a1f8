"""Corrections to moto, applied when our moto server starts.

Each correction makes moto answer the way real AWS does where moto deviates and one of the modules
we use breaks because of it. None of them makes moto accept anything AWS would reject.

Each one is pinned to the moto versions it was checked against: on any other version the launcher
refuses to start (unless ENVOPS_ALLOW_UNPINNED_MOTO=1), because the deviation may be fixed or the
patched code may have moved. Re-check each correction against the new moto, then add the version.
The corrections live per service in moto_fix_<service>.py; this module is their registry.
"""

import importlib.metadata
import os
from collections.abc import Callable
from dataclasses import dataclass

ALLOW_UNPINNED_ENV = "ENVOPS_ALLOW_UNPINNED_MOTO"


@dataclass(frozen=True)
class Correction:
    name: str
    moto_versions: frozenset[str]
    apply: Callable[[], None]


CORRECTIONS: list[Correction] = []


def corrects(*moto_versions: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register a correction checked against exactly these moto versions."""

    def register(apply: Callable[[], None]) -> Callable[[], None]:
        CORRECTIONS.append(Correction(apply.__name__, frozenset(moto_versions), apply))
        return apply

    return register


class UnpinnedMotoError(RuntimeError):
    pass


def installed_moto_version() -> str:
    return importlib.metadata.version("moto")


def unpinned_allowed() -> bool:
    return os.environ.get(ALLOW_UNPINNED_ENV) == "1"


def check_pinned(moto_version: str, allow_unpinned: bool = False) -> None:
    """Refuse a moto version the corrections were not checked against."""
    unchecked = [c.name for c in CORRECTIONS if moto_version not in c.moto_versions]
    if unchecked and not allow_unpinned:
        raise UnpinnedMotoError(
            f"moto {moto_version} is installed, but these corrections were checked only against "
            f"other versions: {', '.join(unchecked)}. Re-check each one in "
            f"tools/stack/moto_corrections.py against moto {moto_version} (drop it if moto now "
            f"behaves like AWS, else add the version), or set {ALLOW_UNPINNED_ENV}=1 to start "
            f"without them."
        )


def apply_corrections(moto_version: str, allow_unpinned: bool = False) -> list[str]:
    """Apply the corrections pinned to this moto version; return their names.

    With allow_unpinned, corrections not checked against this version are skipped rather than
    patched into code they were not written for.
    """
    check_pinned(moto_version, allow_unpinned)
    applicable = pinned_corrections(moto_version)
    for correction in applicable:
        correction.apply()
    return [correction.name for correction in applicable]


def pinned_corrections(moto_version: str) -> list[Correction]:
    return [c for c in CORRECTIONS if moto_version in c.moto_versions]


# The corrections register themselves (decorator `corrects`) in this order when imported.
from tools.stack import moto_fix_ec2, moto_fix_rds, moto_fix_s3, moto_fix_elasticache, moto_fix_kms, moto_fix_dynamodb, moto_fix_backup, moto_fix_iam, moto_fix_rds_postgres  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from tools.stack import moto_fix_ec2_ebs_defaults, moto_fix_budgets, moto_fix_ce  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from tools.stack import moto_fix_guardduty, moto_fix_securityhub, moto_fix_config  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from tools.stack import moto_fix_organizations, moto_fix_sts, moto_fix_elbv2  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from tools.stack import moto_fix_wafv2  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from tools.stack import moto_fix_cloudwatch  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from tools.stack import moto_fix_logs, moto_fix_events, moto_fix_sns  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
