"""Shift-aware slot search: when can this officer meet which provider, best first.

A slot must lie in the officer's off-duty windows (fatigue policy), in the provider's free
time (for a peer also in *their* off-duty windows), clear of both sides' bookings with the
provider's buffers, after the provider's notice, inside the horizon, and start on a local
date where neither the officer's daily limit nor the provider's caps are reached.

Ranking: continuity with the current provider, then (if the officer asked) days off, then
the officer's preferred hours, then rest quality, then the earliest start (then provider id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tenfour_scheduling.domain.errors import FieldViolation, InvalidInput
from tenfour_scheduling.domain.fatigue import FatiguePolicy
from tenfour_scheduling.domain.preferences import OfficerPreferences
from tenfour_scheduling.domain.providers import Officer, ProviderKind, ProviderOffer, SlotFilters
from tenfour_scheduling.domain.reasons import Reason, joined
from tenfour_scheduling.domain.rest import RestContext, format_span
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.slot_runs import Run, SearchSpace, Stage
from tenfour_shared.text import excerpt
from tenfour_shared.timeline import Interval

__all__ = [
    "DEFAULT_HORIZON",
    "DEFAULT_LIMIT",
    "DEFAULT_STEP",
    "MAX_HORIZON",
    "EmptyReason",
    "Slot",
    "SlotSearchResult",
    "find_slots",
    "make_slot",
    "validate_search",
]

DEFAULT_HORIZON = timedelta(days=14)
MAX_HORIZON = timedelta(days=90)
DEFAULT_STEP = timedelta(minutes=15)
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
_STEPS_MINUTES = (5, 10, 15, 20, 30, 60)
_DAY = timedelta(days=1)


class EmptyReason(StrEnum):
    NO_OFFERS = "no_offers"
    NO_FILTER_MATCH = "no_filter_match"
    NO_OFF_DUTY_TIME = "no_off_duty_time"
    NO_OVERLAP = "no_overlap"
    TOO_SHORT = "too_short"
    FULLY_BOOKED = "fully_booked"
    DAYS_TAKEN = "days_taken"
    NO_GRID_START = "no_grid_start"
    NO_LICENSED = "no_licensed"  # set by the service: the only clinicians are unlicensed here


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
    reasons: tuple[Reason, ...] = ()  # the same as codes with values, for clients to translate


@dataclass(frozen=True, slots=True)
class SlotSearchResult:
    slots: tuple[Slot, ...]  # best first, at most ``limit``
    candidates: int  # every valid start found, before the limit
    window: Interval
    empty_reason: EmptyReason | None
    message: str  # why nothing was found; "" when slots were found


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
                FieldViolation(
                    f"offers[{i}].provider_id", f"duplicate provider id {excerpt(offer.provider_id)}"
                )
            )
        seen.add(offer.provider_id)
    if problems:
        raise InvalidInput(problems)


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
    """Ranked slots for ``officer`` in ``[now, now + horizon)``, best first, at most ``limit``.

    ``offers`` are every candidate provider's offer; those without ``session_type`` or not
    matching ``filters`` are skipped. ``officer_bookings`` are the officer's existing sessions
    (any provider). Starts lie every ``step`` from the officer's local midnight. An empty
    result carries ``empty_reason`` and a message saying which stage ruled everything out;
    only invalid input raises (InvalidInput, e.g. a horizon over 90 days).
    """
    validate_search(
        horizon=horizon, now=now, step=step, limit=limit, session_type=session_type, offers=offers
    )
    window = Interval(now.astimezone(UTC), now.astimezone(UTC) + horizon)

    def empty(reason: EmptyReason, message: str) -> SlotSearchResult:
        return SlotSearchResult((), 0, window, reason, message)

    offered = [o for o in offers if session_type in o.sessions]
    if not offered:
        return empty(EmptyReason.NO_OFFERS, f"no provider offers {session_type!r} sessions")
    matching = [o for o in offered if filters.matches(o, officer)]
    if not matching:
        return empty(EmptyReason.NO_FILTER_MATCH, f"no provider matches the filters: {filters.describe()}")
    space = SearchSpace(officer, officer_roster, policy, preferences, window, officer_bookings, step)
    if not space.off_duty.windows:
        days = horizon / _DAY
        return empty(
            EmptyReason.NO_OFF_DUTY_TIME, f"no off-duty time in the next {days:g} days fits the rest rules"
        )

    runs: list[Run] = []
    furthest = max(space.provider_runs(o, o.sessions[session_type], runs) for o in matching)
    if not runs:
        reason, message = _EMPTY[furthest]
        return empty(reason, message.format(step=format_span(step)))
    slots = tuple(make_slot(space, run, start, session_type) for run, start in space.best(runs, limit))
    return SlotSearchResult(slots, sum(r.count for r in runs), window, None, "")


_EMPTY = {
    Stage.NO_OVERLAP: (
        EmptyReason.NO_OVERLAP,
        "providers match but no off-duty window overlaps their hours",
    ),
    Stage.TOO_SHORT: (
        EmptyReason.TOO_SHORT,
        "providers' hours overlap your off-duty windows, but never long enough for a session",
    ),
    Stage.FULLY_BOOKED: (
        EmptyReason.FULLY_BOOKED,
        "matching providers are booked, need more notice, or reached their daily or weekly limit "
        "in the times that fit",
    ),
    Stage.DAYS_TAKEN: (
        EmptyReason.DAYS_TAKEN,
        "the days that fit already have your session, or are days you avoid before a night block",
    ),
    Stage.NO_GRID_START: (
        EmptyReason.NO_GRID_START,
        "openings exist but none fits a session on the {step} grid",
    ),
}


def make_slot(space: SearchSpace, run: Run, start: datetime, session_type: str) -> Slot:
    end = start + run.offer.sessions[session_type].duration
    _, rest = space.rest.because(start)
    continuity = run.offer.provider_id == space.officer.current_provider_id
    reasons = (
        rest,
        *([Reason.preferred_hours()] if space.preferred is not None and run.preferred else []),
        *([Reason.current_provider()] if continuity else []),
    )
    return Slot(
        provider_id=run.offer.provider_id,
        provider_kind=run.offer.kind,
        start=start,
        end=end,
        local_start=start.astimezone(space.zone),
        local_end=end.astimezone(space.zone),
        rest=run.context,
        continuity=continuity,
        preferred_hours=run.preferred,
        reason=joined(reasons),
        reasons=reasons,
    )
