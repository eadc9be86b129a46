"""The booking re-check, reusable by every way of placing a session (book, reschedule, and
later series, conflict alternatives, urgent sessions, group seats).

``adapters.facts.read_facts`` reads everything in one round trip;
``check_booking`` decides in memory with the same domain rules as the slot search; the
booking scripts then re-check what can change concurrently (both calendars, caps, and the
versions of the roster, rules and profile the decision used).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tenfour_scheduling.domain import SessionOffer, check_slot
from tenfour_scheduling.domain.errors import CannotBook, NoRoster, cannot_book
from tenfour_scheduling.domain.licensure import accepted
from tenfour_scheduling.domain.policy import AgencyPolicy, personal_fatigue
from tenfour_scheduling.domain.records import CalendarEntry, OfficerFacts, ProviderSnapshot, StoredRoster
from tenfour_scheduling.service.offers import LAPSED, UNLICENSED, Expansions, ineligibility, provider_offer
from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import Interval

__all__ = [
    "TAKEN",
    "BookingProblem",
    "OfficerSide",
    "Placement",
    "check_booking",
    "licensure_for",
    "officer_side",
    "placement",
]

_DAY = timedelta(days=1)
# Refusals that a concurrent request with the same idempotency key may have caused itself.
TAKEN = frozenset({"officer_busy", "officer_day_limit", "provider_busy", "provider_limit"})


@dataclass(frozen=True, slots=True)
class BookingProblem:
    code: str  # a SlotProblemCode value, or provider_unavailable
    message: str

    def error(self) -> CannotBook:
        return cannot_book(self.code, self.message)


@dataclass(frozen=True, slots=True)
class OfficerSide:
    officer_id: str
    agency_id: str
    roster: StoredRoster
    policy: AgencyPolicy
    entries: tuple[CalendarEntry, ...]  # booked sessions and live claims near the window
    current_provider: str | None
    # Where a clinician must be licensed for this officer (None: no licensure rule applies).
    jurisdictions: frozenset[str] | None = None

    def bookings(self, exclude: str = "") -> list[Interval]:
        return [e.interval for e in self.entries if not exclude or e.appointment_id != exclude]


def licensure_for(facts: OfficerFacts) -> frozenset[str] | None:
    """Where a clinician must be licensed for this officer: their own jurisdiction and the
    agency's compacts (None: neither is known, no licensure rule applies)."""
    own = facts.preferences.jurisdiction if facts.preferences is not None else None
    return accepted(own, facts.policy.compact_jurisdictions)


def officer_side(facts: OfficerFacts) -> OfficerSide:
    if facts.roster is None:
        raise NoRoster("enter your shift roster first (SetRoster): sessions are fitted around it")
    # The officer's own sleep window replaces the agency's default in every rule applied to them.
    policy = replace(facts.policy, fatigue=personal_fatigue(facts.policy.fatigue, facts.preferences))
    return OfficerSide(
        facts.officer_id,
        facts.agency_id,
        facts.roster,
        policy,
        facts.entries,
        facts.current_provider,
        licensure_for(facts),
    )


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a checked session lies and the settings its scripts re-check with."""

    time: Interval
    session: SessionOffer
    provider_zone: str


def placement(snapshot: ProviderSnapshot, session_type: SessionType, start: datetime) -> Placement | None:
    availability = snapshot.availability
    if availability is None:
        return None
    settings = availability.rules.settings(session_type)
    if settings is None:
        return None
    session = SessionOffer(
        free=(),
        duration=settings.duration,
        buffer_before=settings.buffer_before,
        buffer_after=settings.buffer_after,
        max_per_day=settings.max_per_day,
        max_per_week=settings.max_per_week,
    )
    return Placement(Interval(start, start + settings.duration), session, availability.rules.timezone)


def check_booking(
    officer: OfficerSide,
    snapshot: ProviderSnapshot,
    session_type: SessionType,
    start: datetime,
    now: datetime,
    expansions: Expansions,
    *,
    exclude: str = "",
) -> BookingProblem | None:
    """None when the officer may book ``start`` with this provider now, else the first broken rule.

    ``exclude`` names an appointment both sides ignore (the one being moved).
    """
    why = ineligibility(
        snapshot,
        agency_id=officer.agency_id,
        officer_id=officer.officer_id,
        session_type=session_type,
        current_provider=officer.current_provider,
        at=start,
        jurisdictions=officer.jurisdictions,
    )
    if why == LAPSED:
        return BookingProblem("training_lapsed", why)
    if why == UNLICENSED:
        return BookingProblem("unlicensed", why)
    if why is not None:
        return BookingProblem("provider_unavailable", why)
    # The provider's hours of the days around the start only: the session and its buffers lie
    # within a day of it (expanding every day from now on cost a Book ~0.2 ms for nothing).
    window = Interval(start, start).expand(_DAY, _DAY)
    offer = provider_offer(snapshot, session_type, window, now, expansions, exclude=exclude)
    if offer is None:
        return BookingProblem("provider_unavailable", "this provider is not bookable yet")
    problem = check_slot(
        officer_roster=officer.roster.roster,
        policy=officer.policy.fatigue,
        offer=offer,
        session_type=session_type.value,
        start=start,
        now=now,
        officer_bookings=officer.bookings(exclude),
    )
    return None if problem is None else BookingProblem(problem.code.value, problem.message)
