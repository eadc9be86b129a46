"""FHIR search parameters: which each resource accepts, dates with prefixes, paging.

Anything not understood is refused (400 with an OperationOutcome) rather than ignored: a client
that filters on a parameter we silently drop would read more than it asked for as its answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DEFAULT_COUNT = 50
MAX_COUNT = 200
_PAGING = frozenset({"_count", "_offset", "_format"})
_DEFAULT_DAYS = 14
_MAX_DAYS = 90  # FindSlots' horizon limit; ListAvailability allows more
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")  # FHIR R4's id type
ACCEPTED = {
    "Schedule": frozenset({"actor", "_id"}),
    "Slot": frozenset({"schedule", "start", "status"}),
    "Appointment": frozenset({"date", "status", "actor", "_id"}),
}
_PREFIXED = re.compile(r"^(eq|gt|ge|lt|le)?(\d{4}-\d{2}-\d{2}(?:T[0-9:.]+(?:Z|[+-]\d{2}:\d{2}))?)$")


class SearchError(Exception):
    """A search the server cannot answer as asked: HTTP status, FHIR issue code, plain words."""

    def __init__(self, diagnostics: str, status: int = 400, code: str = "invalid") -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Page:
    count: int
    offset: int


@dataclass(frozen=True)
class Range:
    """[start, end) in UTC; None = open."""

    start: datetime | None = None
    end: datetime | None = None

    def holds(self, when: datetime) -> bool:
        return (self.start is None or when >= self.start) and (self.end is None or when < self.end)


@dataclass(frozen=True, slots=True)
class Window:
    """Where free time is looked for: [start, end) in UTC, from now on."""

    start: datetime
    end: datetime

    def holds(self, when: datetime) -> bool:
        return self.start <= when < self.end


def free_time_window(asked: Range, now: datetime) -> Window:
    """The asked start range cut to [now, now + 90 days]; 14 days when no end is given."""
    start = max(asked.start or now, now)
    end = asked.end or start + timedelta(days=_DEFAULT_DAYS)
    if end <= start:
        raise SearchError("start leaves no time from now on to search.")
    return Window(start, min(end, now + timedelta(days=_MAX_DAYS)))


def check_names(resource: str, params: Mapping[str, Sequence[str]]) -> None:
    unknown = sorted(set(params) - ACCEPTED[resource] - _PAGING)
    if unknown:
        names = ", ".join(n[:40] for n in unknown[:5])
        raise SearchError(f"Unknown search parameter for {resource}: {names}.", code="not-supported")
    fmt = params.get("_format", [])
    if any(f not in ("json", "application/fhir+json", "application/json") for f in fmt):
        raise SearchError("Only JSON is supported (_format=json).", status=406, code="not-supported")


def page(params: Mapping[str, Sequence[str]]) -> Page:
    return Page(_int(params, "_count", DEFAULT_COUNT, 1, MAX_COUNT), _int(params, "_offset", 0, 0, 100_000))


def _int(params: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    values = params.get(name, [])
    if not values:
        return default
    # isdecimal, not isdigit: "²" is a digit that int() refuses; int() also refuses > 4,300 digits.
    text = values[-1]
    if len(values) > 1 or not text.isdecimal() or len(text) > 9 or not low <= int(text) <= high:
        raise SearchError(f"{name} must be a whole number from {low} to {high}.")
    return int(values[-1])


def date_range(values: Sequence[str], name: str) -> Range:
    """The intersection of `date=ge2026-12-01&date=lt2026-12-08`-style conditions."""
    start: datetime | None = None
    end: datetime | None = None
    for value in values:
        if "," in value:  # a FHIR "or" of dates: not supported
            raise SearchError(f"{name} takes one value per parameter (repeat {name} to combine).")
        low, high = _condition(value.strip(), name)
        if low is not None and (start is None or low > start):
            start = low
        if high is not None and (end is None or high < end):
            end = high
    return Range(start, end)


def _condition(value: str, name: str) -> tuple[datetime | None, datetime | None]:
    match = _PREFIXED.match(value)
    if match is None:
        raise SearchError(
            f"{name} must be a date or a date-time with a zone, optionally prefixed by eq, gt, ge, lt or le."
        )
    prefix, text = match.group(1) or "eq", match.group(2)
    try:
        if "T" in text:
            first = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
            after = first + timedelta(seconds=1)
        else:
            day = date.fromisoformat(text)
            first = datetime.combine(day, time(), UTC)
            after = first + timedelta(days=1)
    except ValueError:
        raise SearchError(f"{name} is not a valid date.") from None
    return {
        "eq": (first, after),
        "ge": (first, None),
        "gt": (after, None),
        "lt": (None, first),
        "le": (None, after),
    }[prefix]


def reference(value: str, kinds: tuple[str, ...], name: str) -> tuple[str, str]:
    """("Practitioner", "u-1") from "Practitioner/u-1", a full URL ending so, or a bare id."""
    tail = value.rstrip("/").split("/")
    if len(tail) >= 2 and tail[-2] in kinds and _ID.fullmatch(tail[-1]):
        return tail[-2], tail[-1]
    if len(tail) == 1 and _ID.fullmatch(tail[0]):
        return "", tail[0]
    raise SearchError(f"{name} must reference a {' or '.join(kinds)}.")


def check_id(value: str, name: str) -> str:
    """A FHIR id (letters, digits, '-' and '.', at most 64), else refused in plain words."""
    if not _ID.fullmatch(value):
        raise SearchError(f"{name} must be a FHIR id: letters, digits, '-' or '.', at most 64.")
    return value


def one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise SearchError(f"{name} may be given once.")
    return values[0] if values else None
