# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.envops.aws.plugins.filter.bucket_name import bucket_name

ENV = {"name": "prod", "account": {"id": "210000000004"},
       "data": {"buckets": [{"purpose": "backups"}, {"purpose": "exports", "name": "my-exports"}]}}


def test_the_spec_name_wins_else_the_role_buckets_rule():
    assert bucket_name(ENV, "exports") == "my-exports"
    assert bucket_name(ENV, "backups") == "envops-prod-210000000004-backups"
    assert bucket_name(ENV, "logs") == "envops-prod-210000000004-logs"
