"""FindSlots: the officer's side and every eligible provider of their agency, from the read
models only (no call to availability or identity), into the domain's slot search."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.domain import (
    EmptyReason,
    Officer,
    OfficerPreferences,
    ProviderOffer,
    SlotFilters,
    SlotSearchResult,
    find_slots,
)
from tenfour_scheduling.domain.officer_days import DaysCache
from tenfour_scheduling.domain.peer_windows import PeerOffDuty
from tenfour_scheduling.domain.reasons import Reason, joined
from tenfour_scheduling.domain.records import ProviderSnapshot
from tenfour_scheduling.domain.slot_bits import ProviderBits, find_slots_indexed
from tenfour_scheduling.domain.slots import DEFAULT_STEP
from tenfour_scheduling.service.booking import Clock
from tenfour_scheduling.service.candidates import Candidates
from tenfour_scheduling.service.checks import check_booking, officer_side
from tenfour_scheduling.service.claims import Claims
from tenfour_scheduling.service.offer_cache import OfferCache, whole_days
from tenfour_scheduling.service.offers import (
    UNLICENSED,
    Expansions,
    ineligibility,
    licensed_offer,
    provider_offer,
)
from tenfour_scheduling.service.ports import Appointments, Facts, ProviderDirectory, SearchFacts
from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import Interval, load_zone

__all__ = ["GroupSlot", "SlotSearch", "SlotService"]

_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SlotSearch:
    result: SlotSearchResult
    providers: dict[str, ProviderSnapshot]  # by id, for display names
    zone: str  # the officer's


@dataclass(frozen=True, slots=True)
class GroupSlot:
    """An open group session the officer may take a seat in."""

    appointment: Appointment
    snapshot: ProviderSnapshot
    local_start: datetime  # in the officer's zone
    reason: str
    reasons: tuple[Reason, ...] = ()


class SlotService:
    def __init__(
        self,
        providers: ProviderDirectory,
        facts: Facts,
        search: SearchFacts,
        claims: Claims,
        expansions: Expansions,
        clock: Clock,
        store: Appointments,
    ) -> None:
        self._store = store
        self._providers = providers
        self._claims = claims
        self._facts = facts
        self._search = search
        self._expansions = expansions
        self._clock = clock
        self._peer_windows = PeerOffDuty()  # peer supporters' off-duty windows, reused
        self._offers = OfferCache(expansions)  # offers and their bitmaps, per version and calendar
        self._bits = ProviderBits()
        self._candidates = Candidates()  # eligible providers and their pool, per agency list
        self._days = DaysCache()  # each officer's side of a search's whole dates, while unchanged

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
        # A session may start up to the end of the horizon: expand far enough for it to end.
        reach = window.expand(timedelta(0), _DAY)
        facts, snapshots = await self._search.search(officer_id, agency_id, reach, only)
        facts = replace(facts, entries=await self._claims.as_settled(officer_id, facts.entries))
        officer = officer_side(facts)
        stored = facts.preferences

        def build() -> tuple[list[ProviderSnapshot], list[ProviderOffer]]:
            eligible = [
                licensed_offer(s, officer.jurisdictions, now)
                for s in snapshots
                if ineligibility(
                    s,
                    agency_id=agency_id,
                    officer_id=officer_id,
                    session_type=session_type,
                    current_provider=officer.current_provider,
                    at=now,
                    jurisdictions=officer.jurisdictions,
                )
                is None
            ]
            kept = [o for s in eligible if (o := self._offers.offer(s, session_type, reach, exclude, days))]
            return eligible, kept

        days = whole_days(reach)
        found = self._candidates.eligible(
            (agency_id, session_type, exclude, only, days),
            snapshots,
            officer_id=officer_id,
            current_provider=officer.current_provider,
            jurisdictions=officer.jurisdictions,
            now=now,
            build=build,
            session_type=session_type.value,
        )
        eligible = found.snapshots
        args = (
            Officer(
                officer_id=officer_id,
                jurisdiction=stored.jurisdiction if stored else None,
                current_provider_id=officer.current_provider,
            ),
            officer.roster.roster,
            officer.policy.fatigue,
            stored.preferences if stored else OfficerPreferences(),
        )
        options = {
            "now": now,
            "horizon": horizon,
            "officer_bookings": officer.bookings(exclude),
            "limit": limit,
            "step": step or DEFAULT_STEP,
        }

        def today() -> SlotSearchResult:
            """The reference search on offers built for this very moment: its empty reason."""
            offers = [
                o
                for s in eligible
                if (o := provider_offer(s, session_type, reach, now, self._expansions, exclude=exclude))
            ]
            return find_slots(*args, offers, session_type.value, filters, **options)  # type: ignore[arg-type]

        result = find_slots_indexed(
            *args,
            found.offers,
            session_type.value,
            filters,
            **options,  # type: ignore[arg-type]
            peer_windows=self._peer_windows,
            cache=self._bits,
            empty=today,
            pool=found.pool,
            days=self._days,
        )
        # Nobody offers it *to this officer*: say so when it is because of where they live.
        if (
            result.empty_reason is EmptyReason.NO_OFFERS
            and officer.jurisdictions is not None
            and any(
                ineligibility(
                    s,
                    agency_id=agency_id,
                    officer_id=officer_id,
                    session_type=session_type,
                    current_provider=officer.current_provider,
                    at=now,
                    jurisdictions=officer.jurisdictions,
                )
                == UNLICENSED
                for s in snapshots
            )
        ):
            message = "no clinician who offers this is licensed where you live"
            result = replace(result, empty_reason=EmptyReason.NO_LICENSED, message=message)
        return SlotSearch(result, found.providers, officer.roster.roster.zone)

    async def find_groups(
        self, *, officer_id: str, agency_id: str, horizon: timedelta, limit: int
    ) -> list[GroupSlot]:
        """Open group sessions (a free seat, not already the officer's) of the providers serving
        the officer's agency, that pass every check a seat is taken with; soonest first."""
        now = self._clock()
        window = Interval(now, now + horizon)
        ids = await self._providers.agency_provider_ids(agency_id)
        groups: list[Appointment] = []
        for provider_id in ids:
            found = await self._store.get_many(await self._store.provider_index(provider_id, now, window.end))
            groups.extend(
                s.appointment
                for s in found
                if s.appointment.session_type == common.SESSION_TYPE_GROUP
                and s.appointment.status == AppointmentStatus.APPOINTMENT_STATUS_BOOKED
                and s.appointment.agency_id == agency_id
                and not s.appointment.training_course  # trainings are for their invitees only
                and len(s.appointment.officer_ids) < s.appointment.capacity
                and officer_id not in s.appointment.officer_ids
                and now < s.appointment.time.start.ToDatetime(tzinfo=UTC) < window.end
            )
        if not groups:
            return []
        providers = sorted({g.provider_id for g in groups})
        reach = window.expand(_DAY, _DAY)
        facts, snapshots = await self._facts.read(officer_id, agency_id, reach, providers)
        facts = replace(facts, entries=await self._claims.as_settled(officer_id, facts.entries))
        officer = officer_side(facts)
        by_id = {s.provider_id: s for s in snapshots}
        zone = load_zone(officer.roster.roster.zone)
        out: list[GroupSlot] = []
        for g in sorted(groups, key=lambda a: (a.time.start.ToDatetime(tzinfo=UTC), a.appointment_id)):
            snapshot = by_id[g.provider_id]
            start = g.time.start.ToDatetime(tzinfo=UTC)
            problem = check_booking(
                officer, snapshot, SessionType.GROUP, start, now, self._expansions, exclude=g.appointment_id
            )
            if problem is not None:
                continue
            free = g.capacity - len(g.officer_ids)
            reasons = (Reason.group_seats(free, g.capacity), Reason.fits_rest_rules())
            out.append(GroupSlot(g, snapshot, start.astimezone(zone), joined(reasons), reasons))
            if len(out) >= limit:
                break
        return out
