"""The Lua throttle script computes exactly what the pure domain policy (domain/throttle.py) says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenfour_identity.adapters.throttle import Counter, ThrottleStore
from tenfour_identity.adapters.vault import Vault
from tenfour_identity.domain.throttle import (
    SOURCE_POLICY,
    FailureRecord,
    ThrottlePolicy,
    record_failure,
    retry_after,
)

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


async def _replay(store: ThrottleStore, counter: Counter, gaps_ms: list[int]) -> None:
    record: FailureRecord | None = None
    now = START
    for gap in gaps_ms:
        now += timedelta(milliseconds=gap)
        wait = retry_after(record, now, counter.policy)
        attempt = await store.attempt(counter, now)
        assert attempt.allowed == (wait == timedelta(0))
        # Every attempt here fails, and a refused one counts too (the wait restarts, longer).
        record = record_failure(record, now, counter.policy)
        if not attempt.allowed:
            longer = retry_after(record, now, counter.policy)
            assert abs(attempt.retry_after - longer) <= timedelta(milliseconds=1)
            assert longer >= wait


async def test_lua_matches_domain_on_bursts_and_pauses(redis_client: aioredis.Redis) -> None:
    store = ThrottleStore(redis_client, Vault(bytes(32)))
    burst = [0] * 12 + [2_000, 100, 4_000, 8_000, 16_000, 0, 3_600_000, 24 * 3_600_000, 0, 0]
    await _replay(store, store.account("owl"), burst)
    await _replay(store, store.source("station"), [0] * 25 + [999, 1, 1_000, 5_000, 0])


# Each example clears its counter, so sharing the function-scoped Redis is safe.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gaps=st.lists(st.integers(min_value=0, max_value=600_000), min_size=1, max_size=40))
async def test_lua_matches_domain_for_any_schedule(redis_client: aioredis.Redis, gaps: list[int]) -> None:
    policy = ThrottlePolicy(
        free_failures=2,
        base_delay=timedelta(seconds=1),
        max_delay=timedelta(minutes=2),
        forget_after=timedelta(hours=1),
    )
    store = ThrottleStore(redis_client, Vault(bytes(32)), account_policy=policy, source_policy=SOURCE_POLICY)
    counter = store.account(f"any-{len(gaps)}-{sum(gaps)}")
    await redis_client.delete(counter.key)
    await _replay(store, counter, gaps)
