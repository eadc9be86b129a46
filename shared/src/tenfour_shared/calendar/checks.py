"""Rule-set checks that span several fields: window length against sessions, and overlaps.

Overlapping windows are rejected rather than merged: an overlap is nearly always a typing
mistake (09:00-17:00 and 13:00-21:00 meant 17:00-21:00), and it would leave it unclear which
session types the shared time offers. Adjacent windows (12:00 end, 12:00 start) are fine.
Overlap is judged in wall-clock minutes, including overnight windows spilling into the next day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from tenfour_shared.calendar.sessions import SessionSettings, SessionType, describe

if TYPE_CHECKING:
    from tenfour_shared.calendar.errors import Loc
    from tenfour_shared.calendar.rules import RuleSet
    from tenfour_shared.calendar.windows import Window

__all__ = ["cross_check"]

_DAY = 24 * 60
_WEEK = 7 * _DAY


@dataclass(frozen=True, slots=True)
class _Placed:
    """A window laid out on a minute axis so overlaps are plain comparisons."""

    loc: Loc
    label: str
    start: int
    end: int

    def overlaps(self, other: _Placed, shift: int = 0) -> bool:
        return self.start < other.end + shift and other.start + shift < self.end


def cross_check(rules: RuleSet) -> list[tuple[Loc, str]]:
    settings: dict[SessionType, SessionSettings] = {}
    errors: list[tuple[Loc, str]] = []
    for i, s in enumerate(rules.sessions):
        if s.session_type in settings:
            first = next(j for j, t in enumerate(rules.sessions) if t.session_type is s.session_type)
            errors.append(
                (
                    ("sessions", i, "session_type"),
                    f"{s.session_type} already has settings at sessions[{first}]",
                )
            )
        settings.setdefault(s.session_type, s)
    for i, w in enumerate(rules.weekly):
        errors.extend(_window_fits(("weekly", i), w, settings))
    for i, o in enumerate(rules.overrides):
        for k, ow in enumerate(o.windows):
            errors.extend(_window_fits(("overrides", i, "windows", k), ow, settings))
    errors.extend(_weekly_overlaps(rules))
    errors.extend(_override_problems(rules))
    return errors


def _window_fits(
    loc: Loc, window: Window, settings: dict[SessionType, SessionSettings]
) -> Iterator[tuple[Loc, str]]:
    for t in window.offers:
        if t not in settings:
            yield (*loc, "offers"), f"offers {t}, but sessions has no settings for {t}"
    offered = [settings[t] for t in window.offers if t in settings]
    if not offered:
        return
    shortest = min(offered, key=lambda s: s.footprint)
    length = timedelta(minutes=window.wall_minutes)
    if length < shortest.footprint:
        buffers = shortest.buffer_before + shortest.buffer_after
        needs = describe(shortest.duration) + (f" plus {describe(buffers)} of buffers" if buffers else "")
        yield (
            (*loc, "end"),
            f"window {window.label} lasts {describe(length)}, shorter than the shortest session it "
            f"offers ({shortest.session_type}: {needs})",
        )


def _place(loc: Loc, label: str, window: Window, day_offset: int) -> _Placed:
    start = day_offset + window.start.hour * 60 + window.start.minute
    return _Placed(loc, label, start, start + window.wall_minutes)


def _weekly_overlaps(rules: RuleSet) -> Iterator[tuple[Loc, str]]:
    placed = [
        _place(("weekly", i), f"weekly[{i}] ({w.label})", w, (w.weekday - 1) * _DAY)
        for i, w in enumerate(rules.weekly)
    ]
    for j, later in enumerate(placed):
        for earlier in placed[:j]:
            # The week is a cycle: Sunday night windows run into Monday morning.
            if any(earlier.overlaps(later, shift) for shift in (-_WEEK, 0, _WEEK)):
                yield later.loc, _overlap_message(rules.weekly[j].label, earlier.label)


def _effective(rules: RuleSet, index: dict[date, int], day: date, offset: int) -> list[_Placed]:
    """Windows starting on ``day`` (its override's, else weekly), placed ``offset`` minutes along."""
    if day in index:
        i = index[day]
        override = rules.overrides[i]
        return [
            _place(
                ("overrides", i, "windows", k), f"overrides[{i}].windows[{k}] ({day} {w.label})", w, offset
            )
            for k, w in enumerate(override.windows)
        ]
    return [
        _place(("weekly", i), f"weekly[{i}] ({w.label} on {day})", w, offset)
        for i, w in enumerate(rules.weekly)
        if w.weekday == day.isoweekday()
    ]


def _override_problems(rules: RuleSet) -> Iterator[tuple[Loc, str]]:
    first_seen: dict[date, int] = {}
    for i, o in enumerate(rules.overrides):
        first_seen.setdefault(o.day, i)
    one_day = timedelta(days=1)
    for i, o in enumerate(rules.overrides):
        if first_seen[o.day] != i:
            yield (
                ("overrides", i, "day"),
                f"{o.day} already has an override at overrides[{first_seen[o.day]}]",
            )
            continue
        own = _effective(rules, first_seen, o.day, 0)
        # The previous day's overnight windows spill in; ours spill into the next day, which is
        # checked here only when it has no override of its own (otherwise that override checks us).
        neighbours = _effective(rules, first_seen, o.day - one_day, -_DAY)
        if o.day + one_day not in first_seen:
            neighbours += _effective(rules, first_seen, o.day + one_day, _DAY)
        for k, placed in enumerate(own):
            label = f"{o.day} {o.windows[k].label}"
            for other in [*own[:k], *neighbours]:
                if placed.overlaps(other):
                    yield placed.loc, _overlap_message(label, other.label)


def _overlap_message(label: str, other: str) -> str:
    return (
        f"window {label} overlaps {other}; overlapping windows are rejected because it would be unclear "
        "which sessions the shared time offers: merge them or make them adjacent"
    )
