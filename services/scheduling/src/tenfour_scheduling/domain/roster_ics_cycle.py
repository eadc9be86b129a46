"""Open-ended DAILY/WEEKLY rules of an iCalendar roster read back into the explicit cycle
(BRIEF §2: a 14-day pattern is one ``FREQ=DAILY;INTERVAL=14`` rule per work day, EXDATE for
swaps), with wall-clock shift lengths (DTEND minus DTSTART as local times)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

from tenfour_scheduling.domain.roster import (
    MAX_CYCLE_DAYS,
    MAX_SHIFT_LENGTH,
    OFF,
    Override,
    OverrideKind,
    ShiftDefinition,
    ShiftKind,
    classify_shift_kind,
)

__all__ = [
    "KIND",
    "LETTER",
    "CycleRule",
    "cycle_of",
    "cycle_rules",
    "declared_kind",
    "rule_exceptions",
    "to_local",
    "wall_length",
]

LETTER = "X-TENFOUR-LETTER"  # written on export so a round trip keeps the officer's letters
KIND = "X-TENFOUR-KIND"
_SPARE_LETTERS = "ABCEFGHIJKLMOPQRTUVWXYZ"
_DEFAULT_LETTER = {ShiftKind.DAY: "D", ShiftKind.SWING: "S", ShiftKind.NIGHT: "N"}
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}


@dataclass(slots=True)
class CycleRule:
    """An open-ended rule that fits the cycle: its duty and its day offsets in one period."""

    event: icalendar.Event
    first: datetime  # local
    length: timedelta
    kind: ShiftKind
    period: int
    days: list[int]  # days after ``first``'s date, within one period
    letter: str | None = None
    offsets: set[int] = field(default_factory=set)


def to_local(moment: date | datetime, tz: ZoneInfo) -> datetime:
    """Naive local wall time; floating times are taken as already local."""
    if not isinstance(moment, datetime):  # callers skip all-day events first
        raise ValueError(f"{moment} is a date, not a time")
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)


def wall_length(event: icalendar.Event, tz: ZoneInfo) -> timedelta:
    if event.get("DTEND") is None and event.get("DURATION") is not None:
        return event.duration
    return to_local(event.end, tz) - to_local(event.start, tz)


def declared_kind(event: icalendar.Event) -> ShiftKind | None:
    value = str(event.get(KIND, "")).strip().lower()
    return ShiftKind(value) if value in ShiftKind.__members__.values() else None


def cycle_rules(
    masters: Iterable[icalendar.Event], tz: ZoneInfo, notes: list[str]
) -> tuple[list[CycleRule], int, date]:
    """The open-ended rules that can be read as one shared cycle (others stay dated), the
    cycle length and its anchor (the earliest first occurrence)."""
    rules: list[CycleRule] = []
    for event in masters:
        rrules = event.rrules
        # Without a UID its moved occurrences cannot be told apart: expand it as dated duty.
        if len(rrules) != 1 or not event.uid or str(event.status).upper() == "CANCELLED":
            continue
        shape = _periodic(rrules[0], to_local(event.start, tz))
        length = wall_length(event, tz)
        if shape is None or not timedelta(0) < length <= MAX_SHIFT_LENGTH:
            continue
        first = to_local(event.start, tz)
        kind = declared_kind(event) or classify_shift_kind(first.time())
        rules.append(CycleRule(event, first, length, kind, shape[0], shape[1]))
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
    kept: list[CycleRule] = []
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


def cycle_of(rules: list[CycleRule], period: int) -> tuple[str, dict[str, ShiftDefinition]]:
    definitions: dict[str, ShiftDefinition] = {}
    by_shape: dict[tuple[time, timedelta, ShiftKind], str] = {}
    for rule in sorted(rules, key=lambda r: (list(ShiftKind).index(r.kind), r.first.time())):
        shape = (rule.first.time(), rule.length, rule.kind)
        letter = by_shape.get(shape)
        if letter is None:
            wanted = str(rule.event.get(LETTER, "")).strip()
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


def rule_exceptions(
    rule: CycleRule, anchor: date, tz: ZoneInfo, moved: list[icalendar.Event]
) -> list[Override]:
    """EXDATE and moved or cancelled occurrences cancel a cycle day; RDATE, moved occurrences
    and a DTSTART off the pattern add duty on their own date (a moved one is classified by its
    new time)."""
    out: list[Override] = []
    cancelled = [*rule.event.exdates, *(e.RECURRENCE_ID for e in moved if e.RECURRENCE_ID is not None)]
    # The cycle holds from the anchor; a rule starting later has no duty before its DTSTART.
    cancelled += [d for o in rule.offsets if (d := anchor + timedelta(days=o)) < rule.first.date()]
    for moment in cancelled:
        day = to_local(moment, tz).date() if isinstance(moment, datetime) else moment
        out.append(Override(kind=OverrideKind.SWAP_OUT, day=day))
    extra: list[tuple[date | datetime, timedelta, ShiftKind | None]] = [
        (start, rule.length, rule.kind) for start, _ in rule.event.rdates if isinstance(start, datetime)
    ]
    extra += [
        (e.start, wall_length(e, tz), declared_kind(e)) for e in moved if str(e.status).upper() != "CANCELLED"
    ]
    if 0 not in rule.days:  # a DTSTART off the rule's weekdays still occurs once (RFC 5545)
        extra.append((rule.first, rule.length, rule.kind))
    for start, length, kind in extra:
        local = to_local(start, tz)
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
