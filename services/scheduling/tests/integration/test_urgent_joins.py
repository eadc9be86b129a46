"""An accepted urgent request is "connected" only once its provider joined the room (signaling's
event); a provider who does not join within 2 minutes, or drops and does not return, is replaced
without the officer starting over: same request, same place in the queue, the others re-offered."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from tenfour.events.v1.scheduling_events_pb2 import UrgentConnected, UrgentOffered, UrgentWithdrawn
from tenfour.events.v1.signaling_events_pb2 import ParticipantJoined, ParticipantLeft, SessionEnded
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus

from .conftest import NOW, Harness
from .test_urgent import status, until_state, urgent
from .test_urgent_offers import accept, evening_crisis

pytestmark = pytest.mark.integration


async def joins(h: Harness, appointment_id: str, who: str, waiting: bool = False) -> None:
    event = ParticipantJoined(
        appointment_id=appointment_id, participant_id=who, role="therapist", waiting=waiting
    )
    await h.publish(event, appointment_id)


async def test_connected_when_the_provider_joins_and_replaced_when_they_do_not(harness: Harness) -> None:
    for p in ("t-a", "t-b"):
        await harness.provider(p, evening_crisis(p))
    first = await urgent(harness, "o-1")
    behind = await urgent(harness, "o-2")
    assert (first.queue_position, behind.queue_position) == (1, 2)

    # t-a accepts but never opens the room: after 2 minutes t-b is offered it again instead.
    taken = await accept(harness, "t-a", first.request_id)
    accepted = await status(harness, "o-1", first.request_id)
    assert (accepted.state, accepted.appointment.appointment_id) == (
        "accepted",
        taken.appointment.appointment_id,
    )
    assert (await status(harness, "o-2", behind.request_id)).queue_position == 1
    harness.clock.now = NOW + timedelta(minutes=2, seconds=1)
    again = await until_state(harness, "o-1", first.request_id, "queued")
    assert (again.queue_position, again.HasField("appointment")) == (1, False)  # the same place
    assert (await status(harness, "o-2", behind.request_id)).queue_position == 2
    dropped = await harness.get(taken.appointment.appointment_id, "o-1")
    assert (dropped.status, dropped.status_reason) == (
        AppointmentStatus.APPOINTMENT_STATUS_CANCELLED,
        "urgent_replaced",
    )
    withdrawn = await harness.scheduling_events("scheduling.urgent_withdrawn", at_least=1, settle=0)
    assert [(list(e.provider_ids), e.reason) for e in withdrawn if isinstance(e, UrgentWithdrawn)] == [
        (["t-a"], "replaced")
    ]
    offered = await harness.scheduling_events("scheduling.urgent_offered", at_least=3, settle=0)
    assert [(e.request_id, list(e.provider_ids)) for e in offered if isinstance(e, UrgentOffered)][2:] == [
        (first.request_id, ["t-b"])
    ]
    # Asking again still returns the same request: the officer never starts over.
    assert (await urgent(harness, "o-1")).request_id == first.request_id

    # t-b accepts and joins: now a human is there. A waiting-room entry would not have counted.
    won = await accept(harness, "t-b", first.request_id)
    room = won.appointment.appointment_id
    await joins(harness, room, "t-b", waiting=True)
    await joins(harness, room, "t-b")
    connected = await until_state(harness, "o-1", first.request_id, "connected")
    assert connected.appointment.appointment_id == room
    events = await harness.scheduling_events("scheduling.urgent_connected", at_least=1, settle=0)
    (event,) = [e for e in events if isinstance(e, UrgentConnected)]
    assert event.requested_at.ToDatetime(tzinfo=UTC) == NOW
    assert event.first_accepted_at.ToDatetime(tzinfo=UTC) == NOW  # t-a's accept, though replaced
    assert event.joined_at.ToDatetime(tzinfo=UTC) == NOW + timedelta(minutes=2, seconds=1)
    fresh = await urgent(harness, "o-1")  # connected: a new press is a new request
    assert fresh.request_id != first.request_id
    await harness.stub.CancelUrgentRequest(
        pb.CancelUrgentRequestRequest(request_id=fresh.request_id), metadata=harness.officer("o-1")
    )

    # t-b drops out and comes back within the resume time: still theirs, counted once.
    await harness.publish(
        ParticipantLeft(appointment_id=room, participant_id="t-b", reason_code="timed_out", role="therapist"),
        room,
    )
    await until_state(harness, "o-1", first.request_id, "accepted")
    await joins(harness, room, "t-b")
    await until_state(harness, "o-1", first.request_id, "connected")

    # The session ends: the request is over, and nothing is replaced afterwards.
    await harness.publish(SessionEnded(appointment_id=room, reason_code="provider_ended"), room)
    await until_state(harness, "o-1", first.request_id, "ended")
    harness.clock.now = NOW + timedelta(minutes=10)
    await harness.process.services.urgent_joins.replace_overdue()
    await harness.quiet()
    assert (await status(harness, "o-1", first.request_id)).state == "ended"
    connected_events = await harness.scheduling_events("scheduling.urgent_connected", settle=0)
    assert len(connected_events) == 1
