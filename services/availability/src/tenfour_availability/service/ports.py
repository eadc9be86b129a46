"""The port availability's use cases depend on, as a Protocol: the Redis repository
implements it, bootstrap.py wires it, unit tests fake it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from tenfour_availability.domain.state import ProviderState

__all__ = ["Mutation", "ProviderRules"]

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
