"""Events -> the read model: session facts, enrolment days and provider tiers, all pseudonymous."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tenfour_outcomes.domain.campaigns import Campaign
from tenfour_outcomes.domain.facts import AppointmentState, DayKind, SessionFact, Tier, outcome_of, stamp
from tenfour_outcomes.domain.periods import day_number
from tenfour_outcomes.domain.pseudonyms import Pseudonyms
from tenfour_outcomes.domain.referral_facts import ReferralStep
from tenfour_outcomes.domain.urgent_facts import UrgentFact
from tenfour_outcomes.service.ports import Outcomes

__all__ = ["AppointmentChange", "Ingest"]


@dataclass(frozen=True, slots=True)
class AppointmentChange:
    """The stable fields of a scheduling event, as plain values."""

    appointment_id: str
    agency_id: str
    provider_id: str
    officer_ids: tuple[str, ...]
    start: datetime
    status: AppointmentState
    previous: AppointmentState
    late_cancellation: bool
    version: int
    urgent: bool
    requested_at: datetime | None
    day_kinds: tuple[DayKind | None, ...] = ()
    campaign_id: str = ""
    from_referral: bool = False


class Ingest:
    def __init__(self, store: Outcomes, pseudonyms: Pseudonyms) -> None:
        self._store = store
        self._p = pseudonyms

    async def appointment(self, change: AppointmentChange, event_time: datetime, event_id: str) -> bool:
        fact = SessionFact.of(
            start=change.start,
            outcome=outcome_of(change.status, change.previous, change.late_cancellation),
            officers=tuple(self._p.officer(o) for o in change.officer_ids),
            provider=self._p.provider(change.provider_id),
            urgent=change.urgent,
            requested_at=change.requested_at,
            day_kinds=change.day_kinds,
            campaign=change.campaign_id,
            from_referral=change.from_referral,
        )
        appointment = self._p.appointment(change.appointment_id)
        at = stamp(change.version, event_time, self._p.tiebreak(event_id))
        return await self._store.apply_fact(change.agency_id, appointment, at, fact)

    async def officer_enrolled(self, agency_id: str, user_id: str, at: datetime) -> None:
        await self._store.enrol(agency_id, self._p.officer(user_id), day_number(at))

    async def provider_tier(self, provider_id: str, tier: Tier) -> None:
        await self._store.set_tier(self._p.provider(provider_id), tier)

    async def campaign_launched(self, agency_id: str, campaign: Campaign) -> None:
        await self._store.put_campaign(agency_id, campaign)

    async def campaign_invitation_added(self, agency_id: str, campaign_id: str, officer_id: str) -> None:
        """An officer who enrolled during the campaign: counted among the invited (once)."""
        await self._store.add_invited(agency_id, campaign_id, self._p.officer(officer_id))

    async def urgent_connected(
        self,
        agency_id: str,
        request_id: str,
        officer_id: str,
        requested: datetime,
        accepted: datetime,
        joined: datetime,
    ) -> None:
        fact = UrgentFact.connected(self._p.officer(officer_id), requested, accepted, joined)
        await self._store.apply_urgent(agency_id, self._p.appointment(request_id), "c", fact)

    async def urgent_wrapped_up(
        self, agency_id: str, request_id: str, officer_id: str, requested: datetime, outcome: str
    ) -> None:
        fact = UrgentFact.wrapped_up(self._p.officer(officer_id), requested, outcome)
        await self._store.apply_urgent(agency_id, self._p.appointment(request_id), "w", fact)

    async def referral_step(
        self, agency_id: str, referral_id: str, officer_id: str, step: str, at: datetime
    ) -> None:
        """A referral was made, or its officer agreed to it: counted in the month it happened."""
        fact = ReferralStep(step, day_number(at), self._p.officer(officer_id))
        await self._store.apply_referral(agency_id, self._p.appointment(referral_id), fact)
