"""Events into the read model: order-tolerant, idempotent, group sessions, bad events."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tenfour.events.v1.scheduling_events_pb2 import AppointmentRescheduled, AppointmentStatusChanged
from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_shared.events.streams import DEAD_LETTER_STREAM

from .conftest import Harness, S, appointment, table, utc

pytestmark = pytest.mark.integration


async def test_an_older_or_repeated_event_does_not_undo_a_newer_one(harness: Harness) -> None:
    sessions = [appointment(f"ap-{i}", [f"off-{i}"], utc(2026, 1, 8, 15)) for i in range(11)]
    for session in sessions:
        await harness.session(session)
    for session in sessions:
        # "booked" again at version 1 (the "fulfilled" applied is version 2), though sent later,
        # and a versionless event from long ago: neither undoes anything; a replay changes nothing.
        await harness.status(
            session, S.APPOINTMENT_STATUS_BOOKED, S.APPOINTMENT_STATUS_UNSPECIFIED, version=1
        )
        stale = Appointment()
        stale.CopyFrom(session)
        payload = AppointmentStatusChanged(
            appointment=stale, previous_status=S.APPOINTMENT_STATUS_UNSPECIFIED
        )
        await harness.publish(payload, session.appointment_id, when=utc(2025, 5, 1))
        await harness.status(session, S.APPOINTMENT_STATUS_FULFILLED, version=2)
    await harness.settle()
    harness.clock.now = utc(2026, 2, 20)
    january = table(await harness.report())["2026-01"]
    assert (january["sessions_booked"], january["sessions_fulfilled"]) == (11, 11)


async def test_a_rescheduled_session_counts_in_its_new_month_and_group_seats_count_per_officer(
    harness: Harness,
) -> None:
    group = appointment("group-1", [f"off-{i}" for i in range(11)], utc(2026, 1, 30, 18))
    await harness.status(group, S.APPOINTMENT_STATUS_BOOKED, S.APPOINTMENT_STATUS_UNSPECIFIED)
    moved = Appointment()
    moved.CopyFrom(group)
    moved.time.start.FromDatetime(utc(2026, 2, 2, 18))
    moved.time.end.FromDatetime(utc(2026, 2, 2, 19, 30))
    moved.version = 2
    await harness.publish(AppointmentRescheduled(appointment=moved, previous_time=group.time), "group-1")
    await harness.status(moved, S.APPOINTMENT_STATUS_FULFILLED, version=3)
    await harness.settle()
    harness.clock.now = utc(2026, 2, 3)
    for i in (0, 10):  # every member may give feedback, each once
        await harness.credential(f"off-{i}", "group-1")
    harness.clock.now = utc(2026, 3, 20)
    rows = table(await harness.report())
    assert "2026-01" not in rows  # nothing is left in January: the agency starts in February
    assert (rows["2026-02"]["sessions_fulfilled"], rows["2026-02"]["officers_served"]) == (11, 11)


async def test_an_unusable_event_is_dead_lettered_and_blocks_nothing(harness: Harness) -> None:
    broken = appointment("ap-broken", ["off-1"], utc(2026, 1, 8, 15), agency_id="")
    await harness.status(broken, S.APPOINTMENT_STATUS_FULFILLED)
    for i in range(11):
        await harness.session(appointment(f"ap-{i}", [f"off-{i}"], utc(2026, 1, 9, 15)))
    await harness.settle()
    for _ in range(100):
        if (await harness.js.stream_info(DEAD_LETTER_STREAM)).state.messages:
            break
        await asyncio.sleep(0.02)
    dead = await harness.js.get_msg(DEAD_LETTER_STREAM, 1)
    assert dead.subject == "deadletter.outcomes.scheduling_appointment_status_changed"
    harness.clock.now = utc(2026, 2, 20) + timedelta(days=1)
    assert table(await harness.report())["2026-01"]["sessions_fulfilled"] == 11
