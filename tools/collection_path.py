"""Import envops.aws code from a checkout: make `ansible_collections.envops.aws` importable.

`make venv` links .scratch/collections/ansible_collections/envops/aws to the checkout; tools and tests
put that collections root on sys.path and import through it, as Ansible does.
"""

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS_ROOT = ROOT / ".scratch" / "collections"


def ensure_collection_link():
    link = COLLECTIONS_ROOT / "ansible_collections" / "envops" / "aws"
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ROOT)
    if str(COLLECTIONS_ROOT) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS_ROOT))


def import_collection(dotted):
    """Import `ansible_collections.envops.aws.<dotted>`."""
    ensure_collection_link()
    return importlib.import_module("ansible_collections.envops.aws." + dotted)
