"""Conflicts: after a change of an officer's roster (set, import, override), their agency's
fatigue policy or a provider's availability, every future booked session and every held group
seat of the officer is re-checked as if booked now (the session itself left out of both
sides).

* It no longer fits and is not flagged: flagged once with ``appointment_conflict_detected``
  (a one-to-one session by a compare-and-set on its version that sets ``conflict``; a group
  seat by its record in the officer's conflict log, since the group is shared).
* It fits again and is flagged: the flag is cleared with ``appointment_conflict_cleared``.
* Still flagged and still not fitting: nothing (no second event).

What counts as a conflict: service/conflict_rules.py.

Alternatives are computed when listed (``list``), so the officer always sees times free now:
after an alternative was taken meanwhile, the next list offers fresh ones.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.domain.alternatives import DEFAULT_ALTERNATIVES
from tenfour_scheduling.domain.records import StoredAppointment, to_ms
from tenfour_scheduling.service.alternatives import AlternativeFinder
from tenfour_scheduling.service.appointments import AppointmentService
from tenfour_scheduling.service.checks import BookingProblem
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.conflict_rules import conflict, review_path
from tenfour_scheduling.service.offers import Expansions
from tenfour_scheduling.service.ports import Appointments, ConflictLog, Facts
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["ConflictService"]

_BOOKED = AppointmentStatus.APPOINTMENT_STATUS_BOOKED


def _start(a: Appointment) -> datetime:
    return a.time.start.ToDatetime(tzinfo=UTC)


class ConflictService:
    def __init__(
        self,
        store: Appointments,
        conflicts: ConflictLog,
        facts: Facts,
        alternatives: AlternativeFinder,
        appointments: AppointmentService,
        expansions: Expansions,
        clock: Clock,
        announced: int = DEFAULT_ALTERNATIVES,
    ) -> None:
        self._store = store
        self._conflicts = conflicts
        self._facts = facts
        self._alternatives = alternatives
        self._appointments = appointments
        self._expansions = expansions
        self._clock = clock
        self._announced = announced  # how many alternatives the detected event carries
        self._locks = [asyncio.Lock() for _ in range(64)]  # striped by officer

    async def roster_changed(self, officer_id: str, agency_id: str) -> int:
        if agency_id:
            await self._conflicts.add_officer(agency_id, officer_id)
        return await self.recheck(officer_id)

    async def officers(self, agency_id: str) -> list[str]:
        """The agency's officers with a roster (those a policy change concerns)."""
        return await self._conflicts.officers(agency_id)

    async def policy_changed(self, agency_id: str) -> int:
        changed = 0
        for officer_id in await self._conflicts.officers(agency_id):
            changed += await self.recheck(officer_id)
        return changed

    async def provider_changed(self, provider_id: str) -> int:
        """Re-check the officers of the provider's future sessions (their hours changed)."""
        now = self._clock()
        ids = await self._store.provider_index(provider_id, now, None)
        officers = sorted(
            {
                o
                for s in await self._store.get_many(ids)
                if s.appointment.status == _BOOKED
                for o in s.appointment.officer_ids
            }
        )
        changed = 0
        for officer_id in officers:
            changed += await self.recheck(officer_id)
        return changed

    async def recheck(self, officer_id: str) -> int:
        """Flag what no longer fits, clear what fits again; how many flags changed.

        One re-check per officer at a time in this process (a re-check for the old roster that
        finished after the one for the new roster would leave a stale flag), and again when the
        roster moved while it ran (another instance may have re-checked the newer one already)."""
        async with self._locks[hash(officer_id) % len(self._locks)]:
            changed, version = await self._recheck_once(officer_id)
            for _ in range(3):
                now = self._clock()
                mine, _ = await self._facts.read(officer_id, "", Interval(now, now))
                if (mine.roster.version if mine.roster is not None else 0) == version:
                    break
                more, version = await self._recheck_once(officer_id)
                changed += more
            return changed

    async def _recheck_once(self, officer_id: str) -> tuple[int, int]:
        now = self._clock()
        mine, _ = await self._facts.read(officer_id, "", Interval(now, now))
        ids = await self._store.officer_index(officer_id, now, None)
        records = await self._conflicts.all(officer_id)
        changed = 0
        for stored in await self._store.get_many(ids):
            a = stored.appointment
            group = a.session_type == common.SESSION_TYPE_GROUP
            if (
                a.status != _BOOKED
                or a.urgent
                or _start(a) <= now
                or officer_id not in a.officer_ids
                or (not group and len(a.officer_ids) != 1)
            ):
                continue
            flagged = a.appointment_id in records if group else a.conflict
            problem = await self._problem(officer_id, a, now)
            if problem is None and flagged:
                changed += await self._clear(officer_id, stored, "roster_resolved", now)
            elif problem is not None and not flagged:
                changed += await self._flag(officer_id, stored, problem, now)
        version = mine.roster.version if mine.roster is not None else 0
        await self._conflicts.checked(officer_id, version, to_ms(now))
        return changed, version

    async def last_checked(self, officer_id: str) -> tuple[int, datetime | None]:
        version, at_ms = await self._conflicts.last_checked(officer_id)
        return version, (datetime.fromtimestamp(at_ms / 1000, UTC) if at_ms else None)

    async def _problem(self, officer_id: str, a: Appointment, now: datetime) -> BookingProblem | None:
        start = _start(a)
        facts, (snapshot,) = await self._facts.read(
            officer_id, a.agency_id, Interval(start, start), [a.provider_id]
        )
        if facts.roster is None:
            return None
        return conflict(facts, snapshot, a, now, self._expansions)

    async def _flag(
        self, officer_id: str, stored: StoredAppointment, problem: BookingProblem, now: datetime
    ) -> int:
        a = stored.appointment
        group = a.session_type == common.SESSION_TYPE_GROUP
        alternatives = await self._alternatives_of(officer_id, a, self._announced)
        record = pb.Conflict(
            reason=problem.message,
            reason_code=problem.code,
            group_seat=group,
            alternatives=alternatives,
            detected_at=timestamp(now),
        )
        event = ev.AppointmentConflictDetected(
            appointment_id=a.appointment_id,
            officer_id=officer_id,
            reason=problem.message,
            alternatives=[s.time for s in alternatives],
            time=a.time,
            reason_code=problem.code,
            group_seat=group,
            agency_id=a.agency_id,
            review_path=review_path(a.appointment_id),
        )
        envelope = build(event, subject=a.appointment_id, when=now)
        if group:
            return int(await self._conflicts.flag(officer_id, a.appointment_id, record, envelope))
        await self._conflicts.put(officer_id, a.appointment_id, record)
        new = self._marked(stored, True, now)
        if not await self._store.transition(new, stored.version, True, envelope):
            return 0  # changed meanwhile: its own event triggers nothing here, the next change re-checks
        await self._appointments.mirror(new)
        return 1

    async def _clear(self, officer_id: str, stored: StoredAppointment, why: str, now: datetime) -> int:
        a = stored.appointment
        group = a.session_type == common.SESSION_TYPE_GROUP
        event = ev.AppointmentConflictCleared(
            appointment_id=a.appointment_id,
            officer_id=officer_id,
            reason_code=why,
            group_seat=group,
            agency_id=a.agency_id,
        )
        envelope = build(event, subject=a.appointment_id, when=now)
        if group or not a.conflict:
            return int(await self._conflicts.clear(officer_id, a.appointment_id, envelope))
        new = self._marked(stored, False, now)
        if not await self._store.transition(new, stored.version, True, envelope):
            return 0
        await self._appointments.mirror(new)
        await self._conflicts.drop(officer_id, [a.appointment_id])
        return 1

    @staticmethod
    def _marked(stored: StoredAppointment, conflict: bool, now: datetime) -> Appointment:
        new = Appointment()
        new.CopyFrom(stored.appointment)
        new.conflict = conflict
        new.version = stored.version + 1
        new.updated_at.CopyFrom(timestamp(now))
        return new

    async def settled(self, appointment: Appointment, why: str) -> None:
        """The session was moved or cancelled: its flags end, each announced once. (A seat
        given up leaves the officer out of the event; its record is dropped quietly by ``list``.)"""
        now = self._clock()
        for officer_id in appointment.officer_ids:
            if appointment.appointment_id not in await self._conflicts.all(officer_id):
                continue
            event = ev.AppointmentConflictCleared(
                appointment_id=appointment.appointment_id,
                officer_id=officer_id,
                reason_code=why,
                group_seat=appointment.session_type == common.SESSION_TYPE_GROUP,
                agency_id=appointment.agency_id,
            )
            envelope = build(event, subject=appointment.appointment_id, when=now)
            await self._conflicts.clear(officer_id, appointment.appointment_id, envelope)

    async def _alternatives_of(self, officer_id: str, a: Appointment, count: int) -> list[pb.Slot]:
        if a.session_type == common.SESSION_TYPE_GROUP:
            facts, _ = await self._facts.read(officer_id, a.agency_id, Interval(_start(a), _start(a)), [])
            zone = facts.roster.roster.zone if facts.roster is not None else "UTC"
            return await self._alternatives.for_seat(officer_id, a, count, zone)
        return await self._alternatives.for_session(officer_id, a, count)

    async def list(
        self, officer_id: str, count: int = DEFAULT_ALTERNATIVES, only: str = ""
    ) -> list[pb.Conflict]:
        """The officer's flagged future sessions and seats, each with fresh alternatives."""
        now = self._clock()
        records = await self._conflicts.all(officer_id)
        if only:
            records = {k: v for k, v in records.items() if k == only}
        if not records:
            return []
        current = {
            s.appointment.appointment_id: s.appointment for s in await self._store.get_many(sorted(records))
        }
        out: list[pb.Conflict] = []
        stale: list[str] = []
        for appointment_id, record in sorted(records.items()):
            a = current.get(appointment_id)
            live = (
                a is not None
                and a.status == _BOOKED
                and _start(a) > now
                and officer_id in a.officer_ids
                and (a.conflict or record.group_seat)
            )
            if a is None or not live:
                # Moved or cancelled sessions are left to ``settled`` (it announces the end);
                # a seat given up or a past session has nothing left to announce.
                if a is None or _start(a) <= now or officer_id not in a.officer_ids:
                    stale.append(appointment_id)
                continue
            fresh = await self._alternatives_of(officer_id, a, count)
            detected = Timestamp()
            detected.CopyFrom(record.detected_at)
            out.append(
                pb.Conflict(
                    appointment=a,
                    reason=record.reason,
                    reason_code=record.reason_code,
                    group_seat=record.group_seat,
                    alternatives=fresh,
                    detected_at=detected,
                )
            )
        await self._conflicts.drop(officer_id, stale)
        out.sort(key=lambda c: _start(c.appointment))
        return out
