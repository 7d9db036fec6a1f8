"""validate.yml needs no AWS and no local stack: the local estate's inventory validates in a checkout where the stack
has never run (no .scratch/stack files), and says so for every environment."""

import shutil

from harness import REPO, run_playbook


def test_the_local_estate_validates_without_a_stack(tmp_path):
    checkout = tmp_path / "checkout"
    # inventories/local reads the stack's files relative to itself (../../.scratch/stack): a copy of the inventories
    # next to no .scratch at all; the environment definitions it links are copied with it.
    shutil.copytree(REPO / "inventories", checkout / "inventories", symlinks=False)
    assert not (checkout / ".scratch").exists()

    run = run_playbook("validate.yml", checkout / "inventories" / "local")

    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]
    for env in ("dev", "test", "staging", "prod", "dr"):
        assert run.stats(env).get("failures", 0) == 0 and run.stats(env).get("ok", 0) > 0, run.stats(env)


def test_validate_refuses_a_dev_spec_naming_prods_account_under_limit_dev(tmp_path):
    # the estate rules see every environment of the inventory, whichever host --limit selects
    checkout = tmp_path / "checkout"
    shutil.copytree(REPO / "inventories", checkout / "inventories", symlinks=False)
    local = checkout / "inventories" / "local" / "host_vars"
    (local / "dev" / "local_overrides.yml").write_text((local / "prod" / "local_overrides.yml").read_text())

    run = run_playbook("validate.yml", checkout / "inventories" / "local", limit="dev")

    assert run.rc != 0
    assert set(run.report["stats"]) == {"dev"}
    message = "\n".join(run.failure_messages("dev"))
    assert "environment 'dev': field 'account.id'" in message and "(rule: own_account_when_complete)" in message, message
