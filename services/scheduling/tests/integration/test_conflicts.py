"""Roster-change conflicts through gRPC: a changed roster (or fatigue policy, or provider hours)
flags the future sessions and group seats it now clashes with (once, with an event),
ListConflicts shows them with alternatives on distinct days, a later change that removes the
clash clears the flag (with an event), and the atomic Reschedule to an alternative clears it.

"Nothing happened" is only asserted after the positive marker that the re-check ran:
ListConflicts' ``checked_roster_version`` reaching the saved roster's version."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import grpc
import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.events.v1.scheduling_events_pb2 import AppointmentConflictCleared, AppointmentConflictDetected
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour_shared.calendar import RuleSet, SessionType, Weekday, WeeklyWindow

from .conftest import CHICAGO, Harness, every_day, rules, start_of, utc
from .test_changes import reschedule
from .test_groups import offer, seat

pytestmark = pytest.mark.integration
WED = utc(2026, 3, 4, 14)  # Wednesday 08:00 Chicago, a day off on the Pitman rota anchored 2 March
TUE = utc(2026, 3, 10, 15)  # Tuesday 10 March 10:00 (CDT), off on both anchors
SAT_2100 = utc(2026, 3, 8, 3)  # Saturday 7 March 21:00 in Chicago (CST)
WEEKDAYS = "DDDDD--"  # Monday to Friday days from Monday 2 March: Saturday 7 March is off
FOUR_NIGHTS = "---NNNN"  # Thursday to Sunday nights: Saturday 21:00 is on duty
ZONE = ZoneInfo(CHICAGO)


async def listed(h: Harness, officer_id: str, **kw: object) -> pb.ListConflictsResponse:
    reply: pb.ListConflictsResponse = await h.stub.ListConflicts(
        pb.ListConflictsRequest(**kw),  # type: ignore[arg-type]
        metadata=h.officer(officer_id),
    )
    return reply


async def conflicts(h: Harness, officer_id: str) -> list[pb.Conflict]:
    return list((await listed(h, officer_id)).conflicts)


def _deadline() -> float:
    # Generous: on a loaded CI machine the roster event, the re-check and the alternatives
    # search (ListConflicts computes them afresh) can take several seconds.
    return asyncio.get_running_loop().time() + 30


async def until_conflicts(h: Harness, officer_id: str, count: int) -> list[pb.Conflict]:
    deadline = _deadline()
    while asyncio.get_running_loop().time() < deadline:
        found = await conflicts(h, officer_id)
        if len(found) == count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"{officer_id} never had {count} conflicts")


async def checked(h: Harness, officer_id: str, roster: pb.Roster) -> list[pb.Conflict]:
    """The conflicts once the re-check of ``roster`` ran (the positive marker)."""
    deadline = _deadline()
    while asyncio.get_running_loop().time() < deadline:
        reply = await listed(h, officer_id)
        if reply.checked_roster_version >= roster.version:
            return list(reply.conflicts)
        await asyncio.sleep(0.05)
    raise AssertionError(f"roster version {roster.version} of {officer_id} was never re-checked")


def both_types(provider_id: str, start: time, end: time) -> RuleSet:
    weekly = tuple(
        WeeklyWindow(weekday=d, start=start, end=end, offers=(SessionType.INDIVIDUAL, SessionType.GROUP))
        for d in Weekday
    )
    return RuleSet(provider_id=provider_id, timezone=CHICAGO, weekly=weekly, version=1)


def local(slot: pb.Slot) -> datetime:
    return slot.time.start.ToDatetime(tzinfo=UTC).astimezone(ZONE)


async def test_issue_scenario_alternatives_on_three_distinct_days_at_the_same_hour(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(6), time(23))))
    await harness.set_roster("o-1", cycle=WEEKDAYS)
    sat = await harness.book("o-1", "t-1", SAT_2100)
    nights = await harness.set_roster("o-1", cycle=FOUR_NIGHTS)

    (found,) = await until_conflicts(harness, "o-1", 1)
    assert found.appointment.appointment_id == sat.appointment_id
    assert (found.reason_code, found.group_seat) == ("on_duty", False)
    days = [local(s).date() for s in found.alternatives]
    assert len(found.alternatives) == 3
    assert len(set(days)) == 3, days
    assert all(s.provider_id == "t-1" for s in found.alternatives)  # the same provider first
    assert all(local(s).time() == time(21) for s in found.alternatives)  # the hour the officer chose
    assert all(s.reason.startswith("same provider; same time of day") for s in found.alternatives)
    assert (await checked(harness, "o-1", nights)) == [found]

    # Up to ten on request, still one a day while days last; more than ten is refused.
    ten = (await listed(harness, "o-1", max_alternatives=10)).conflicts[0].alternatives
    assert len(ten) == 10
    assert len({local(s).date() for s in ten}) == 10
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await listed(harness, "o-1", max_alternatives=11)
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT

    # The event carries what notifications needs to word it neutrally and link to the page.
    (event,) = await harness.scheduling_events("scheduling.appointment_conflict_detected", at_least=1)
    assert isinstance(event, AppointmentConflictDetected)
    assert event.review_path == f"/conflicts/{sat.appointment_id}"
    assert (event.officer_id, event.reason_code, event.time) == ("o-1", "on_duty", sat.time)
    assert len(event.alternatives) == 3

    # Accepting one moves the session atomically and ends the flag with an event.
    choice = found.alternatives[1].time.start.ToDatetime(tzinfo=UTC)
    moved = await reschedule(harness, "o-1", sat.appointment_id, choice, "accept-alternative")
    assert (start_of(moved), moved.conflict, moved.appointment_id) == (choice, False, sat.appointment_id)
    assert await conflicts(harness, "o-1") == []
    (cleared,) = await harness.scheduling_events("scheduling.appointment_conflict_cleared", at_least=1)
    assert isinstance(cleared, AppointmentConflictCleared)
    assert (cleared.appointment_id, cleared.reason_code) == (sat.appointment_id, "rescheduled")


async def test_a_roster_change_that_removes_the_clash_clears_the_flag_once(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(6), time(23))))
    await harness.set_roster("o-1", cycle=WEEKDAYS)
    sat = await harness.book("o-1", "t-1", SAT_2100)
    await harness.set_roster("o-1", cycle=FOUR_NIGHTS)
    await until_conflicts(harness, "o-1", 1)
    assert (await harness.get(sat.appointment_id, "o-1")).conflict

    # Another clashing change: still one flag, no second event.
    again = await harness.set_roster("o-1", cycle="--NNNN-")
    assert len(await checked(harness, "o-1", again)) == 1
    assert len(await harness.scheduling_events("scheduling.appointment_conflict_detected", settle=0)) == 1

    back = await harness.set_roster("o-1", cycle=WEEKDAYS)
    assert await checked(harness, "o-1", back) == []
    after = await harness.get(sat.appointment_id, "o-1")
    assert (after.conflict, start_of(after), after.status) == (False, SAT_2100, sat.status)
    (cleared,) = await harness.scheduling_events("scheduling.appointment_conflict_cleared", at_least=1)
    assert isinstance(cleared, AppointmentConflictCleared)
    assert (cleared.appointment_id, cleared.reason_code) == (sat.appointment_id, "roster_resolved")


async def test_a_group_seat_that_falls_into_a_new_night_shift_is_flagged(harness: Harness) -> None:
    await harness.provider("t-1", both_types("t-1", time(6), time(23)))
    await harness.set_roster("o-1", cycle=WEEKDAYS)
    group = await offer(harness, "t-1", SAT_2100, 4)
    other = await offer(harness, "t-1", utc(2026, 3, 11, 2), 4, key="g2")  # Tuesday 10 March 21:00 CDT
    await seat(harness, "o-1", group.appointment_id)
    await harness.set_roster("o-1", cycle=FOUR_NIGHTS)

    (found,) = await until_conflicts(harness, "o-1", 1)
    assert (found.appointment.appointment_id, found.group_seat, found.reason_code) == (
        group.appointment_id,
        True,
        "on_duty",
    )
    assert [s.group_appointment_id for s in found.alternatives] == [other.appointment_id]
    assert not (await harness.get(group.appointment_id, "o-1")).conflict  # the group is shared
    (event,) = await harness.scheduling_events("scheduling.appointment_conflict_detected", at_least=1)
    assert isinstance(event, AppointmentConflictDetected)
    assert event.group_seat

    back = await harness.set_roster("o-1", cycle=WEEKDAYS)
    assert await checked(harness, "o-1", back) == []
    (cleared,) = await harness.scheduling_events("scheduling.appointment_conflict_cleared", at_least=1)
    assert isinstance(cleared, AppointmentConflictCleared)
    assert cleared.group_seat


async def test_a_taken_alternative_is_refused_and_fresh_ones_are_offered(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(6), time(23))))
    await harness.set_roster("o-1", cycle=WEEKDAYS)
    await harness.set_roster("o-2", cycle=WEEKDAYS)
    sat = await harness.book("o-1", "t-1", SAT_2100)
    await harness.set_roster("o-1", cycle=FOUR_NIGHTS)
    (found,) = await until_conflicts(harness, "o-1", 1)
    first = found.alternatives[0].time.start.ToDatetime(tzinfo=UTC)
    await harness.book("o-2", "t-1", first)  # somebody else takes it meanwhile

    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await reschedule(harness, "o-1", sat.appointment_id, first, "too-late")
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    kept = await harness.get(sat.appointment_id, "o-1")
    assert (start_of(kept), kept.conflict, kept.status, kept.version) == (
        SAT_2100,
        True,
        sat.status,
        found.appointment.version,
    )
    (fresh,) = await conflicts(harness, "o-1")
    starts = [s.time.start.ToDatetime(tzinfo=UTC) for s in fresh.alternatives]
    assert len(starts) == 3
    assert first not in starts
    moved = await reschedule(harness, "o-1", sat.appointment_id, starts[0], "fresh")
    assert start_of(moved) == starts[0]


async def test_provider_hours_removed_over_a_session_flag_it(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(6), time(23))))
    await harness.set_roster("o-1", cycle=WEEKDAYS)
    sat = await harness.book("o-1", "t-1", SAT_2100)
    weekdays_only = [(d, time(6), time(23)) for d in Weekday if d is not Weekday.SATURDAY]
    await harness.provider("t-1", rules("t-1", weekdays_only, version=2))
    (found,) = await until_conflicts(harness, "o-1", 1)
    assert (found.appointment.appointment_id, found.reason_code) == (
        sat.appointment_id,
        "outside_provider_hours",
    )
    assert found.alternatives
    assert all(local(s).weekday() != 5 for s in found.alternatives)


async def test_fatigue_policy_change_marks_conflicts(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    roster = await harness.set_roster("o-1")
    # Thursday 5 March 17:00 Chicago: off, but the next day shift starts Friday 07:00.
    thu = await harness.book("o-1", "t-1", utc(2026, 3, 5, 23))
    assert await checked(harness, "o-1", roster) == []
    buffer = Duration()
    buffer.FromTimedelta(timedelta(hours=14))
    await harness.stub.SetFatiguePolicy(
        pb.SetFatiguePolicyRequest(policy=pb.FatiguePolicy(pre_shift_buffer=buffer)), metadata=harness.admin()
    )
    (found,) = await until_conflicts(harness, "o-1", 1)
    assert found.appointment.appointment_id == thu.appointment_id


async def test_pitman_anchor_change_marks_only_the_clashing_session(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.provider("t-2", rules("t-2", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    wed = await harness.book("o-1", "t-1", WED)
    later = await harness.book("o-1", "t-2", TUE)
    # Anchored a day later, Wednesday 4 March is a day shift (07:00-19:00): a conflict.
    await harness.set_roster("o-1", anchor=date(2026, 3, 3))
    (found,) = await until_conflicts(harness, "o-1", 1)
    assert found.appointment.appointment_id == wed.appointment_id
    assert "duty" in found.reason or "shift" in found.reason
    assert found.alternatives[0].provider_id == "t-1"  # the same provider first
    assert not (await harness.get(later.appointment_id, "o-1")).conflict
