"""Urgent sessions: a crisis on-call provider free right now, else a queue that escalates.

``request`` tries every eligible crisis provider of the officer's agency (peer supporters
first when asked), booking an immediate urgent appointment with the same atomic claim/commit
scripts as Book (``Book.book_urgent``). When nobody is free the officer is queued
per agency; ``UrgentWorker`` (one per deployment, by a Redis lease) keeps trying to connect
queued officers and, after the agency's ``urgent_escalate_after``, publishes
``scheduling.urgent_escalation`` with the agency's crisis line text, exactly once per request
(a compare-and-set script writes the state and the event together).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import timedelta

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.domain import shifts
from tenfour_scheduling.domain.records import QUEUED, ProviderSnapshot, UrgentRequest, to_ms
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.checks import licensure_for
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.offers import Expansions, ineligibility
from tenfour_scheduling.service.ports import Facts, ProviderDirectory, UrgentQueue
from tenfour_scheduling.service.urgent_offers import OfferBook, Withdraw
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import NotFound
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["UrgentService", "UrgentStatus", "UrgentWorker"]

# Shown whenever the agency has not set its own: the US 988 Suicide & Crisis Lifeline.
DEFAULT_CRISIS_LINE = "988 Suicide & Crisis Lifeline: call or text 988"
WAIT_PER_PLACE = timedelta(minutes=5)  # the estimate of each place in the queue
_SOON = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class UrgentStatus:
    request_id: str
    state: str
    appointment: Appointment | None
    position: int
    estimated_wait: timedelta
    crisis_line_text: str
    alerted: int = 0


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


class UrgentService:
    def __init__(
        self,
        store: UrgentQueue,
        providers: ProviderDirectory,
        facts: Facts,
        booking: Book,
        expansions: Expansions,
        clock: Clock,
        offers: OfferBook,
        withdraw: Withdraw,
    ) -> None:
        self._offers = offers
        self._withdraw = withdraw
        self._store = store
        self._providers = providers
        self._facts = facts
        self._booking = booking
        self._expansions = expansions
        self._clock = clock

    async def connect(self, officer_id: str, agency_id: str, prefer_peer: bool) -> Appointment | None:
        """Book an urgent session with the first crisis provider free right now, or None."""
        booked, _ = await self._connect(officer_id, agency_id, prefer_peer)
        return booked

    async def _connect(
        self, officer_id: str, agency_id: str, prefer_peer: bool
    ) -> tuple[Appointment | None, list[str]]:
        """The booked session (or None), and every crisis provider eligible for the request (free
        now or not: those notifications alerts, and withdraws the alert from once it is taken)."""
        ids = await self._providers.agency_provider_ids(agency_id)
        if not ids:
            return None, []
        now = self._clock()
        facts, snapshots = await self._facts.read(officer_id, agency_id, Interval(now, now + _SOON), ids)
        candidates: list[tuple[int, str, ProviderSnapshot]] = []
        eligible: list[str] = []
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
            if settings is not None:
                eligible.append(snapshot.provider_id)
            if settings is None or not _free_now(
                snapshot, self._expansions, Interval(now, now + settings.duration)
            ):
                continue
            assert snapshot.profile is not None  # checked by ineligibility
            peer = snapshot.profile.kind == common.PROVIDER_KIND_PEER
            tier = 0 if peer == prefer_peer else 1
            candidates.append((tier, snapshot.provider_id, snapshot))
        for _, _, snapshot in sorted(candidates, key=lambda c: (c[0], c[1])):
            booked = await self._booking.book_urgent(facts, snapshot, now)
            if booked is not None:
                return booked, sorted(eligible)
        return None, sorted(eligible)

    def _assigned(self, request_id: str, officer_id: str, a: Appointment, eligible: list[str]) -> Envelope:
        event = ev.UrgentAssigned(
            request_id=request_id,
            agency_id=a.agency_id,
            officer_id=officer_id,
            provider_id=a.provider_id,
            appointment_id=a.appointment_id,
            withdrawn_provider_ids=[p for p in eligible if p != a.provider_id],
        )
        return build(event, subject=request_id, when=self._clock())

    async def request(self, officer_id: str, agency_id: str, prefer_peer: bool) -> UrgentStatus:
        active = await self._store.active(officer_id)
        if active is not None:
            return await self.status(officer_id, active)
        request_id = secrets.token_urlsafe(18)
        booked, eligible = await self._connect(officer_id, agency_id, prefer_peer)
        if booked is not None:
            event = self._assigned(request_id, officer_id, booked, eligible)
            await self._store.record_connected(request_id, officer_id, agency_id, booked, event)
            return await self.status(officer_id, request_id)
        facts, _ = await self._facts.read(officer_id, agency_id, Interval(self._clock(), self._clock()))
        now_ms = to_ms(self._clock())
        escalate_ms = now_ms + int(facts.policy.urgent_escalate_after.total_seconds() * 1000)
        offered = None
        if eligible:  # nobody free now: every eligible on-call provider is alerted at once
            payload = ev.UrgentOffered(
                request_id=request_id, agency_id=agency_id, provider_ids=eligible, tier=0
            )
            payload.requested_at.FromDatetime(self._clock())
            offered = build(payload, subject=request_id, when=self._clock())
        stored_id = await self._store.enqueue(
            request_id,
            officer_id,
            agency_id,
            prefer_peer,
            now_ms,
            escalate_ms,
            facts.policy.crisis_line_text,
            offered,
            tuple(eligible),
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
        )

    async def drive(self) -> None:
        """One pass over every queue: connect whom we can, escalate who waited too long."""
        for agency_id in await self._store.agencies():
            for request_id in await self._store.queued(agency_id):
                r = await self._store.get(request_id)
                if r is None:
                    continue
                await self._drive_one(r)

    async def _drive_one(self, r: UrgentRequest) -> None:
        # The worker takes the request like an accepting provider would, so a provider's accept
        # and the worker's booking never both connect it.
        if await self._offers.take(r.request_id, "") == "ok":
            booked, eligible = await self._connect(r.officer_id, r.agency_id, r.prefer_peer)
            if booked is None:
                await self._offers.release(r.request_id, "", decline=False)
            else:
                event = self._assigned(r.request_id, r.officer_id, booked, eligible)
                if not await self._store.connect(r, booked, event, ""):
                    await self._withdraw(booked.appointment_id, "officer_cancelled")
                return
        now = self._clock()
        if r.state == QUEUED and to_ms(now) >= r.escalate_ms:
            escalation = ev.UrgentEscalation(
                request_id=r.request_id,
                agency_id=r.agency_id,
                crisis_line_text=r.crisis_line_text,
                officer_id=r.officer_id,
            )
            await self._store.escalate(r.request_id, build(escalation, subject=r.request_id, when=now))


class UrgentWorker:
    """Drives the urgent queues while this instance holds the lease."""

    def __init__(self, service: UrgentService, store: UrgentQueue, holder: str, poll_seconds: float) -> None:
        self._service = service
        self._store = store
        self._holder = holder
        self._poll = poll_seconds

    async def run(self) -> None:
        ttl_ms = max(int(self._poll * 20_000), 10_000)
        while True:
            if await self._store.lease(self._holder, ttl_ms):
                await self._service.drive()
            await asyncio.sleep(self._poll)
