"""Rosters from and to iCalendar (RFC 5545).

Import: every timed VEVENT is duty. Open-ended DAILY/WEEKLY rules are read back into the
explicit cycle (BRIEF §2: a 14-day pattern is one ``FREQ=DAILY;INTERVAL=14`` rule per work
day, EXDATE for swaps), so the roster keeps working past the feed's end. Everything else
(one-off events, bounded or irregular rules, moved occurrences) is expanded with
``recurring_ical_events`` over the import window into dated overrides.

Shift lengths are wall-clock (DTEND minus DTSTART as local times), matching the roster's DST
rule: a 19:00-07:00 event stays 19:00-07:00 on the night the clocks change.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from tenfour_scheduling.domain.errors import InvalidInput
from tenfour_scheduling.domain.roster import (
    MAX_CYCLE_DAYS,
    MAX_SHIFT_LENGTH,
    OFF,
    Override,
    OverrideKind,
    Roster,
    ShiftDefinition,
    ShiftKind,
    classify_shift_kind,
)
from tenfour_scheduling.domain.roster_ics_cycle import (
    KIND,
    LETTER,
    cycle_of,
    cycle_rules,
    declared_kind,
    rule_exceptions,
    to_local,
    wall_length,
)
from tenfour_shared.calendar.errors import IcsError
from tenfour_shared.calendar.ics_read import read_calendar
from tenfour_shared.timeline import Interval, load_zone

__all__ = ["RosterImport", "export_roster_ics", "import_roster_ics"]


@dataclass(frozen=True, slots=True)
class RosterImport:
    roster: Roster
    cycle_rules: int  # recurring events read back as cycle positions
    dated_duties: int  # occurrences inside the window kept as dated overrides
    notes: tuple[str, ...]  # what was ignored, in words for the officer


def import_roster_ics(data: str | bytes, *, window: Interval, zone: str | None = None) -> RosterImport:
    """A roster from a calendar file; one-off duty is kept where it overlaps ``window``."""
    try:
        calendar = read_calendar(data)
    except IcsError as exc:
        raise InvalidInput.single("ics", f"not an iCalendar file: {exc}") from None
    tz = _zone(calendar, zone)
    notes: list[str] = []
    masters: list[icalendar.Event] = []
    moved: dict[str, list[icalendar.Event]] = {}
    for event in calendar.events:
        try:
            if not isinstance(event.start, datetime):
                notes.append(f"all-day event {_title(event)!r} on {event.start} is not a duty time")
                continue
        except ValueError as exc:
            notes.append(f"event {_title(event)!r} has no usable start: {exc}")
            continue
        if event.RECURRENCE_ID is not None:
            moved.setdefault(event.uid, []).append(event)
        else:
            masters.append(event)

    rules, period, anchor = cycle_rules(masters, tz, notes)
    overrides: list[Override] = []
    definitions: dict[str, ShiftDefinition] = {}
    first_day = window.start.astimezone(tz).date()
    cycle = OFF
    if not rules:
        anchor = first_day
    else:
        cycle, definitions = cycle_of(rules, period)
        for rule in rules:
            overrides.extend(rule_exceptions(rule, anchor, tz, moved.pop(rule.event.uid, [])))
        if anchor > first_day:  # a cycle has no past: nothing is rostered before the feed starts
            last = min(anchor - timedelta(days=1), first_day + timedelta(days=MAX_CYCLE_DAYS))
            overrides.append(Override(kind=OverrideKind.SWAP_OUT, day=first_day, through=last))
    in_cycle = {id(r.event) for r in rules}
    dated = [e for e in masters if id(e) not in in_cycle] + [e for events in moved.values() for e in events]
    duties = _expand(dated, calendar, window, tz, notes)
    overrides.extend(duties)
    try:
        roster = Roster(
            definitions=definitions, cycle=cycle, anchor=anchor, zone=tz.key, overrides=tuple(overrides)
        )
    except InvalidInput as exc:
        raise exc.prefixed("ics") from None
    return RosterImport(roster, len(rules), len(duties), tuple(notes))


def _zone(calendar: icalendar.Calendar, name: str | None) -> ZoneInfo:
    if name is not None:
        try:
            return load_zone(name)
        except ValueError as exc:
            raise InvalidInput.single("zone", str(exc)) from None
    declared = calendar.get("X-WR-TIMEZONE")
    if declared is not None:
        try:
            return load_zone(str(declared))
        except ValueError:
            pass
    for event in calendar.events:
        with contextlib.suppress(ValueError):
            tzinfo = getattr(event.start, "tzinfo", None)
            if isinstance(tzinfo, ZoneInfo) and tzinfo.key != "UTC":
                return tzinfo
    raise InvalidInput.single("zone", "the calendar names no IANA timezone; give the roster's zone")


def _title(event: icalendar.Event) -> str:
    return str(event.get("SUMMARY", "")) or "untitled"


def _expand(
    events: list[icalendar.Event],
    calendar: icalendar.Calendar,
    window: Interval,
    tz: ZoneInfo,
    notes: list[str],
) -> list[Override]:
    if not events:
        return []
    sub = icalendar.Calendar()
    for component in calendar.walk("VTIMEZONE"):
        sub.add_component(component)
    for event in events:
        sub.add_component(event)
    out: list[Override] = []
    skipped = 0
    for occurrence in recurring_ical_events.of(sub).between(window.start, window.end):
        if str(occurrence.status).upper() == "CANCELLED" or not isinstance(occurrence.start, datetime):
            continue
        start, length = to_local(occurrence.start, tz), wall_length(occurrence, tz)
        if not timedelta(0) < length <= MAX_SHIFT_LENGTH:
            skipped += 1
            continue
        out.append(
            Override(
                kind=_kind_from_text(occurrence),
                day=start.date(),
                start=start.time(),
                length=length,
                shift_kind=declared_kind(occurrence),
            )
        )
    if skipped:
        notes.append(f"{skipped} event(s) longer than 24 h or without length are not shifts and were ignored")
    return out


def _kind_from_text(event: icalendar.Event) -> OverrideKind:
    text = " ".join([_title(event), *map(str, event.categories)]).lower()
    words = set(text.replace("-", " ").replace("/", " ").split())
    if "court" in text:
        return OverrideKind.COURT
    if "training" in text:
        return OverrideKind.TRAINING
    if "overtime" in text or "ot" in words:
        return OverrideKind.OVERTIME
    if "swap" in text:
        return OverrideKind.SWAP_IN
    return OverrideKind.SHIFT


def export_roster_ics(roster: Roster, *, since: date | None = None) -> bytes:
    """The roster as BRIEF §2 prescribes: one ``FREQ=DAILY;INTERVAL=<cycle>`` rule per work
    day of the cycle starting on or after ``since`` (default: the anchor), EXDATE for
    cancelled days, and one event per added duty."""
    tz = load_zone(roster.zone)
    first_day = since or roster.anchor
    period = len(roster.cycle)
    cancelled = sorted({d for ov in roster.overrides for d in ov.cancelled_days() if d >= first_day})
    calendar = icalendar.Calendar.new(prodid="-//Tenfour//Roster//EN")
    calendar.add("X-WR-TIMEZONE", roster.zone)
    for i in range(period):
        day = first_day + timedelta(days=i)
        letter = roster.letter_on(day)
        if letter == OFF:
            continue
        shift = roster.definitions[letter]
        event = _duty_event(f"cycle-{i}-{letter}", day, shift.start, shift.length, shift.kind, tz)
        event.add("SUMMARY", f"{shift.kind.value.capitalize()} shift ({letter})")
        event.add("RRULE", {"FREQ": "DAILY", "INTERVAL": period})
        event.add(LETTER, letter)
        skipped = [d for d in cancelled if (d - day).days % period == 0]
        if skipped:
            event.add("EXDATE", [datetime.combine(d, shift.start, tz) for d in skipped])
        calendar.add_component(event)
    for n, ov in enumerate(roster.overrides):
        if ov.start is None or ov.length is None:
            continue
        kind = ov.shift_kind or classify_shift_kind(ov.start)
        event = _duty_event(f"override-{n}", ov.day, ov.start, ov.length, kind, tz)
        event.add("SUMMARY", ov.kind.value.replace("_", " ").capitalize())
        event.add("CATEGORIES", [ov.kind.value])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _duty_event(
    uid: str, day: date, start: time, length: timedelta, kind: ShiftKind, tz: ZoneInfo
) -> icalendar.Event:
    begin = datetime.combine(day, start)
    event = icalendar.Event.new(
        uid=f"{uid}@tenfour", start=begin.replace(tzinfo=tz), end=(begin + length).replace(tzinfo=tz)
    )
    event.add(KIND, kind.value)
    return event
