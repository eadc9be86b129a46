from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from tenfour_signaling.domain import (
    MAX_PARTICIPANTS,
    EndReason,
    Participant,
    Role,
    Room,
    RoomState,
    RoomStateError,
)

RoomFactory = Callable[..., Room]


def test_window_opens_ten_minutes_before_and_closes_fifteen_after(room: Room) -> None:
    assert room.opens_at == room.start - timedelta(minutes=10)
    assert room.closes_at == room.end + timedelta(minutes=15)
    assert room.window.duration == timedelta(minutes=75)


@pytest.mark.parametrize(
    ("offset", "state"),
    [
        (timedelta(minutes=-11), RoomState.SCHEDULED),
        (timedelta(minutes=-10), RoomState.OPEN),
        (timedelta(minutes=30), RoomState.OPEN),
        (timedelta(minutes=50 + 15) - timedelta(microseconds=1), RoomState.OPEN),
        (timedelta(minutes=50 + 15), RoomState.ENDED),
    ],
)
def test_state_follows_the_clock(room: Room, offset: timedelta, state: RoomState) -> None:
    assert room.state_at(room.start + offset) is state


def test_live_once_a_provider_is_in_and_ended_when_ended(room: Room, t: datetime) -> None:
    live = room.model_copy(update={"live_since": t})
    assert live.state_at(t) is RoomState.LIVE
    ended = live.ended(EndReason.PROVIDER_ENDED, now=t + timedelta(minutes=40))
    assert ended.state_at(t + timedelta(minutes=41)) is RoomState.ENDED
    assert ended.end_reason is EndReason.PROVIDER_ENDED


def test_urgent_room_opens_when_created(make_room: RoomFactory, room: Room) -> None:
    created = room.start - timedelta(hours=2)
    urgent = make_room("officer-1", urgent=True, now=created)
    assert urgent.opens_at == created
    assert urgent.state_at(created) is RoomState.OPEN


def test_times_are_normalised_to_utc(room: Room) -> None:
    local = room.start.astimezone(ZoneInfo("America/Chicago"))
    people = [Participant(subject="t", role=Role.PEER_SUPPORTER), Participant(subject="o", role=Role.OFFICER)]
    converted = Room.from_appointment("a", people, local, local + timedelta(hours=1), now=room.created_at)
    assert converted.start == room.start
    assert converted.start.tzinfo is UTC


def test_naive_times_are_refused(room: Room) -> None:
    with pytest.raises(ValidationError):
        room.reschedule(datetime(2025, 3, 10, 14), datetime(2025, 3, 10, 15), now=room.created_at)


def test_reschedule_moves_the_window(room: Room) -> None:
    day = timedelta(days=1)
    moved = room.reschedule(room.start + day, room.end + day, now=room.created_at)
    assert moved.opens_at == room.opens_at + day
    assert moved.session_id == room.session_id
    assert [s.handle for s in moved.seats] == [s.handle for s in room.seats]


def test_reschedule_rejects_inverted_times(room: Room) -> None:
    with pytest.raises(ValidationError):
        room.reschedule(room.end, room.start, now=room.created_at)


@pytest.mark.parametrize("live_or_ended", ["live", "ended"])
def test_cannot_reschedule_live_or_ended_rooms(room: Room, t: datetime, live_or_ended: str) -> None:
    changed = (
        room.model_copy(update={"live_since": t})
        if live_or_ended == "live"
        else room.ended(EndReason.CANCELLED, now=room.created_at)
    )
    with pytest.raises(RoomStateError):
        changed.reschedule(room.start, room.end, now=t)


def test_group_of_eight_is_the_limit(make_room: RoomFactory) -> None:
    officers = [f"officer-{i}" for i in range(MAX_PARTICIPANTS - 1)]
    assert len(make_room(*officers).seats) == MAX_PARTICIPANTS
    with pytest.raises(ValidationError):
        make_room(*officers, "one-too-many")


def test_needs_a_provider_and_an_officer(room: Room) -> None:
    for role in (Role.OFFICER, Role.THERAPIST):
        same = [Participant(subject=s, role=role) for s in ("a", "b")]
        with pytest.raises(ValidationError):
            Room.from_appointment("x", same, room.start, room.end, now=room.created_at)


def test_participants_are_distinct(make_room: RoomFactory) -> None:
    with pytest.raises(ValidationError):
        make_room("same", "same")


def test_handles_are_opaque_and_fresh_per_room(make_room: RoomFactory) -> None:
    first, second = make_room("officer-1"), make_room("officer-1")
    assert {s.handle for s in first.seats}.isdisjoint(s.handle for s in second.seats)
    assert all("officer" not in s.handle for s in first.seats)
    assert "officer-1" not in repr(first)
