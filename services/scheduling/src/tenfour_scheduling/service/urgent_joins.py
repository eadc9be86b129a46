"""From an accepted urgent request to a human in the room, and back when nobody comes.

"Connected" means the provider who accepted joined the room (signaling's participant_joined),
not that a session is booked. A provider who has not joined within ``join_within`` of their
accept (the deployment's ``urgent_join_seconds``, default 2 minutes), or who dropped out
(participant_left) and is not back within the same time, is replaced: their session is
cancelled, they are left out of this request from then on (told by ``urgent_withdrawn``, reason
``replaced``), the officer goes back to their place in the queue in the state they had (queued
or escalated), and everyone else it was offered to is offered it again at once
(``urgent_offered``; nobody left: it widens on the worker's next pass). The officer never starts
over: the same request, the same page.
"""

from __future__ import annotations

from datetime import timedelta

from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour_scheduling.domain.records import ACCEPTED, UrgentRequest, from_ms, to_ms
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import JoinBook, UrgentQueue
from tenfour_scheduling.service.urgent_offers import JOIN_WITHIN, OfferBook, Withdraw
from tenfour_shared.errors import InvalidInput, NotFound, WrongState
from tenfour_shared.events.envelope import build

__all__ = ["JOIN_WITHIN", "WRAP_UP_OUTCOMES", "UrgentJoins"]

WRAP_UP_OUTCOMES = ("follow_up_booked", "referred", "none")

_PROVIDER_ROLES = frozenset({"therapist", "peer_supporter"})


class UrgentJoins:
    def __init__(
        self,
        queue: UrgentQueue,
        joins: JoinBook,
        offers: OfferBook,
        withdraw: Withdraw,
        clock: Clock,
        join_within: timedelta = JOIN_WITHIN,
    ) -> None:
        self._join_within = join_within
        self._queue = queue
        self._joins = joins
        self._offers = offers
        self._withdraw = withdraw
        self._clock = clock

    async def _request(self, appointment_id: str) -> UrgentRequest | None:
        request_id = await self._joins.request_of(appointment_id)
        return None if request_id is None else await self._queue.get(request_id)

    async def joined(self, appointment_id: str, participant_id: str) -> None:
        r = await self._request(appointment_id)
        if r is None or r.appointment is None or r.appointment.provider_id != participant_id:
            return
        now = self._clock()
        event = ev.UrgentConnected(request_id=r.request_id, agency_id=r.agency_id, officer_id=r.officer_id)
        event.requested_at.FromDatetime(from_ms(r.queued_ms))
        event.first_accepted_at.FromDatetime(from_ms(r.first_accepted_ms or to_ms(now)))
        event.joined_at.FromDatetime(now)
        await self._joins.joined(r, participant_id, to_ms(now), build(event, subject=r.request_id, when=now))

    async def left(self, appointment_id: str, participant_id: str, role: str, reason: str) -> None:
        """The provider dropped out: they have ``JOIN_WITHIN`` to come back."""
        if role not in _PROVIDER_ROLES or reason == "rejoined":
            return
        request_id = await self._joins.request_of(appointment_id)
        if request_id is not None:
            deadline = to_ms(self._clock() + self._join_within)
            await self._joins.left(request_id, participant_id, deadline)

    async def ended(self, appointment_id: str) -> None:
        r = await self._request(appointment_id)
        if r is not None:
            await self._joins.ended(r)

    async def wrap_up(self, provider_id: str, appointment_id: str, outcome: str) -> None:
        """The provider's word on what happens next, once, after someone was in the room."""
        if outcome not in WRAP_UP_OUTCOMES:
            raise InvalidInput.single("outcome", "must be follow_up_booked, referred or none")
        r = await self._request(appointment_id)
        if r is None or r.appointment is None or r.appointment.provider_id != provider_id:
            raise NotFound("no urgent session of yours with this id")
        now = self._clock()
        event = ev.UrgentWrappedUp(
            request_id=r.request_id, agency_id=r.agency_id, outcome=outcome, officer_id=r.officer_id
        )
        event.requested_at.FromDatetime(from_ms(r.queued_ms))
        done = await self._joins.wrap_up(r, build(event, subject=r.request_id, when=now))
        if done == "already":
            raise WrongState("this session's wrap-up is already recorded")
        if done != "ok":
            raise WrongState("a wrap-up comes after the session: nobody has joined it yet")

    async def replace_overdue(self) -> int:
        """Replace every accepted provider past their deadline; how many were."""
        now = self._clock()
        replaced = 0
        for request_id in await self._joins.overdue(to_ms(now)):
            r = await self._queue.get(request_id)
            if r is None or r.state != ACCEPTED or r.appointment is None:
                await self._joins.forget(request_id)
                continue
            gone = r.appointment.provider_id
            left_out = set(await self._offers.declined(request_id)) | {gone}
            again = [p for p in await self._offers.offered(request_id) if p not in left_out]
            withdrawn = ev.UrgentWithdrawn(
                request_id=request_id, agency_id=r.agency_id, provider_ids=[gone], reason="replaced"
            )
            offered = None
            if again:
                payload = ev.UrgentOffered(
                    request_id=request_id, agency_id=r.agency_id, provider_ids=again, tier=r.tier
                )
                payload.requested_at.FromDatetime(from_ms(r.queued_ms))
                offered = build(payload, subject=request_id, when=now)
            if await self._joins.replace(r, gone, build(withdrawn, subject=request_id, when=now), offered):
                await self._withdraw(r.appointment.appointment_id, "urgent_replaced")
                replaced += 1
        return replaced
