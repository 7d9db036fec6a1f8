# -*- coding: utf-8 -*-
# Copyright: envops.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.envops.aws.plugins.module_utils.refresh_flow import flow_problems


def env(name, env_type, masked=None):
    return {"name": name, "type": env_type, "data_masking": env_type != "production" if masked is None else masked}


PROD = env("prod", "production")


@pytest.mark.parametrize("target", [env("staging", "staging"), env("test", "testing"), env("dev", "development")])
def test_prod_to_a_masked_lower_environment_is_allowed(target):
    assert flow_problems(PROD, target) == []


@pytest.mark.parametrize("source,target,expected", [
    (PROD, env("dr", "dr", masked=False), "the target 'dr' is a dr environment: it holds live data"),
    (PROD, env("prod2", "production"), "the target 'prod2' is a production environment"),
    (env("staging", "staging"), env("test", "testing"), "the source must be a production environment, 'staging'"),
    (env("test", "testing"), env("staging", "staging"), "(testing) -> staging (staging) is not downward"),
    (env("dev", "development"), PROD, "dev (development) -> prod (production) is not downward"),
    (PROD, PROD, "source and target are the same environment 'prod'"),
    (PROD, env("staging", "staging", masked=False), "'staging' does not declare data_masking: true"),
], ids=["to-dr", "to-production", "from-staging", "upward", "dev-to-prod", "into-itself", "target-not-masked"])
def test_refused_flows_say_why(source, target, expected):
    problems = flow_problems(source, target)
    assert any(expected in problem for problem in problems), problems
