"""Signaling domain errors -> the shared error model (and so gRPC status codes)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tenfour_shared import errors
from tenfour_signaling import domain

__all__ = ["shared_error", "translated"]


def shared_error(exc: domain.DomainError, field: str = "request") -> errors.DomainError:
    message = str(exc)
    match exc.status:
        case "INVALID_ARGUMENT":
            return errors.InvalidArgument.single(field, message)
        case "PERMISSION_DENIED":
            return errors.PermissionDenied(message)
        case "NOT_FOUND":
            return errors.NotFound(message)
        case "FAILED_PRECONDITION":
            return errors.FailedPrecondition(message)
        case "UNAVAILABLE":
            return errors.Unavailable(message)
    return errors.DomainError(message)


@contextmanager
def translated(field: str = "request") -> Iterator[None]:
    """Raise the shared counterpart of any signaling domain error raised inside."""
    try:
        yield
    except domain.DomainError as exc:
        raise shared_error(exc, field) from None
