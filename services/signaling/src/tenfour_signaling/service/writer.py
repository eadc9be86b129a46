"""The one write path for rooms, and the cache every instance reads them through.

Every change is "load, decide with the pure domain, commit if nobody changed the room
meanwhile" (retried on conflict); the commit stores the signals it sends and its lifecycle
events atomically, then the signals go out live and the outbox relay is woken.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tenfour.signaling.v1.signaling_pb2 import SignalEvent
from tenfour_shared.errors import ConcurrentChange
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_signaling.domain import NotFound, Room, Transition, deliveries
from tenfour_signaling.domain.records import Committed, Delivery, Rejected, StoredRoom
from tenfour_signaling.service.lifecycle import lifecycle_events
from tenfour_signaling.service.ports import LiveSignals, RoomRecords
from tenfour_signaling.wire import signal_event

__all__ = ["Clock", "RoomTimes", "RoomWriter", "Watcher", "expire_at"]

Clock = Callable[[], datetime]
# Told about every committed transition (e.g. group media hangs up who left); never raises.
Watcher = Callable[[str, Transition], Awaitable[None]]
_CACHE_SIZE = 4096
_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class RoomTimes:
    open_before: timedelta
    grace_after: timedelta
    retention: timedelta  # ended rooms stay readable (late resume, GetRoom) this long
    resume_window: timedelta


def expire_at(room: Room, times: RoomTimes) -> datetime:
    last = room.closes_at if room.ended_at is None else min(room.closes_at, room.ended_at)
    return last + times.retention


class RoomWriter:
    def __init__(
        self, store: RoomRecords, live: LiveSignals, relay: OutboxRelay, times: RoomTimes, clock: Clock
    ) -> None:
        self.store = store
        self._live = live
        self._relay = relay
        self.times = times
        self.clock = clock
        self._cache: OrderedDict[str, StoredRoom] = OrderedDict()
        self._sessions: OrderedDict[str, str] = OrderedDict()
        self._watchers: list[Watcher] = []

    def watch(self, watcher: Watcher) -> None:
        self._watchers.append(watcher)

    # --- reading -----------------------------------------------------------------------------

    def remember(self, stored: StoredRoom) -> StoredRoom:
        key = stored.room.appointment_id
        known = self._cache.get(key)
        if known is None or known.version <= stored.version:
            self._cache[key] = stored
        self._cache.move_to_end(key)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return self._cache[key]

    async def fresh(self, appointment_id: str) -> StoredRoom:
        stored = await self.store.get(appointment_id)
        if stored is None:
            self._cache.pop(appointment_id, None)
            raise NotFound("no session for this appointment")
        return self.remember(stored)

    async def cached(self, appointment_id: str) -> StoredRoom:
        """Possibly stale: writes check the version, and refusals re-check a fresh copy."""
        stored = self._cache.get(appointment_id)
        return stored if stored is not None else await self.fresh(appointment_id)

    async def appointment_for(self, session_id: str) -> str:
        appointment_id = self._sessions.get(session_id)
        if appointment_id is None:
            appointment_id = await self.store.appointment_for(session_id)
            if appointment_id is None:
                raise NotFound("no such session")
            self._sessions[session_id] = appointment_id
            while len(self._sessions) > _CACHE_SIZE:
                self._sessions.popitem(last=False)
        return appointment_id

    # --- writing -----------------------------------------------------------------------------

    async def apply(
        self,
        appointment_id: str,
        change: Callable[[Room], Transition],
        *,
        must_be_absent: Sequence[str] = (),
        report_seq_of: str = "",
    ) -> tuple[Transition, Committed | None]:
        """Decide with ``change`` on the current room and commit; None when nothing changed."""
        for _ in range(_ATTEMPTS):
            stored = await self.fresh(appointment_id)
            t = change(stored.room)
            if t.room == stored.room and not t.events:
                return t, None
            sends = [
                Delivery(handle, signal_event(t.room.session_id, payload, self.clock()))
                for handle, payload in deliveries(t)
            ]
            result = await self.store.commit(
                stored,
                t.room,
                expire_at(t.room, self.times),
                sends,
                lifecycle_events(t),
                must_be_absent,
                report_seq_of,
            )
            if isinstance(result, Rejected):
                if result.reason == "exists":
                    return Transition(stored.room, stored.room), None
                continue
            self.remember(result.stored)
            await self.publish(t.room.session_id, sends, result.seqs)
            if t.events:
                await self._relay.notify(appointment_id)
                for watcher in self._watchers:
                    await watcher(appointment_id, t)
            return t, result
        raise ConcurrentChange("the session changed too often; try again")

    async def create(self, room: Room) -> bool:
        """Store a new room; False if one exists already."""
        await self.store.index_session(room, expire_at(room, self.times))
        await self.store.mark_closing(room.appointment_id, room.closes_at)
        created = await self.store.commit(None, room, expire_at(room, self.times))
        if isinstance(created, Committed):
            self.remember(created.stored)
            return True
        return False

    async def notify(self, appointment_id: str) -> None:
        await self._relay.notify(appointment_id)

    async def publish(self, session_id: str, sends: Sequence[Delivery], seqs: Sequence[int]) -> None:
        for delivery, seq in zip(sends, seqs, strict=True):
            stamped = SignalEvent()
            stamped.CopyFrom(delivery.event)
            stamped.seq = seq
            await self._live.publish(session_id, delivery.recipient, stamped.SerializeToString())
