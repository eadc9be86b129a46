"""Where every service's errors become gRPC statuses: one table from the kinds of
`tenfour_shared.errors` to status codes, the rich details (field violations, retry delay) a
client reads, and the client-side readers of those details.
"""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from tenfour_shared.errors import (
    AlreadyExists,
    ConcurrentChange,
    DependencyDown,
    DomainError,
    FieldViolation,
    InvalidInput,
    NotAllowed,
    NotFound,
    NotSignedIn,
    Throttled,
    WrongState,
)
from tenfour_shared.field_texts import classify, params_of

CODES: dict[type[DomainError], grpc.StatusCode] = {
    InvalidInput: grpc.StatusCode.INVALID_ARGUMENT,
    NotFound: grpc.StatusCode.NOT_FOUND,
    AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    WrongState: grpc.StatusCode.FAILED_PRECONDITION,
    ConcurrentChange: grpc.StatusCode.ABORTED,
    NotAllowed: grpc.StatusCode.PERMISSION_DENIED,
    NotSignedIn: grpc.StatusCode.UNAUTHENTICATED,
    Throttled: grpc.StatusCode.RESOURCE_EXHAUSTED,
    DependencyDown: grpc.StatusCode.UNAVAILABLE,
}


def code_for(error: DomainError) -> grpc.StatusCode:
    """The status of the nearest kind a service's error derives from (a bare DomainError: the
    state does not allow the request)."""
    for kind in type(error).__mro__:
        if kind in CODES:
            return CODES[kind]
    return grpc.StatusCode.FAILED_PRECONDITION


_MAX_MESSAGE = 300
_MAX_DESCRIPTION = 200


def _clip(text: str, limit: int) -> str:
    """Backstop for every status text: printable, and never longer than `limit`."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _reason(violation: FieldViolation) -> str:
    """The stable code of a violation (field_texts), empty when its text has none."""
    if violation.code:
        return violation.code
    found = classify(violation.description)
    return found[0] if found else ""


def to_status(error: DomainError) -> grpc.Status:
    """The rich status for a domain error (BadRequest details for invalid arguments)."""
    details: list[any_pb2.Any] = []
    if isinstance(error, InvalidInput):
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=_clip(v.field or "request", _MAX_DESCRIPTION),
                    description=_clip(v.description, _MAX_DESCRIPTION),
                    reason=_reason(v),
                )
                for v in error.violations[:50]
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(bad)
        details.append(packed)
    if isinstance(error, DependencyDown | Throttled) and error.retry_after is not None:
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromMilliseconds(int(error.retry_after * 1000))
        packed = any_pb2.Any()
        packed.Pack(retry)
        details.append(packed)
    status = status_pb2.Status(
        code=getattr(code_pb2, code_for(error).name),
        message=_clip(error.message, _MAX_MESSAGE),
        details=details,
    )
    result: grpc.Status = rpc_status.to_status(status)
    return result


def retry_delay(error: grpc.RpcError) -> float | None:
    """Client side: the google.rpc.RetryInfo delay in seconds carried by a failed call, if any."""
    status = rpc_status.from_call(error)
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return float(info.retry_delay.ToTimedelta().total_seconds())
    return None


def field_violations(error: grpc.RpcError) -> list[FieldViolation]:
    """Client side: the BadRequest field violations carried by a failed call, if any."""
    status = rpc_status.from_call(error)
    if status is None:
        return []
    out: list[FieldViolation] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            out.extend(_read(v) for v in bad.field_violations)
    return out


def _read(v: error_details_pb2.BadRequest.FieldViolation) -> FieldViolation:
    """A violation with its code and values: the sender's reason, else derived from the text."""
    if v.reason:
        params = params_of(v.reason, v.description)
        return FieldViolation(v.field, v.description, v.reason, tuple(sorted(params.items())))
    found = classify(v.description)
    if found is None:
        return FieldViolation(v.field, v.description)
    return FieldViolation(v.field, v.description, found[0], tuple(sorted(found[1].items())))
