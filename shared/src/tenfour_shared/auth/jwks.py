"""Where verifiers find public keys: in-process key rings or a remote JWKS behind a cache.

The remote source is a plain async callable so the wiring decides the transport (identity's
GetJwks over gRPC, or HTTP); this module only decides when to call it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol

from tenfour_shared.auth.errors import KeysUnavailable
from tenfour_shared.auth.keys import KeyRing, VerificationKey

__all__ = ["JwksFetch", "JwksSource", "KeyRingJwks", "RemoteJwks", "StaticJwks", "parse_jwks"]

_log = logging.getLogger(__name__)

JwksFetch = Callable[[], Awaitable[Mapping[str, Any]]]


class JwksSource(Protocol):
    async def get_key(self, kid: str) -> VerificationKey | None:
        """The key named `kid`, None if unknown; raises KeysUnavailable if no key set is usable."""
        ...


def parse_jwks(document: Mapping[str, Any]) -> dict[str, VerificationKey]:
    """Usable Ed25519 keys of a JWK Set by kid; other key types are skipped, not fatal."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise ValueError("JWKS has no 'keys' array")
    keys: dict[str, VerificationKey] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        try:
            key = VerificationKey.from_jwk(entry)
        except (ValueError, TypeError):
            _log.warning("skipping unusable JWK (kty=%r)", entry.get("kty"))
            continue
        keys[key.kid] = key
    return keys


class StaticJwks:
    """A fixed set of keys (tests, or a service configured with pinned keys)."""

    def __init__(self, keys: Iterable[VerificationKey]) -> None:
        self._keys = {k.kid: k for k in keys}

    async def get_key(self, kid: str) -> VerificationKey | None:
        return self._keys.get(kid)


class KeyRingJwks:
    """Identity's own keys, read through a callable so rotation is seen immediately."""

    def __init__(self, ring: Callable[[], KeyRing]) -> None:
        self._ring = ring

    async def get_key(self, kid: str) -> VerificationKey | None:
        return self._ring().verification_key(kid)


class RemoteJwks:
    """A JWKS fetched by `fetch`, cached for `ttl` seconds.

    - An unknown kid triggers a refresh (identity may just have rotated), but fetch attempts
      are spaced by at least `min_refresh_interval`, so tokens with random kids cannot turn
      into a flood of fetches against identity.
    - Concurrent callers share one fetch (single flight).
    - If a refresh fails, the previous keys keep working for up to `max_stale` seconds past
      their TTL (identity outages must not log everyone out); after that, fail closed.
    """

    def __init__(
        self,
        fetch: JwksFetch,
        *,
        ttl: float = 300.0,
        min_refresh_interval: float = 10.0,
        max_stale: float = 3600.0,
        fetch_timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._min_interval = min_refresh_interval
        self._max_stale = max_stale
        self._fetch_timeout = fetch_timeout
        self._clock = clock
        self._keys: dict[str, VerificationKey] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last attempt, successful or not
        self._lock = asyncio.Lock()

    async def get_key(self, kid: str) -> VerificationKey | None:
        expired = self._fetched_at is None or self._clock() - self._fetched_at >= self._ttl
        if expired or kid not in self._keys:  # refresh is rate-limited inside
            await self._refresh()
        if self._fetched_at is None or self._clock() - self._fetched_at >= self._ttl + self._max_stale:
            raise KeysUnavailable("verification keys unavailable")
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        attempt_started = self._clock()
        async with self._lock:
            # Someone else fetched while we waited for the lock: use their result.
            if self._attempted_at is not None and self._attempted_at >= attempt_started:
                return
            if self._attempted_at is not None and self._clock() - self._attempted_at < self._min_interval:
                return
            self._attempted_at = self._clock()
            try:
                async with asyncio.timeout(self._fetch_timeout):
                    document = await self._fetch()
                keys = parse_jwks(document)
                if not keys:  # an empty set is a broken publisher, not a mass revocation
                    raise ValueError("JWKS holds no usable key")
            except Exception as exc:  # any transport failure: keep serving the cached keys
                _log.warning("JWKS refresh failed: %s", type(exc).__name__)
                return
            self._keys = keys
            self._fetched_at = self._clock()
