"""Protobuf's small values (instants, spans, ranges, local times and dates) to domain values
and back, and the reader that turns message parts into one violation per bad field."""

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour_scheduling.domain import (
    FieldViolation,
    InvalidInput,
)
from tenfour_shared.sensible_dates import date_range_problem
from tenfour_shared.timeline import Interval
from tenfour_shared.wire_checks import duration_problem, timestamp_problem

__all__ = [
    "FieldReader",
    "duration",
    "interval_from_proto",
    "interval_to_proto",
    "local_date",
    "local_time",
    "nonempty",
    "renamed",
    "split_path",
    "timestamp",
]


def timestamp(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment)
    return out


def duration(span: timedelta) -> Duration:
    out = Duration()
    out.FromTimedelta(span)
    return out


def interval_to_proto(interval: Interval) -> common.TimeRange:
    return common.TimeRange(start=timestamp(interval.start), end=timestamp(interval.end))


def interval_from_proto(msg: common.TimeRange, path: str) -> Interval:
    """Both bounds required, end after start; InvalidInput naming ``path``."""
    problems = []
    bounds: list[datetime] = []
    for name in ("start", "end"):
        if not msg.HasField(name):
            problems.append(FieldViolation(f"{path}.{name}", "is required"))
            continue
        problem = timestamp_problem(getattr(msg, name))
        if problem is not None:
            problems.append(FieldViolation(f"{path}.{name}{problem[0]}", problem[1]))
        else:
            bounds.append(getattr(msg, name).ToDatetime(tzinfo=UTC))
    if problems:
        raise InvalidInput(problems)
    if bounds[1] <= bounds[0]:
        raise InvalidInput.single(f"{path}.end", "must be after the start")
    return Interval(bounds[0], bounds[1])


def local_time(value: time) -> common.LocalTime:
    return common.LocalTime(hour=value.hour, minute=value.minute)


def local_date(value: date) -> common.LocalDate:
    return common.LocalDate(year=value.year, month=value.month, day=value.day)


class FieldReader:
    """Message parts to plain values, one violation per part that has no domain value."""

    def __init__(self) -> None:
        self.problems: list[FieldViolation] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(FieldViolation(path, message))

    def clock(self, owner: Any, name: str, path: str, *, required: bool = True) -> time | None:
        if not owner.HasField(name):
            if required:
                self.fail(f"{path}.{name}" if path else name, "is required")
            return None
        value: common.LocalTime = getattr(owner, name)
        if 0 <= value.hour <= 23 and 0 <= value.minute <= 59:
            return time(value.hour, value.minute)
        self.fail(f"{path}.{name}" if path else name, "hour must be 0-23 and minute 0-59")
        return None

    def day(self, owner: Any, name: str, path: str, *, required: bool = True) -> date | None:
        full = f"{path}.{name}" if path else name
        if not owner.HasField(name):
            if required:
                self.fail(full, "is required")
            return None
        value: common.LocalDate = getattr(owner, name)
        try:
            day = date(value.year, value.month, value.day)
        except ValueError:
            self.fail(full, f"{value.year}-{value.month}-{value.day} is not a valid date")
            return None
        problem = date_range_problem(day)
        if problem:
            self.fail(full, problem)
            return None
        return day

    def span(self, owner: Any, name: str, path: str) -> timedelta | None:
        if not owner.HasField(name):
            return None
        value: Duration = getattr(owner, name)
        field = f"{path}.{name}" if path else name
        if value.seconds < 0 or value.nanos < 0:
            self.fail(field, "must not be negative")
            return None
        problem = duration_problem(value)
        if problem is not None:
            self.fail(field + problem[0], problem[1])
            return None
        return value.ToTimedelta()

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)


def renamed(exc: InvalidInput, rename: Callable[[str], str]) -> InvalidInput:
    return InvalidInput(FieldViolation(rename(v.field), v.description) for v in exc.violations)


def split_path(path: str) -> tuple[str, str]:
    """``overrides[2].start`` -> (``overrides[2]``, ``start``); ``cycle`` -> (``cycle``, ``)."""
    head, _, rest = path.partition(".")
    return head, rest


def nonempty(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip() for v in values if v.strip())
