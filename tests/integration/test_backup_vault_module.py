"""envops.aws.backup_vault through ansible-playbook against the local stack; boto3 reads the vault back.

One vault of a fresh fake account under a KMS key of its own: creation in check mode (nothing changes), for real,
again (unchanged), a tag change (diff), another key refused with the reason, deletion in check mode, for real and
again. None of these runs warns: the vault is found by listing, not by a DescribeBackupVault that AWS (and moto's
correction) answers with AccessDenied for a missing vault. Bad input is refused before any AWS call.
"""

import pytest

from harness import aws_client, run_playbook
from tools.local_inventory import fresh_account_id

REGION = "me-south-1"
VAULT = "envops-vaulttest"

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    envops.aws.backup_vault:
      endpoint_url: "{{ endpoint_url }}"
      access_key: "{{ account }}"
      secret_key: local-moto-not-a-secret
      region: %s
  tasks:
    - name: Vault
      envops.aws.backup_vault:
        backup_vault_name: "{{ vault }}"
        encryption_key_arn: "{{ key | default(omit) }}"
        tags: "{{ tags | default(omit) }}"
        state: "{{ state | default('present') }}"
""" % REGION


@pytest.fixture(scope="module")
def setup(stack, tmp_path_factory):
    account = fresh_account_id(5)
    kms = aws_client(stack, "kms", account, REGION)
    keys = (kms.create_key()["KeyMetadata"]["Arn"], kms.create_key()["KeyMetadata"]["Arn"])
    directory = tmp_path_factory.mktemp("vault")
    (directory / "hosts.yml").write_text("all:\n  hosts:\n    localhost:\n      ansible_connection: local\n"
                                         "      ansible_python_interpreter: '{{ ansible_playbook_python }}'\n")
    (directory / "vault.yml").write_text(PLAYBOOK)
    variables = {"endpoint_url": stack["moto_url"], "account": account, "vault": VAULT}
    return directory, aws_client(stack, "backup", account, REGION), variables, keys


def vault(setup, check=False, **extra):
    directory, _backup, variables, _keys = setup
    run = run_playbook(str(directory / "vault.yml"), directory / "hosts.yml", check=check, diff=True,
                       extra_vars=dict(variables, **extra), timeout=120)
    assert run.report, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.warnings("localhost") == []
    return run.facts("localhost", "Vault")


def listed(setup):
    return [v for v in setup[1].list_backup_vaults()["BackupVaultList"] if v["BackupVaultName"] == VAULT]


def test_create_check_mode_then_real_then_unchanged(setup):
    key = setup[3][0]
    preview = vault(setup, check=True, key=key, tags={"env": "test"})
    assert preview["changed"] and preview["diff"]["after"] == {"exists": True, "encryption_key_arn": key,
                                                               "tags": {"env": "test"}}
    assert listed(setup) == [], "check mode created nothing"
    created = vault(setup, key=key, tags={"env": "test"})
    assert created["changed"] and created["vault"]["encryption_key_arn"] == key
    assert [v["EncryptionKeyArn"] for v in listed(setup)] == [key]
    arn = listed(setup)[0]["BackupVaultArn"]
    assert created["vault"]["backup_vault_arn"] == arn and setup[1].list_tags(ResourceArn=arn)["Tags"] == {"env": "test"}
    again = vault(setup, key=key, tags={"env": "test"})
    assert not again["changed"] and again["vault"] == created["vault"]


def test_tags_change_with_a_diff_and_another_key_is_refused(setup):
    key, other = setup[3]
    retagged = vault(setup, key=key, tags={"env": "test", "tier": "backup"})
    assert retagged["changed"] and retagged["diff"]["before"]["tags"] == {"env": "test"}
    assert retagged["vault"]["tags"] == {"env": "test", "tier": "backup"}
    refused = vault(setup, key=other, tags={"env": "test", "tier": "backup"})
    assert refused["failed"] and "a vault's key is fixed when it is created" in refused["msg"]
    assert [v["EncryptionKeyArn"] for v in listed(setup)] == [key]


def test_bad_input_is_refused_before_any_call(setup):
    bad = vault(setup, vault="no spaces", key="alias/envops/test/backups")
    assert bad["failed"] and "backup_vault_name 'no spaces' must be 2 to 50" in bad["msg"]
    assert "encryption_key_arn 'alias/envops/test/backups' must be the ARN of a KMS key" in bad["msg"]


def test_delete_check_mode_then_real_then_unchanged(setup):
    preview = vault(setup, check=True, state="absent")
    assert preview["changed"] and preview["vault"] == {} and len(listed(setup)) == 1
    assert vault(setup, state="absent")["changed"] and listed(setup) == []
    assert not vault(setup, state="absent")["changed"]
