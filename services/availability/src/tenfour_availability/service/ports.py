"""The port availability's use cases depend on, as a Protocol: the Redis repository
implements it, bootstrap.py wires it, unit tests fake it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_availability.domain.feeds import Feed, Fetched
from tenfour_availability.domain.state import ProviderState

__all__ = ["FeedFetcher", "FeedStore", "Fetched", "Mutation", "ProviderRules"]

# A change of one provider's state: the new state, or None for "nothing to change".
Mutation = Callable[[ProviderState], ProviderState | None]


class ProviderRules(Protocol):
    """Each provider's rules, labels and imported calendar, changed atomically with their event."""

    async def get(self, provider_id: str, *, with_ics: bool = False) -> ProviderState: ...
    async def change(
        self, provider_id: str, mutate: Mutation, now: datetime, expected_version: int = 0
    ) -> ProviderState: ...
    async def ics(self, provider_id: str) -> str | None: ...
    async def with_imports(self) -> list[str]: ...
    async def remember_profile_zone(self, provider_id: str, timezone: str, version: int) -> bool: ...
    async def profile_zone(self, provider_id: str) -> str | None: ...


class FeedStore(Protocol):
    """Providers' calendar subscriptions; a pause event is written with the feed's record."""

    async def get(self, provider_id: str) -> Feed | None: ...
    async def save(self, feed: Feed, event: Envelope | None = None, *, replace: bool = False) -> bool:
        """Store ``feed``; unless ``replace``, only while the stored feed still has its url
        (False when it was removed or re-subscribed meanwhile)."""
        ...

    async def delete(self, provider_id: str) -> bool: ...
    async def provider_ids(self) -> list[str]: ...


class FeedFetcher(Protocol):
    async def fetch(self, url: str, etag: str, last_modified: str) -> Fetched:
        """Raises domain.feeds.FeedError in plain words for anything unusable."""
        ...
