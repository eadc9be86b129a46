"""The base of every service's error model: what went wrong, in the domain's words.

Each service names its own errors after what happened (`SlotTaken`, `OutsideRoster`) as
subclasses of the kinds below; `tenfour_shared.rpc_status` maps a kind to its gRPC status in one
place, so use cases never speak in gRPC codes and this module does not import grpc. Invalid input
carries field violations, which clients show next to the offending field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as _attribute

from pydantic import ValidationError

from tenfour_shared.text import excerpt as excerpt  # re-exported: handlers quote input with it


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """`description` is English; `code` and `params` (tenfour_shared.field_texts) say the same
    for clients that speak other words. Services fill only the first two: the code is derived."""

    field: str
    description: str
    code: str = _attribute(default="", compare=False)
    params: tuple[tuple[str, str], ...] = _attribute(default=(), compare=False)


class DomainError(Exception):
    """Base of every error a use case or domain rule raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """Fields of a request are unusable; one violation per field, all found at once."""

    def __init__(self, violations: Iterable[FieldViolation | tuple[str, str]], message: str = "") -> None:
        self.violations = tuple(
            v if isinstance(v, FieldViolation) else FieldViolation(*v) for v in violations
        )
        if not self.violations:
            raise ValueError("a validation error needs at least one violation")
        summary = "; ".join(f"{v.field or 'request'}: {v.description}" for v in self.violations)
        super().__init__(message or f"invalid request: {summary}")

    @classmethod
    def single(cls, field: str, description: str) -> InvalidInput:
        return cls([FieldViolation(field, description)])

    def prefixed(self, prefix: str) -> InvalidInput:
        """The same violations under a parent path: `roster` + `cycle` -> `roster.cycle`."""
        return InvalidInput(
            FieldViolation(join_path(prefix, v.field), v.description) for v in self.violations
        )

    def renamed(self, rename: Callable[[str], str]) -> InvalidInput:
        return InvalidInput(FieldViolation(rename(v.field), v.description) for v in self.violations)


class NotFound(DomainError):
    """What the request names does not exist (or is not visible to the caller)."""


class AlreadyExists(DomainError):
    """What the request would create exists already."""


class WrongState(DomainError):
    """The request is well formed but the current state does not allow it."""


class ConcurrentChange(DomainError):
    """A concurrent change won; the client may retry with fresh state."""


class NotAllowed(DomainError):
    """The caller is known but may not do this."""


class NotSignedIn(DomainError):
    """The caller's credentials are missing or wrong."""


class Throttled(DomainError):
    """Too many attempts or too much at once; when `retry_after` (seconds) is known, the caller
    is told how long to wait."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DependencyDown(DomainError):
    """A dependency is down; clients retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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


def join_path(prefix: str, field: str) -> str:
    """`a` + `b` -> `a.b`; `a` + `[2].b` -> `a[2].b`; either side may be empty."""
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"
