# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The tags of one AWS resource after a run, by the amazon.aws contract, and the calls that get them there."""

from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Tuple

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def wanted_tags(current: Dict[str, str], tags: Optional[Dict[str, Any]], purge_tags: bool) -> Dict[str, str]:
    """``tags`` unset: the current ones are left alone; ``purge_tags``: keys not given go, except ``aws:`` ones."""
    if tags is None:
        return dict(current)
    to_set, to_unset = compare_aws_tags(current, tags, purge_tags)
    wanted = dict((key, value) for key, value in current.items() if key not in to_unset)
    wanted.update((key, str(value)) for key, value in to_set.items())
    return wanted


def tag_changes(current: Dict[str, str], desired: Dict[str, str]) -> Tuple[Dict[str, str], List[str]]:
    """(tags to set, keys to remove) that turn ``current`` into ``desired``."""
    to_set = dict((key, value) for key, value in desired.items() if current.get(key) != value)
    to_remove = sorted(key for key in current if key not in desired)
    return to_set, to_remove
