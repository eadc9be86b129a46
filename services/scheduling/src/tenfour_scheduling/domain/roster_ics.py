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
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from tenfour_scheduling.domain.errors import DomainValidationError
from tenfour_scheduling.domain.rotation import (
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
from tenfour_shared.timeline import Interval, load_zone

__all__ = ["RosterImport", "export_roster_ics", "import_roster_ics"]

_LETTER = "X-TENFOUR-LETTER"  # written on export so a round trip keeps the officer's letters
_KIND = "X-TENFOUR-KIND"
_SPARE_LETTERS = "ABCEFGHIJKLMOPQRTUVWXYZ"
_DEFAULT_LETTER = {ShiftKind.DAY: "D", ShiftKind.SWING: "S", ShiftKind.NIGHT: "N"}
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


@dataclass(frozen=True, slots=True)
class RosterImport:
    roster: Roster
    cycle_rules: int  # recurring events read back as cycle positions
    dated_duties: int  # occurrences inside the window kept as dated overrides
    notes: tuple[str, ...]  # what was ignored, in words for the officer


@dataclass(slots=True)
class _Rule:
    """An open-ended rule that fits the cycle: its duty and its day offsets in one period."""

    event: icalendar.Event
    first: datetime  # local
    length: timedelta
    kind: ShiftKind
    period: int
    days: list[int]  # days after ``first``'s date, within one period
    letter: str | None = None
    offsets: set[int] = field(default_factory=set)


def import_roster_ics(data: str | bytes, *, window: Interval, zone: str | None = None) -> RosterImport:
    """A roster from a calendar file; one-off duty is kept where it overlaps ``window``."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise DomainValidationError.single("ics", f"not an iCalendar file: {exc}") from None
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

    rules, period, anchor = _cycle_rules(masters, tz, notes)
    overrides: list[Override] = []
    definitions: dict[str, ShiftDefinition] = {}
    first_day = window.start.astimezone(tz).date()
    cycle = OFF
    if not rules:
        anchor = first_day
    else:
        cycle, definitions = _cycle(rules, period)
        for rule in rules:
            overrides.extend(_rule_exceptions(rule, anchor, tz, moved.pop(rule.event.uid, [])))
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
    except DomainValidationError as exc:
        raise exc.prefixed("ics") from None
    return RosterImport(roster, len(rules), len(duties), tuple(notes))


def _zone(calendar: icalendar.Calendar, name: str | None) -> ZoneInfo:
    if name is not None:
        try:
            return load_zone(name)
        except ValueError as exc:
            raise DomainValidationError.single("zone", str(exc)) from None
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
    raise DomainValidationError.single("zone", "the calendar names no IANA timezone; give the roster's zone")


def _local(moment: date | datetime, tz: ZoneInfo) -> datetime:
    """Naive local wall time; floating times are taken as already local."""
    if not isinstance(moment, datetime):  # callers skip all-day events first
        raise ValueError(f"{moment} is a date, not a time")
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)


def _wall_length(event: icalendar.Event, tz: ZoneInfo) -> timedelta:
    if event.get("DTEND") is None and event.get("DURATION") is not None:
        return event.duration
    return _local(event.end, tz) - _local(event.start, tz)


def _title(event: icalendar.Event) -> str:
    return str(event.get("SUMMARY", "")) or "untitled"


def _declared_kind(event: icalendar.Event) -> ShiftKind | None:
    value = str(event.get(_KIND, "")).strip().lower()
    return ShiftKind(value) if value in ShiftKind.__members__.values() else None


def _cycle_rules(
    masters: Iterable[icalendar.Event], tz: ZoneInfo, notes: list[str]
) -> tuple[list[_Rule], int, date]:
    """The open-ended rules that can be read as one shared cycle (others stay dated), the
    cycle length and its anchor (the earliest first occurrence)."""
    rules: list[_Rule] = []
    for event in masters:
        rrules = event.rrules
        # Without a UID its moved occurrences cannot be told apart: expand it as dated duty.
        if len(rrules) != 1 or not event.uid or str(event.status).upper() == "CANCELLED":
            continue
        shape = _periodic(rrules[0], _local(event.start, tz))
        length = _wall_length(event, tz)
        if shape is None or not timedelta(0) < length <= MAX_SHIFT_LENGTH:
            continue
        first = _local(event.start, tz)
        kind = _declared_kind(event) or classify_shift_kind(first.time())
        rules.append(_Rule(event, first, length, kind, shape[0], shape[1]))
    if not rules:
        return [], 0, date.min
    period = math.lcm(*(r.period for r in rules))
    anchor = min(r.first.date() for r in rules)
    shapes = {(r.first.time(), r.length, r.kind) for r in rules}
    if (
        period > MAX_CYCLE_DAYS
        or len(shapes) > 26
        or any((r.first.date() - anchor).days >= period for r in rules)
    ):
        notes.append("recurring duty does not form one repeating cycle; kept as dated duty in the window")
        return [], 0, date.min
    taken: set[int] = set()
    kept: list[_Rule] = []
    for rule in rules:
        base = (rule.first.date() - anchor).days
        offsets = {
            (base + d + k * rule.period) % period for d in rule.days for k in range(period // rule.period)
        }
        if offsets & taken:  # two duties a day cannot share one cycle letter: keep it dated
            continue
        taken |= offsets
        rule.offsets = offsets
        kept.append(rule)
    return kept, period, anchor


def _periodic(rule: icalendar.vRecur, first: datetime) -> tuple[int, list[int]] | None:
    """(period in days, day offsets from ``first``) for an open DAILY/WEEKLY rule, else None."""
    parts = {k.upper(): v for k, v in rule.items()}
    freq = str(parts.pop("FREQ", [""])[0]).upper()
    interval = int(parts.pop("INTERVAL", [1])[0])
    byday = [str(d).upper() for d in parts.pop("BYDAY", [])]
    week_start = str(parts.pop("WKST", ["MO"])[0]).upper()
    if parts or interval < 1:  # COUNT, UNTIL, BYMONTH...: not an endless fixed cycle
        return None
    if freq == "DAILY" and not byday:
        return interval, [0]
    if freq == "WEEKLY" and all(d in _WEEKDAYS for d in byday) and (week_start == "MO" or interval == 1):
        period = 7 * interval
        weekdays = sorted({_WEEKDAYS[d] for d in byday} or {first.weekday()})
        # Days of DTSTART's (Monday-based) week before DTSTART fall to the next repetition.
        return period, [(w - first.weekday()) % period for w in weekdays]
    return None


def _cycle(rules: list[_Rule], period: int) -> tuple[str, dict[str, ShiftDefinition]]:
    definitions: dict[str, ShiftDefinition] = {}
    by_shape: dict[tuple[time, timedelta, ShiftKind], str] = {}
    for rule in sorted(rules, key=lambda r: (list(ShiftKind).index(r.kind), r.first.time())):
        shape = (rule.first.time(), rule.length, rule.kind)
        letter = by_shape.get(shape)
        if letter is None:
            wanted = str(rule.event.get(_LETTER, "")).strip()
            candidates = [wanted, _DEFAULT_LETTER[rule.kind], *_SPARE_LETTERS]
            letter = next(c for c in candidates if len(c) == 1 and "A" <= c <= "Z" and c not in definitions)
            definitions[letter] = ShiftDefinition(start=shape[0], length=shape[1], kind=shape[2])
            by_shape[shape] = letter
        rule.letter = letter
    cells = [OFF] * period
    for rule in rules:
        for offset in rule.offsets:
            cells[offset] = rule.letter or OFF
    return "".join(cells), definitions


def _rule_exceptions(rule: _Rule, anchor: date, tz: ZoneInfo, moved: list[icalendar.Event]) -> list[Override]:
    """EXDATE and moved or cancelled occurrences cancel a cycle day; RDATE, moved occurrences
    and a DTSTART off the pattern add duty on their own date (a moved one is classified by its
    new time)."""
    out: list[Override] = []
    cancelled = [*rule.event.exdates, *(e.RECURRENCE_ID for e in moved if e.RECURRENCE_ID is not None)]
    # The cycle holds from the anchor; a rule starting later has no duty before its DTSTART.
    cancelled += [d for o in rule.offsets if (d := anchor + timedelta(days=o)) < rule.first.date()]
    for moment in cancelled:
        day = _local(moment, tz).date() if isinstance(moment, datetime) else moment
        out.append(Override(kind=OverrideKind.SWAP_OUT, day=day))
    extra: list[tuple[date | datetime, timedelta, ShiftKind | None]] = [
        (start, rule.length, rule.kind) for start, _ in rule.event.rdates if isinstance(start, datetime)
    ]
    extra += [
        (e.start, _wall_length(e, tz), _declared_kind(e))
        for e in moved
        if str(e.status).upper() != "CANCELLED"
    ]
    if 0 not in rule.days:  # a DTSTART off the rule's weekdays still occurs once (RFC 5545)
        extra.append((rule.first, rule.length, rule.kind))
    for start, length, kind in extra:
        local = _local(start, tz)
        if timedelta(0) < length <= MAX_SHIFT_LENGTH:
            out.append(
                Override(
                    kind=OverrideKind.SWAP_IN,
                    day=local.date(),
                    start=local.time(),
                    length=length,
                    shift_kind=kind,
                )
            )
    return out


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
        start, length = _local(occurrence.start, tz), _wall_length(occurrence, tz)
        if not timedelta(0) < length <= MAX_SHIFT_LENGTH:
            skipped += 1
            continue
        out.append(
            Override(
                kind=_kind_from_text(occurrence),
                day=start.date(),
                start=start.time(),
                length=length,
                shift_kind=_declared_kind(occurrence),
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
        event.add(_LETTER, letter)
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
    event.add(_KIND, kind.value)
    return event
