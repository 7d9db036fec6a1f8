"""WSGI middleware that counts AWS API calls and serves the counts under ``/_envops/calls``.

Tests and benchmarks use the counts to see how many API calls a play really makes.
``GET /_envops/calls`` returns ``{"total": N, "by_action": {"ec2:DescribeVpcs": n, ...}}``;
``POST /_envops/calls/reset`` returns the same for the calls counted so far and starts again at 0.
Requests under ``/_envops/`` never reach moto (those of the fault injector, ``/_envops/faults``, go on to it);
moto's own ``/moto-api`` requests are not counted. Faulted calls are counted too: AWS bills them.
"""

import io
import json
import re
from collections import Counter
from threading import Lock
from urllib.parse import parse_qs

CONTROL_PREFIX = "/_envops/"
PASSED_ON = ("/_envops/faults",)  # control endpoints of the layers inside (tools.stack.fault_injection)
LABEL_KEY = "envops.api_call_label"  # the label, kept in the WSGI environ for the layers inside
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/[^/,]+/[^/,]+/([^/,]+)/aws4_request")
_PRESIGNED_SCOPE = re.compile(r"^[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request$")  # X-Amz-Credential of a presigned URL


def _form_body(environ: dict) -> str:
    """The url-encoded form body of a query-protocol request (EC2, IAM, STS, RDS...), left readable."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return ""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body.decode("utf-8", "replace")


def _signing_name(environ: dict) -> str:
    """The service of the SigV4 credential scope (of the Authorization header, or of a presigned URL)."""
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    query = environ.get("QUERY_STRING", "")
    if scope is None and "X-Amz-Credential" in query:
        scope = _PRESIGNED_SCOPE.match(parse_qs(query).get("X-Amz-Credential", [""])[0])
    return scope.group(1) if scope else "unsigned"


def api_call_label(environ: dict) -> str:
    """A best-effort ``service:Action`` label; REST calls (S3...) get ``service:METHOD /path``."""
    service = _signing_name(environ)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    for params in (environ.get("QUERY_STRING", ""), _form_body(environ)):
        action = parse_qs(params).get("Action")
        if action:
            return f"{service}:{action[0]}"
    return f"{service}:{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"


class CallCounter:
    def __init__(self, app):
        self.app = app
        self._lock = Lock()
        self._counts: Counter[str] = Counter()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path in PASSED_ON:
            return self.app(environ, start_response)
        if path.startswith(CONTROL_PREFIX):
            return self._control(environ, start_response, path)
        if not path.startswith("/moto-api"):
            label = environ[LABEL_KEY] = api_call_label(environ)
            with self._lock:
                self._counts[label] += 1
        return self.app(environ, start_response)

    def _snapshot(self, reset: bool) -> dict:
        with self._lock:
            counts = dict(sorted(self._counts.items()))
            if reset:
                self._counts.clear()
        return {"total": sum(counts.values()), "by_action": counts}

    def _control(self, environ, start_response, path):
        method = environ.get("REQUEST_METHOD")
        if (path, method) == ("/_envops/calls", "GET"):
            return _json(start_response, "200 OK", self._snapshot(reset=False))
        if (path, method) == ("/_envops/calls/reset", "POST"):
            return _json(start_response, "200 OK", self._snapshot(reset=True))
        return _json(start_response, "404 Not Found", {"error": f"no such endpoint: {method} {path}"})


def _json(start_response, status: str, payload: dict):
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
