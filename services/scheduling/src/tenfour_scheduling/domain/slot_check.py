"""Re-validate one proposed slot at booking time (buffers and rules are re-checked, never
trusted from an earlier search), answering with the precise rule it breaks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from tenfour_scheduling.domain.booking_rules import capped_days, officer_busy, provider_busy
from tenfour_scheduling.domain.errors import InvalidInput
from tenfour_scheduling.domain.fatigue import (
    BlockReason,
    DutyBlock,
    FatiguePolicy,
    OffDutyResult,
    off_duty_windows,
)
from tenfour_scheduling.domain.providers import ProviderKind, ProviderOffer, utc_intervals
from tenfour_scheduling.domain.rest import format_span
from tenfour_scheduling.domain.roster import Roster
from tenfour_scheduling.domain.slots import MAX_HORIZON
from tenfour_shared.timeline import Interval, load_zone, merge

__all__ = ["SlotProblem", "SlotProblemCode", "check_slot"]


class SlotProblemCode(StrEnum):
    SESSION_TYPE_NOT_OFFERED = "session_type_not_offered"
    IN_THE_PAST = "in_the_past"
    TOO_SOON = "too_soon"
    TOO_FAR_AHEAD = "too_far_ahead"
    ON_DUTY = "on_duty"
    PRE_SHIFT_BUFFER = "pre_shift_buffer"
    POST_SHIFT_BUFFER = "post_shift_buffer"
    PROTECTED_SLEEP = "protected_sleep"
    USUAL_SLEEP = "usual_sleep"
    QUICK_RETURN = "quick_return"
    CONSECUTIVE_NIGHTS = "consecutive_nights"
    OFFICER_BUSY = "officer_busy"
    OFFICER_DAY_LIMIT = "officer_day_limit"
    OUTSIDE_PROVIDER_HOURS = "outside_provider_hours"
    PEER_OFF_DUTY_RULES = "peer_off_duty_rules"
    PROVIDER_BUSY = "provider_busy"
    PROVIDER_LIMIT = "provider_limit"


@dataclass(frozen=True, slots=True)
class SlotProblem:
    code: SlotProblemCode
    message: str


def check_slot(
    *,
    officer_roster: Roster,
    policy: FatiguePolicy,
    offer: ProviderOffer,
    session_type: str,
    start: datetime,
    now: datetime,
    officer_bookings: Sequence[Interval] = (),
    max_horizon: timedelta = MAX_HORIZON,
) -> SlotProblem | None:
    """None if a ``session_type`` session with ``offer`` at ``start`` may be booked now, else
    the first broken rule with a precise message. Applies exactly the rules of ``find_slots``
    except the officer's preferences and the start grid, which only shape the search."""
    if start.tzinfo is None or now.tzinfo is None:
        field = "start" if start.tzinfo is None else "now"
        raise InvalidInput.single(field, f"{field} must carry a timezone")
    start, now = start.astimezone(UTC), now.astimezone(UTC)
    officer_bookings = utc_intervals(officer_bookings)
    zone = load_zone(officer_roster.zone)
    session = offer.sessions.get(session_type)
    if session is None:
        return SlotProblem(
            SlotProblemCode.SESSION_TYPE_NOT_OFFERED, f"this provider does not offer {session_type!r}"
        )
    slot = Interval(start, start + session.duration)
    if start < now:  # a mistyped date (say 2020): say so, not "starts in 0 min"
        return SlotProblem(SlotProblemCode.IN_THE_PAST, "that time is in the past")
    if start < now + session.min_notice:
        return SlotProblem(
            SlotProblemCode.TOO_SOON,
            f"starts in {format_span(max(start - now, timedelta(0)))}; "
            f"this provider needs {format_span(session.min_notice)} notice",
        )
    if slot.end > now + max_horizon:
        return SlotProblem(SlotProblemCode.TOO_FAR_AHEAD, f"ends more than {max_horizon.days} days ahead")

    fatigue = _fatigue_problem(
        off_duty_windows(officer_roster, policy, slot, officer=True), policy, slot, zone
    )
    if fatigue is not None:
        return fatigue
    if any(b.overlaps(slot) for b in officer_busy(session, officer_bookings)):
        return SlotProblem(SlotProblemCode.OFFICER_BUSY, "overlaps another of your sessions or its buffer")
    if any(
        d.contains_instant(start) for d in capped_days(officer_bookings, zone, policy.max_sessions_per_day)
    ):
        return SlotProblem(
            SlotProblemCode.OFFICER_DAY_LIMIT,
            f"you already have {policy.max_sessions_per_day} session(s) on {_date(start, zone)}",
        )

    if not any(f.contains(slot) for f in merge(session.free)):
        return SlotProblem(SlotProblemCode.OUTSIDE_PROVIDER_HOURS, "outside the provider's offered hours")
    if offer.kind is ProviderKind.PEER and offer.roster is not None:
        peer = off_duty_windows(offer.roster, policy, slot)
        if peer.windows != (slot,):
            return SlotProblem(
                SlotProblemCode.PEER_OFF_DUTY_RULES,
                "the peer supporter is on duty or resting then under the same rest rules",
            )
    if any(b.overlaps(slot) for b in provider_busy(session, offer.bookings)):
        return SlotProblem(
            SlotProblemCode.PROVIDER_BUSY, "the provider has another session then, or its buffer"
        )
    provider_zone = load_zone(offer.timezone)
    if any(
        d.contains_instant(start)
        for d in capped_days(offer.bookings, provider_zone, session.max_per_day, session.max_per_week)
    ):
        return SlotProblem(
            SlotProblemCode.PROVIDER_LIMIT,
            "the provider reached their daily or weekly session limit for that day",
        )
    return None


def _fatigue_problem(
    result: OffDutyResult, policy: FatiguePolicy, slot: Interval, zone: ZoneInfo
) -> SlotProblem | None:
    """The highest-priority rest rule the slot breaks, said with the shift it concerns."""
    hits = {b.reason for b in result.blocked if b.interval.overlaps(slot)}
    if not hits:
        return None
    reason = next(r for r in BlockReason if r in hits)  # declared in priority order
    code = SlotProblemCode(reason.value)
    prev = max((b for b in result.duty if b.interval.end <= slot.start), key=_end, default=None)
    nxt = min((b for b in result.duty if b.interval.start >= slot.end), key=_start, default=None)
    during = next((b for b in result.duty if b.interval.overlaps(slot)), None)
    message = policy.reason_text(reason)
    if reason is BlockReason.ON_DUTY and during is not None:
        message = f"overlaps your {_describe(during, zone)}"
    elif reason is BlockReason.PRE_SHIFT_BUFFER and nxt is not None:
        message = (
            f"ends {format_span(nxt.interval.start - slot.end)} before your {_describe(nxt, zone)}; "
            f"sessions must end {format_span(policy.pre_shift_buffer)} before a shift"
        )
    elif reason is BlockReason.POST_SHIFT_BUFFER and prev is not None:
        message = (
            f"starts {format_span(slot.start - prev.interval.end)} after your {_describe(prev, zone)}; "
            f"sessions must start {format_span(policy.post_shift_buffer)} after a shift"
        )
    elif reason is BlockReason.PROTECTED_SLEEP and prev is not None:
        sleep = prev.interval.end + policy.night_sleep_delay
        wake = sleep + policy.night_sleep_length
        message = (
            f"falls in the protected sleep {_clock(sleep, zone)} to {_clock(wake, zone)} "
            f"after your {_describe(prev, zone)}"
        )
    elif reason is BlockReason.USUAL_SLEEP:
        message = (
            f"falls in your usual sleep, {policy.usual_sleep_start:%H:%M} to {policy.usual_sleep_end:%H:%M}; "
            "sessions are kept out of it"
        )
    elif reason is BlockReason.CONSECUTIVE_NIGHTS and prev is not None:
        message = (
            f"falls within 24 h after your {_describe(prev, zone)}, your "
            f"{policy.max_consecutive_nights}th night or more in a row; that day is kept for rest"
        )
    elif reason is BlockReason.QUICK_RETURN and prev is not None and nxt is not None:
        message = (
            f"falls in the {format_span(nxt.interval.start - prev.interval.end)} between your "
            f"{_describe(prev, zone)} and your {_describe(nxt, zone)}; gaps under "
            f"{format_span(policy.min_rest_between_shifts)} are kept for rest"
        )
    return SlotProblem(code, message)


def _start(block: DutyBlock) -> datetime:
    return block.interval.start


def _end(block: DutyBlock) -> datetime:
    return block.interval.end


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%H:%M}"


def _describe(block: DutyBlock, zone: ZoneInfo) -> str:
    start = block.interval.start.astimezone(zone)
    end = _clock(block.interval.end, zone)
    return f"{block.rest_kind.value} shift {start:%a %d %b} {_clock(start, zone)} to {end}"


def _date(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%a %d %b}"
