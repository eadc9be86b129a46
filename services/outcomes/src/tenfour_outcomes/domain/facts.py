"""What the read model keeps about one appointment: a de-identified session fact.

No appointment, officer or provider id (only keyed pseudonyms), no timestamp (the session's day
number, and an urgent session's wait in whole minutes). A fact is a function of the latest
event about the appointment alone, so applying events is idempotent and order-tolerant: the
store keeps the fact of the newest event (by its stamp) and ignores older ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tenfour_outcomes.domain.periods import Period, day_number, month_of_day

__all__ = ["AppointmentState", "DayKind", "Outcome", "SessionFact", "Tier", "outcome_of", "stamp"]


class AppointmentState(StrEnum):
    """FHIR Appointment.status, as scheduling publishes it."""

    UNSPECIFIED = "unspecified"
    PROPOSED = "proposed"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered_in_error"
    WAITLIST = "waitlist"


class Outcome(StrEnum):
    FULFILLED = "fulfilled"
    NO_SHOW = "no_show"
    LATE_CANCEL = "late_cancel"
    CANCELLED = "cancelled"
    UNRESOLVED = "unresolved"  # booked or arrived, no outcome (yet)
    EXCLUDED = "excluded"  # never booked, or entered in error: counts nowhere


class DayKind(StrEnum):
    DAY_OFF = "off"
    WORK_DAY = "work"


class Tier(StrEnum):
    PEER = "peer"
    CLINICIAN = "clinician"


_BOOKED_BEFORE = frozenset(
    {
        AppointmentState.UNSPECIFIED,  # a cancellation that does not say: bookings are the usual case
        AppointmentState.BOOKED,
        AppointmentState.ARRIVED,
        AppointmentState.FULFILLED,
        AppointmentState.NOSHOW,
    }
)


def outcome_of(status: AppointmentState, previous: AppointmentState, late_cancellation: bool) -> Outcome:
    if status is AppointmentState.FULFILLED:
        return Outcome.FULFILLED
    if status is AppointmentState.NOSHOW:
        return Outcome.NO_SHOW
    if status in (AppointmentState.BOOKED, AppointmentState.ARRIVED):
        return Outcome.UNRESOLVED
    if status is AppointmentState.CANCELLED and previous in _BOOKED_BEFORE:
        return Outcome.LATE_CANCEL if late_cancellation else Outcome.CANCELLED
    return Outcome.EXCLUDED


def stamp(version: int, event_time: datetime, tiebreak: str) -> str:
    """Orders events about one appointment: scheduling's version (grows with every change), then
    the event time (for versionless events), then an arbitrary fixed tiebreak.

    Kept only until the session's month is published (see the store): a fine timestamp is
    needed to order events, not to report.
    """
    return f"{max(0, version):015d}:{int(event_time.timestamp() * 1000):015d}:{tiebreak}"


@dataclass(frozen=True, slots=True)
class SessionFact:
    day: int  # the session's start, as a UTC day number
    outcome: Outcome
    officers: tuple[str, ...]  # pseudonyms
    provider: str  # pseudonym
    urgent: bool = False
    wait_minutes: int | None = None  # urgent sessions: request to start
    # Aligned with `officers` when scheduling reports it; empty when it does not.
    day_kinds: tuple[DayKind | None, ...] = ()
    campaign: str = ""  # a wellness check-in of this campaign (its id names no person)
    from_referral: bool = False  # booked from a warm-handoff referral

    @classmethod
    def of(
        cls,
        *,
        start: datetime,
        outcome: Outcome,
        officers: tuple[str, ...],
        provider: str,
        urgent: bool,
        requested_at: datetime | None,
        day_kinds: tuple[DayKind | None, ...] = (),
        campaign: str = "",
        from_referral: bool = False,
    ) -> SessionFact:
        wait = None
        if urgent and requested_at is not None:
            wait = max(0, int((start - requested_at).total_seconds() // 60))
        return cls(
            day_number(start), outcome, officers, provider, urgent, wait, day_kinds, campaign, from_referral
        )

    @property
    def month(self) -> Period:
        return month_of_day(self.day)

    @property
    def counted(self) -> bool:
        return self.outcome is not Outcome.EXCLUDED

    def day_kind(self, position: int) -> DayKind | None:
        return self.day_kinds[position] if position < len(self.day_kinds) else None

    def encode(self) -> str:
        data: dict[str, object] = {"d": self.day, "o": self.outcome.value, "of": list(self.officers)}
        data["p"] = self.provider
        if self.urgent:
            data["u"] = 1
        if self.wait_minutes is not None:
            data["w"] = self.wait_minutes
        if self.day_kinds:
            data["k"] = [k.value if k else "" for k in self.day_kinds]
        if self.campaign:
            data["c"] = self.campaign
        if self.from_referral:
            data["r"] = 1
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, raw: str) -> SessionFact:
        data = json.loads(raw)
        return cls(
            day=int(data["d"]),
            outcome=Outcome(data["o"]),
            officers=tuple(str(o) for o in data["of"]),
            provider=str(data["p"]),
            urgent=bool(data.get("u", 0)),
            wait_minutes=None if data.get("w") is None else int(data["w"]),
            day_kinds=tuple(DayKind(k) if k else None for k in data.get("k", ())),
            campaign=str(data.get("c", "")),
            from_referral=bool(data.get("r", 0)),
        )
