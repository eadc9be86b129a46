from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from tenfour_shared.auth import (
    KeyRing,
    KeyRingJwks,
    KeysUnavailable,
    RemoteJwks,
    SigningKey,
    StaticJwks,
    parse_jwks,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeIdentity:
    """Serves a key ring's JWKS and counts fetches; can be told to fail."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self.fetches = 0
        self.failing = False
        self.delay = 0.0
        self.empty = False

    async def __call__(self) -> Mapping[str, Any]:
        self.fetches += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failing:
            raise ConnectionError("identity down")
        return {"keys": []} if self.empty else self.ring.jwks()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def identity() -> FakeIdentity:
    return FakeIdentity(KeyRing(SigningKey.generate()))


@pytest.fixture
def remote(identity: FakeIdentity, clock: FakeClock) -> RemoteJwks:
    return RemoteJwks(identity, ttl=300, min_refresh_interval=10, max_stale=3600, clock=clock)


def _kid(identity: FakeIdentity) -> str:
    return identity.ring.current.kid


async def test_static_and_keyring_sources() -> None:
    key = SigningKey.generate()
    assert await StaticJwks([key.verification_key]).get_key(key.kid) == key.verification_key
    assert await StaticJwks([]).get_key(key.kid) is None
    holder = [KeyRing(key)]
    source = KeyRingJwks(lambda: holder[0])
    newer = SigningKey.generate()
    assert await source.get_key(newer.kid) is None
    holder[0] = holder[0].rotate(newer)  # rotation is visible at once
    assert await source.get_key(newer.kid) == newer.verification_key


async def test_remote_caches_for_ttl_then_refreshes(
    remote: RemoteJwks, identity: FakeIdentity, clock: FakeClock
) -> None:
    kid = _kid(identity)
    for _ in range(5):
        assert await remote.get_key(kid) is not None
    assert identity.fetches == 1
    clock.now += 301
    await remote.get_key(kid)
    assert identity.fetches == 2


async def test_unknown_kid_refreshes_once_per_interval(
    remote: RemoteJwks, identity: FakeIdentity, clock: FakeClock
) -> None:
    await remote.get_key(_kid(identity))
    identity.ring = identity.ring.rotate(SigningKey.generate())
    clock.now += 11
    assert await remote.get_key(_kid(identity)) is not None  # rotated key found after refresh
    assert identity.fetches == 2
    for _ in range(20):  # random kids from a forger must not hammer identity
        assert await remote.get_key("forged-kid") is None
    assert identity.fetches == 2
    clock.now += 11
    assert await remote.get_key("forged-kid") is None
    assert identity.fetches == 3


async def test_concurrent_misses_share_one_fetch(remote: RemoteJwks, identity: FakeIdentity) -> None:
    identity.delay = 0.01
    keys = await asyncio.gather(*(remote.get_key(_kid(identity)) for _ in range(10)))
    assert all(k is not None for k in keys)
    assert identity.fetches == 1


async def test_stale_keys_serve_during_outage_then_fail_closed(
    remote: RemoteJwks, identity: FakeIdentity, clock: FakeClock
) -> None:
    kid = _kid(identity)
    await remote.get_key(kid)
    identity.failing = True
    clock.now += 301 + 1800
    assert await remote.get_key(kid) is not None
    clock.now += 1800
    with pytest.raises(KeysUnavailable):
        await remote.get_key(kid)


async def test_first_fetch_failure_is_unavailable_not_invalid(
    remote: RemoteJwks, identity: FakeIdentity
) -> None:
    identity.failing = True
    with pytest.raises(KeysUnavailable):
        await remote.get_key("any")


async def test_fetch_timeout_counts_as_failure(identity: FakeIdentity, clock: FakeClock) -> None:
    identity.delay = 1.0
    remote = RemoteJwks(identity, fetch_timeout=0.01, clock=clock)
    with pytest.raises(KeysUnavailable):
        await remote.get_key(_kid(identity))


def test_parse_jwks_skips_foreign_keys_and_rejects_non_sets() -> None:
    key = SigningKey.generate().verification_key
    rsa = {"kty": "RSA", "n": "abc", "e": "AQAB", "kid": "rsa"}
    assert parse_jwks({"keys": [rsa, "junk", key.to_jwk()]}) == {key.kid: key}
    with pytest.raises(ValueError, match="keys"):
        parse_jwks({"kty": "OKP"})


async def test_empty_key_set_keeps_the_previous_keys(
    remote: RemoteJwks, identity: FakeIdentity, clock: FakeClock
) -> None:
    kid = _kid(identity)
    await remote.get_key(kid)

    identity.empty = True
    clock.now += 301
    assert await remote.get_key(kid) is not None
    assert identity.fetches == 2
