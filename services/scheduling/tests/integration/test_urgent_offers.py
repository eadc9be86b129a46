"""Urgent offers through gRPC: every on-call provider is offered the request, exactly one of
twenty concurrent accepts wins, the rest are told it is taken; declining, cancelling, and the
officer's single open request."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta

import grpc
import pytest

from tenfour.events.v1.scheduling_events_pb2 import UrgentAssigned, UrgentWithdrawn
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus
from tenfour_shared.calendar import RuleSet, SessionSettings, SessionType, WeeklyWindow

from .conftest import CHICAGO, Harness, every_day

pytestmark = pytest.mark.integration


def evening_crisis(provider_id: str) -> RuleSet:
    """On call in the evening only: at NOW (06:00 Chicago) they are alerted, not booked."""
    weekly = tuple(
        WeeklyWindow(weekday=d, start=s, end=e, offers=(SessionType.CRISIS,))
        for d, s, e in every_day(time(18), time(23))
    )
    sessions = (SessionSettings(session_type=SessionType.CRISIS, duration=timedelta(minutes=30)),)
    return RuleSet(provider_id=provider_id, timezone=CHICAGO, weekly=weekly, sessions=sessions, version=1)


async def ask(h: Harness, officer_id: str) -> pb.UrgentSessionStatus:
    reply: pb.UrgentSessionStatus = await h.stub.RequestUrgentSession(
        pb.RequestUrgentSessionRequest(), metadata=h.officer(officer_id)
    )
    return reply


async def accept(h: Harness, provider_id: str, request_id: str) -> pb.UrgentOfferReply:
    reply: pb.UrgentOfferReply = await h.stub.AcceptUrgentRequest(
        pb.AcceptUrgentRequestRequest(request_id=request_id), metadata=h.therapist(provider_id)
    )
    return reply


async def refused(call: object) -> grpc.RpcError:
    try:
        await call  # type: ignore[misc]
    except grpc.RpcError as exc:
        return exc
    raise AssertionError("the call was not refused")


async def test_twenty_concurrent_accepts_have_exactly_one_winner(harness: Harness) -> None:
    providers = [f"t-{i:02d}" for i in range(20)]
    await asyncio.gather(*(harness.provider(p, evening_crisis(p)) for p in providers))
    request = await ask(harness, "o-1")
    assert (request.state, request.alerted_count) == ("queued", 20)

    results = await asyncio.gather(
        *(accept(harness, p, request.request_id) for p in providers), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, pb.UrgentOfferReply)]
    losers = [r for r in results if isinstance(r, grpc.RpcError)]
    assert len(winners) == 1
    assert len(losers) == 19
    assert {e.code() for e in losers} == {grpc.StatusCode.FAILED_PRECONDITION}
    assert {e.details() for e in losers} == {"this urgent request was already accepted by someone else"}
    won = winners[0].appointment
    assert (won.urgent, list(won.officer_ids)) == (True, ["o-1"])

    now = await harness.stub.GetUrgentSessionStatus(
        pb.GetUrgentSessionStatusRequest(request_id=request.request_id), metadata=harness.officer("o-1")
    )
    assert (now.state, now.appointment.appointment_id) == ("accepted", won.appointment_id)
    assigned = await harness.scheduling_events("scheduling.urgent_assigned", at_least=1, settle=0.3)
    assert [
        (e.provider_id, len(e.withdrawn_provider_ids)) for e in assigned if isinstance(e, UrgentAssigned)
    ] == [(won.provider_id, 19)]
    # Exactly one session was booked: every other provider's calendar is untouched.
    booked = await harness.scheduling_events("scheduling.appointment_status_changed", at_least=1, settle=0.3)
    assert len(booked) == 1


async def test_decline_cancel_and_one_open_request_per_officer(harness: Harness) -> None:
    await harness.provider("t-a", evening_crisis("t-a"))
    await harness.provider("t-b", evening_crisis("t-b"))
    first = await ask(harness, "o-1")
    again = await ask(harness, "o-1")  # a second press returns the same request
    assert again.request_id == first.request_id

    declined = await harness.stub.DeclineUrgentRequest(
        pb.DeclineUrgentRequestRequest(request_id=first.request_id), metadata=harness.therapist("t-a")
    )
    assert declined.state == "declined"
    withdrawn = await harness.scheduling_events("scheduling.urgent_withdrawn", at_least=1)
    assert [(list(e.provider_ids), e.reason) for e in withdrawn if isinstance(e, UrgentWithdrawn)] == [
        (["t-a"], "declined")
    ]

    # Cancelling frees the offer everywhere; accepting it afterwards is refused in plain words.
    cancelled = await harness.stub.CancelUrgentRequest(
        pb.CancelUrgentRequestRequest(request_id=first.request_id), metadata=harness.officer("o-1")
    )
    assert (cancelled.state, cancelled.queue_position) == ("cancelled", 0)
    late = await refused(accept(harness, "t-b", first.request_id))
    assert (late.code(), late.details()) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "this urgent request was cancelled by the officer",
    )
    withdrawn = await harness.scheduling_events("scheduling.urgent_withdrawn", at_least=2)
    assert sorted((tuple(e.provider_ids), e.reason) for e in withdrawn if isinstance(e, UrgentWithdrawn)) == [
        (("t-a",), "declined"),
        (("t-a", "t-b"), "cancelled"),
    ]
    # Cancelling twice is harmless, and the officer can ask again: a new request.
    await harness.stub.CancelUrgentRequest(
        pb.CancelUrgentRequestRequest(request_id=first.request_id), metadata=harness.officer("o-1")
    )
    fresh = await ask(harness, "o-1")
    assert fresh.request_id != first.request_id

    # A connected request can be cancelled too: its session is cancelled with it.
    won = await accept(harness, "t-b", fresh.request_id)
    taken = await refused(accept(harness, "t-a", fresh.request_id))
    assert (taken.code(), taken.details()) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "this urgent request was already accepted by someone else",
    )
    await harness.stub.CancelUrgentRequest(
        pb.CancelUrgentRequestRequest(request_id=fresh.request_id), metadata=harness.officer("o-1")
    )
    session = await harness.get(won.appointment.appointment_id, "o-1")
    assert session.status == AppointmentStatus.APPOINTMENT_STATUS_CANCELLED

    # Bad input: unknown ids, someone else's request, a provider it was never offered to.
    other = await ask(harness, "o-2")
    for call, code in (
        (accept(harness, "t-a", "no-such-request"), grpc.StatusCode.NOT_FOUND),
        (accept(harness, "t-a", ""), grpc.StatusCode.INVALID_ARGUMENT),
        (accept(harness, "t-zz", other.request_id), grpc.StatusCode.FAILED_PRECONDITION),
        (
            harness.stub.CancelUrgentRequest(
                pb.CancelUrgentRequestRequest(request_id=other.request_id), metadata=harness.officer("o-1")
            ),
            grpc.StatusCode.NOT_FOUND,
        ),
        (
            harness.stub.AcceptUrgentRequest(
                pb.AcceptUrgentRequestRequest(request_id=other.request_id), metadata=harness.officer("o-1")
            ),
            grpc.StatusCode.PERMISSION_DENIED,
        ),
    ):
        assert (await refused(call)).code() == code
