"""Booking events as scheduling publishes them, for tests where a room must open without a booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenfour.common.v1 import common_pb2
from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
from tenfour.scheduling.v1 import appointments_pb2
from tenfour_shared.events.bus import connect
from tenfour_shared.events.bus import publish as publish_event
from tenfour_shared.events.envelope import build

__all__ = ["publish_booking"]


async def publish_booking(
    nats_url: str,
    *,
    appointment_id: str,
    agency_id: str,
    provider_id: str,
    officer_id: str,
    start_in_minutes: float = 5,
    minutes: float = 50,
    more_officers: tuple[str, ...] = (),
) -> None:
    """What scheduling publishes when a slot is booked: signaling opens a room from it.

    Used where the scheduling service cannot book yet; the event is exactly scheduling's.
    """
    start = datetime.now(UTC) + timedelta(minutes=start_in_minutes)
    appointment = appointments_pb2.Appointment(
        appointment_id=appointment_id,
        agency_id=agency_id,
        provider_id=provider_id,
        officer_ids=[officer_id, *more_officers],
        session_type=common_pb2.SESSION_TYPE_GROUP if more_officers else common_pb2.SESSION_TYPE_INDIVIDUAL,
        status=appointments_pb2.APPOINTMENT_STATUS_BOOKED,
        capacity=1 + len(more_officers),
    )
    appointment.time.start.FromDatetime(start)
    appointment.time.end.FromDatetime(start + timedelta(minutes=minutes))
    env = build(AppointmentStatusChanged(appointment=appointment), subject=appointment_id)
    nc, js = await connect(nats_url, "gateway-tests")
    try:
        await publish_event(js, env)
    finally:
        await nc.drain()
