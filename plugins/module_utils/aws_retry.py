# -*- coding: utf-8 -*-

# Copyright: envops maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one retry policy of every AWS call the collection makes.

Two layers, because real accounts throttle hardest when AWX runs many environments at once:

- botocore retries inside each call: ``botocore_config`` is the ``aws_config`` that the playbooks give every module
  (ours and amazon.aws / community.aws ones) through ``module_defaults``: more retries than botocore's default 2,
  settable per inventory with ``envops_aws_config``;
- ``aws_retry`` retries the whole call again with a jittered backoff once botocore gives up (its retry quota is
  spent, or its attempts), for every throttling and transient code of every protocol: query (EC2, RDS, IAM...),
  JSON (KMS, DynamoDB, Secrets Manager...), REST (S3, Backup...); like botocore's standard mode, also for any
  answer with HTTP status 429, 500, 502, 503 or 504 whatever the service calls it (``KMSInternalException``...), and
  for a connection that failed or was reset.

Codes that mean "try again" only for one operation (a DynamoDB table still ``ResourceInUseException``) are added by
the caller with ``extra_codes``; they are not transient in general.
"""

from typing import Iterable

try:
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from botocore.exceptions import ConnectionError as BotocoreConnectionError
    from botocore.exceptions import HTTPClientError
except ImportError:
    Config = None  # the modules report a missing botocore themselves

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# Throttling, as each protocol spells it (EC2 RequestLimitExceeded, JSON ThrottlingException, S3 503 SlowDown...).
THROTTLING_ERROR_CODES = (
    "BandwidthLimitExceeded",
    "EC2ThrottledException",
    "LimitExceededException",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ThrottledException",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "TransactionInProgressException",
)

# Server-side failures that a later attempt may not meet (HTTP 5xx and timeouts).
TRANSIENT_ERROR_CODES = (
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServerException",
    "RequestTimeout",
    "RequestTimeoutException",
    "ServiceFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "Unavailable",
)

RETRY_ERROR_CODES = tuple(sorted(set(THROTTLING_ERROR_CODES + TRANSIENT_ERROR_CODES)))

# Answers retried by their HTTP status whatever their code, as botocore's standard mode does.
RETRY_HTTP_STATUSES = (429, 500, 502, 503, 504)
# How _SharedRetry reports those answers and failed connections to AWSRetry's code check (no AWS code looks so).
RETRIED_STATUS = "(HTTP status retried)"
CONNECTION_FAILED = "(connection failed)"

# What the playbooks pass to botocore unless the inventory says otherwise (envops_aws_config).
DEFAULT_RETRIES = {"mode": "standard", "max_attempts": 10}
RETRY_MODES = ("legacy", "standard", "adaptive")
MAX_ATTEMPTS_LIMIT = 50


class _SharedRetry(AWSRetry):
    """AWSRetry that also sees an answer's HTTP status and botocore's connection errors (AWSRetry alone looks at
    the error code of a ClientError only)."""

    base_class = (ClientError, BotocoreConnectionError, HTTPClientError) if Config is not None else type(None)

    @staticmethod
    def status_code_from_exception(error):
        if not isinstance(error, ClientError):
            return CONNECTION_FAILED
        code = error.response.get("Error", {}).get("Code")
        if code not in RETRY_ERROR_CODES and \
                error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in RETRY_HTTP_STATUSES:
            return RETRIED_STATUS
        return code


def aws_retry(extra_codes: Iterable[str] = (), retries: int = 10, delay: int = 1, max_delay: int = 30):
    """The decorator for a function that makes one AWS call: retried on every code of RETRY_ERROR_CODES (and
    extra_codes), every answer of RETRY_HTTP_STATUSES and every failed connection, with a jittered exponential
    backoff; ``retries`` is the number of attempts."""
    return _SharedRetry.jittered_backoff(
        retries=retries,
        delay=delay,
        max_delay=max_delay,
        catch_extra_error_codes=list(RETRY_ERROR_CODES) + [RETRIED_STATUS, CONNECTION_FAILED] + list(extra_codes),
    )


def retry_problems(config, field: str = "envops_aws_config") -> list:
    """What is wrong with an ``aws_config`` (named ``field`` in the messages): None or a dict of botocore Config
    options, whose ``retries`` (if any) has a known mode and 1..50 retries (botocore's ``max_attempts`` counts
    retries, ``total_max_attempts`` the first attempt too)."""
    if config is None:
        return []
    if not isinstance(config, dict):
        return [f"{field}: must be a mapping of botocore Config options, got {type(config).__name__}"]
    problems = []
    if Config is not None:
        unknown_options = sorted(set(map(str, config)) - set(Config.OPTION_DEFAULTS))
        if unknown_options:
            problems.append(f"{field}: unknown botocore Config options {', '.join(unknown_options)}")
    retries = config.get("retries", {})
    if not isinstance(retries, dict):
        return problems + [f"{field}.retries: must be a mapping with mode and max_attempts"]
    unknown = sorted(set(retries) - {"mode", "max_attempts", "total_max_attempts"})
    if unknown:
        problems.append(f"{field}.retries: unknown keys {', '.join(map(str, unknown))}")
    mode = retries.get("mode", DEFAULT_RETRIES["mode"])
    if mode not in RETRY_MODES:
        problems.append(f"{field}.retries.mode: {mode!r} is not one of {', '.join(RETRY_MODES)}")
    for key in ("max_attempts", "total_max_attempts"):
        if key in retries:
            value = retries[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ATTEMPTS_LIMIT:
                problems.append(f"{field}.retries.{key}: must be an integer from 1 to {MAX_ATTEMPTS_LIMIT}")
    return problems


def botocore_config(config=None) -> dict:
    """The ``aws_config`` for every module: the inventory's botocore options over the collection's retry default.
    Raises ValueError naming the field when the inventory's value is wrong."""
    problems = retry_problems(config)
    if problems:
        raise ValueError("; ".join(problems))
    merged = dict(config or {})
    merged["retries"] = {**DEFAULT_RETRIES, **(config or {}).get("retries", {})}
    return merged


def layered_config(*layers, **fixed) -> dict:
    """The botocore Config options of a client that a module builds itself (not through ``module.client``): each
    layer (a dict of options, or None) over the ones before it, ``retries`` merged key by key so that a layer giving
    only ``max_attempts`` keeps the mode, then ``fixed`` over all."""
    merged = {}
    for layer in layers:
        for option, value in (layer or {}).items():
            if option == "retries" and isinstance(value, dict):
                merged["retries"] = {**merged.get("retries", {}), **value}
            else:
                merged[option] = value
    merged.update(fixed)
    return merged
