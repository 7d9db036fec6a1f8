# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make `ansible_collections.envops.aws` importable under plain `pytest tests/unit`.

ansible-test units already runs from an ansible_collections/envops/aws tree; plain pytest runs from the
checkout, which `make venv` links into .scratch/collections/ansible_collections/envops/aws.
"""

import sys
from pathlib import Path

import pytest

COLLECTIONS_ROOT = Path(__file__).resolve().parents[2] / ".scratch" / "collections"


def _collection_importable():
    try:
        import ansible_collections.envops.aws  # noqa: F401  pylint: disable=unused-import
    except ImportError:
        return False
    return True


if not _collection_importable():
    # ansible_collections is a namespace package, so this path joins the one holding amazon.aws.
    sys.path.insert(0, str(COLLECTIONS_ROOT))
    if not _collection_importable():
        pytest.exit(f"envops.aws is not importable: run `make collection` to link it under {COLLECTIONS_ROOT}", returncode=4)
