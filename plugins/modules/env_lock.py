#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: env_lock
version_added: 0.1.0
short_description: One run at a time per environment - a leased lock in a DynamoDB table
description:
  - Takes (O(state=present)) or releases (O(state=absent)) the lock of one environment, so that two procedures that
    change the same environment (provisioning, teardown, masked refresh, restore, DR drill, failover, backup) never
    run at the same time.
  - The lock is one item per environment in the table O(table) (partition key C(environment)), written only with
    conditional writes. A run gets it when nobody holds it, when the holder's lease has expired (it takes it over,
    and says whose lease it was) or when the run holds it already (a renewal, the lease is extended).
  - While another run holds a live lease, the module polls every O(poll_interval) seconds up to O(wait_timeout)
    seconds, then fails naming the holder - environment, owner, procedure, start and end of its lease.
  - Release deletes the lock only when O(owner) holds it. A lock held by another run is never deleted, the module
    fails naming its holder. Releasing a lock that is not there is no change.
  - The table is created when missing (on-demand capacity, server-side encryption), the first time a lock is taken.
author:
  - envops maintainers (@envops)
options:
  environment:
    description: The environment to lock, an environment name (V(^[a-z][a-z0-9-]{0,30}$)).
    type: str
    required: true
  owner:
    description:
      - The id of the run that holds the lock, for example the AWX job id. The same owner again renews the lock; only
        this owner can release it.
      - A letter or digit, then up to 127 letters, digits, V(.), V(_), V(:) or V(-).
    type: str
    required: true
  procedure:
    description:
      - What the run does (for example V(dr_drill), V(provision)), shown to the runs that wait for the lock.
      - Required with O(state=present). Same characters as O(owner).
    type: str
  state:
    description: V(present) takes the lock (or renews it), V(absent) releases it.
    type: str
    choices: [present, absent]
    default: present
  lease_seconds:
    description:
      - How long the lock holds without a renewal, 30 to 86400 seconds. A run killed before its release keeps the
        environment locked this long, so choose it longer than the procedure (or renew between its phases).
    type: int
    default: 1800
  wait_timeout:
    description: How long to wait for a lock held by another run before failing, in seconds; V(0) fails at once.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two reads of a lock held by another run (1 to 300).
    type: int
    default: 5
  table:
    description: The lock table, created when missing (3 to 255 letters, digits, V(_), V(-) or V(.)).
    type: str
    default: envops-locks
  tags:
    description:
      - Tags of the lock table, set when this module creates it. The tags of an existing table are left alone.
    type: dict
attributes:
  check_mode:
    description: Only reads the lock, and says whether the run would acquire, renew, wait, take over or release it
      (and would create the table). A lock held by another run is not waited for.
    support: full
  diff_mode:
    description: The holder before and after (owner, procedure, start, end of the lease) when the holder changes.
    support: partial
notes:
  - A renewal of the same procedure reports C(changed=false) - it extends the lease, but the environment is held by
    the same run for the same procedure as before. A takeover also warns, since it means a run died or hung.
  - The lock is not counted - one release by the owner releases it, however often the owner took it.
  - Expiry is judged with the clock of the run that wants the lock - keep the clocks of the runners in sync.
  - Needs C(dynamodb:GetItem), C(PutItem), C(DeleteItem) and C(DescribeTable) on the table, and C(CreateTable) (with
    C(TagResource) for O(tags)) until it exists.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Take the lock of prod for this DR drill, waiting up to 10 minutes for another run to finish
  envops.aws.env_lock:
    environment: prod
    owner: "awx-{{ awx_job_id }}"
    procedure: dr_drill
    lease_seconds: 7200

- name: Release it (at the end of the run, also after a failure)
  envops.aws.env_lock:
    environment: prod
    owner: "awx-{{ awx_job_id }}"
    state: absent
"""

RETURN = r"""
lock:
  description:
    - The lock as held after the call; null after a release. In check mode, the lock as it would be.
    - When the module fails because another run holds the lock, that lock.
  returned: always
  type: dict
  contains:
    environment:
      description: The environment.
      type: str
    owner:
      description: The run that holds the lock.
      type: str
    procedure:
      description: What that run does.
      type: str
    started_at:
      description: When that run took the lock (ISO 8601, UTC). A renewal keeps it.
      type: str
    expires_at:
      description: End of the lease, in seconds since the epoch.
      type: int
    lease_ends_at:
      description: End of the lease (ISO 8601, UTC).
      type: str
    took_over_from:
      description: The holder whose expired lease this run took over (owner, procedure, started_at, expires_at,
        lease_ends_at), or null.
      type: dict
  sample: {"environment": "prod", "owner": "awx-4711", "procedure": "dr_drill",
           "started_at": "2026-12-04T12:00:00+00:00", "expires_at": 1796392800,
           "lease_ends_at": "2026-12-04T14:00:00+00:00", "took_over_from": null}
took_over:
  description: The previous holder, when this call took over its expired lease (as RV(lock)); null otherwise.
  returned: always
  type: dict
waited_seconds:
  description: How long the call waited for another run's lock.
  returned: always
  type: float
  sample: 12.4
lock_action:
  description: What the call did (in check mode, would do) - V(acquire), V(renew), V(take_over), V(wait) (check mode
    only), V(release) or V(none).
  returned: always
  type: str
  sample: take_over
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.envops.aws.plugins.module_utils import env_lock


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            environment=dict(type="str", required=True),
            owner=dict(type="str", required=True),
            procedure=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            lease_seconds=dict(type="int", default=1800),
            wait_timeout=dict(type="int", default=600),
            poll_interval=dict(type="int", default=5),
            table=dict(type="str", default=env_lock.DEFAULT_TABLE),
            tags=dict(type="dict"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    acquiring = params["state"] == "present"
    request = env_lock.LockRequest(
        table=params["table"], environment=params["environment"], owner=params["owner"],
        procedure=params["procedure"], lease_seconds=params["lease_seconds"], wait_timeout=params["wait_timeout"],
        poll_interval=params["poll_interval"], tags=params["tags"])
    problems = env_lock.validate(request, acquiring)
    if problems:
        module.fail_json(msg="env_lock: %s" % " ".join(problems))

    client = module.client("dynamodb")
    try:
        if acquiring:
            outcome = env_lock.acquire(client, request, check_mode=module.check_mode)
        else:
            outcome = env_lock.release(client, request, check_mode=module.check_mode)
    except env_lock.LockError as error:
        module.fail_json(msg=error.message, lock=error.holder, took_over=None, waited_seconds=error.waited_seconds)
    except AnsibleAWSError as error:
        module.fail_json_aws_error(error)

    if outcome["took_over"]:
        module.warn(outcome["msg"])
    diff = outcome.pop("diff")
    if diff and module._diff:
        outcome["diff"] = diff
    module.exit_json(**outcome)


if __name__ == "__main__":
    main()
