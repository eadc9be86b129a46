"""Field names in errors as the API spells them, and errors raised by the use cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

from tenfour_identity.domain.errors import ValidationFailed, Violation

__all__ = ["Form", "fields_as"]

T = TypeVar("T")


def _rename(field: str, prefix: str, rename: Mapping[str, str]) -> str:
    head, sep, rest = field.partition(".")
    bracket = head.find("[")
    name, index = (head[:bracket], head[bracket:]) if bracket >= 0 else (head, "")
    renamed = rename.get(name, name) + index + (sep + rest if sep else "")
    if not prefix:
        return renamed
    return f"{prefix}.{renamed}" if renamed else prefix


@contextmanager
def fields_as(prefix: str = "", rename: Mapping[str, str] | None = None) -> Iterator[None]:
    """Re-raise ValidationFailed with the request's field paths: `max_uses` → `max_redemptions`."""
    try:
        yield
    except ValidationFailed as exc:
        table = rename or {}
        raise ValidationFailed(
            [(_rename(v.field, prefix, table), v.description) for v in exc.violations]
        ) from None


class Form:
    """Checks every field of a request and reports all problems at once.

    `value()` returns what a check built, or None when it failed; `done()` raises one
    ValidationFailed with every violation found, so a client fixes all fields in one round.
    """

    def __init__(self) -> None:
        self._violations: list[Violation] = []

    def value(self, build: Callable[[], T]) -> T | None:
        try:
            return build()
        except ValidationFailed as exc:
            self._violations.extend(exc.violations)
            return None

    def add(self, field: str, message: str) -> None:
        self._violations.append(Violation(field, message))

    def done(self) -> None:
        if self._violations:
            raise ValidationFailed(self._violations)
