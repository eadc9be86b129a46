"""One error model for every service: domain errors map to gRPC status codes.

Validation failures become INVALID_ARGUMENT with google.rpc.BadRequest field violations, so a
client (and the web app) can show the message next to the offending field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from pydantic import ValidationError

from tenfour_shared.text import excerpt as excerpt  # re-exported: handlers quote input with it


@dataclass(frozen=True, slots=True)
class FieldViolation:
    field: str
    description: str


class DomainError(Exception):
    """Base of every error a handler may raise on purpose."""

    code: grpc.StatusCode = grpc.StatusCode.FAILED_PRECONDITION

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, violations: Sequence[FieldViolation], message: str = "") -> None:
        self.violations = tuple(violations)
        summary = "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        super().__init__(message or f"invalid request: {summary}")

    @classmethod
    def single(cls, field: str, description: str) -> InvalidArgument:
        return cls([FieldViolation(field, description)])


class NotFound(DomainError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(DomainError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(DomainError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class Aborted(DomainError):
    """A concurrent change won; the client may retry with fresh state."""

    code = grpc.StatusCode.ABORTED


class PermissionDenied(DomainError):
    code = grpc.StatusCode.PERMISSION_DENIED


class Unauthenticated(DomainError):
    code = grpc.StatusCode.UNAUTHENTICATED


class ResourceExhausted(DomainError):
    """Throttled; when `retry_after` (seconds) is known, clients get it as google.rpc.RetryInfo."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """A dependency is down; clients retry after `retry_after` seconds (google.rpc.RetryInfo)."""

    code = grpc.StatusCode.UNAVAILABLE

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_MAX_MESSAGE = 300
_MAX_DESCRIPTION = 200


def _clip(text: str, limit: int) -> str:
    """Backstop for every status text: printable, and never longer than `limit`."""
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def violations_from_pydantic(exc: ValidationError, prefix: str = "") -> list[FieldViolation]:
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        path = _dotted(err["loc"])
        field = f"{prefix}.{path}" if prefix and path else (prefix or path or "request")
        out.append(FieldViolation(field, str(err["msg"])))
    return out


def _dotted(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def to_status(error: DomainError) -> grpc.Status:
    """The rich status for a domain error (BadRequest details for invalid arguments)."""
    details: list[any_pb2.Any] = []
    if isinstance(error, InvalidArgument):
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=_clip(v.field, _MAX_DESCRIPTION), description=_clip(v.description, _MAX_DESCRIPTION)
                )
                for v in error.violations[:50]
            ]
        )
        packed = any_pb2.Any()
        packed.Pack(bad)
        details.append(packed)
    if isinstance(error, Unavailable | ResourceExhausted) and error.retry_after is not None:
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromMilliseconds(int(error.retry_after * 1000))
        packed = any_pb2.Any()
        packed.Pack(retry)
        details.append(packed)
    status = status_pb2.Status(
        code=getattr(code_pb2, error.code.name), message=_clip(error.message, _MAX_MESSAGE), details=details
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
            out.extend(FieldViolation(v.field, v.description) for v in bad.field_violations)
    return out
