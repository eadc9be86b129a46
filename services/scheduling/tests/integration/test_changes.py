"""Cancel and Reschedule through gRPC: late cancellation, who may, atomic moves and their races."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import grpc
import pytest

from tenfour.events.v1.scheduling_events_pb2 import AppointmentRescheduled, AppointmentStatusChanged
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus

from .conftest import Harness, every_day, rules, start_of, utc

pytestmark = pytest.mark.integration
CANCELLED = AppointmentStatus.APPOINTMENT_STATUS_CANCELLED
BOOKED = AppointmentStatus.APPOINTMENT_STATUS_BOOKED
WED = utc(2026, 3, 4, 14)  # Wednesday 08:00 Chicago, a day off on the Pitman rota
HOUR = timedelta(hours=1)


async def setup(h: Harness, *officers: str) -> None:
    await h.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    for o in officers:
        await h.set_roster(o)


async def cancel(
    h: Harness, appointment_id: str, meta: tuple[tuple[str, str]], reason: str = ""
) -> Appointment:
    reply: Appointment = await h.stub.Cancel(
        pb.CancelRequest(appointment_id=appointment_id, reason_code=reason), metadata=meta
    )
    return reply


async def reschedule(h: Harness, officer: str, appointment_id: str, start: datetime, key: str) -> Appointment:
    request = pb.RescheduleRequest(idempotency_key=key, appointment_id=appointment_id)
    request.new_start.FromDatetime(start)
    reply: Appointment = await h.stub.Reschedule(request, metadata=h.officer(officer))
    return reply


async def officer_calendar(h: Harness, officer: str) -> list[str]:
    return [m.decode() for m in await h.redis.zrange(f"scheduling:officer-cal:{{{officer}}}", 0, -1)]


async def test_cancel_marks_late_cancellations_and_frees_the_time(harness: Harness) -> None:
    await setup(harness, "o-1", "o-2", "o-3")
    first = await harness.book("o-1", "t-1", WED)
    harness.clock.now = WED - 20 * HOUR  # inside the default 24 h window
    for meta in (harness.officer("o-3"), harness.therapist("t-2")):
        with pytest.raises(grpc.RpcError) as stranger:
            await cancel(harness, first.appointment_id, meta)
        assert stranger.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as admin:
        await cancel(harness, first.appointment_id, harness.admin())
    assert admin.value.code() == grpc.StatusCode.PERMISSION_DENIED
    cancelled = await cancel(harness, first.appointment_id, harness.officer("o-1"))
    assert (cancelled.status, cancelled.late_cancellation, cancelled.status_reason, cancelled.version) == (
        CANCELLED,
        True,
        "officer_cancelled",
        2,
    )
    assert await cancel(harness, first.appointment_id, harness.officer("o-1")) == cancelled  # a no-op
    assert await officer_calendar(harness, "o-1") == []
    # The time is free again, and the provider may cancel too (never "late" for the officer).
    second = await harness.book("o-2", "t-1", WED)
    by_provider = await cancel(harness, second.appointment_id, harness.therapist("t-1"), "provider_ill")
    assert (by_provider.status_reason, by_provider.late_cancellation) == ("provider_ill", False)
    events = await harness.scheduling_events("scheduling.appointment_status_changed", at_least=4)
    changes = [
        (e.appointment.appointment_id, e.previous_status, e.appointment.status)
        for e in events
        if isinstance(e, AppointmentStatusChanged)
    ]
    assert changes == [
        (first.appointment_id, AppointmentStatus.APPOINTMENT_STATUS_UNSPECIFIED, BOOKED),
        (first.appointment_id, BOOKED, CANCELLED),
        (second.appointment_id, AppointmentStatus.APPOINTMENT_STATUS_UNSPECIFIED, BOOKED),
        (second.appointment_id, BOOKED, CANCELLED),
    ]
    # Once it has started, a session ends as fulfilled or no-show, never cancelled.
    third = await harness.book("o-3", "t-1", WED)
    harness.clock.now = WED + timedelta(minutes=5)
    with pytest.raises(grpc.RpcError) as started:
        await cancel(harness, third.appointment_id, harness.officer("o-3"))
    assert started.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_reschedule_moves_atomically_or_not_at_all(harness: Harness) -> None:
    await setup(harness, "o-1", "o-2", "o-3")
    mine = await harness.book("o-1", "t-1", WED)
    taken = await harness.book("o-2", "t-1", WED + 3 * HOUR)
    # Into the other officer's session: refused, and nothing of mine changed.
    with pytest.raises(grpc.RpcError) as refused:
        await reschedule(harness, "o-1", mine.appointment_id, WED + 3 * HOUR, "move-1")
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "provider_busy" in (refused.value.details() or "")
    assert await harness.get(mine.appointment_id, "o-1") == mine
    before = await officer_calendar(harness, "o-1")
    assert len(before) == 1
    assert "|B|" in before[0]
    # Into a free time: same id, new time, one rescheduled event; the old time is free again.
    moved = await reschedule(harness, "o-1", mine.appointment_id, WED + HOUR, "move-2")
    assert (moved.appointment_id, start_of(moved), moved.version, moved.status) == (
        mine.appointment_id,
        WED + HOUR,
        2,
        BOOKED,
    )
    assert await reschedule(harness, "o-1", mine.appointment_id, WED + HOUR, "move-2") == moved  # replay
    assert len(await officer_calendar(harness, "o-1")) == 1
    await harness.book("o-3", "t-1", WED)
    events = await harness.scheduling_events("scheduling.appointment_rescheduled", at_least=1)
    assert [
        (e.appointment.version, e.previous_time.start.ToDatetime(tzinfo=UTC))
        for e in events
        if isinstance(e, AppointmentRescheduled)
    ] == [(2, WED)]
    with pytest.raises(grpc.RpcError) as not_mine:
        await reschedule(harness, "o-2", mine.appointment_id, WED + 6 * HOUR, "steal")
    assert not_mine.value.code() == grpc.StatusCode.NOT_FOUND
    assert taken.status == BOOKED


async def test_reschedule_race_never_loses_the_old_slot(harness: Harness) -> None:
    """Each round, an officer moves to a time ten others are booking at the same moment."""
    rounds = [utc(2026, 3, 4, 14), utc(2026, 3, 5, 14), utc(2026, 3, 10, 14)]  # days off on the rota
    others = [[f"o-{r}-{i}" for i in range(10)] for r in range(len(rounds))]
    movers = [f"mover-{r}" for r in range(len(rounds))]
    await setup(harness, *movers, *(o for group in others for o in group))
    for r, day in enumerate(rounds):
        mine = await harness.book(movers[r], "t-1", day)
        target = day + 2 * HOUR

        async def attempt(coro: object) -> Appointment | None:
            try:
                return await coro  # type: ignore[misc]
            except grpc.RpcError as exc:
                if exc.code() not in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ABORTED):
                    raise
                return None

        results = await asyncio.gather(
            attempt(reschedule(harness, movers[r], mine.appointment_id, target, f"race-{r}")),
            *(attempt(harness.book(o, "t-1", target)) for o in others[r]),
        )
        winners = [a for a in results if a is not None]
        assert len(winners) == 1
        current = await harness.get(mine.appointment_id, movers[r])
        assert current.status == BOOKED
        assert start_of(current) == (target if results[0] is not None else day)
        listed = await harness.stub.ListAppointments(
            pb.ListAppointmentsRequest(range=_range(day - HOUR, day + 6 * HOUR)),
            metadata=harness.therapist("t-1"),
        )
        starts = sorted(start_of(a) for a in listed.appointments if a.status == BOOKED)
        assert starts == sorted({start_of(current), target})
        assert len(await officer_calendar(harness, movers[r])) == 1


async def test_two_moves_of_one_appointment_one_wins(harness: Harness) -> None:
    await setup(harness, "o-1", "o-2")
    mine = await harness.book("o-1", "t-1", WED)
    a, b = WED + 2 * HOUR, WED + 5 * HOUR
    results = await asyncio.gather(
        reschedule(harness, "o-1", mine.appointment_id, a, "k-a"),
        reschedule(harness, "o-1", mine.appointment_id, b, "k-b"),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, Appointment)]
    assert len(won) >= 1
    final = await harness.get(mine.appointment_id, "o-1")
    assert start_of(final) in (a, b)
    assert final.version == 1 + len(won)
    entries = await officer_calendar(harness, "o-1")
    assert len(entries) == 1
    assert "|C|" not in entries[0]
    free = b if start_of(final) == a else a
    assert start_of(await harness.book("o-2", "t-1", free)) == free  # the loser's time was not kept


def _range(start: datetime, end: datetime) -> object:
    from .conftest import ts_range

    return ts_range(start, end)
