"""An accepted urgent request is "connected" only once its provider joined the room (signaling's
event); a provider who does not join within 2 minutes, or drops and does not return, is replaced
without the officer starting over: same request, same place in the queue, the others re-offered.
Providers' on-call switch (on: offered first outside their hours; off: never), and the wrap-up
after the session, once."""

from __future__ import annotations

from datetime import UTC, timedelta

import grpc
import pytest

from tenfour.events.v1.scheduling_events_pb2 import (
    UrgentConnected,
    UrgentOffered,
    UrgentWithdrawn,
    UrgentWrappedUp,
)
from tenfour.events.v1.signaling_events_pb2 import ParticipantJoined, ParticipantLeft, SessionEnded
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour_shared.auth.roles import Role

from .conftest import NOW, Harness
from .test_urgent import status, until_state, urgent
from .test_urgent_offers import accept, evening_crisis, refused

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
    assert accepted.provider_name == "Dr t-a"  # the officer's page: "Dr t-a accepted and is ..."
    assert (await status(harness, "o-2", behind.request_id)).queue_position == 1
    harness.clock.now = NOW + timedelta(minutes=2, seconds=1)
    again = await until_state(harness, "o-1", first.request_id, "queued")
    assert (again.queue_position, again.HasField("appointment"), again.provider_name) == (1, False, "")
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


async def on_call(h: Harness, who: str, mode: str, peer: bool = False) -> pb.OnCallState:
    meta = h.peer(who) if peer else h.therapist(who)
    reply: pb.OnCallState = await h.stub.SetOnCall(pb.SetOnCallRequest(mode=mode), metadata=meta)
    return reply


async def test_on_call_switch_routes_first_off_leaves_out_and_wrap_up_once(harness: Harness) -> None:
    for p in ("t-on", "t-off", "t-hours"):
        await harness.provider(p, evening_crisis(p))  # none of them has Urgent hours now
    assert (
        await harness.stub.GetOnCall(pb.GetOnCallRequest(), metadata=harness.therapist("t-on"))
    ).mode == "hours"
    switched = await on_call(harness, "t-on", "on")
    assert (switched.mode, switched.until.ToDatetime(tzinfo=UTC)) == ("on", NOW + timedelta(hours=12))
    await on_call(harness, "t-off", "off")

    # Switched on: offered first although outside their hours; switched off: never offered.
    first = await urgent(harness, "o-1")
    assert first.alerted_count == 1
    offered = await harness.scheduling_events("scheduling.urgent_offered", at_least=1, settle=0)
    assert [list(e.provider_ids) for e in offered if isinstance(e, UrgentOffered)] == [["t-on"]]
    harness.clock.now = NOW + timedelta(seconds=61)
    offered = await harness.scheduling_events("scheduling.urgent_offered", at_least=2, settle=0)
    assert [list(e.provider_ids) for e in offered if isinstance(e, UrgentOffered)][1:] == [["t-hours"]]

    # The wrap-up comes after someone was in the room, once, from the provider who gave it.
    room = (await accept(harness, "t-on", first.request_id)).appointment.appointment_id

    async def wrap(who: str, outcome: str) -> pb.WrapUpUrgentSessionResponse:
        reply: pb.WrapUpUrgentSessionResponse = await harness.stub.WrapUpUrgentSession(
            pb.WrapUpUrgentSessionRequest(appointment_id=room, outcome=outcome),
            metadata=harness.therapist(who),
        )
        return reply

    for call, code, text in (
        (wrap("t-on", "referred"), grpc.StatusCode.FAILED_PRECONDITION, "nobody has joined it yet"),
        (wrap("t-on", "cured"), grpc.StatusCode.INVALID_ARGUMENT, "outcome"),
        (wrap("t-hours", "none"), grpc.StatusCode.NOT_FOUND, "no urgent session of yours"),
    ):
        bad = await refused(call)
        assert (bad.code(), text in bad.details()) == (code, True), bad.details()
    await joins(harness, room, "t-on")
    await until_state(harness, "o-1", first.request_id, "connected")
    assert (await wrap("t-on", "referred")).outcome == "referred"
    again = await refused(wrap("t-on", "none"))
    assert again.code() == grpc.StatusCode.FAILED_PRECONDITION
    wrapped = await harness.scheduling_events("scheduling.urgent_wrapped_up", at_least=1, settle=0)
    assert [(e.request_id, e.outcome) for e in wrapped if isinstance(e, UrgentWrappedUp)] == [
        (first.request_id, "referred")
    ]

    # Bad modes, and a peer on shift cannot switch on (08:00 Chicago: a Pitman day shift).
    assert (await refused(on_call(harness, "t-on", "sometimes"))).code() == grpc.StatusCode.INVALID_ARGUMENT
    await harness.set_roster("p-1", role=Role.PEER_SUPPORTER)
    harness.clock.now = NOW + timedelta(hours=2)
    on_shift = await refused(on_call(harness, "p-1", "on", peer=True))
    assert (on_shift.code(), "not now (on duty)" in on_shift.details()) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        True,
    )
    assert (await on_call(harness, "p-1", "off", peer=True)).mode == "off"
    back = await on_call(harness, "t-on", "hours")
    assert (back.mode, back.HasField("until")) == ("hours", False)
