from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tenfour_shared.auth import (
    InvalidToken,
    KeyRingJwks,
    Principal,
    Role,
    SigningKey,
    TokenVerifier,
    VerifiedTokenCache,
)

Issue = Callable[..., str]


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class CountingJwks(KeyRingJwks):
    def __init__(self, ring: Any) -> None:
        super().__init__(ring)
        self.lookups = 0

    async def get_key(self, kid: str) -> Any:
        self.lookups += 1
        return await super().get_key(kid)


def _verifier(ring: Any, clock: Clock, cache: VerifiedTokenCache) -> TokenVerifier:
    return TokenVerifier(
        issuer="https://identity.tenfour.test",
        audience="tenfour-scheduling",
        jwks=KeyRingJwks(ring),
        cache=cache,
        clock=clock,
    )


async def test_hit_skips_signature_check_but_not_key_lookup(issue: Issue, ring: Any) -> None:
    jwks = CountingJwks(ring)
    cache = VerifiedTokenCache()
    verifier = TokenVerifier(
        issuer="https://identity.tenfour.test", audience="tenfour-scheduling", jwks=jwks, cache=cache
    )
    token = issue()
    first = await verifier.verify(token)
    assert len(cache) == 1
    assert await verifier.verify(token) == first
    assert jwks.lookups == 2  # the hit still checks the key is published


async def test_entries_end_with_the_token(issue: Issue, ring: Any) -> None:
    clock = Clock()
    verifier = _verifier(ring, clock, VerifiedTokenCache(max_age=3600))
    token = issue()
    await verifier.verify(token)
    clock.now += 10 * 60 + 16  # past exp + leeway
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    assert caught.value.reason == "expired"


async def test_retired_key_is_refused_even_when_cached(issue: Issue, ring: Any) -> None:
    cache = VerifiedTokenCache()
    verifier = _verifier(ring, Clock(), cache)
    token = issue()
    await verifier.verify(token)
    old_kid = ring.ring.current.kid
    ring.ring = ring.ring.rotate(SigningKey.generate()).retire(old_kid)
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    assert caught.value.reason == "unknown_key"
    assert len(cache) == 0


async def test_tampered_token_is_never_a_hit(issue: Issue, ring: Any) -> None:
    verifier = _verifier(ring, Clock(), VerifiedTokenCache())
    token = issue()
    await verifier.verify(token)
    header, _, signature = token.split(".")
    _, admin_claims, _ = issue(role=Role.AGENCY_ADMIN).split(".")
    with pytest.raises(InvalidToken):
        await verifier.verify(f"{header}.{admin_claims}.{signature}")


async def test_failures_are_not_cached(issue: Issue, ring: Any) -> None:
    cache = VerifiedTokenCache()
    verifier = _verifier(ring, Clock(), cache)
    with pytest.raises(InvalidToken):
        await verifier.verify(issue(shift=timedelta(minutes=-30)))
    assert len(cache) == 0


def test_lru_bound_and_max_age() -> None:
    cache = VerifiedTokenCache(max_entries=2, max_age=60)
    principal = Principal("u", Role.OFFICER, "a", "s", "t")
    for name in ("a", "b"):
        cache.put(name, principal, "kid", expires=10_000, now=0)
    assert cache.get("a", now=1) is not None  # "a" is now most recent
    cache.put("c", principal, "kid", expires=10_000, now=1)
    assert cache.get("b", now=1) is None
    assert cache.get("a", now=1) is not None
    assert cache.get("a", now=60) is None  # max_age reached
    with pytest.raises(ValueError, match="max_entries"):
        VerifiedTokenCache(max_entries=0)
