"""Series that follow the rotation, through gRPC (Monday 2 March 2026, Chicago; roster DDNN---:
days Monday and Tuesday, nights Wednesday and Thursday, Friday to Sunday off): "the first day
off of each block", "every second day off" and "the day the last night ends" land on those
local dates, within the chosen hours, and book; bad patterns are refused. When the roster changes
under a booked rotation series, each session that no longer fits is a conflict whose first
alternative is the day the rule now names, within the chosen hours."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import grpc
import pytest

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb

from .conftest import CHICAGO, Harness, violations
from .test_conflicts import until_conflicts
from .test_training import peer_rules

pytestmark = pytest.mark.integration
TZ = ZoneInfo(CHICAGO)


async def plan(h: Harness, rotation: int, count: int, **extra: object) -> pb.SeriesPlan:
    request = pb.PlanSeriesRequest(provider_id="t-1", count=count, rotation=rotation, **extra)  # type: ignore[arg-type]
    reply: pb.SeriesPlan = await h.stub.PlanSeries(request, metadata=h.officer("o-1"))
    return reply


def days(p: pb.SeriesPlan) -> list[date]:
    assert all(not s.problem for s in p.slots), [s.problem for s in p.slots]
    return [s.time.start.ToDatetime().replace(tzinfo=ZoneInfo("UTC")).astimezone(TZ).date() for s in p.slots]


async def test_a_series_lands_on_the_days_the_rotation_names(harness: Harness) -> None:
    h = harness
    await h.provider("t-1", peer_rules("t-1"))
    await h.set_roster("o-1", template="dupont", cycle="DDNN---")
    evening = pb.HourRange(start=common.LocalTime(hour=17), end=common.LocalTime(hour=20))

    first_off = await plan(h, pb.SERIES_ROTATION_FIRST_DAY_OFF, 3, between=evening)
    assert days(first_off) == [date(2026, 3, 6), date(2026, 3, 13), date(2026, 3, 20)]
    starts = [
        s.time.start.ToDatetime().replace(tzinfo=ZoneInfo("UTC")).astimezone(TZ) for s in first_off.slots
    ]
    assert all(17 <= t.hour < 20 for t in starts)
    second = await plan(h, pb.SERIES_ROTATION_EVERY_KTH_DAY_OFF, 3, every_kth=2)
    assert days(second) == [date(2026, 3, 7), date(2026, 3, 13), date(2026, 3, 15)]
    after_nights = await plan(h, pb.SERIES_ROTATION_AFTER_LAST_NIGHT, 2)
    assert days(after_nights) == [date(2026, 3, 6), date(2026, 3, 13)]
    # The day the nights end: only after the protected sleep (08:00-16:00).
    assert (
        after_nights.slots[0].time.start.ToDatetime().replace(tzinfo=ZoneInfo("UTC")).astimezone(TZ).hour
        >= 16
    )

    booked = await h.stub.BookSeries(
        pb.BookSeriesRequest(idempotency_key="rot-1", plan_id=first_off.plan_id, all_or_nothing=True),
        metadata=h.officer("o-1"),
    )
    assert len(booked.booked) == 3

    with pytest.raises(grpc.aio.AioRpcError) as bad_k:
        await plan(h, pb.SERIES_ROTATION_EVERY_KTH_DAY_OFF, 3, every_kth=20)
    assert violations(bad_k.value) == ["every_kth"]
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await plan(h, 42, 3)
    assert violations(unknown.value) == ["rotation"]
    with pytest.raises(grpc.aio.AioRpcError) as no_roster:
        await h.stub.PlanSeries(
            pb.PlanSeriesRequest(provider_id="t-1", count=2, rotation=pb.SERIES_ROTATION_FIRST_DAY_OFF),
            metadata=h.officer("o-2"),
        )
    assert no_roster.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_roster_change_re_plans_each_session_on_the_day_the_rule_now_names(harness: Harness) -> None:
    h = harness
    await h.provider("t-1", peer_rules("t-1"))
    await h.set_roster("o-1", template="dupont", cycle="DDNN---")
    evening = pb.HourRange(start=common.LocalTime(hour=17), end=common.LocalTime(hour=20))
    first_off = await plan(h, pb.SERIES_ROTATION_FIRST_DAY_OFF, 3, between=evening)
    assert days(first_off) == [date(2026, 3, 6), date(2026, 3, 13), date(2026, 3, 20)]  # Fridays
    booked = await h.stub.BookSeries(
        pb.BookSeriesRequest(idempotency_key="rot-re", plan_id=first_off.plan_id, all_or_nothing=True),
        metadata=h.officer("o-1"),
    )
    assert len(booked.booked) == 3

    # One more day shift at the start of each block: Friday is now a night, Saturday the first day off.
    await h.set_roster("o-1", template="dupont", cycle="DDDNN--")
    found = await until_conflicts(h, "o-1", 3)
    by_session = {c.appointment.appointment_id: c for c in found}
    for session, saturday in zip(booked.booked, (7, 14, 21), strict=True):
        conflict = by_session[session.appointment_id]
        own = conflict.alternatives[0]
        start = own.time.start.ToDatetime().replace(tzinfo=ZoneInfo("UTC")).astimezone(TZ)
        assert (own.provider_id, start.date()) == ("t-1", date(2026, 3, saturday))
        assert 17 <= start.hour < 20  # within the hours the series was planned in
        assert own.reasons[0].code == "rotation_series_day"
        assert own.reason.startswith("the first day off of this block, as your roster now says")
        assert len(conflict.alternatives) > 1  # the usual alternatives follow

    # A session booked on its own gets no such alternative.
    single = await h.book("o-1", "t-1", datetime(2026, 3, 29, 18, tzinfo=TZ).astimezone(ZoneInfo("UTC")))
    await h.set_roster("o-1", template="dupont", cycle="DDDNN-D")  # Sundays are now day shifts
    found = await until_conflicts(h, "o-1", 4)
    (alone,) = [c for c in found if c.appointment.appointment_id == single.appointment_id]
    assert all(r.code != "rotation_series_day" for a in alone.alternatives for r in a.reasons)
