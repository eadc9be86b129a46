"""The access audit trail in Redis: a stream of hash-chained entries and its head.

Append-only: the service only ever XADDs (one Lua script checks that the head it chained onto
is still the head, so concurrent identity instances never fork the chain, and that the event was
not appended before, so a redelivered event adds nothing). Nothing trims it; retention is an
operator decision, as for the sign-in audit log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import redis.asyncio as aioredis

from tenfour_identity.adapters import keys
from tenfour_identity.domain.access_chain import GENESIS, AccessFact, ChainEntry, Verdict, next_entry, verify
from tenfour_shared.redis_store import as_bytes

__all__ = ["AccessTrail"]

TAG = "trail"
STREAM = keys.keys("access-trail", TAG)
HEAD = keys.keys("access-trail-head", TAG)
SEEN_TTL_SECONDS = 7 * 24 * 3600  # as long as the consumer's own duplicate marks

_APPEND = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
local head = redis.call('HGET', KEYS[2], 'hash')
if not head then head = ARGV[1] end
if head ~= ARGV[2] then return -1 end
redis.call('XADD', KEYS[1], '*', 'seq', ARGV[3], 't', ARGV[4], 'action', ARGV[5], 'session', ARGV[6],
  'actor', ARGV[7], 'role', ARGV[8], 'source', ARGV[9], 'prev', ARGV[2], 'hash', ARGV[10])
redis.call('HSET', KEYS[2], 'seq', ARGV[3], 'hash', ARGV[10])
redis.call('SET', KEYS[3], '1', 'EX', ARGV[11])
return 1
"""


def _seen(event_id: str) -> str:
    return keys.keys("access-trail-seen", TAG, event_id)


class AccessTrail:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._append = redis.register_script(_APPEND)

    async def head(self) -> tuple[int, str]:
        seq, hash_ = await self._redis.hmget(HEAD, ["seq", "hash"])
        if seq is None or hash_ is None:
            return 0, GENESIS
        return int(as_bytes(seq)), as_bytes(hash_).decode()

    async def append(self, event_id: str, fact: AccessFact) -> ChainEntry | None:
        """Chain `fact` onto the head; None when this event is in the trail already."""
        while True:
            seq, head = await self.head()
            entry = next_entry(seq, head, fact)
            done = await self._append(
                keys=[STREAM, HEAD, _seen(event_id)],
                args=[
                    GENESIS, head, entry.seq, fact.time_ms, fact.action, fact.session, fact.actor,
                    fact.actor_role, fact.source, entry.hash, SEEN_TTL_SECONDS,
                ],
            )  # fmt: skip
            if done == 1:
                return entry
            if done == 0:
                return None
            # -1: another instance appended first; chain onto the new head.

    async def entries(self, after_seq: int = 0, batch: int = 500) -> AsyncIterator[ChainEntry]:
        start = "-"
        while True:
            rows = await self._redis.xrange(STREAM, start, "+", count=batch)
            if not rows:
                return
            for _id, raw in rows:
                entry = _entry({as_bytes(k).decode(): as_bytes(v).decode() for k, v in (raw or {}).items()})
                if entry.seq > after_seq:
                    yield entry
            start = f"({as_bytes(rows[-1][0]).decode()}"

    async def page(self, *, limit: int, after_seq: int, session: str = "") -> list[ChainEntry]:
        found: list[ChainEntry] = []
        async for entry in self.entries(after_seq):
            if not session or entry.fact.session == session:
                found.append(entry)
                if len(found) >= limit:
                    break
        return found

    async def verify(self) -> Verdict:
        collected = [entry async for entry in self.entries()]
        verdict = verify(collected)
        head_seq, head_hash = await self.head()
        if verdict.intact and (head_seq, head_hash) != (verdict.entries, verdict.head_hash):
            # Entries missing at the end (or the head overwritten): the chain no longer reaches it.
            return Verdict(False, verdict.entries, verdict.entries + 1, verdict.head_hash)
        return verdict


def _entry(f: dict[str, str]) -> ChainEntry:
    fact = AccessFact(
        time_ms=int(f.get("t", "0") or 0),
        action=f.get("action", ""),
        session=f.get("session", ""),
        actor=f.get("actor", ""),
        actor_role=f.get("role", ""),
        source=f.get("source", ""),
    )
    return ChainEntry(int(f.get("seq", "0") or 0), fact, f.get("prev", ""), f.get("hash", ""))
