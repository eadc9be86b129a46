"""FindSlots: the officer's side and every eligible provider of their agency, from the read
models only (no call to availability or identity), into the domain's slot search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tenfour_scheduling.adapters.facts import FactReader
from tenfour_scheduling.adapters.provider_read_model import ProviderReadModel
from tenfour_scheduling.adapters.snapshots import ProviderSnapshot
from tenfour_scheduling.domain import (
    Officer,
    OfficerPreferences,
    ProviderOffer,
    SlotFilters,
    SlotSearchResult,
    find_slots,
)
from tenfour_scheduling.domain.slots import DEFAULT_STEP
from tenfour_scheduling.service.booking import Clock
from tenfour_scheduling.service.checks import officer_side
from tenfour_scheduling.service.claims import Claims
from tenfour_scheduling.service.offers import Expansions, ineligibility, provider_offer
from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import Interval

__all__ = ["SlotSearch", "SlotService"]

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SlotSearch:
    result: SlotSearchResult
    providers: dict[str, ProviderSnapshot]  # by id, for display names
    zone: str  # the officer's


class SlotService:
    def __init__(
        self,
        providers: ProviderReadModel,
        facts: FactReader,
        claims: Claims,
        expansions: Expansions,
        clock: Clock,
    ) -> None:
        self._providers = providers
        self._claims = claims
        self._facts = facts
        self._expansions = expansions
        self._clock = clock

    async def find(
        self,
        *,
        officer_id: str,
        agency_id: str,
        session_type: SessionType,
        filters: SlotFilters,
        horizon: timedelta,
        limit: int,
        exclude: str = "",
        only: frozenset[str] | None = None,
        step: timedelta | None = None,
    ) -> SlotSearch:
        """``exclude`` leaves one appointment out of both sides (the one a search moves);
        ``only`` limits the search to these providers."""
        now = self._clock()
        window = Interval(now, now + horizon)
        ids = await self._providers.agency_provider_ids(agency_id)
        if only is not None:
            ids = [i for i in ids if i in only]
        # A session may start up to the end of the horizon: expand far enough for it to end.
        reach = window.expand(timedelta(0), _DAY)
        facts, snapshots = await self._facts.read(officer_id, agency_id, reach, ids)
        if any(e.claim for e in facts.entries) and await self._claims.settle_dead(officer_id, facts.entries):
            facts, snapshots = await self._facts.read(officer_id, agency_id, reach, ids)
        officer = officer_side(facts)
        stored = facts.preferences
        offers: list[ProviderOffer] = []
        for snapshot in snapshots:
            why = ineligibility(
                snapshot,
                agency_id=agency_id,
                officer_id=officer_id,
                session_type=session_type,
                current_provider=officer.current_provider,
            )
            offer = (
                None
                if why is not None
                else provider_offer(snapshot, session_type, reach, now, self._expansions, exclude=exclude)
            )
            if offer is not None:
                offers.append(offer)
        result = find_slots(
            Officer(
                officer_id=officer_id,
                jurisdiction=stored.jurisdiction if stored else None,
                current_provider_id=officer.current_provider,
            ),
            officer.roster.roster,
            officer.policy.fatigue,
            stored.preferences if stored else OfficerPreferences(),
            offers,
            session_type.value,
            filters,
            now=now,
            horizon=horizon,
            officer_bookings=officer.bookings(exclude),
            limit=limit,
            step=step or DEFAULT_STEP,
        )
        return SlotSearch(result, {s.provider_id: s for s in snapshots}, officer.roster.roster.zone)
