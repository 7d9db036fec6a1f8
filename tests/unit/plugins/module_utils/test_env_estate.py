# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules that compare environments hold for the whole estate: each runs over every pair of environments, so the run
of either environment of a broken pair is refused, whichever host --limit selects."""
import copy
from pathlib import Path

import yaml

from ansible_collections.envops.aws.plugins.filter.estate import estate as estate_filter
from ansible_collections.envops.aws.plugins.module_utils.env_validator import validate_environment

INVENTORIES = Path(__file__).resolve().parents[4] / "inventories"
ENVIRONMENTS = ("dev", "test", "staging", "prod", "dr")


def load_spec(name):
    path = INVENTORIES / name / "host_vars" / name / "envops_spec.yml"
    return yaml.safe_load(path.read_text())["envops_spec"]


def estate(**changes):
    """The shipped estate, with ``changes`` (name -> function changing a copy of that spec) applied."""
    specs = dict((name, load_spec(name)) for name in ENVIRONMENTS)
    for name, change in changes.items():
        specs[name] = copy.deepcopy(specs[name])
        change(specs[name])
    return dict((name, {"spec": spec, "overrides": {}}) for name, spec in specs.items())


def problems_by_environment(environments):
    """Validate every environment as its own run would: name -> [(environment, field, rule)]."""
    found = {}
    for name, entry in environments.items():
        result = validate_environment(name, entry["spec"], entry["overrides"], environments)
        if result.problems:
            found[name] = [(p.env, p.field, p.rule) for p in result.problems]
    return found


def test_the_shipped_estate_has_no_problem():
    assert problems_by_environment(estate()) == {}


def test_a_dev_spec_naming_prods_account_is_refused_from_devs_run_too():
    # dev's isolation is logical: only prod's complete isolation forbids the sharing
    prod_account = load_spec("prod")["account"]["id"]
    environments = estate(dev=lambda spec: spec["account"].update(id=prod_account))

    assert problems_by_environment(environments) == {
        "dev": [("dev", "account.id", "own_account_when_complete")],
        "prod": [("prod", "account.id", "own_account_when_complete")],
    }
    message = str(validate_environment("dev", environments["dev"]["spec"], {}, environments).problems[0])
    assert "%s is the account of prod, whose complete isolation needs it dedicated" % prod_account in message


def test_an_account_shared_under_partial_or_logical_isolation_is_allowed():
    test_account = load_spec("test")["account"]["id"]
    environments = estate(dev=lambda spec: spec["account"].update(id=test_account))
    assert problems_by_environment(environments) == {}


def test_an_invalid_environment_of_the_inventory_refuses_every_run_naming_it():
    environments = estate(prod=lambda spec: spec["network"].update(az_count="three"))
    result = validate_environment("dev", environments["dev"]["spec"], {}, environments)
    assert [(p.env, p.field, p.rule) for p in result.problems] == [
        ("dev", "(estate)", "estate_valid"), ("prod", "network.az_count", "type")]
    assert "environment 'prod' of the inventory is invalid" in result.problems[0].message


def test_an_environment_without_a_spec_refuses_every_run_naming_it():
    environments = estate()
    environments["test"] = {"spec": None, "overrides": {}}
    result = validate_environment("dev", environments["dev"]["spec"], {}, environments)
    assert [(p.env, p.field, p.rule) for p in result.problems] == [
        ("dev", "(estate)", "estate_valid"), ("test", "(spec)", "required")]


def test_another_environment_under_the_wrong_host_name_refuses_the_run():
    environments = estate()
    environments["dev2"] = {"spec": load_spec("dev"), "overrides": {"account": {"id": "210000000009"}}}
    result = validate_environment("dev", environments["dev"]["spec"], {}, environments)
    assert [(p.env, p.field, p.rule) for p in result.problems] == [
        ("dev", "(estate)", "estate_valid"), ("dev2", "name", "matches_inventory")]


def test_prod_naming_staging_as_its_dr_environment_refuses_prod_staging_and_dr():
    environments = estate(prod=lambda spec: spec["dr"].update(environment="staging"))
    found = problems_by_environment(environments)

    assert set(found) == {"prod", "staging", "dr"}
    assert ("prod", "dr.environment", "dr_pairing") in found["prod"]
    assert ("staging", "type", "dr_pairing") in found["staging"]
    assert ("dr", "standby_for.environment", "dr_pairing") in found["dr"]
    messages = [str(p) for p in validate_environment("prod", environments["prod"]["spec"], {}, environments).problems]
    assert any("staging is a staging environment: the DR environment must be of type dr" in m for m in messages)


def test_a_dr_environment_standing_by_in_the_wrong_regions_is_refused_on_both_sides():
    environments = estate(dr=lambda spec: spec.update(region="eu-west-1"))
    found = problems_by_environment(environments)
    assert ("prod", "dr.region", "dr_pairing") in found["prod"]
    assert ("dr", "region", "dr_pairing") in found["dr"]

    environments = estate(dr=lambda spec: spec["standby_for"].update(region="us-east-1"))
    found = problems_by_environment(environments)
    assert ("prod", "region", "dr_pairing") in found["prod"]
    assert ("dr", "standby_for.region", "dr_pairing") in found["dr"]


def test_a_dr_environment_holding_prods_data_is_at_least_as_strict():
    environments = estate(dr=lambda spec: spec["tags"].update(data_class="internal"))
    found = problems_by_environment(environments)
    assert found == {"prod": [("prod", "dr.environment", "dr_as_strict")],
                     "dr": [("dr", "tags.data_class", "dr_as_strict")]}

    # a weaker isolation of the DR environment breaks both its own rule and the pairing
    environments = estate(dr=lambda spec: spec.update(isolation="partial"))
    found = problems_by_environment(environments)
    assert ("prod", "dr.environment", "dr_as_strict") in found["prod"]
    assert ("dr", "isolation", "dr_as_strict") in found["dr"]


def test_a_dr_environment_must_stand_by_for_a_production_that_names_it_back():
    environments = estate(dr=lambda spec: spec["standby_for"].update(environment="staging"))
    found = problems_by_environment(environments)
    assert ("dr", "standby_for.environment", "dr_pairing") in found["dr"]
    assert ("staging", "type", "dr_pairing") in found["staging"]
    assert ("prod", "dr.environment", "dr_pairing") in found["prod"]


def test_a_second_standby_for_prod_is_refused():
    second = load_spec("dr")
    second.update(name="dr2")
    second["tags"]["env"] = "dr2"
    second["account"]["id"] = "210000000009"
    second["network"]["vpc_cidr"] = "10.60.0.0/16"
    second["data"]["buckets"] = [{"purpose": "alb-logs", "encryption": "s3_managed"}]  # every environment's own
    environments = estate()
    environments["dr2"] = {"spec": second, "overrides": {}}
    found = problems_by_environment(environments)
    assert found == {"prod": [("prod", "dr.environment", "dr_pairing")],
                     "dr2": [("dr2", "standby_for.environment", "dr_pairing")]}


def test_a_bucket_name_of_another_environment_is_refused_default_names_and_replicas_included():
    prod = load_spec("prod")
    taken = "envops-prod-%s-assets" % prod["account"]["id"]  # prod's default name, no name given in its spec
    environments = estate(staging=lambda spec: spec["data"]["buckets"][0].update(name=taken))
    assert problems_by_environment(environments) == {
        "staging": [("staging", "data.buckets[0].name", "unique_bucket_name")],
        "prod": [("prod", "data.buckets[0].name", "unique_bucket_name")],
    }

    environments = estate(dev=lambda spec: spec["data"]["buckets"][1].update(name=taken + "-dr"))
    found = problems_by_environment(environments)
    assert found == {"dev": [("dev", "data.buckets[1].name", "unique_bucket_name")],
                     "prod": [("prod", "data.buckets[0].name", "unique_bucket_name")]}


def test_table_names_that_collide_in_a_shared_account_are_refused():
    def preview(name, table):
        spec = load_spec("dev")
        spec.update(name=name)
        spec["tags"]["env"] = name
        spec["data"]["buckets"] = [{"purpose": "alb-logs", "encryption": "s3_managed"}]  # every environment's own
        spec["data"]["dynamodb_tables"] = [{"name": table, "hash_key": "id"}]
        return spec

    environments = {"dev": {"spec": preview("dev", "a-events"), "overrides": {}},
                    "dev-a": {"spec": preview("dev-a", "events"), "overrides": {}}}
    assert problems_by_environment(environments) == {
        # dev's alarm prefix envops-dev- holds dev-a's alarms too (their own rule, below)
        "dev": [("dev", "data.dynamodb_tables[0].name", "unique_table_name"),
                ("dev", "name", "alarm_prefixes_disjoint")],
        "dev-a": [("dev-a", "data.dynamodb_tables[0].name", "unique_table_name")],
    }
    environments["dev-a"]["overrides"] = {"account": {"id": "210000000009"}}
    assert problems_by_environment(environments) == {}


def test_an_environment_whose_alarm_prefix_holds_anothers_alarms_in_a_shared_account_is_refused():
    def named(name):
        spec = load_spec("dev")
        spec.update(name=name)
        spec["tags"]["env"] = name
        return {"spec": spec, "overrides": {}}

    environments = {"dev": named("dev"), "dev-eu": named("dev-eu")}
    environments["dev-eu"]["spec"]["data"]["dynamodb_tables"] = []  # only the alarm prefixes collide
    found = problems_by_environment(environments)
    assert found == {"dev": [("dev", "name", "alarm_prefixes_disjoint")]}
    environments["dev-eu"]["overrides"] = {"account": {"id": "210000000009"}}
    assert problems_by_environment(environments) == {}


def test_the_same_root_email_for_two_accounts_is_refused():
    def email(spec):
        spec["account"]["email"] = "aws-root@example.com"

    found = problems_by_environment(estate(dev=email, test=email))
    assert found == {"dev": [("dev", "account.email", "account_email_unique")],
                     "test": [("test", "account.email", "account_email_unique")]}


def test_a_lower_environment_alarm_stricter_than_productions_refuses_only_the_lower_environment():
    def strict(spec):
        spec["monitoring"]["alarms"]["api_p99_latency_ms"] = {"warning": 300, "critical": 800}

    found = problems_by_environment(estate(staging=strict))
    assert found == {"staging": [("staging", "monitoring.alarms.api_p99_latency_ms.warning",
                                  "alarms_not_stricter_than_production")]}


def test_the_estate_filter_keeps_hosts_without_a_spec():
    hostvars = {"dev": {"envops_spec": {"name": "dev"}}, "test": {},
                "prod": {"envops_spec": None, "envops_spec_overrides": {"a": 1}}}
    assert estate_filter(hostvars, ["dev", "test", "prod"]) == {
        "dev": {"spec": {"name": "dev"}, "overrides": {}},
        "test": {"spec": None, "overrides": {}},
        "prod": {"spec": None, "overrides": {"a": 1}},
    }
