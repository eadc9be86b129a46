"""Rooms, per-recipient sequence numbers and resume buffers in Redis, with expiry.

Every key of one room carries the ``{appointment_id}`` hash tag, so a transition (room state,
the signals it sends, its outbox events) is one Lua script, valid on Redis Cluster too. The
room is compare-and-set on a version; signal relays check the same version, so a sender is
always authorized against the room as it is when its signal is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import redis.asyncio as aioredis

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.signaling.v1.signaling_pb2 import SignalEvent
from tenfour_shared.events import outbox
from tenfour_shared.redis_store import Keys, as_bytes, load_script
from tenfour_signaling.domain import Room
from tenfour_signaling.domain.records import Committed, Delivery, Rejected, Relayed, StoredRoom

__all__ = ["Committed", "Delivery", "Rejected", "Relayed", "RoomStore", "StoredRoom", "keys"]

SERVICE = "signaling"
keys = Keys(SERVICE)
_PACKAGE = "tenfour_signaling.adapters"
MAX_HELD = 512  # per recipient; overflow is detected like an aged-out gap (MustRejoin)
DEDUPE_TTL = timedelta(minutes=5)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class RoomStore:
    def __init__(self, redis: aioredis.Redis, resume_window: timedelta) -> None:
        self._redis = redis
        self._window_ms = int(resume_window.total_seconds() * 1000)
        prelude = resources.files(_PACKAGE).joinpath("push.lua").read_text("utf-8") + outbox.LUA_PRELUDE
        self._commit = load_script(redis, _PACKAGE, "commit.lua", prelude)
        self._relay = load_script(redis, _PACKAGE, "relay.lua", prelude)
        self._held = load_script(redis, _PACKAGE, "held.lua")

    # --- rooms -------------------------------------------------------------------------------

    async def get(self, appointment_id: str) -> StoredRoom | None:
        version, data = await self._redis.hmget(keys("room", appointment_id), ["version", "data"])
        if data is None:
            return None
        return StoredRoom(Room.model_validate_json(as_bytes(data)), int(as_bytes(version)))

    async def appointment_for(self, session_id: str) -> str | None:
        raw = await self._redis.get(keys("session", session_id))
        return None if raw is None else as_bytes(raw).decode()

    async def index_session(self, room: Room, expire_at: datetime) -> None:
        await self._redis.set(keys("session", room.session_id), room.appointment_id, pxat=_ms(expire_at))

    async def commit(
        self,
        before: StoredRoom | None,
        room: Room,
        expire_at: datetime,
        deliveries: Sequence[Delivery] = (),
        events: Sequence[Envelope] = (),
        must_be_absent: Sequence[str] = (),
        report_seq_of: str = "",
    ) -> Committed | Rejected:
        """Write ``room`` if it is still at ``before``'s version (None: only if it is new)."""
        tag = room.appointment_id
        key_list = [keys("room", tag), keys("seqs", tag), outbox.outbox_key(SERVICE, tag)]
        key_list += [keys("buf", tag, d.recipient) for d in deliveries]
        key_list += list(must_be_absent)
        args: list[Any] = [
            0 if before is None else before.version,
            room.model_dump_json(),
            _ms(expire_at),
            self._window_ms,
            MAX_HELD,
            len(deliveries),
            len(must_be_absent),
            len(events),
            report_seq_of,
        ]
        for d in deliveries:
            args += [d.recipient, d.event.SerializeToString()]
        for env in events:
            args += outbox.script_args(env)
        reply = await self._commit(keys=key_list, args=args)
        if int(reply[0]) != 1:
            return Rejected("version" if int(reply[0]) == 0 else "exists")
        return Committed(StoredRoom(room, int(reply[1])), tuple(int(s) for s in reply[3:]), int(reply[2]))

    async def relay(
        self,
        stored: StoredRoom,
        sender: str,
        client_msg_id: str | None,
        deliveries: Sequence[Delivery],
        expire_at: datetime,
    ) -> Relayed | None:
        """Store one signal for its recipients; None if the room changed since ``stored``."""
        tag = stored.room.appointment_id
        key_list = [
            keys("room", tag),
            keys("seqs", tag),
            keys("sent", tag),
            keys("dedupe", tag, sender, client_msg_id or ""),
            *(keys("buf", tag, d.recipient) for d in deliveries),
        ]
        ttl = int(DEDUPE_TTL.total_seconds() * 1000) if client_msg_id else 0
        args: list[Any] = [
            stored.version,
            sender,
            ttl,
            _ms(expire_at),
            self._window_ms,
            MAX_HELD,
            len(deliveries),
        ]
        for d in deliveries:
            args += [d.recipient, d.event.SerializeToString()]
        reply = await self._relay(keys=key_list, args=args)
        status = int(reply[0])
        if status == 0:
            return None
        return Relayed(int(reply[1]), status == 2, tuple(int(s) for s in reply[2:]))

    async def stage_events(self, appointment_id: str, events: Sequence[Envelope]) -> None:
        """Lifecycle events that change no room state (e.g. a reported connection)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            for env in events:
                outbox.stage(pipe, SERVICE, appointment_id, env)
            await pipe.execute()

    async def held(self, appointment_id: str, handle: str) -> tuple[int, list[SignalEvent]]:
        """(last seq, retained events oldest first, seqs stamped) for one recipient."""
        reply = await self._held(
            keys=[keys("seqs", appointment_id), keys("buf", appointment_id, handle)],
            args=[handle, self._window_ms],
        )
        events = []
        for _entry_id, raw_fields in reply[1]:
            flat = [as_bytes(f) for f in raw_fields]
            fields = dict(zip(flat[::2], flat[1::2], strict=True))
            event = SignalEvent.FromString(fields[b"d"])
            event.seq = int(fields[b"s"])
            events.append(event)
        return int(reply[0]), events

    async def last_seq(self, appointment_id: str, handle: str) -> int:
        raw = await self._redis.hget(keys("seqs", appointment_id), handle)
        return 0 if raw is None else int(as_bytes(raw))

    # --- liveness of participants' streams --------------------------------------------------

    @staticmethod
    def connection_key(appointment_id: str, handle: str) -> str:
        return keys("conn", appointment_id, handle)

    async def touch_connection(self, appointment_id: str, handle: str, ttl: timedelta) -> None:
        await self._redis.set(
            self.connection_key(appointment_id, handle), b"1", px=int(ttl.total_seconds() * 1000)
        )

    async def drop_connection(self, appointment_id: str, handle: str) -> None:
        await self._redis.delete(self.connection_key(appointment_id, handle))

    async def connected(self, appointment_id: str, handles: Sequence[str]) -> set[str]:
        if not handles:
            return set()
        found = await self._redis.mget([self.connection_key(appointment_id, h) for h in handles])
        return {h for h, v in zip(handles, found, strict=True) if v is not None}

    # --- indexes the sweeper walks (written before, cleared after the room changes) ---------

    async def mark_closing(self, appointment_id: str, closes_at: datetime) -> None:
        await self._redis.zadd(keys("closing"), {appointment_id: _ms(closes_at)})

    async def due(self, now: datetime, limit: int = 200) -> list[str]:
        raw = await self._redis.zrangebyscore(keys("closing"), "-inf", _ms(now), start=0, num=limit)
        return [as_bytes(r).decode() for r in raw]

    async def unmark_closing(self, appointment_id: str) -> None:
        await self._redis.zrem(keys("closing"), appointment_id)

    async def mark_occupied(self, appointment_id: str) -> None:
        await self._redis.sadd(keys("occupied"), appointment_id)

    async def unmark_occupied(self, appointment_id: str) -> None:
        await self._redis.srem(keys("occupied"), appointment_id)

    async def occupied(self) -> list[str]:
        return [as_bytes(r).decode() for r in await self._redis.smembers(keys("occupied"))]

    async def take_turn(self, name: str, owner: str, ttl: timedelta) -> bool:
        """A lease so that one instance at a time runs periodic work (others skip the round)."""
        got = await self._redis.set(keys("lease", name), owner, nx=True, px=int(ttl.total_seconds() * 1000))
        return bool(got)
