"""Throwaway local-estate inventories: real environment definitions in fresh fake accounts.

Tests and benchmarks build one per run so they never meet resources of another run: moto keeps
accounts apart, and a fresh 12-digit account id is an empty AWS account.
"""

import random
from pathlib import Path

import yaml

from tools.stack.paths import StackPaths

ROOT = Path(__file__).resolve().parent.parent


def fresh_account_id(first_digit=9):
    """A random 12-digit account id (moto creates accounts on first use)."""
    return "%d%011d" % (first_digit, random.randrange(10 ** 11))


def load_spec(name):
    path = ROOT / "inventories" / name / "host_vars" / name / "envops_spec.yml"
    return yaml.safe_load(path.read_text())["envops_spec"]


def write_inventory(directory, endpoint_url, environments):
    """Write an inventory; ``environments`` maps name -> (spec dict, or None to link the real one; account id)."""
    directory = Path(directory)
    hosts = {"envops_environments": {
        "hosts": dict((name, None) for name in environments),
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
    }}
    (directory / "group_vars" / "all").mkdir(parents=True, exist_ok=True)
    (directory / "hosts.yml").write_text(yaml.safe_dump(hosts))
    (directory / "group_vars" / "all" / "local_stack.yml").write_text(yaml.safe_dump({
        "envops_endpoint_url": endpoint_url,
        "envops_aws_access_key": "{{ envops_env.account.id }}",
        "envops_aws_secret_key": "local-moto-not-a-secret",
        "envops_postgres_ca_bundle": str(StackPaths.resolve().ca_cert),
    }))
    for name, (spec, account) in environments.items():
        host_dir = directory / "host_vars" / name
        host_dir.mkdir(parents=True, exist_ok=True)
        spec_file = host_dir / "envops_spec.yml"
        if spec is None:
            spec_file.symlink_to(ROOT / "inventories" / name / "host_vars" / name / "envops_spec.yml")
        else:
            spec_file.write_text(yaml.safe_dump({"envops_spec": spec}))
        (host_dir / "local_overrides.yml").write_text(yaml.safe_dump(
            {"envops_spec_overrides": {"account": {"id": account}}}))
    return directory
