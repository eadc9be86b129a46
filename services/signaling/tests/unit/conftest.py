"""Fixtures for the signaling domain unit tests: a booked 50-minute session and a room factory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from tenfour_signaling.domain import Participant, Role, Room

START = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture
def make_room() -> Callable[..., Room]:
    def build(
        *officers: str,
        provider: str = "dr-lee",
        urgent: bool = False,
        now: datetime = START - timedelta(days=2),
    ) -> Room:
        people = [Participant(subject=provider, role=Role.THERAPIST)]
        people += [Participant(subject=s, role=Role.OFFICER) for s in officers or ("officer-1",)]
        return Room.from_appointment(
            "appt-1", people, START, START + timedelta(minutes=50), now=now, urgent=urgent
        )

    return build


@pytest.fixture
def room(make_room: Callable[..., Room]) -> Room:
    return make_room("officer-1")


@pytest.fixture
def t(room: Room) -> datetime:
    """A moment inside the session."""
    return room.start + timedelta(minutes=1)
