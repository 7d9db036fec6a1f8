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
