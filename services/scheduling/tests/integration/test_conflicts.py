"""Roster-change conflicts through gRPC: a changed roster marks the future sessions it now
clashes with (once, with an event and up to three alternatives, the same provider's first),
ListConflicts shows them, and the atomic Reschedule to an alternative clears the mark."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, time, timedelta

import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.events.v1.scheduling_events_pb2 import AppointmentConflictDetected
from tenfour.scheduling.v1 import scheduling_pb2 as pb

from .conftest import Harness, every_day, rules, start_of, utc
from .test_changes import reschedule

pytestmark = pytest.mark.integration
WED = utc(2026, 3, 4, 14)  # Wednesday 08:00 Chicago, a day off on the Pitman rota anchored 2 March
TUE = utc(2026, 3, 10, 15)  # Tuesday 10 March 10:00 (CDT), off on both anchors


async def conflicts(h: Harness, officer_id: str) -> list[pb.Conflict]:
    reply = await h.stub.ListConflicts(pb.ListConflictsRequest(), metadata=h.officer(officer_id))
    return list(reply.conflicts)


async def until_conflicts(h: Harness, officer_id: str, count: int) -> list[pb.Conflict]:
    for _ in range(250):
        found = await conflicts(h, officer_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"{officer_id} never had {count} conflicts")


async def test_roster_change_marks_conflicts_offers_alternatives_and_reschedule_clears(
    harness: Harness,
) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.provider("t-2", rules("t-2", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    wed = await harness.book("o-1", "t-1", WED)
    later = await harness.book("o-1", "t-2", TUE)
    await harness.quiet()  # both bookings' events checked for conflicts
    assert await conflicts(harness, "o-1") == []

    # Anchored a day later, Wednesday 4 March is a day shift (07:00-19:00): a conflict.
    await harness.set_roster("o-1", anchor=date(2026, 3, 3))
    (found,) = await until_conflicts(harness, "o-1", 1)
    assert found.appointment.appointment_id == wed.appointment_id
    assert found.appointment.conflict
    assert "duty" in found.reason or "shift" in found.reason
    assert 1 <= len(found.alternatives) <= 3
    assert found.alternatives[0].provider_id == "t-1"  # the same provider first
    assert (await harness.get(wed.appointment_id, "o-1")).conflict
    assert not (await harness.get(later.appointment_id, "o-1")).conflict

    events = await harness.scheduling_events("scheduling.appointment_conflict_detected", at_least=1)
    assert [
        (e.appointment_id, e.officer_id) for e in events if isinstance(e, AppointmentConflictDetected)
    ] == [(wed.appointment_id, "o-1")]
    assert len(events[0].alternatives) == len(found.alternatives)  # type: ignore[attr-defined]

    # Another roster change does not mark it again.
    await harness.set_roster("o-1", anchor=date(2026, 3, 3), zone="America/Chicago", template="pitman")
    await harness.quiet()  # the roster change was checked
    assert len(await harness.scheduling_events("scheduling.appointment_conflict_detected", settle=0)) == 1

    # The officer accepts an alternative: the move is atomic and clears the mark.
    choice = found.alternatives[0].time.start.ToDatetime(tzinfo=UTC)
    moved = await reschedule(harness, "o-1", wed.appointment_id, choice, "accept-alternative")
    assert (start_of(moved), moved.conflict) == (choice, False)
    assert await conflicts(harness, "o-1") == []


async def test_fatigue_policy_change_marks_conflicts(harness: Harness) -> None:
    await harness.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await harness.set_roster("o-1")
    # Thursday 5 March 17:00 Chicago: off, but the next day shift starts Friday 07:00.
    thu = await harness.book("o-1", "t-1", utc(2026, 3, 5, 23))
    await harness.quiet()  # the booking's event was checked for conflicts
    assert await conflicts(harness, "o-1") == []
    buffer = Duration()
    buffer.FromTimedelta(timedelta(hours=14))
    await harness.stub.SetFatiguePolicy(
        pb.SetFatiguePolicyRequest(policy=pb.FatiguePolicy(pre_shift_buffer=buffer)), metadata=harness.admin()
    )
    (found,) = await until_conflicts(harness, "o-1", 1)
    assert found.appointment.appointment_id == thu.appointment_id
