"""The delivery queue, per-user delivery logs and in-app inboxes in Redis.

A job is a hash written once (`enqueue` refuses a key that exists: exactly once per event x
recipient x channel), scheduled in one sorted set by due time. `claim` moves due jobs a lease
ahead and counts the attempt in the same script, so two workers never send one job at once and
a worker killed mid-send leaves its jobs to be taken over when the lease ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import redis.asyncio as aioredis

from tenfour_notifications.adapters import keys as k
from tenfour_notifications.adapters.codec import from_ms, ms, notification_from, notification_json
from tenfour_notifications.adapters.vault import Vault
from tenfour_notifications.domain.model import Channel, Notification, Status
from tenfour_notifications.domain.records import DeliveryRecord, Job
from tenfour_shared.redis_store import as_bytes

__all__ = ["RedisDeliveries"]

KEEP_SECONDS = 30 * 24 * 3600  # a job (and so its idempotency key) outlives JetStream's 30 days
LOG_LENGTH = 200
INBOX_LENGTH = 100

# KEYS: 1 job, 2 due, 3 log; ARGV: 1 key, 2 due ms (or "" for no queue), 3 created ms,
#       4 keep s, 5 log length, 6.. field/value pairs
_PUT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ARGV[4])
if ARGV[2] ~= '' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -tonumber(ARGV[5]) - 1)
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 1
"""

# KEYS: 1 due; ARGV: 1 now ms, 2 lease-until ms, 3 limit, 4 job key prefix
_CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local job = ARGV[4] .. id
  if redis.call('EXISTS', job) == 0 then
    redis.call('ZREM', KEYS[1], id)
  else
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    redis.call('HINCRBY', job, 'attempts', 1)
    redis.call('HSET', job, 'status', 'pending')
    out[#out + 1] = id
    out[#out + 1] = redis.call('HGETALL', job)
  end
end
return out
"""

# KEYS: 1 job, 2 due, 3 dead-letter stream; ARGV: 1 key, 2 status, 3 reason, 4 at ms,
#       5 next due ms ("" = finished), 6 dead-letter ("1" or "")
_SETTLE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'reason', ARGV[3])
if ARGV[2] == 'delivered' then redis.call('HSET', KEYS[1], 'delivered_ms', ARGV[4]) end
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
end
if ARGV[6] == '1' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', 10000, '*', 'key', ARGV[1], 'reason', ARGV[3],
    'channel', redis.call('HGET', KEYS[1], 'channel'), 'kind', redis.call('HGET', KEYS[1], 'kind'))
end
return 1
"""


# KEYS: 1 inbox ids, 2 inbox; ARGV: 1 notification id, 2 sealed, 3 length, 4 keep s
_INBOX = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""


def _inbox(user_id: str) -> str:
    return k.keys("inbox", f"u:{user_id}")


def _inbox_ids(user_id: str) -> str:
    return k.keys("inbox-ids", f"u:{user_id}")


def _read_marker(user_id: str) -> str:
    return k.keys("inbox-read", f"u:{user_id}")


def _s(fields: dict[bytes, bytes], name: str) -> str:
    return fields.get(name.encode(), b"").decode()


class RedisDeliveries:
    def __init__(self, redis: aioredis.Redis, vault: Vault) -> None:
        self._redis = redis
        self._vault = vault
        self._put = redis.register_script(_PUT)
        self._claim = redis.register_script(_CLAIM)
        self._settle = redis.register_script(_SETTLE)
        self._inbox_add = redis.register_script(_INBOX)

    def _fields(self, job: Job, status: str, reason: str, at: datetime) -> list[bytes | str | int]:
        n = job.notification
        values: dict[str, bytes | str | int] = {
            "recipient": job.recipient,
            "channel": job.channel.value,
            "target": job.target,
            "event_ms": ms(job.event_at),
            "created_ms": ms(at),
            "attempts": job.attempts,
            "status": status,
            "reason": reason,
            "kind": n.kind,
            "appointment_id": n.appointment_id,
            "request_id": n.request_id,
            # Message text may name people (detailed content): sealed, bound to this job.
            "payload": self._vault.seal(notification_json(n), job.key),
        }
        if status == Status.DELIVERED.value:
            values["delivered_ms"] = ms(at)
        return [x for pair in values.items() for x in pair]

    async def _write(self, job: Job, due: str, status: str, reason: str, at: datetime) -> bool:
        args = [job.key, due, ms(at), KEEP_SECONDS, LOG_LENGTH, *self._fields(job, status, reason, at)]
        created = await self._put(keys=[k.job(job.key), k.DUE, k.log(job.recipient)], args=args)
        return bool(created)

    async def enqueue(self, job: Job, due: datetime, status: str) -> bool:
        return await self._write(
            job, str(ms(due)), status, "quiet_hours" if status == "deferred" else "", due
        )

    async def record(self, job: Job, status: Status, reason_code: str, at: datetime) -> bool:
        return await self._write(job, "", status.value, reason_code, at)

    async def claim(self, now: datetime, lease_seconds: float, limit: int) -> list[Job]:
        until = now + timedelta(seconds=lease_seconds)
        raw = await self._claim(keys=[k.DUE], args=[ms(now), ms(until), limit, k.JOB_PREFIX])
        jobs: list[Job] = []
        for i in range(0, len(raw), 2):
            key = as_bytes(raw[i]).decode()
            flat = raw[i + 1]
            fields = {as_bytes(flat[j]): as_bytes(flat[j + 1]) for j in range(0, len(flat), 2)}
            n = notification_from(self._vault.open(fields[b"payload"], key))
            jobs.append(
                Job(
                    key=key,
                    recipient=_s(fields, "recipient"),
                    channel=Channel(_s(fields, "channel")),
                    notification=n,
                    event_at=from_ms(_s(fields, "event_ms")),
                    target=_s(fields, "target"),
                    attempts=int(_s(fields, "attempts") or 0),
                )
            )
        return jobs

    async def _finish(
        self, job: Job, status: str, reason: str, at: datetime, next_due: datetime | None, dead: bool
    ) -> None:
        due = str(ms(next_due)) if next_due else ""
        args: list[str | int] = [job.key, status, reason, ms(at), due, "1" if dead else ""]
        await self._settle(keys=[k.job(job.key), k.DUE, k.DEAD], args=args)

    async def delivered(self, job: Job, at: datetime) -> None:
        await self._finish(job, Status.DELIVERED.value, "", at, None, False)

    async def retry(self, job: Job, at: datetime, reason_code: str) -> None:
        await self._finish(job, Status.PENDING.value, reason_code, at, at, False)

    async def failed(self, job: Job, reason_code: str, at: datetime, status: Status = Status.FAILED) -> None:
        await self._finish(job, status.value, reason_code, at, None, status is Status.FAILED)

    async def log(
        self, user_id: str, appointment_id: str, request_id: str, limit: int
    ) -> list[DeliveryRecord]:
        ids = await self._redis.zrevrange(k.log(user_id), 0, LOG_LENGTH - 1)
        out: list[DeliveryRecord] = []
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in ids:
                pipe.hgetall(k.job(as_bytes(key).decode()))
            rows = await pipe.execute()
        for key, fields in zip(ids, rows, strict=True):
            if not fields:
                continue
            f = {as_bytes(a): as_bytes(b) for a, b in fields.items()}
            if appointment_id and _s(f, "appointment_id") != appointment_id:
                continue
            if request_id and _s(f, "request_id") != request_id:
                continue
            delivered = _s(f, "delivered_ms")
            out.append(
                DeliveryRecord(
                    key=as_bytes(key).decode(),
                    kind=_s(f, "kind"),
                    channel=Channel(_s(f, "channel")),
                    status=Status(_s(f, "status")),
                    created_at=from_ms(_s(f, "created_ms")),
                    delivered_at=from_ms(delivered) if delivered else None,
                    attempts=int(_s(f, "attempts") or 0),
                    reason_code=_s(f, "reason"),
                    appointment_id=_s(f, "appointment_id"),
                    request_id=_s(f, "request_id"),
                )
            )
            if len(out) >= limit:
                break
        return out

    async def add_to_inbox(self, user_id: str, notification: Notification) -> bool:
        sealed = self._vault.seal(notification_json(notification), f"inbox:{user_id}")
        added = await self._inbox_add(
            keys=[_inbox_ids(user_id), _inbox(user_id)],
            args=[notification.notification_id, sealed, INBOX_LENGTH, KEEP_SECONDS],
        )
        return bool(added)

    async def inbox(self, user_id: str, limit: int) -> tuple[list[tuple[Notification, bool]], int]:
        raw = await self._redis.lrange(_inbox(user_id), 0, INBOX_LENGTH - 1)
        marker = int(as_bytes(await self._redis.get(_read_marker(user_id)) or b"0"))
        items = [notification_from(self._vault.open(as_bytes(r), f"inbox:{user_id}")) for r in raw]
        marked = [(n, ms(n.created_at) <= marker) for n in items]
        unread = sum(1 for _, read in marked if not read)
        return marked[:limit], unread

    async def mark_read(self, user_id: str, up_to_id: str) -> None:
        items, _ = await self.inbox(user_id, INBOX_LENGTH)
        marker = max((ms(n.created_at) for n, _ in items), default=0)
        if up_to_id:
            marker = next((ms(n.created_at) for n, _ in items if n.notification_id == up_to_id), 0)
        current = int(as_bytes(await self._redis.get(_read_marker(user_id)) or b"0"))
        await self._redis.set(_read_marker(user_id), max(marker, current), ex=KEEP_SECONDS)

    async def forget(self, user_id: str) -> None:
        await self._redis.delete(_inbox(user_id), _inbox_ids(user_id), _read_marker(user_id), k.log(user_id))
