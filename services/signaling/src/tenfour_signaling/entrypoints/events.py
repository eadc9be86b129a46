"""Scheduling's booking events -> rooms. Several instances share one durable consumer."""

from __future__ import annotations

import re
from datetime import UTC

from google.protobuf.message import Message
from pydantic import ValidationError

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour.events.v1.scheduling_events_pb2 import AppointmentRescheduled, AppointmentStatusChanged
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_shared.events.consumer import Handler, PermanentFailure
from tenfour_signaling.service.bookings import Booking, Bookings

__all__ = ["scheduling_handlers"]

# Appointment ids become Redis hash tags and log fields: no braces, no whitespace.
_ID = re.compile(r"[^\s{}]{1,255}")
_ON = frozenset({AppointmentStatus.APPOINTMENT_STATUS_BOOKED, AppointmentStatus.APPOINTMENT_STATUS_ARRIVED})
_OFF = frozenset(
    {AppointmentStatus.APPOINTMENT_STATUS_CANCELLED, AppointmentStatus.APPOINTMENT_STATUS_ENTERED_IN_ERROR}
)


def booking_of(appointment: Appointment) -> Booking:
    if not all(_ID.fullmatch(i) for i in (appointment.appointment_id, appointment.provider_id)):
        raise PermanentFailure("appointment without usable appointment or provider id")
    if not appointment.officer_ids or not all(_ID.fullmatch(o) for o in appointment.officer_ids):
        raise PermanentFailure("appointment without usable officer ids")
    if not appointment.HasField("time"):
        raise PermanentFailure("appointment without a time")
    return Booking(
        appointment_id=appointment.appointment_id,
        agency_id=appointment.agency_id,
        provider_id=appointment.provider_id,
        officer_ids=tuple(appointment.officer_ids),
        start=appointment.time.start.ToDatetime(tzinfo=UTC),
        end=appointment.time.end.ToDatetime(tzinfo=UTC),
        urgent=appointment.urgent,
    )


def scheduling_handlers(bookings: Bookings) -> dict[str, Handler]:
    async def apply(appointment: Appointment) -> None:
        try:
            if appointment.status in _ON and not appointment.officer_ids:
                # A group session nobody has a seat in (yet, or any more): no one may enter.
                if _ID.fullmatch(appointment.appointment_id):
                    await bookings.cancel(appointment.appointment_id)
            elif appointment.status in _ON:
                await bookings.book(booking_of(appointment))
            elif appointment.status in _OFF and _ID.fullmatch(appointment.appointment_id):
                await bookings.cancel(appointment.appointment_id)
        except ValidationError as exc:  # e.g. more people than a mesh room holds
            raise PermanentFailure(
                f"appointment does not make a room ({exc.error_count()} problems)"
            ) from None

    async def status_changed(_: Envelope, payload: Message) -> None:
        assert isinstance(payload, AppointmentStatusChanged)
        await apply(payload.appointment)

    async def rescheduled(_: Envelope, payload: Message) -> None:
        assert isinstance(payload, AppointmentRescheduled)
        await apply(payload.appointment)

    return {
        "scheduling.appointment_status_changed": status_changed,
        "scheduling.appointment_rescheduled": rescheduled,
    }
