"""Requests to domain values, and calendar errors to field violations named as in the request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC

from tenfour.availability.v1 import availability_pb2, rules_pb2
from tenfour_shared.calendar import CalendarError, FieldViolation, RuleSet, RuleValidationError, SessionType
from tenfour_shared.errors import FieldViolation as RequestViolation
from tenfour_shared.errors import InvalidInput
from tenfour_shared.events.catalog.availability import SESSION_TYPES, rule_set_from_proto
from tenfour_shared.timeline import Interval
from tenfour_shared.wire_checks import timestamp_problem

__all__ = ["field_errors", "list_window", "rules_from_request", "session_type", "under"]

MAX_LABEL = 100
Rename = Callable[[str], str]


def under(prefix: str) -> Rename:
    """Domain paths relative to a message field of the request: "weekly[2].end" -> "rules.weekly[2].end"."""
    return lambda path: f"{prefix}.{path}" if path else prefix


def _same(path: str) -> str:
    return path


@contextmanager
def field_errors(rename: Rename = _same, **renamed: str) -> Iterator[None]:
    """Turn calendar errors raised inside the block into INVALID_ARGUMENT naming request fields."""
    try:
        yield
    except CalendarError as exc:
        raise InvalidInput(
            [RequestViolation(renamed.get(v.field) or rename(v.field), v.message) for v in exc.violations]
        ) from None


def rules_from_request(message: rules_pb2.RuleSet) -> tuple[RuleSet, tuple[str, ...]]:
    """The rule set and its private time-off labels; output-only fields are ignored."""
    bad_labels = [
        FieldViolation(f"time_off[{i}].label", f"must be at most {MAX_LABEL} characters")
        for i, t in enumerate(message.time_off)
        if len(t.label) > MAX_LABEL
    ]
    writable = rules_pb2.RuleSet()
    writable.CopyFrom(message)
    for output_only in ("version", "updated_at", "active"):
        writable.ClearField(output_only)
    try:
        rules = rule_set_from_proto(writable)
    except RuleValidationError as exc:
        raise RuleValidationError([*bad_labels, *exc.violations]) from None
    if bad_labels:
        raise RuleValidationError(bad_labels)
    return rules, tuple(t.label for t in message.time_off)


def list_window(request: availability_pb2.ListAvailabilityRequest) -> Interval:
    if not request.HasField("range"):
        raise RuleValidationError([FieldViolation("range", "is required")])
    bounds = []
    violations = []
    for name in ("start", "end"):
        if not request.range.HasField(name):
            violations.append(FieldViolation(f"range.{name}", "is required"))
            continue
        problem = timestamp_problem(getattr(request.range, name))
        if problem is not None:
            violations.append(FieldViolation(f"range.{name}{problem[0]}", problem[1]))
        else:
            bounds.append(getattr(request.range, name).ToDatetime(tzinfo=UTC))
    if violations:
        raise RuleValidationError(violations)
    start, end = bounds
    if end <= start:
        raise RuleValidationError([FieldViolation("range.end", "must be after range.start")])
    return Interval(start, end)


def session_type(number: int) -> SessionType | None:
    """None for SESSION_TYPE_UNSPECIFIED (every type)."""
    if number == 0:
        return None
    if number not in SESSION_TYPES:
        raise RuleValidationError([FieldViolation("session_type", f"unknown session type {number}")])
    return SESSION_TYPES[number]
