"""Turn a rule set into concrete free UTC intervals per session type.

Each local date in range is walked once; its windows become UTC intervals through
timeline.local_to_utc (see rules.py for the DST semantics), and everything else is interval
algebra on UTC, so no offset is ever reused across dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tenfour_shared.calendar.errors import ExpansionRangeError
from tenfour_shared.calendar.rules import RuleSet
from tenfour_shared.calendar.sessions import SessionSettings, SessionType
from tenfour_shared.timeline import Interval, as_utc, intersect, load_zone, merge, subtract

__all__ = ["MAX_RANGE", "Availability", "check_range", "expand"]

# A year, leap years included; longer ranges are refused rather than silently truncated.
MAX_RANGE = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class Availability:
    """Free time of one provider within ``window``, per session type, sorted and disjoint."""

    provider_id: str
    version: int
    timezone: str
    window: Interval
    free: Mapping[SessionType, tuple[Interval, ...]]
    sessions: Mapping[SessionType, SessionSettings] = field(repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return load_zone(self.timezone)

    def free_for(self, session_type: SessionType) -> tuple[Interval, ...]:
        return self.free.get(session_type, ())

    def free_any(self) -> list[Interval]:
        """Free time offering at least one session type."""
        return merge(iv for intervals in self.free.values() for iv in intervals)


def check_range(window: Interval) -> None:
    if window.end <= window.start:
        raise ExpansionRangeError("end must be after start")
    if window.duration > MAX_RANGE:
        raise ExpansionRangeError(
            f"spans {window.duration.days} days; at most {MAX_RANGE.days} days can be expanded at once"
        )


def expand(
    rule_set: RuleSet,
    window: Interval,
    busy: Iterable[Interval] = (),
    now: datetime | None = None,
) -> Availability:
    """Free intervals in ``window`` after weekly rules, overrides, time off, busy time and ``now``.

    Time before ``now`` is never free; minimum notice is left to placement because a session's
    buffer before may legitimately fall inside the notice period.
    """
    check_range(window)
    window = _utc(window)
    zone = rule_set.zone
    lower = window.start if now is None else max(window.start, as_utc(now))
    bounds = [Interval(lower, window.end)] if lower < window.end else []
    # Only what touches the window: a year of time off need not be cut out of two weeks.
    blocked = merge(
        _utc(iv) for iv in [*busy, *(t.interval(zone) for t in rule_set.time_off)] if iv.overlaps(window)
    )
    offered = _offered(rule_set, zone, window)
    return Availability(
        provider_id=rule_set.provider_id,
        version=rule_set.version,
        timezone=rule_set.timezone,
        window=window,
        free={
            s.session_type: tuple(subtract(intersect(offered.get(s.session_type, []), bounds), blocked))
            for s in rule_set.sessions
        },
        sessions={s.session_type: s for s in rule_set.sessions},
    )


def _utc(interval: Interval) -> Interval:
    """Results carry UTC datetimes even when callers pass other aware ones."""
    return Interval(as_utc(interval.start), as_utc(interval.end))


def _offered(rule_set: RuleSet, zone: ZoneInfo, window: Interval) -> dict[SessionType, list[Interval]]:
    """UTC intervals of every window occurrence that can touch ``window``, per session type."""
    # Start a local day early: an overnight window from the evening before spills into range.
    day = window.start.astimezone(zone).date() - timedelta(days=1)
    last = window.end.astimezone(zone).date()
    out: dict[SessionType, list[Interval]] = {}
    while day <= last:
        for w in rule_set.windows_on(day):
            occurrence = w.occurrence(day, zone)
            if occurrence is None:
                continue
            for t in w.offers:
                out.setdefault(t, []).append(occurrence)
        day += timedelta(days=1)
    return out
