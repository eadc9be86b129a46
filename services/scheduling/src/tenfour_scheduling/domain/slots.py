"""Shift-aware slot search: when can this officer meet which provider, best first.

A slot must lie in the officer's off-duty windows (fatigue policy), in the provider's free
time (for a peer also in *their* off-duty windows), clear of both sides' bookings with the
provider's buffers, after the provider's notice, inside the horizon, and start on a local
date where neither the officer's daily limit nor the provider's caps are reached.

Ranking: continuity with the current provider, then (if the officer asked) days off, then
the officer's preferred hours, then rest quality, then the earliest start.

Valid starts are handled as runs: maximal stretches of grid times sharing one rank key, so
the cost grows with the number of windows, not with the number of 15-minute steps, and
only the returned slots are materialised.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import IntEnum, StrEnum

from tenfour_scheduling.domain.booking_rules import capped_days, local_day, officer_busy, provider_busy
from tenfour_scheduling.domain.errors import DomainValidationError, FieldViolation
from tenfour_scheduling.domain.fatigue import (
    FatiguePolicy,
    OffDutyResult,
    off_duty_from_shifts,
    off_duty_windows,
)
from tenfour_scheduling.domain.preferences import (
    OfficerPreferences,
    days_before_night_blocks,
    preferred_intervals,
)
from tenfour_scheduling.domain.providers import (
    Officer,
    ProviderKind,
    ProviderOffer,
    SessionOffer,
    SlotFilters,
)
from tenfour_scheduling.domain.rest import RestContext, RestTimeline, format_span
from tenfour_scheduling.domain.rotation import Roster, shifts
from tenfour_shared.timeline import Interval, intersect, load_zone, local_to_utc, merge, subtract

__all__ = [
    "DEFAULT_HORIZON",
    "DEFAULT_LIMIT",
    "DEFAULT_STEP",
    "MAX_HORIZON",
    "EmptyReason",
    "Slot",
    "SlotSearchResult",
    "find_slots",
    "validate_search",
]

DEFAULT_HORIZON = timedelta(days=14)
MAX_HORIZON = timedelta(days=90)
DEFAULT_STEP = timedelta(minutes=15)
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
_STEPS_MINUTES = (5, 10, 15, 20, 30, 60)
_DAY = timedelta(days=1)
_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class EmptyReason(StrEnum):
    NO_OFFERS = "no_offers"
    NO_FILTER_MATCH = "no_filter_match"
    NO_OFF_DUTY_TIME = "no_off_duty_time"
    NO_OVERLAP = "no_overlap"
    TOO_SHORT = "too_short"
    FULLY_BOOKED = "fully_booked"
    DAYS_TAKEN = "days_taken"
    NO_GRID_START = "no_grid_start"


class _Stage(IntEnum):
    """How far a provider got before every candidate was gone (higher = closer to a slot)."""

    NO_OVERLAP = 1
    TOO_SHORT = 2
    FULLY_BOOKED = 3
    DAYS_TAKEN = 4
    NO_GRID_START = 5
    FOUND = 6


@dataclass(frozen=True, slots=True)
class Slot:
    provider_id: str
    provider_kind: ProviderKind
    start: datetime  # UTC
    end: datetime  # UTC
    local_start: datetime  # in the officer's zone
    local_end: datetime
    rest: RestContext
    continuity: bool  # with the officer's current provider
    preferred_hours: bool  # inside the officer's preferred hours (True when none are set)
    reason: str  # e.g. "day off, 5 h after waking; within your preferred hours"


@dataclass(frozen=True, slots=True)
class SlotSearchResult:
    slots: tuple[Slot, ...]  # best first, at most ``limit``
    candidates: int  # every valid start found, before the limit
    window: Interval
    empty_reason: EmptyReason | None
    message: str  # why nothing was found; "" when slots were found


@dataclass(frozen=True, slots=True)
class _Run:
    """Grid starts ``first + i * step`` for ``i < count`` of one provider, one rank key."""

    key: tuple[int, ...]
    first_us: int
    count: int
    offer: ProviderOffer


def validate_search(
    *,
    horizon: timedelta,
    now: datetime,
    step: timedelta,
    limit: int,
    session_type: str,
    offers: Sequence[ProviderOffer],
) -> None:
    problems: list[FieldViolation] = []
    if horizon <= timedelta(0):
        problems.append(FieldViolation("horizon", "horizon must be positive"))
    elif horizon > MAX_HORIZON:
        problems.append(
            FieldViolation(
                "horizon", f"horizon of {horizon / _DAY:g} days is over the {MAX_HORIZON.days}-day maximum"
            )
        )
    if now.tzinfo is None or now.utcoffset() is None:
        problems.append(FieldViolation("now", "now must carry a timezone"))
    if step % timedelta(minutes=1) or step // timedelta(minutes=1) not in _STEPS_MINUTES:
        allowed = ", ".join(map(str, _STEPS_MINUTES))
        problems.append(FieldViolation("step", f"step must be one of {allowed} minutes"))
    if not 1 <= limit <= MAX_LIMIT:
        problems.append(FieldViolation("limit", f"limit must be between 1 and {MAX_LIMIT}"))
    if not session_type.strip():
        problems.append(FieldViolation("session_type", "session type must not be empty"))
    seen: set[str] = set()
    for i, offer in enumerate(offers):
        if offer.provider_id in seen:
            problems.append(
                FieldViolation(f"offers[{i}].provider_id", f"duplicate provider id {offer.provider_id!r}")
            )
        seen.add(offer.provider_id)
    if problems:
        raise DomainValidationError(problems)


def find_slots(
    officer: Officer,
    officer_roster: Roster,
    policy: FatiguePolicy,
    preferences: OfficerPreferences,
    offers: Sequence[ProviderOffer],
    session_type: str,
    filters: SlotFilters,
    *,
    now: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
    officer_bookings: Sequence[Interval] = (),
    step: timedelta = DEFAULT_STEP,
    limit: int = DEFAULT_LIMIT,
) -> SlotSearchResult:
    """Ranked slots in ``[now, now + horizon)``; an empty result carries its reason."""
    validate_search(
        horizon=horizon, now=now, step=step, limit=limit, session_type=session_type, offers=offers
    )
    window = Interval(now.astimezone(UTC), now.astimezone(UTC) + horizon)
    search = _OfficerSide(officer, officer_roster, policy, preferences, window, officer_bookings, step)

    def empty(reason: EmptyReason, message: str) -> SlotSearchResult:
        return SlotSearchResult((), 0, window, reason, message)

    offered = [o for o in offers if session_type in o.sessions]
    if not offered:
        return empty(EmptyReason.NO_OFFERS, f"no provider offers {session_type!r} sessions")
    matching = [o for o in offered if filters.matches(o, officer)]
    if not matching:
        return empty(EmptyReason.NO_FILTER_MATCH, f"no provider matches the filters: {filters.describe()}")
    if not search.off_duty.windows:
        days = horizon / _DAY
        return empty(
            EmptyReason.NO_OFF_DUTY_TIME, f"no off-duty time in the next {days:g} days fits the rest rules"
        )

    runs: list[_Run] = []
    furthest = _Stage.NO_OVERLAP
    for offer in matching:
        stage = search.provider_runs(offer, offer.sessions[session_type], runs)
        furthest = max(furthest, stage)
    if not runs:
        return empty(_EMPTY[furthest][0], _EMPTY[furthest][1].format(step=format_span(step)))
    chosen = _best(runs, limit, search.step_us)
    slots = tuple(search.slot(run, start_us, session_type) for run, start_us in chosen)
    return SlotSearchResult(slots, sum(r.count for r in runs), window, None, "")


_EMPTY = {
    _Stage.NO_OVERLAP: (
        EmptyReason.NO_OVERLAP,
        "providers match but no off-duty window overlaps their hours",
    ),
    _Stage.TOO_SHORT: (
        EmptyReason.TOO_SHORT,
        "providers' hours overlap your off-duty windows, but never long enough for a session",
    ),
    _Stage.FULLY_BOOKED: (
        EmptyReason.FULLY_BOOKED,
        "matching providers are booked, need more notice, or reached their daily or weekly limit "
        "in the times that fit",
    ),
    _Stage.DAYS_TAKEN: (
        EmptyReason.DAYS_TAKEN,
        "the days that fit already have your session, or are days you avoid before a night block",
    ),
    _Stage.NO_GRID_START: (
        EmptyReason.NO_GRID_START,
        "openings exist but none fits a session on the {step} grid",
    ),
}


def _best(runs: list[_Run], limit: int, step_us: int) -> list[tuple[_Run, int]]:
    """The ``limit`` smallest (key, start, provider) over all runs, by a k-way merge."""
    heap = [(run.key, run.first_us, run.offer.provider_id, idx, 0) for idx, run in enumerate(runs)]
    heapq.heapify(heap)
    out: list[tuple[_Run, int]] = []
    while heap and len(out) < limit:
        key, start_us, provider_id, idx, i = heapq.heappop(heap)
        out.append((runs[idx], start_us))
        if i + 1 < runs[idx].count:
            heapq.heappush(heap, (key, start_us + step_us, provider_id, idx, i + 1))
    return out


class _OfficerSide:
    """Everything about the officer computed once per search."""

    def __init__(
        self,
        officer: Officer,
        roster: Roster,
        policy: FatiguePolicy,
        preferences: OfficerPreferences,
        window: Interval,
        bookings: Sequence[Interval],
        step: timedelta,
    ) -> None:
        self.officer, self.policy, self.preferences, self.window = officer, policy, preferences, window
        self.bookings = tuple(bookings)  # not merged: touching sessions still count twice per day
        self.zone = load_zone(roster.zone)
        reach = policy.reach()
        self.off_duty: OffDutyResult = off_duty_from_shifts(
            shifts(roster, window.expand(reach, reach)), policy, window
        )
        first = window.start.astimezone(self.zone).date()
        last = window.end.astimezone(self.zone).date()
        # Starts are excluded on local dates with the officer's daily limit reached, and on
        # the days before night blocks if the officer asked to avoid them.
        excluded = capped_days(self.bookings, self.zone, policy.max_sessions_per_day)
        if preferences.avoid_day_before_night_block:
            excluded += [local_day(d, self.zone) for d in days_before_night_blocks(self.off_duty.duty)]
        self.excluded_starts = merge(excluded)
        self.preferred = (
            preferred_intervals(preferences.preferred_hours, first, last, self.zone)
            if preferences.preferred_hours
            else None
        )
        self._preferred_starts: dict[timedelta, list[Interval]] = {}  # by session duration
        self.rest = RestTimeline(self.off_duty.duty, self.zone, first, last, preferences.usual_wake_time)
        # Starts lie on a grid anchored at local midnight, so they read :00/:15/:30/:45.
        self.origin_us = _to_us(local_to_utc(first, time(0), self.zone))
        self.step_us = step // _US

    def provider_runs(self, offer: ProviderOffer, session: SessionOffer, runs: list[_Run]) -> _Stage:
        """Append the provider's runs; return how far it got when none were found."""
        duration = session.duration
        free = intersect(session.free, self.off_duty.windows)
        if offer.roster is not None and offer.kind is ProviderKind.PEER:
            free = intersect(free, off_duty_windows(offer.roster, self.policy, self.window).windows)
        if not free:
            return _Stage.NO_OVERLAP
        fitting = [iv for iv in free if iv.duration >= duration]
        if not fitting:
            return _Stage.TOO_SHORT
        earliest = self.window.start + session.min_notice
        blocked = [
            *provider_busy(session, offer.bookings),
            *officer_busy(session, self.bookings),
            Interval(self.window.start, earliest),
        ]
        unbooked = _start_sets(subtract(fitting, blocked), duration)
        capped = capped_days(
            offer.bookings, load_zone(offer.timezone), session.max_per_day, session.max_per_week
        )
        starts = subtract(unbooked, [*capped, *self.excluded_starts])
        if not starts:
            # Only when nothing is left is it worth finding out whose days ran out.
            return _Stage.DAYS_TAKEN if subtract(unbooked, capped) else _Stage.FULLY_BOOKED
        before = len(runs)
        continuity = 0 if offer.provider_id == self.officer.current_provider_id else 1
        for part, preferred in self._preferred_split(starts, duration):
            for segment, context in self.rest.segments(part):
                first_us, count = self._grid(segment)
                if count:
                    runs.append(_Run(self._key(continuity, preferred, context), first_us, count, offer))
        return _Stage.NO_GRID_START if len(runs) == before else _Stage.FOUND

    def _preferred_split(self, starts: list[Interval], duration: timedelta) -> list[tuple[Interval, bool]]:
        if self.preferred is None:
            return [(iv, True) for iv in starts]
        inside = self._preferred_starts.get(duration)
        if inside is None:
            inside = self._preferred_starts[duration] = _start_sets(self.preferred, duration)
        return [(iv, True) for iv in intersect(starts, inside)] + [
            (iv, False) for iv in subtract(starts, inside)
        ]

    def _key(self, continuity: int, preferred: bool, context: RestContext) -> tuple[int, ...]:
        day_off = 0 if context is RestContext.DAY_OFF or not self.preferences.prefer_days_off else 1
        return (continuity, day_off, 0 if preferred else 1, context.rank)

    def _grid(self, span: Interval) -> tuple[int, int]:
        lo, hi = _to_us(span.start), _to_us(span.end)
        first = self.origin_us + -(-(lo - self.origin_us) // self.step_us) * self.step_us
        return first, (0 if first >= hi else (hi - 1 - first) // self.step_us + 1)

    def slot(self, run: _Run, start_us: int, session_type: str) -> Slot:
        start = _EPOCH + timedelta(microseconds=start_us)
        end = start + run.offer.sessions[session_type].duration
        context, phrase = self.rest.describe(start)
        preferred = self.preferred is None or any(p.contains(Interval(start, end)) for p in self.preferred)
        continuity = run.offer.provider_id == self.officer.current_provider_id
        extras = [
            phrase,
            *(["within your preferred hours"] if self.preferred is not None and preferred else []),
            *(["your current provider"] if continuity else []),
        ]
        return Slot(
            provider_id=run.offer.provider_id,
            provider_kind=run.offer.kind,
            start=start,
            end=end,
            local_start=start.astimezone(self.zone),
            local_end=end.astimezone(self.zone),
            rest=context,
            continuity=continuity,
            preferred_hours=preferred,
            reason="; ".join(extras),
        )


def _start_sets(windows: Sequence[Interval], duration: timedelta) -> list[Interval]:
    """Valid starts of a ``duration`` session inside ``windows``: the closed set [a, b - d],
    written half-open as [a, b - d + 1 µs) so the shared half-open algebra applies (datetimes
    have µs resolution, so this is exact)."""
    return [Interval(w.start, w.end - duration + _US) for w in windows if w.duration >= duration]


def _to_us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US
