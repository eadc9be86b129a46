"""Series through gRPC: a plan placed around the rotation, booked all together, slot by slot
with per-slot problems, or rolled back when all-or-nothing fails."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

import grpc
import pytest

from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import AppointmentStatus

from .conftest import Harness, every_day, rules, violations

pytestmark = pytest.mark.integration
BOOKED = AppointmentStatus.APPOINTMENT_STATUS_BOOKED
CANCELLED = AppointmentStatus.APPOINTMENT_STATUS_CANCELLED
OFF_DAYS = {date(2026, 3, 2) + timedelta(days=i) for i in range(84) if "DD--DDD--DD---"[i % 14] == "-"}


async def plan(h: Harness, officer: str, count: int = 4, every: int = 7, tolerance: int = 2) -> pb.SeriesPlan:
    reply: pb.SeriesPlan = await h.stub.PlanSeries(
        pb.PlanSeriesRequest(provider_id="t-1", count=count, every_days=every, tolerance_days=tolerance),
        metadata=h.officer(officer),
    )
    return reply


async def book(
    h: Harness, officer: str, plan_id: str, all_or_nothing: bool, key: str
) -> pb.BookSeriesResponse:
    reply: pb.BookSeriesResponse = await h.stub.BookSeries(
        pb.BookSeriesRequest(idempotency_key=key, plan_id=plan_id, all_or_nothing=all_or_nothing),
        metadata=h.officer(officer),
    )
    return reply


def local_day(t: pb.SeriesSlot) -> date:
    return t.time.start.ToDatetime(tzinfo=UTC).astimezone(ZoneInfo("America/Chicago")).date()


async def test_plan_then_book_all_together(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    planned = await plan(harness, "o-1")
    assert [s.problem for s in planned.slots] == [""] * 4
    days = [local_day(s) for s in planned.slots]
    assert all(d in OFF_DAYS for d in days), days  # every session on a day off of the Pitman rota
    for i, d in enumerate(days):
        assert abs((d - (date(2026, 3, 2) + timedelta(days=7 * i))).days) <= 2
    assert days == sorted(set(days))

    done = await book(harness, "o-1", planned.plan_id, True, "series-1")
    assert [a.time for a in done.booked] == [s.time for s in planned.slots]
    assert {a.series_id for a in done.booked} == {done.series_id}
    assert not done.failed
    again = await book(harness, "o-1", planned.plan_id, True, "series-1")  # an idempotent retry
    assert [a.appointment_id for a in again.booked] == [a.appointment_id for a in done.booked]

    with pytest.raises(grpc.RpcError) as foreign:
        await book(harness, "o-2", planned.plan_id, True, "steal")
    assert foreign.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as bad:
        await plan(harness, "o-1", every=7, tolerance=4)
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(bad.value) == ["tolerance_days"]


async def test_slot_by_slot_reports_problems_and_all_or_nothing_rolls_back(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    await harness.set_roster("o-2")
    first = await plan(harness, "o-1", count=3)
    second = await plan(harness, "o-1", count=3)
    assert [s.time for s in first.slots] == [s.time for s in second.slots]
    taken = first.slots[1].time.start.ToDatetime(tzinfo=UTC)
    await harness.book("o-2", "t-1", taken)  # someone else takes the second session's time

    whole = await book(harness, "o-1", first.plan_id, True, "all")
    assert not whole.booked
    assert [f.index for f in whole.failed] == [1]
    assert "provider" in whole.failed[0].problem
    mine = await harness.stub.ListAppointments(pb.ListAppointmentsRequest(), metadata=harness.officer("o-1"))
    assert all(a.status == CANCELLED for a in mine.appointments)  # the first one was rolled back
    assert len(mine.appointments) == 1

    partial = await book(harness, "o-1", second.plan_id, False, "each")
    assert [a.time for a in partial.booked] == [second.slots[0].time, second.slots[2].time]
    assert all(a.status == BOOKED for a in partial.booked)
    assert [(f.index, f.time) for f in partial.failed] == [(1, second.slots[1].time)]
