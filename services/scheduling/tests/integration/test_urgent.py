"""Urgent requests through gRPC, on a fake clock: offered first to the crisis providers on call
now (peers first when asked) and booked only when one accepts; re-routed at once when everyone
offered declined; widened to every eligible crisis provider after the agency's widen time;
escalated once with a one-time case code after its escalate time, the officer keeping their
place; a provider who comes on call later is offered the escalated request and connects it."""

from __future__ import annotations

import asyncio
import re
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


def evening_rules(provider_id: str) -> RuleSet:
    """Crisis sessions in the evening only: not on call at NOW (06:00 Chicago)."""
    weekly = tuple(
        WeeklyWindow(weekday=d, start=s, end=e, offers=(SessionType.CRISIS,))
        for d, s, e in every_day(time(18), time(23))
    )
    sessions = (SessionSettings(session_type=SessionType.CRISIS, duration=timedelta(minutes=30)),)
    return RuleSet(provider_id=provider_id, timezone=CHICAGO, weekly=weekly, sessions=sessions, version=1)


def span(after: timedelta) -> Duration:
    out = Duration()
    out.FromTimedelta(after)
    return out


async def crisis_policy(h: Harness, after: timedelta, widen: timedelta = timedelta(minutes=1)) -> None:
    policy = pb.FatiguePolicy(
        urgent_escalate_after=span(after), urgent_widen_after=span(widen), crisis_line_text=CRISIS_LINE
    )
    await h.stub.SetFatiguePolicy(pb.SetFatiguePolicyRequest(policy=policy), metadata=h.admin())


async def offers(h: Harness, at_least: int) -> list[tuple[str, list[str], int]]:
    found = await h.scheduling_events("scheduling.urgent_offered", at_least=at_least, settle=0)
    return [(e.request_id, list(e.provider_ids), e.tier) for e in found if isinstance(e, UrgentOffered)]


async def accept(h: Harness, provider_id: str, request_id: str) -> pb.UrgentOfferReply:
    reply: pb.UrgentOfferReply = await h.stub.AcceptUrgentRequest(
        pb.AcceptUrgentRequestRequest(request_id=request_id), metadata=h.therapist(provider_id)
    )
    return reply


async def test_offered_on_call_first_rerouted_on_decline_widened_then_accepted(harness: Harness) -> None:
    await harness.set_roster("p-c", role=Role.PEER_SUPPORTER)  # off duty until 07:00 Chicago
    await harness.provider("p-c", crisis_rules("p-c"), kind=common.PROVIDER_KIND_PEER)
    await harness.provider("t-c", crisis_rules("t-c"))
    await harness.provider("t-e", evening_rules("t-e"))  # eligible, not on call now
    await harness.set_roster("o-1")

    # Offered, not assigned: the on-call provider of the preferred kind is alerted, nobody booked.
    first = await urgent(harness, "o-1", peer_first=True)
    second = await urgent(harness, "o-2")
    assert [(s.state, s.queue_position, s.alerted_count) for s in (first, second)] == [
        ("queued", 1, 1),
        ("queued", 2, 1),
    ]
    assert (second.estimated_wait.seconds, second.HasField("appointment")) == (600, False)
    assert second.crisis_line_text == "988 Suicide & Crisis Lifeline: call or text 988"  # always shown
    again = await urgent(harness, "o-2")  # asking again keeps the place
    assert (again.request_id, again.queue_position) == (second.request_id, 2)
    assert sorted(await offers(harness, 2)) == sorted(
        [(first.request_id, ["p-c"], 0), (second.request_id, ["t-c"], 0)]
    )

    # The only clinician on call declines: the request goes at once (no timer) to everyone else.
    await harness.stub.DeclineUrgentRequest(
        pb.DeclineUrgentRequestRequest(request_id=second.request_id), metadata=harness.therapist("t-c")
    )
    assert (await offers(harness, 3))[2:] == [(second.request_id, ["p-c", "t-e"], 1)]
    assert (await status(harness, "o-2", second.request_id)).alerted_count == 3

    # A minute without an accept: the peer-first request widens to every eligible provider.
    harness.clock.now = NOW + timedelta(seconds=61)
    assert (await offers(harness, 4))[3:] == [(first.request_id, ["t-c", "t-e"], 1)]
    assert (await status(harness, "o-1", first.request_id)).alerted_count == 3

    # The clinician who declined o-2 accepts o-1: only now is a session booked, starting now.
    won = await accept(harness, "t-c", first.request_id)
    a = won.appointment
    assert (a.provider_id, a.urgent, a.session_type, list(a.officer_ids)) == (
        "t-c",
        True,
        common.SESSION_TYPE_CRISIS,
        ["o-1"],
    )
    assert a.time.start.ToDatetime(tzinfo=UTC) == NOW + timedelta(seconds=61)
    connected = await status(harness, "o-1", first.request_id)
    assert (connected.state, connected.appointment.appointment_id) == ("accepted", a.appointment_id)
    assert (await status(harness, "o-2", second.request_id)).queue_position == 1
    booked = await harness.scheduling_events("scheduling.appointment_status_changed", at_least=1)
    assert [e.appointment.appointment_id for e in booked if isinstance(e, AppointmentStatusChanged)] == [
        a.appointment_id
    ]
    assigned = await harness.scheduling_events("scheduling.urgent_assigned", at_least=1)
    assert [
        (e.provider_id, sorted(e.withdrawn_provider_ids)) for e in assigned if isinstance(e, UrgentAssigned)
    ] == [("t-c", ["p-c", "t-e"])]

    # Only the officer who asked sees the request; providers and admins cannot ask.
    with pytest.raises(grpc.RpcError) as hidden:
        await status(harness, "o-2", first.request_id)
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    for meta in (harness.therapist("t-c"), harness.admin()):
        with pytest.raises(grpc.RpcError) as denied:
            await harness.stub.RequestUrgentSession(pb.RequestUrgentSessionRequest(), metadata=meta)
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_escalates_once_with_a_case_code_then_a_provider_coming_on_call_connects(
    harness: Harness,
) -> None:
    await crisis_policy(harness, timedelta(minutes=3), widen=timedelta(seconds=30))
    first = await urgent(harness, "o-1")
    second = await urgent(harness, "o-2")
    assert [(s.state, s.queue_position, s.alerted_count) for s in (first, second)] == [
        ("queued", 1, 0),
        ("queued", 2, 0),
    ]

    await harness.process.services.urgent.drive()  # a pass runs, but nobody waited long enough yet
    await harness.quiet()
    assert await harness.scheduling_events("scheduling.urgent_escalation", settle=0) == []

    harness.clock.now = NOW + timedelta(minutes=3, seconds=1)
    escalated = await until_state(harness, "o-1", first.request_id, "escalated")
    assert (escalated.crisis_line_text, escalated.queue_position) == (CRISIS_LINE, 1)
    await until_state(harness, "o-2", second.request_id, "escalated")
    events = await harness.scheduling_events("scheduling.urgent_escalation", at_least=2, settle=0)
    found = [e for e in events if isinstance(e, UrgentEscalation)]
    assert sorted((e.request_id, e.crisis_line_text, e.agency_id) for e in found) == sorted(
        [(first.request_id, CRISIS_LINE, "agency-1"), (second.request_id, CRISIS_LINE, "agency-1")]
    )
    codes = [e.case_code for e in found]
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", c) for c in codes), codes
    assert len(set(codes)) == 2

    # A crisis provider comes on call: at the next widening both escalated requests reach them,
    # the first in the queue is connected when they accept, the next moves up and stays escalated.
    await harness.provider("t-c", crisis_rules("t-c"))
    harness.clock.now = NOW + timedelta(minutes=4)
    assert sorted(await offers(harness, 2)) == sorted(
        [(first.request_id, ["t-c"], 1), (second.request_id, ["t-c"], 1)]
    )
    won = await accept(harness, "t-c", first.request_id)
    connected = await status(harness, "o-1", first.request_id)
    assert (connected.state, connected.appointment.appointment_id) == (
        "accepted",
        won.appointment.appointment_id,
    )
    later = await status(harness, "o-2", second.request_id)
    assert (later.state, later.queue_position) == ("escalated", 1)
    await harness.process.services.urgent.drive()
    await harness.quiet()
    assert len(await harness.scheduling_events("scheduling.urgent_escalation", settle=0)) == 2


async def test_policy_timers_are_validated(harness: Harness) -> None:
    for escalate, widen, field in (
        (timedelta(seconds=5), timedelta(seconds=30), "policy.urgent_escalate_after"),
        (timedelta(minutes=3), timedelta(seconds=2), "policy.urgent_widen_after"),
        (timedelta(minutes=3), timedelta(hours=2), "policy.urgent_widen_after"),
    ):
        with pytest.raises(grpc.RpcError) as bad:
            await crisis_policy(harness, escalate, widen)
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in bad.value.details()
    got = await harness.stub.GetFatiguePolicy(pb.GetFatiguePolicyRequest(), metadata=harness.admin())
    assert (got.urgent_widen_after.seconds, got.urgent_escalate_after.seconds) == (60, 180)
