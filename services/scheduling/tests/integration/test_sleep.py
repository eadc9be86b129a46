"""Sleep for every officer through gRPC, with the injected clock (Monday 2 March 2026, Chicago):
the agency's usual sleep window keeps every night free of sessions for a day-shift officer (slot
search, booking, the reasons said with the agency's own values), an officer adjusts their own
window, a change of the agency's window turns a booked session into a conflict, the N-th
consecutive night shift keeps the next day free, and a window over 14 h is refused with
nothing stored. The night of the spring-forward change (7-8 March) is 7 real hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.common.v1 import common_pb2 as common
from tenfour.scheduling.v1 import scheduling_pb2 as pb

from .conftest import CHICAGO, Harness, ts_range, violations
from .test_conflicts import until_conflicts
from .test_training import peer_rules

pytestmark = pytest.mark.integration
TZ = ZoneInfo(CHICAGO)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A Chicago wall time in March 2026, as UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def wall(hour: int, minute: int = 0) -> common.LocalTime:
    return common.LocalTime(hour=hour, minute=minute)


async def set_policy(h: Harness, **fields: object) -> pb.FatiguePolicy:
    reply: pb.FatiguePolicy = await h.stub.SetFatiguePolicy(
        pb.SetFatiguePolicyRequest(policy=pb.FatiguePolicy(**fields)), metadata=h.admin()
    )
    return reply


async def removed(h: Harness, officer: str, start: datetime, end: datetime) -> list[pb.RemovedInterval]:
    reply: pb.GetOffDutyWindowsResponse = await h.stub.GetOffDutyWindows(
        pb.GetOffDutyWindowsRequest(range=ts_range(start, end)), metadata=h.officer(officer)
    )
    return list(reply.removed)


async def starts(h: Harness, officer: str) -> list[datetime]:
    horizon = Duration()
    horizon.FromTimedelta(timedelta(days=6))
    reply: pb.FindSlotsResponse = await h.stub.FindSlots(
        pb.FindSlotsRequest(horizon=horizon, limit=200), metadata=h.officer(officer)
    )
    return [s.time.start.ToDatetime(tzinfo=UTC).astimezone(TZ) for s in reply.slots]


async def test_usual_sleep_is_kept_free_for_day_shift_officers_with_the_agencys_values(
    harness: Harness,
) -> None:
    h = harness
    await h.provider("t-1", peer_rules("t-1"))  # free 00:00-23:30 every day
    for officer in ("o-1", "o-2"):
        await h.set_roster(officer, template="5-2")  # day shifts 07:00-15:00, Monday to Friday
    await set_policy(h, usual_sleep_start=wall(23, 30), usual_sleep_end=wall(6))

    found = await starts(h, "o-1")
    assert found
    assert all(time(6) <= s.time() and s.time() <= time(22, 40) for s in found), found[:3]
    booked = await h.book("o-2", "t-1", local(3, 22))  # Tuesday 22:00-22:50: before 23:30

    with pytest.raises(grpc.aio.AioRpcError) as asleep:
        await h.book("o-1", "t-1", local(4, 0, 30))
    assert asleep.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "usual sleep, 23:30 to 06:00" in (asleep.value.details() or "")
    night = await removed(h, "o-1", local(3, 20), local(4, 8))
    assert ("usual_sleep", "usual sleep 23:30-06:00") in {(r.reason_code, r.reason) for r in night}

    # The officer sleeps earlier than the agency's default: their own window counts.
    own = pb.Preferences(usual_sleep=pb.HourRange(start=wall(21), end=wall(5)))
    saved = await h.stub.SetPreferences(pb.SetPreferencesRequest(preferences=own), metadata=h.officer("o-1"))
    assert (saved.usual_sleep.start.hour, saved.usual_sleep.end.hour) == (21, 5)
    assert (await h.book("o-1", "t-1", local(7, 5, 15))).provider_id == "t-1"  # Saturday, off
    with pytest.raises(grpc.aio.AioRpcError) as early:
        await h.book("o-1", "t-1", local(5, 20, 30))
    assert "usual sleep, 21:00 to 05:00" in (early.value.details() or "")

    # A window over 14 h is refused; nothing stored changes.
    for bad in (pb.HourRange(start=wall(20), end=wall(11)), pb.HourRange(start=wall(7), end=wall(7))):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await h.stub.SetPreferences(
                pb.SetPreferencesRequest(preferences=pb.Preferences(usual_sleep=bad)),
                metadata=h.officer("o-1"),
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert violations(refused.value) == ["preferences.usual_sleep.end"]
    kept = await h.stub.GetPreferences(pb.GetPreferencesRequest(), metadata=h.officer("o-1"))
    assert (kept.usual_sleep.start.hour, kept.usual_sleep.end.hour) == (21, 5)
    with pytest.raises(grpc.aio.AioRpcError) as long_policy:
        await set_policy(h, usual_sleep_start=wall(18), usual_sleep_end=wall(9))
    assert violations(long_policy.value) == ["policy.usual_sleep_end"]
    assert (
        await h.stub.GetFatiguePolicy(pb.GetFatiguePolicyRequest(), metadata=h.admin())
    ).usual_sleep_start.hour == 23

    # The agency moves everyone's default earlier: o-2's Tuesday 22:00 is now in their sleep.
    await set_policy(h, usual_sleep_start=wall(21, 30), usual_sleep_end=wall(6))
    (conflict,) = await until_conflicts(h, "o-2", 1)
    assert conflict.appointment.appointment_id == booked.appointment_id
    assert conflict.reason_code == "usual_sleep"
    assert conflict.alternatives


async def test_the_day_after_the_nth_night_in_a_row_and_the_dst_night(harness: Harness) -> None:
    h = harness
    await h.set_roster("o-n", template="dupont", cycle="NNN----")  # nights 19:00-07:00 Mon-Wed
    await set_policy(h, max_consecutive_nights=2)
    week = await removed(h, "o-n", local(2, 12), local(9, 12))
    after = [r for r in week if r.reason_code == "consecutive_nights"]
    assert after
    assert {r.reason for r in after} == {"rest after 2 consecutive night shifts"}
    # After Tuesday's night (the 2nd) and Wednesday's (the 3rd): never after Monday's (the 1st).
    assert all(r.time.start.ToDatetime(tzinfo=UTC) >= local(4, 7) for r in after)
    assert any(r.time.end.ToDatetime(tzinfo=UTC) > local(5, 12) for r in after)
    nights_worked = [
        r
        for r in week
        if r.reason_code == "usual_sleep" and local(2, 18) < r.time.start.ToDatetime(tzinfo=UTC) < local(5, 8)
    ]
    assert nights_worked == []  # the nights worked are covered by the sleep after them instead

    # Spring forward (Sunday 8 March, 02:00 -> 03:00): 23:00-07:00 is 7 real hours that night.
    dst = [r for r in await removed(h, "o-n", local(7, 12), local(8, 12)) if r.reason_code == "usual_sleep"]
    assert [(r.time.start.ToDatetime(tzinfo=UTC), r.time.end.ToDatetime(tzinfo=UTC)) for r in dst] == [
        (local(7, 23), local(8, 7))
    ]
    assert local(8, 7) - local(7, 23) == timedelta(hours=7)
