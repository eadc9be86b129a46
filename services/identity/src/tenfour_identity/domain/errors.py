"""Identity's errors, over the shared error model (tenfour_shared.errors), which maps each
kind to its gRPC status in one place.

Messages are written to be shown to the caller: never put a secret, a hash or a raw input in them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from tenfour_shared.errors import (
    AlreadyExists,
    DomainError,
    FieldViolation,
    InvalidInput,
    NotAllowed,
    NotFound,
    NotSignedIn,
    Throttled,
    WrongState,
)

__all__ = [
    "AccountLocked",
    "AlreadyExists",
    "DomainError",
    "NotAllowed",
    "NotFound",
    "Refused",
    "TooManyAttempts",
    "ValidationFailed",
    "Violation",
    "WrongCredentials",
    "WrongState",
]

Violation = FieldViolation  # field: a path such as "languages[2]"; "" = the whole request


class ValidationFailed(InvalidInput):
    """Invalid fields, one violation per offending field; never empty."""

    def __init__(self, violations: Iterable[FieldViolation | tuple[str, str]]) -> None:
        super().__init__(violations)
        if not self.violations:
            raise ValueError("ValidationFailed needs at least one violation")


class Refused(WrongState):
    """The state does not allow it. `reason` is for audit logs only; the message stays generic
    where details would be an oracle (enrolment codes)."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class AccountLocked(Refused):
    """The hard limit of consecutive failed sign-ins was reached."""

    def __init__(self) -> None:
        super().__init__(
            "this account is locked after too many failed sign-ins: sign in with your authenticator "
            "code, or ask an administrator to unlock it",
            reason="locked",
        )


class WrongCredentials(NotSignedIn):
    """One message for every cause, so accounts cannot be probed."""

    def __init__(self, message: str = "invalid credentials") -> None:
        super().__init__(message)


class TooManyAttempts(Throttled):
    """Sign-in or code attempts throttled; retry after `retry_after`."""

    def __init__(self, retry_after: timedelta) -> None:
        seconds = max(1, int(retry_after.total_seconds() + 0.999))
        super().__init__(f"too many attempts; retry in {seconds} s", retry_after.total_seconds())
        self.wait = retry_after
