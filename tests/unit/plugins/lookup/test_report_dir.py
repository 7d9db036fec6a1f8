# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.template import trust_as_template

from ansible_collections.envops.aws.plugins.lookup.report_dir import DOCUMENTATION
from ansible_collections.envops.aws.plugins.lookup.report_dir import LookupModule
from ansible_collections.envops.aws.plugins.lookup.report_dir import report_dir

NAME = "envops.aws.report_dir"


@pytest.fixture(scope="module", autouse=True)
def plugin_options():
    """Register the plugin's options from its DOCUMENTATION, as Ansible's plugin loader does when it loads it."""
    C.config.initialize_plugin_configuration_definitions("lookup", NAME, yaml.safe_load(DOCUMENTATION)["options"])


def lookup(variables, *terms):
    loader = DataLoader()
    plugin = LookupModule(loader=loader, templar=Templar(loader=loader, variables=variables))
    plugin._load_name = NAME  # set by the plugin loader
    return plugin.run(list(terms), variables)


@pytest.mark.parametrize("configured, expected", [
    (None, "/work/run/reports"),
    ("", "/work/run/reports"),
    ("out", "/work/run/out"),
    ("../reports/", "/work/reports"),
    ("/var/lib/envops/reports", "/var/lib/envops/reports"),
])
def test_report_dir_is_beside_the_run_unless_configured(configured, expected):
    assert report_dir(configured, "/work/run") == expected


def test_report_dir_expands_the_home_directory(monkeypatch):
    monkeypatch.setenv("HOME", "/home/operator")
    assert report_dir("~/envops-reports", "/work/run") == "/home/operator/envops-reports"


def test_the_lookup_answers_the_directory_ansible_playbook_runs_in(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert lookup({}) == [str(tmp_path / "reports")]
    assert lookup({"envops_report_dir": "evidence"}) == [str(tmp_path / "evidence")]


def test_the_lookup_templates_the_variable_as_an_inventory_sets_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    variables = {"envops_report_dir": trust_as_template("{{ audit_root }}/envops"), "audit_root": "/srv/audit"}
    assert lookup(variables) == ["/srv/audit/envops"]


def test_the_lookup_takes_no_terms():
    with pytest.raises(AnsibleError, match="takes no terms: set envops_report_dir instead"):
        lookup({}, "/tmp/reports")
