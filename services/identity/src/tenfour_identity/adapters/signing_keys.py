"""Identity's token-signing keys, shared by every identity instance through Redis.

One Redis hash, `identity:signing-keys`, holds a JSON record per key (field = kid): the
private key sealed with the vault (AES-GCM, bound to the kid), when it was created, when it
starts signing and when it stops being published. Which key signs is a function of time,
so instances agree without talking to each other:

  current   = the key with the latest `activates_at` that is not in the future
  published = every key not yet past `retires_at` (including keys about to sign)

Rotation adds a key that activates `activation_delay` later (published at once, so every
verifier's JWKS cache holds it before the first token it signs) and gives every older key a
`retires_at` of that moment plus the longest token lifetime: no valid token ever loses its key.
Writes are optimistic transactions (WATCH/MULTI) on the one hash, so two instances rotating
at once produce one new key, not two.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from redis.exceptions import WatchError

from tenfour_identity.adapters.vault import Purpose, Vault
from tenfour_identity.domain.records import KeyInfo
from tenfour_shared.auth.keys import KeyRing, SigningKey, VerificationKey
from tenfour_shared.redis_store import Keys, as_bytes

__all__ = ["KeyInfo", "SigningKeyStore"]

_log = logging.getLogger(__name__)
keys = Keys("identity")
_HASH = keys("signing-keys")
_MAX_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class _Entry:
    info: KeyInfo
    key: SigningKey
    sealed: str


class SigningKeyStore:
    """Loads, creates and rotates the shared keys; also the JwksSource of identity's own verifier."""

    def __init__(
        self,
        redis: aioredis.Redis,
        vault: Vault,
        *,
        activation_delay: float,
        max_token_lifetime: float,
        clock: Callable[[], float] = time.time,
        reload_on_miss_interval: float = 1.0,
    ) -> None:
        self._redis = redis
        self._vault = vault
        self._activation_delay = activation_delay
        self._retire_after = max_token_lifetime + 60.0  # verifier leeway (15 s) plus clock skew
        self._clock = clock
        self._miss_interval = reload_on_miss_interval
        self._entries: dict[str, _Entry] = {}
        self._ring: tuple[tuple[str, ...], KeyRing] | None = None
        self._last_reload = float("-inf")
        self._reload_lock = asyncio.Lock()

    # -- reading ---------------------------------------------------------------------------

    def ring(self) -> KeyRing:
        """The ring as of now: current signing key plus every other published key."""
        now = self._clock()
        live = [e for e in self._entries.values() if e.info.retires_at is None or e.info.retires_at > now]
        active = [e for e in live if e.info.activates_at <= now]
        if not active:
            raise RuntimeError("no signing key is active: call ensure_key() first")
        current = max(active, key=lambda e: (e.info.activates_at, e.info.kid))
        others = sorted(
            (e for e in live if e is not current), key=lambda e: e.info.activates_at, reverse=True
        )
        signature = (current.info.kid, *(e.info.kid for e in others))
        if self._ring is None or self._ring[0] != signature:
            ring = KeyRing(current.key, tuple(e.key.verification_key for e in others))
            self._ring = (signature, ring)
        return self._ring[1]

    def published(self) -> list[KeyInfo]:
        now = self._clock()
        infos = [
            e.info for e in self._entries.values() if e.info.retires_at is None or e.info.retires_at > now
        ]
        return sorted(infos, key=lambda i: i.activates_at)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return self.ring().jwks()

    async def get_key(self, kid: str) -> VerificationKey | None:
        """JwksSource for identity's own interceptor; a miss re-reads Redis (another instance rotated)."""
        key = self._published_key(kid)
        if key is None and self._clock() - self._last_reload >= self._miss_interval:
            await self.reload()
            key = self._published_key(kid)
        return key

    def _published_key(self, kid: str) -> VerificationKey | None:
        entry = self._entries.get(kid)
        if entry is None:
            return None
        retires_at = entry.info.retires_at
        if retires_at is not None and retires_at <= self._clock():
            return None
        return entry.key.verification_key

    async def reload(self) -> None:
        async with self._reload_lock:
            raw = await self._redis.hgetall(_HASH)
            self._entries = self._decode(raw)
            self._last_reload = self._clock()

    def _decode(self, raw: dict[Any, Any]) -> dict[str, _Entry]:
        entries: dict[str, _Entry] = {}
        for field, value in raw.items():
            kid = as_bytes(field).decode()
            doc = json.loads(as_bytes(value))
            cached = self._entries.get(kid)
            if cached is not None and cached.sealed == doc["sealed"]:
                key = cached.key
            else:
                private = self._vault.open(Purpose.SIGNING_KEY, doc["sealed"], kid)
                key = SigningKey(Ed25519PrivateKey.from_private_bytes(private))
                if key.kid != kid:
                    raise ValueError("stored signing key does not match its kid")
            info = KeyInfo(kid, doc["created_at"], doc["activates_at"], doc.get("retires_at"))
            entries[kid] = _Entry(info, key, doc["sealed"])
        return entries

    # -- writing ---------------------------------------------------------------------------

    async def ensure_key(self, max_age: float | None = None) -> None:
        """Create the first key if there is none; rotate if the signing key is older than `max_age` s."""
        first = False

        def needed(entries: dict[str, _Entry], now: float) -> float | None:
            nonlocal first
            signing = [e for e in entries.values() if e.info.retires_at is None]
            if not signing:
                first = True
                return now  # first key: nothing to pre-publish for, sign at once
            newest = max(e.info.activates_at for e in signing)
            if max_age and now - newest >= max_age:
                return now + self._activation_delay
            return None

        if await self._transact(needed) is not None:
            message = (
                "first signing key created" if first else "signing key rotated: it reached its maximum age"
            )
            _log.info(message, extra={"state": "signing_key_created"})

    async def rotate(self) -> KeyInfo:
        """Add a key that signs after the activation delay; older keys retire after their tokens."""
        info = await self._transact(lambda _entries, now: now + self._activation_delay)
        assert info is not None
        _log.info("signing key rotated on request", extra={"state": "signing_key_created"})
        return info

    async def _transact(
        self, activation: Callable[[dict[str, _Entry], float], float | None]
    ) -> KeyInfo | None:
        for _ in range(_MAX_ATTEMPTS):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(_HASH)
                    raw = await pipe.hgetall(_HASH)
                    self._entries = self._decode(raw)
                    self._last_reload = now = self._clock()
                    activates_at = activation(self._entries, now)
                    if activates_at is None:
                        await pipe.unwatch()  # type: ignore[no-untyped-call]
                        return None
                    new_key = SigningKey.generate()
                    info = KeyInfo(new_key.kid, now, activates_at, None)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    for entry in self._entries.values():
                        retires = entry.info.retires_at
                        if retires is not None and retires <= now:
                            pipe.hdel(_HASH, entry.info.kid)
                        elif retires is None:
                            pipe.hset(
                                _HASH, entry.info.kid, self._doc(entry.info, entry.sealed, activates_at)
                            )
                    sealed = self._seal(new_key)
                    pipe.hset(_HASH, new_key.kid, self._doc(info, sealed, None))
                    await pipe.execute()
                except WatchError:
                    continue
            await self.reload()
            return info
        raise RuntimeError("signing keys kept changing under a rotation")

    def _doc(self, info: KeyInfo, sealed: str, superseded_at: float | None) -> str:
        retires_at = info.retires_at
        if superseded_at is not None:
            retires_at = superseded_at + self._retire_after
        doc = {
            "created_at": info.created_at,
            "activates_at": info.activates_at,
            "retires_at": retires_at,
            "sealed": sealed,
        }
        return json.dumps(doc, separators=(",", ":"))

    def _seal(self, key: SigningKey) -> str:
        raw = key.private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return self._vault.seal(Purpose.SIGNING_KEY, raw, key.kid)

    # -- background ------------------------------------------------------------------------

    async def maintain(self, *, reload_every: float = 5.0, rotate_after: float = 0.0) -> None:
        """Re-read the shared keys now and then; rotate when the signing key gets too old."""
        next_age_check = 0.0
        while True:
            await asyncio.sleep(reload_every)
            await self.reload()
            if rotate_after and self._clock() >= next_age_check:
                await self.ensure_key(rotate_after)
                next_age_check = self._clock() + 3600.0
