# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared retry policy: what it retries (botocore Stubber), the aws_config it checks and builds, and that no
AWS call of the collection's module_utils and modules escapes it (read from the source with ``ast``)."""

import ast
from pathlib import Path

import boto3
import botocore
import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import DEFAULT_RETRIES
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import RETRY_ERROR_CODES
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import aws_retry
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import botocore_config
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import layered_config
from ansible_collections.envops.aws.plugins.module_utils.aws_retry import retry_problems

PLUGINS = Path(__file__).resolve().parents[4] / "plugins"
POLICY_FILE = PLUGINS / "module_utils" / "aws_retry.py"
# A paginator's calls are made by paginate() / build_full_result(); get_paginator marks where one starts.
PAGINATION_NAMES = {"get_paginator", "paginate", "build_full_result"}
# Deliberately not checked: none. Only botocore operation names (and the pagination names above) are looked at, so
# psycopg's cursor.execute, dict.get/copy, set.update... never match; a call on a name bound by an import (a module
# of this collection whose function is named after the operation it wraps, e.g. dynamodb.describe_table) is not a
# client call: the function it names is itself checked in its own file.


def _client(service):
    return boto3.client(service, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")


@pytest.fixture
def sleeps(monkeypatch):
    """The backoff's sleeps, recorded instead of slept."""
    slept = []
    monkeypatch.setattr("time.sleep", slept.append)
    return slept


def _error(stubber, operation, code, status):
    stubber.add_client_error(operation, service_error_code=code, service_message=code, http_status_code=status)


# --- what aws_retry retries -------------------------------------------------------------------------------------

# (service, operation, its parameters, a success answer, the throttling code that service's protocol answers with)
CALLS = [
    ("kms", "describe_key", {"KeyId": "alias/envops-data"},
     {"KeyMetadata": {"KeyId": "k-1", "Arn": "arn:aws:kms:eu-west-1:123456789012:key/k-1"}}, "ThrottlingException", 400),
    ("s3", "get_bucket_versioning", {"Bucket": "envops-dev-data"}, {"Status": "Enabled"}, "SlowDown", 503),
    ("ec2", "describe_vpcs", {}, {"Vpcs": [{"VpcId": "vpc-1"}]}, "RequestLimitExceeded", 503),
    ("dynamodb", "describe_table", {"TableName": "dev-orders"},
     {"Table": {"TableName": "dev-orders", "TableStatus": "ACTIVE"}}, "ThrottlingException", 400),
]


@pytest.mark.parametrize("service, operation, params, answer, throttle, status", CALLS,
                         ids=[call[0] for call in CALLS])
def test_throttling_and_5xx_are_retried_until_success(sleeps, service, operation, params, answer, throttle, status):
    client = _client(service)

    @aws_retry(delay=0)
    def call():
        return getattr(client, operation)(**params)

    with Stubber(client) as stubber:
        _error(stubber, operation, throttle, status)
        _error(stubber, operation, "InternalError", 500)
        _error(stubber, operation, throttle, status)
        stubber.add_response(operation, answer, params)
        assert call() == answer
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 3


@pytest.mark.parametrize("code", RETRY_ERROR_CODES)
def test_every_code_of_the_shared_list_is_retried(sleeps, code):
    client = _client("kms")

    @aws_retry(delay=0)
    def describe(key):
        return client.describe_key(KeyId=key)["KeyMetadata"]["KeyId"]

    with Stubber(client) as stubber:
        _error(stubber, "describe_key", code, 400)
        stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": "k-1"}}, {"KeyId": "k-1"})
        assert describe("k-1") == "k-1"
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 1


@pytest.mark.parametrize("code, status", [("AccessDenied", 403), ("AccessDeniedException", 400),
                                          ("NotFoundException", 400), ("ValidationError", 400)])
def test_a_code_that_is_not_transient_is_raised_at_once(sleeps, code, status):
    client = _client("kms")

    @aws_retry(delay=0)
    def describe():
        return client.describe_key(KeyId="k-1")

    with Stubber(client) as stubber:
        _error(stubber, "describe_key", code, status)
        stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": "k-1"}}, {"KeyId": "k-1"})
        with pytest.raises(ClientError) as raised:
            describe()
        assert raised.value.response["Error"]["Code"] == code
    assert sleeps == []


@pytest.mark.parametrize("code, status", [("KMSInternalException", 500), ("BadGateway", 502),
                                          ("DependencyTimeoutException", 503), ("GatewayTimeout", 504),
                                          ("TooManyRequests", 429)])
def test_a_server_error_is_retried_whatever_the_service_calls_it(sleeps, code, status):
    client = _client("kms")

    @aws_retry(delay=0)
    def describe():
        return client.describe_key(KeyId="k-1")["KeyMetadata"]["KeyId"]

    with Stubber(client) as stubber:
        _error(stubber, "describe_key", code, status)
        stubber.add_response("describe_key", {"KeyMetadata": {"KeyId": "k-1"}}, {"KeyId": "k-1"})
        assert describe() == "k-1"
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 1


def test_an_error_answer_that_is_not_a_server_fault_is_raised_at_once(sleeps):
    client = _client("kms")

    @aws_retry(delay=0)
    def describe():
        return client.describe_key(KeyId="k-1")

    with Stubber(client) as stubber:
        _error(stubber, "describe_key", "NotImplemented", 501)
        with pytest.raises(ClientError, match="NotImplemented"):
            describe()
    assert sleeps == []


@pytest.mark.parametrize("failure", [
    botocore.exceptions.ConnectionClosedError(endpoint_url="https://kms.eu-west-1.amazonaws.com"),
    botocore.exceptions.EndpointConnectionError(endpoint_url="https://kms.eu-west-1.amazonaws.com"),
    botocore.exceptions.ReadTimeoutError(endpoint_url="https://kms.eu-west-1.amazonaws.com"),
], ids=lambda failure: type(failure).__name__)
def test_a_failed_connection_is_retried(sleeps, failure):
    # botocore raises these before any answer, so no Stubber: the failure is raised by the call itself.
    failures = [failure, failure]

    @aws_retry(delay=0)
    def call():
        if failures:
            raise failures.pop()
        return "answered"

    assert call() == "answered"
    assert len(sleeps) == 2


def test_an_error_that_is_not_from_aws_is_raised_at_once(sleeps):
    @aws_retry(delay=0)
    def call():
        raise KeyError("KeyMetadata")

    with pytest.raises(KeyError):
        call()
    assert sleeps == []


def test_extra_codes_are_retried_only_where_given(sleeps):
    client = _client("dynamodb")

    @aws_retry(extra_codes=["ResourceInUseException"], delay=0)
    def delete_busy(name):
        return client.delete_table(TableName=name)

    @aws_retry(delay=0)
    def delete(name):
        return client.delete_table(TableName=name)

    answer = {"TableDescription": {"TableName": "dev-orders", "TableStatus": "DELETING"}}
    with Stubber(client) as stubber:
        _error(stubber, "delete_table", "ResourceInUseException", 400)
        stubber.add_response("delete_table", answer, {"TableName": "dev-orders"})
        assert delete_busy("dev-orders") == answer
        _error(stubber, "delete_table", "ResourceInUseException", 400)
        with pytest.raises(ClientError, match="ResourceInUseException"):
            delete("dev-orders")
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 1


def test_the_last_error_is_raised_when_the_attempts_are_spent(sleeps):
    client = _client("s3")

    @aws_retry(retries=3, delay=0)
    def status():
        return client.get_bucket_versioning(Bucket="envops-dev-data")

    with Stubber(client) as stubber:
        for _attempt in range(3):
            _error(stubber, "get_bucket_versioning", "SlowDown", 503)
        with pytest.raises(ClientError, match="SlowDown"):
            status()
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 2


def test_a_client_wrapped_with_the_policy_retries_calls_made_with_aws_retry_true(sleeps):
    client = _client("logs")
    wrapped = RetryingBotoClientWrapper(client, aws_retry(delay=0))
    params = {"logGroupName": "/envops/dev", "logStreamName": "run-1"}
    with Stubber(client) as stubber:
        _error(stubber, "create_log_stream", "ThrottlingException", 400)
        _error(stubber, "create_log_stream", "ServiceUnavailableException", 503)
        stubber.add_response("create_log_stream", {}, params)
        wrapped.create_log_stream(aws_retry=True, **params)
        stubber.assert_no_pending_responses()
    assert len(sleeps) == 2


# --- the aws_config the playbooks give every module --------------------------------------------------------------

def test_no_inventory_config_gives_the_default_retries():
    assert botocore_config() == {"retries": DEFAULT_RETRIES}
    assert botocore_config({}) == {"retries": DEFAULT_RETRIES}


def test_the_inventory_config_is_kept_over_the_default():
    config = {"retries": {"max_attempts": 20}, "connect_timeout": 5}
    assert botocore_config(config) == {"retries": {"mode": "standard", "max_attempts": 20}, "connect_timeout": 5}
    assert botocore_config({"retries": {"mode": "adaptive"}})["retries"] == {"mode": "adaptive", "max_attempts": 10}
    assert config == {"retries": {"max_attempts": 20}, "connect_timeout": 5}  # the inventory's value is not changed


def test_a_built_config_is_accepted_by_botocore():
    config = botocore.config.Config(**botocore_config({"retries": {"mode": "adaptive", "max_attempts": 25}}))
    assert config.retries == {"mode": "adaptive", "max_attempts": 25}


@pytest.mark.parametrize("config", [
    None,
    {},
    {"retries": {"mode": "legacy", "max_attempts": 1}},
    {"retries": {"mode": "adaptive", "max_attempts": 50, "total_max_attempts": 50}},
    {"read_timeout": 30, "max_pool_connections": 20},
])
def test_good_configs_have_no_problem(config):
    assert retry_problems(config) == []


@pytest.mark.parametrize("config, problem", [
    (["retries"], "envops_aws_config: must be a mapping of botocore Config options, got list"),
    ("standard", "envops_aws_config: must be a mapping of botocore Config options, got str"),
    ({"retries": 10}, "envops_aws_config.retries: must be a mapping with mode and max_attempts"),
    ({"retries": {"mode": "fast"}}, "envops_aws_config.retries.mode: 'fast' is not one of legacy, standard, adaptive"),
    ({"retries": {"max_attempts": True}}, "envops_aws_config.retries.max_attempts: must be an integer from 1 to 50"),
    ({"retries": {"max_attempts": 0}}, "envops_aws_config.retries.max_attempts: must be an integer from 1 to 50"),
    ({"retries": {"max_attempts": 51}}, "envops_aws_config.retries.max_attempts: must be an integer from 1 to 50"),
    ({"retries": {"max_attempts": "10"}}, "envops_aws_config.retries.max_attempts: must be an integer from 1 to 50"),
    ({"retries": {"total_max_attempts": -1}},
     "envops_aws_config.retries.total_max_attempts: must be an integer from 1 to 50"),
    ({"retries": {"mode": "standard", "attempts": 5}}, "envops_aws_config.retries: unknown keys attempts"),
    ({"retry": {"mode": "standard"}}, "envops_aws_config: unknown botocore Config options retry"),
])
def test_bad_configs_are_named_by_field(config, problem):
    assert retry_problems(config) == [problem]
    with pytest.raises(ValueError) as raised:
        botocore_config(config)
    assert str(raised.value) == problem


def test_every_problem_is_reported_under_the_given_field():
    problems = retry_problems({"retries": {"mode": "fast", "max_attempts": 0, "backoff": 1}}, "source.aws_config")
    assert problems == [
        "source.aws_config.retries: unknown keys backoff",
        "source.aws_config.retries.mode: 'fast' is not one of legacy, standard, adaptive",
        "source.aws_config.retries.max_attempts: must be an integer from 1 to 50",
    ]


def test_layers_of_a_self_built_client_config_apply_in_order_and_the_fixed_options_last():
    default = {"retries": {"mode": "adaptive", "max_attempts": 10}}
    module = {"retries": {"mode": "standard", "max_attempts": 12}, "read_timeout": 30, "max_pool_connections": 5}
    source = {"retries": {"max_attempts": 20}, "connect_timeout": 5}
    assert layered_config(default, module, source, max_pool_connections=18) == {
        "retries": {"mode": "standard", "max_attempts": 20}, "read_timeout": 30, "connect_timeout": 5,
        "max_pool_connections": 18}
    assert layered_config(default, None, None, max_pool_connections=18) == dict(default, max_pool_connections=18)
    assert layered_config(default, None, {"retries": {"mode": "legacy"}}) == {
        "retries": {"mode": "legacy", "max_attempts": 10}}
    assert default == {"retries": {"mode": "adaptive", "max_attempts": 10}}  # no layer is changed
    assert module["retries"] == {"mode": "standard", "max_attempts": 12}
    config = botocore.config.Config(**layered_config(default, source, max_pool_connections=18))
    assert config.retries == {"mode": "adaptive", "max_attempts": 20} and config.max_pool_connections == 18


# --- no AWS call escapes the policy ------------------------------------------------------------------------------

# The one builder of clients for another account: its service comes from its callers, whose first argument is
# checked like that of ``.client(...)``.
CLIENT_BUILDERS = {"account_client"}


def _makes_a_client(call):
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr == "client"
    return isinstance(func, ast.Name) and func.id in CLIENT_BUILDERS


def _service_names(trees):
    """The services the collection makes clients of: the first argument of every ``.client(...)`` and
    ``account_client(...)`` call (but the builder's own, which passes its caller's)."""
    services, problems = set(), []
    for path, tree in trees.items():
        builders = {node for node in ast.walk(tree)
                    if isinstance(node, ast.FunctionDef) and node.name in CLIENT_BUILDERS}
        inside_builders = {id(node) for builder in builders for node in ast.walk(builder)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _makes_a_client(node) and id(node) not in inside_builders:
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    services.add(first.value)
                else:
                    problems.append(f"{path.relative_to(PLUGINS.parent)}:{node.lineno}: client of a service that is "
                                    "not a literal name: the operations to check are unknown")
    return services, problems


def _operation_names(services):
    session = botocore.session.get_session()
    names = set()
    for service in services:
        names.update(botocore.xform_name(name) for name in session.get_service_model(service).operation_names)
    return names


def _is_aws_retry(decorator):
    """``@aws_retry(...)``: a call of the shared policy (a bare ``@aws_retry`` would not be a decorator)."""
    if not isinstance(decorator, ast.Call):
        return False
    func = decorator.func
    return (isinstance(func, ast.Name) and func.id == "aws_retry") or \
        (isinstance(func, ast.Attribute) and func.attr == "aws_retry")


def _imported_names(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _retrying_clients(function):
    """Names bound in ``function`` to ``<x>.client(..., retry_decorator=aws_retry(...))``."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Attribute) and call.func.attr == "client" and any(
                    keyword.arg == "retry_decorator" and _is_aws_retry(keyword.value) for keyword in call.keywords):
                names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


def escaping_calls(tree, operations, where="<source>"):
    """``file:line:function: .operation(...)`` for every AWS call of ``tree`` that the shared retry does not cover."""
    imported = _imported_names(tree)
    found = []

    def visit(node, scopes):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, scopes + [child])
                continue
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and \
                    child.func.attr in operations | PAGINATION_NAMES:
                check(child, scopes)
            visit(child, scopes)

    def check(call, scopes):
        receiver = call.func.value
        if isinstance(receiver, ast.Name) and receiver.id in imported:
            return
        scope = scopes[-1] if scopes else None
        name = getattr(scope, "name", "<lambda>") if scope else "<module>"
        if scope is not None and not isinstance(scope, ast.Lambda) and any(
                _is_aws_retry(decorator) for decorator in scope.decorator_list):
            return
        retried_client = isinstance(receiver, ast.Name) and any(
            receiver.id in _retrying_clients(outer) for outer in scopes if not isinstance(outer, ast.Lambda))
        if retried_client and any(keyword.arg == "aws_retry" and isinstance(keyword.value, ast.Constant)
                                  and keyword.value.value is True for keyword in call.keywords):
            return
        found.append(f"{where}:{call.lineno}:{name}: .{call.func.attr}(...) is not retried by aws_retry")

    visit(tree, [])
    return found


def lazy_retried_functions(tree, where="<source>"):
    """A function under ``@aws_retry`` whose AWS calls run after it returned (a generator, or a paginator handed
    back unconsumed) is not retried: the retry only covers what happens inside the call."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                _is_aws_retry(decorator) for decorator in node.decorator_list):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Yield, ast.YieldFrom)):
                    found.append(f"{where}:{inner.lineno}:{node.name}: yields under aws_retry")
                if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Call) and \
                        isinstance(inner.value.func, ast.Attribute) and inner.value.func.attr == "paginate":
                    found.append(f"{where}:{inner.lineno}:{node.name}: returns a paginator's pages unread")
    return found


@pytest.fixture(scope="module")
def sources():
    paths = sorted((PLUGINS / "module_utils").glob("*.py")) + sorted((PLUGINS / "modules").glob("*.py"))
    return {path: ast.parse(path.read_text(encoding="utf-8"), filename=str(path)) for path in paths}


@pytest.fixture(scope="module")
def operations(sources):
    services, problems = _service_names(sources)
    assert problems == []
    # The services the collection calls, read from its code; the known ones must be among them.
    assert {"kms", "s3", "ec2", "dynamodb", "rds", "backup", "logs"} <= services
    return _operation_names(services)


def test_only_the_policy_uses_awsretry(sources):
    found = []
    for path, tree in sources.items():
        if path == POLICY_FILE:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Name) and node.id == "AWSRetry") or \
                    (isinstance(node, ast.Attribute) and node.attr == "AWSRetry") or \
                    (isinstance(node, ast.ImportFrom) and any(alias.name == "AWSRetry" for alias in node.names)):
                found.append(f"{path.relative_to(PLUGINS.parent)}:{node.lineno}: AWSRetry (use aws_retry)")
    assert found == [], "\n".join(found)


def test_every_aws_call_goes_through_the_shared_retry(sources, operations):
    found, checked = [], 0
    for path, tree in sources.items():
        found += escaping_calls(tree, operations, str(path.relative_to(PLUGINS.parent)))
        checked += sum(1 for node in ast.walk(tree) if isinstance(node, ast.Call)
                       and isinstance(node.func, ast.Attribute) and node.func.attr in operations)
    assert found == [], "AWS calls outside the shared retry:\n" + "\n".join(found)
    assert checked > 100  # the scan sees the collection's calls (not a pass by finding none)


def test_no_retried_function_hands_its_calls_back_unmade(sources):
    found = []
    for path, tree in sources.items():
        found += lazy_retried_functions(tree, str(path.relative_to(PLUGINS.parent)))
    assert found == [], "\n".join(found)


# The checks themselves, on code written to pass or fail them.

ESCAPING = '''
from ansible_collections.envops.aws.plugins.module_utils import dynamodb

def plain(kms):
    return kms.describe_key(KeyId="k")

def pages(client):
    return client.get_paginator("list_tables").paginate().build_full_result()

def wrapped_without_policy(module):
    logs = module.client("logs")
    logs.put_log_events(aws_retry=True, logGroupName="g", logStreamName="s", logEvents=[])

@aws_retry()
def outer(client):
    return [lambda: client.list_tables()]

def module_function(client):
    return dynamodb.describe_table(client, "t")
'''

RETRIED = '''
@Handler.list_error_handler("describe key", None)
@aws_retry(extra_codes=["NotReady"])
def describe(kms):
    return kms.describe_key(KeyId="k")

def main(module):
    logs = module.client("logs", retry_decorator=aws_retry())
    logs.put_log_events(aws_retry=True, logGroupName="g", logStreamName="s", logEvents=[])
    cursor.execute("select 1")
    settings.get("x")
'''


def test_the_check_names_each_escaping_call(operations):
    assert escaping_calls(ast.parse(ESCAPING), operations) == [
        "<source>:5:plain: .describe_key(...) is not retried by aws_retry",
        "<source>:8:pages: .build_full_result(...) is not retried by aws_retry",
        "<source>:8:pages: .paginate(...) is not retried by aws_retry",
        "<source>:8:pages: .get_paginator(...) is not retried by aws_retry",
        "<source>:12:wrapped_without_policy: .put_log_events(...) is not retried by aws_retry",
        "<source>:16:<lambda>: .list_tables(...) is not retried by aws_retry",
    ]


def test_the_check_accepts_retried_calls_and_other_apis(operations):
    assert escaping_calls(ast.parse(RETRIED), operations) == []


def test_the_lazy_check_names_generators_and_unread_pages():
    source = '''
@aws_retry()
def pages(client):
    return client.get_paginator("scan").paginate(TableName="t")

@aws_retry()
def items(client):
    yield from client.scan(TableName="t")["Items"]

@aws_retry()
def read(client):
    return client.get_paginator("scan").paginate(TableName="t").build_full_result()
'''
    assert lazy_retried_functions(ast.parse(source)) == [
        "<source>:4:pages: returns a paginator's pages unread",
        "<source>:8:items: yields under aws_retry",
    ]
