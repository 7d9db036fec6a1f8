"""Fill the live DynamoDB tables of a local-estate environment with generated items (the demo's prod data).

Usage: python -m tools.estate_tables ENV ITEMS [CUSTOMERS [SEED]]

The tables are the ones the environment's SSM parameters /<env>/dynamodb/<name> name (role tables), in the
environment's fake account of inventories/local. Item i belongs to PostgreSQL customer 1 + i % CUSTOMERS of the
same seed (tools.masking_dataset), so `python -m tools.masking_dataset prod_app CUSTOMERS` holds the same emails:
a masked refresh must give them the same pseudonyms in both stores.
"""

import json
import sys

import boto3
import yaml

from tools.local_inventory import ROOT, load_spec
from tools.masking_dataset import create_dynamodb_dataset
from tools.stack.state import read_state

SECRET = "local-moto-not-a-secret"


def local_account(env):
    overrides = ROOT / "inventories" / "local" / "host_vars" / env / "local_overrides.yml"
    return str(yaml.safe_load(overrides.read_text())["envops_spec_overrides"]["account"]["id"])


def live_tables(ssm, env, names):
    """Spec name -> live table (the parameter's value, <env>-<name> without one)."""
    tables = {}
    for name in names:
        try:
            tables[name] = ssm.get_parameter(Name="/%s/dynamodb/%s" % (env, name))["Parameter"]["Value"]
        except ssm.exceptions.ParameterNotFound:
            tables[name] = "%s-%s" % (env, name)
    return tables


def fill(env, items, customers=1000, seed=1):
    spec = load_spec(env)
    account = local_account(env)
    session = boto3.session.Session(aws_access_key_id=account, aws_secret_access_key=SECRET,
                                    region_name=spec["region"])
    url = read_state()["moto_url"]
    names = [table["name"] for table in spec["data"].get("dynamodb_tables", [])]
    tables = live_tables(session.client("ssm", endpoint_url=url), env, names)
    dynamodb = session.client("dynamodb", endpoint_url=url)
    return [create_dynamodb_dataset(dynamodb, table, items, seed=seed, customers=customers)
            for table in tables.values()]


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        sys.exit(__doc__)
    print(json.dumps(fill(args[0], int(args[1]), *map(int, args[2:4])), indent=2))


if __name__ == "__main__":
    main()
