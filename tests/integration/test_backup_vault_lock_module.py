"""envops.aws.backup_vault_lock through ansible-playbook against the local stack; boto3 reads the vault back.

One vault of a fresh fake account: governance lock in check mode (nothing changes), for real, again (unchanged),
a changed minimum (diff), compliance mode, the same compliance lock again (its lock date is not pushed back),
removal. Bad input is refused before any AWS call (the vault named does not exist, and the message is about the
input), a missing vault says so. moto keeps the lock as AWS does; an immutable lock (after its lock date) cannot be
reached here without waiting 3 days: the refusal is covered by the unit tests.
"""

import pytest

from harness import aws_client, run_playbook
from tools.local_inventory import fresh_account_id

REGION = "me-south-1"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    envops.aws.backup_vault_lock:
      endpoint_url: "{{ endpoint_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %s
  tasks:
    - name: Lock
      envops.aws.backup_vault_lock:
        backup_vault_name: "{{ vault }}"
        min_retention_days: "{{ min_days }}"
        max_retention_days: 35
        changeable_for_days: "{{ changeable | default(omit) }}"
        state: "{{ state | default('present') }}"
""" % REGION


@pytest.fixture(scope="module")
def setup(stack, tmp_path_factory):
    account = fresh_account_id(6)
    backup = aws_client(stack, "backup", account, REGION)
    backup.create_backup_vault(BackupVaultName="envops-locktest")
    directory = tmp_path_factory.mktemp("vault-lock")
    (directory / "hosts.yml").write_text("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
                                         "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n")
    (directory / "lock.yml").write_text(PLAYBOOK)
    return directory, backup, {"endpoint_url": stack["moto_url"], "account": account, "vault": "envops-locktest"}


def lock(setup, check=False, **extra):
    directory, _backup, variables = setup
    run = run_playbook(str(directory / "lock.yml"), directory / "hosts.yml", check=check, diff=True,
                       extra_vars=dict(variables, **extra), timeout=120)
    assert run.report, run.stdout[-3000:] + run.stderr[-3000:]
    return run.facts("localhost", "Lock")


def vault(setup):
    return setup[1].describe_backup_vault(BackupVaultName="envops-locktest")


def test_governance_lock_check_mode_then_real_then_unchanged(setup):
    preview = lock(setup, check=True, min_days=7)
    assert preview["changed"] and preview["diff"]["after"]["mode"] == "governance"
    assert not vault(setup).get("Locked"), "check mode changed nothing"
    done = lock(setup, min_days=7)
    assert done["changed"] and done["vault_lock"] == {"locked": True, "min_retention_days": 7,
                                                      "max_retention_days": 35, "mode": "governance",
                                                      "lock_date": None, "immutable": False}
    assert (vault(setup)["Locked"], vault(setup)["MinRetentionDays"], vault(setup)["MaxRetentionDays"]) == (True, 7, 35)
    assert not lock(setup, min_days=7)["changed"]
    changed = lock(setup, min_days=14)
    assert changed["changed"] and (changed["diff"]["before"]["min_retention_days"],
                                   changed["diff"]["after"]["min_retention_days"]) == (7, 14)


def test_compliance_lock_keeps_its_lock_date_when_it_already_matches(setup):
    first = lock(setup, min_days=14, changeable=3)
    assert first["changed"] and first["vault_lock"]["mode"] == "compliance" and first["vault_lock"]["lock_date"]
    again = lock(setup, min_days=14, changeable=3)
    assert not again["changed"] and again["vault_lock"]["lock_date"] == first["vault_lock"]["lock_date"]
    assert not again["vault_lock"]["immutable"], "immutable only after the cooling-off"


def test_bad_input_and_missing_vault_are_refused_with_the_reason(setup):
    bad = lock(setup, min_days=40, vault="envops-no-such-vault")
    assert bad["failed"] and "min_retention_days 40 is more than max_retention_days 35" in bad["msg"]
    missing = lock(setup, min_days=7, vault="envops-no-such-vault")
    assert missing["failed"] and "backup vault envops-no-such-vault does not exist" in missing["msg"]


def test_removal_during_the_cooling_off(setup):
    removed = lock(setup, min_days=14, state="absent")
    assert removed["changed"] and removed["vault_lock"]["locked"] is False
    assert not vault(setup).get("Locked")
    assert not lock(setup, min_days=14, state="absent")["changed"]
