"""The network role's argument spec is generated from the spec schema and must be current."""

from tools import gen_argument_specs


def test_generated_argument_specs_are_current():
    assert gen_argument_specs.main(["--check"]) == 0, "run: python -m tools.gen_argument_specs"


def test_network_spec_options_follow_the_schema():
    options = gen_argument_specs.network_argument_specs()["argument_specs"]["main"]["options"]["network_spec"]["options"]
    assert options["nat_mode"]["choices"] == ["per_az", "single", "none"]
    assert options["tiers"]["options"]["db"]["options"]["prefix"]["type"] == "int"
    assert options["vpc_cidr"]["required"] is True
