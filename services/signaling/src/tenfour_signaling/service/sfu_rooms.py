"""Where each group room's media lives: placed on the least-loaded healthy SFU instance,
recorded once (one winner across instances) and created there; moved to another instance when
its own stops answering; participants' legs hung up when they leave, the room destroyed when
the session ends. Media clean-up follows committed room changes and is best effort.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from tenfour_signaling.domain import (
    IceRestart,
    LeaveReason,
    MediaUnavailable,
    ParticipantLeft,
    Presence,
    RoomStateError,
    Transition,
)
from tenfour_signaling.domain.records import StoredRoom
from tenfour_signaling.service.ports import SfuLegs
from tenfour_signaling.service.service_signals import tell_present
from tenfour_signaling.service.sfu_port import SfuPort, SfuRoom, SfuUnavailable
from tenfour_signaling.service.writer import RoomWriter, expire_at

__all__ = ["SfuRooms", "available"]

log = logging.getLogger("tenfour.signaling.media")
T = TypeVar("T")


async def available(call: Awaitable[T]) -> T:
    """The SFU's answer, or MediaUnavailable (UNAVAILABLE) when it did not give one."""
    try:
        return await call
    except SfuUnavailable as exc:
        log.warning("media server request failed: %s", exc)
        raise MediaUnavailable("the media server is not available; please try again shortly") from exc


class SfuRooms:
    def __init__(
        self,
        writer: RoomWriter,
        sfu: SfuPort | None,
        store: SfuLegs,
        instances: list[str],
        clock: Callable[[], datetime],
    ) -> None:
        self._writer = writer
        self._sfu = sfu
        self._store = store
        self._instances = instances
        self._clock = clock
        self._created: set[str] = set()  # rooms this instance knows exist on their SFU

    @property
    def configured(self) -> bool:
        return self._sfu is not None and bool(self._instances)

    def require(self) -> SfuPort:
        if self._sfu is None or not self._instances:
            raise RoomStateError("this session is peer to peer (no media server)")
        return self._sfu

    async def room(self, appointment_id: str, stored: StoredRoom) -> SfuRoom:
        """The room's SFU room: recorded first (one winner across instances), then created
        (idempotent), so every instance uses the secrets the SFU room was made with."""
        recorded = await self._store.room(appointment_id)
        if recorded is not None and appointment_id in self._created:
            return recorded
        if recorded is None:
            instance = await self._least_loaded()
            proposal = SfuRoom(
                instance, stored.room.session_id, secrets.token_urlsafe(24), secrets.token_urlsafe(12)
            )
            expires = expire_at(stored.room, self._writer.times)
            recorded = await self._store.claim_room(appointment_id, proposal, expires)
        await available(self.require().create_room(recorded, len(stored.room.seats)))
        self._created.add(appointment_id)
        return recorded

    async def _least_loaded(self, avoid: str = "") -> str:
        sfu = self.require()
        candidates = [i for i in self._instances if i != avoid]
        loads = await self._store.loads(candidates)
        for instance in sorted(candidates, key=lambda i: (loads[i], candidates.index(i))):
            if await sfu.healthy(instance):
                return instance
        raise MediaUnavailable("the media server is not available; please try again shortly")

    # --- following the rooms (committed transitions, failover) --------------------------------

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
