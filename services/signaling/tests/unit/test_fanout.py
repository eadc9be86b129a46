from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from tenfour_signaling.domain import (
    LeaveReason,
    ParticipantAdmittedSignal,
    ParticipantJoinedSignal,
    ParticipantLeftSignal,
    Room,
    SessionEndedSignal,
    WaitingSignal,
    admit,
    audience,
    deliveries,
    end_session,
    join,
    leave,
    remove,
    signal_for_event,
    waiting_message,
)

RoomFactory = Callable[..., Room]


def h(room: Room, subject: str) -> str:
    return room.require_seat(subject).handle


@pytest.fixture
def room(make_room: RoomFactory) -> Room:
    return make_room("o1", "o2", "o3")


def test_only_providers_see_who_is_waiting(room: Room, t: datetime) -> None:
    live = join(join(room, "dr-lee", t).room, "o1", t).room
    live = admit(live, "dr-lee", h(room, "o1"), t).room
    step = join(live, "o2", t)
    recipients = [to for to, _ in deliveries(step)]
    assert recipients == [h(room, "dr-lee"), h(room, "o2")]  # o2 itself only gets "waiting"


def test_waiting_officers_hear_when_their_provider_arrives(room: Room, t: datetime) -> None:
    waiting = join(join(room, "o1", t).room, "o2", t).room
    step = join(waiting, "dr-lee", t)
    assert {to for to, _ in deliveries(step)} == {h(room, "o1"), h(room, "o2")}


def test_admitted_officer_and_the_call_learn_of_the_admission(room: Room, t: datetime) -> None:
    live = join(join(room, "dr-lee", t).room, "o1", t).room
    live = admit(live, "dr-lee", h(room, "o1"), t).room
    live = join(live, "o2", t).room
    step = admit(live, "dr-lee", h(room, "o2"), t)
    assert set(audience(step.before, step.events[0])) == {h(room, "dr-lee"), h(room, "o1"), h(room, "o2")}


def test_removed_officer_is_told_and_waiting_ones_are_not(room: Room, t: datetime) -> None:
    live = join(join(room, "dr-lee", t).room, "o1", t).room
    live = join(admit(live, "dr-lee", h(room, "o1"), t).room, "o3", t).room  # o3 waits
    step = remove(live, "dr-lee", h(room, "o1"), t)
    assert {to for to, _ in deliveries(step)} == {h(room, "dr-lee"), h(room, "o1")}


def test_a_waiting_officer_leaving_is_news_for_providers_only(room: Room, t: datetime) -> None:
    live = join(join(room, "dr-lee", t).room, "o1", t).room
    live = join(admit(live, "dr-lee", h(room, "o1"), t).room, "o2", t).room
    step = leave(live, "o2", t)
    assert [to for to, _ in deliveries(step)] == [h(room, "dr-lee")]


def test_session_end_reaches_everyone_present(room: Room, t: datetime) -> None:
    live = join(join(join(room, "dr-lee", t).room, "o1", t).room, "o2", t).room
    step = end_session(live, "dr-lee", t)
    assert {to for to, _ in deliveries(step)} == {h(room, s) for s in ("dr-lee", "o1", "o2")}


def test_events_become_wire_signals(room: Room, t: datetime) -> None:
    joined = join(room, "o1", t).events[0]
    assert signal_for_event(joined) == ParticipantJoinedSignal(
        participant=h(room, "o1"), role="officer", waiting=True
    )
    live = join(join(room, "dr-lee", t).room, "o1", t).room
    admitted = admit(live, "dr-lee", h(room, "o1"), t).events[0]
    assert signal_for_event(admitted) == ParticipantAdmittedSignal(participant=h(room, "o1"))
    left = leave(live, "o1", t).events[0]
    assert signal_for_event(left) == ParticipantLeftSignal(participant=h(room, "o1"), reason=LeaveReason.LEFT)
    ended = end_session(live, "dr-lee", t).events[0]
    assert isinstance(signal_for_event(ended), SessionEndedSignal)


def test_waiting_officer_is_told_the_provider_status(room: Room, t: datetime) -> None:
    step = join(room, "o1", t)
    (to, waiting) = deliveries(step)[-1]
    assert to == h(room, "o1")
    # In English, and as a code with the provider's role for clients in other languages.
    assert waiting == WaitingSignal(
        message="Waiting for your therapist to let you in.",
        code="waiting_for_provider",
        provider_role="therapist",
    )
    live = join(room, "dr-lee", t).room
    assert waiting_message(live) == "Your therapist is here and will let you in shortly."
