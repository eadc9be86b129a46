"""Alternatives for a session in conflict, from FindSlots' own search (the bitmap index) with
the session left out of both sides, chosen by ``domain/alternatives.choose``.

The search runs per provider tier (the same provider; providers the officer has seen before;
everyone else of the agency only when the first two give fewer days than asked), each with
the largest limit, so every day with a fitting start is among the candidates: ranking never
hides a day (a day has at most 96 grid starts per provider). A session of a rotation series
gets the day its rule now names first (service/series_replan.py). A group seat's alternatives
are the open groups of the agency that pass the seat check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.codec.values import interval_to_proto
from tenfour_scheduling.domain import Slot, SlotFilters
from tenfour_scheduling.domain.alternatives import Alternative, Tier, choose
from tenfour_scheduling.domain.reasons import Reason
from tenfour_scheduling.domain.records import ProviderSnapshot
from tenfour_scheduling.domain.slots import MAX_LIMIT
from tenfour_scheduling.service.ports import Appointments
from tenfour_scheduling.service.reason_protos import reason_protos
from tenfour_scheduling.service.slots import GroupSlot, SlotService
from tenfour_shared.calendar import SessionType
from tenfour_shared.timeline import Interval, load_zone

__all__ = ["HORIZON", "AlternativeFinder", "Replanner"]

HORIZON = timedelta(days=28)
_SEEN = frozenset(
    {AppointmentStatus.APPOINTMENT_STATUS_FULFILLED, AppointmentStatus.APPOINTMENT_STATUS_ARRIVED}
)


@dataclass(frozen=True, slots=True)
class _Group:
    """An open group session as a candidate for ``choose``."""

    found: GroupSlot
    provider_id: str
    start: datetime
    local_start: datetime
    reason: str
    reasons: tuple[Reason, ...] = ()
    preferred_hours: bool = True


def _start(a: Appointment) -> datetime:
    return a.time.start.ToDatetime(tzinfo=UTC)


def _name(snapshot: ProviderSnapshot | None) -> str:
    profile = snapshot.profile if snapshot is not None else None
    return profile.display_name if profile is not None else ""


class Replanner(Protocol):
    """A session's own re-planned time (a rotation series' rule applied to the new roster)."""

    async def replanned(self, officer_id: str, a: Appointment) -> pb.Slot | None: ...


class AlternativeFinder:
    def __init__(self, store: Appointments, slots: SlotService, replanner: Replanner | None = None) -> None:
        self._store = store
        self._slots = slots
        self._replanner = replanner

    async def seen_before(self, officer_id: str, but: str) -> frozenset[str]:
        """Providers of the officer's sessions that took place (or started), except ``but``."""
        ids = await self._store.officer_index(officer_id, None, None)
        return frozenset(
            s.appointment.provider_id
            for s in await self._store.get_many(ids)
            if s.appointment.status in _SEEN and s.appointment.provider_id != but
        )

    async def for_session(self, officer_id: str, a: Appointment, count: int) -> list[pb.Slot]:
        seen = await self.seen_before(officer_id, a.provider_id)
        candidates: list[tuple[Tier, Slot]] = []
        names: dict[str, ProviderSnapshot] = {}
        zone = "UTC"
        tiers: list[tuple[Tier, frozenset[str] | None]] = [(Tier.SAME_PROVIDER, frozenset({a.provider_id}))]
        if seen:
            tiers.append((Tier.SEEN_BEFORE, seen))
        tiers.append((Tier.OTHER, None))
        for tier, only in tiers:
            if tier is Tier.OTHER and len({s.local_start.date() for _, s in candidates}) >= count:
                break
            search = await self._slots.find(
                officer_id=officer_id,
                agency_id=a.agency_id,
                session_type=SessionType.INDIVIDUAL,
                filters=SlotFilters(),
                horizon=HORIZON,
                limit=MAX_LIMIT,
                exclude=a.appointment_id,
                only=only,
            )
            zone = search.zone
            names.update(search.providers)
            known = {a.provider_id} | seen
            candidates += [
                (tier, s) for s in search.result.slots if tier is not Tier.OTHER or s.provider_id not in known
            ]
        target = _start(a).astimezone(load_zone(zone)).time()
        out = [self._slot(alt, names.get(alt.slot.provider_id)) for alt in choose(candidates, target, count)]
        own = await self._replanner.replanned(officer_id, a) if self._replanner and a.series_id else None
        if own is None:
            return out
        # The series' own day first; the others after it (the same time only once).
        same = (own.provider_id, own.time.start.ToDatetime())
        return [own, *(s for s in out if (s.provider_id, s.time.start.ToDatetime()) != same)][:count]

    async def for_seat(self, officer_id: str, group: Appointment, count: int, zone: str) -> list[pb.Slot]:
        seen = await self.seen_before(officer_id, group.provider_id)
        found = await self._slots.find_groups(
            officer_id=officer_id, agency_id=group.agency_id, horizon=HORIZON, limit=200
        )
        candidates = []
        for g in found:
            if g.appointment.appointment_id == group.appointment_id:
                continue
            tier = (
                Tier.SAME_PROVIDER
                if g.appointment.provider_id == group.provider_id
                else Tier.SEEN_BEFORE
                if g.appointment.provider_id in seen
                else Tier.OTHER
            )
            start = _start(g.appointment)
            candidates.append(
                (tier, _Group(g, g.appointment.provider_id, start, g.local_start, g.reason, g.reasons))
            )
        target: time = _start(group).astimezone(load_zone(zone)).time()
        out = []
        for alt in choose(candidates, target, count):
            g = alt.slot.found
            out.append(
                pb.Slot(
                    provider_id=g.appointment.provider_id,
                    provider_display_name=_name(g.snapshot),
                    time=g.appointment.time,
                    local_start=g.local_start.isoformat(),
                    reason=alt.reason,
                    reasons=reason_protos(alt.reasons),
                    group_appointment_id=g.appointment.appointment_id,
                )
            )
        return out

    @staticmethod
    def _slot(alt: Alternative[Slot], snapshot: ProviderSnapshot | None) -> pb.Slot:
        slot = alt.slot
        return pb.Slot(
            provider_id=slot.provider_id,
            provider_display_name=_name(snapshot),
            time=interval_to_proto(Interval(slot.start, slot.end)),
            local_start=slot.local_start.isoformat(),
            reason=alt.reason,
            reasons=reason_protos(alt.reasons),
            score=round(1.0 - alt.tier / 3, 4),
        )
