"""Group sessions through gRPC: a provider offers one, officers take seats atomically (a race
of N+3 officers for N seats), a seat given up is free again, FindSlots lists open groups, and
an officer on duty cannot take a seat."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, time

import grpc
import pytest

from tenfour.common.v1 import common_pb2 as common
from tenfour.events.v1 import identity_events_pb2
from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_shared.calendar import RuleSet, SessionType, Weekday, WeeklyWindow

from .conftest import AGENCY, CHICAGO, Harness, start_of, utc

pytestmark = pytest.mark.integration
BOOKED = AppointmentStatus.APPOINTMENT_STATUS_BOOKED
WED_0800 = utc(2026, 3, 4, 14)  # Wednesday 4 March 08:00 in Chicago: a day off on the Pitman rota


def both(provider_id: str) -> RuleSet:
    """08:00-20:00 every day, for individual and group sessions."""
    weekly = tuple(
        WeeklyWindow(
            weekday=d, start=time(8), end=time(20), offers=(SessionType.INDIVIDUAL, SessionType.GROUP)
        )
        for d in Weekday
    )
    return RuleSet(provider_id=provider_id, timezone=CHICAGO, weekly=weekly, version=1)


async def offer(
    h: Harness, provider_id: str, start: datetime, capacity: int, key: str = "g1", agency_id: str = AGENCY
) -> Appointment:
    request = pb.OfferGroupSessionRequest(
        idempotency_key=key, capacity=capacity, agency_id=agency_id, topic_code="critical_incident"
    )
    request.start.FromDatetime(start)
    reply: Appointment = await h.stub.OfferGroupSession(request, metadata=h.therapist(provider_id))
    return reply


async def seat(h: Harness, officer_id: str, group_id: str, key: str = "") -> Appointment:
    request = pb.BookRequest(idempotency_key=key or f"seat-{officer_id}", group_appointment_id=group_id)
    reply: Appointment = await h.stub.Book(request, metadata=h.officer(officer_id))
    return reply


async def group_slots(h: Harness, officer_id: str) -> list[pb.Slot]:
    reply = await h.stub.FindSlots(
        pb.FindSlotsRequest(session_type=common.SESSION_TYPE_GROUP), metadata=h.officer(officer_id)
    )
    return list(reply.slots)


async def test_offer_is_idempotent_and_checked(harness: Harness) -> None:
    await harness.provider("t-1", both("t-1"))
    group = await offer(harness, "t-1", WED_0800, 4)
    assert (group.status, group.capacity, list(group.officer_ids), group.session_type) == (
        BOOKED,
        4,
        [],
        common.SESSION_TYPE_GROUP,
    )
    assert start_of(group) == WED_0800
    assert await offer(harness, "t-1", WED_0800, 4) == group
    # The web page and the CLI name no agency: the provider's only one is meant.
    unnamed = await offer(harness, "t-1", utc(2026, 3, 4, 18), 4, key="no-agency", agency_id="")
    assert unnamed.agency_id == AGENCY
    with pytest.raises(grpc.RpcError) as other:
        await offer(harness, "t-1", WED_0800, 5)
    assert other.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    for capacity in (1, 9):
        with pytest.raises(grpc.RpcError) as bad:
            await offer(harness, "t-1", WED_0800, capacity, key=f"c{capacity}")
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as late:
        await offer(harness, "t-1", utc(2026, 3, 5, 3), 4, key="late")  # Wed 21:00, after hours
    assert late.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as busy:
        await offer(harness, "t-1", WED_0800, 4, key="again")  # its own group is at that time
    assert busy.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # A mistyped year is refused at once, in words, not laid out over centuries.
    for year, words in (
        (2020, "that time is in the past (in_the_past)"),
        (2150, "days ahead (too_far_ahead)"),
    ):
        with pytest.raises(grpc.RpcError) as typo:
            await offer(harness, "t-1", utc(year, 3, 4, 18), 4, key=f"y{year}")
        assert typo.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert typo.value.details().endswith(words), typo.value.details()
    request = pb.OfferGroupSessionRequest(idempotency_key="x", capacity=3, agency_id=AGENCY)
    request.start.FromDatetime(WED_0800)
    with pytest.raises(grpc.RpcError) as officer:
        await harness.stub.OfferGroupSession(request, metadata=harness.officer("o-1"))
    assert officer.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize("capacity", [2, 5, 8])
async def test_race_for_seats_fills_exactly_capacity(harness: Harness, capacity: int) -> None:
    await harness.provider("t-1", both("t-1"))
    group = await offer(harness, "t-1", WED_0800, capacity)
    officers = [f"o-{i}" for i in range(capacity + 3)]
    for officer_id in officers:
        await harness.set_roster(officer_id)
    results = await asyncio.gather(
        *(seat(harness, o, group.appointment_id) for o in officers), return_exceptions=True
    )
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r for r in results if not isinstance(r, Appointment)]
    assert len(won) == capacity, results
    for error in lost:
        assert isinstance(error, grpc.RpcError)
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
        assert "group_full" in (error.details() or "")
    final = await harness.get(group.appointment_id, won[0].officer_ids[-1])
    assert len(final.officer_ids) == capacity
    assert len(set(final.officer_ids)) == capacity
    assert final.version == 1 + capacity
    # Each seated officer sees it once; the others do not see it at all.
    for officer_id in officers:
        listed = await harness.stub.ListAppointments(
            pb.ListAppointmentsRequest(), metadata=harness.officer(officer_id)
        )
        ids = [a.appointment_id for a in listed.appointments]
        assert ids == ([group.appointment_id] if officer_id in final.officer_ids else [])
    # One seat event each (plus the offer), officer_ids growing by one every time.
    events = await harness.scheduling_events("scheduling.appointment_status_changed", at_least=capacity + 1)
    seats = [e for e in events if isinstance(e, AppointmentStatusChanged) and e.reason_code == "seat_taken"]
    assert len(seats) == capacity
    assert sorted(len(e.appointment.officer_ids) for e in seats) == list(range(1, capacity + 1))
    assert Counter(e.appointment.officer_ids[-1] for e in seats) == Counter(final.officer_ids)
    # A seated officer cannot book another session over it; the provider can't either.
    with pytest.raises(grpc.RpcError) as clash:
        await harness.book(final.officer_ids[0], "t-1", WED_0800)
    assert clash.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_given_up_seat_can_be_taken_and_find_slots_lists_open_groups(harness: Harness) -> None:
    await harness.provider("t-1", both("t-1"))
    group = await offer(harness, "t-1", WED_0800, 2)
    for officer_id in ("o-1", "o-2", "o-3"):
        await harness.set_roster(officer_id)
    listed = await group_slots(harness, "o-3")
    assert [(s.provider_id, s.time.start.ToDatetime().isoformat()) for s in listed] == [
        ("t-1", WED_0800.replace(tzinfo=None).isoformat())
    ]
    assert listed[0].reason
    await seat(harness, "o-1", group.appointment_id)
    assert len(await group_slots(harness, "o-3")) == 1
    assert await group_slots(harness, "o-1") == []  # already seated
    await seat(harness, "o-2", group.appointment_id)
    assert await group_slots(harness, "o-3") == []  # full
    with pytest.raises(grpc.RpcError) as full:
        await seat(harness, "o-3", group.appointment_id)
    assert "group_full" in (full.value.details() or "")

    left = await harness.stub.Cancel(
        pb.CancelRequest(appointment_id=group.appointment_id), metadata=harness.officer("o-1")
    )
    assert list(left.officer_ids) == ["o-2"]
    assert left.status == BOOKED
    mine = await harness.stub.ListAppointments(pb.ListAppointmentsRequest(), metadata=harness.officer("o-1"))
    assert not mine.appointments
    assert len(await group_slots(harness, "o-3")) == 1
    taken = await seat(harness, "o-3", group.appointment_id, key="second-try")
    assert list(taken.officer_ids) == ["o-2", "o-3"]
    # A group session is never moved.
    request = pb.RescheduleRequest(idempotency_key="mv", appointment_id=group.appointment_id)
    request.new_start.FromDatetime(utc(2026, 3, 4, 17))
    with pytest.raises(grpc.RpcError) as moved:
        await harness.stub.Reschedule(request, metadata=harness.officer("o-2"))
    assert moved.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # The provider cancels the whole group: every seat goes.
    gone = await harness.stub.Cancel(
        pb.CancelRequest(appointment_id=group.appointment_id), metadata=harness.therapist("t-1")
    )
    assert gone.status == AppointmentStatus.APPOINTMENT_STATUS_CANCELLED
    for _ in range(100):
        mine = await harness.stub.ListAppointments(
            pb.ListAppointmentsRequest(), metadata=harness.officer("o-3")
        )
        if mine.appointments and mine.appointments[0].status == gone.status:
            break
        await asyncio.sleep(0.02)
    await harness.book("o-3", "t-1", WED_0800)  # the time is free again on both calendars


async def test_an_officer_on_duty_cannot_take_a_seat(harness: Harness) -> None:
    await harness.provider("t-1", both("t-1"))
    group = await offer(harness, "t-1", WED_0800, 3)
    await harness.set_roster("o-duty", anchor=date(2026, 3, 4))  # Wednesday is a day shift
    assert await group_slots(harness, "o-duty") == []
    with pytest.raises(grpc.RpcError) as caught:
        await seat(harness, "o-duty", group.appointment_id)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "on_duty" in (caught.value.details() or "")


async def test_a_deactivated_officer_loses_only_their_seat(harness: Harness) -> None:
    await harness.provider("t-1", both("t-1"))
    group = await offer(harness, "t-1", WED_0800, 3)
    for officer_id in ("o-1", "o-2"):
        await harness.set_roster(officer_id)
        await seat(harness, officer_id, group.appointment_id)
    event = identity_events_pb2.UserDeactivated(user_id="o-1", agency_id=AGENCY, reason_code="admin")
    await harness.publish(event, "o-1")
    await harness.publish(event, "o-1")  # redelivered
    for _ in range(200):
        now = await harness.stub.GetAppointment(
            pb.GetAppointmentRequest(appointment_id=group.appointment_id), metadata=harness.therapist("t-1")
        )
        if list(now.officer_ids) == ["o-2"]:
            break
        await asyncio.sleep(0.02)
    assert (list(now.officer_ids), now.status) == (["o-2"], BOOKED)
