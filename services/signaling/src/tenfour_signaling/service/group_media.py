"""Group media through the SFU: signaling is the only party that talks to it.

A participant publishes once and subscribes to each other admitted participant's feed; every
request is checked against the room as stored (admitted, not removed, session running) before
it is relayed to the SFU. Rooms go to the least-loaded healthy SFU instance; when that
instance fails, the room is re-created on another and everyone is told to publish again.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from tenfour_signaling.domain import (
    Answer,
    IceRestart,
    LeaveReason,
    MediaMode,
    MediaUnavailable,
    MuteRequestedSignal,
    NotAllowed,
    NotFound,
    Offer,
    ParticipantLeft,
    Presence,
    Renegotiate,
    Room,
    RoomStateError,
    Seat,
    SignalPayload,
    Transition,
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
from tenfour_signaling.service.sfu_port import Leg, SfuPort, SfuRoom, SfuUnavailable
from tenfour_signaling.service.writer import RoomWriter, expire_at

__all__ = ["Feed", "GroupMedia"]

log = logging.getLogger("tenfour.signaling.media")
T = TypeVar("T")

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


async def _available(call: Awaitable[T]) -> T:
    try:
        return await call
    except SfuUnavailable as exc:
        log.warning("media server request failed: %s", exc)
        raise MediaUnavailable("the media server is not available; please try again shortly") from exc


class GroupMedia:
    def __init__(
        self,
        writer: RoomWriter,
        sfu: SfuPort | None,
        store: SfuLegs,
        instances: list[str],
        *,
        sfu_for_pairs: bool,
        ice: IceSettings | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._writer = writer
        self._sfu = sfu
        self._store = store
        self._instances = instances
        self._sfu_for_pairs = sfu_for_pairs
        self._ice = ice
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()
        self._created: set[str] = set()  # rooms this instance knows exist on their SFU

    def mode(self, room: Room) -> MediaMode:
        available = self._sfu is not None and bool(self._instances)
        return media_mode(room, sfu_available=available, sfu_for_pairs=self._sfu_for_pairs)

    # --- participants' requests ----------------------------------------------------------------

    async def publish(self, caller: Caller, session_id: str, offer_sdp: str, chosen_name: str) -> str:
        offer = Offer(sdp=offer_sdp)  # validated (size, shape); never echoed
        at = await self._in_call(caller, session_id)
        sdp = offer.sdp
        if seat_relay_only(self._ice, at.seat, at.stored.room.agency_id):
            sdp = filter_sdp_candidates(sdp, _RELAY, hide_related=True)
        name = display_name(chosen_name, at.seat)
        sfu = self._require_sfu()
        field = publisher_field(at.seat.handle)
        room = await self._room(at)
        old = await self._store.leg(at.appointment_id, field)
        if old is not None:
            await sfu.hang_up(old)  # a new client (or a retry): the feed id must be free
        leg, answer = await _available(sfu.publish(room, at.seat.handle, name, sdp))
        await self._store.swap_leg(at.appointment_id, field, leg)
        task = asyncio.create_task(self._announce_when_up(at, leg))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return answer

    async def _announce_when_up(self, at: _InCall, leg: Leg) -> None:
        """Once the new feed's media is up, the others are told to fetch the feed list again."""
        try:
            if await self._require_sfu().wait_media_up(leg, _MEDIA_UP_TIMEOUT):
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
        room = await self._room(at)
        published = await _available(self._require_sfu().publishers(room))
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
        room = await self._room(at)
        sfu = self._require_sfu()
        leg, offer = await _available(sfu.subscribe(room, feed))
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
        await _available(self._require_sfu().start(leg, sdp))

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

    async def on_transition(self, appointment_id: str, t: Transition) -> None:
        if self._sfu is None:
            return
        try:
            if t.room.ended_at is not None and t.before.ended_at is None:
                await self.close(appointment_id)
                return
            for event in t.events:
                if isinstance(event, ParticipantLeft):
                    await self._drop(
                        appointment_id, event.participant, kick=event.reason is LeaveReason.REMOVED
                    )
        except Exception:  # the room change is committed; media clean-up is best effort
            log.warning("media clean-up failed", extra={"appointment_id": appointment_id}, exc_info=True)

    async def check_instances(self) -> None:
        """Failover: rooms on an SFU instance that stopped answering are re-created on the
        least-loaded healthy one, and everyone in them is told to publish again (a service
        ``ice_restart``); their old legs died with the instance."""
        if self._sfu is None:
            return
        health: dict[str, bool] = {}
        for appointment_id in await self._store.rooms():
            room = await self._store.room(appointment_id)
            if room is None:
                await self._store.forget_room(appointment_id)
                continue
            if room.instance not in health:
                health[room.instance] = await self._sfu.healthy(room.instance)
            if not health[room.instance]:
                try:
                    await self._move(appointment_id, room)
                except Exception:
                    log.warning(
                        "media room not moved", extra={"appointment_id": appointment_id}, exc_info=True
                    )

    async def _move(self, appointment_id: str, room: SfuRoom) -> None:
        assert self._sfu is not None
        stored = await self._writer.store.get(appointment_id)
        if stored is None or stored.room.ended_at is not None:
            await self._store.forget_room(appointment_id)
            return
        instance = await self._least_loaded(avoid=room.instance)
        moved = SfuRoom(instance, room.room, room.secret, room.pin)
        await self._sfu.create_room(moved, len(stored.room.seats))
        await self._store.replace_room(
            appointment_id, room, moved, expire_at(stored.room, self._writer.times)
        )
        self._created.add(appointment_id)
        log.warning("media room moved to another SFU instance", extra={"appointment_id": appointment_id})
        admitted = [s.handle for s in stored.room.seats if s.presence is Presence.ADMITTED]
        await tell_present(self._writer, self._clock, stored, admitted, IceRestart())

    async def close(self, appointment_id: str) -> None:
        self._created.discard(appointment_id)
        room, legs = await self._store.forget_room(appointment_id)
        if self._sfu is None or room is None:
            return
        for leg in legs:
            await self._sfu.hang_up(leg)
        try:
            await self._sfu.destroy_room(room)
        except SfuUnavailable:
            log.warning("media room not destroyed (instance down)", extra={"appointment_id": appointment_id})

    async def _drop(self, appointment_id: str, handle: str, *, kick: bool) -> None:
        assert self._sfu is not None
        for leg in await self._store.take_legs(appointment_id, handle):
            await self._sfu.hang_up(leg)
        if kick:
            room = await self._store.room(appointment_id)
            if room is not None:
                await self._sfu.kick(room, handle)

    # --- helpers -------------------------------------------------------------------------------

    def _require_sfu(self) -> SfuPort:
        if self._sfu is None or not self._instances:
            raise RoomStateError("this session is peer to peer (no media server)")
        return self._sfu

    async def _in_call(self, caller: Caller, session_id: str) -> _InCall:
        appointment_id = await self._writer.appointment_for(session_id)
        stored = await self._writer.fresh(appointment_id)
        seat = require_seat(stored.room, caller)
        require_in_call(stored.room, seat, self._clock())
        if self.mode(stored.room) is not MediaMode.SFU:
            raise RoomStateError("this session is peer to peer: use Send")
        return _InCall(appointment_id, stored, seat)

    async def _room(self, at: _InCall) -> SfuRoom:
        """The room's SFU room: recorded first (one winner across instances), then created
        (idempotent), so every instance uses the secrets the SFU room was made with."""
        recorded = await self._store.room(at.appointment_id)
        if recorded is not None and at.appointment_id in self._created:
            return recorded
        if recorded is None:
            instance = await self._least_loaded()
            proposal = SfuRoom(
                instance, at.stored.room.session_id, secrets.token_urlsafe(24), secrets.token_urlsafe(12)
            )
            expires = expire_at(at.stored.room, self._writer.times)
            recorded = await self._store.claim_room(at.appointment_id, proposal, expires)
        await _available(self._require_sfu().create_room(recorded, len(at.stored.room.seats)))
        self._created.add(at.appointment_id)
        return recorded

    async def _least_loaded(self, avoid: str = "") -> str:
        sfu = self._require_sfu()
        candidates = [i for i in self._instances if i != avoid]
        loads = await self._store.loads(candidates)
        for instance in sorted(candidates, key=lambda i: (loads[i], candidates.index(i))):
            if await sfu.healthy(instance):
                return instance
        raise MediaUnavailable("the media server is not available; please try again shortly")

    async def _tell_others(self, at: _InCall, payload: SignalPayload) -> None:
        stored = await self._writer.fresh(at.appointment_id)
        others = [
            s.handle
            for s in stored.room.seats
            if s.presence is Presence.ADMITTED and s.handle != at.seat.handle
        ]
        await tell_present(self._writer, self._clock, stored, others, payload)
