"""Appointments in Redis: reading records and the officers' and providers' indexes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import redis.asyncio as aioredis

from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.adapters.keys import OfficerKeys, ProviderKeys, provider_of
from tenfour_scheduling.adapters.snapshots import LONGEST_ENTRY_MS
from tenfour_scheduling.domain.records import StoredAppointment, to_ms
from tenfour_shared.redis_store import as_bytes

__all__ = ["AppointmentReads"]


class AppointmentReads:
    _redis: aioredis.Redis

    async def get(self, appointment_id: str) -> StoredAppointment | None:
        provider_id = provider_of(appointment_id)
        if provider_id is None:
            return None
        raw = await self._redis.hget(ProviderKeys(provider_id).appointment(appointment_id), "data")
        return None if raw is None else _decode(as_bytes(raw))

    async def get_many(self, appointment_ids: Sequence[str]) -> list[StoredAppointment]:
        async with self._redis.pipeline(transaction=False) as pipe:
            wanted = []
            for appointment_id in appointment_ids:
                provider_id = provider_of(appointment_id)
                if provider_id is not None:
                    pipe.hget(ProviderKeys(provider_id).appointment(appointment_id), "data")
                    wanted.append(appointment_id)
            replies = await pipe.execute()
        return [_decode(as_bytes(raw)) for raw in replies if raw is not None]

    async def officer_index(
        self, officer_id: str, since: datetime | None, until: datetime | None
    ) -> list[str]:
        return await self._index(OfficerKeys(officer_id).index, since, until)

    async def provider_index(
        self, provider_id: str, since: datetime | None, until: datetime | None
    ) -> list[str]:
        return await self._index(ProviderKeys(provider_id).index, since, until)

    async def _index(
        self, key: str, since: datetime | None, until: datetime | None, limit: int = 500
    ) -> list[str]:
        lo = "-inf" if since is None else to_ms(since) - LONGEST_ENTRY_MS
        hi = "+inf" if until is None else f"({to_ms(until)}"
        members = await self._redis.zrangebyscore(key, lo, hi, start=0, num=limit)
        return [as_bytes(m).decode() for m in members]


def _decode(raw: bytes) -> StoredAppointment:
    appointment = Appointment()
    appointment.ParseFromString(raw)
    return StoredAppointment(appointment, appointment.version)
