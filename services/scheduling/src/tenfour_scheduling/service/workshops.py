"""The agency's group offering as its resources page lists it: the group sessions and workshops
providers offer the agency's officers, from now to 60 days ahead.

Decision: unlike FindSlots (which shows only the groups that fit the reader's shifts and rest),
the page lists every open group, like a notice board, and marks each that clashes with the
reader's roster or rest (the same off-duty computation as every booking: the agency's fatigue
rules with the reader's own usual sleep) with the first rule it breaks; the web app lists the
fitting ones and hides the clashing ones behind "show". Taking a seat is checked as always by
Book. Reading leaves no trace, as for the rest of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.identity_events_pb2 import ProviderProfile
from tenfour.scheduling.v1 import resources_pb2 as spb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.domain.fatigue import BlockReason, OffDutyResult, off_duty_windows
from tenfour_scheduling.domain.policy import personal_fatigue
from tenfour_scheduling.domain.records import StoredRoster
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.ports import Appointments, Officers
from tenfour_shared.timeline import Interval, load_zone

__all__ = ["AHEAD", "MAX_WORKSHOPS", "Offering", "Workshops"]

AHEAD = timedelta(days=60)
MAX_WORKSHOPS = 50


class Providers(Protocol):
    """The read model: the agency's providers and their public profile (display name)."""

    async def agency_provider_ids(self, agency_id: str) -> list[str]: ...
    async def profile(self, provider_id: str) -> ProviderProfile | None: ...


@dataclass(frozen=True, slots=True)
class Offering:
    workshops: list[spb.Workshop]
    zone: str  # the reader's roster zone, "" when unknown


def _listed(a: Appointment, agency_id: str, reader_id: str, now: datetime) -> bool:
    return (
        a.session_type == common.SESSION_TYPE_GROUP
        and a.status == AppointmentStatus.APPOINTMENT_STATUS_BOOKED
        and a.agency_id == agency_id
        and not a.training_course  # trainings are for their invitees only
        and a.time.start.ToDatetime(tzinfo=UTC) > now
        and (len(a.officer_ids) < a.capacity or reader_id in a.officer_ids)
    )


def _span(a: Appointment) -> Interval:
    return Interval(a.time.start.ToDatetime(tzinfo=UTC), a.time.end.ToDatetime(tzinfo=UTC))


def _clash(off: OffDutyResult | None, span: Interval) -> tuple[str, str]:
    """The first rule (in the fatigue rules' priority order) a session in ``span`` breaks, as
    (code, English text); ("", "") when it fits or nothing is known of the reader's shifts."""
    if off is None or any(w.start <= span.start and span.end <= w.end for w in off.windows):
        return "", ""
    hits = [b for b in off.blocked if b.interval.overlaps(span)]
    order = list(BlockReason)
    first = min(hits, key=lambda b: order.index(b.reason), default=None)
    return ("", "") if first is None else (first.reason.value, first.text)


class Workshops:
    def __init__(self, store: Appointments, providers: Providers, officers: Officers, clock: Clock) -> None:
        self._store = store
        self._providers = providers
        self._officers = officers
        self._clock = clock

    async def _off_duty(
        self, roster: StoredRoster | None, agency_id: str, reader_id: str, spans: list[Interval]
    ) -> OffDutyResult | None:
        if roster is None or not spans:
            return None
        policy = await self._officers.policy(agency_id)
        fatigue = personal_fatigue(policy.fatigue, await self._officers.preferences(reader_id))
        window = Interval(min(s.start for s in spans), max(s.end for s in spans))
        return off_duty_windows(roster.roster, fatigue, window, officer=True)

    async def offering(self, agency_id: str, reader_id: str) -> Offering:
        now = self._clock()
        roster = await self._officers.roster(reader_id)
        zone_name = roster.roster.zone if roster is not None else ""
        zone = load_zone(zone_name or "UTC")
        groups: list[tuple[Appointment, str]] = []
        for provider_id in await self._providers.agency_provider_ids(agency_id):
            ids = await self._store.provider_index(provider_id, now, now + AHEAD)
            found = [s.appointment for s in await self._store.get_many(ids)]
            mine = [a for a in found if _listed(a, agency_id, reader_id, now)]
            if mine:
                profile = await self._providers.profile(provider_id)
                name = profile.display_name if profile is not None else ""
                groups.extend((a, name) for a in mine)
        off = await self._off_duty(roster, agency_id, reader_id, [_span(a) for a, _ in groups])
        clashes = {a.appointment_id: _clash(off, _span(a)) for a, _ in groups}

        def soonest(g: tuple[Appointment, str]) -> tuple[datetime, str]:
            return g[0].time.start.ToDatetime(tzinfo=UTC), g[0].appointment_id

        # Over the cap, those that fit (or hold the reader's seat) are kept first.
        groups.sort(
            key=lambda g: (
                bool(clashes[g[0].appointment_id][0]) and reader_id not in g[0].officer_ids,
                *soonest(g),
            )
        )
        groups = sorted(groups[:MAX_WORKSHOPS], key=soonest)
        out = [
            spb.Workshop(
                group_appointment_id=a.appointment_id,
                topic_code=a.topic_code,
                time=a.time,
                local_start=a.time.start.ToDatetime(tzinfo=UTC).astimezone(zone).isoformat(),
                provider_display_name=name,
                seats_free=max(a.capacity - len(a.officer_ids), 0),
                capacity=a.capacity,
                seated=reader_id in a.officer_ids,
                clash_code=clashes[a.appointment_id][0],
                clash=clashes[a.appointment_id][1],
            )
            for a, name in groups
        ]
        return Offering(out, zone_name)
