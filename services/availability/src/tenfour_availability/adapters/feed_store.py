"""Calendar subscriptions in Redis: `availability:feed:{p}`, one hash per provider, sharing the
provider's hash tag with its outbox, so a pause and its event are written in one MULTI.

Subscriptions are found by scanning `availability:feed:{*}` (checked every half minute), not
through an index that could drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_availability.domain.feeds import Feed
from tenfour_shared.events import outbox
from tenfour_shared.events.outbox import OutboxRelay
from tenfour_shared.redis_store import Keys, as_bytes

__all__ = ["RedisFeedStore"]

SERVICE = "availability"
keys = Keys(SERVICE)
_TIMES = ("last_synced_at", "last_attempt_at", "next_at")


def _fields(feed: Feed) -> dict[str, str]:
    out = {
        "url": feed.url,
        "etag": feed.etag,
        "last_modified": feed.last_modified,
        "last_error": feed.last_error,
        "last_error_code": feed.last_error_code,
        "failures": str(feed.failures),
        "paused": "1" if feed.paused else "0",
        "busy_intervals": str(feed.busy_intervals),
    }
    for name in _TIMES:
        when: datetime | None = getattr(feed, name)
        out[name] = "" if when is None else when.isoformat()
    return out


def _feed(provider_id: str, raw: Mapping[bytes | str, bytes | str]) -> Feed:
    f = {as_bytes(k).decode(): as_bytes(v).decode() for k, v in raw.items()}

    def when(name: str) -> datetime | None:
        return datetime.fromisoformat(f[name]).astimezone(UTC) if f.get(name) else None

    return Feed(
        provider_id=provider_id,
        url=f["url"],
        etag=f.get("etag", ""),
        last_modified=f.get("last_modified", ""),
        last_synced_at=when("last_synced_at"),
        last_attempt_at=when("last_attempt_at"),
        last_error=f.get("last_error", ""),
        last_error_code=f.get("last_error_code", ""),
        failures=int(f.get("failures") or 0),
        paused=f.get("paused") == "1",
        next_at=when("next_at"),
        busy_intervals=int(f.get("busy_intervals") or 0),
    )


class RedisFeedStore:
    def __init__(self, redis: aioredis.Redis, relay: OutboxRelay) -> None:
        self._redis = redis
        self._relay = relay

    async def get(self, provider_id: str) -> Feed | None:
        raw = await self._redis.hgetall(keys("feed", provider_id))
        return _feed(provider_id, raw) if raw else None

    async def save(self, feed: Feed, event: Envelope | None = None, *, replace: bool = False) -> bool:
        key = keys("feed", feed.provider_id)
        for _ in range(20):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    if not replace:
                        stored = await pipe.hget(key, "url")
                        if stored is None or as_bytes(stored).decode() != feed.url:
                            return False  # removed or re-subscribed meanwhile: that one wins
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.delete(key)
                    pipe.hset(key, mapping=_fields(feed))  # type: ignore[arg-type]
                    if event is not None:
                        outbox.stage(pipe, SERVICE, feed.provider_id, event)
                    await pipe.execute()
                except WatchError:
                    continue
            if event is not None:
                await self._relay.notify(feed.provider_id)
            return True
        return False

    async def delete(self, provider_id: str) -> bool:
        return bool(await self._redis.delete(keys("feed", provider_id)))

    async def provider_ids(self) -> list[str]:
        prefix = keys("feed") + ":{"
        found = set()
        async for key in self._redis.scan_iter(match=f"{prefix}*}}", count=1000):
            found.add(as_bytes(key).decode()[len(prefix) : -1])
        return sorted(found)
