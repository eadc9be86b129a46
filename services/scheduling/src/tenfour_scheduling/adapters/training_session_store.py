"""Training sessions for staff, in the agency's slot (``{agency_id}``): the sessions (a hash of
TrainingSession by id), who joined each (a set, from signaling's events) and whose completion
was already recorded (a set, so a redelivered end records nothing twice)."""

from __future__ import annotations

import redis.asyncio as aioredis

from tenfour.scheduling.v1 import training_sessions_pb2 as spb
from tenfour_scheduling.adapters.keys import keys
from tenfour_shared.redis_store import as_bytes

__all__ = ["TrainingSessionStore"]


class TrainingSessionStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def save(self, session: spb.TrainingSession) -> spb.TrainingSession:
        """Stores the session unless one with its id exists; the stored one."""
        key = keys("training-sessions", session.agency_id)
        await self._redis.hsetnx(key, session.training_id, session.SerializeToString())
        stored = await self.get(session.agency_id, session.training_id)
        assert stored is not None
        return stored

    async def get(self, agency_id: str, training_id: str) -> spb.TrainingSession | None:
        raw = await self._redis.hget(keys("training-sessions", agency_id), training_id)
        if raw is None:
            return None
        out = spb.TrainingSession()
        out.ParseFromString(as_bytes(raw))
        return out

    async def sessions(self, agency_id: str) -> list[spb.TrainingSession]:
        out = []
        for raw in (await self._redis.hgetall(keys("training-sessions", agency_id))).values():
            session = spb.TrainingSession()
            session.ParseFromString(as_bytes(raw))
            out.append(session)
        return out

    async def add_joined(self, agency_id: str, training_id: str, user_id: str) -> None:
        await self._redis.sadd(keys("training-joined", agency_id, training_id), user_id)

    async def joined(self, agency_id: str, training_id: str) -> set[str]:
        found = await self._redis.smembers(keys("training-joined", agency_id, training_id))
        return {as_bytes(m).decode() for m in found}

    async def was_recorded(self, agency_id: str, training_id: str, user_id: str) -> bool:
        return bool(await self._redis.sismember(keys("training-recorded", agency_id, training_id), user_id))

    async def mark_recorded(self, agency_id: str, training_id: str, user_id: str) -> None:
        await self._redis.sadd(keys("training-recorded", agency_id, training_id), user_id)

    async def mark_ended(self, agency_id: str, training_id: str) -> None:
        await self._redis.sadd(keys("training-ended", agency_id), training_id)

    async def ended(self, agency_id: str) -> set[str]:
        return {as_bytes(m).decode() for m in await self._redis.smembers(keys("training-ended", agency_id))}
