"""Urgent requests: offered to on-call crisis providers, widened, escalated; nobody assigned.

``request`` queues the officer's request and offers it at once to tier 0: the agency's crisis
providers on call right now (a window offering CRISIS covers now to now + the crisis duration,
not in a session, a peer off duty; or switched on call, service/urgent_on_call.py), only those
of the preferred kind (peers when ``prefer_peer_first``, else clinicians) when there is one.
Nobody is booked until one of them accepts (service/urgent_offers.py). The urgent worker (one per
deployment, by a Redis lease) keeps the agency's timers, stored as instants on the request so a
restart loses none: after ``urgent_widen_after`` without an accept (at once when everyone
offered declined) it offers the request to every eligible crisis provider not alerted yet (tier
1: both kinds, on call now or not), re-scanning at that pace for providers who come on call
later; after ``urgent_escalate_after`` it escalates once (``scheduling.urgent_escalation`` with
a one-time case code, state and event written by one compare-and-set script). The officer keeps
their place in the agency's queue throughout.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.domain import shifts
from tenfour_scheduling.domain.policy import AgencyPolicy
from tenfour_scheduling.domain.records import ESCALATED, QUEUED, ProviderSnapshot, UrgentRequest, to_ms
from tenfour_scheduling.service.checks import licensure_for
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.offers import Expansions, ineligibility
from tenfour_scheduling.service.ports import Facts, ProviderDirectory, UrgentQueue
from tenfour_scheduling.service.urgent_offers import OfferBook
from tenfour_scheduling.service.urgent_on_call import resting
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import NotFound
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["UrgentService", "UrgentStatus", "case_code"]

# Shown whenever the agency has not set its own: the US 988 Suicide & Crisis Lifeline.
DEFAULT_CRISIS_LINE = "988 Suicide & Crisis Lifeline: call or text 988"
WAIT_PER_PLACE = timedelta(minutes=5)  # the estimate of each place in the queue
_SOON = timedelta(hours=2)
# No 0/O or 1/I: the code is read out over the phone.
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def case_code() -> str:
    """A one-time code an agency's coordinator can quote; it says nothing about the officer."""
    raw = "".join(secrets.choice(_CODE_LETTERS) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


@dataclass(frozen=True, slots=True)
class UrgentStatus:
    request_id: str
    state: str
    appointment: Appointment | None
    position: int
    estimated_wait: timedelta
    crisis_line_text: str
    alerted: int = 0
    provider_name: str = ""


@dataclass(frozen=True, slots=True)
class Routing:
    """Who an urgent request goes to now: tier 0 first, ``eligible`` once it widens."""

    policy: AgencyPolicy
    first: list[str]
    eligible: list[str]


def _free_now(snapshot: ProviderSnapshot, expansions: Expansions, now_interval: Interval) -> bool:
    """The provider offers crisis sessions for all of ``now_interval`` and (a peer) is off duty."""
    availability = snapshot.availability
    if availability is None:
        return False
    free = expansions.free(availability, SessionType.CRISIS, now_interval, now_interval.start)
    if not any(f.start <= now_interval.start and now_interval.end <= f.end for f in free):
        return False
    if snapshot.roster is not None:  # a peer supporter on duty is not free
        duty = shifts(snapshot.roster.roster, now_interval.expand(timedelta(days=1), timedelta(0)))
        if any(s.interval.overlaps(now_interval) for s in duty):
            return False
    return True


def _on_call(snapshot: ProviderSnapshot, now_interval: Interval) -> bool:
    """Switched on call: free unless in a session now (a peer's rest is checked by the caller)."""
    return not any(b.interval.overlaps(now_interval) for b in snapshot.bookings)


def _ms(span: timedelta) -> int:
    return int(span.total_seconds() * 1000)


class UrgentService:
    def __init__(
        self,
        store: UrgentQueue,
        providers: ProviderDirectory,
        facts: Facts,
        expansions: Expansions,
        clock: Clock,
        offers: OfferBook,
    ) -> None:
        self._offers = offers
        self._store = store
        self._providers = providers
        self._facts = facts
        self._expansions = expansions
        self._clock = clock

    async def route(self, officer_id: str, agency_id: str, prefer_peer: bool) -> Routing:
        """The agency's policy, tier 0 and every crisis provider eligible for the officer."""
        ids = await self._providers.agency_provider_ids(agency_id)
        now = self._clock()
        facts, snapshots = await self._facts.read(officer_id, agency_id, Interval(now, now + _SOON), ids)
        switches = await self._store.on_call_modes(ids)  # service/urgent_on_call.py
        eligible: list[str] = []
        on_call: list[tuple[bool, str]] = []
        for snapshot in snapshots:
            why = ineligibility(
                snapshot,
                agency_id=agency_id,
                officer_id=officer_id,
                session_type=SessionType.CRISIS,
                current_provider=snapshot.provider_id,  # a crisis ignores "not accepting new clients"
                at=now,
                jurisdictions=licensure_for(facts),
            )
            if why is not None or snapshot.availability is None:
                continue
            settings = snapshot.availability.rules.settings(SessionType.CRISIS)
            switch = switches.get(snapshot.provider_id)
            if settings is None or switch == "off":
                continue
            if snapshot.roster is not None and resting(snapshot.roster.roster, facts.policy.fatigue, now):
                continue  # a peer on shift or in their protected rest: not now, whatever the switch
            eligible.append(snapshot.provider_id)
            span = Interval(now, now + settings.duration)
            if _on_call(snapshot, span) if switch == "on" else _free_now(snapshot, self._expansions, span):
                assert snapshot.profile is not None  # checked by ineligibility
                on_call.append((snapshot.profile.kind == common.PROVIDER_KIND_PEER, snapshot.provider_id))
        preferred = [p for peer, p in on_call if peer == prefer_peer]
        first = preferred or [p for _, p in on_call]
        return Routing(facts.policy, sorted(first), sorted(eligible))

    def _offered(
        self, request_id: str, agency_id: str, ids: list[str], tier: int, at: datetime
    ) -> ev.UrgentOffered:
        payload = ev.UrgentOffered(request_id=request_id, agency_id=agency_id, provider_ids=ids, tier=tier)
        payload.requested_at.FromDatetime(at)
        return payload

    async def request(self, officer_id: str, agency_id: str, prefer_peer: bool) -> UrgentStatus:
        active = await self._store.active(officer_id)
        if active is not None:
            return await self.status(officer_id, active)
        request_id = secrets.token_urlsafe(18)
        routing = await self.route(officer_id, agency_id, prefer_peer)
        now = self._clock()
        tier = 0 if routing.first else 1
        offered_to = routing.first or routing.eligible
        event = None
        if offered_to:
            payload = self._offered(request_id, agency_id, offered_to, tier, now)
            event = build(payload, subject=request_id, when=now)
        stored_id = await self._store.enqueue(
            request_id,
            officer_id,
            agency_id,
            prefer_peer,
            to_ms(now),
            to_ms(now) + _ms(routing.policy.urgent_escalate_after),
            routing.policy.crisis_line_text,
            event,
            tuple(offered_to),
            to_ms(now) + _ms(routing.policy.urgent_widen_after),
            tier,
        )
        return await self.status(officer_id, stored_id)

    async def status(self, officer_id: str, request_id: str) -> UrgentStatus:
        r = await self._store.get(request_id) if request_id else None
        if r is None or r.officer_id != officer_id:
            raise NotFound("no such urgent request")
        position = 0 if r.appointment is not None else await self._store.position(r.agency_id, request_id)
        return UrgentStatus(
            request_id=request_id,
            state=r.state,
            appointment=r.appointment,
            position=position,
            estimated_wait=WAIT_PER_PLACE * position,
            # Always there: the officer must never have to wait for a fallback to appear.
            crisis_line_text=r.crisis_line_text or DEFAULT_CRISIS_LINE,
            alerted=r.alerted,
            provider_name=r.provider_name if r.appointment is not None else "",
        )

    async def drive(self) -> None:
        """One pass over every queue: widen and escalate whatever is due."""
        for agency_id in await self._store.agencies():
            for request_id in await self._store.queued(agency_id):
                r = await self._store.get(request_id)
                if r is not None:
                    await self._drive_one(r)

    async def _drive_one(self, r: UrgentRequest) -> None:
        now = self._clock()
        if r.state in (QUEUED, ESCALATED) and to_ms(now) >= r.widen_ms:
            await self._widen(r, now)
        if r.state == QUEUED and to_ms(now) >= r.escalate_ms:
            escalation = ev.UrgentEscalation(
                request_id=r.request_id,
                agency_id=r.agency_id,
                crisis_line_text=r.crisis_line_text or DEFAULT_CRISIS_LINE,
                officer_id=r.officer_id,
                case_code=case_code(),
            )
            await self._store.escalate(r.request_id, build(escalation, subject=r.request_id, when=now))

    async def _widen(self, r: UrgentRequest, now: datetime) -> None:
        routing = await self.route(r.officer_id, r.agency_id, r.prefer_peer)
        already = set(await self._offers.offered(r.request_id))
        fresh = [p for p in routing.eligible if p not in already]
        event = None
        if fresh:
            payload = self._offered(r.request_id, r.agency_id, fresh, 1, now)
            event = build(payload, subject=r.request_id, when=now)
        await self._store.widen(
            r.request_id, fresh, event, to_ms(now) + _ms(routing.policy.urgent_widen_after)
        )
