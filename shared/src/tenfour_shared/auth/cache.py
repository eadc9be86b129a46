"""A small LRU of access tokens that already passed full verification.

Clients reuse one access token for many calls, and signature checking dominates the cost of
authenticating a call. An entry is keyed by the whole token string (header, claims and
signature: any change is a miss and gets fully verified), lives at most `max_age` seconds and
never past the token's own expiry. Callers re-check that the signing key is still published on
every hit, so retiring a key takes effect immediately. Only successes are cached.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from tenfour_shared.auth.principal import Principal

__all__ = ["CachedToken", "VerifiedTokenCache"]


@dataclass(frozen=True, slots=True)
class CachedToken:
    principal: Principal
    kid: str
    valid_until: float  # epoch seconds: min(exp + leeway, cached_at + max_age)


class VerifiedTokenCache:
    def __init__(self, max_entries: int = 4096, max_age: float = 60.0) -> None:
        if max_entries < 1 or max_age <= 0:
            raise ValueError("cache needs max_entries >= 1 and max_age > 0")
        self._entries: OrderedDict[str, CachedToken] = OrderedDict()
        self._max_entries = max_entries
        self._max_age = max_age

    def get(self, token: str, now: float) -> CachedToken | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if now >= entry.valid_until:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return entry

    def put(self, token: str, principal: Principal, kid: str, expires: float, now: float) -> None:
        self._entries[token] = CachedToken(principal, kid, min(expires, now + self._max_age))
        self._entries.move_to_end(token)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def discard(self, token: str) -> None:
        self._entries.pop(token, None)

    def __len__(self) -> int:
        return len(self._entries)
