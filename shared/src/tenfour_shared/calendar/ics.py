"""Busy time from a provider's own calendar (an iCalendar export), as UTC intervals.

Recurrences are expanded by recurring_ical_events (RRULE, RDATE, EXDATE, RECURRENCE-ID).
All-day events block whole local days and floating times are read in the provider's zone.
Transparent and cancelled events are not busy. Untrusted input is bounded three ways: text
size, estimated recurrence-rule work (dateutil walks every period from DTSTART, so a daily rule
from 1900 costs as much as its 46,000 days), and the number of occurrences in the window.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events

from tenfour_shared.calendar.errors import FieldViolation, IcsError, RuleValidationError
from tenfour_shared.calendar.expand import check_range
from tenfour_shared.calendar.ics_outline import Block, outline
from tenfour_shared.calendar.ics_read import MAX_ICS_BYTES, read_calendar
from tenfour_shared.text import excerpt
from tenfour_shared.timeline import Interval, as_utc, intersect, load_zone, local_to_utc, merge

__all__ = ["MAX_ICS_BYTES", "MAX_OCCURRENCES", "MAX_RULE_STEPS", "parse_busy_calendar"]

MAX_OCCURRENCES = 20_000
MAX_RULE_STEPS = 500_000  # about 1.5 s of dateutil work on the reference machine

_PERIOD_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 31 * 86400,
    "YEARLY": 366 * 86400,
}
# Floating and all-day events are compared by the expander without our zone: widen, then clip.
_SLACK = timedelta(days=2)


def parse_busy_calendar(
    ics_text: str,
    window: Interval,
    *,
    timezone: str,
    max_bytes: int = MAX_ICS_BYTES,
    max_occurrences: int = MAX_OCCURRENCES,
) -> list[Interval]:
    """Busy intervals of ``ics_text`` inside ``window``, merged, sorted and clipped.

    ``timezone`` is the provider's IANA zone, used for all-day and floating events. Raises
    IcsError (field "ics", message "line N: ..." where a line is known) for malformed or
    oversized calendars, ExpansionRangeError for a bad window.
    """
    check_range(window)
    zone = _zone(timezone)
    if len(ics_text) > max_bytes:
        raise IcsError(f"the calendar is larger than the {max_bytes:,} byte limit")
    blocks = outline(ics_text)
    calendar = read_calendar(ics_text, max_bytes)
    components = list(calendar.walk())
    if len(components) != len(blocks):  # the parsers disagree: better no line numbers than wrong ones
        blocks = [Block(str(c.name), 0) for c in components]
    budget = [MAX_RULE_STEPS]
    for component, block in zip(components, blocks, strict=True):
        _check(component, block, window, budget)
    busy: list[Interval] = []
    seen = 0
    try:
        query = recurring_ical_events.of(calendar)
        for series in query.series:
            for occurrence in series.between(window.start - _SLACK, window.end + _SLACK):
                seen += 1
                if seen > max_occurrences:
                    raise IcsError(f"more than {max_occurrences:,} events fall in the requested range")
                if _is_busy(occurrence.as_component(False)):
                    busy.append(_interval(occurrence.start, occurrence.end, zone))
    except IcsError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # the expander's InvalidCalendar is a ValueError
        raise IcsError(f"could not expand the calendar: {exc}") from None
    return intersect(merge(busy), [window])


def _zone(name: str) -> ZoneInfo:
    try:
        return load_zone(name)
    except ValueError as exc:
        raise RuleValidationError([FieldViolation("timezone", str(exc))]) from None


def _check(component: Any, block: Block, window: Interval, budget: list[int]) -> None:
    """Problems icalendar tolerated silently, reported with their line numbers."""
    for prop, message in getattr(component, "errors", []):
        raise IcsError(f"{prop or 'content line'}: {message}", block.line_of(prop))
    if component.name != "VEVENT":
        return
    start = component.get("DTSTART")
    if start is None:
        raise IcsError("VEVENT has no DTSTART", block.line)
    for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        value = component.get(prop)
        tzid = value.params.get("TZID") if value is not None else None
        if tzid and isinstance(value.dt, datetime) and value.dt.tzinfo is None:
            raise IcsError(f"{prop} uses an unknown time zone {excerpt(tzid)}", block.line_of(prop))
    end = component.get("DTEND")
    if end is not None and _comparable(start.dt, end.dt) and end.dt < start.dt:
        raise IcsError("DTEND is before DTSTART", block.line_of("DTEND"))
    rules = component.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        budget[0] -= _rule_steps(rule, start.dt, window)
        if budget[0] < 0:
            raise IcsError(
                "recurrence rules are too expensive to expand (too frequent, or starting too long ago)",
                block.line_of("RRULE"),
            )


def _rule_steps(rule: Any, start: date, window: Interval) -> int:
    """Rough count of the periods dateutil walks from DTSTART to the end of the window."""
    freq = str(rule.get("FREQ", ["DAILY"])[0]).upper()
    interval = max(int(rule.get("INTERVAL", [1])[0]), 1)
    until = rule.get("UNTIL", [None])[0]
    stop = (window.end + _SLACK).date()
    if isinstance(until, date) and _day(until) < stop:
        stop = _day(until)
    seconds = max((stop - _day(start)).days + 1, 1) * 86400
    periods = seconds // (_PERIOD_SECONDS.get(freq, 86400) * interval) + 1
    fan_out = math.prod(len(v) for k, v in rule.items() if k.startswith("BY") and k != "BYSETPOS")
    return int(periods * max(fan_out, 1))


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _comparable(a: object, b: object) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return (a.tzinfo is None) == (b.tzinfo is None)
    return type(a) is type(b) and isinstance(a, date)


def _is_busy(component: Any) -> bool:
    transparent = str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT"
    cancelled = str(component.get("STATUS", "")).upper() == "CANCELLED"
    return not (transparent or cancelled)


def _interval(start: date, end: date, zone: ZoneInfo) -> Interval:
    first, last = _instant(start, zone), _instant(end, zone)
    return Interval(first, max(first, last))


def _instant(value: date, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating time: the provider's wall clock
            return local_to_utc(value.date(), value.time(), zone)
        return as_utc(value)
    return local_to_utc(value, time(0), zone)  # all-day: from local midnight
