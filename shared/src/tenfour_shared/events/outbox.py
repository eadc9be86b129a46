"""Transactional outbox in Redis and its relay to JetStream.

A state change and its event are written in one atomic step (a Lua script or MULTI) into an
outbox stream that shares the aggregate's hash tag, so the pair also commits atomically on
Redis Cluster. The outbox keeps the serialized `Envelope`; the relay publishes it as a
binary-mode CloudEvent (`envelope.to_nats`) with `Nats-Msg-Id` = event id and deletes it only
after JetStream acknowledged, so a crash between publish and delete is covered by JetStream's
duplicate window and nothing is lost across restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import redis.asyncio as aioredis
from nats.js import JetStreamContext

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared import metrics
from tenfour_shared.events.bus import raise_if_cancelled
from tenfour_shared.events.envelope import BadEvent, nats_subject, parse, to_nats
from tenfour_shared.redis_store import as_bytes

log = logging.getLogger("tenfour.outbox")
_BATCH = 256  # outboxes drained together: one pipeline each way, their events in flight at once

# Lua helper for scripts that write state and event together:
#   outbox_add(KEYS[n], event_id, subject, envelope_bytes)
LUA_PRELUDE = """
local function outbox_add(key, id, subject, data)
  redis.call('XADD', key, '*', 'id', id, 'subject', subject, 'data', data)
end
"""


# An emptied outbox stream is deleted, or every aggregate ever written would keep a key that
# each scan re-indexes. One key per script, so it also runs on Redis Cluster.
_DELETE_IF_EMPTY = """
if redis.call('XLEN', KEYS[1]) == 0 then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def outbox_key(service: str, tag: str) -> str:
    return f"{service}:outbox:{{{tag}}}"


def index_key(service: str) -> str:
    return f"{service}:outbox-index"


def stage(pipe: Any, service: str, tag: str, env: Envelope) -> None:
    """Queue the event on a MULTI pipeline next to the state change it belongs to."""
    pipe.xadd(
        outbox_key(service, tag),
        {"id": env.id, "subject": nats_subject(env), "data": env.SerializeToString()},
    )


def script_args(env: Envelope) -> list[bytes | str]:
    """ARGV triple for `outbox_add` inside a Lua script."""
    return [env.id, nats_subject(env), env.SerializeToString()]


class OutboxRelay:
    def __init__(
        self,
        redis: aioredis.Redis,
        js: JetStreamContext,
        service: str,
        poll_seconds: float = 1.0,
        scan_seconds: float = 30.0,
    ) -> None:
        self._redis = redis
        self._js = js
        self._service = service
        self._poll = poll_seconds
        self._scan = scan_seconds
        self._wake = asyncio.Event()
        self._delete_if_empty = redis.register_script(_DELETE_IF_EMPTY)
        self.published = 0

    async def notify(self, tag: str) -> None:
        """Called after a committed write: index the outbox and wake the relay now."""
        await self._redis.sadd(index_key(self._service), outbox_key(self._service, tag))
        self._wake.set()

    def queue_index(self, pipe: Any, tag: str) -> None:
        """``notify``'s index write queued on the caller's pipeline, right after the write it
        follows (one round trip less); call ``wake`` once the pipeline has run."""
        pipe.sadd(index_key(self._service), outbox_key(self._service, tag))

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        next_scan = 0.0
        while True:
            raise_if_cancelled()
            if loop.time() >= next_scan:
                # Repairs the index after a crash between the write and notify().
                await self._scan_for_outboxes()
                next_scan = loop.time() + self._scan
            # Cleared before the index is read: a notify() from here on wakes the next round
            # (clearing after the drain lost wake-ups that arrived during it).
            self._wake.clear()
            keys = [as_bytes(k) for k in await self._redis.smembers(index_key(self._service))]
            for i in range(0, len(keys), _BATCH):
                await self._drain(keys[i : i + _BATCH])
            raise_if_cancelled()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)

    async def _scan_for_outboxes(self) -> None:
        pattern = f"{self._service}:outbox:{{*"
        async for key in self._redis.scan_iter(match=pattern, count=500):
            await self._redis.sadd(index_key(self._service), key)

    async def _drain(self, keys: list[bytes]) -> None:
        """Empty a batch of outboxes: one pipeline reads them all, their events go out
        concurrently across outboxes (in order within each, one ack at a time, so an
        aggregate's events keep their order), one pipeline deletes what was acknowledged."""
        while keys:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.xrange(key, "-", "+", count=200)
                replies = await pipe.execute()
            heads = [int(as_bytes(e[0][0]).split(b"-")[0]) for e in replies if e]
            if heads:  # stream ids start with the write time in ms: the oldest one's age is the lag
                metrics.OUTBOX_LAG.labels(self._service).set(max(0.0, time.time() - min(heads) / 1000))
            full = [(k, e) for k, e in zip(keys, replies, strict=True) if e]
            again = await self._retire([k for k, e in zip(keys, replies, strict=True) if not e])
            results = await asyncio.gather(*(self._publish(e) for _, e in full), return_exceptions=True)
            async with self._redis.pipeline(transaction=False) as pipe:
                for (key, _), result in zip(full, results, strict=True):
                    done = result if isinstance(result, list) else getattr(result, "done", [])
                    if done:
                        pipe.xdel(key, *done)
                await pipe.execute()
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                raise failed[0].__cause__ or failed[0]
            keys = again + [k for k, _ in full]  # read again until empty

    async def _publish(self, entries: list[Any]) -> list[bytes]:
        """Publish one outbox's entries in order; the ids of those done (acknowledged or
        parked). A failure carries the ids done before it (``.done``)."""
        done: list[bytes] = []
        try:
            for entry_id, raw_fields in entries:
                fields: dict[Any, Any] = dict(raw_fields or {})
                message = _message(fields)
                if message is None:
                    # A malformed entry would crash the relay on every pass: park it for an operator.
                    await self._redis.xadd(f"{self._service}:outbox-poison", fields or {b"empty": b"1"})
                    done.append(as_bytes(entry_id))
                    log.error("malformed outbox entry parked", extra={"stream": self._service})
                    continue
                subject, body, headers = message
                event_id = headers["Nats-Msg-Id"]
                await self._js.publish(subject, body, headers=headers)
                done.append(as_bytes(entry_id))
                self.published += 1
                metrics.EVENTS_PUBLISHED.labels(self._service).inc()
                log.debug("published", extra={"event_id": event_id})
        except Exception as exc:
            raise _Partial(done) from exc
        return done

    async def _retire(self, keys: list[bytes]) -> list[bytes]:
        """Delete emptied outboxes and unindex them; those written to meanwhile stay
        indexed and are returned to be drained again."""
        if not keys:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                await self._delete_if_empty(keys=[key], client=pipe)
                pipe.srem(index_key(self._service), key)
                pipe.xlen(key)
            replies = await pipe.execute()
        raced = [k for k, n in zip(keys, replies[2::3], strict=True) if n]
        if raced:
            await self._redis.sadd(index_key(self._service), *raced)
        return raced


def _message(fields: dict[Any, Any]) -> tuple[str, bytes, dict[str, str]] | None:
    """The NATS message of an outbox entry, or None for an entry that cannot be published."""
    if not {b"id", b"subject", b"data"} <= fields.keys():
        return None
    try:
        env, _ = parse(as_bytes(fields[b"data"]))
    except BadEvent:
        return None
    _, body, headers = to_nats(env)
    return as_bytes(fields[b"subject"]).decode(), body, headers


class _Partial(Exception):
    def __init__(self, done: list[bytes]) -> None:
        super().__init__("outbox publish failed")
        self.done = done
