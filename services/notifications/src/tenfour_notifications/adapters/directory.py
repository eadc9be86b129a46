"""Read models from events: people's role and agency, appointments, provider names, followers."""

from __future__ import annotations

import json
from typing import Any

import redis.asyncio as aioredis

from tenfour_notifications.adapters.codec import from_ms, ms
from tenfour_notifications.adapters.keys import keys
from tenfour_notifications.domain.records import AppointmentView, UserInfo
from tenfour_shared.redis_store import as_bytes

__all__ = ["RedisDirectory"]

KEEP_SECONDS = 400 * 24 * 3600

# KEYS: 1 appointment; ARGV: 1 json, 2 version, 3 keep s. Returns the previous json when the
# new one is newer and stored, else "".
_PUT_APPOINTMENT = """
local old = redis.call('GET', KEYS[1])
if old then
  local v = cjson.decode(old)['version']
  if v >= tonumber(ARGV[2]) then return '' end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return old or ''
"""


def _view_json(v: AppointmentView) -> str:
    return json.dumps(
        {
            "id": v.appointment_id,
            "agency": v.agency_id,
            "provider": v.provider_id,
            "officers": list(v.officer_ids),
            "start_ms": ms(v.start) if v.start else 0,
            "status": v.status,
            "group": v.group,
            "capacity": v.capacity,
            "version": v.version,
        }
    )


def _view_from(raw: bytes) -> AppointmentView:
    d: dict[str, Any] = json.loads(raw)
    return AppointmentView(
        appointment_id=d["id"],
        agency_id=d["agency"],
        provider_id=d["provider"],
        officer_ids=tuple(d["officers"]),
        start=from_ms(d["start_ms"]) if d["start_ms"] else None,
        status=d["status"],
        group=bool(d["group"]),
        capacity=int(d["capacity"]),
        version=int(d["version"]),
    )


class RedisDirectory:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._put_appointment = redis.register_script(_PUT_APPOINTMENT)

    async def user(self, user_id: str) -> UserInfo | None:
        raw = await self._redis.hgetall(keys("user", user_id))
        if not raw:
            return None
        f = {as_bytes(a).decode(): as_bytes(b).decode() for a, b in raw.items()}
        return UserInfo(user_id, f.get("role", ""), f.get("agency", ""))

    async def put_user(self, info: UserInfo) -> None:
        await self._redis.hset(
            keys("user", info.user_id), mapping={"role": info.role, "agency": info.agency_id}
        )
        if info.role == "agency_admin" and info.agency_id:
            await self._redis.sadd(keys("admins", info.agency_id), info.user_id)
        if info.role in ("officer", "peer_supporter") and info.agency_id:
            await self._redis.sadd(keys("officers", info.agency_id), info.user_id)

    async def forget_user(self, user_id: str) -> None:
        info = await self.user(user_id)
        if info is not None and info.agency_id:
            await self._redis.srem(keys("admins", info.agency_id), user_id)
            await self._redis.srem(keys("officers", info.agency_id), user_id)
        await self._redis.delete(keys("user", user_id))

    async def agency_officers(self, agency_id: str) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(keys("officers", agency_id)))

    async def agency_admins(self, agency_id: str) -> list[str]:
        return sorted(as_bytes(m).decode() for m in await self._redis.smembers(keys("admins", agency_id)))

    async def appointment(self, appointment_id: str) -> AppointmentView | None:
        raw = await self._redis.get(keys("appointment", appointment_id))
        return _view_from(as_bytes(raw)) if raw else None

    async def put_appointment(self, view: AppointmentView) -> AppointmentView | None:
        old = await self._put_appointment(
            keys=[keys("appointment", view.appointment_id)],
            args=[_view_json(view), view.version, KEEP_SECONDS],
        )
        return _view_from(as_bytes(old)) if old else None

    async def provider_name(self, provider_id: str) -> str:
        raw = await self._redis.hget(keys("provider", provider_id), "name")
        return as_bytes(raw).decode() if raw else ""

    async def put_provider_name(self, provider_id: str, name: str, version: int) -> None:
        key = keys("provider", provider_id)
        current = await self._redis.hget(key, "version")
        if current is not None and int(as_bytes(current)) >= version:
            return
        await self._redis.hset(key, mapping={"name": name, "version": version})

    async def followers(self, appointment_id: str) -> list[str]:
        members = await self._redis.smembers(keys("followers", appointment_id))
        return sorted(as_bytes(m).decode() for m in members)

    async def follow(self, appointment_id: str, user_id: str, on: bool) -> None:
        key = keys("followers", appointment_id)
        if on:
            await self._redis.sadd(key, user_id)
            await self._redis.expire(key, KEEP_SECONDS)
        else:
            await self._redis.srem(key, user_id)
