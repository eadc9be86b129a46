"""Reminders through the real event flow: scheduled from the booked event at the policy's
offsets, moved out of a shift, each sent once when due; a cancelled session's are dropped."""

from __future__ import annotations

import asyncio
from datetime import UTC, time, timedelta

import pytest

from tenfour.events.v1.scheduling_events_pb2 import ReminderDue
from tenfour.scheduling.v1 import scheduling_pb2 as pb

from .conftest import Harness, every_day, rules
from .test_sleep import local, set_policy, wall

pytestmark = pytest.mark.integration
WED = local(4, 8)  # Wednesday 08:00 Chicago, a day off; Tuesday is a day shift 07:00-19:00
DUE = "scheduling:reminders-due:{reminders}"


async def until_scheduled(h: Harness, count: int) -> dict[str, float]:
    for _ in range(250):
        found = await h.redis.zrange(DUE, 0, -1, withscores=True)
        if len(found) >= count:
            return {m.decode(): s for m, s in found}
        await asyncio.sleep(0.02)
    raise AssertionError("reminders never scheduled")


async def reminders(h: Harness, at_least: int, settle: float = 0.3) -> list[ReminderDue]:
    events = await h.scheduling_events("scheduling.reminder_due", at_least=at_least, settle=settle)
    return [e for e in events if isinstance(e, ReminderDue)]


async def test_reminders_avoid_the_shift_and_are_sent_once(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    booked = await harness.book("o-1", "t-1", WED)
    scheduled = await until_scheduled(harness, 2)
    times = sorted(datetime_ms for datetime_ms in scheduled.values())
    # 24 h before falls in Tuesday's shift; just before it (06:59) the officer is still in their
    # usual sleep (the agency's 23:00-07:00): moved to before that, Monday 22:59. 1 h before is free.
    assert times == [
        local(2, 22, 59).timestamp() * 1000,
        (WED - timedelta(hours=1)).timestamp() * 1000,
    ]

    harness.clock.now = local(2, 22, 58)
    assert await harness.process.reminders.drive() == 0  # a pass at 22:58 finds nothing due
    await harness.quiet()
    assert await reminders(harness, 0, settle=0) == []
    harness.clock.now = local(2, 22, 59)
    (first,) = await reminders(harness, 1)
    assert (first.appointment_id, first.user_id) == (booked.appointment_id, "o-1")
    assert first.deliver_at.ToDatetime(tzinfo=UTC) == local(2, 22, 59)
    harness.clock.now = WED - timedelta(minutes=30)
    assert len(await reminders(harness, 2, settle=0.4)) == 2
    assert await harness.redis.zcard(DUE) == 0


async def test_reminders_keep_out_of_the_officers_own_sleep_window(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    await harness.stub.SetPreferences(  # asleep 22:00-07:30, not the agency's 23:00-07:00
        pb.SetPreferencesRequest(
            preferences=pb.Preferences(usual_sleep=pb.HourRange(start=wall(22), end=wall(7, 30)))
        ),
        metadata=harness.officer("o-1"),
    )
    await harness.book("o-1", "t-1", WED)
    scheduled = await until_scheduled(harness, 2)
    # 1 h before (07:00) is in their own sleep, free under the agency's: the evening before, 21:59.
    # 24 h before is in Tuesday's shift and then in their sleep before it: Monday 21:59.
    assert sorted(scheduled.values()) == [
        local(2, 21, 59).timestamp() * 1000,
        local(3, 21, 59).timestamp() * 1000,
    ]


@pytest.mark.parametrize("whose", ["officer", "agency"])
async def test_a_new_sleep_window_moves_the_reminders_still_to_come(harness: Harness, whose: str) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    await harness.book("o-1", "t-1", WED)
    await until_scheduled(harness, 2)
    harness.clock.now = local(2, 22, 59)
    (sent,) = await reminders(harness, 1)
    assert sent.deliver_at.ToDatetime(tzinfo=UTC) == local(2, 22, 59)  # the 24 h one went out

    # On Tuesday the officer (or the agency, for everyone) says sleep is 22:00-07:30.
    if whose == "officer":
        await harness.stub.SetPreferences(
            pb.SetPreferencesRequest(
                preferences=pb.Preferences(usual_sleep=pb.HourRange(start=wall(22), end=wall(7, 30)))
            ),
            metadata=harness.officer("o-1"),
        )
    else:
        await set_policy(harness, usual_sleep_start=wall(22), usual_sleep_end=wall(7, 30))
    moved = local(3, 21, 59).timestamp() * 1000  # the 1 h one (07:00) leaves their new sleep
    for _ in range(250):
        left = await harness.redis.zrange(DUE, 0, -1, withscores=True)
        if [score for _, score in left] == [moved]:
            break
        await asyncio.sleep(0.02)
    assert [score for _, score in left] == [moved]  # and the one already sent is not queued again


async def test_a_cancelled_sessions_reminders_are_dropped(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    booked = await harness.book("o-1", "t-1", WED)
    await until_scheduled(harness, 2)
    await harness.stub.Cancel(
        pb.CancelRequest(appointment_id=booked.appointment_id), metadata=harness.officer("o-1")
    )
    harness.clock.now = WED - timedelta(minutes=30)
    await harness.quiet()  # the cancellation was processed
    assert await harness.process.reminders.drive() == 0  # and a pass after both reminders' times
    await harness.quiet()
    assert await reminders(harness, 0, settle=0) == []
    assert await harness.redis.zcard(DUE) == 0
