"""WSGI middleware that answers a chosen fraction of AWS API calls with a fault, before they reach moto.

Off until configured, by ``ENVOPS_STACK_FAULTS`` when the server starts or over HTTP while it runs:

- ``GET /_envops/faults``: ``{"config": {...} | null, "injected": {"total": N, "by_kind": {"throttle": n, ...},
  "by_action": {"kms:ListKeyPolicies": n, ...}}}``;
- ``PUT /_envops/faults`` with ``{"rate": 0.3, "kinds": ["throttle"], "seed": 7, "services": ["kms"],
  "operations": ["kms:ListKeyPolicies"], "delay": 2.0}`` (rate and kinds required; tools.stack.fault_plan checks
  every field, a bad one is answered 400 naming it): the same shape, counts started again at 0;
- ``DELETE /_envops/faults``: the counts so far, injection off.

The kinds: ``throttle`` and ``5xx`` answer with the error the service's protocol really returns
(tools.stack.fault_responses), ``reset`` closes the connection with a TCP reset and no answer, ``slow`` waits
``delay`` seconds and then serves the call. A faulted call is not processed. Calls under ``/_envops/`` and moto's own
``/moto-api`` are never faulted.
"""

import json
import os
import random
import socket
import struct
import time
from collections import Counter
from threading import Lock

from tools.stack.call_counter import CONTROL_PREFIX, LABEL_KEY, api_call_label
from tools.stack.fault_plan import FaultConfigError, applies, check_config, draw, format_spec, parse_spec
from tools.stack.fault_responses import error_response, protocol_of

CONTROL_PATH = "/_envops/faults"
ENVIRONMENT_VARIABLE = "ENVOPS_STACK_FAULTS"
MAX_BODY = 64 * 1024


class InjectedReset(ConnectionResetError):
    """Raised instead of answering: the request handler (``with_injected_resets``) resets the connection."""


def faults_from_environment(environ=None) -> dict | None:
    """The configuration of ``ENVOPS_STACK_FAULTS`` (a spec string, see fault_plan.parse_spec), None when unset."""
    spec = (os.environ if environ is None else environ).get(ENVIRONMENT_VARIABLE, "").strip()
    if not spec:
        return None
    try:
        return parse_spec(spec)
    except FaultConfigError as error:
        raise FaultConfigError("%s: %s" % (ENVIRONMENT_VARIABLE, error)) from None


class FaultInjector:
    def __init__(self, app, config: dict | None = None):
        self.app = app
        self._lock = Lock()
        self._config = None
        self._rng = random.Random()
        self._by_kind: Counter[str] = Counter()
        self._by_action: Counter[str] = Counter()
        if config is not None:
            self.configure(config)

    def configure(self, config: dict | None) -> dict:
        """Inject by ``config`` (checked), None for no faults; counts start again at 0 (kept when turned off)."""
        checked = None if config is None else check_config(config)
        with self._lock:
            self._config = checked
            if checked is not None:
                self._rng = random.Random(checked["seed"])
                self._by_kind.clear()
                self._by_action.clear()
        print("fault injection: %s" % (format_spec(checked) if checked else "off"), flush=True)
        return self.snapshot()

    def snapshot(self) -> dict:
        with self._lock:
            config = None if self._config is None else dict(self._config)
            by_kind = dict(sorted(self._by_kind.items()))
            by_action = dict(sorted(self._by_action.items()))
        return {"config": config, "injected": {"total": sum(by_kind.values()), "by_kind": by_kind,
                                               "by_action": by_action}}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == CONTROL_PATH:
            return self._control(environ, start_response)
        if path.startswith(CONTROL_PREFIX) or path.startswith("/moto-api"):
            return self.app(environ, start_response)
        label = environ.get(LABEL_KEY) or api_call_label(environ)
        service = label.partition(":")[0]
        fault, delay = self._decide(service, label)
        if fault is None:
            return self.app(environ, start_response)
        if fault.kind == "slow":
            time.sleep(delay)
            return self.app(environ, start_response)
        if fault.kind == "reset":
            _prepare_reset(environ)
            raise InjectedReset("fault injection: connection reset (%s)" % label)
        response = error_response(environ, protocol_of(environ, service, label), service,
                                  "throttle" if fault.kind == "throttle" else str(fault.status))
        start_response(response.status, response.headers)
        return [response.body]

    def _decide(self, service, label):
        """The fault for this request (None for none) and the configured delay, counted, under the lock: the draws
        follow the order in which requests arrive."""
        with self._lock:
            config = self._config
            if config is None or not applies(config, service, label):
                return None, 0
            fault = draw(config, self._rng)
            if fault is not None:
                self._by_kind[fault.kind] += 1
                self._by_action[label] += 1
            return fault, config["delay"]

    def _control(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        if method == "GET":
            return _json(start_response, "200 OK", self.snapshot())
        if method == "DELETE":
            return _json(start_response, "200 OK", self.configure(None))
        if method != "PUT":
            return _json(start_response, "405 Method Not Allowed",
                         {"error": "%s %s: use GET, PUT or DELETE" % (method, CONTROL_PATH)},
                         [("Allow", "GET, PUT, DELETE")])
        try:
            return _json(start_response, "200 OK", self.configure(_json_body(environ)))
        except FaultConfigError as error:
            return _json(start_response, "400 Bad Request", {"error": str(error)})


def _json_body(environ) -> dict:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise FaultConfigError("body: Content-Length is not a number") from None
    if not 0 < length <= MAX_BODY:
        raise FaultConfigError("body: a JSON object of at most %d bytes is required, got %d bytes"
                               % (MAX_BODY, length))
    try:
        return json.loads(environ["wsgi.input"].read(length))
    except ValueError as error:
        raise FaultConfigError("body: not JSON (%s)" % error) from None


def _json(start_response, status, payload, extra_headers=()):
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
                   + list(extra_headers))
    return [body]


def _prepare_reset(environ) -> None:
    """Linger 0, so that closing the connection sends a TCP reset instead of a FIN; no more reading, so that a
    request handler which does not reset it still ends the connection without an answer."""
    connection = environ.get("werkzeug.socket")
    if connection is None:
        return
    try:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.shutdown(socket.SHUT_RD)
    except OSError:
        pass  # the client has gone already


def with_injected_resets(handler_class):
    """A werkzeug request handler class that closes the connection at once when the app raises InjectedReset."""

    class ResettingRequestHandler(handler_class):
        def connection_dropped(self, error, environ=None):
            if not isinstance(error, InjectedReset):
                super().connection_dropped(error, environ)
                return
            self.close_connection = True  # pylint: disable=attribute-defined-outside-init  # http.server's own
            self.rfile.close()  # the last reference besides the socket's own: close() now really closes it
            self.connection.close()

    return ResettingRequestHandler
