"""Group media through the SFU: signaling is the only party that talks to it.

A participant publishes once and subscribes to each other admitted participant's feed; every
request is checked against the room as stored (admitted, not removed, session running) before
it is relayed to the SFU. Where each room lives on the SFU, and its failover: sfu_rooms.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tenfour_signaling.domain import (
    Answer,
    MediaMode,
    MuteRequestedSignal,
    NotAllowed,
    NotFound,
    Offer,
    Presence,
    Renegotiate,
    Room,
    RoomStateError,
    Seat,
    SignalPayload,
    display_name,
    filter_sdp_candidates,
    media_mode,
    require_in_call,
)
from tenfour_signaling.domain.ice import IceSettings, seat_relay_only
from tenfour_signaling.domain.records import StoredRoom, publisher_field, subscriber_field
from tenfour_signaling.service.access import Caller, require_seat
from tenfour_signaling.service.ports import SfuLegs
from tenfour_signaling.service.service_signals import tell_present
from tenfour_signaling.service.sfu_port import Leg
from tenfour_signaling.service.sfu_rooms import SfuRooms, available
from tenfour_signaling.service.writer import RoomWriter

__all__ = ["Feed", "GroupMedia"]

log = logging.getLogger("tenfour.signaling.media")

_RELAY = frozenset({"relay"})
_MEDIA_UP_TIMEOUT = 45.0


@dataclass(frozen=True, slots=True)
class Feed:
    participant_id: str
    display_name: str
    role: str


@dataclass(frozen=True, slots=True)
class _InCall:
    appointment_id: str
    stored: StoredRoom
    seat: Seat


class GroupMedia:
    def __init__(
        self,
        writer: RoomWriter,
        rooms: SfuRooms,
        store: SfuLegs,
        *,
        sfu_for_pairs: bool,
        ice: IceSettings | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._writer = writer
        self._rooms = rooms
        self._store = store
        self._sfu_for_pairs = sfu_for_pairs
        self._ice = ice
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    def mode(self, room: Room) -> MediaMode:
        return media_mode(room, sfu_available=self._rooms.configured, sfu_for_pairs=self._sfu_for_pairs)

    # --- participants' requests ----------------------------------------------------------------

    async def publish(self, caller: Caller, session_id: str, offer_sdp: str, chosen_name: str) -> str:
        offer = Offer(sdp=offer_sdp)  # validated (size, shape); never echoed
        at = await self._in_call(caller, session_id)
        sdp = offer.sdp
        if seat_relay_only(self._ice, at.seat, at.stored.room.agency_id):
            sdp = filter_sdp_candidates(sdp, _RELAY, hide_related=True)
        name = display_name(chosen_name, at.seat)
        sfu = self._rooms.require()
        field = publisher_field(at.seat.handle)
        room = await self._rooms.room(at.appointment_id, at.stored)
        old = await self._store.leg(at.appointment_id, field)
        if old is not None:
            await sfu.hang_up(old)  # a new client (or a retry): the feed id must be free
        leg, answer = await available(sfu.publish(room, at.seat.handle, name, sdp))
        await self._store.swap_leg(at.appointment_id, field, leg)
        task = asyncio.create_task(self._announce_when_up(at, leg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return answer

    async def _announce_when_up(self, at: _InCall, leg: Leg) -> None:
        """Once the new feed's media is up, the others are told to fetch the feed list again."""
        try:
            if await self._rooms.require().wait_media_up(leg, _MEDIA_UP_TIMEOUT):
                await self._tell_others(at, Renegotiate())
        except Exception:
            log.warning(
                "could not announce a new feed", extra={"appointment_id": at.appointment_id}, exc_info=True
            )

    async def shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def feeds(self, caller: Caller, session_id: str) -> list[Feed]:
        at = await self._in_call(caller, session_id)
        room = await self._rooms.room(at.appointment_id, at.stored)
        published = await available(self._rooms.require().publishers(room))
        out = []
        for p in published:
            seat = at.stored.room.seat_by_handle(p.feed)
            if seat is None or seat.handle == at.seat.handle or seat.presence is not Presence.ADMITTED:
                continue
            out.append(Feed(seat.handle, p.display, seat.participant.role.value))
        return out

    async def subscribe(self, caller: Caller, session_id: str, feed: str) -> str:
        at = await self._in_call(caller, session_id)
        target = at.stored.room.seat_by_handle(feed)
        if target is None or target.handle == at.seat.handle or target.presence is not Presence.ADMITTED:
            raise NotFound("that participant is not in the call")
        room = await self._rooms.room(at.appointment_id, at.stored)
        sfu = self._rooms.require()
        leg, offer = await available(sfu.subscribe(room, feed))
        old = await self._store.swap_leg(at.appointment_id, subscriber_field(at.seat.handle, feed), leg)
        if old is not None:
            await sfu.hang_up(old)
        return offer

    async def answer(self, caller: Caller, session_id: str, feed: str, answer_sdp: str) -> None:
        answer = Answer(sdp=answer_sdp)
        at = await self._in_call(caller, session_id)
        leg = await self._store.leg(at.appointment_id, subscriber_field(at.seat.handle, feed))
        if leg is None:
            raise RoomStateError("subscribe to that participant first")
        sdp = answer.sdp
        if seat_relay_only(self._ice, at.seat, at.stored.room.agency_id):
            sdp = filter_sdp_candidates(sdp, _RELAY, hide_related=True)
        await available(self._rooms.require().start(leg, sdp))

    async def ask_to_mute(self, caller: Caller, appointment_id: str, handle: str) -> Room:
        stored = await self._writer.fresh(appointment_id)
        seat = require_seat(stored.room, caller)
        if not seat.participant.role.is_provider or seat.presence is not Presence.ADMITTED:
            raise NotAllowed("only the session's provider, in the call, can do this")
        target = stored.room.seat_by_handle(handle)
        if target is None or target.presence is not Presence.ADMITTED or target.handle == seat.handle:
            raise NotFound("that participant is not in the call")
        await tell_present(self._writer, self._clock, stored, [handle], MuteRequestedSignal())
        return stored.room

    # --- room lifecycle (watching committed transitions) ---------------------------------------

    # --- helpers -------------------------------------------------------------------------------

    async def _in_call(self, caller: Caller, session_id: str) -> _InCall:
        appointment_id = await self._writer.appointment_for(session_id)
        stored = await self._writer.fresh(appointment_id)
        seat = require_seat(stored.room, caller)
        require_in_call(stored.room, seat, self._clock())
        if self.mode(stored.room) is not MediaMode.SFU:
            raise RoomStateError("this session is peer to peer: use Send")
        return _InCall(appointment_id, stored, seat)

    async def _tell_others(self, at: _InCall, payload: SignalPayload) -> None:
        stored = await self._writer.fresh(at.appointment_id)
        others = [
            s.handle
            for s in stored.room.seats
            if s.presence is Presence.ADMITTED and s.handle != at.seat.handle
        ]
        await tell_present(self._writer, self._clock, stored, others, payload)
