"""A search sees the officer's calendar as settling would leave it, and writes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tenfour.scheduling.v1.appointments_pb2 import Appointment
from tenfour_scheduling.adapters.calendars import CalendarEntry
from tenfour_scheduling.service.claims import CLAIM_GRACE_MS, Claims
from tenfour_shared.timeline import Interval

NOW_MS = 1_800_000_000_000
AT = datetime(2026, 3, 4, 14, tzinfo=UTC)


class ReadOnlyStore:
    """Our AppointmentStore port as far as reads go; any write fails the test."""

    def __init__(self, stored: set[str]) -> None:
        self.stored = stored

    async def now_ms(self) -> int:
        return NOW_MS

    async def get(self, appointment_id: str) -> object:
        if appointment_id not in self.stored:
            return None
        return type("Stored", (), {"appointment": Appointment(appointment_id=appointment_id)})()

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"a read called {name}")


def entry(member: str, claim: bool, deadline_ms: int = 0) -> CalendarEntry:
    return CalendarEntry(member, Interval(AT, AT + timedelta(minutes=50)), claim, deadline_ms, "t-1")


def test_dead_claims_read_as_settled_live_ones_and_bookings_stay() -> None:
    dead = NOW_MS - CLAIM_GRACE_MS - 1
    entries = [
        entry("booked", False),
        entry("live", True, NOW_MS + 10_000),
        entry("committed", True, dead),
        entry("abandoned", True, dead),
        entry("in-grace", True, NOW_MS - 1),
    ]
    claims = Claims(ReadOnlyStore({"booked", "committed"}))  # type: ignore[arg-type]
    kept = asyncio.run(claims.as_settled("o-1", entries))
    assert [e.member for e in kept] == ["booked", "live", "committed", "in-grace"]
