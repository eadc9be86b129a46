"""Accepting, declining and cancelling urgent requests.

A provider the request was offered to accepts: the offer store's take makes them the one
winner (every other accept gets FAILED_PRECONDITION "already taken"), then the session is
booked with them as an urgent appointment; if their calendar refuses it now the take is given
back and they are told why. Declining hides it from that provider only; once everyone it was
offered to declined, the queue worker widens it at once (service/urgent.py). The officer may cancel
at any state: offers are withdrawn everywhere and a session already booked is cancelled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol

from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.domain.records import ACCEPTED, CONNECTED, UrgentRequest, to_ms
from tenfour_scheduling.service.booking.book import Book
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Facts, JoinBook, UrgentQueue
from tenfour_shared.errors import NotFound, WrongState
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

# How long the provider who accepted has to be in the room (service/urgent_joins.py); the
# deployment's urgent_join_seconds.
JOIN_WITHIN = timedelta(minutes=2)

__all__ = ["JOIN_WITHIN", "OfferBook", "UrgentOffers"]

_REFUSED = {
    "taken": "this urgent request was already accepted by someone else",
    "cancelled": "this urgent request was cancelled by the officer",
    "not_offered": "this urgent request was not offered to you",
}


class OfferBook(Protocol):
    """The single taker of each urgent request (adapters/urgent_offer_store.py)."""

    async def take(self, request_id: str, taker: str) -> str: ...
    async def release(self, request_id: str, taker: str, decline: bool) -> bool: ...
    async def offered(self, request_id: str) -> list[str]: ...
    async def declined(self, request_id: str) -> list[str]: ...
    async def cancel(
        self, request_id: str, agency_id: str, officer_id: str, event: Envelope | None
    ) -> str: ...


Withdraw = Callable[[str, str], Awaitable[Appointment | None]]


class UrgentOffers:
    def __init__(
        self,
        queue: UrgentQueue,
        offers: OfferBook,
        joins: JoinBook,
        facts: Facts,
        booking: Book,
        withdraw: Withdraw,
        clock: Clock,
        join_within: timedelta = JOIN_WITHIN,
    ) -> None:
        self._join_within = join_within
        self._queue = queue
        self._offers = offers
        self._joins = joins
        self._facts = facts
        self._booking = booking
        self._withdraw = withdraw
        self._clock = clock

    async def _request(self, request_id: str) -> UrgentRequest:
        r = await self._queue.get(request_id) if request_id else None
        if r is None:
            raise NotFound("no such urgent request")
        return r

    async def accept(self, provider_id: str, request_id: str) -> Appointment:
        r = await self._request(request_id)
        outcome = await self._offers.take(request_id, provider_id)
        if outcome == "missing":
            raise NotFound("no such urgent request")
        if outcome != "ok":
            raise WrongState(_REFUSED.get(outcome, "this urgent request cannot be accepted"))
        booked = await self.book_taken(r, provider_id, provider_id)
        if booked is None:
            await self._offers.release(request_id, provider_id, decline=False)
            raise WrongState("your calendar has another session right now; the request stays open for others")
        return booked

    async def book_taken(self, r: UrgentRequest, taker: str, provider_id: str) -> Appointment | None:
        """Book the taken request with ``provider_id`` and connect it; None when refused."""
        now = self._clock()
        facts, snapshots = await self._facts.read(
            r.officer_id, r.agency_id, Interval(now, now), [provider_id]
        )
        if not snapshots:
            return None
        booked = await self._booking.book_urgent(facts, snapshots[0], now)
        if booked is None:
            return None
        offered = await self._offers.offered(r.request_id)
        event = ev.UrgentAssigned(
            request_id=r.request_id,
            agency_id=r.agency_id,
            officer_id=r.officer_id,
            provider_id=provider_id,
            appointment_id=booked.appointment_id,
            withdrawn_provider_ids=[p for p in offered if p != provider_id],
        )
        envelope = build(event, subject=r.request_id, when=now)
        profile = snapshots[0].profile
        name = profile.display_name[:80] if profile is not None else ""
        deadline = to_ms(now + self._join_within)
        if await self._joins.accepted(r, booked, envelope, taker, deadline, to_ms(now), name):
            return booked
        # Cancelled while booking: the session must not stay on anyone's calendar.
        await self._withdraw(booked.appointment_id, "officer_cancelled")
        return None

    async def decline(self, provider_id: str, request_id: str) -> None:
        r = await self._request(request_id)
        if provider_id not in await self._offers.offered(request_id):
            raise WrongState(_REFUSED["not_offered"])
        await self._offers.release(request_id, provider_id, decline=True)
        event = ev.UrgentWithdrawn(
            request_id=request_id, agency_id=r.agency_id, provider_ids=[provider_id], reason="declined"
        )
        await self._queue.publish(build(event, subject=request_id, when=self._clock()))
        if set(await self._offers.offered(request_id)) <= set(await self._offers.declined(request_id)):
            await self._queue.widen_now(request_id)  # re-routed now, not after the widen timer

    async def cancel(self, officer_id: str, request_id: str) -> UrgentRequest:
        r = await self._request(request_id)
        if r.officer_id != officer_id:
            raise NotFound("no such urgent request")
        offered = await self._offers.offered(request_id)
        event = ev.UrgentWithdrawn(
            request_id=request_id, agency_id=r.agency_id, provider_ids=offered, reason="cancelled"
        )
        envelope = build(event, subject=request_id, when=self._clock()) if offered else None
        before = await self._offers.cancel(request_id, r.agency_id, officer_id, envelope)
        if before in (ACCEPTED, CONNECTED) and r.appointment is not None:
            await self._withdraw(r.appointment.appointment_id, "officer_cancelled")
        return await self._request(request_id)
