"""Reschedule: move one officer's individual session to a new start, re-checked as a new
booking that ignores the session being moved; a refusal leaves the session unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import scheduling_events_pb2 as ev
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.codec.values import interval_to_proto, timestamp
from tenfour_scheduling.domain.records import to_ms
from tenfour_scheduling.service.booking.idempotency import Key, digest
from tenfour_scheduling.service.booking.transaction import (
    Hold,
    Steps,
    Transaction,
    Wording,
    day_kind,
)
from tenfour_scheduling.service.ports import Appointments
from tenfour_shared.calendar import SessionType
from tenfour_shared.errors import NotFound, WrongState

__all__ = ["Reschedule"]

_WORDING = Wording(
    expired="the reschedule took too long and was undone; your session is unchanged",
    exhausted="this appointment or time is changing too fast; your session is unchanged",
    suffix="; your session is unchanged",
)


class Reschedule:
    def __init__(self, tx: Transaction, store: Appointments) -> None:
        self._tx = tx
        self._store = store

    async def reschedule(
        self, *, caller_id: str, appointment_id: str, new_start: datetime, idempotency_key: str
    ) -> Appointment:
        key = Key(
            caller_id,
            digest(caller_id, "reschedule", idempotency_key),
            digest("reschedule", appointment_id, str(to_ms(new_start))),
        )
        moving = Appointment()  # as read by the attempt under way
        version = 0  # of ``moving``: the commit re-checks it

        async def prepare(now: datetime) -> Hold | Appointment | None:
            nonlocal moving, version
            first = await self._tx.keys.replay(key)
            if first is not None:
                return first
            stored = await self._store.get(appointment_id)
            if stored is None or caller_id not in stored.appointment.officer_ids:
                raise NotFound("no such appointment")
            old = stored.appointment
            if old.status != AppointmentStatus.APPOINTMENT_STATUS_BOOKED:
                raise WrongState("only a booked appointment can be rescheduled")
            if old.session_type == common.SESSION_TYPE_GROUP:
                raise WrongState("group sessions cannot be moved; cancel your seat instead")
            if len(old.officer_ids) != 1:
                raise WrongState("a seat in a group session cannot be moved; cancel it instead")
            old_start = old.time.start.ToDatetime(tzinfo=UTC)
            if old_start <= now:
                raise WrongState("the session has already started")
            if old_start == new_start:
                return old
            moving, version = old, stored.version
            intent = await self._tx.checked(
                key,
                old.agency_id,
                old.provider_id,
                SessionType.INDIVIDUAL,
                new_start,
                now,
                exclude=appointment_id,
            )
            if intent is None or isinstance(intent, Appointment):
                return intent
            return Hold(intent, f"{appointment_id}>{to_ms(new_start)}", appointment_id, skip=appointment_id)

        async def write(hold: Hold, now: datetime, deadline_ms: int) -> tuple[Appointment, str]:
            old = moving
            intent = hold.intent
            moved = Appointment()
            moved.CopyFrom(old)
            moved.time.CopyFrom(interval_to_proto(intent.place.time))
            moved.officer_day_kinds[:] = [day_kind(intent.officer.roster, intent.place.time.start)]
            moved.version = version + 1
            moved.updated_at.CopyFrom(timestamp(now))
            moved.status_reason = "rescheduled"
            moved.conflict = False  # the new time was checked against the current roster
            event = ev.AppointmentRescheduled(appointment=moved, previous_time=old.time)
            result = await self._store.commit(
                self._tx.commit(intent.snapshot, intent.place, "move", moved, version, deadline_ms, event)
            )
            return moved, result.code

        return await self._tx.run(key, Steps(prepare, write), _WORDING)
