"""Identity's domain errors. Each maps to one gRPC status code (mapped in the entrypoint layer).

Messages are written to be shown to the caller: never put a secret, a hash or a raw input in them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import NamedTuple

__all__ = [
    "AccountLocked",
    "AlreadyExists",
    "DomainError",
    "FailedPrecondition",
    "NotFound",
    "PermissionDenied",
    "ResourceExhausted",
    "Unauthenticated",
    "ValidationFailed",
    "Violation",
]


class Violation(NamedTuple):
    field: str  # path such as "languages[2]" (tenfour_shared.errors notation); "" = whole request
    message: str


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """INVALID_ARGUMENT, with one violation per offending field (google.rpc.BadRequest)."""

    def __init__(self, violations: Iterable[tuple[str, str]]) -> None:
        self.violations = [Violation(field, message) for field, message in violations]
        if not self.violations:
            raise ValueError("ValidationFailed needs at least one violation")
        super().__init__("; ".join(f"{v.field or 'request'}: {v.message}" for v in self.violations))


class NotFound(DomainError):
    """NOT_FOUND."""


class AlreadyExists(DomainError):
    """ALREADY_EXISTS (e.g. username taken)."""


class PermissionDenied(DomainError):
    """PERMISSION_DENIED: authenticated, but not allowed."""


class FailedPrecondition(DomainError):
    """FAILED_PRECONDITION: the request is fine but the state does not allow it.

    `reason` is for audit logs only; the message stays generic where details would be an oracle.
    """

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class AccountLocked(FailedPrecondition):
    """FAILED_PRECONDITION: the hard limit of consecutive failed sign-ins was reached."""

    def __init__(self) -> None:
        super().__init__(
            "this account is locked after too many failed sign-ins: sign in with your authenticator "
            "code, or ask an administrator to unlock it",
            reason="locked",
        )


class Unauthenticated(DomainError):
    """UNAUTHENTICATED: wrong credentials. One message for every cause, so accounts cannot be probed."""

    def __init__(self, message: str = "invalid credentials") -> None:
        super().__init__(message)


class ResourceExhausted(DomainError):
    """RESOURCE_EXHAUSTED: throttled; retry after `retry_after`."""

    def __init__(self, retry_after: timedelta) -> None:
        seconds = max(1, int(retry_after.total_seconds() + 0.999))
        super().__init__(f"too many attempts; retry in {seconds} s")
        self.retry_after = retry_after
