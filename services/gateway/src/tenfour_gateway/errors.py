"""gRPC failures as JSON: {code, message, fields: {field: message}} with a matching HTTP status.

Field violations come from google.rpc.BadRequest (services put them there for every bad input),
so a page can put each message next to its field. `field_reasons` carries each violation's
stable code and values (tenfour_shared.field_texts), so the page says it from its catalog in the
reader's language; `fields` keeps the English text. A message about the whole request carries
`reason: {code, params}` when tenfour_shared.message_texts knows it, for the same purpose. A
google.rpc.RetryInfo becomes `retry_after_seconds`. The mapping of codes follows grpc-gateway.
"""

from __future__ import annotations

import math
from typing import Any

import grpc
from aiohttp import web

from tenfour_shared.message_texts import classify
from tenfour_shared.rpc_status import field_violations, retry_delay

__all__ = ["HTTP_STATUS", "error_body", "error_response", "from_rpc_error", "json_response"]

HTTP_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
}

# What people read when the service's own message is not fit to show (or absent).
_PLAIN: dict[grpc.StatusCode, str] = {
    grpc.StatusCode.UNIMPLEMENTED: "This is not available yet.",
    grpc.StatusCode.UNAVAILABLE: "The service is busy or restarting. Please try again in a moment.",
    grpc.StatusCode.DEADLINE_EXCEEDED: "That took too long. Please try again.",
    grpc.StatusCode.INTERNAL: "Something went wrong on our side. Please try again.",
    grpc.StatusCode.UNKNOWN: "Something went wrong on our side. Please try again.",
    grpc.StatusCode.DATA_LOSS: "Something went wrong on our side. Please try again.",
    grpc.StatusCode.CANCELLED: "The request was cancelled.",
    grpc.StatusCode.UNAUTHENTICATED: "Please sign in again.",
    grpc.StatusCode.PERMISSION_DENIED: "You are not allowed to do this.",
}
# Codes whose backend message may describe internals (or be gRPC's own transport text).
_HIDE_DETAIL = frozenset(
    {
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.DATA_LOSS,
        grpc.StatusCode.CANCELLED,
    }
)


def error_body(code: grpc.StatusCode, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    if code in _HIDE_DETAIL or not message:
        message = _PLAIN.get(code, "The request failed.")
    body: dict[str, Any] = {"code": code.name, "message": message, "fields": fields or {}}
    found = classify(message)
    if found:
        body["reason"] = {"code": found[0], "params": found[1]}
    return body


def from_rpc_error(error: grpc.RpcError) -> tuple[int, dict[str, Any]]:
    """HTTP status and JSON body for a failed backend call."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else ""
    fields: dict[str, str] = {}
    reasons: dict[str, list[dict[str, Any]]] = {}
    try:
        for violation in field_violations(error):
            # Several problems with one field: show them together.
            known = fields.get(violation.field)
            fields[violation.field] = f"{known}; {violation.description}" if known else violation.description
            reasons.setdefault(violation.field, []).append(
                {"code": violation.code, "params": dict(violation.params), "message": violation.description}
            )
    except Exception:  # a malformed status detail must not turn into a 500
        fields, reasons = {}, {}
    body = error_body(code, details or "", fields)
    if reasons:
        body["field_reasons"] = reasons
    try:
        wait = retry_delay(error)
    except Exception:
        wait = None
    if wait is not None:
        # Whole seconds, rounded up: a page can say when to try again (sign-in throttling).
        body["retry_after_seconds"] = max(1, math.ceil(wait))
    return HTTP_STATUS.get(code, 500), body


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


def error_response(
    code: grpc.StatusCode, message: str = "", fields: dict[str, str] | None = None
) -> web.Response:
    return json_response(error_body(code, message, fields), HTTP_STATUS.get(code, 500))
