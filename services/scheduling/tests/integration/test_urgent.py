"""Urgent sessions through gRPC: an immediate crisis session (peers first when asked), the
queue with positions when nobody is free, escalation with the agency's crisis line once per
request, and a queued officer connected as soon as a crisis provider is free."""

from __future__ import annotations

import asyncio
from datetime import UTC, time, timedelta

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1.scheduling_events_pb2 import (
    AppointmentStatusChanged,
    UrgentAssigned,
    UrgentEscalation,
    UrgentOffered,
)
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_shared.calendar import RuleSet, SessionSettings, SessionType, WeeklyWindow

from .conftest import CHICAGO, NOW, Harness, every_day

pytestmark = pytest.mark.integration
CRISIS_LINE = "Call or text 988"


def crisis_rules(provider_id: str, version: int = 1) -> RuleSet:
    weekly = tuple(
        WeeklyWindow(weekday=d, start=s, end=e, offers=(SessionType.CRISIS,))
        for d, s, e in every_day(time(0), time(23, 30))
    )
    sessions = (SessionSettings(session_type=SessionType.CRISIS, duration=timedelta(minutes=30)),)
    return RuleSet(
        provider_id=provider_id, timezone=CHICAGO, weekly=weekly, sessions=sessions, version=version
    )


async def urgent(h: Harness, officer_id: str, peer_first: bool = False) -> pb.UrgentSessionStatus:
    reply: pb.UrgentSessionStatus = await h.stub.RequestUrgentSession(
        pb.RequestUrgentSessionRequest(prefer_peer_first=peer_first), metadata=h.officer(officer_id)
    )
    return reply


async def status(h: Harness, officer_id: str, request_id: str) -> pb.UrgentSessionStatus:
    reply: pb.UrgentSessionStatus = await h.stub.GetUrgentSessionStatus(
        pb.GetUrgentSessionStatusRequest(request_id=request_id), metadata=h.officer(officer_id)
    )
    return reply


async def until_state(h: Harness, officer_id: str, request_id: str, state: str) -> pb.UrgentSessionStatus:
    # A positive marker with a generous budget: on a loaded CI machine the provider's rules
    # event and the next urgent pass can take several seconds to land.
    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:
        got = await status(h, officer_id, request_id)
        if got.state == state:
            return got
        await asyncio.sleep(0.05)
    raise AssertionError(f"{request_id} never reached {state}")


async def crisis_policy(h: Harness, after: timedelta) -> None:
    wait = Duration()
    wait.FromTimedelta(after)
    policy = pb.FatiguePolicy(urgent_escalate_after=wait, crisis_line_text=CRISIS_LINE)
    await h.stub.SetFatiguePolicy(pb.SetFatiguePolicyRequest(policy=policy), metadata=h.admin())


async def test_connects_at_once_peers_first_when_asked_then_queues(harness: Harness) -> None:
    await harness.set_roster("p-c", role=Role.PEER_SUPPORTER)  # off duty until 07:00 Chicago
    await harness.provider("p-c", crisis_rules("p-c"), kind=common.PROVIDER_KIND_PEER)
    await harness.provider("t-c", crisis_rules("t-c"))
    await harness.set_roster("o-1")

    first = await urgent(harness, "o-1", peer_first=True)
    assert first.state == "connected"
    a = first.appointment
    assert (a.provider_id, a.urgent, a.session_type, list(a.officer_ids)) == (
        "p-c",
        True,
        common.SESSION_TYPE_CRISIS,
        ["o-1"],
    )
    assert a.time.start.ToDatetime(tzinfo=UTC) == NOW
    assert a.time.end.ToDatetime(tzinfo=UTC) - NOW == timedelta(minutes=30)

    # Without the peer preference a therapist comes first; no roster is needed in a crisis.
    second = await urgent(harness, "o-2")
    assert (second.state, second.appointment.provider_id) == ("connected", "t-c")

    # Both are busy now: the next officer waits in the queue.
    third = await urgent(harness, "o-3")
    assert (third.state, third.queue_position, third.estimated_wait.seconds) == ("queued", 1, 300)
    assert not third.HasField("appointment")
    assert third.crisis_line_text == "988 Suicide & Crisis Lifeline: call or text 988"  # always shown
    again = await urgent(harness, "o-3")  # asking again keeps the place
    assert (again.request_id, again.queue_position) == (third.request_id, 1)
    fourth = await urgent(harness, "o-4")
    assert fourth.queue_position == 2

    events = await harness.scheduling_events("scheduling.appointment_status_changed", at_least=2)
    urgent_booked = [e for e in events if isinstance(e, AppointmentStatusChanged) and e.appointment.urgent]
    assert sorted(e.appointment.appointment_id for e in urgent_booked) == sorted(
        [a.appointment_id, second.appointment.appointment_id]
    )

    # Notifications alerts providers from these: the one who got each session (the others see it
    # taken), and, for the queued ones, every eligible on-call provider at once.
    assigned = await harness.scheduling_events("scheduling.urgent_assigned", at_least=2)
    assert sorted(
        (e.request_id, e.provider_id, list(e.withdrawn_provider_ids))
        for e in assigned
        if isinstance(e, UrgentAssigned)
    ) == sorted([(first.request_id, "p-c", ["t-c"]), (second.request_id, "t-c", ["p-c"])])
    offered = await harness.scheduling_events("scheduling.urgent_offered", at_least=2)
    assert sorted(
        (e.request_id, list(e.provider_ids)) for e in offered if isinstance(e, UrgentOffered)
    ) == sorted([(third.request_id, ["p-c", "t-c"]), (fourth.request_id, ["p-c", "t-c"])])

    # Only the officer who asked sees the request; the session is an ordinary appointment.
    with pytest.raises(grpc.RpcError) as hidden:
        await status(harness, "o-4", third.request_id)
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    assert (await harness.get(a.appointment_id, "o-1")).urgent
    for meta in (harness.therapist("t-c"), harness.admin()):
        with pytest.raises(grpc.RpcError) as denied:
            await harness.stub.RequestUrgentSession(pb.RequestUrgentSessionRequest(), metadata=meta)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_queue_escalates_once_with_the_crisis_line_then_connects(harness: Harness) -> None:
    await crisis_policy(harness, timedelta(minutes=5))
    first = await urgent(harness, "o-1")
    second = await urgent(harness, "o-2")
    assert [(s.state, s.queue_position) for s in (first, second)] == [("queued", 1), ("queued", 2)]

    await harness.process.services.urgent.drive()  # a pass runs, but nobody waited long enough yet
    await harness.quiet()
    assert await harness.scheduling_events("scheduling.urgent_escalation", settle=0) == []

    harness.clock.now = NOW + timedelta(minutes=6)
    escalated = await until_state(harness, "o-1", first.request_id, "escalated")
    assert (escalated.crisis_line_text, escalated.queue_position) == (CRISIS_LINE, 1)
    await until_state(harness, "o-2", second.request_id, "escalated")
    events = await harness.scheduling_events("scheduling.urgent_escalation", at_least=2, settle=0.4)
    assert sorted(
        (e.request_id, e.crisis_line_text, e.agency_id) for e in events if isinstance(e, UrgentEscalation)
    ) == sorted([(first.request_id, CRISIS_LINE, "agency-1"), (second.request_id, CRISIS_LINE, "agency-1")])

    # A crisis provider comes on call: the first in the queue is connected, the next moves up.
    await harness.provider("t-c", crisis_rules("t-c"))
    connected = await until_state(harness, "o-1", first.request_id, "connected")
    assert connected.appointment.provider_id == "t-c"
    assert connected.appointment.urgent
    assigned = await harness.scheduling_events("scheduling.urgent_assigned", at_least=1)
    assert [(e.request_id, e.provider_id) for e in assigned if isinstance(e, UrgentAssigned)] == [
        (first.request_id, "t-c")
    ]
    later = await status(harness, "o-2", second.request_id)
    assert (later.state, later.queue_position) == ("escalated", 1)
    assert len(await harness.scheduling_events("scheduling.urgent_escalation", settle=0.2)) == 2
