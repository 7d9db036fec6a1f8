# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The buckets' encryption: SSE-S3 is refused everywhere but on the load balancer access logs bucket, which every
environment declares with it (AWS delivers access logs to no other kind), naming the field and rule."""
import pytest

from ansible_collections.envops.aws.plugins.module_utils.env_validator import validate_environment

from test_env_validator import estate, load_spec, mutate

ENVIRONMENTS = ("dev", "test", "staging", "prod", "dr")


def problems_of(name, spec):
    world = estate()
    world[name] = {"spec": spec, "overrides": {}}
    return validate_environment(name, spec, {}, world).problems


def with_buckets(name, edit):
    """A copy of ``name``'s spec whose data.buckets list is ``edit`` applied to the shipped one."""
    spec = load_spec(name)
    return mutate(spec, "data.buckets", edit([dict(bucket) for bucket in spec["data"]["buckets"]]))


def set_on(purpose, **fields):
    return lambda buckets: [dict(b, **fields) if b["purpose"] == purpose else b for b in buckets]


def index_of(name, purpose):
    return [b["purpose"] for b in load_spec(name)["data"]["buckets"]].index(purpose)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_every_shipped_environment_declares_an_s3_managed_access_logs_bucket(name):
    spec = validate_environment(name, load_spec(name)).spec
    encryption = dict((b["purpose"], b["encryption"]) for b in spec["data"]["buckets"])
    assert encryption.pop("alb-logs") == "s3_managed"
    assert encryption and set(encryption.values()) == {"kms"}


@pytest.mark.parametrize("purpose", ["logs", "backups", "assets", "exports"])
def test_s3_managed_is_refused_on_any_other_bucket(purpose):
    problems = problems_of("prod", with_buckets("prod", set_on(purpose, encryption="s3_managed")))
    found = [p for p in problems if p.rule == "s3_managed_only_for_access_logs"]
    assert [p.field for p in found] == ["data.buckets[%d].encryption" % index_of("prod", purpose)]
    assert "alb-logs" in found[0].message and "load balancer access logs" in found[0].message


def test_s3_managed_is_refused_on_a_bucket_that_only_looks_like_the_access_logs_one():
    spec = with_buckets("staging", lambda buckets: buckets + [{"purpose": "alb-logs2", "encryption": "s3_managed"}])
    assert ("data.buckets[%d].encryption" % len(load_spec("staging")["data"]["buckets"]),
            "s3_managed_only_for_access_logs") in [(p.field, p.rule) for p in problems_of("staging", spec)]


def test_a_critical_access_logs_bucket_is_refused_saying_why():
    problems = problems_of("prod", with_buckets("prod", set_on("alb-logs", critical=True)))
    found = [p for p in problems if p.rule == "s3_managed_only_for_access_logs"]
    assert [p.field for p in found] == ["data.buckets[%d].critical" % index_of("prod", "alb-logs")]
    assert "replication" in found[0].message


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_an_environment_without_the_access_logs_bucket_is_refused(name):
    spec = with_buckets(name, lambda buckets: [b for b in buckets if b["purpose"] != "alb-logs"])
    found = [p for p in problems_of(name, spec) if p.rule == "alb_logs_bucket"]
    assert [p.field for p in found] == ["data.buckets"]
    assert "S3-managed" in found[0].message and "s3_managed" in found[0].message


@pytest.mark.parametrize("edit", [
    set_on("alb-logs", encryption="kms"),
    lambda buckets: [dict((k, v) for k, v in b.items() if k != "encryption") for b in buckets],  # the default: kms
])
def test_an_access_logs_bucket_under_kms_is_refused(edit):
    found = [p for p in problems_of("dev", with_buckets("dev", edit)) if p.rule == "alb_logs_bucket"]
    assert [p.field for p in found] == ["data.buckets[%d].encryption" % index_of("dev", "alb-logs")]
    assert "not kms" in found[0].message


@pytest.mark.parametrize("value, rule", [("SSE-S3", "choices"), ("AES256", "choices"), ("", "choices"),
                                         (None, "not_null"), (["s3_managed"], "type"), (True, "type")])
def test_encryption_outside_its_choices_is_refused(value, rule):
    spec = with_buckets("test", set_on("alb-logs", encryption=value))
    field = "data.buckets[%d].encryption" % index_of("test", "alb-logs")
    assert (field, rule) in [(p.field, p.rule) for p in problems_of("test", spec)]


def test_the_shipped_buckets_are_accepted():
    for name in ENVIRONMENTS:
        result = validate_environment(name, load_spec(name), {}, estate())
        assert result.ok, [str(p) for p in result.problems]
