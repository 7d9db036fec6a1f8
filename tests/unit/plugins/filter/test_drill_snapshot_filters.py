# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.envops.aws.plugins.filter.drill_leftover_instances import drill_leftover_instances
from ansible_collections.envops.aws.plugins.filter.drill_snapshot import drill_snapshot
from ansible_collections.envops.aws.plugins.filter.drill_snapshot_validation import drill_snapshot_validation


def test_the_filters_pass_the_module_utils_results_and_name_bad_times():
    found = [{"db_snapshot_identifier": "s1", "snapshot_create_time": "2026-12-07T01:00:00+00:00",
              "status": "available", "snapshot_type": "manual", "encrypted": False}]
    chosen = drill_snapshot(found)
    assert (chosen["id"], chosen["data_at"]) == ("s1", "2026-12-07T01:00:00+00:00")
    with pytest.raises(AnsibleFilterError, match="drill_snapshot: the time of snapshot s1 'soon'"):
        drill_snapshot([dict(found[0], snapshot_create_time="soon")])
    instances = [{"db_instance_identifier": "prod-drill-1", "tags": {"envops:drill-id": "1"}}]
    assert drill_leftover_instances(instances, "prod-drill-", "envops:drill-id") == ["prod-drill-1"]
    drill = {"instance": {"db_instance_identifier": "prod-drill-1", "db_instance_status": "available"},
             "snapshot": chosen, "markers": [{"id": "m-1", "written_at": "2026-12-07T00:00:00+00:00"}],
             "found": ["m-1"], "fingerprints": {}, "margin_s": 60}
    assert drill_snapshot_validation(drill)["ok"]
    with pytest.raises(AnsibleFilterError, match="drill_snapshot_validation: a marker's written_at 'x'"):
        drill_snapshot_validation(dict(drill, markers=[{"id": "m-1", "written_at": "x"}]))
