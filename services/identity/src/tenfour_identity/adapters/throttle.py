"""Login throttle counters in Redis: one per account, one per source, each updated atomically,
and per account the consecutive failures for the hard limit (no expiry: only a success, an
admin or the owner's second factor resets it).

Counters are named by an HMAC of the login name or of the source (vault key), so the store
holds neither the names people tried nor their network addresses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import redis.asyncio as aioredis

from tenfour_identity.adapters import keys
from tenfour_identity.adapters.vault import Purpose, Vault
from tenfour_identity.domain.records import Attempt, Counter
from tenfour_identity.domain.throttle import ACCOUNT_POLICY, SOURCE_POLICY, ThrottlePolicy
from tenfour_shared.redis_store import load_script

__all__ = ["Attempt", "Counter", "ThrottleStore"]

_PACKAGE = "tenfour_identity.adapters"


def _millis(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


class ThrottleStore:
    def __init__(
        self,
        redis: aioredis.Redis,
        vault: Vault,
        *,
        account_policy: ThrottlePolicy = ACCOUNT_POLICY,
        source_policy: ThrottlePolicy = SOURCE_POLICY,
    ) -> None:
        self._redis = redis
        self._vault = vault
        self._account_policy = account_policy
        self._source_policy = source_policy
        self._attempt = load_script(redis, _PACKAGE, "throttle_attempt.lua")
        self._refund = load_script(redis, _PACKAGE, "throttle_refund.lua")

    def account(self, login_name: str) -> Counter:
        digest = self._vault.mac(Purpose.THROTTLE, "acct:" + login_name)
        return Counter(keys.throttle("acct", digest), self._account_policy)

    def source(self, source: str) -> Counter:
        digest = self._vault.mac(Purpose.THROTTLE, "src:" + source)
        return Counter(keys.throttle("src", digest), self._source_policy)

    def source_tag(self, source: str) -> str:
        """A short keyed hash of a source, for audit entries (correlates, never reveals)."""
        return self._vault.mac(Purpose.THROTTLE, "tag:" + source)[:12]

    async def attempt(self, counter: Counter, now: datetime) -> Attempt:
        policy = counter.policy
        reply = await self._attempt(
            keys=[counter.key],
            args=[
                int(now.timestamp() * 1000),
                policy.free_failures,
                _millis(policy.base_delay),
                _millis(policy.max_delay),
                policy.factor,
                _millis(policy.forget_after),
            ],
        )
        allowed, wait_ms, locked = (int(v) for v in reply)
        return Attempt(bool(allowed), timedelta(milliseconds=wait_ms), bool(locked))

    async def refund(self, counter: Counter) -> None:
        await self._refund(keys=[counter.key])

    async def clear(self, counter: Counter) -> None:
        await self._redis.delete(counter.key)

    def failures_key(self, subject: str) -> str:
        """The hard-limit counter of a subject ("user:<id>", or "name:<login name>" if unknown)."""
        return keys.throttle("fails", self._vault.mac(Purpose.THROTTLE, "fails:" + subject))

    async def consecutive_failures(self, subject: str) -> int:
        return int(await self._redis.get(self.failures_key(subject)) or 0)

    async def add_failure(self, subject: str) -> int:
        return int(await self._redis.incr(self.failures_key(subject)))

    async def reset_failures(self, subject: str) -> int:
        key = self.failures_key(subject)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.get(key)
            pipe.delete(key)
            before, _ = await pipe.execute()
        return int(before or 0)
