"""Calendar domain errors.

Every error carries field violations (a dotted path such as ``weekly[2].end`` plus a plain-English
message) so the gRPC layer can turn any of them into google.rpc.BadRequest without inspecting
messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = [
    "CalendarError",
    "ExpansionRangeError",
    "FieldViolation",
    "IcsError",
    "Loc",
    "RuleValidationError",
    "field_path",
    "invalid",
    "raise_violations",
]

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One problem with one field: ``field`` is a dotted path, ``message`` is for people."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class CalendarError(ValueError):
    """Base of every calendar domain error; always holds at least one violation."""

    def __init__(self, violations: Sequence[FieldViolation]) -> None:
        if not violations:
            raise ValueError("a calendar error needs at least one violation")
        self.violations: tuple[FieldViolation, ...] = tuple(violations)
        super().__init__("; ".join(str(v) for v in self.violations))


class RuleValidationError(CalendarError):
    """An availability rule set, or a part of one, is invalid."""

    @classmethod
    def from_pydantic(cls, exc: ValidationError) -> RuleValidationError:
        return cls(
            [FieldViolation(field_path(err["loc"]), _plain(err["msg"])) for err in exc.errors()]
            or [FieldViolation("", str(exc))]
        )


class ExpansionRangeError(CalendarError):
    """The requested time range is empty or longer than the expansion limit."""

    def __init__(self, message: str) -> None:
        super().__init__([FieldViolation("window", message)])


class IcsError(CalendarError):
    """An imported iCalendar text is malformed or too expensive to expand safely."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__([FieldViolation("ics", f"line {line}: {message}" if line else message)])


def field_path(loc: Iterable[int | str]) -> str:
    """('weekly', 2, 'end') -> 'weekly[2].end'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _plain(message: str) -> str:
    # pydantic prefixes messages of plain ValueErrors; the prefix means nothing to a therapist.
    return message.removeprefix("Value error, ")


def invalid(message: str) -> PydanticCustomError:
    """A validation error whose message is shown as-is (no "Value error," prefix)."""
    return PydanticCustomError("invalid_rule", "{reason}", {"reason": message})


def raise_violations(title: str, violations: list[tuple[Loc, str]]) -> None:
    """Raise one pydantic error per violation at its own location.

    pydantic merges a ValidationError raised inside a validator into the outer one, prefixing
    each location, so a rule-set-level check can still point at ``weekly[2].end``.
    """
    if violations:
        raise ValidationError.from_exception_data(
            title,
            [InitErrorDetails(type=invalid(message), loc=loc, input=None) for loc, message in violations],
        )
