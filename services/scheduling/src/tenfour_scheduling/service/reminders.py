"""Reminders: when an appointment is booked or moved (scheduling's own events), each officer's
reminder times are computed from the agency's ``reminder_offsets`` around their duty and
sleep, their own usual sleep window included (``domain.reminders``) and scheduled; ``drive``
(the worker) publishes ``scheduling.reminder_due`` when each falls due, once (the member is
removed in the same script that writes the event). A member names the start it was computed
for, so reminders of a moved or cancelled appointment are dropped, not sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.codec.values import timestamp
from tenfour_scheduling.domain.policy import personal_fatigue
from tenfour_scheduling.domain.records import to_ms
from tenfour_scheduling.domain.reminders import quiet_times, reminder_times
from tenfour_scheduling.service.clock import Clock
from tenfour_scheduling.service.due import send_due
from tenfour_scheduling.service.ports import Appointments, DueItems, DutyFacts
from tenfour_shared.events.envelope import build
from tenfour_shared.timeline import Interval

__all__ = ["ReminderService"]

_BOOKED = AppointmentStatus.APPOINTMENT_STATUS_BOOKED


def _start(a: Appointment) -> datetime:
    return a.time.start.ToDatetime(tzinfo=UTC)


class ReminderService:
    def __init__(self, store: DueItems, appointments: Appointments, facts: DutyFacts, clock: Clock) -> None:
        self._store = store
        self._appointments = appointments
        self._facts = facts
        self._clock = clock

    async def times(self, officer_id: str, a: Appointment) -> list[tuple[timedelta, datetime]]:
        """The officer's reminder times for this appointment."""
        start = _start(a)
        roster, policy, preferences = await self._facts.duty(officer_id, a.agency_id)
        offsets = policy.reminder_offsets
        forbidden: list[Interval] = []
        if roster is not None and offsets:
            window = Interval(start - max(offsets) - timedelta(days=2), start)
            fatigue = personal_fatigue(policy.fatigue, preferences)
            forbidden = quiet_times(roster.roster, fatigue, window)
        return reminder_times(start, offsets, forbidden)

    async def appointment_changed(self, a: Appointment) -> None:
        if a.status != _BOOKED:
            return
        items: dict[str, int] = {}
        for officer_id in a.officer_ids:
            items.update(await self._items(officer_id, a))
        await self._store.schedule(items)

    async def officer_changed(self, officer_id: str) -> int:
        """Their roster or their own sleep window changed: the reminders still to come move with
        it (one already sent is not queued again); how many were re-timed."""
        ids = await self._appointments.officer_index(officer_id, self._clock(), None)
        items: dict[str, int] = {}
        for stored in await self._appointments.get_many(ids):
            a = stored.appointment
            if a.status == _BOOKED and officer_id in a.officer_ids:
                items.update(await self._items(officer_id, a))
        return await self._store.retime(items)

    async def _items(self, officer_id: str, a: Appointment) -> dict[str, int]:
        start_ms = to_ms(_start(a))
        return {
            f"{a.appointment_id}|{start_ms}|{officer_id}|{int(offset.total_seconds())}": to_ms(at)
            for offset, at in await self.times(officer_id, a)
        }

    async def drive(self) -> int:
        """Send every reminder now due; how many were sent."""
        return await send_due(self._store, self._clock(), self._reminder)

    async def _reminder(self, member: str, now: datetime) -> Envelope | None:
        appointment_id, start_ms, officer_id, _ = member.split("|")
        stored = await self._appointments.get(appointment_id)
        a = stored.appointment if stored is not None else None
        if (
            a is None
            or a.status != _BOOKED
            or str(to_ms(_start(a))) != start_ms
            or _start(a) <= now
            or officer_id not in a.officer_ids
        ):
            return None  # cancelled, moved or over: nothing to remind of
        event = ev.ReminderDue(
            appointment_id=appointment_id,
            user_id=officer_id,
            deliver_at=timestamp(now),
            start=a.time.start,
            session_type=a.session_type,
        )
        return build(event, subject=appointment_id, when=now)
