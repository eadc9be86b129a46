"""The lifecycle driven by other services' events: signaling (arrived, fulfilled, no-show) and
identity (a deactivated user's future appointments are cancelled), each applied once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import time, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.events.v1 import identity_events_pb2 as identity
from tenfour.events.v1 import signaling_events_pb2 as signaling
from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus

from .conftest import Harness, every_day, rules, utc

pytestmark = pytest.mark.integration
S = AppointmentStatus
WED = utc(2026, 3, 4, 14)


async def until(
    h: Harness, appointment_id: str, officer: str, done: Callable[[Appointment], bool]
) -> Appointment:
    for _ in range(300):
        current = await h.get(appointment_id, officer)
        if done(current):
            return current
        await asyncio.sleep(0.02)
    raise AssertionError(f"appointment stayed {current}")


async def transitions(h: Harness, appointment_id: str, at_least: int) -> list[tuple[int, int]]:
    events = await h.scheduling_events("scheduling.appointment_status_changed", at_least=at_least)
    return [
        (e.previous_status, e.appointment.status)
        for e in events
        if isinstance(e, AppointmentStatusChanged) and e.appointment.appointment_id == appointment_id
    ]


async def test_signaling_drives_arrived_fulfilled_and_noshow(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    await harness.set_roster("o-2")
    came = await harness.book("o-1", "t-1", WED)
    missed = await harness.book("o-2", "t-1", WED + timedelta(hours=2))
    aid = came.appointment_id
    # The provider entering first changes nothing; the officer entering is "arrived".
    await harness.publish(
        signaling.ParticipantJoined(appointment_id=aid, participant_id="t-1", role="therapist"), aid
    )
    await harness.publish(
        signaling.ParticipantJoined(appointment_id=aid, participant_id="o-1", role="officer", waiting=True),
        aid,
    )
    await until(harness, aid, "o-1", lambda a: a.status == S.APPOINTMENT_STATUS_ARRIVED)
    ended = signaling.SessionEnded(
        appointment_id=aid, any_officer_joined=True, duration=Duration(seconds=3000), officers_joined=1
    )
    await harness.publish(ended, aid)
    await harness.publish(ended, aid)  # a second delivery (a new event id, same content)
    done = await until(harness, aid, "o-1", lambda a: a.status == S.APPOINTMENT_STATUS_FULFILLED)
    assert (done.status_reason, done.version) == ("session_ended", 3)
    nobody = signaling.SessionEnded(appointment_id=missed.appointment_id, reason_code="window_closed")
    await harness.publish(nobody, missed.appointment_id)
    noshow = await until(
        harness, missed.appointment_id, "o-2", lambda a: a.status == S.APPOINTMENT_STATUS_NOSHOW
    )
    assert noshow.status_reason == "no_officer_joined"
    assert await transitions(harness, aid, 5) == [
        (S.APPOINTMENT_STATUS_UNSPECIFIED, S.APPOINTMENT_STATUS_BOOKED),
        (S.APPOINTMENT_STATUS_BOOKED, S.APPOINTMENT_STATUS_ARRIVED),
        (S.APPOINTMENT_STATUS_ARRIVED, S.APPOINTMENT_STATUS_FULFILLED),
    ]
    # A past session still counts toward that day's limit: fulfilled keeps its time.
    with pytest.raises(grpc.RpcError) as same_day:
        await harness.book("o-1", "t-1", WED + timedelta(hours=4))
    assert "officer_day_limit" in (same_day.value.details() or "")


async def test_deactivated_users_lose_their_future_appointments(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.provider("t-2", rules("t-2", every_day(time(8), time(20))))
    for o in ("o-1", "o-2"):
        await harness.set_roster(o)
    officer_gone = await harness.book("o-1", "t-1", WED)
    provider_gone = await harness.book("o-2", "t-2", WED)
    for user in ("o-1", "t-2"):
        event = identity.UserDeactivated(user_id=user, agency_id="agency-1", reason_code="admin")
        await harness.publish(event, user)
        await harness.publish(event, user)  # redelivered
    a = await until(
        harness, officer_gone.appointment_id, "o-1", lambda x: x.status == S.APPOINTMENT_STATUS_CANCELLED
    )
    b = await until(
        harness, provider_gone.appointment_id, "o-2", lambda x: x.status == S.APPOINTMENT_STATUS_CANCELLED
    )
    assert (a.status_reason, b.status_reason, a.late_cancellation) == (
        "user_deactivated",
        "user_deactivated",
        False,
    )
    assert len(await transitions(harness, a.appointment_id, 4)) == 2  # booked, cancelled: once
    with pytest.raises(grpc.RpcError) as officer:
        await harness.book("o-1", "t-1", WED + timedelta(days=1))
    assert officer.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as provider:
        await harness.book("o-2", "t-2", WED + timedelta(days=1))
    assert "provider_unavailable" in (provider.value.details() or "")
    found = await harness.stub.FindSlots(pb.FindSlotsRequest(), metadata=harness.officer("o-2"))
    assert {s.provider_id for s in found.slots} == {"t-1"}
