"""Waiting lists through gRPC with the injected clock (Monday 2 March 2026, Chicago): ten
officers wait for one provider's Tuesday evening; when the booked session there is cancelled
the first to join holds the time (status WAITLIST), and while ten officers race for it (nine
booking it directly, the holder accepting) exactly one gets it. A hold left to run out and a
declined one move the time on to the next officer waiting. An officer waiting for anyone is
offered a time with any provider; one the time does not fit (here: the clinician is not licensed
where they live) is passed over. Bad input is refused and stores nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import identity_events_pb2
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1 import waitlist_pb2 as wpb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus

from .conftest import AGENCY, CHICAGO, Harness, violations
from .test_licensure import licence, lives_in
from .test_training import peer_rules

pytestmark = pytest.mark.integration
TZ = ZoneInfo(CHICAGO)
S = wpb.WaitlistState


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def ts(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment)
    return out


def window(start: datetime, end: datetime) -> common.TimeRange:
    return common.TimeRange(start=ts(start), end=ts(end))


async def join(
    h: Harness, officer: str, start: datetime, end: datetime, provider: str = "t-1"
) -> wpb.WaitlistEntry:
    reply: wpb.WaitlistEntry = await h.stub.JoinWaitlist(
        wpb.JoinWaitlistRequest(provider_id=provider, window=window(start, end)), metadata=h.officer(officer)
    )
    return reply


async def entry_of(h: Harness, officer: str) -> wpb.WaitlistEntry:
    reply: wpb.ListWaitlistResponse = await h.stub.ListWaitlist(
        wpb.ListWaitlistRequest(), metadata=h.officer(officer)
    )
    (entry,) = reply.entries
    return entry


async def until_state(h: Harness, officer: str, state: int) -> wpb.WaitlistEntry:
    for _ in range(600):  # the cancellation reaches the waiting list through scheduling's consumer
        entry = await entry_of(h, officer)
        if entry.state == state:
            return entry
        await asyncio.sleep(0.05)
    raise AssertionError(f"{officer}'s entry never reached {S.Name(state)}")


async def test_one_officer_gets_a_freed_time_then_it_moves_down_the_list(harness: Harness) -> None:
    h = harness
    await h.provider("t-1", peer_rules("t-1"))
    officers = [f"o-{i}" for i in range(11)]
    for officer in officers:
        await h.set_roster(officer, template="5-2")  # days 07:00-15:00 Monday to Friday
    tue = local(3, 17)  # Tuesday 17:00-17:50
    booked = await h.book("o-0", "t-1", tue)
    for officer in officers[1:]:
        await join(h, officer, local(3, 16, 30), local(3, 18))
        h.clock.now += timedelta(seconds=1)  # joined one after the other
    assert [(await entry_of(h, o)).state for o in officers[1:]] == [S.WAITLIST_STATE_WAITING] * 10

    await h.stub.Cancel(pb.CancelRequest(appointment_id=booked.appointment_id), metadata=h.officer("o-0"))
    first = await until_state(h, "o-1", S.WAITLIST_STATE_OFFERED)
    assert first.offered_time.start.ToDatetime(tzinfo=UTC) == tue
    assert first.offer_until.ToDatetime(tzinfo=UTC) == h.clock.now + timedelta(minutes=15)
    held = await h.get(first.appointment_id, "o-1")
    assert held.status == AppointmentStatus.APPOINTMENT_STATUS_WAITLIST
    listed = await h.stub.ListAppointments(pb.ListAppointmentsRequest(), metadata=h.officer("o-1"))
    assert [(a.appointment_id, a.status) for a in listed.appointments] == [
        (first.appointment_id, AppointmentStatus.APPOINTMENT_STATUS_WAITLIST)
    ]
    await h.quiet()
    assert [(await entry_of(h, o)).state for o in officers[2:]] == [S.WAITLIST_STATE_WAITING] * 9

    # Ten at once: nine book the freed time directly, the holder accepts. One wins.
    async def attempt(officer: str) -> str:
        try:
            if officer == "o-1":
                await h.stub.AnswerWaitlistOffer(
                    wpb.AnswerWaitlistOfferRequest(entry_id=first.entry_id, accept=True),
                    metadata=h.officer("o-1"),
                )
            else:
                await h.book(officer, "t-1", tue)
        except grpc.aio.AioRpcError as refused:
            return refused.code().name
        return officer

    results = await asyncio.gather(*(attempt(o) for o in officers[1:]))
    assert [r for r in results if r.startswith("o-")] == ["o-1"]
    assert {r for r in results if not r.startswith("o-")} <= {"FAILED_PRECONDITION", "ABORTED"}
    assert (await h.get(first.appointment_id, "o-1")).status == AppointmentStatus.APPOINTMENT_STATUS_BOOKED
    assert (await entry_of(h, "o-1")).state == S.WAITLIST_STATE_BOOKED

    # o-1 cancels after all: o-2 is offered the time, lets it run out; o-3 is offered, declines.
    await h.stub.Cancel(pb.CancelRequest(appointment_id=first.appointment_id), metadata=h.officer("o-1"))
    second = await until_state(h, "o-2", S.WAITLIST_STATE_OFFERED)
    h.clock.now += timedelta(minutes=16)
    with pytest.raises(grpc.aio.AioRpcError) as late:
        await h.stub.AnswerWaitlistOffer(
            wpb.AnswerWaitlistOfferRequest(entry_id=second.entry_id, accept=True), metadata=h.officer("o-2")
        )
    assert late.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert await h.process.services.waitlist.drive() == 1
    assert (await entry_of(h, "o-2")).state == S.WAITLIST_STATE_EXPIRED
    third = await until_state(h, "o-3", S.WAITLIST_STATE_OFFERED)
    with pytest.raises(grpc.aio.AioRpcError) as someone_else:
        await h.stub.AnswerWaitlistOffer(
            wpb.AnswerWaitlistOfferRequest(entry_id=third.entry_id, accept=True), metadata=h.officer("o-4")
        )
    assert someone_else.value.code() == grpc.StatusCode.NOT_FOUND
    declined = await h.stub.AnswerWaitlistOffer(
        wpb.AnswerWaitlistOfferRequest(entry_id=third.entry_id, accept=False), metadata=h.officer("o-3")
    )
    assert declined.state == S.WAITLIST_STATE_DECLINED
    fourth = await until_state(h, "o-4", S.WAITLIST_STATE_OFFERED)
    assert fourth.offered_time.start.ToDatetime(tzinfo=UTC) == tue


async def test_bad_waiting_list_input_is_refused_and_stores_nothing(harness: Harness) -> None:
    h = harness
    await h.provider("t-1", peer_rules("t-1"))
    await h.provider("t-2", peer_rules("t-2"))
    now = h.clock.now
    with pytest.raises(grpc.aio.AioRpcError) as past:
        await join(h, "o-1", now - timedelta(hours=1), now + timedelta(hours=3))
    assert past.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(past.value) == ["window.start"]
    with pytest.raises(grpc.aio.AioRpcError) as far:
        await join(h, "o-1", now + timedelta(days=1), now + timedelta(days=91))
    assert violations(far.value) == ["window.end"]
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await join(h, "o-1", now + timedelta(days=1), now + timedelta(days=2), provider="t-9")
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    await h.publish(
        identity_events_pb2.UserDeactivated(user_id="t-2", agency_id=AGENCY, reason_code="admin"), "t-2"
    )
    await h.quiet()
    with pytest.raises(grpc.aio.AioRpcError) as gone:
        await join(h, "o-1", now + timedelta(days=1), now + timedelta(days=2), provider="t-2")
    assert gone.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    listed = await h.stub.ListWaitlist(wpb.ListWaitlistRequest(), metadata=h.officer("o-1"))
    assert list(listed.entries) == []


async def test_waiting_for_anyone_and_a_time_that_does_not_fit_the_first_officer_goes_to_the_next(
    harness: Harness,
) -> None:
    h = harness
    await h.provider("t-ca", peer_rules("t-ca"))
    await licence(h, "t-ca", "US-CA", h.clock.now - timedelta(days=365), h.clock.now + timedelta(days=700))
    for officer, where in (("o-0", "US-CA"), ("o-tx", "US-TX"), ("o-ca", "US-CA")):
        await h.set_roster(officer, template="5-2")
        await lives_in(h, officer, where)
    tue = local(3, 17)
    booked = await h.book("o-0", "t-ca", tue)
    # o-tx joined first, for anyone; the clinician is not licensed in Texas. o-ca waits for anyone too.
    await join(h, "o-tx", local(3, 16), local(3, 19), provider="")
    h.clock.now += timedelta(seconds=1)
    await join(h, "o-ca", local(3, 16), local(3, 19), provider="")
    assert (await entry_of(h, "o-ca")).provider_id == ""

    await h.stub.Cancel(pb.CancelRequest(appointment_id=booked.appointment_id), metadata=h.officer("o-0"))
    offered = await until_state(h, "o-ca", S.WAITLIST_STATE_OFFERED)
    assert (offered.offered_time.start.ToDatetime(tzinfo=UTC), offered.offered_provider_id) == (tue, "t-ca")
    assert (await entry_of(h, "o-tx")).state == S.WAITLIST_STATE_WAITING  # still waiting for a time that fits
