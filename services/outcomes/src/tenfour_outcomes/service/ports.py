"""The ports outcomes' use cases depend on, as Protocols: the Redis adapter implements them,
bootstrap.py wires it, unit tests fake it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Protocol

from tenfour_outcomes.domain.campaigns import Campaign, CampaignRelease
from tenfour_outcomes.domain.facts import SessionFact, Tier
from tenfour_outcomes.domain.feedback import FeedbackTotals
from tenfour_outcomes.domain.periods import Period
from tenfour_outcomes.domain.publication import Release
from tenfour_outcomes.domain.records import Snapshot

__all__ = ["Outcomes"]


class Outcomes(Protocol):
    """Session facts, enrolments, feedback credentials and totals, and published releases."""

    async def apply_fact(self, agency_id: str, appointment: str, stamp: str, fact: SessionFact) -> bool: ...
    async def enrol(self, agency_id: str, officer: str, day: int) -> None: ...
    async def set_tier(self, provider: str, tier: Tier) -> None: ...
    async def fact(self, agency_id: str, appointment: str) -> SessionFact | None: ...
    async def issue(
        self, agency_id: str, month: Period, officer: str, appointment: str, digest: str, ttl: timedelta
    ) -> int: ...
    async def redeem(
        self, agency_id: str, month: Period, digest: str, increments: Mapping[str, int], ttl: timedelta
    ) -> int: ...
    async def releases(self, agency_id: str) -> tuple[list[Release], Period | None]: ...
    async def snapshot(self, agency_id: str) -> Snapshot: ...
    async def feedback(
        self, agency_id: str, months: Sequence[Period]
    ) -> tuple[dict[Period, FeedbackTotals], dict[Period, dict[str, int]]]: ...
    async def save_releases(
        self,
        agency_id: str,
        expected_last: Period | None,
        releases: Sequence[Release],
        drop_stamps: Sequence[str] = (),
    ) -> bool: ...
    async def put_campaign(self, agency_id: str, campaign: Campaign) -> None: ...
    async def add_invited(self, agency_id: str, campaign_id: str, officer: str) -> None: ...
    async def campaigns(self, agency_id: str) -> tuple[list[Campaign], dict[str, CampaignRelease]]: ...
    async def save_campaign_release(
        self, agency_id: str, campaign_id: str, release: CampaignRelease
    ) -> CampaignRelease: ...
    async def agencies(self) -> list[str]: ...
