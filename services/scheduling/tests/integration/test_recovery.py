"""What a crash between the booking phases leaves behind is settled, never double-booked:
a dead claim is released once provably dead, a pending idempotency key runs again, and a lost
officer-side sync is redone from the appointment's own event."""

from __future__ import annotations

import asyncio
from datetime import UTC, time, timedelta

import pytest
from google.protobuf.duration_pb2 import Duration

from tenfour.events.v1.scheduling_events_pb2 import AppointmentStatusChanged
from tenfour.scheduling.v1 import scheduling_pb2 as pb
from tenfour.scheduling.v1.appointments_pb2 import Appointment, AppointmentStatus
from tenfour_scheduling.adapters.calendars import to_ms
from tenfour_scheduling.service.booking.idempotency import digest as _digest
from tenfour_shared.events.envelope import build

from .conftest import Harness, every_day, rules, utc

pytestmark = pytest.mark.integration
WED = utc(2026, 3, 4, 14)
CAL, SPANS = "scheduling:officer-cal:{o-1}", "scheduling:officer-spans:{o-1}"


async def dead_claim(h: Harness, member: str, start_ms: int, end_ms: int) -> None:
    """A claim whose booking attempt died before its commit, its deadline long past."""
    entry = f"{member}|{end_ms}|C|{to_ms(WED) - 3_600_000}|t-1"  # deadline: Redis' clock is far later
    await h.redis.zadd(CAL, {entry: start_ms})
    await h.redis.hset(SPANS, member, entry)


async def members(h: Harness) -> list[str]:
    return [m.decode() for m in await h.redis.zrange(CAL, 0, -1)]


async def setup(h: Harness) -> None:
    await h.provider("t-1", rules("t-1", every_day(time(8), time(20))))
    await h.set_roster("o-1")


async def test_a_dead_claim_is_released_when_it_is_in_the_way(harness: Harness) -> None:
    await setup(harness)
    await dead_claim(harness, "t-1.00000000deadbeef", to_ms(WED), to_ms(WED + timedelta(minutes=50)))
    booked = await harness.book("o-1", "t-1", WED)
    assert [m.split("|")[0] for m in await members(harness)] == [booked.appointment_id]
    assert "|B|" in (await members(harness))[0]


async def test_a_pending_key_of_a_dead_attempt_runs_again(harness: Harness) -> None:
    await setup(harness)
    member = "t-1.00000000deadbeef"
    digest = _digest("o-1", "book", "retry-me")
    fp = _digest("book", "o-1", "t-1", "individual", str(to_ms(WED)))
    await harness.redis.hset(
        f"scheduling:idem:{{o-1}}:{digest}",
        mapping={"fp": fp, "appointment_id": member, "state": "pending", "claim": member},
    )
    await dead_claim(harness, member, to_ms(WED), to_ms(WED + timedelta(minutes=50)))
    booked = await harness.book("o-1", "t-1", WED, key="retry-me")
    assert booked.appointment_id != member
    assert await harness.book("o-1", "t-1", WED, key="retry-me") == booked  # now the first result


async def test_a_lost_officer_side_sync_is_redone_from_the_event(harness: Harness) -> None:
    await setup(harness)
    booked = await harness.book("o-1", "t-1", WED)
    await harness.scheduling_events("scheduling.appointment_status_changed", at_least=1)
    # Cancel in the provider's slot only, as if the process died before mirroring it.
    cancelled = Appointment()
    cancelled.CopyFrom(booked)
    cancelled.status = AppointmentStatus.APPOINTMENT_STATUS_CANCELLED
    cancelled.version = 2
    event = build(
        AppointmentStatusChanged(appointment=cancelled, previous_status=booked.status),
        subject=booked.appointment_id,
    )
    store = harness.process.services.appointments._store
    assert await store.transition(cancelled, 1, False, event)
    for _ in range(300):
        if not await members(harness):
            break
        await asyncio.sleep(0.02)
    assert await members(harness) == []
    assert (await harness.get(booked.appointment_id, "o-1")).status == cancelled.status
    assert booked.time.start.ToDatetime(tzinfo=UTC) == WED


async def test_a_search_reads_a_dead_claim_as_settled_and_writes_nothing(harness: Harness) -> None:
    await setup(harness)
    await dead_claim(harness, "t-1.00000000deadbeef", to_ms(WED), to_ms(WED + timedelta(minutes=50)))
    before = await members(harness)
    horizon = Duration()
    horizon.FromTimedelta(timedelta(days=4))
    reply = await harness.stub.FindSlots(
        pb.FindSlotsRequest(limit=200, horizon=horizon), metadata=harness.officer("o-1")
    )
    starts = [s.time.start.ToDatetime(tzinfo=UTC) for s in reply.slots]
    assert WED in starts  # the attempt that never committed no longer blocks its time
    assert await members(harness) == before  # and the search left the calendar as it was
