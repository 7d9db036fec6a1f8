"""What the fault injector of the local stack injects, and when: its configuration, checked, and the draw per request.

A configuration is a dict ``{"rate": 0.3, "kinds": ["throttle"], "seed": 7, "services": ["kms"] | None,
"operations": ["kms:ListKeyPolicies"] | None, "delay": 2.0}``: each request that passes the filters is faulted
with probability ``rate``, the kind drawn from ``kinds``, all from one ``random.Random(seed)``, so a fixed seed and
the same order of requests give the same faults. It comes from JSON (``PUT /_envops/faults``) or from a spec string
(``rate=0.1,kinds=throttle+5xx,seed=7``: ``python -m tools.stack start --faults``, ``ENVOPS_STACK_FAULTS``), and every
field is checked: a bad one is refused with a message that names it.
"""

import math
import random
import re
from dataclasses import dataclass

KINDS = ("throttle", "5xx", "reset", "slow")
DEFAULT_DELAY = 2.0
MAX_DELAY = 60.0  # botocore's read timeout: a longer pause is a timeout, not a slow answer
MAX_SEED = 2 ** 63 - 1
MAX_LIST = 100
FIELDS = ("rate", "kinds", "seed", "services", "operations", "delay")
SERVICE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # a SigV4 signing name: ec2, kms, monitoring, s3...
OPERATION = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}:[A-Z][A-Za-z0-9]{0,127}$")  # service:Action, as the call counter


class FaultConfigError(ValueError):
    """A fault configuration refused; the message names the field and the rule."""


@dataclass(frozen=True)
class Fault:
    kind: str
    status: int = 0  # for 5xx: 500 or 503


def check_config(raw) -> dict:
    """The configuration with every field checked and the defaults filled in (a seed drawn when none is given)."""
    if not isinstance(raw, dict):
        raise FaultConfigError("the fault configuration must be a JSON object with rate and kinds")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise FaultConfigError("%s: unknown field (known: %s)" % (unknown[0], ", ".join(FIELDS)))
    for required in ("rate", "kinds"):
        if required not in raw:
            raise FaultConfigError("%s: required" % required)
    seed = raw.get("seed")
    return {
        "rate": _number(raw["rate"], "rate", 0.0, 1.0),
        "kinds": _names(raw["kinds"], "kinds", lambda kind: kind in KINDS, "one of %s" % ", ".join(KINDS)),
        "seed": random.SystemRandom().randrange(MAX_SEED) if seed is None else _seed(seed),
        "services": _optional_names(raw.get("services"), "services", SERVICE.match,
                                    "a signing name such as ec2, kms, s3, monitoring"),
        "operations": _optional_names(raw.get("operations"), "operations", OPERATION.match,
                                      "service:Action, such as kms:ListKeyPolicies"),
        "delay": DEFAULT_DELAY if raw.get("delay") is None else _number(raw["delay"], "delay", 0.0, MAX_DELAY),
    }


def _number(value, field, low, high) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FaultConfigError("%s: must be a number from %g to %g, got %r" % (field, low, high, value))
    if not low <= value <= high:
        raise FaultConfigError("%s: must be from %g to %g, got %r" % (field, low, high, value))
    return float(value)


def _seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise FaultConfigError("seed: must be an integer from 0 to %d, got %r" % (MAX_SEED, value))
    return value


def _names(value, field, valid, rule) -> list:
    if not isinstance(value, list) or not value:
        raise FaultConfigError("%s: must be a non-empty list, got %r" % (field, value))
    if len(value) > MAX_LIST:
        raise FaultConfigError("%s: at most %d entries, got %d" % (field, MAX_LIST, len(value)))
    for name in value:
        if not isinstance(name, str) or not valid(name):
            raise FaultConfigError("%s: %r is not %s" % (field, name, rule))
    if len(set(value)) != len(value):
        raise FaultConfigError("%s: an entry is given twice in %r" % (field, value))
    return list(value)


def _optional_names(value, field, valid, rule):
    return None if value is None else _names(value, field, valid, rule)


def parse_spec(spec: str) -> dict:
    """``rate=0.1,kinds=throttle+5xx,seed=7[,services=kms+s3][,operations=kms:ListKeyPolicies][,delay=2]`` as a
    checked configuration."""
    if not isinstance(spec, str) or not spec.strip():
        raise FaultConfigError("fault spec: empty (expected e.g. rate=0.1,kinds=throttle+5xx,seed=7)")
    raw = {}
    for item in spec.split(","):
        field, sep, value = item.strip().partition("=")
        if not sep:
            raise FaultConfigError("fault spec: %r is not field=value (fields: %s)" % (item, ", ".join(FIELDS)))
        if field in raw:
            raise FaultConfigError("%s: given twice" % field)
        raw[field] = _spec_value(field, value.strip())
    return check_config(raw)


def _spec_value(field, value):
    if field in ("kinds", "services", "operations"):
        return value.split("+") if value else []
    if field in ("rate", "delay"):
        try:
            return float(value)
        except ValueError:
            raise FaultConfigError("%s: must be a number, got %r" % (field, value)) from None
    if field == "seed":
        if not value.isdigit():
            raise FaultConfigError("seed: must be an integer from 0 to %d, got %r" % (MAX_SEED, value))
        return int(value)
    return value  # an unknown field: check_config names it


def format_spec(config: dict) -> str:
    """The spec string of a checked configuration (``parse_spec`` gives it back)."""
    parts = ["rate=%g" % config["rate"], "kinds=%s" % "+".join(config["kinds"]), "seed=%d" % config["seed"]]
    for field in ("services", "operations"):
        if config.get(field):
            parts.append("%s=%s" % (field, "+".join(config[field])))
    parts.append("delay=%g" % config["delay"])
    return ",".join(parts)


def applies(config: dict, service: str, label: str) -> bool:
    """Whether a request of ``service`` labelled ``service:Action`` passes the service and operation filters."""
    if config["services"] is not None and service not in config["services"]:
        return False
    return config["operations"] is None or label in config["operations"]


def draw(config: dict, rng: random.Random) -> Fault | None:
    """The fault for one request that passes the filters, or None: one draw for the rate, one for the kind, one
    for the status of a 5xx."""
    if rng.random() >= config["rate"]:
        return None
    kind = rng.choice(config["kinds"])
    if kind == "5xx":
        return Fault(kind, rng.choice((500, 503)))
    return Fault(kind)
