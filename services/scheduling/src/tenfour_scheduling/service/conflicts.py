"""Roster-change conflicts: after an officer's roster (or their agency's fatigue policy)
changes, every future booked appointment that the officer could no longer book is marked
``conflict`` (a compare-and-set on its version that writes ``appointment_conflict_detected``
in the same step) with up to three alternatives, the same provider's first. The officer
accepts one with the atomic Reschedule, which clears the mark.

Only the officer's side decides a conflict (duty, shift buffers, protected sleep, quick
returns, the daily limit, overlaps): a provider's later rule change does not mark sessions
already booked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.codec.values import interval_to_proto, timestamp
from tenfour_scheduling.domain import Slot, SlotFilters
from tenfour_scheduling.domain.records import ProviderSnapshot
from tenfour_scheduling.service.appointments import AppointmentService
from tenfour_scheduling.service.checks import check_booking, officer_side
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.offers import Expansions
from tenfour_scheduling.service.ports import Appointments, ConflictLog, Facts
from tenfour_scheduling.service.slots import SlotService
from tenfour_shared.calendar import SessionType
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["OFFICER_SIDE", "ConflictService"]

ALTERNATIVES = 3
HORIZON = timedelta(days=28)
OFFICER_SIDE = frozenset(
    {
        "on_duty",
        "pre_shift_buffer",
        "post_shift_buffer",
        "protected_sleep",
        "quick_return",
        "officer_busy",
        "officer_day_limit",
    }
)
_BOOKED = AppointmentStatus.APPOINTMENT_STATUS_BOOKED


def _start(a: Appointment) -> datetime:
    return a.time.start.ToDatetime(tzinfo=UTC)


class ConflictService:
    def __init__(
        self,
        store: Appointments,
        conflicts: ConflictLog,
        facts: Facts,
        slots: SlotService,
        appointments: AppointmentService,
        expansions: Expansions,
        clock: Clock,
    ) -> None:
        self._store = store
        self._conflicts = conflicts
        self._facts = facts
        self._slots = slots
        self._appointments = appointments
        self._expansions = expansions
        self._clock = clock

    async def roster_changed(self, officer_id: str, agency_id: str) -> int:
        if agency_id:
            await self._conflicts.add_officer(agency_id, officer_id)
        return await self.recheck(officer_id)

    async def policy_changed(self, agency_id: str) -> int:
        marked = 0
        for officer_id in await self._conflicts.officers(agency_id):
            marked += await self.recheck(officer_id)
        return marked

    async def recheck(self, officer_id: str) -> int:
        """Mark the officer's future sessions that now conflict; how many were newly marked."""
        now = self._clock()
        ids = await self._store.officer_index(officer_id, now, None)
        marked = 0
        for stored in await self._store.get_many(ids):
            a = stored.appointment
            if (
                a.status != _BOOKED
                or a.conflict
                or a.urgent
                or a.session_type == common.SESSION_TYPE_GROUP  # cannot be moved: not marked
                or list(a.officer_ids) != [officer_id]
                or _start(a) <= now
            ):
                continue
            start = _start(a)
            facts, (snapshot,) = await self._facts.read(
                officer_id, a.agency_id, Interval(start, start), [a.provider_id]
            )
            if facts.roster is None:
                continue
            officer = officer_side(facts)
            problem = check_booking(
                officer,
                snapshot,
                SessionType.INDIVIDUAL,
                start,
                now,
                self._expansions,
                exclude=a.appointment_id,
            )
            if problem is None or problem.code not in OFFICER_SIDE:
                continue
            alternatives = await self._alternatives(officer_id, a)
            await self._conflicts.put(
                officer_id, a.appointment_id, pb.Conflict(reason=problem.message, alternatives=alternatives)
            )
            new = Appointment()
            new.CopyFrom(a)
            new.conflict = True
            new.version = stored.version + 1
            new.updated_at.CopyFrom(timestamp(now))
            event = ev.AppointmentConflictDetected(
                appointment_id=a.appointment_id,
                officer_id=officer_id,
                reason=problem.message,
                alternatives=[s.time for s in alternatives],
            )
            envelope = build(event, subject=a.appointment_id, when=now)
            if await self._store.transition(new, stored.version, True, envelope):
                await self._appointments.mirror(new)
                marked += 1
        return marked

    async def _alternatives(self, officer_id: str, a: Appointment) -> list[pb.Slot]:
        """Up to three, on different days where possible: the same provider's first."""
        found: list[tuple[Slot, ProviderSnapshot | None]] = []
        for only in (frozenset({a.provider_id}), None):
            search = await self._slots.find(
                officer_id=officer_id,
                agency_id=a.agency_id,
                session_type=SessionType.INDIVIDUAL,
                filters=SlotFilters(),
                horizon=HORIZON,
                limit=50,
                exclude=a.appointment_id,
                only=only,
            )
            found += [(s, search.providers.get(s.provider_id)) for s in search.result.slots]
        chosen: list[tuple[Slot, ProviderSnapshot | None]] = []
        days: set[date] = set()
        for slot, snapshot in found:
            if len(chosen) < ALTERNATIVES and slot.local_start.date() not in days:
                chosen.append((slot, snapshot))
                days.add(slot.local_start.date())
        for slot, snapshot in found:
            if len(chosen) < ALTERNATIVES and all(
                slot.start != c.start or slot.provider_id != c.provider_id for c, _ in chosen
            ):
                chosen.append((slot, snapshot))
        out = []
        for rank, (slot, snapshot) in enumerate(chosen):
            profile = snapshot.profile if snapshot is not None else None
            out.append(
                pb.Slot(
                    provider_id=slot.provider_id,
                    provider_display_name=profile.display_name if profile is not None else "",
                    time=interval_to_proto(Interval(slot.start, slot.end)),
                    local_start=slot.local_start.isoformat(),
                    reason=slot.reason,
                    score=round(1.0 - rank / ALTERNATIVES, 4),
                )
            )
        return out

    async def list(self, officer_id: str) -> list[pb.Conflict]:
        """The officer's future booked sessions marked as conflicting, with their alternatives."""
        now = self._clock()
        records = await self._conflicts.all(officer_id)
        if not records:
            return []
        current = {
            s.appointment.appointment_id: s.appointment for s in await self._store.get_many(sorted(records))
        }
        out: list[pb.Conflict] = []
        stale: list[str] = []
        for appointment_id, record in sorted(records.items()):
            a = current.get(appointment_id)
            if a is None or a.status != _BOOKED or _start(a) <= now:
                stale.append(appointment_id)
                continue
            if not a.conflict:  # being marked right now (the record is written first), or cleared
                continue
            out.append(pb.Conflict(appointment=a, reason=record.reason, alternatives=record.alternatives))
        await self._conflicts.drop(officer_id, stale)
        out.sort(key=lambda c: _start(c.appointment))
        return out
