"""Validation errors of the scheduling domain, shaped for gRPC INVALID_ARGUMENT field details.

Every violation names the offending field with a path (``cycle``, ``definitions.D.length``,
``overrides[2].start``) so an entrypoint can map it one-to-one onto a ``BadRequest``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

__all__ = ["DomainValidationError", "FieldViolation"]


@dataclass(frozen=True, slots=True)
class FieldViolation:
    field: str
    message: str


class DomainValidationError(Exception):
    """One or more invalid inputs; never raised for a search that merely finds nothing."""

    def __init__(self, violations: Iterable[FieldViolation]) -> None:
        self.violations: tuple[FieldViolation, ...] = tuple(violations)
        if not self.violations:
            raise ValueError("a validation error needs at least one violation")
        super().__init__("; ".join(f"{v.field}: {v.message}" for v in self.violations))

    @classmethod
    def single(cls, field: str, message: str) -> DomainValidationError:
        return cls([FieldViolation(field, message)])

    def prefixed(self, prefix: str) -> DomainValidationError:
        """The same violations under a parent path, e.g. ``roster`` + ``cycle`` -> ``roster.cycle``."""
        return DomainValidationError(
            FieldViolation(_join(prefix, v.field), v.message) for v in self.violations
        )

    @classmethod
    def from_pydantic(cls, exc: ValidationError) -> DomainValidationError:
        violations = []
        for err in exc.errors(include_url=False):
            path = _path(err["loc"])
            if err["type"] == "missing":
                message = f"{str(err['loc'][-1]).replace('_', ' ')} is required"
            elif err["type"] in ("value_error", "assertion_error"):
                # Our own validators raise ValueError; keep their text without pydantic's prefix.
                message = str(err.get("ctx", {}).get("error", err["msg"]))
            else:
                message = err["msg"]
            violations.append(FieldViolation(path, message))
        return cls(violations)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out = f"{out}[{part}]" if isinstance(part, int) else _join(out, str(part))
    return out


def _join(prefix: str, field: str) -> str:
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}{field}" if field.startswith("[") else f"{prefix}.{field}"
