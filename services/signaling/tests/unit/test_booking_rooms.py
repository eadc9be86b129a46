"""Scheduling's bookings become rooms, over in-memory fakes of our ports: created once when
booked, moved when rescheduled, closed when cancelled, and never for a session already over.
The same flows against Redis and NATS are in tests/integration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_signaling.domain import Room
from tenfour_signaling.domain.records import Committed, Delivery, Rejected, StoredRoom
from tenfour_signaling.domain.room import EndReason
from tenfour_signaling.service.bookings import Booking, Bookings
from tenfour_signaling.service.writer import RoomTimes, RoomWriter

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
START = NOW + timedelta(days=2)


@dataclass
class FakeRooms:
    """The RoomRecords port as far as bookings use it: versioned compare-and-set commits."""

    rooms: dict[str, StoredRoom] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    closing: dict[str, datetime] = field(default_factory=dict)
    events: list[Envelope] = field(default_factory=list)

    async def get(self, appointment_id: str) -> StoredRoom | None:
        return self.rooms.get(appointment_id)

    async def commit(
        self,
        before: StoredRoom | None,
        room: Room,
        expire_at: datetime,
        deliveries: Sequence[Delivery] = (),
        events: Sequence[Envelope] = (),
        must_be_absent: Sequence[str] = (),
        report_seq_of: str = "",
    ) -> Committed | Rejected:
        current = self.rooms.get(room.appointment_id)
        if (current.version if current else 0) != (before.version if before else 0):
            return Rejected("version")
        stored = StoredRoom(room, (current.version if current else 0) + 1)
        self.rooms[room.appointment_id] = stored
        self.events.extend(events)
        return Committed(stored, tuple(range(1, len(deliveries) + 1)), 0)

    async def index_session(self, room: Room, expire_at: datetime) -> None:
        self.sessions[room.session_id] = room.appointment_id

    async def mark_closing(self, appointment_id: str, closes_at: datetime) -> None:
        self.closing[appointment_id] = closes_at

    async def unmark_closing(self, appointment_id: str) -> None:
        self.closing.pop(appointment_id, None)

    async def unmark_occupied(self, appointment_id: str) -> None:
        pass


class FakeLive:
    async def publish(self, session_id: str, handle: str, data: bytes) -> None:
        pass


class FakeRelay:
    def __init__(self) -> None:
        self.notified: list[str] = []

    async def notify(self, tag: str) -> None:
        self.notified.append(tag)


def booking(start: datetime = START, officers: tuple[str, ...] = ("o-1",)) -> Booking:
    return Booking("a-1", "agency-1", "t-1", officers, start, start + timedelta(minutes=50), urgent=False)


@pytest.fixture
def rooms() -> FakeRooms:
    return FakeRooms()


@pytest.fixture
def bookings(rooms: FakeRooms) -> Bookings:
    times = RoomTimes(timedelta(minutes=10), timedelta(minutes=15), timedelta(days=1), timedelta(minutes=2))
    writer = RoomWriter(rooms, FakeLive(), FakeRelay(), times, lambda: NOW)  # type: ignore[arg-type]
    return Bookings(writer)


async def test_a_booked_session_gets_one_room_with_its_people(bookings: Bookings, rooms: FakeRooms) -> None:
    await bookings.book(booking())
    await bookings.book(booking())  # the event delivered twice
    stored = rooms.rooms["a-1"]
    assert stored.version == 1
    assert [s.participant.subject for s in stored.room.seats] == ["t-1", "o-1"]
    assert rooms.sessions == {stored.room.session_id: "a-1"}
    assert rooms.closing["a-1"] == stored.room.closes_at


async def test_a_reschedule_moves_the_room_and_its_closing_time(bookings: Bookings, rooms: FakeRooms) -> None:
    await bookings.book(booking())
    later = START + timedelta(hours=3)
    await bookings.book(booking(later, ("o-1", "o-2")))
    room = rooms.rooms["a-1"].room
    assert (room.start, rooms.rooms["a-1"].version) == (later, 2)
    assert [s.participant.subject for s in room.seats] == ["t-1", "o-1", "o-2"]
    assert rooms.closing["a-1"] == room.closes_at


async def test_a_cancelled_booking_closes_its_room_and_nothing_is_left_to_sweep(
    bookings: Bookings, rooms: FakeRooms
) -> None:
    await bookings.book(booking())
    await bookings.cancel("a-1")
    room = rooms.rooms["a-1"].room
    assert (room.ended_at, room.end_reason) == (NOW, EndReason.CANCELLED)
    assert "a-1" not in rooms.closing
    await bookings.cancel("a-2")  # unknown: nothing happens
    assert list(rooms.rooms) == ["a-1"]


async def test_a_session_already_over_gets_no_room(bookings: Bookings, rooms: FakeRooms) -> None:
    await bookings.book(booking(NOW - timedelta(hours=3)))
    assert rooms.rooms == {}
